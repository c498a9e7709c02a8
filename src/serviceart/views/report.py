"""The HTML report of a run: an index page and a folder of agent and scorecard pages.

:func:`report` (a :class:`Result` or a run folder) and :func:`write_report` (a
run folder, written by :meth:`Result.to_parquet` or by ``serviceart score``)
write the report as static files with no external resource (inline CSS, charts
drawn as inline SVG), so they open offline:

- ``report.html``, the **index**: the run summary (interactions in, scored and
  rejected, the rubric, time and words/s, channels, how many interactions fall
  in each band); a histogram per principle and overall with the rubric's band
  thresholds; the **agents** with mean scores and bootstrap intervals
  (:func:`serviceart.analysis.aggregate.by`), ordered by
  :func:`serviceart.analysis.aggregate.rank` (which never ranks groups whose
  intervals overlap or that are too small), each linked to the agent's page;
  the **worst interactions** with their scorecards; the **top cues** per
  principle with an example quote; and the **rejects** by code. The index
  alone holds no script and reads as a whole without the folder, so it can be
  mailed on its own.
- ``report_files/agents/<agent>.html``, a page per agent: scores over time,
  the criteria that cost the agent the most points, and every scored
  conversation in a table that sorts by any column, lowest first, each linked
  to its scorecard page.
- ``report_files/cards/<interaction>.html``: a scorecard per conversation of
  each agent (the ``per_agent`` lowest, or all) and per worst interaction,
  linked back to its agent and to the index.

Why a folder of pages and not one file: a scorecard with its transcript is
tens of kilobytes, so a file holding a scorecard for every conversation of
every agent would be too large to open, let alone mail, while static pages are
read only when followed. The index stays one self-contained file.

A report can cover a subset: ``agent``, ``team``, ``channel``, ``start`` and
``end`` (see :func:`serviceart.views.subset.subset`). Every page carries a
Content-Security-Policy that loads nothing and runs no script except the
sortable-table script of the agent pages, allowed by its SHA-256 (see
:mod:`serviceart.views.pages`). Every piece of text from the data is escaped
with :func:`html.escape`.

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
>>> len(list((tmp / "report_files" / "agents").iterdir()))  # a page per agent
11
"""

from __future__ import annotations

import datetime as dt
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
from .agentpage import agent_body, agent_stats
from .explain import PRINCIPLE_COLOURS, criterion_title, explain
from .pages import PAGE_CSS, SORT_JS, content_security_policy, file_name, page, write_folder
from .scorecard import SCORECARD_CSS, anchor_of, band_colours
from .subset import Slicer, subset

__all__ = ["render_report", "report", "write_report"]

Date = str | dt.date | pd.Timestamp

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
table.sa-table td.sa-agent,table.sa-table td.sa-id{overflow-wrap:normal;word-break:normal;
 hyphens:none;min-width:8ch}
