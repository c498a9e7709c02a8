"""Plots of a scoring run, with matplotlib (the ``[plot]`` extra).

Four functions, each drawing on ``ax`` (a new figure when ``None``) and
returning the :class:`matplotlib.axes.Axes` for further styling:

- :func:`principles`: the distribution of every principle score (box and points).
- :func:`agents`: mean score per agent (or any group of :meth:`Result.by
  <serviceart.result.Result.by>`) with its confidence interval; groups too
  small to rank are greyed out.
- :func:`trend`: mean principle scores per period (day, week, month) with
  their intervals.
- :func:`talk`: who spoke when in one interaction, with interruptions and
  silences marked.

An empty result, or a result with a single interaction, gives a plot with a
note in place of the data, never an exception.

matplotlib is imported on first use. When no backend has been chosen (no
``MPLBACKEND``, no ``backend`` in ``matplotlibrc``, pyplot not yet imported) and
there is no display (Linux without ``DISPLAY`` or ``WAYLAND_DISPLAY``), the
non-interactive ``Agg`` backend is selected; Jupyter sets its own backend and is
left alone.

Examples
--------
>>> import matplotlib.pyplot as plt
>>> import serviceart as sa
>>> from serviceart import plot
>>> res = sa.score(sa.read("data/samples"))
>>> ax = plot.principles(res)
>>> [t.get_text() for t in ax.get_yticklabels()][:2]
['respect (n=13)', 'service (n=13)']
>>> plt.close("all")
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .analysis.aggregate import SCORE_COLUMNS, check_principles
from .analysis.aggregate import by as aggregate_by
from .codebook import PRINCIPLES
from .errors import ConfigError
from .views.dates import date_window

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .result import Result

__all__ = ["SILENCE_S", "agents", "principles", "talk", "trend"]

#: A gap with nobody speaking longer than this (seconds) is marked as a silence.
SILENCE_S = 2.0

_ROLE_COLOURS = {"agent": "#1f77b4", "customer": "#ff7f0e", "system": "#8c8c8c"}
_ROLE_ORDER = {"agent": 0, "customer": 1, "system": 2}
_GREY = "#b0b0b0"
_INTERRUPT = "#d62728"
_ALL = "_serviceart_all"
#: The days of a period, the least the date window of :func:`trend` is widened by.
_PERIOD_DAYS = {"D": 1, "W": 7, "M": 31, "ME": 31, "Q": 92, "QE": 92, "Y": 366, "YE": 366}
_PERIOD_NAMES = {"D": "day", "W": "week", "M": "month", "ME": "month", "Q": "quarter",
                 "QE": "quarter", "Y": "year", "YE": "year"}


# --------------------------------------------------------------------------- helpers

def _pyplot() -> Any:
    """Import pyplot, choosing ``Agg`` only when no backend is set and there is no display."""
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("serviceart.plot needs matplotlib; install the plot extra: "
                          "pip install 'serviceart[plot]'") from exc
    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        chosen = getattr(matplotlib.rcParams, "_get_backend_or_none", lambda: None)()
        headless = (sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))
                    and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"))
        if chosen is None and headless:
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    _, new = _pyplot().subplots(figsize=size, layout="constrained")
    return new


def _note(ax: Axes, text: str) -> Axes:
    """An empty plot saying why there is nothing to draw."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center",
            color="#606060", wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def _scores(res: Result) -> pd.DataFrame:
    scores = getattr(res, "scores", None)
    if scores is None or "interaction_id" not in getattr(scores, "columns", ()):
        return pd.DataFrame({"interaction_id": pd.Series(dtype="string")})
    return scores


def _choose(res: Result, principles: str | Sequence[str] | None,
            default: Sequence[str]) -> list[str]:
    """Principles to draw: checked against the scores when there are score columns."""
    scores = _scores(res)
    if principles is None:
        present = [p for p in default if p in scores.columns]
        return present or list(default)
    if len(scores.columns) > 1:
        return check_principles(res, principles)
    return [principles] if isinstance(principles, str) else list(principles)


# --------------------------------------------------------------------------- principles

