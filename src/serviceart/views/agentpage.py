"""A report page per agent: scores over time, the criteria that cost the most points,
and every conversation, lowest first, each linked to its scorecard.

The page is one of the report's static pages (see :mod:`serviceart.views.report`);
its conversation table sorts by any column with :data:`~serviceart.views.pages.SORT_JS`,
the one script the page's Content-Security-Policy allows. Every piece of text
from the data is escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.aggregate import SCORE_COLUMNS
from ..codebook import PRINCIPLES
from ..result import Result
from ..scope import in_scope
from .dates import date_window
from .explain import PRINCIPLE_COLOURS, criterion_title

__all__ = ["agent_body", "costly_criteria", "lowest_criterion", "trend_svg"]

_e = html.escape


def _f(x: Any) -> float:
    """A table cell as a float (NaN when missing)."""
    try:
        return math.nan if x is None or pd.isna(x) else float(x)
    except (TypeError, ValueError):
        return math.nan


def _num(x: object, digits: int = 1) -> str:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "n/a"
    return "n/a" if math.isnan(v) else f"{v:,.{digits}f}"


def lowest_criterion(contributions: pd.DataFrame) -> pd.DataFrame:
    """Per interaction, the criterion that lost the most points (``interaction_id``,
    ``principle``, ``criterion``, ``points_lost``); interactions that lost none are
    left out."""
    c = contributions[contributions["points_lost"].to_numpy(dtype=float) > 0]
    c = c.sort_values(["points_lost", "principle", "criterion"], ascending=[False, True, True],
                      kind="stable")
    return c.drop_duplicates("interaction_id").loc[
        :, ["interaction_id", "principle", "criterion", "points_lost"]].reset_index(drop=True)


def costly_criteria(contributions: pd.DataFrame, *, top: int = 8) -> pd.DataFrame:
    """The criteria that cost the most points over some interactions.

    Returns
    -------
    pandas.DataFrame
        ``principle``, ``criterion``, ``lost`` (points lost in all),
        ``per_interaction`` (mean points lost where the criterion applied),
        ``applied`` (interactions it applied to), ``short`` (interactions where it
        lost points), ``top`` rows, most points lost first.
    """
    c = contributions[contributions["applied"].astype("boolean").fillna(False)
                      .to_numpy(dtype=bool)]
    if c.empty:
        return pd.DataFrame(columns=["principle", "criterion", "lost", "per_interaction",
                                     "applied", "short"])
    lost = c["points_lost"].to_numpy(dtype=float)
    g = c.assign(_lost=lost, _short=lost > 0).groupby(["principle", "criterion"],
                                                      sort=True, observed=True)
    out = g.agg(lost=("_lost", "sum"), per_interaction=("_lost", "mean"),
                applied=("_lost", "size"), short=("_short", "sum")).reset_index()
    out = out[out["lost"] > 0].sort_values(["lost", "principle", "criterion"],
                                           ascending=[False, True, True], kind="stable")
    return out.head(top).reset_index(drop=True)


def trend_svg(when: pd.Series, scores: pd.DataFrame, *, width: int = 660,
              height: int = 230) -> str:
    """Mean scores per week (per day when the dates span under four weeks) as an
    inline SVG line chart, over the dates without strays
    (:func:`serviceart.views.dates.date_window`).

    ``when`` and ``scores`` (the :data:`SCORE_COLUMNS`) are aligned row by row.
    """
    when = pd.to_datetime(when, utc=True).reset_index(drop=True)
    scores = scores.reset_index(drop=True)
    dated = when.notna().to_numpy()
    if not dated.any():
        return '<p class="sa-muted">No conversation has a start time: no trend to draw.</p>'
    span = when[dated].max() - when[dated].min()
    freq, name = ("D", "day") if span < pd.Timedelta(days=28) else ("W", "week")
    window = date_window(when[dated], pad=pd.Timedelta(days=1 if freq == "D" else 7))
    keep = dated & (when >= window.start).to_numpy() & (when <= window.end).to_numpy()
    period = when[keep].dt.tz_localize(None).dt.to_period(freq).dt.start_time
    frame = scores[keep].assign(_period=period.to_numpy())
    means = frame.groupby("_period", sort=True)[list(SCORE_COLUMNS)].mean()
    counts = frame.groupby("_period", sort=True).size()
    left, right, top, bottom = 34, 16, 28, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    t0, t1 = means.index.min(), means.index.max()
    total = max((t1 - t0).total_seconds(), 1.0)

    def x(t: pd.Timestamp) -> float:
        if t1 == t0:
            return left + plot_w / 2
        return left + plot_w * (t - t0).total_seconds() / total

    def y(v: float) -> float:
        return top + plot_h * (1 - v / 100)

    parts = [f'<svg class="sa-trend" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="mean scores per {name}">']
    for tick in range(0, 101, 20):
        parts.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_w}" '
                     f'y2="{y(tick):.1f}" stroke="#f1f3f5"/>'
                     f'<text x="{left - 4}" y="{y(tick) + 3:.1f}" font-size="10" '
                     f'text-anchor="end" fill="#6c757d">{tick}</text>')
    last_end = -math.inf
    for t in (pd.Timestamp(t) for t in means.index):
        # a date label where it fits: 62 px apart and inside the chart, never overlapping
        mid = x(t)
        if mid - 31 >= last_end + 4 and mid - 31 >= 0 and mid + 31 <= width:
            parts.append(f'<text class="sa-date" x="{mid:.1f}" y="{top + plot_h + 14}" '
                         f'font-size="10" text-anchor="middle" fill="#6c757d">'
                         f"{t:%Y-%m-%d}</text>")
            last_end = mid + 31
    legend_x = left
    for key in SCORE_COLUMNS:
        colour = PRINCIPLE_COLOURS.get(key, "#212529")
        stamps_values = list(zip((pd.Timestamp(t) for t in means.index),
                                 means[key].to_numpy(dtype=float), counts.to_numpy(), strict=True))
        pts = [(x(t), y(v)) for t, v, _ in stamps_values if not math.isnan(v)]
        if len(pts) > 1:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width='
                         f'"{2.5 if key == "overall" else 1.5}" points="'
                         + " ".join(f"{a:.1f},{b:.1f}" for a, b in pts) + '"/>')
        for t, v, n in stamps_values:
            if not math.isnan(v):
                parts.append(f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="3" '
                             f'fill="{colour}"><title>{name} of {t:%Y-%m-%d}: {key} '
                             f"{v:.1f} (n={int(n)})</title></circle>")
        parts.append(f'<rect x="{legend_x}" y="8" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{legend_x + 14}" y="17" font-size="11">'
                     f'{key.replace("_", " ")}</text>')
        legend_x += 14 + 7 * len(key) + 16
    parts.append("</svg>")
    note = (f"Mean score per {name} (start of the {name} on the axis); "
            f"{int(keep.sum())} dated conversations.")
    if window.left_out:
        note += (f" {window.note('conversation(s)')}: dates beyond the 1st-99th percentile "
                 "range widened by a tenth (at least one period) are treated as strays.")
    if (~dated).any():
        note += f" {int((~dated).sum())} without a start time."
    return "".join(parts) + f'<p class="sa-muted">{_e(note)}</p>'


def agent_body(res: Result, agent: str, *, stats: pd.DataFrame, rank_text: str,
               cards: Mapping[str, str], titles: Mapping[tuple[str, str], tuple[str, str]],
               index_href: str, lowest: int = 5) -> str:
    """The body of one agent's page (HTML; every piece of data text escaped).

    Parameters
    ----------
    res
        The report's result.
    agent
        The agent's id.
    stats
        The agent's rows of the :func:`serviceart.analysis.aggregate.by` table
        (``principle``, ``n``, ``mean``, ``ci_low``, ``ci_high``).
    rank_text
        The agent's rank in words (``2``, ``1 (shared)``, ``not ranked``).
    cards
        Interaction id -> the scorecard page's path relative to this page, for the
        interactions that have one.
    titles
        ``(principle, criterion)`` -> ``(title, rationale)`` from the rubric.
    index_href
        The report's index, relative to this page.
    lowest
        How many of the lowest conversations are listed first.
    """
    inter = res.interactions
    mine = inter[inter["agent_id"].astype("string").eq(agent).fillna(False).to_numpy(bool)]
    ids = mine["interaction_id"].astype(str)
    scores = res.scores[res.scores["interaction_id"].astype(str).isin(set(ids))]
    keep = in_scope(scores)
    scored = scores[keep]
    out = [f'<p class="sa-muted"><a href="{_e(index_href)}#agents">&larr; all agents</a></p>']
    facts = [("conversations", _num(len(ids), 0)), ("scored", _num(len(scored), 0)),
             ("out of scope", _num(int((~keep).sum()), 0)), ("rank on overall", _e(rank_text))]
    for col, label in (("team", "teams"), ("channel", "channels")):
        if col in mine.columns:
            vals = mine[col].dropna().astype(str).value_counts()
            facts.append((label, _e(", ".join(f"{k} ({v})" for k, v in vals.items()))))
    if "started_at" in mine.columns and mine["started_at"].notna().any():
        when = pd.to_datetime(mine["started_at"], utc=True)
        facts.append(("first and last", f"{when.min():%Y-%m-%d} to {when.max():%Y-%m-%d}"))
    out.append('<table class="sa-table sa-facts">' + "".join(
        f"<tr><td>{_e(k)}</td><td>{v}</td></tr>" for k, v in facts) + "</table>")
    if len(stats):
        rows = []
        for r in stats.itertuples(index=False):
            ci = ("" if math.isnan(_f(r.ci_low)) else
                  f" <span class=sa-muted>({_num(r.ci_low)}&ndash;{_num(r.ci_high)})</span>")
            rows.append(f"<tr><td>{_e(str(r.principle))}</td><td class=sa-num>{_num(r.n, 0)}"
                        f"</td><td class=sa-num>{_num(r.mean)}{ci}</td></tr>")
        out.append("<h3>Mean scores</h3><table class=\"sa-table\"><tr><th>score</th><th>n</th>"
                   "<th>mean (interval)</th></tr>" + "".join(rows) + "</table>")
    out.append('<h3 id="over-time">Scores over time</h3>')
    frame = scored.merge(mine.loc[:, ["interaction_id", "started_at"]], on="interaction_id",
                         how="left") if "started_at" in mine.columns else scored.assign(
        started_at=pd.Series(pd.NaT, index=scored.index, dtype="datetime64[ns, UTC]"))
    out.append(trend_svg(frame["started_at"], frame.loc[:, list(SCORE_COLUMNS)]))
    contrib = res.contributions
    contrib = contrib[contrib["interaction_id"].astype(str).isin(set(scored["interaction_id"]
                                                                     .astype(str)))]
    out.append('<h3 id="costly">Criteria that cost the most points</h3>')
    out.append(_costly_table(costly_criteria(contrib), titles))
    out.append('<h3 id="conversations">Conversations, lowest overall first</h3>')
    out.append(_conversations(scored, mine, res, cards, lowest))
    return "\n".join(out)


def _costly_table(cost: pd.DataFrame, titles: Mapping[tuple[str, str], tuple[str, str]]) -> str:
    if cost.empty:
        return '<p class="sa-muted">No criterion lost points.</p>'
    rows = []
    for r in cost.itertuples(index=False):
        title, why = titles.get((str(r.principle), str(r.criterion)),
                                (criterion_title(str(r.criterion)), ""))
        rows.append(f'<tr><td><span class="sa-chip sa-p-{_e(str(r.principle))}">'
                    f"{_e(str(r.principle))}</span></td><td><span class=sa-crit-title>"
                    f"{_e(title)}</span> <code class=sa-crit-name>{_e(str(r.criterion))}</code>"
                    + (f"<div class=sa-rationale>{_e(why)}</div>" if why else "")
                    + f"</td><td class=sa-num>{_num(r.lost)}</td>"
                    f"<td class=sa-num>{_num(r.per_interaction)}</td>"
                    f"<td class=sa-num>{_f(r.short):.0f} of {_f(r.applied):.0f}</td></tr>")
    return ('<table class="sa-table sa-costly"><tr><th>principle</th><th>criterion</th>'
            "<th>points lost</th><th>per conversation</th><th>lost points in</th></tr>"
            + "".join(rows) + "</table><p class=sa-muted>Points lost add up over the agent's "
            "scored conversations where the criterion applied; an auto-fail counts the score "
            "it wiped out.</p>")


def _conversations(scored: pd.DataFrame, mine: pd.DataFrame, res: Result,
                   cards: Mapping[str, str], lowest: int) -> str:
    if scored.empty:
        return '<p class="sa-muted">No scored conversation.</p>'
    table = scored.merge(mine.drop(columns=[c for c in SCORE_COLUMNS if c in mine.columns]),
                         on="interaction_id", how="left")
    bands = res.bands
    if len(bands) and "overall_band" in bands.columns:
        table = table.merge(bands.loc[:, ["interaction_id", "overall_band"]],
                            on="interaction_id", how="left")
    worst = lowest_criterion(res.contributions[res.contributions["interaction_id"].isin(
        set(table["interaction_id"]))])
    table = table.merge(worst, on="interaction_id", how="left", suffixes=("", "_lost"))
    table = table.sort_values(["overall", "interaction_id"], kind="stable", na_position="last")
    heads = [("started", "text"), ("conversation", "text"), ("channel", "text"),
             ("overall", "num"), ("band", "text"),
             *[(p.replace("_", " "), "num") for p in PRINCIPLES],
             ("lost most on", "text")]
    rows = []
    for k, r in enumerate(table.to_dict("records")):
        iid = str(r["interaction_id"])
        href = cards.get(iid)
        started = r.get("started_at")
        when = "" if started is None or pd.isna(started) else \
            f"{pd.Timestamp(started):%Y-%m-%d %H:%M}"
        link = (f'<a href="{_e(href)}" class="sa-conv">{_e(iid)}</a>' if href
                else _e(iid) + ' <span class="sa-muted">(no scorecard page)</span>')
        cells = [f'<td data-sort="{_e(when)}">{_e(when) or "&ndash;"}</td>',
                 f'<td class="sa-id">{link}</td>',
                 f"<td>{_e(str(r.get('channel') or ''))}</td>",
                 _num_cell(r.get("overall")),
                 f"<td>{_e(str(r.get('overall_band') or ''))}</td>",
                 *[_num_cell(r.get(p)) for p in PRINCIPLES]]
        crit = r.get("criterion")
        cells.append("<td></td>" if crit is None or pd.isna(crit) else
                     f"<td>{_e(str(crit))} <span class=sa-muted>(&minus;"
                     f"{_num(r.get('points_lost'))}, {_e(str(r.get('principle')))})</span></td>")
        cls = ' class="sa-lowest"' if k < lowest else ""
        rows.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    n_cards = sum(1 for iid in table["interaction_id"].astype(str) if iid in cards)
    return ('<div class="sa-scroll"><table class="sa-table sa-sortable sa-conversations">'
            "<thead><tr>" + "".join(f'<th data-type="{t}">{_e(h)}</th>' for h, t in heads)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
            f'<p class="sa-muted">{len(table)} scored conversations, the {min(lowest, len(table))}'
            f" lowest shaded; {n_cards} with a scorecard page. Click a column to sort.</p>")


def _num_cell(x: object) -> str:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        v = math.nan
    if math.isnan(v):
        return '<td class=sa-num data-sort="">n/a</td>'
    return f'<td class=sa-num data-sort="{v:.4f}">{v:.1f}</td>'


def agent_stats(table: pd.DataFrame, agent: str) -> pd.DataFrame:
    """The agent's rows of a :func:`~serviceart.analysis.aggregate.by` table, in
    score-column order."""
    rows = table[table["agent_id"].astype("string").eq(agent).fillna(False).to_numpy(bool)]
    order = {k: i for i, k in enumerate(SCORE_COLUMNS)}
    return rows.iloc[np.argsort([order.get(str(p), 99) for p in rows["principle"]],
                                kind="stable")]
