"""Run folders: reading and writing both layouts, with the run's rubric and settings.

A run folder holds ``run.json`` (``run_info``, written last), ``rubric.toml`` (the
rubric the run used) and its tables, in one of two layouts:

- **single files** (:meth:`serviceart.Result.to_parquet`): ``<table>.parquet``;
- **parts** (the batch engine, :mod:`serviceart.run.batch`): ``<table>/part-NNNNN.parquet``
  with a marker ``parts/part-NNNNN.json`` each, the readers' rejects as
  ``rejects/read.parquet``, and ``plan.parquet``, the run plan (interactions in
  input order), by which the parts' rows are put back in input order.

:func:`read_result` reads either into a :class:`~serviceart.Result` that carries
its :class:`~serviceart.Rubric` and :class:`~serviceart.ScoreSettings`. Only
regular files inside the folder are read: a link out of it, a FIFO or a device
is refused.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import InputError, RubricError, ServiceartError
from ..rubric.core import Rubric
from .store import file_sha256, is_regular_inside, writing

if TYPE_CHECKING:
    from ..result import Result

__all__ = ["PLAN_FILE", "RUBRIC_FILE", "TABLES", "read_result", "read_rubric", "read_table",
           "write_json", "write_part", "write_result", "write_rubric"]

#: every table of a result, in the order they are written
TABLES = ("scores", "measures", "evidence", "contributions", "rejects", "promises", "bands",
          "turns", "interactions")

#: the copy of a run's rubric in its folder
RUBRIC_FILE = "rubric.toml"

#: the run plan of a batch run folder
PLAN_FILE = "plan.parquet"


def write_rubric(folder: Path, rubric: Rubric) -> None:
    """Write the run's rubric as ``rubric.toml`` (under a temporary name first)."""
    tmp = folder / f".{RUBRIC_FILE}.tmp"
    with writing(tmp):
        tmp.write_text(rubric.to_toml(), encoding="utf-8")
        os.replace(tmp, folder / RUBRIC_FILE)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON (under a temporary name first)."""
    tmp = path.with_name(f".{path.name}.tmp")
    with writing(tmp):
        tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
        os.replace(tmp, path)


def write_part(out: Path, index: int, tables: Mapping[str, pd.DataFrame],
               marker: Mapping[str, Any],
               before_write: Callable[[Path], None] | None = None) -> dict[str, Any]:
    """Write one part of a batch run atomically: every table, then the marker that
    makes it complete.

    The marker (``parts/part-NNNNN.json``) records each table's rows and the sha256
    of its file, so that a rerun can tell an intact part from a damaged one. A
    write error (a full disk, a read-only folder) is an
    :class:`~serviceart.errors.OutputError`. ``before_write`` is called with each
    file's temporary path before it is written.

    Returns
    -------
    dict
        The marker as written.
    """
    name = f"part-{index:05d}"
    rows: dict[str, int] = {}
    sums: dict[str, str] = {}
    for table, frame in tables.items():
        folder = out / table
        tmp = folder / f".{name}.parquet.tmp"
        with writing(tmp):
            if before_write is not None:
                before_write(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            frame.to_parquet(tmp, index=False)
            sums[table] = file_sha256(tmp)
            os.replace(tmp, folder / f"{name}.parquet")
        rows[table] = len(frame)
    full = {**marker, "rows": rows, "sha256": sums}
    parts = out / "parts"
    tmp = parts / f".{name}.json.tmp"
    with writing(tmp):
        parts.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(full, default=str), encoding="utf-8")
        os.replace(tmp, parts / f"{name}.json")
    return full


def read_rubric(folder: Path, run_info: dict[str, Any]) -> Rubric | None:
    """The rubric of the run in ``folder``: its ``rubric.toml`` when that is the one
    ``run_info`` records, else the default rubric when that is the one; else
    ``None`` with a warning (bands and criterion kinds are then unknown)."""
    recorded = (run_info.get("rubric") or {}).get("hash")
    copy = folder / RUBRIC_FILE
    if is_regular_inside(copy, folder):
        try:
            rubric = Rubric.from_file(copy)
        except RubricError as exc:
            warnings.warn(f"the run's {RUBRIC_FILE} cannot be read ({exc}); rubric bands are "
                          "left out", stacklevel=3)
            return None
        if recorded in (None, rubric.hash):
            return rubric
    default = Rubric.default()
    if recorded in (None, default.hash):
        return default
    warnings.warn(f"the run folder {folder} holds no copy of its rubric (hash {recorded}); "
                  "rubric bands are left out: pass the rubric to show them", stacklevel=3)
    return None


def write_result(result: Result, directory: str | Path) -> Path:
    """Write every table of ``result`` as ``<name>.parquet``, its rubric, then ``run.json``.

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
                         source=str(out), code="SA-I022") from exc
    for name in TABLES:
        table: pd.DataFrame = getattr(result, name)
        tmp = out / f".{name}.parquet.tmp"
        with writing(tmp):
            table.to_parquet(tmp, index=False)
            os.replace(tmp, out / f"{name}.parquet")
    info = dict(result.run_info)
    if result.rubric is not None:
        write_rubric(out, result.rubric)
        info["rubric"] = {**(info.get("rubric") or {}), "file": RUBRIC_FILE}
    if result.settings is not None and result.settings.categories is not None:
        from ..cues.categories import write_categories

        write_categories(out, result.settings.categories)
    write_json(out / "run.json", info)
    return out


