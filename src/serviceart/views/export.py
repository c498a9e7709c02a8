"""Exports for spreadsheets: one flat row per interaction, as CSV or Excel.

:func:`to_frame` (also :meth:`serviceart.Result.to_frame`) joins what an analyst
otherwise joins by hand: the interaction's metadata (id, date, channel, agent,
team, case, every other column the export gave), the four principle scores and
``overall``, their bands, the status (scored, out of scope, or rejected, with
the reason), the criterion that lost the most points and one evidence snippet
behind it. Rejected interactions are rows too, so the rows add up to the input.

:func:`write_export` (the ``serviceart export`` command) writes it as ``.csv``
(UTF-8 with a byte-order mark, which Excel needs to read the accents right) or
``.xlsx`` (the flat sheet first, then one sheet per table of the run; needs the
``excel`` extra, ``pip install 'serviceart[excel]'``). Transcripts are untrusted
text: every text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return (after any spaces) gets a leading ``'`` so that no spreadsheet runs it as a
formula (CSV and formula injection), and Excel gets times in UTC without a zone
(it has none), with the characters it cannot store removed.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..codebook import CUES, PRINCIPLES, SCORER_CUE_MEASURES
from ..errors import ConfigError, OutputError

if TYPE_CHECKING:
    from ..result import Result
    from ..rubric.core import Rubric

__all__ = ["FLAT_COLUMNS", "neutralise", "to_frame", "write_export"]

#: the columns every flat export starts with (the export's other metadata follows
#: ``agent_id``... in the order the run holds them)
FLAT_COLUMNS: tuple[str, ...] = (
    "interaction_id", "started_at", "channel", "agent_id", "team", "case_id",
    "customer_id", "status", "reason", *PRINCIPLES, "overall",
    *(f"{p}_band" for p in (*PRINCIPLES, "overall")),
    "top_loss_principle", "top_loss_criterion", "top_loss_points", "snippet_cue",
    "snippet",
)

#: the tables an Excel export gets a sheet for, after the flat one, in this order
SHEETS: tuple[str, ...] = ("scores", "bands", "measures", "contributions", "evidence",
                           "promises", "interactions", "turns", "rejects")

#: characters of the turn shown on either side of a snippet's span
SNIPPET_CONTEXT = 60
#: the most rows an Excel sheet holds (with its header row)
EXCEL_ROWS = 1_048_576
#: the most characters an Excel cell holds
EXCEL_CELL = 32_767
#: what may start a formula in a spreadsheet
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
#: characters an Excel file cannot hold (the XML 1.0 control characters)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _criterion_cues(rubric: Rubric | None) -> pd.DataFrame:
    """The cues each criterion of a rubric reads (directly or through a scorer
    measure): ``principle``, ``criterion``, ``cue``."""
    from ..rubric.expr import ExpressionError, names_in

    behind = {m: cue for cue, measures in SCORER_CUE_MEASURES.items() for m in measures}
    rows: list[tuple[str, str, str]] = []
    for c in rubric.criteria if rubric is not None else []:
        names: set[str] = set()
        for expression in (c.value, c.applies):
            try:
                names |= names_in(expression) if expression else set()
            except ExpressionError:
                continue
        for n in sorted(names):
            if n in CUES:
                rows.append((c.principle, c.name, n))
            elif n in behind:
                rows.append((c.principle, c.name, behind[n]))
    return pd.DataFrame(rows, columns=["principle", "criterion", "cue"]).drop_duplicates()


def _top_loss(contributions: pd.DataFrame) -> pd.DataFrame:
    """Per interaction, the applied criterion that lost the most points (first in rubric
    order on a tie); none when no criterion lost any."""
    cols = ["interaction_id", "top_loss_principle", "top_loss_criterion", "top_loss_points"]
    c = contributions
    if c.empty:
        return pd.DataFrame({k: pd.Series(dtype="string" if k != "top_loss_points"
                                          else "float64") for k in cols})
    lost = c[c["applied"].astype(bool) & (c["points_lost"] > 0)]
    lost = lost.assign(_order=np.arange(len(lost)))
    top = (lost.sort_values(["points_lost", "_order"], ascending=[False, True], kind="stable")
           .drop_duplicates("interaction_id"))
    return pd.DataFrame({"interaction_id": top["interaction_id"].astype("string").to_numpy(),
                         "top_loss_principle": top["principle"].astype("string").to_numpy(),
                         "top_loss_criterion": top["criterion"].astype("string").to_numpy(),
                         "top_loss_points": top["points_lost"].astype("float64").to_numpy()})


def _snippets(result: Result, top: pd.DataFrame) -> pd.DataFrame:
    """One evidence quote per interaction: the first (by turn) behind its top-loss
    criterion, else its first agent evidence row; agent rows before customer rows."""
    ev = result.evidence
    cols = {"interaction_id": "string", "snippet_cue": "string", "snippet": "string"}
    if ev is None or ev.empty:
        return pd.DataFrame({k: pd.Series(dtype=v) for k, v in cols.items()})
    ev = ev.assign(interaction_id=ev["interaction_id"].astype("string"),
                   cue=ev["cue"].astype("string"), _row=np.arange(len(ev)),
                   _agent=(ev["role"].astype("string") != "agent").astype(int))
    link = _criterion_cues(result.rubric)
    behind = top.merge(link.rename(columns={"principle": "top_loss_principle",
                                            "criterion": "top_loss_criterion"}),
                       on=["top_loss_principle", "top_loss_criterion"], how="inner")
    first = (ev.merge(behind[["interaction_id", "cue"]].astype("string"),
                      on=["interaction_id", "cue"], how="inner")
             .sort_values(["_agent", "_row"], kind="stable").drop_duplicates("interaction_id"))
    rest = ev[ev["_agent"] == 0].sort_values("_row", kind="stable").drop_duplicates(
        "interaction_id")
    rest = rest[~rest["interaction_id"].isin(first["interaction_id"])]
    out = pd.concat([first, rest], ignore_index=True)
    return pd.DataFrame({"interaction_id": out["interaction_id"].to_numpy(),
                         "snippet_cue": out["cue"].to_numpy(),
                         "snippet": _in_context(out, result.turns)}).astype(cols)


def _in_context(rows: pd.DataFrame, turns: pd.DataFrame | None, width: int = SNIPPET_CONTEXT
                ) -> list[Any]:
    """Each evidence row's span with up to ``width`` characters of its turn on either
    side (cut at a space, ``…`` where the turn goes on); the span alone when its turn
    is not in the run."""
    if turns is None or turns.empty:
        return rows["text"].astype("string").tolist()
    key = pd.MultiIndex.from_arrays([turns["interaction_id"].astype(str).to_numpy(),
                                     turns["turn_index"].to_numpy()])
    text = pd.Series(turns["text"].astype("string").to_numpy(), index=key)
    text = text[~text.index.duplicated()]
    found = text.reindex(pd.MultiIndex.from_arrays(
        [rows["interaction_id"].astype(str).to_numpy(), rows["turn_index"].to_numpy()]))
    out: list[Any] = []
    for turn, start, end, span in zip(found.tolist(), rows["start_char"].tolist(),
                                      rows["end_char"].tolist(), rows["text"].tolist(),
                                      strict=True):
        if not isinstance(turn, str) or turn[start:end] != span:
            out.append(span)
            continue
        a, b = max(0, start - width), min(len(turn), end + width)
        if a > 0 and " " in turn[a:start]:
            a = turn.index(" ", a) + 1
        if b < len(turn) and " " in turn[end:b]:
            b = turn.rindex(" ", end, b)
        out.append(("\u2026" if a > 0 else "") + " ".join(turn[a:b].split())
                   + ("\u2026" if b < len(turn) else ""))
    return out


def to_frame(result: Result, *, rejected: bool = True) -> pd.DataFrame:
    """One flat row per interaction: metadata, scores, bands, status, the costliest
    criterion and an evidence snippet.

    Parameters
    ----------
    result
        A scored result.
    rejected
        Add a row for every rejected interaction (``status`` ``rejected``, the
        reject code and reason in ``reason``, no scores), so that the rows add up
        to the interactions read.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`FLAT_COLUMNS` (``team`` only when the export gave one),
        then the interactions' other columns. ``status`` is ``scored``, ``no_agent``
        or ``non_service`` (out of scope, no scores) or ``rejected``;
        ``top_loss_points`` is the points that criterion cost its principle (0..100).
    """
    scores = result.scores.assign(interaction_id=result.scores["interaction_id"]
                                  .astype("string"))
    flat = scores[["interaction_id"]].copy()
    inter = result.interactions
    if inter is not None and len(inter):
        inter = inter.assign(interaction_id=inter["interaction_id"].astype("string"))
        inter = inter.drop_duplicates("interaction_id")
        flat = flat.merge(inter, on="interaction_id", how="left")
    scope = (scores["scope"].astype("string").fillna("service") if "scope" in scores.columns
             else pd.Series("service", index=scores.index, dtype="string"))
    flat["status"] = scope.replace({"service": "scored"}).to_numpy()
    flat["reason"] = (scores["scope_reason"].astype("string").to_numpy()
                      if "scope_reason" in scores.columns else pd.NA)
    for col in (*PRINCIPLES, "overall"):
        flat[col] = scores[col].to_numpy(dtype="float64")
    bands = result.bands
    if bands is not None and len(bands) and "interaction_id" in bands.columns:
        bands = bands.assign(interaction_id=bands["interaction_id"].astype("string"))
        band_cols = [c for c in bands.columns if c.endswith("_band")]
        flat = flat.merge(bands[["interaction_id", *band_cols]].drop_duplicates(
            "interaction_id"), on="interaction_id", how="left")
    top = _top_loss(result.contributions)
    flat = flat.merge(top, on="interaction_id", how="left")
    flat = flat.merge(_snippets(result, top), on="interaction_id", how="left")
    if rejected and result.rejects is not None and len(result.rejects):
        flat = pd.concat([flat, _rejected_rows(result.rejects, flat["interaction_id"])],
                         ignore_index=True)
    for col in FLAT_COLUMNS:
        if col not in flat.columns and col != "team":
            flat[col] = pd.Series(pd.NA, index=flat.index, dtype="string")
    first = [c for c in FLAT_COLUMNS if c in flat.columns]
    return flat[first + [c for c in flat.columns if c not in first]].reset_index(drop=True)


def _rejected_rows(rejects: pd.DataFrame, scored: pd.Series) -> pd.DataFrame:
    """A row per rejected interaction (its first reject's code and reason)."""
    rej = rejects[rejects["interaction_id"].notna()]
    rej = rej.assign(interaction_id=rej["interaction_id"].astype("string"))
    rej = rej[~rej["interaction_id"].isin(scored)].drop_duplicates("interaction_id")
    return pd.DataFrame({
        "interaction_id": rej["interaction_id"].to_numpy(),
        "status": "rejected",
        "reason": (rej["code"].astype("string") + ": " + rej["reason"].astype("string")
                   ).to_numpy(),
    })


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` in which no text cell can run as a spreadsheet formula.

    Every text cell whose first character after any spaces is ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return gets a leading ``'`` (the OWASP advice for
    CSV injection); numbers, times and missing values are left as they are.

    Parameters
    ----------
    frame
        Any table.

    Returns
    -------
    pandas.DataFrame
    """
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if not (values.dtype == object
                or isinstance(values.dtype, (pd.StringDtype, pd.CategoricalDtype))):
            continue
        text = values.astype("string")
        risky = text.str.lstrip(" ").str[:1].isin(list(_FORMULA)).fillna(False).to_numpy(
            dtype=bool)
        if isinstance(values.dtype, pd.CategoricalDtype) or risky.any():
            text = text.copy()
            text[risky] = "'" + text[risky]
            out[col] = text
    return out


def _for_excel(frame: pd.DataFrame) -> pd.DataFrame:
    """Times in UTC without their zone, text without the characters Excel cannot hold
    and cut to its cell limit (the cut says so)."""
    out = neutralise(frame)
    for col in out.columns:
        values = out[col]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            out[col] = values.dt.tz_convert("UTC").dt.tz_localize(None)
        elif values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            text = values.astype("string").str.replace(_ILLEGAL, "", regex=True)
            long = text.str.len().fillna(0).to_numpy() > EXCEL_CELL
            if long.any():
                note = " [cut: Excel cells hold 32,767 characters]"
                text[long] = text[long].str[:EXCEL_CELL - len(note)] + note
            out[col] = text
    return out


def write_export(result: Result | str | Path, output: str | Path, *,
                 redact: bool | str | Iterable[str] = False,
                 sheets: Sequence[str] | None = None) -> Path:
    """Write a run as a flat CSV, or as an Excel workbook with one sheet per table.

    Parameters
    ----------
    result
        A :class:`~serviceart.Result` or a run folder.
    output
        A ``.csv`` file (the flat table) or a ``.xlsx`` file (the flat table as the
        sheet ``interactions_flat``, then a sheet per table of :data:`SHEETS`).
    redact
        Replace personal data in the text first (see :func:`serviceart.redact.redact_result`):
        ``True`` for every entity type, or a list of them.
    sheets
        For Excel: the tables to add after the flat sheet (default: all of
        :data:`SHEETS` the run holds).

    Returns
    -------
    pathlib.Path
        The file written (whole: it is written under a temporary name and renamed).

    Raises
    ------
    ConfigError
        When ``output`` is neither ``.csv`` nor ``.xlsx``, a sheet is not a table,
        or Excel is asked for without ``openpyxl`` installed.
    OutputError
        When a table has more rows than an Excel sheet holds, or the file cannot
        be written.
    """
    from ..result import Result

    out = Path(output)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ConfigError(f"cannot export to {out.name!r}: name a .csv file (the flat table) "
                          "or a .xlsx file (the flat table and a sheet per table)",
                          source=str(out), field="output", code="SA-C274")
    wanted = list(SHEETS if sheets is None else sheets)
    unknown = [s for s in wanted if s not in SHEETS]
    if unknown:
        raise ConfigError(f"no table named {', '.join(map(repr, unknown))}; sheets can be "
                          f"{', '.join(SHEETS)}", field="sheets", code="SA-C275")
    if suffix == ".xlsx":
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise ConfigError("writing .xlsx needs openpyxl, in the excel extra: pip install "
                              "'serviceart[excel]' (or export to .csv)", source=str(out),
                              field="output", code="SA-C276") from None
    res = result if isinstance(result, Result) else Result.from_parquet(result)
    if redact:
        from ..redact import redact_result

        res = redact_result(res, redact)
    flat = to_frame(res)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            neutralise(flat).to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            tables = [("interactions_flat", flat)] + [
                (name, getattr(res, name)) for name in wanted
                if isinstance(getattr(res, name, None), pd.DataFrame)]
            too_big = [f"{name} ({len(t):,} rows)" for name, t in tables
                       if len(t) >= EXCEL_ROWS]
            if too_big:
                raise OutputError(f"an Excel sheet holds {EXCEL_ROWS - 1:,} rows; "
                                  f"{', '.join(too_big)} would not fit: leave those tables "
                                  "out (--sheet, sheets=) or export to .csv",
                                  source=str(out), code="SA-O120")
            _write_xlsx(tmp, tables)
        os.replace(tmp, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write the export: {exc.strerror or exc}; choose another "
                          "-o path", source=str(out), code="SA-O121") from exc
    return out


def _write_xlsx(path: Path, tables: list[tuple[str, pd.DataFrame]]) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, table in tables:
            frame = _for_excel(table)
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            sheet.freeze_panes = "B2"
            sheet.auto_filter.ref = sheet.dimensions