.sa-scroll{overflow-x:auto}
table.sa-conversations tr.sa-lowest td{background:#fff5f5}
table.sa-table.sa-conversations td{overflow-wrap:normal;word-break:normal;hyphens:none}
table.sa-conversations td:first-child{white-space:nowrap}
.sa-notes{margin:6px 0 0;padding-left:18px;color:#495057;font-size:12px}
.sa-hists{display:flex;flex-wrap:wrap;gap:14px}
.sa-muted{color:#6c757d;font-size:12px}
.sa-cue-block h4{margin:8px 0 2px;font-size:15px}
.sa-chip{display:inline-block;padding:0 6px;border-radius:2px;font-size:12px}
.sa-cues{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:4px 24px}
"""


def write_report(run_dir: str | Path, output: str | Path, *, worst: int = 10,
                 n_boot: int = 1000, min_n: int = 30, per_agent: int | None = 10,
                 agent: str | Sequence[str] | None = None,
                 team: str | Sequence[str] | None = None,
                 channel: str | Sequence[str] | None = None,
                 start: Date | None = None, end: Date | None = None,
                 redact: bool | str | Sequence[str] = False) -> Path:
    """Write a run folder's HTML report: :func:`report` given ``run_dir`` (a
    :meth:`Result.to_parquet` output or a batch run), with the same parameters,
    return value and errors."""
    return report(run_dir, output, worst=worst, n_boot=n_boot, min_n=min_n,
                  per_agent=per_agent, agent=agent, team=team, channel=channel, start=start,
                  end=end, redact=redact)


def report(result: Result | str | Path, output: str | Path, *, worst: int = 10,
           n_boot: int = 1000, min_n: int = 30, per_agent: int | None = 10,
           agent: str | Sequence[str] | None = None, team: str | Sequence[str] | None = None,
           channel: str | Sequence[str] | None = None, start: Date | None = None,
           end: Date | None = None, title: str | None = None,
           redact: bool | str | Sequence[str] = False) -> Path:
    """Write the HTML report of a result: an index page and a folder of agent and
    scorecard pages beside it.

    Parameters
    ----------
    result
        A :class:`Result`, or a run folder to read one from.
    output
        The index page to write (e.g. ``report.html``); the agent and scorecard
        pages go to the folder ``<stem>_files`` beside it (``report_files``),
        which replaces the previous report's folder of that name.
    worst
        How many of the lowest-scoring interactions get a scorecard on the index.
    n_boot, min_n
        Bootstrap resamples of the agent intervals, and the fewest scored
        interactions an agent needs to be ranked (see
        :func:`serviceart.analysis.aggregate.by`).
    per_agent
        How many of each agent's lowest conversations get a scorecard page
        (``None``: every conversation; 0: none). Every conversation is listed
        on its agent's page either way.
    agent, team, channel, start, end
        Report on a subset only (:func:`serviceart.views.subset.subset`): one
        name or a list each; ``start``/``end`` bound ``started_at`` (a date
        means the whole day).
    title
        The report's title (default: the run folder's name, else ``run``).
    redact
        Replace personal data in every page (``True``: every entity type, or a list
        of them; see :mod:`serviceart.redact`), for a result scored without it.

    Returns
    -------
    pathlib.Path
        The index page written.

    Raises
    ------
    InputError
        When ``result`` is not a run folder or ``output`` cannot be written.
    ConfigError
        When ``worst``, ``n_boot``, ``min_n`` or ``per_agent`` is out of range,
        or a filter matches nothing or cannot be read.
    OutputError
        When the pages folder cannot be written or would replace a folder that
        is not a report's.
    """
    if not isinstance(result, Result):
        title = title or Path(result).name or str(result)
        result = Result.from_parquet(result)
    if per_agent is not None and (isinstance(per_agent, bool) or not isinstance(
            per_agent, (int, np.integer)) or per_agent < 0):
        raise ConfigError(f"per_agent must be an integer >= 0 or None for every conversation "
                          f"(got {per_agent!r})", code="SA-C289")
    if any(v is not None for v in (agent, team, channel, start, end)):
        result = subset(result, agent=agent, team=team, channel=channel, start=start, end=end)
    if redact:  # a result scored without redaction: the pages show no personal data
        from ..redact import redact_result

        result = redact_result(result, redact)
    out = Path(output)
    folder = out.with_name(f"{out.stem}_files")
    index, pages = _build(result, worst=worst, n_boot=n_boot, min_n=min_n,
                          per_agent=per_agent, title=title or "run", folder=folder.name)
    write_folder(folder, pages)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(index, encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror}; choose another -o path",
                         source=str(out), code="SA-I021") from exc
    return out


def render_report(result: Result, *, worst: int = 10, n_boot: int = 1000, min_n: int = 30,
                  title: str = "run") -> str:
    """The report's index page of a :class:`Result` as one self-contained page, without
    links to agent pages (see :func:`report` for the pages)."""
    _check_numbers(worst, n_boot, min_n)
    return _index(result, worst=worst, n_boot=n_boot, min_n=min_n, title=title, links={},
                  cards={})


def _check_numbers(worst: object, n_boot: object, min_n: object) -> None:
    for name, value, low in (("worst", worst, 0), ("n_boot", n_boot, 0), ("min_n", min_n, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ConfigError(f"{name} must be an integer >= {low} (got {value!r})",
                              code="SA-C087")


def _build(result: Result, *, worst: int, n_boot: int, min_n: int, per_agent: int | None,
           title: str, folder: str) -> tuple[str, dict[str, str]]:
    """The index page and the pages of the folder (path inside it -> HTML)."""
    _check_numbers(worst, n_boot, min_n)
    css = REPORT_CSS + SCORECARD_CSS
    inter = result.interactions
    keep = in_scope(result.scores)
    scored = result.scores[keep]
    agents = (sorted(set(inter["agent_id"].dropna().astype(str)))
              if "agent_id" in inter.columns else [])
    agent_of = (dict(zip(inter["interaction_id"].astype(str),
                         inter["agent_id"].astype("string").fillna(""), strict=False))
                if "agent_id" in inter.columns else {})
    # which interactions get a scorecard page: each agent's lowest, and the worst overall
    ranked = scored.sort_values(["overall", "interaction_id"], kind="stable",
                                na_position="last")
    ranked_ids = ranked["interaction_id"].astype(str)
    with_card: list[str] = list(ranked_ids[ranked["overall"].notna().to_numpy()].head(worst))
    if per_agent != 0:
        by_agent = ranked_ids.groupby(ranked_ids.map(agent_of).to_numpy(), sort=False)
        for name, ids in by_agent:
            if name:
                with_card += list(ids if per_agent is None else ids.head(per_agent))
    with_card = list(dict.fromkeys(with_card))
    agent_file = {a: f"agents/{file_name(a)}" for a in agents}
    card_file = {iid: f"cards/{file_name(iid)}" for iid in with_card}
    pages: dict[str, str] = {}
    slicer = Slicer(result)
    for iid in with_card:
        who = agent_of.get(iid, "")
        nav = [f'<a class="sa-back" href="../../{_e(_index_name(folder))}">&larr; report</a>']
        if who in agent_file:
            nav.append(f'<a class="sa-back" href="../{_e(agent_file[who])}">&larr; agent '
                       f"{_e(who)}</a>")
        ex = explain(slicer.one(iid), iid)
        body = (f'<header class="sa-top"><h1>scorecard: {_e(ex.title)}</h1>'
                f'<nav>{"".join(nav)}</nav></header>\n<main>\n'
                + ex.to_html(css=False, anchor=anchor_of(iid)) + "\n</main>")
        pages[card_file[iid]] = page(f"{ex.title} - serviceart scorecard", body, css)
    table, ranked_agents = _agent_table(result, n_boot=n_boot, min_n=min_n)
    rubric = result.rubric
    titles = ({(c.principle, c.name): (criterion_title(c), c.rationale)
               for c in rubric.criteria} if rubric is not None else {})
    for a in agents:
        stats = agent_stats(table, a) if table is not None else pd.DataFrame()
        body = agent_body(result, a, stats=stats, rank_text=_rank_text(ranked_agents, a),
                          cards={i: f"../{f}" for i, f in card_file.items()
                                 if agent_of.get(i) == a},
                          titles=titles, index_href=f"../../{_index_name(folder)}")
        head = (f'<header class="sa-top"><h1>agent: {_e(a)}</h1><nav>'
                f'<a class="sa-back" href="../../{_e(_index_name(folder))}">&larr; report</a>'
                '<a href="#over-time">over time</a><a href="#costly">costly criteria</a>'
                '<a href="#conversations">conversations</a></nav></header>\n<main>\n')
        pages[agent_file[a]] = page(f"{a} - serviceart report: {title}",
                                    head + body + "\n</main>", css, script=SORT_JS)
    links = {a: f"{folder}/{f}" for a, f in agent_file.items()}
    cards = {i: f"{folder}/{f}" for i, f in card_file.items()}
    index = _index(result, worst=worst, n_boot=n_boot, min_n=min_n, title=title, links=links,
                   cards=cards, tables=(table, ranked_agents))
    return index, pages


def _index_name(folder: str) -> str:
    """The index file of a pages folder (``report_files`` -> ``report.html``)."""
    return folder.removesuffix("_files") + ".html"


def _index(result: Result, *, worst: int, n_boot: int, min_n: int, title: str,
           links: dict[str, str], cards: dict[str, str],
           tables: tuple[pd.DataFrame | None, pd.DataFrame | str] | None = None) -> str:
    rubric = result.rubric
    edges = ({k: [(b.name, b.min) for b in rubric.bands_for(k)] for k in SCORE_COLUMNS}
             if rubric is not None else {})
    if tables is None:
        tables = _agent_table(result, n_boot=n_boot, min_n=min_n)
    label = (result.run_info.get("subset") or {}).get("label")
    full_title = f"{title} ({label})" if label else title
    sections = [
        ("summary", "Run summary", _summary(result, edges)),
        ("distributions", "Principle distributions", _distributions(result, edges)),
        ("agents", "Agents", _agents(tables, n_boot=n_boot, min_n=min_n, links=links)),
        ("worst", "Worst interactions", _worst(result, worst, cards)),
        ("cues", "Top cues per principle", _cues(result)),
        ("rejects", "Rejects by code", _rejects(result)),
    ]
    nav = "".join(f'<a href="#{key}">{_e(head)}</a>' for key, head, _ in sections)
    body = "\n".join(f'<section class="sa-section" id="{key}"><h2>{_e(head)}</h2>\n{content}'
                     "\n</section>" for key, head, content in sections)
    policy = content_security_policy(None)
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_e(policy)}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>serviceart report: {_e(full_title)}</title>\n"
            f"<style>{REPORT_CSS}{SCORECARD_CSS}{PAGE_CSS}</style>\n</head>\n<body>\n"
            f'<header class="sa-top"><h1>serviceart report: {_e(full_title)}</h1>'
            f"<nav>{nav}</nav></header>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


# -- sections ---------------------------------------------------------------------
def _table(headers: list[str], rows: list[list[str]], numeric: frozenset[int] | set[int]
           = frozenset(),
           cls: str = "sa-table", first: str = "") -> str:
    """A table; ``rows`` hold HTML already escaped by the caller; ``first`` is the class
    of the first column's cells."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)

    def attr(i: int) -> str:
        return " class=sa-num" if i in numeric else f" class={first}" if i == 0 and first \
            else ""

    body = "".join("<tr>" + "".join(
        f"<td{attr(i)}>{c}</td>" for i, c in enumerate(row)) + "</tr>" for row in rows)
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
    part = info.get("subset")
    if part:
        # a subset: counts from its own tables, not the whole run's
        scope = res.scores["scope"].astype("string") if "scope" in res.scores.columns else \
            pd.Series([], dtype="string")
        counts = {"interactions_in": len(res.scores), "scored": int(keep.sum()),
                  "out_of_scope": int((~keep).sum()),
                  "no_agent": int((scope == "no_agent").sum()),
                  "non_service": int((scope == "non_service").sum()),
                  "rejected": len(res.rejects),
                  "turns_in": len(res.turns) if len(res.turns) else None}
    facts = [
        *([("subset", _e(f"{part.get('label', '')}: {part.get('interactions', 0)} of "
                         f"{part.get('of', 0)} interactions in the run"))] if part else []),
        ("interactions in", _num(counts.get("interactions_in", len(res.scores)), 0)),
        ("scored", _num(counts.get("scored", int(keep.sum())), 0)),
        ("out of scope", _num(counts.get("out_of_scope", int((~keep).sum())), 0)
         + f' <span class="sa-muted">({_num(counts.get("no_agent", 0), 0)} without an agent '
           f'turn, {_num(counts.get("non_service", 0), 0)} not a service request; no agent '
           "scores, left out of every table below)</span>"),
        ("rejected", _num(counts.get("rejected", 0), 0)
         + (' <span class="sa-muted">(records of these interactions and records with no '
            "interaction id, which no filter can place)</span>" if part else "")),
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


#: Estimated width of a character of the histogram's 10px labels (a tad over the mean
#: advance of system-ui digits and lower-case letters), for the layout checks.
CHAR_W = 6.0


def _fit(text: str, room: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``room`` pixels of 10px labels."""
    if len(text) * CHAR_W <= room:
        return text
    keep = int(room // CHAR_W) - 1
    return text[:keep] + "\u2026" if keep > 0 else ""


def _histogram(values: np.ndarray, key: str, edges: list[tuple[str, float]]) -> str:
    """A 0..100 histogram (10 bins) as inline SVG: ticks every 20 points up to 100, band
    thresholds dashed, and the bands named in a strip under the axis, each name inside
    its own band (cut short with its full name on hover when the band is too narrow)."""
    w, h, left, right, top = 320, 200, 34, 18, 24
    plot_w, plot_h = w - left - right, 118
    base = top + plot_h
    finite = values[~np.isnan(values)]
    counts, _ = np.histogram(finite, bins=np.linspace(0, 100, 11))
    peak = max(int(counts.max()) if len(counts) else 0, 1)
    colour = PRINCIPLE_COLOURS.get(key, "#343a40")

    def x(v: float) -> float:
        return left + plot_w * v / 100

    parts = [f'<svg class="sa-hist" id="hist-{_e(key)}" width="{w}" height="{h}" '
             f'viewBox="0 0 {w} {h}" role="img" aria-label="histogram of {_e(key)} scores">',
             f'<text x="{left}" y="14" font-size="13" font-weight="600">{_e(key)}</text>',
             f'<text x="{w - right}" y="14" font-size="11" text-anchor="end" fill="#6c757d">'
             f"n={len(finite)}, mean {_num(finite.mean() if len(finite) else math.nan)}"
             + (f", {len(values) - len(finite)} n/a" if len(values) > len(finite) else "")
             + "</text>"]
    for i, c in enumerate(counts):
        bh = plot_h * c / peak
        parts.append(f'<rect x="{x(10 * i) + 1:.1f}" y="{base - bh:.1f}" '
                     f'width="{plot_w / 10 - 2:.1f}" height="{bh:.1f}" fill="{colour}">'
                     f"<title>{i * 10}-{i * 10 + 10}: {int(c)}</title></rect>")
    for _, low in edges:
        if 0 < low < 100:
            parts.append(f'<line x1="{x(low):.1f}" y1="{top}" x2="{x(low):.1f}" y2="{base}" '
                         'stroke="#495057" stroke-dasharray="3,3"/>')
    parts.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" '
                 'stroke="#adb5bd"/>')
    for tick in range(0, 101, 20):
        parts.append(f'<line x1="{x(tick):.1f}" y1="{base}" x2="{x(tick):.1f}" '
                     f'y2="{base + 3}" stroke="#adb5bd"/>'
                     f'<text class="sa-tick" x="{x(tick):.1f}" y="{base + 14}" font-size="10" '
                     f'text-anchor="middle" fill="#6c757d">{tick}</text>')
    parts.append(f'<text x="{left - 4}" y="{top + 8}" font-size="10" text-anchor="end" '
                 f'fill="#6c757d">{peak}</text>')
    strip = base + 20
    colours = band_colours(edges)
    upper = 100.0
    for name, low in sorted(edges, key=lambda b: -b[1]):
        lo = max(0.0, min(low, upper))
        room = x(upper) - x(lo)
        label = _fit(name, room - 4)
        parts.append(f'<g class="sa-band"><title>{_e(name)}: {lo:g} to {upper:g}</title>'
                     f'<rect x="{x(lo):.1f}" y="{strip}" width="{room:.1f}" height="14" '
                     f'fill="{colours.get(name, "#e9ecef")}"/>'
                     + (f'<text class="sa-band-name" x="{(x(lo) + x(upper)) / 2:.1f}" '
                        f'y="{strip + 10.5}" font-size="10" text-anchor="middle" '
                        f'fill="#343a40">{_e(label)}</text>' if label else "") + "</g>")
        upper = lo
    parts.append(f'<text x="{left}" y="{strip + 30}" font-size="10" fill="#6c757d">score '
                 "(bins of 10 points)</text>")
    parts.append("</svg>")
    return "".join(parts)


def _distributions(res: Result, edges: dict[str, list[tuple[str, float]]]) -> str:
    hists = [_histogram(res.scores[k].to_numpy(dtype=float), k, edges.get(k, []))
             for k in SCORE_COLUMNS]
    return (f'<div class="sa-hists">{"".join(hists)}</div>'
            '<p class="sa-muted">Scores in bins of 10 points; dashed lines are the '
            "rubric's band thresholds, and the strip under each axis names the bands.</p>")


def _agent_table(res: Result, *, n_boot: int, min_n: int
                 ) -> tuple[pd.DataFrame | None, pd.DataFrame | str]:
    """The agents' means with intervals and their ranking on overall, or ``(None, why)``
    when there is no agent table."""
    try:
        table = by(res, "agent_id", principles=list(SCORE_COLUMNS), n_boot=n_boot,
                   min_n=min_n)
        ranked = rank(table, "overall")
    except ServiceartError as exc:
        return None, f"No agent table: {exc}"
    # interactions without an agent are not an agent (pandas keeps them as a missing key)
    table = table[table["agent_id"].notna()]
    ranked = ranked[ranked["agent_id"].notna()]
    return table, ranked


def _rank_text(ranked: pd.DataFrame | str, agent: str) -> str:
    """An agent's rank in words: ``3``, ``1 (shared)``, ``not ranked``."""
    if isinstance(ranked, str):
        return "not ranked"
    row = ranked[ranked["agent_id"].astype(str) == agent]
    if row.empty or pd.isna(row["rank"].iloc[0]):
        return "not ranked"
    r = int(row["rank"].iloc[0])
    return f"{r} (shared)" if bool(row["tied"].iloc[0]) else str(r)


def _agents(tables: tuple[pd.DataFrame | None, pd.DataFrame | str], *, n_boot: int,
            min_n: int, links: dict[str, str]) -> str:
    table, ranked = tables
    if table is None or isinstance(ranked, str):
        return f'<p class="sa-muted">{_e(str(ranked))}</p>'
    if ranked.empty:
        return '<p class="sa-muted">No scored interaction has an agent.</p>'
    cells = {(str(a), str(p)): (n, m, lo, hi) for a, p, n, m, lo, hi in zip(
        table["agent_id"].astype(str), table["principle"], table["n"], table["mean"],
        table["ci_low"], table["ci_high"], strict=True)}
    rows = []
    for agent, r, tied in zip(ranked["agent_id"].astype(str), ranked["rank"], ranked["tied"],
                              strict=True):
        name = (f'<a href="{_e(links[agent])}">{_e(agent)}</a>' if agent in links
                else _e(agent))
        rank_cell = ('<span class=sa-muted title="not ranked: see the notes below">'
                     "&ndash;</span>" if pd.isna(r) else
                     f'{int(r)}<span title="shared rank: see the notes below">=</span>'
                     if bool(tied) else str(int(r)))
        row = [name, rank_cell, _num(cells[(agent, "overall")][0], 0)]
        for p in SCORE_COLUMNS:
            _, m, lo, hi = cells[(agent, p)]
            row.append(f"{_num(m)} <span class=sa-muted>({_num(lo)}&ndash;{_num(hi)})</span>"
                       if not math.isnan(lo) else _num(m))
        rows.append(row)
    ci = round(100 * float(table.attrs.get("ci", 0.95)))
    left_out = int(table.attrs.get("out_of_scope", 0))
    notes = _rank_notes(ranked, min_n)
    return ('<div class="sa-scroll">'
            + _table(["agent", "rank", "n", *SCORE_COLUMNS], rows,
                     numeric={1, 2, 3, 4, 5, 6, 7}, cls="sa-table sa-agents", first="sa-agent")
            + "</div>"
            + (f'<ul class="sa-notes">{"".join(f"<li>{_e(n)}</li>" for n in notes)}</ul>'
               if notes else "")
            + f'<p class="sa-muted">Mean scores with {ci}% bootstrap intervals ({n_boot} '
            f"resamples). Ranked on overall; agents whose intervals overlap share a rank "
            f"(marked =), agents with fewer than {min_n} scored interactions are not ranked. "
            f"{left_out} out-of-scope interactions are left out."
            + (" Each agent's name opens their page." if links else "") + "</p>")


def _rank_notes(ranked: pd.DataFrame, min_n: int) -> list[str]:
    """The ranking notes, each said once: who shares each rank, who is not ranked."""
    notes = []
    shared = ranked[ranked["tied"].astype(bool) & ranked["rank"].notna()]
    for r, group in shared.groupby("rank", sort=True):
        names = group["agent_id"].astype(str).tolist()
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        notes.append(f"Rank {float(str(r)):.0f} is shared by {len(names)} agents ({shown}): their "
                     "intervals overlap, the data cannot order them.")
    unranked = ranked[ranked["rank"].isna()]
    if len(unranked):
        small = unranked[unranked["n"] < min_n]
        if len(small):
            notes.append(f"Not ranked: {len(small)} agent(s) with fewer than {min_n} scored "
                         f"interactions (n from {int(small['n'].min())} to "
                         f"{int(small['n'].max())}).")
        other = unranked[unranked["n"] >= min_n]
        if len(other):
            notes.append(f"Not ranked: {len(other)} agent(s) without a score "
                         f"({', '.join(other['agent_id'].astype(str).tolist()[:6])}).")
    if ranked["rank"].notna().any() and ranked["ci_low"].isna().all():
        notes.append("No confidence intervals (n_boot=0): agents are ranked on the mean alone.")
    return notes


def _worst(res: Result, n: int, cards: dict[str, str]) -> str:
    if n == 0:
        return '<p class="sa-muted">No scorecards asked for (worst = 0).</p>'
    scores = res.scores[res.scores["overall"].notna()]
    scores = scores.sort_values(["overall", "interaction_id"], kind="stable").head(n)
    if scores.empty:
        return '<p class="sa-muted">No interaction has an overall score.</p>'
    inter = res.interactions
    meta = (inter.drop_duplicates("interaction_id").set_index("interaction_id")
            if "interaction_id" in inter.columns else pd.DataFrame())
    rows, shown = [], []
    for iid in scores["interaction_id"].astype(str):
        ex = explain(res, iid)
        anchor = anchor_of(iid)
        low = min(PRINCIPLES, key=lambda p: (math.isnan(ex.scores[p]), ex.scores[p]))
        info = meta.loc[iid] if iid in meta.index else pd.Series(dtype=object)
        page_link = (f' <a class="sa-muted" href="{_e(cards[iid])}">(page)</a>'
                     if iid in cards else "")
        rows.append([f'<a href="#{_e(anchor)}">{_e(iid)}</a>{page_link}',
                     _e(str(info.get("channel", ""))), _e(str(info.get("agent_id", ""))),
                     _num(ex.scores["overall"]), _e(ex.bands["overall"] or ""),
                     f"{_e(low)} {_num(ex.scores[low])}"])
        shown.append(ex.to_html(css=False, anchor=anchor))
    return (f'<p class="sa-muted">The {len(rows)} lowest overall scores, each with its '
            "scorecard below.</p>"
            + _table(["interaction", "channel", "agent", "overall", "band", "lowest principle"],
                     rows, numeric={3}) + "\n" + "\n".join(shown))


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