def principles(res: Result, *, principles: str | Sequence[str] | None = None,
               ax: Axes | None = None) -> Axes:
    """The distribution of each principle score: a box and every interaction as a point.

    Parameters
    ----------
    res
        A scored run.
    principles
        Score columns to show (default: the four principles and ``overall``).
    ax
        Axes to draw on; a new figure when ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        One row per principle (``n`` scored interactions in its label), scores
        0..100 along x. NaN scores (no criterion applied) are left out. An empty
        result gives a note instead.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import serviceart as sa
    >>> res = sa.score(sa.read("data/samples"))
    >>> ax = principles(res, principles=["integrity", "overall"])
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['integrity (n=13)', 'overall (n=13)']
    >>> plt.close(ax.figure)
    """
    cols = _choose(res, principles, SCORE_COLUMNS)
    ax = _axes(ax, (7.0, 0.55 * len(cols) + 1.4))
    scores = _scores(res)
    values = [scores[c].to_numpy(dtype=float, na_value=np.nan) if c in scores.columns
              else np.array([]) for c in cols]
    values = [v[~np.isnan(v)] for v in values]
    if not any(len(v) for v in values):
        return _note(ax, "no scored interactions to plot")
    pos = np.arange(len(cols))[::-1].astype(float)
    drawn = [(v, p) for v, p in zip(values, pos, strict=True) if len(v)]
    import matplotlib

    # ``vert`` is deprecated from matplotlib 3.10, which has ``orientation`` instead
    horizontal: dict[str, Any] = (
        {"orientation": "horizontal"} if matplotlib.__version_info__ >= (3, 10)
        else {"vert": False})
    ax.boxplot([v for v, _ in drawn], positions=[p for _, p in drawn], widths=0.5,
               showfliers=False, medianprops={"color": "black"},
               boxprops={"color": "#606060"}, whiskerprops={"color": "#606060"},
               capprops={"color": "#606060"}, **horizontal)
    rng = np.random.default_rng(0)  # fixed jitter: the same result draws the same plot
    for k, (v, p) in enumerate(drawn):
        jitter = rng.uniform(-0.15, 0.15, len(v)) if len(v) > 1 else np.zeros(1)
        ax.scatter(v, p + jitter, s=16, alpha=0.7, color=f"C{k}", zorder=3)
    ax.set_yticks(pos, [f"{c} (n={len(v)})" for c, v in zip(cols, values, strict=True)])
    ax.set_xlim(-3.0, 103.0)  # room for the points at 0 and 100
    ax.set_xticks(np.arange(0, 101, 20))
    ax.set_ylim(-0.6, len(cols) - 0.4)
    ax.set_xlabel("score (0..100)")
    ax.set_title("principle scores", loc="left")
    ax.grid(axis="x", alpha=0.3)
    return ax


# --------------------------------------------------------------------------- agents

def _key_columns(table: pd.DataFrame) -> list[str]:
    keys = table.attrs.get("keys")
    if keys:
        return [k for k in keys if k in table.columns]
    if "principle" not in table.columns:
        return []
    return [c for c in table.columns[:list(table.columns).index("principle")] if c != "period"]


