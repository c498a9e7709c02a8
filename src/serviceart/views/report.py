"""One self-contained HTML report of a run: summary, distributions, agents, worst cases.

:func:`write_report` reads a run folder (written by :meth:`Result.to_parquet` or
by ``serviceart score``/:func:`serviceart.run.batch.run_batch`) and writes one HTML
file with no external resource (inline CSS, histograms drawn as inline SVG, no
script), so it can be mailed or archived and opened offline:

- **summary**: interactions in, scored and rejected, the rubric, time and
  words/s, channels, and how many interactions fall in each band;
- **distributions**: a histogram per principle and overall, with the rubric's
  band thresholds;
- **agents**: mean scores per agent with bootstrap intervals
  (:func:`serviceart.analysis.aggregate.by`), ordered by :func:`serviceart.analysis.aggregate.rank`,
  which never ranks groups whose intervals overlap or that are too small;
- **worst interactions**: the lowest overall scores, each with its scorecard
  (:meth:`Explanation.to_html`);
- **top cues** per principle with an example quote, and **rejects** by code.

Every piece of text from the data is escaped with :func:`html.escape`.

Examples
--------
>>> import tempfile, serviceart as sa
>>> from pathlib import Path
>>> tmp = Path(tempfile.mkdtemp())
>>> run = sa.score(sa.read("data/samples")).to_parquet(tmp / "run")
>>> page = write_report(run, tmp / "report.html", worst=3, n_boot=100)
>>> text = page.read_text(encoding="utf-8")
>>> text.startswith("<!DOCTYPE html>"), text.count('class="sa-card"')
(True, 3)
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.aggregate import SCORE_COLUMNS, by, rank
from ..codebook import CUES, PRINCIPLES
from ..errors import ConfigError, InputError, ServiceartError
from ..result import Result
from ..scope import in_scope
from .explain import PRINCIPLE_COLOURS, explain
from .scorecard import SCORECARD_CSS, anchor_of

__all__ = ["render_report", "write_report"]

_e = html.escape

REPORT_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:14px;
 color:#212529;margin:0;background:#f8f9fa}
main{max-width:1160px;margin:0 auto;padding:16px 24px 48px}
header.sa-top{background:#212529;color:#f8f9fa;padding:12px 24px}
header.sa-top h1{margin:0;font-size:20px}
header.sa-top nav a{color:#adb5bd;margin-right:14px;font-size:13px;text-decoration:none}
section.sa-section{background:#fff;border:1px solid #dee2e6;border-radius:6px;
 padding:8px 16px 14px;margin:16px 0}
section.sa-section h2{font-size:17px;margin:6px 0 8px}
table.sa-table{border-collapse:collapse;font-size:13px;margin:4px 0}
table.sa-table th,table.sa-table td{padding:3px 9px;border-bottom:1px solid #f1f3f5;
 text-align:left;vertical-align:top}
table.sa-table th{color:#495057}
table.sa-table td.sa-num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.sa-table td{overflow-wrap:anywhere}
table.sa-agents td:first-child{max-width:180px}table.sa-agents td:last-child{min-width:220px}
.sa-hists{display:flex;flex-wrap:wrap;gap:14px}
.sa-muted{color:#6c757d;font-size:12px}
.sa-cue-block h4{margin:8px 0 2px;font-size:15px}
.sa-chip{display:inline-block;padding:0 6px;border-radius:2px;font-size:12px}
.sa-cues{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:4px 24px}
"""


def write_report(run_dir: str | Path, output: str | Path, *, worst: int = 10,
                 n_boot: int = 1000, min_n: int = 30,
                 redact: bool | str | Sequence[str] = False) -> Path:
    """Write a run folder's HTML report.

    Parameters
    ----------
    run_dir
        A run folder: :meth:`Result.to_parquet` output or a batch run.
    output
        The HTML file to write (its folder is created).
    worst
        How many of the lowest-scoring interactions get a scorecard.
    n_boot, min_n
        Bootstrap resamples of the agent intervals, and the fewest scored
        interactions an agent needs to be ranked (see :func:`serviceart.analysis.aggregate.by`).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputError
        When ``run_dir`` is not a run folder or ``output`` cannot be written.
    ConfigError
        When ``worst``, ``n_boot`` or ``min_n`` is out of range.
    """
    result = Result.from_parquet(run_dir)
    if redact:
        from ..redact import redact_result

        result = redact_result(result, redact)
    page = render_report(result, worst=worst, n_boot=n_boot,
                         min_n=min_n, title=Path(run_dir).name or str(run_dir))
    out = Path(output)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror}; choose another -o path",
                         source=str(out), code="SA-I021") from exc
    return out


