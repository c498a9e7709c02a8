"""The result of a scoring run: scores, measures, evidence, contributions, rejects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from .rubric.core import Rubric
    from .run.settings import ScoreSettings
    from .views.explain import Explanation

__all__ = ["Result"]

TABLES = ("scores", "measures", "evidence", "contributions", "rejects", "promises", "bands",
          "turns")  # and "interactions": see serviceart.run.folder.TABLES


@dataclass
class Result:
    """What :func:`serviceart.score` returns.

    Attributes
    ----------
    scores
        ``interaction_id``, ``respect``, ``service``, ``integrity``,
        ``follow_through``, ``overall`` (0..100, NaN when no criterion applied),
        ``scope`` (``service``; ``no_agent`` or ``non_service``: out of scope, every
        score NaN) and ``scope_reason`` (see :mod:`serviceart.scope`).
    measures
        One row per interaction: every codebook measure and cue count.
    evidence
        One row per cue found: the turn, the characters and the text.
    rejects
        Every input problem, with its code and reason.
    run_info
        Versions, rubric hash, counts in / scored / out of scope / rejected,
        seconds, words/s.
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
    rubric
        The :class:`~serviceart.Rubric` the run used (read from the folder's
        ``rubric.toml`` for a result read back); ``None`` when unknown.
    settings
        The :class:`~serviceart.ScoreSettings` of the run (rebuilt from ``run_info``
        for a result read back); ``None`` when unknown.
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
    rubric: Rubric | None = field(default=None, repr=False, compare=False)
    settings: ScoreSettings | None = field(default=None, repr=False, compare=False)

    def explain(self, interaction_id: str, *, rubric: Rubric | None = None) -> Explanation:
        """Why this interaction got its scores: every criterion's value, weight and
        points, the band, and the evidence behind each criterion.

        Parameters
        ----------
        interaction_id
            The interaction.
        rubric
            A rubric to explain with instead of the run's own (:attr:`rubric`).

        Returns
        -------
        Explanation
            Prints as text; shows as escaped HTML in Jupyter; ``.table`` holds the rows.
        """
        from .views.explain import explain

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
            flagged not ``rankable``), ``seed``; see :func:`serviceart.analysis.aggregate.by`.

        Returns
        -------
        pandas.DataFrame
            One row per group, period and principle: ``n``, ``mean``, ``ci_low``,
            ``ci_high``, ``rankable``. Rank it with :func:`serviceart.analysis.aggregate.rank`,
            which never orders groups whose intervals overlap without saying so.
        """
        from .analysis.aggregate import by

        return by(self, keys, period, **options)

    def to_frame(self, *, rejected: bool = True) -> pd.DataFrame:
        """One flat row per interaction, for spreadsheets: id, date, channel, agent, team
        and the other metadata, the principle scores and ``overall``, their bands, the
        status (scored, out of scope or rejected, with the reason), the criterion that
        lost the most points and one evidence snippet.

        Parameters
        ----------
        rejected
            Add a row (no scores, ``status`` ``rejected``) for every rejected
            interaction, so that the rows add up to the interactions read.

        Returns
        -------
        pandas.DataFrame
            See :func:`serviceart.views.export.to_frame`; write it with
            ``serviceart export RUN -o scores.csv`` (or ``.xlsx``) or
            :func:`serviceart.views.export.write_export`.
        """
        from .views.export import to_frame

        return to_frame(self, rejected=rejected)

    def __repr__(self) -> str:
        c = self.run_info.get("counts", {})
        return (f"<Result: {c.get('scored', len(self.scores))} scored, "
                f"{c.get('rejected', 0)} rejected, {len(self.evidence)} evidence rows>")

    def to_parquet(self, directory: str | Path) -> Path:
        """Write every table as ``<name>.parquet``, the rubric as ``rubric.toml`` and
        ``run.json`` into ``directory`` (see :mod:`serviceart.run.folder`).

        Files are written under a temporary name and renamed, so a folder never
        holds a half-written table.

        Returns
        -------
        pathlib.Path
            The folder.
        """
        from .run.folder import write_result

        return write_result(self, directory)

    @classmethod
    def from_parquet(cls, directory: str | Path) -> Result:
        """Read a run folder written by :meth:`to_parquet` or by ``serviceart score``,
        with its rubric and settings."""
        from .run.folder import read_result

        return read_result(directory)