def agents(table: pd.DataFrame, principle: str = "overall", *, ax: Axes | None = None,
           min_n: int | None = None) -> Axes:
    """Mean score per agent with its confidence interval; small groups greyed out.

    Parameters
    ----------
    table
        A table from :meth:`Result.by <serviceart.result.Result.by>` without a
        period, e.g. ``res.by("agent_id")`` (any key works: team, segment...).
    principle
        The score column to show.
    ax
        Axes to draw on; a new figure when ``None``.
    min_n
        Groups with fewer interactions are greyed out (default: the table's
        ``rankable`` flag, i.e. the ``min_n`` it was built with).

    Returns
    -------
    matplotlib.axes.Axes
        One row per group, best mean on top: a dot at the mean and a line over
        the interval (none when ``n_boot=0``). Greyed rows are too small to
        compare and are listed last. An empty table gives a note instead.

    Raises
    ------
    ConfigError
        When the table is not from ``by()``, has a period, or lacks ``principle``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import serviceart as sa
    >>> res = sa.score(sa.read("data/samples"))
    >>> ax = agents(res.by("agent_id", principles="overall", n_boot=200, min_n=2))
    >>> labels = [t.get_text() for t in ax.get_yticklabels()]
    >>> labels[:2], labels[-1]  # rankable agents first, best on top
    (['priya.s (n=2)', 'kofi.a (n=2)'], 'leo.m (n=1)')
    >>> plt.close(ax.figure)
    """
    needed = {"principle", "n", "mean", "ci_low", "ci_high"}
    if not needed <= set(table.columns):
        raise ConfigError("agents() needs a table from res.by(...) with columns "
                          f"{sorted(needed)}; got {list(table.columns)}", code="SA-C069")
    if "period" in table.columns and table.attrs.get("period") is not None:
        raise ConfigError("agents() draws one interval per group; the table has a period "
                          "column: build it without period= (use trend() for periods)",
                          code="SA-C070")
    keys = _key_columns(table)
    ax = _axes(ax, (7.0, 0.3 * table["principle"].eq(principle).sum() + 1.6))
    if table.empty:
        return _note(ax, "no groups to plot")
    present = list(pd.unique(table["principle"].astype(str)))
    if principle not in present:
        raise ConfigError(f"the table has no principle {principle!r}; it has: "
                          f"{', '.join(present)}", code="SA-C071")
    sub = table[table["principle"].astype(str) == principle].reset_index(drop=True)
    if min_n is not None:
        ok = sub["n"].to_numpy() >= min_n
    elif "rankable" in sub.columns:
        ok = sub["rankable"].to_numpy(dtype=bool)
    else:
        ok = np.ones(len(sub), dtype=bool)
    mean = sub["mean"].to_numpy(dtype=float)
    ok = ok & ~np.isnan(mean)
    names = [" / ".join("(missing)" if pd.isna(v) else str(v) for v in row)
             for row in zip(*(sub[k] for k in keys), strict=True)] if keys else \
        [str(i) for i in range(len(sub))]
    order = sorted(range(len(sub)), key=lambda i: (not ok[i], np.isnan(mean[i]),
                                                    -np.nan_to_num(mean[i]), names[i]))
    lo = sub["ci_low"].to_numpy(dtype=float)
    hi = sub["ci_high"].to_numpy(dtype=float)
    n = sub["n"].to_numpy()
    y = np.arange(len(order))[::-1].astype(float)
    for yy, i in zip(y, order, strict=True):
        colour = "C0" if ok[i] else _GREY
        if not np.isnan(lo[i]):
            ax.plot([lo[i], hi[i]], [yy, yy], color=colour, lw=2.5, alpha=0.6,
                    solid_capstyle="butt")
        if not np.isnan(mean[i]):
            ax.plot([mean[i]], [yy], "o", color=colour, ms=6, zorder=3)
    ax.set_yticks(y, [f"{names[i]} (n={n[i]})" for i in order])
    for label, i in zip(ax.get_yticklabels(), order, strict=True):
        if not ok[i]:
            label.set_color("#808080")
    ax.set_xlim(-3.0, 103.0)
    ax.set_xticks(np.arange(0, 101, 20))
    ax.set_ylim(-0.6, len(order) - 0.4)
    ci = table.attrs.get("ci")
    xlabel = f"mean {principle} score" + (f" with {ci:.0%} interval" if ci else "")
    threshold = min_n if min_n is not None else table.attrs.get("min_n")
    if not ok.all():
        small = f"n < {threshold}" if threshold is not None else "not rankable"
        xlabel += f"; grey: {small}, too few to compare"
    ax.set_xlabel(xlabel)
    ax.set_title(f"{principle} by {' / '.join(keys) or 'group'}", loc="left")
    ax.grid(axis="x", alpha=0.3)
    return ax


# --------------------------------------------------------------------------- trend