def render_report(result: Result, *, worst: int = 10, n_boot: int = 1000, min_n: int = 30,
                  title: str = "run") -> str:
    """The HTML report of a :class:`Result` as one self-contained page (see
    :func:`write_report`)."""
    for name, value, low in (("worst", worst, 0), ("n_boot", n_boot, 0), ("min_n", min_n, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ConfigError(f"{name} must be an integer >= {low} (got {value!r})",
                              code="SA-C087")
    rubric = result.rubric
    edges = ({k: [(b.name, b.min) for b in rubric.bands_for(k)] for k in SCORE_COLUMNS}
             if rubric is not None else {})
    sections = [
        ("summary", "Run summary", _summary(result, edges)),
        ("distributions", "Principle distributions", _distributions(result, edges)),
        ("agents", "Agents", _agents(result, n_boot=n_boot, min_n=min_n)),
        ("worst", "Worst interactions", _worst(result, worst)),
        ("cues", "Top cues per principle", _cues(result)),
        ("rejects", "Rejects by code", _rejects(result)),
    ]
    nav = "".join(f'<a href="#{key}">{_e(head)}</a>' for key, head, _ in sections)
    body = "\n".join(f'<section class="sa-section" id="{key}"><h2>{_e(head)}</h2>\n{content}'
                     "\n</section>" for key, head, content in sections)
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>serviceart report: {_e(title)}</title>\n"
            f"<style>{REPORT_CSS}{SCORECARD_CSS}</style>\n</head>\n<body>\n"
            f'<header class="sa-top"><h1>serviceart report: {_e(title)}</h1>'
            f"<nav>{nav}</nav></header>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


# -- sections ---------------------------------------------------------------------
def _table(headers: list[str], rows: list[list[str]], numeric: frozenset[int] | set[int]
           = frozenset(),
           cls: str = "sa-table") -> str:
    """A table; ``rows`` hold HTML already escaped by the caller."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(
        f'<td{" class=sa-num" if i in numeric else ""}>{c}</td>' for i, c in enumerate(row))
        + "</tr>" for row in rows)
    return f'<table class="{cls}"><tr>{head}</tr>{body}</table>'


def _num(x: Any, digits: int = 1) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "n/a"
    return "n/a" if math.isnan(v) else f"{v:,.{digits}f}"


def _summary(res: Result, edges: dict[str, list[tuple[str, float]]]) -> str:
    info = res.run_info
    counts = info.get("counts") or {}
    r = info.get("rubric") or {}
    versions = info.get("versions") or {}
    keep = in_scope(res.scores)
    facts = [
        ("interactions in", _num(counts.get("interactions_in", len(res.scores)), 0)),
        ("scored", _num(counts.get("scored", int(keep.sum())), 0)),
        ("out of scope", _num(counts.get("out_of_scope", int((~keep).sum())), 0)
         + f' <span class="sa-muted">({_num(counts.get("no_agent", 0), 0)} without an agent '
           f'turn, {_num(counts.get("non_service", 0), 0)} not a service request; no agent '
           "scores, left out of every table below)</span>"),
        ("rejected", _num(counts.get("rejected", 0), 0)),
        ("turns in", _num(counts.get("turns_in"), 0)),
        ("evidence rows", _num(len(res.evidence), 0)),
        ("rubric", _e(f"{r.get('name', '?')} v{r.get('version', '?')} ({r.get('hash', '?')}, "
                      f"{r.get('source', '?')})")),
        ("seconds", _num(info.get("seconds"), 2)),
        ("words", _num(info.get("words"), 0)),
        ("words/s", _num(info.get("words_per_second"), 0)),
        ("data up to", _e(str((info.get("settings") or {}).get("as_of") or "n/a"))),
        ("serviceart", _e(str(versions.get("serviceart", "?")))),
    ]
    out = [_table(["", ""], [[_e(k), v] for k, v in facts], cls="sa-table sa-facts")]
    inter = res.interactions
    if len(inter) and "channel" in inter.columns:
        scored = inter[inter["interaction_id"].isin(res.scores.loc[keep, "interaction_id"])]
        by_channel = scored["channel"].astype("string").fillna("(missing)").value_counts()
        out.append("<h3>Scored interactions by channel</h3>" + _table(
            ["channel", "interactions"], [[_e(str(c)), _num(n, 0)] for c, n in
                                          by_channel.items()], numeric={1}))
    rows = []
    for key in SCORE_COLUMNS:
        col = res.scores.loc[keep, key]
        row = [_e(key), _num(col.mean()), _num(col.median()), _num(col.isna().sum(), 0)]
        names = [name for name, _ in edges.get(key, [])]
        band_col = f"{key}_band"
        if names and band_col in res.bands.columns:
            tally = res.bands[band_col].value_counts()  # out of scope: no band
            row.append(", ".join(f"{_e(n)} {int(tally.get(n, 0))}" for n in names))
        rows.append(row)
    headers = ["score", "mean", "median", "nothing applied"] + (["bands"] if edges else [])
    out.append("<h3>Scores</h3>" + _table(headers, rows, numeric={1, 2, 3}))
    return "\n".join(out)


def _histogram(values: np.ndarray, key: str, edges: list[tuple[str, float]]) -> str:
    """A 0..100 histogram (10 bins) as inline SVG, band thresholds dashed."""
    w, h, left, bottom, top = 300, 170, 30, 22, 22
    finite = values[~np.isnan(values)]
    counts, _ = np.histogram(finite, bins=np.linspace(0, 100, 11))
    peak = max(int(counts.max()) if len(counts) else 0, 1)
    plot_w, plot_h = w - left - 8, h - bottom - top
    colour = PRINCIPLE_COLOURS.get(key, "#343a40")
    parts = [f'<svg class="sa-hist" id="hist-{_e(key)}" width="{w}" height="{h}" '
             f'viewBox="0 0 {w} {h}" role="img" aria-label="histogram of {_e(key)} scores">',
             f'<text x="{left}" y="14" font-size="13" font-weight="600">{_e(key)}</text>',
             f'<text x="{w - 8}" y="14" font-size="11" text-anchor="end" fill="#6c757d">'
             f"n={len(finite)}, mean {_num(finite.mean() if len(finite) else math.nan)}"
             + (f", {len(values) - len(finite)} n/a" if len(values) > len(finite) else "")
             + "</text>"]
    for i, c in enumerate(counts):
        bh = plot_h * c / peak
        x = left + plot_w * i / 10
        parts.append(f'<rect x="{x + 1:.1f}" y="{top + plot_h - bh:.1f}" '
                     f'width="{plot_w / 10 - 2:.1f}" height="{bh:.1f}" fill="{colour}">'
                     f"<title>{i * 10}-{i * 10 + 10}: {int(c)}</title></rect>")
    inner = [(name, low) for name, low in edges if 0 < low < 100]
    for j, (name, low) in enumerate(sorted(inner, key=lambda b: b[1])):
        x = left + plot_w * low / 100
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" '
                     'stroke="#495057" stroke-dasharray="3,3"/>'
                     f'<text x="{x - 3:.1f}" y="{top + 10 + 12 * j}" font-size="10" '
                     f'text-anchor="end" fill="#495057">{_e(name)} &#8805; {low:g}</text>')
    base = top + plot_h
    parts.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" '
                 'stroke="#adb5bd"/>')
    for tick in (0, 50, 100):
        parts.append(f'<text x="{left + plot_w * tick / 100:.1f}" y="{base + 14}" '
                     f'font-size="10" text-anchor="middle" fill="#6c757d">{tick}</text>')
    parts.append(f'<text x="{left - 4}" y="{top + 8}" font-size="10" text-anchor="end" '
                 f'fill="#6c757d">{peak}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _distributions(res: Result, edges: dict[str, list[tuple[str, float]]]) -> str:
    hists = [_histogram(res.scores[k].to_numpy(dtype=float), k, edges.get(k, []))
             for k in SCORE_COLUMNS]
    return (f'<div class="sa-hists">{"".join(hists)}</div>'
            '<p class="sa-muted">Scores in bins of 10 points; dashed lines are the '
            "rubric's band thresholds.</p>")


def _agents(res: Result, *, n_boot: int, min_n: int) -> str:
    try:
        table = by(res, "agent_id", principles=list(SCORE_COLUMNS), n_boot=n_boot,
                   min_n=min_n)
        ranked = rank(table, "overall")
    except ServiceartError as exc:
        return f'<p class="sa-muted">No agent table: {_e(str(exc))}</p>'
    # interactions without an agent are not an agent (pandas keeps them as a missing key)
    table = table[table["agent_id"].notna()]
    ranked = ranked[ranked["agent_id"].notna()]
    if ranked.empty:
        return '<p class="sa-muted">No scored interaction has an agent.</p>'
    cells = {(str(a), str(p)): (n, m, lo, hi) for a, p, n, m, lo, hi in zip(
        table["agent_id"].astype(str), table["principle"], table["n"], table["mean"],
        table["ci_low"], table["ci_high"], strict=True)}
    rows = []
    for agent, r, note in zip(ranked["agent_id"].astype(str), ranked["rank"], ranked["note"],
                              strict=True):
        row = [_e(agent), "" if pd.isna(r) else str(int(r)),
               _num(cells[(agent, "overall")][0], 0)]
        for p in SCORE_COLUMNS:
            _, m, lo, hi = cells[(agent, p)]
            row.append(f"{_num(m)} <span class=sa-muted>({_num(lo)}&ndash;{_num(hi)})</span>"
                       if not math.isnan(lo) else _num(m))
        row.append(f'<span class="sa-muted">{_e(str(note or ""))}</span>')
        rows.append(row)
    ci = round(100 * float(table.attrs.get("ci", 0.95)))
    left_out = int(table.attrs.get("out_of_scope", 0))
    return (_table(["agent", "rank", "n", *SCORE_COLUMNS, "note"], rows,
                   numeric={1, 2, 3, 4, 5, 6, 7}, cls="sa-table sa-agents") +
            f'<p class="sa-muted">Mean scores with {ci}% bootstrap intervals ({n_boot} '
            f"resamples). Ranked on overall; agents whose intervals overlap share a rank, "
            f"agents with fewer than {min_n} scored interactions are not ranked. "
            f"{left_out} out-of-scope interactions are left out.</p>")


def _worst(res: Result, n: int) -> str:
    if n == 0:
        return '<p class="sa-muted">No scorecards asked for (worst = 0).</p>'
    scores = res.scores[res.scores["overall"].notna()]
    scores = scores.sort_values(["overall", "interaction_id"], kind="stable").head(n)
    if scores.empty:
        return '<p class="sa-muted">No interaction has an overall score.</p>'
    inter = res.interactions
    meta = (inter.drop_duplicates("interaction_id").set_index("interaction_id")
            if "interaction_id" in inter.columns else pd.DataFrame())
    rows, cards = [], []
    for iid in scores["interaction_id"].astype(str):
        ex = explain(res, iid)
        anchor = anchor_of(iid)
        low = min(PRINCIPLES, key=lambda p: (math.isnan(ex.scores[p]), ex.scores[p]))
        info = meta.loc[iid] if iid in meta.index else pd.Series(dtype=object)
        rows.append([f'<a href="#{_e(anchor)}">{_e(iid)}</a>',
                     _e(str(info.get("channel", ""))), _e(str(info.get("agent_id", ""))),
                     _num(ex.scores["overall"]), _e(ex.bands["overall"] or ""),
                     f"{_e(low)} {_num(ex.scores[low])}"])
        cards.append(ex.to_html(css=False, anchor=anchor))
    return (f'<p class="sa-muted">The {len(rows)} lowest overall scores, each with its '
            "scorecard below.</p>"
            + _table(["interaction", "channel", "agent", "overall", "band", "lowest principle"],
                     rows, numeric={3}) + "\n" + "\n".join(cards))


def _cues(res: Result) -> str:
    ev = res.evidence
    if ev.empty:
        return '<p class="sa-muted">No cue was found.</p>'
    cue = ev["cue"].astype(str)
    stats = (ev.assign(cue=cue).groupby("cue", sort=True)
             .agg(count=("text", "size"), interactions=("interaction_id", "nunique"),
                  example=("text", "first")))
    blocks = []
    for p in PRINCIPLES:
        mine = stats[[CUES[c].principle == p if c in CUES else False for c in stats.index]]
        mine = mine.sort_values(["count"], ascending=False, kind="stable").head(8)
        rows = [[f'<span class="sa-chip sa-p-{p}">{_e(str(c))}</span>',
                 _e(CUES[str(c)].role if str(c) in CUES else ""), _num(k, 0), _num(i, 0),
                 f"<q>{_e(str(x))}</q>"]
                for c, k, i, x in mine.itertuples(name=None)]
        blocks.append(f'<div class="sa-cue-block" data-principle="{p}"><h4>{_e(p)}</h4>'
                      + (_table(["cue", "said by", "found", "interactions", "example"], rows,
                                numeric={2, 3}) if rows else
                         '<p class="sa-muted">none found</p>') + "</div>")
    return f'<div class="sa-cues">{"".join(blocks)}</div>'


def _rejects(res: Result) -> str:
    rej = res.rejects
    if rej.empty or "code" not in rej.columns:
        return '<p class="sa-muted">No rejects: every input record was usable.</p>'
    rows = []
    for code, g in rej.groupby(rej["code"].astype(str), sort=True):
        first = g.iloc[0]
        where = " ".join(str(first[c]) for c in ("source", "record")
                         if c in g.columns and not pd.isna(first[c]))
        rows.append([f"<code>{_e(str(code))}</code>", _num(len(g), 0), _e(where),
                     _e(str(first.get("reason", "")))])
    return _table(["code", "records", "first record", "reason"], rows, numeric={1})
