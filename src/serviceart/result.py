"""The result of a scoring run: scores, measures, evidence, contributions, rejects."""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import InputError

if TYPE_CHECKING:
    from .explain import Explanation
    from .rubric import Rubric

__all__ = ["Result"]

TABLES = ("scores", "measures", "evidence", "contributions", "rejects", "promises", "bands",
          "turns")


@dataclass
class Result:
    """What :func:`serviceart.score` returns.

    Attributes
    ----------
    scores
        ``interaction_id``, ``respect``, ``service``, ``integrity``,
        ``follow_through``, ``overall`` (0..100, NaN when no criterion applied).
    measures
        One row per interaction: every codebook measure and cue count.
    evidence
        One row per cue found: the turn, the characters and the text.
    rejects
        Every input problem, with its code and reason.
    run_info
        Versions, rubric hash, counts in / scored / rejected, seconds, words/s.
    contributions
        One row per interaction and criterion: value, weight, whether it applied,
        points won and lost.
    interactions
        The interaction table that was scored (metadata for slicing), with its
        ``case_id`` and ``case_rule`` after case linking.
    turns
        The scored turns (the transcript behind the evidence, for scorecards and
        drill-down); empty when a run was read without them.
    bands
        Per interaction, the rubric's band ("meets", "coaching", "fails") of each
        principle score and of ``overall`` (``<principle>_band`` columns).
    promises
        The promise ledger: one row per ``promise`` cue with its due time, status
        (kept, broken, open, unverifiable), the contact that settled it, the
        lateness and the customer chasing linked to it (see
        :data:`serviceart.schema.PROMISES`).
    folder
        The run folder the result was read from (:meth:`from_parquet`), else
        ``None``; only files inside it are read on the result's behalf.
    """

    scores: pd.DataFrame
    measures: pd.DataFrame
    evidence: pd.DataFrame
    rejects: pd.DataFrame
    run_info: dict[str, Any]
    contributions: pd.DataFrame = field(default_factory=pd.DataFrame)
    interactions: pd.DataFrame = field(default_factory=pd.DataFrame)
    promises: pd.DataFrame = field(default_factory=pd.DataFrame)
    bands: pd.DataFrame = field(default_factory=pd.DataFrame)
    turns: pd.DataFrame = field(default_factory=pd.DataFrame)
    folder: Path | None = field(default=None, repr=False, compare=False)

    def explain(self, interaction_id: str, *, rubric: Rubric | None = None) -> Explanation:
        """Why this interaction got its scores: every criterion's value, weight and
        points, the band, and the evidence behind each criterion.

        Parameters
        ----------
        interaction_id
            The interaction.
        rubric
            The rubric the run used, when it is not the default or a file named
            in ``run_info`` (see :func:`serviceart.explain.explain`).

        Returns
        -------
        Explanation
            Prints as text; shows as escaped HTML in Jupyter; ``.table`` holds the rows.
        """
        from .explain import explain

        return explain(self, interaction_id, rubric=rubric)

    def by(self, keys: str | list[str], period: str | None = None, **options: Any
           ) -> pd.DataFrame:
        """Mean principle scores per group (and period) with bootstrap intervals.

        Parameters
        ----------
        keys
            Interaction columns, e.g. ``"agent_id"``, ``"team"``, ``["team", "channel"]``.
        period
            A pandas period alias over ``started_at`` (``"D"``, ``"W"``, ``"M"``).
        **options
            ``principles``, ``n_boot``, ``ci``, ``min_n`` (groups under it are
            flagged not ``rankable``), ``seed``; see :func:`serviceart.aggregate.by`.

        Returns
        -------
        pandas.DataFrame
            One row per group, period and principle: ``n``, ``mean``, ``ci_low``,
            ``ci_high``, ``rankable``. Rank it with :func:`serviceart.aggregate.rank`,
            which never orders groups whose intervals overlap without saying so.
        """
        from .aggregate import by

        return by(self, keys, period, **options)

    def __repr__(self) -> str:
        c = self.run_info.get("counts", {})
        return (f"<Result: {c.get('scored', len(self.scores))} scored, "
                f"{c.get('rejected', 0)} rejected, {len(self.evidence)} evidence rows>")

    def to_parquet(self, directory: str | Path) -> Path:
        """Write every table as ``<name>.parquet`` plus ``run.json`` into ``directory``.

        Files are written under a temporary name and renamed, so a folder never
        holds a half-written table.

        Returns
        -------
        pathlib.Path
            The folder.
        """
        out = Path(directory)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the output folder: {exc.strerror}",
                             source=str(out)) from exc
        for name in (*TABLES, "interactions"):
            table: pd.DataFrame = getattr(self, name)
            tmp = out / f".{name}.parquet.tmp"
            table.to_parquet(tmp, index=False)
            os.replace(tmp, out / f"{name}.parquet")
        info = self.run_info
        rubric = _rubric_of(self)
        if rubric is not None:  # a copy in the folder: report and explain read only there
            tmp = out / f".{RUBRIC_FILE}.tmp"
            tmp.write_text(rubric.to_toml(), encoding="utf-8")
            os.replace(tmp, out / RUBRIC_FILE)
            info = {**info, "rubric": {**(info.get("rubric") or {}), "file": RUBRIC_FILE}}
        tmp = out / ".run.json.tmp"
        tmp.write_text(json.dumps(info, indent=2, default=str), encoding="utf-8")
        os.replace(tmp, out / "run.json")
        return out

    @classmethod
    def from_parquet(cls, directory: str | Path) -> Result:
        """Read a run folder written by :meth:`to_parquet`."""
        from ._runfolder import is_regular_inside

        d = Path(directory)
        if not (d / "run.json").exists():
            raise InputError("not a serviceart run folder (no run.json)", source=str(d))
        if not is_regular_inside(d / "run.json", d):
            raise InputError("run.json is not a regular file inside the run folder; it is "
                             "not read", source=str(d / "run.json"))
        try:
            info = json.loads((d / "run.json").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"run.json cannot be read ({exc}); if the run did not finish, "
                             "run the same `serviceart score` command again",
                             source=str(d / "run.json")) from exc
        tables: dict[str, pd.DataFrame] = {}
        for n in (*TABLES, "interactions"):
            if (d / f"{n}.parquet").exists():
                tables[n] = _read_table(d / f"{n}.parquet", d)
            elif (d / n).is_dir():  # a batch run: one file per part
                parts = sorted((d / n).glob("*.parquet"))
                frames = [_read_table(p, d) for p in parts]
                frames = [f for f in frames if len(f)] or frames[:1]
                if frames:
                    tables[n] = pd.concat(frames, ignore_index=True)
        return cls(run_info=info, folder=d, **tables)


#: the copy of a run's rubric in its folder
RUBRIC_FILE = "rubric.toml"


def _read_table(path: Path, folder: Path) -> pd.DataFrame:
    """A table file of a run folder: a regular file inside it (a FIFO, a device or a
    link out of the folder is refused), read as Parquet."""
    from ._runfolder import is_regular_inside

    if not is_regular_inside(path, folder):
        raise InputError("not a regular file inside the run folder (a link out of it, a "
                         "FIFO or a device); it is not read: remove it", source=str(path))
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow's ArrowInvalid, OSError...: a damaged file
        raise InputError(f"this table file cannot be read ({type(exc).__name__}: {exc}); "
                         "if it is part of a `serviceart score` run, run the same command "
                         "again to score its part anew", source=str(path)) from exc


def _rubric_of(result: Result) -> Rubric | None:
    """The rubric of a result when it is known here (alive, or found by
    :func:`serviceart.explain._find_rubric`) and not the default one."""
    from .explain import _find_rubric

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rubric = _find_rubric(result.run_info, result.folder)
    if rubric is None or (result.run_info.get("rubric") or {}).get("source") == "default.toml":
        return None
    return rubric