def trend(res: Result, period: str = "W", *,
          principles: str | Sequence[str] | None = None, ax: Axes | None = None,
          n_boot: int = 200, ci: float = 0.95, seed: int = 0,
          strays: tuple[float, float] | None = (0.01, 0.99)) -> Axes:
    """Mean principle scores per period over ``started_at``, with bootstrap intervals.

    Parameters
    ----------
    res
        A scored run whose ``interactions`` have ``started_at``.
    period
        A pandas period alias: ``"D"``, ``"W"`` (weeks starting Monday), ``"M"``...
    principles
        Score columns to draw (default: the four principles).
    ax
        Axes to draw on; a new figure when ``None``.
    n_boot, ci, seed
        Bootstrap resamples (0: no bands), confidence level and seed of the
        intervals (see :func:`serviceart.analysis.aggregate.by`).
    strays
        The quantiles of ``started_at`` that bound the dates drawn: the range
        from the 1st to the 99th percentile, widened on each side by a tenth of
        its length or one period, whichever is longer
        (:func:`serviceart.views.dates.date_window`). Interactions outside are
        stray (a few old threads in an export) and are left out, counted in a
        note. ``None`` draws every date.

    Returns
    -------
    matplotlib.axes.Axes
        One line per principle through the period means (x at the start of each
        period), a shaded band over the interval. Interactions without
        ``started_at`` and stray dates are left out and counted in a note; an
        empty or undated result gives a note instead.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import serviceart as sa
    >>> res = sa.score(sa.read("data/samples"))
    >>> ax = trend(res, "W", principles=["service", "integrity"], n_boot=100)
    >>> [line.get_label() for line in ax.get_lines()]
    ['service', 'integrity']
    >>> len(ax.get_lines()[0].get_xdata())  # weeks of 2 and 9 March 2026
    2
    >>> plt.close(ax.figure)
    """
    cols = _choose(res, principles, PRINCIPLES)
    ax = _axes(ax, (8.0, 4.0))
    name = _PERIOD_NAMES.get(period, period)
    scores = _scores(res)
    inter = getattr(res, "interactions", None)
    if scores.empty:
        return _note(ax, "no scored interactions to plot")
    if inter is None or not {"interaction_id", "started_at"} <= set(inter.columns):
        return _note(ax, "the interactions have no started_at: no trend to draw")
    dated = inter.loc[:, ["interaction_id", "started_at"]].assign(**{_ALL: "all"})
    stray_note = ""
    if strays is not None:
        when = pd.to_datetime(dated["started_at"], utc=True)
        days = _PERIOD_DAYS.get(period)
        window = date_window(when, low=strays[0], high=strays[1],
                             pad=pd.Timedelta(days=days) if days else None)
        if window.left_out:
            out = ((when < window.start) | (when > window.end)).to_numpy(dtype=bool)
            gone = set(dated.loc[out, "interaction_id"].astype(str))
            dated = dated[~out]
            scores = scores[~scores["interaction_id"].astype(str).isin(gone)]
            stray_note = window.note() + " as stray dates"
    tagged = replace(res, scores=scores, interactions=dated)
    table = aggregate_by(tagged, _ALL, period, principles=cols, n_boot=n_boot, ci=ci,
                         min_n=1, seed=seed)
    undated = int(table.attrs.get("undated", 0))
    table = table[table["period"].notna()]
    if table.empty:
        return _note(ax, "no interaction has a started_at: no trend to draw")
    for k, p in enumerate(cols):
        rows = table[table["principle"].astype(str) == p].sort_values("period")
        rows = rows[rows["n"] > 0]
        when = pd.PeriodIndex(rows["period"]).start_time
        ax.plot(when, rows["mean"], marker="o", color=f"C{k}", label=p)
        if n_boot > 0 and len(rows):
            ax.fill_between(when, rows["ci_low"], rows["ci_high"], color=f"C{k}", alpha=0.15,
                            lw=0)
    counts = table.drop_duplicates("period")["n"]
    ax.set_ylim(-3.0, 103.0)
    ax.set_yticks(np.arange(0, 101, 20))
    ax.set_ylabel("mean score")
    ax.set_xlabel(f"{name} (start)")
    lo, hi = int(counts.min()), int(counts.max())
    ax.set_title(f"mean score per {name} ({lo if lo == hi else f'{lo} to {hi}'} "
                 f"interactions per {name})", loc="left")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize="small", frameon=False)
    notes = ([f"{undated} interaction(s) without started_at left out"] if undated else []) + (
        [stray_note] if stray_note else [])
    if notes:
        ax.text(0.99, 0.02, "\n".join(notes), transform=ax.transAxes, ha="right",
                va="bottom", fontsize="small", color="#606060")
    ax.figure.autofmt_xdate()
    return ax


# --------------------------------------------------------------------------- talk

def _timed_turns(turns: pd.DataFrame) -> pd.DataFrame:
    if not {"start_s", "end_s"} <= set(turns.columns):
        return turns.iloc[:0]
    start = pd.to_numeric(turns["start_s"], errors="coerce")
    end = pd.to_numeric(turns["end_s"], errors="coerce")
    return turns[start.notna() & end.notna()]


