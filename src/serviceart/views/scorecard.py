"""The scorecard: an :class:`~serviceart.views.explain.Explanation` as HTML.

Score bars over the rubric's bands, the criteria that moved each score, key
measures, promises, and the transcript with every cue highlighted in its
principle's colour, its name on hover, and each turn's timing. Every piece of
text is escaped (transcripts are untrusted customer data): the highlighting
slices the raw text at the cue offsets and escapes each piece; the scorecard
has no script and no external resource.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from typing import TYPE_CHECKING, Any

from ..codebook import EVIDENCE_CUES, MEASURES, PRINCIPLES
from .explain import (
    PRINCIPLE_COLOURS,
    _float,
    _fmt,
    _fmt_measure,
    _markup,
    _weight,
)

if TYPE_CHECKING:
    from .explain import Explanation

__all__ = ["SCORECARD_CSS", "anchor_of", "band_colours", "card_html", "score_bar"]


def anchor_of(interaction_id: str) -> str:
    """A valid, stable HTML id for an interaction id (which may hold any character)."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", interaction_id)[:40].strip("-")
    digest = hashlib.sha1(interaction_id.encode("utf-8")).hexdigest()[:6]
    return f"sa-{slug}-{digest}" if slug else f"sa-{digest}"


SCORECARD_CSS = """
.sa-card{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:14px;
 color:#212529;background:#fff;border:1px solid #dee2e6;border-radius:6px;padding:12px 16px;
 margin:12px 0;max-width:1100px;line-height:1.4}
.sa-scope{background:#fff3bf;border-radius:4px;padding:4px 8px;margin:6px 0}
.sa-card h3{margin:0 0 2px;font-size:18px}.sa-card h4{margin:14px 0 4px;font-size:15px}
.sa-card .sa-meta,.sa-card .sa-note{color:#6c757d;font-size:12px}
.sa-card table{border-collapse:collapse;font-size:13px;margin:2px 0}
.sa-card th,.sa-card td{padding:2px 8px;text-align:left;border-bottom:1px solid #f1f3f5;
 vertical-align:top}
.sa-principle td{white-space:nowrap}
.sa-card th{color:#495057;font-weight:600}.sa-card td.sa-num{text-align:right;
 font-variant-numeric:tabular-nums}
.sa-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:4px 24px}
.sa-quotes{margin:4px 0;padding-left:18px;font-size:13px}
.sa-score{display:flex;align-items:center;gap:10px;margin:3px 0}
.sa-score .sa-label{width:120px;font-weight:600}.sa-score .sa-value{width:70px;text-align:right;
 font-variant-numeric:tabular-nums}
.sa-bar{position:relative;width:360px;height:18px;border-radius:3px;overflow:hidden;
 background:#f1f3f5}
.sa-zone{position:absolute;top:0;bottom:0}
.sa-fill{position:absolute;left:0;top:5px;height:8px;border-radius:2px}
.sa-badge{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;
 border:1px solid rgba(0,0,0,.15)}
.sa-moved{display:inline-block;height:8px;vertical-align:middle}
.sa-won{background:#40c057}.sa-lost{background:#fa5252}
.sa-card tr.sa-failed td{color:#c92a2a;font-weight:600}
.sa-card tr.sa-idle td{color:#adb5bd}
.sa-turns{list-style:none;margin:4px 0;padding:0}
.sa-turn{display:grid;grid-template-columns:170px 150px 1fr;gap:8px;padding:3px 0;
 border-bottom:1px solid #f1f3f5}
.sa-when{color:#6c757d;font-size:12px;font-variant-numeric:tabular-nums}
.sa-who{font-weight:600;overflow-wrap:anywhere}.sa-role-agent .sa-who{color:#1864ab}
.sa-role-customer .sa-who{color:#862e9c}.sa-role-system .sa-who{color:#868e96}
.sa-text{white-space:pre-wrap;overflow-wrap:anywhere}
mark.sa-cue{color:inherit;border-radius:2px;padding:0 1px}
.sa-chip{display:inline-block;padding:0 6px;margin-right:6px;border-radius:2px;font-size:12px}
.sa-crit-title{font-weight:600}.sa-crit-name{color:#868e96;font-size:11px}
.sa-rationale{color:#495057;font-size:12px;white-space:normal;max-width:420px}
.sa-autofail{color:#c92a2a;max-width:640px}
.sa-effect{display:inline-block;padding:0 5px;border-radius:8px;font-size:11px}
.sa-effect-helped{background:#d3f9d8}.sa-effect-hurt{background:#ffe3e3}
.sa-effect-context{background:#e9ecef}
""" + "".join(
    f".sa-p-{p}{{background:{c}2e;border-bottom:2px solid {c}}}"
    f".sa-c-{p}{{background:{c}}}\n" for p, c in PRINCIPLE_COLOURS.items())