def read_result(directory: str | Path) -> Result:
    """Read a run folder of either layout (see the module docstring)."""
    from ..result import Result
    from .chunk import sort_by_input
    from .settings import ScoreSettings

    d = Path(directory)
    info = _run_json(d)
    tables: dict[str, pd.DataFrame] = {}
    for n in TABLES:
        if (d / f"{n}.parquet").exists():
            tables[n] = read_table(d / f"{n}.parquet", d)
        elif (d / n).is_dir():  # parts
            frames = [read_table(p, d) for p in sorted((d / n).glob("*.parquet"))]
            frames = [f for f in frames if len(f)] or frames[:1]
            if frames:
                tables[n] = pd.concat(frames, ignore_index=True)
    if (d / PLAN_FILE).exists():
        plan = read_table(d / PLAN_FILE, d)
        order = pd.Series(range(len(plan)), index=plan["interaction_id"].astype(str).to_numpy())
        tables = {n: (sort_by_input(t, order) if n != "rejects" else t)
                  for n, t in tables.items()}
    rubric = read_rubric(d, info)
    try:
        settings = (ScoreSettings.from_run_info(info, rubric=rubric, folder=d) if rubric
                    else None)
    except ServiceartError:  # a run of another version, or scorers not installed here
        settings = None
    return Result(run_info=info, folder=d, rubric=rubric, settings=settings, **tables)


def _run_json(d: Path) -> dict[str, Any]:
    if not (d / "run.json").exists():
        raise InputError("not a serviceart run folder (no run.json)", source=str(d),
                         code="SA-I023")
    if not is_regular_inside(d / "run.json", d):
        raise InputError("run.json is not a regular file inside the run folder; it is "
                         "not read", source=str(d / "run.json"), code="SA-I024")
    try:
        info = json.loads((d / "run.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"run.json cannot be read ({exc}); if the run did not finish, "
                         "run the same `serviceart score` command again",
                         source=str(d / "run.json"), code="SA-I025") from exc
    if not isinstance(info, dict):
        raise InputError("run.json does not hold a JSON object", source=str(d / "run.json"),
                         code="SA-I028")
    return info


def read_table(path: Path, folder: Path) -> pd.DataFrame:
    """A table file of a run folder: a regular file inside it (a FIFO, a device or a
    link out of the folder is refused), read as Parquet."""
    if not is_regular_inside(path, folder):
        raise InputError("not a regular file inside the run folder (a link out of it, a "
                         "FIFO or a device); it is not read: remove it", source=str(path),
                         code="SA-I026")
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow's ArrowInvalid, OSError...: a damaged file
        raise InputError(f"this table file cannot be read ({type(exc).__name__}: {exc}); "
                         "if it is part of a `serviceart score` run, run the same command "
                         "again to score its part anew", source=str(path),
                         code="SA-I027") from exc