def _rows(turns: pd.DataFrame) -> tuple[list[str], list[int]]:
    """Row labels (role and speaker) and the row of every turn, agents on top."""
    role = turns["role"].astype(str).to_numpy()
    speaker = (turns["speaker"].astype("string").fillna("").to_numpy(dtype=object)
               if "speaker" in turns.columns else np.full(len(turns), "", dtype=object))
    labels = [f"{r} {s}".strip() if s and s != r else r
              for r, s in zip(role, speaker, strict=True)]
    first = {lab: k for k, lab in reversed(list(enumerate(labels)))}
    ordered = sorted(set(labels), key=lambda lab: (_ROLE_ORDER.get(lab.split()[0], 3),
                                                   first[lab]))
    return ordered, [ordered.index(lab) for lab in labels]


def _interruptions(role: np.ndarray, start: np.ndarray,
                   end: np.ndarray) -> list[tuple[int, float, float]]:
    """(turn position, overlap start, overlap end) of every turn that starts before the
    other side's previous turn has ended (the definition of the talk scorer)."""
    last_end = {"agent": -np.inf, "customer": -np.inf}
    out = []
    for k, (r, s, e) in enumerate(zip(role, start, end, strict=True)):
        if r in last_end:
            other = "customer" if r == "agent" else "agent"
            if s < last_end[other]:
                out.append((k, float(s), float(min(last_end[other], e))))
            last_end[r] = max(last_end[r], e)
    return out


def _silences(start: np.ndarray, end: np.ndarray, longer_than: float
              ) -> list[tuple[float, float]]:
    """Gaps longer than ``longer_than`` seconds in which nobody (any role) speaks."""
    out = []
    covered = -np.inf
    for s, e in sorted(zip(start, end, strict=True)):
        if covered > -np.inf and s - covered > longer_than:
            out.append((float(covered), float(s)))
        covered = max(covered, e)
    return out


def talk(res: Result, interaction_id: str, *, ax: Axes | None = None,
         silence_s: float = SILENCE_S) -> Axes:
    """A timeline of one interaction: who spoke when, interruptions and silences marked.

    Parameters
    ----------
    res
        A scored run with its ``turns``.
    interaction_id
        The interaction to draw.
    ax
        Axes to draw on; a new figure when ``None``.
    silence_s
        Gaps with nobody speaking longer than this many seconds are marked.

    Returns
    -------
    matplotlib.axes.Axes
        One row per speaker (agents on top, then the customer, then system
        messages), a bar per turn from ``start_s`` to ``end_s``.
        Interruptions (a turn that starts before the other side's previous turn
        has ended, as counted by ``interruptions_by_agent`` / ``_by_customer``)
        get a red triangle at their start and the overlap shaded red; silences
        are shaded grey with their length.

        Chats have message times (``timestamp``) but no durations: each message
        is drawn as a tick at its time since the first message; interruptions and
        silences are not defined there and are not marked. Turns without
        ``start_s``/``end_s`` in an otherwise timed interaction are left out and
        counted in a note. A result without turns (e.g. an empty one) gives a
        note instead.

    Raises
    ------
    ConfigError
        When the result has turns but none of ``interaction_id``, or when the
        interaction has no timing at all (neither ``start_s``/``end_s`` nor
        ``timestamp``, e.g. a transcript without times): there is no "when" to
        draw; read its turns with ``res.turns`` or its scores with ``res.explain``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import serviceart as sa
    >>> res = sa.score(sa.read("data/samples"))
    >>> ax = talk(res, "call-0003")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['agent leo.m', 'customer cust-3307']
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['interruption (3)']
    >>> plt.close(ax.figure)
    >>> ax = talk(res, "chat-0001")  # a chat: messages at their times
    >>> ax.get_xlabel()
    'minutes since the first message'
    >>> plt.close(ax.figure)
    """
    turns = getattr(res, "turns", None)
    if turns is None or "interaction_id" not in getattr(turns, "columns", ()) or turns.empty:
        return _note(_axes(ax, (10.0, 2.5)),
                     "the result has no turns (an empty result, or one read without them)")
    mine = turns[turns["interaction_id"].astype(str) == str(interaction_id)]
    if mine.empty:
        known = list(pd.unique(turns["interaction_id"].astype(str)))
        shown = ", ".join(known[:5]) + (", ..." if len(known) > 5 else "")
        raise ConfigError(f"no turns for interaction {interaction_id!r}; the result has "
                          f"{len(known)} interaction(s) with turns: {shown}", code="SA-C072")
    if "turn_index" in mine.columns:
        mine = mine.sort_values("turn_index", kind="stable")
    timed = _timed_turns(mine)
    if len(timed):
        return _talk_timed(timed, len(mine) - len(timed), str(interaction_id), ax, silence_s)
    if "timestamp" in mine.columns and pd.to_datetime(mine["timestamp"], utc=True).notna().any():
        return _talk_messages(mine, str(interaction_id), ax)
    raise ConfigError(f"interaction {interaction_id!r} has no timing (no start_s/end_s and no "
                      "timestamp on its turns), so there is no timeline to draw; read its "
                      "turns in res.turns or its scores with res.explain(id)", code="SA-C073")