_STATUS_COLOURS = {"kept": "#d3f9d8", "broken": "#ffe3e3", "open": "#d0ebff",
                   "unverifiable": "#e9ecef"}


def band_colours(edges: list[tuple[str, float]]) -> dict[str, str]:
    """A colour per band, red for the lowest band to green for the highest."""
    palette = {1: ["#d3f9d8"], 2: ["#d3f9d8", "#ffe3e3"],
               3: ["#d3f9d8", "#fff3bf", "#ffe3e3"]}
    n = len(edges)
    colours = palette.get(n) or ["#d3f9d8", *(["#fff3bf"] * (n - 2)), "#ffe3e3"]
    return {name: colours[i] for i, (name, _) in enumerate(edges)}


def _badge(text: str, colour: str, title: str = "", cls: str = "") -> str:
    """A coloured label; every argument is escaped (band names come from rubric files)."""
    e = html.escape
    return (f'<span class="sa-badge{" " + e(cls) if cls else ""}" style="background:{e(colour)}"'
            + (f' title="{e(title)}"' if title else "") + f">{e(text)}</span>")


def _class_token(text: str) -> str:
    """A CSS class name made of ``text``: letters, digits, ``_`` and ``-`` only."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def score_bar(score: float, edges: list[tuple[str, float]], colour: str) -> str:
    """A 0..100 bar: the rubric's bands as coloured zones, the score as a fill."""
    e = html.escape
    colours = band_colours(edges)
    zones, upper = [], 100.0
    for name, low in edges:
        zones.append(f'<div class="sa-zone" title="{e(name)}: {low:g} to {upper:g}" '
                     f'style="left:{low:.1f}%;width:{upper - low:.1f}%;'
                     f'background:{colours[name]}"></div>')
        upper = low
    width = 0.0 if math.isnan(score) else max(0.0, min(100.0, score))
    return (f'<div class="sa-bar">{"".join(zones)}<div class="sa-fill" '
            f'style="width:{width:.1f}%;background:{colour}"></div></div>')


def card_html(ex: Explanation, anchor: str) -> str:
    e = html.escape
    r = ex.rubric
    meta = [f"{k} {v}" for k, v in ex.about.items() if v and k != "subject"]
    if ex.title != ex.interaction_id:
        meta.insert(0, f"id {ex.interaction_id}")
    out = [f'<div class="sa-card" id="{e(anchor)}" data-interaction="{e(ex.interaction_id)}">',
           f'<h3 class="sa-title">{e(ex.title)}</h3>',
           f'<div class="sa-meta">{e(" · ".join(meta))}{" · " if meta else ""}rubric '
           f"{e(str(r.get('name', '?')))} v{e(str(r.get('version', '?')))} "
           f"({e(str(r.get('hash', '?')))})</div>"]
    if ex.scope != "service":
        out.append(f'<div class="sa-scope" data-scope="{e(ex.scope)}">out of scope: '
                   f"{e(ex.scope.replace('_', ' '))}: {e(ex.scope_reason or '')}; "
                   "no agent scores</div>")
    out.append('<div class="sa-scores">')
    for key in ("overall", *PRINCIPLES):
        score, band = ex.scores[key], ex.bands[key]
        edges = ex.band_edges.get(key, [])
        colour = PRINCIPLE_COLOURS.get(key, "#343a40")
        failed = ex._failed_by.get(key)
        out.append(f'<div class="sa-score" data-principle="{e(key)}">'
                   f'<span class="sa-label">{e(key.replace("_", " "))}</span>'
                   f"{score_bar(score, edges, colour)}"
                   f'<span class="sa-value">{"n/a" if math.isnan(score) else f"{score:.1f}"}'
                   "</span>"
                   + (_badge(band, band_colours(edges).get(band, "#e9ecef"),
                             cls=f"sa-band-{_class_token(band)}") if band else
                      f'<span class="sa-note">{_nan_note(ex)}</span>'
                      if math.isnan(score) else "")
                   + (f' <span class="sa-note">failed by {e(", ".join(failed))}</span>'
                      if failed else "") + "</div>")
    out.append("</div>")
    out.append(_criteria_html(ex, anchor))
    out.append(_measures_html(ex))
    out.append(_promises_html(ex, anchor))
    out.append(_transcript_html(ex, anchor))
    out.append("</div>")
    return "\n".join(out)