def _talk_timed(turns: pd.DataFrame, untimed: int, iid: str, ax: Axes | None,
                silence_s: float) -> Axes:
    labels, row = _rows(turns)
    ax = _axes(ax, (10.0, 0.45 * len(labels) + 1.8))
    role = turns["role"].astype(str).to_numpy()
    start = turns["start_s"].to_numpy(dtype=float)
    end = turns["end_s"].to_numpy(dtype=float)
    y = len(labels) - 1 - np.asarray(row, dtype=float)
    for r in dict.fromkeys(role):
        mask = role == r
        ax.barh(y[mask], end[mask] - start[mask], left=start[mask], height=0.6,
                color=_ROLE_COLOURS.get(r, "#9467bd"), alpha=0.85)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    cuts = _interruptions(role, start, end)
    for _, s, e in cuts:
        ax.axvspan(s, e, color=_INTERRUPT, alpha=0.3, lw=0)
    if cuts:
        ax.plot([start[k] for k, _, _ in cuts], [y[k] + 0.42 for k, _, _ in cuts], "v",
                color=_INTERRUPT, ms=7, zorder=4)
        handles.append(Line2D([], [], marker="v", ls="", color=_INTERRUPT,
                              label=f"interruption ({len(cuts)})"))
    gaps = _silences(start, end, silence_s)
    for s, e in gaps:
        ax.axvspan(s, e, color=_GREY, alpha=0.3, lw=0)
        ax.text((s + e) / 2, len(labels) - 0.45, f"{e - s:.0f} s", ha="center", va="bottom",
                fontsize="x-small", color="#606060")
    if gaps:
        handles.append(Patch(color=_GREY, alpha=0.3,
                             label=f"silence > {silence_s:g} s ({len(gaps)})"))
    ax.set_yticks(np.arange(len(labels))[::-1].astype(float), labels)
    ax.set_ylim(-0.6, len(labels) - 0.1)
    ax.set_xlim(0.0, max(float(end.max()), 1.0) * 1.01)
    ax.set_xlabel("seconds from the start")
    ax.set_title(f"{iid}: who spoke when", loc="left")
    ax.grid(axis="x", alpha=0.3)
    if handles:
        ax.legend(handles=handles, loc="upper right", bbox_to_anchor=(1.0, -0.18), ncols=2,
                  fontsize="small", frameon=False)
    if untimed:
        ax.text(0.0, -0.3, f"{untimed} turn(s) without start_s/end_s not shown",
                transform=ax.transAxes, fontsize="small", color="#606060")
    return ax


def _talk_messages(turns: pd.DataFrame, iid: str, ax: Axes | None) -> Axes:
    when = pd.to_datetime(turns["timestamp"], utc=True)
    turns = turns[when.notna()]
    when = when[when.notna()]
    labels, row = _rows(turns)
    ax = _axes(ax, (10.0, 0.45 * len(labels) + 1.8))
    minutes = ((when - when.min()).dt.total_seconds() / 60.0).to_numpy(dtype=float)
    role = turns["role"].astype(str).to_numpy()
    y = len(labels) - 1 - np.asarray(row, dtype=float)
    for r in dict.fromkeys(role):
        mask = role == r
        ax.plot(minutes[mask], y[mask], "|", ms=18, mew=3, color=_ROLE_COLOURS.get(r, "#9467bd"))
    ax.set_yticks(np.arange(len(labels))[::-1].astype(float), labels)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    span = float(minutes.max()) if len(minutes) else 0.0
    ax.set_xlim(-0.02 * max(span, 1.0), max(span, 1.0) * 1.02)
    ax.set_xlabel("minutes since the first message")
    ax.set_title(f"{iid}: messages (no durations; interruptions and silences not defined)",
                 loc="left")
    ax.grid(axis="x", alpha=0.3)
    return ax