#: What each evidence tag means (shown on hover).
_EFFECTS = {
    "helped": "an agent's words that raise this criterion's value on their own",
    "hurt": "an agent's words that lower this criterion's value on their own (or trigger "
            "an auto-fail)",
    "context": "the customer's words, or words that decide only whether the criterion "
               "applies: they set the scene and are not credited to or held against the agent",
}


def _criterion_cell(row: Any) -> str:
    """The criterion's title, its rubric name and its rationale."""
    e = html.escape
    title = str(getattr(row, "title", "") or row.criterion)
    rationale = getattr(row, "rationale", "")
    rationale = "" if rationale is None or (not isinstance(rationale, str)
                                           and math.isnan(rationale)) else str(rationale)
    return (f'<span class="sa-crit-title">{e(title)}</span> '
            f'<code class="sa-crit-name">{e(str(row.criterion))}</code>'
            + (f'<div class="sa-rationale">{e(rationale)}</div>' if rationale else ""))


def _nan_note(ex: Explanation) -> str:
    """Why a score is missing: out of scope, or no criterion applied."""
    return "out of scope" if ex.scope != "service" else "nothing applied"


def _criteria_html(ex: Explanation, anchor: str) -> str:
    e = html.escape
    out = ['<div class="sa-criteria"><h4>Criteria: points won and lost</h4>'
           '<p class="sa-note">Evidence is listed only under criteria that applied, tagged '
           '<span class="sa-effect sa-effect-helped">helped</span> or '
           '<span class="sa-effect sa-effect-hurt">hurt</span> (an agent\'s words that raise '
           "or lower the criterion's value on their own) or "
           '<span class="sa-effect sa-effect-context">context</span> (the customer\'s words, '
           "or words that only decide whether a criterion applies).</p>"
           '<div class="sa-grid">']
    for p in PRINCIPLES:
        rows = ex.contributions[ex.contributions["principle"] == p]
        if rows.empty:
            continue
        out.append(f'<div class="sa-block sa-principle" data-principle="{e(p)}"><table><tr>'
                   f'<th colspan="7"><span class="sa-chip sa-c-{p}">&nbsp;</span>'
                   f"{e(p.replace('_', ' '))}</th></tr><tr>"
                   + "".join(f"<th>{h}</th>" for h in ("criterion", "kind", "value", "weight",
                                                       "won", "lost", "")) + "</tr>")
        for row in rows.itertuples(index=False):
            failed = str(row.criterion) in ex._failed_by.get(p, [])
            cls = "sa-failed" if failed else "" if row.applied else "sa-idle"
            won, lost = _float(row.points) + 0.0, _float(row.points_lost) + 0.0
            moved = (f'<span class="sa-moved sa-won" style="width:{1.5 * won:.0f}px">'
                     f'</span><span class="sa-moved sa-lost" '
                     f'style="width:{1.5 * lost:.0f}px"></span>')
            cells = [_criterion_cell(row), e(str(row.kind)), e(_fmt(row.value)),
                     e(_weight(row)), f"{won:.1f}", f"{lost:.1f}"]
            if not row.applied:
                cells[4:6] = ["not applied", ""]
            out.append(f'<tr class="{cls}">' + "".join(
                f'<td{" class=sa-num" if 2 <= i <= 5 else ""}>{c}</td>'
                for i, c in enumerate(cells)) + f"<td>{moved}</td></tr>")
        out.append("</table>")
        if ex._failed_by.get(p):
            out.append(f'<p class="sa-note sa-autofail">{e(ex.failure_words(p))}</p>')
        reads = ex._measures_of(p)
        if reads:
            out.append('<div class="sa-note">measures read: ' + e(", ".join(
                f"{k} = {_fmt(v)}" for k, v in reads.items())) + "</div>")
        quotes = ex._quotes(p)
        if quotes:
            out.append('<ul class="sa-quotes">' + "".join(
                f'<li data-effect="{e(effect)}">{e(crit)} &larr; <code>{e(cue)}</code>, '
                f'<a href="#{e(anchor)}-t{turn}">turn {turn}</a> ({e(role)}) '
                f'<span class="sa-effect sa-effect-{_class_token(effect)}" '
                f'title="{e(_EFFECTS.get(effect, ""))}">{e(effect)}</span>: '
                f"<q>{e(text)}</q></li>"
                for crit, cue, turn, role, text, effect in quotes) + "</ul>")
        out.append("</div>")
    out.append("</div></div>")
    return "\n".join(out)


def _measures_html(ex: Explanation) -> str:
    e = html.escape
    if not ex.key_measures:
        return ""
    cells = [f'<tr><td title="{e(MEASURES[k].meaning if k in MEASURES else k)}">{e(k)}</td>'
             f'<td class="sa-num">{e(_fmt_measure(k, v))}</td></tr>'
             for k, v in ex.key_measures.items()]
    half = (len(cells) + 1) // 2
    return ('<div class="sa-measures"><h4>Key measures</h4><div style="display:flex;gap:24px">'
            f'<table class="sa-kv">{"".join(cells[:half])}</table>'
            f'<table class="sa-kv">{"".join(cells[half:])}</table>'
            "</div></div>")


def _promises_html(ex: Explanation, anchor: str) -> str:
    e = html.escape
    out = ['<div class="sa-promises"><h4>Promises</h4>']
    rows = ex._promise_rows()
    if not rows:
        out.append('<p class="sa-note">No promise in this interaction.</p></div>')
        return "\n".join(out)
    out.append('<table class="sa-ledger"><tr><th>turn</th><th>agent</th><th>promise</th>'
               "<th>due</th><th>status</th><th>why</th></tr>")
    for turn, who, action, due, status, reason in rows:
        out.append(f'<tr class="sa-promise" data-status="{e(status)}">'
                   f'<td><a href="#{e(anchor)}-t{turn}">{turn}</a></td><td>{e(who)}</td>'
                   f"<td>{e(action)}</td><td>{e(due)}</td>"
                   f"<td>{_badge(status, _STATUS_COLOURS.get(status, '#e9ecef'), reason)}</td>"
                   f'<td class="sa-note">{e(reason)}</td></tr>')
    out.append("</table></div>")
    return "\n".join(out)


def _transcript_html(ex: Explanation, anchor: str) -> str:
    e = html.escape
    out = ['<div class="sa-transcript"><h4>Transcript</h4>']
    if not len(ex.turns):
        out.append('<p class="sa-note">The run holds no turns for this interaction, so there '
                   "is no transcript to show.</p></div>")
        return "\n".join(out)
    out.append('<div class="sa-legend sa-note">' + "".join(
        f'<span class="sa-chip sa-p-{p}">{e(p.replace("_", " "))}</span>'
        for p in PRINCIPLES) + "hover a highlight for its cue</div>")
    cues = [str(c) for c in ex.evidence["cue"]]

    def open_(k: int) -> str:
        cue = cues[k]
        p = EVIDENCE_CUES[cue].principle if cue in EVIDENCE_CUES else "other"
        return (f'<mark class="sa-cue sa-p-{e(p)}" title="{e(cue)}" data-cue="{e(cue)}" '
                f'data-ev="{k}">')

    timed = False
    out.append('<ol class="sa-turns">')
    for turn, role, speaker, text in ex._turn_rows():
        when = ex._timing(turn)
        timed = timed or bool(when)
        role_cls = role if role in ("agent", "customer", "system") else "other"
        body = _markup(text, ex._spans(turn), open_, lambda k: "</mark>", e)
        out.append(f'<li class="sa-turn sa-role-{role_cls}" id="{e(anchor)}-t{turn}">'
                   f'<span class="sa-when">{e(when) or "&ndash;"}</span>'
                   f'<span class="sa-who">{turn}. {e(role)}'
                   + (f' <span class="sa-note">{e(speaker)}</span>' if speaker else "")
                   + f'</span><span class="sa-text">{body}</span></li>')
    out.append("</ol>")
    if not timed:
        out.append('<p class="sa-note">No timing in this transcript (no start and end '
                   "times or time stamps): latency and talk-time measures are n/a.</p>")
    out.append("</div>")
    return "\n".join(out)
