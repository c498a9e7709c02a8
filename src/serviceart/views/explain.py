"""Why an interaction got its scores: contributions, bands and quoted evidence.

:func:`explain` gathers, for one interaction, each principle's score and band,
every criterion's value, weight, whether it applied and the points it won and
lost, the measures its expressions read, and the evidence rows (quoted spans of
the transcript) behind the cues it names, the key measures, the promises with
their status and the transcript. The :class:`Explanation` prints as plain text
(cues marked ``[promise: I'll call you back]``) and renders as an HTML
scorecard in Jupyter (score bars over the rubric's bands, the criteria that
moved each score, key measures, promises, and the transcript with every cue
highlighted in its principle's colour, its name on hover, and each turn's
timing). Every piece of text is escaped (transcripts are untrusted customer
data): the highlighting slices the raw text at the cue offsets and escapes each
piece; the scorecard has no script and no external resource.

Examples
--------
>>> import serviceart as sa
>>> res = sa.score(sa.read("data/samples/calls.csv"))
>>> ex = explain(res, "call-0003")
>>> ex.scores["respect"], ex.bands["respect"]
(0.0, 'fails')
>>> print(str(ex).splitlines()[2])
respect: 0.0 / 100 [fails], failed by disrespect_fails
"""

from __future__ import annotations

import difflib
import functools
import html
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..codebook import CUES, MEASURES, PRINCIPLES, SCORER_CUE_MEASURES
from ..cues.categories import MEASURE_PREFIX as CATEGORY_PREFIX
from ..errors import InputError
from ..rubric.core import Criterion, Rubric
from ..rubric.expr import ExpressionError, evaluate, names_in

__all__ = ["KEY_MEASURES", "PRINCIPLE_COLOURS", "Explanation", "criterion_title", "explain"]

_EVIDENCE_COLS = ("turn_index", "role", "cue", "start_char", "end_char", "text")
#: measure -> the scorer cue whose evidence rows are behind it
_BEHIND = {m: cue for cue, measures in SCORER_CUE_MEASURES.items() for m in measures}


@functools.lru_cache(maxsize=4096)
def _names(expression: str) -> frozenset[str]:
    """The names an expression reads (cached: a report explains many interactions with the
    same rubric)."""
    try:
        return frozenset(names_in(expression))
    except ExpressionError:
        return frozenset()


def criterion_title(criterion: Criterion | str) -> str:
    """A criterion's title for people: its ``title`` when the rubric gives one, else its
    name in words (``no_disrespect`` -> ``No disrespect``).

    >>> criterion_title("acknowledges_problem")
    'Acknowledges problem'
    """
    given = getattr(criterion, "title", "")
    if isinstance(given, str) and given.strip():
        return given.strip()
    name = criterion if isinstance(criterion, str) else criterion.name
    words = " ".join(name.replace("_", " ").split())
    return words[:1].upper() + words[1:] if words else name


def _moves(criterion: Criterion, name: str, mrow: pd.DataFrame) -> int:
    """Which way a cue (or the measure ``name`` a scorer builds from it) moves the
    criterion's points: +1 helped, -1 hurt, 0 no effect on its own.

    The criterion's value is evaluated on the interaction's measures twice, with
    the cues and cue-built measures it reads all at 0, then with only ``name`` at
    its own value; an auto-fail criterion's value counts against. A measure at 0
    (a promise cue behind ``promises_broken`` when none broke) moved nothing."""
    if mrow.empty or name not in mrow.columns:
        return 0
    names = _names(criterion.value)
    own = _float(mrow[name].iloc[0])
    if math.isnan(own) or own <= 0:
        return 0
    # a one-row frame of the names the value reads (all of the run's measures is slow)
    row = pd.DataFrame({n: [0.0 if _cue_built(n) else _float(mrow[n].iloc[0])]
                        for n in names if n in mrow.columns})
    try:
        none = float(evaluate(criterion.value, row)[0])
        row[name] = own
        alone = float(evaluate(criterion.value, row)[0])
    except (ExpressionError, KeyError, ValueError):
        return 0
    if math.isnan(none) or math.isnan(alone) or alone == none:
        return 0
    up = 1 if alone > none else -1
    return -up if criterion.kind == "auto_fail" else up


def _cue_built(name: str) -> bool:
    """Whether ``name`` is a cue, a measure a scorer counts from a cue's evidence, or a
    category's count (``category_<name>``, from the category's evidence rows)."""
    return name in CUES or name in _BEHIND or name.startswith(CATEGORY_PREFIX)


def _evidence_keys(ev: pd.DataFrame) -> np.ndarray:
    """Each evidence row's cue, as the criteria name it: a category's rows (cue
    ``category``) by their measure, ``category_<name>`` (the name is in ``detail``)."""
    cue = ev["cue"].astype(str).to_numpy(dtype=object)
    at = np.flatnonzero(cue == "category")
    if len(at) and "detail" in ev.columns:
        cue = cue.copy()
        details = ev["detail"].to_numpy(dtype=object)
        for k in at.tolist():
            try:
                name = json.loads(details[k]).get("category")
            except (TypeError, ValueError, AttributeError):
                continue
            if isinstance(name, str) and name:
                cue[k] = f"{CATEGORY_PREFIX}{name}"
    return cue


#: The measures a scorecard shows under "key measures", in order.
KEY_MEASURES: tuple[str, ...] = (
    "customer_talk_share", "agent_talk_share", "silence_share", "longest_agent_monologue_s",
    "interruptions_by_agent", "first_response_s", "median_reply_s", "max_reply_s",
    "replies_over_sla", "unanswered_customer_turns", "handoffs", "hold_s", "promises",
    "promises_kept", "promises_broken", "promises_open", "repeat_contact", "contacts_in_case")

#: The colour of each principle's cue highlights, bars and histograms.
PRINCIPLE_COLOURS: dict[str, str] = {"respect": "#7048e8", "service": "#1c7ed6",
                                     "integrity": "#e8590c", "follow_through": "#2f9e44"}


@dataclass
class Explanation:
    """One interaction's scorecard (see :func:`explain`).

    Attributes
    ----------
    interaction_id
        The interaction.
    scores
        ``{principle: score}`` and ``overall`` (NaN when nothing applied).
    bands
        ``{principle: band}`` and ``overall`` (``None`` without bands or score).
    table
        The interaction's contributions (one row per criterion: ``principle``,
        ``criterion``, ``kind``, ``value``, ``weight``, ``bonus_points``,
        ``applied``, ``points``, ``points_lost``) joined with the evidence rows
        of the cues each criterion's expressions name (``via`` says whether the
        cue is read by ``value`` or ``applies``; ``turn_index``, ``role``,
        ``cue``, ``start_char``, ``end_char``, ``text``; ``effect``: ``helped``
        or ``hurt`` when an agent's cue raises or lowers the criterion's value on
        its own, else ``context``: cues the customer said, cues that decide only
        whether the criterion applies, and cues that change nothing alone); a
        criterion with no such evidence has one row with those columns missing.
    contributions
        The interaction's contribution rows, with ``kind``, ``bonus_points``,
        ``title`` (:func:`criterion_title`) and the rubric's ``rationale``.
    evidence
        Every evidence row of the interaction.
    measures
        ``{measure: value}`` for the measures (not cues) the criteria read.
    rubric
        ``run_info["rubric"]`` (name, version, hash, source).
    turns
        The interaction's transcript (``result.turns`` rows; empty when the run
        was stored without turns).
    promises
        The interaction's rows of the promise ledger, with their status.
    key_measures
        ``{measure: value}`` for :data:`KEY_MEASURES` (talk shares, latency,
        handoffs, promises).
    about
        Interaction metadata shown in the header (channel, agent, start, case,
        and an email's ``subject``, which heads the scorecard).
    band_edges
        ``{principle or "overall": [(band, min), ...]}`` from the rubric.
    scope, scope_reason
        ``service``, ``no_agent`` or ``non_service``, and why it is out of scope
        (out-of-scope interactions have no agent scores; the evidence row with cue
        ``scope`` quotes what put a non-service thread out).
    """

    interaction_id: str
    scores: dict[str, float]
    bands: dict[str, str | None]
    table: pd.DataFrame
    contributions: pd.DataFrame
    evidence: pd.DataFrame
    measures: dict[str, float]
    rubric: dict[str, Any]
    _reads: dict[tuple[str, str], list[str]]
    _failed_by: dict[str, list[str]]
    turns: pd.DataFrame = field(default_factory=pd.DataFrame)
    promises: pd.DataFrame = field(default_factory=pd.DataFrame)
    key_measures: dict[str, float] = field(default_factory=dict)
    about: dict[str, str] = field(default_factory=dict)
    band_edges: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    scope: str = "service"
    scope_reason: str | None = None

    # -- text -------------------------------------------------------------------------
    def _header(self) -> str:
        r = self.rubric
        head = (f"{self.title} ({self.interaction_id})" if self.title != self.interaction_id
                else self.interaction_id)
        return (f"{head} - rubric {r.get('name', '?')!s} "
                f"v{r.get('version', '?')!s} ({r.get('hash', '?')!s})")

    def __str__(self) -> str:
        lines = [self._header()]
        if self.scope != "service":
            lines.append(f"out of scope: {self.scope} ({self.scope_reason or 'no reason'}); "
                         "no agent scores")
        note = "nothing applied" if self.scope == "service" else "out of scope"
        lines.append(f"overall: {_fmt_score(self.scores['overall'], note)}"
                     + _band(self.bands["overall"]))
        for p in PRINCIPLES:
            rows = self.contributions[self.contributions["principle"] == p]
            if rows.empty:
                continue
            head = f"{p}: {_fmt_score(self.scores[p], note)}" + _band(self.bands[p])
            if self._failed_by.get(p):
                head += f", failed by {', '.join(self._failed_by[p])}"
            lines.append(head)
            if self._failed_by.get(p):
                lines.append(f"  {self.failure_words(p)}")
            lines.append(f"  {'criterion':<34}{'kind':<10}{'value':>6}{'weight':>8}"
                         f"{'applied':>9}{'won':>7}{'lost':>7}")
            for row in rows.itertuples(index=False):
                lines.append(f"  {row.criterion:<34}{row.kind:<10}{_fmt(row.value):>6}"
                             f"{_weight(row):>8}{'yes' if row.applied else 'no':>9}"
                             f"{row.points:>7.1f}{row.points_lost:>7.1f}")
            reads = self._measures_of(p)
            if reads:
                lines.append("  measures: " + ", ".join(f"{k} = {_fmt(v)}"
                                                        for k, v in reads.items()))
            quotes = self._quotes(p)
            if quotes:
                lines.append("  evidence:")
                lines += [f"    {crit} <- {cue}, turn {turn} ({role}): \"{text}\" [{effect}]"
                          for crit, cue, turn, role, text, effect in quotes]
        if self.key_measures:
            lines.append("key measures: " + ", ".join(
                f"{k} = {_fmt_measure(k, v)}" for k, v in self.key_measures.items()))
        if len(self.promises):
            lines.append("promises:")
            lines += [f"  turn {turn} ({who}): \"{action}\", due {due}: {status}"
                      for turn, who, action, due, status, _ in self._promise_rows()]
        if len(self.turns):
            lines.append("transcript (cues as [cue: text]):")
            for turn, role, speaker, text in self._turn_rows():
                when = self._timing(turn)
                marked = _markup(text, self._spans(turn), lambda k: (
                    f"[{self._cue_label(k)}: "), lambda k: "]", str)
                lines.append(f"  {turn:>3} {when + ' ' if when else ''}{role}"
                             f"{f' ({speaker})' if speaker else ''}: {marked}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        if self.scope != "service":
            return f"<Explanation {self.interaction_id}: out of scope ({self.scope})>"
        return f"<Explanation {self.interaction_id}: overall {_fmt_score(self.scores['overall'])}>"

    def _cue_label(self, k: int) -> str:
        """Evidence row ``k``'s cue, with ``(model 0.91)`` when the learned detector found it."""
        ev = self.evidence
        cue = str(ev["cue"].iloc[k])
        # rows a scorer or the scope stage added carry no source (missing, not "model")
        if "source" in ev.columns and str(ev["source"].iloc[k]) == "model":
            return f"{cue} (model {float(ev['confidence'].iloc[k]):.2f})"
        return cue

    def _measures_of(self, principle: str) -> dict[str, float]:
        names: list[str] = []
        for (p, _), reads in self._reads.items():
            if p == principle:
                names += [n for n in reads if n not in CUES and n in self.measures]
        return {n: self.measures[n] for n in dict.fromkeys(names)}

    def _quotes(self, principle: str) -> list[tuple[str, str, int, str, str, str]]:
        """``(criterion, cue, turn, role, text, effect)`` of the evidence behind the
        criteria of ``principle`` that applied (a criterion that did not apply moved
        no points, so nothing is evidence for it)."""
        t = self.table
        applied = t["applied"].to_numpy(dtype=object)
        cue = t["cue"].to_numpy(dtype=object)
        at = np.flatnonzero((t["principle"].to_numpy(dtype=object) == principle)
                            & np.array([a is True or a == 1 for a in applied], dtype=bool)
                            & ~pd.isna(cue))
        if not len(at):
            return []
        cols = [t[c].to_numpy(dtype=object)[at] for c in ("criterion", "cue", "turn_index",
                                                          "role", "text")]
        effects = (t["effect"].to_numpy(dtype=object)[at] if "effect" in t.columns
                   else np.full(len(at), "context", dtype=object))
        return [(str(c), str(q), int(turn), str(role), str(text), str(eff))
                for c, q, turn, role, text, eff in zip(*cols, effects, strict=True)]

    @property
    def title(self) -> str:
        """What the scorecard is headed with: an email's subject, else the interaction id."""
        return self.about.get("subject") or self.interaction_id

    def failure_words(self, principle: str) -> str:
        """How an auto-fail set ``principle`` to 0, in words (``""`` when none did)."""
        failed = self._failed_by.get(principle)
        if not failed:
            return ""
        c = self.contributions
        rows = c[(c["principle"] == principle) & c["criterion"].isin(failed)]
        wiped = float(rows["points_lost"].sum())
        names = " and ".join(failed)
        share = (f"; the {wiped:.1f} points are split evenly between them "
                 f"({wiped / len(failed):.1f} each)" if len(failed) > 1 else "")
        return (f"{principle.replace('_', ' ')} is 0 because the auto-fail "
                f"{'criteria' if len(failed) > 1 else 'criterion'} {names} applied and "
                f"{'were' if len(failed) > 1 else 'was'} true. Without "
                f"{'them' if len(failed) > 1 else 'it'}, the other criteria would have "
                f"scored {wiped:.1f} / 100; those {wiped:.1f} points are shown as lost on "
                f"{names}{share}, and the other criteria keep their values but win no "
                "points.")

    # -- transcript pieces shared by text and HTML -------------------------------------
    def _turn_rows(self) -> list[tuple[int, str, str, str]]:
        t = self.turns
        speakers = t["speaker"] if "speaker" in t.columns else pd.Series([None] * len(t))
        return [(int(i), str(r), "" if pd.isna(s) else str(s), "" if pd.isna(x) else str(x))
                for i, r, s, x in zip(t["turn_index"], t["role"], speakers, t["text"],
                                      strict=True)]

    def _spans(self, turn: int) -> list[tuple[int, int, int]]:
        """``(start, end, evidence row)`` of the cues found in one turn."""
        ev = self.evidence
        at = np.flatnonzero(ev["turn_index"].to_numpy() == turn)
        return [(int(ev["start_char"].iloc[k]), int(ev["end_char"].iloc[k]), int(k))
                for k in at]

    def _timing(self, turn: int) -> str:
        """``0:06.8-0:12.1`` for timed calls, the time stamp (and the gap since the
        previous turn) for written channels, ``""`` without timing."""
        t = self.turns
        k = int(np.flatnonzero(t["turn_index"].to_numpy() == turn)[0])
        start = _float(t["start_s"].iloc[k]) if "start_s" in t.columns else math.nan
        if not math.isnan(start):
            end = _float(t["end_s"].iloc[k]) if "end_s" in t.columns else math.nan
            return _clock(start) + ("" if math.isnan(end) else f"-{_clock(end)}")
        if "timestamp" not in t.columns or pd.isna(t["timestamp"].iloc[k]):
            return ""
        ts = pd.Timestamp(t["timestamp"].iloc[k])
        earlier = t["timestamp"].iloc[:k].dropna()
        if earlier.empty:
            return ts.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
        gap = (ts - pd.Timestamp(earlier.iloc[-1])).total_seconds()
        same_day = pd.Timestamp(earlier.iloc[-1]).date() == ts.date()
        return (ts.strftime("%H:%M:%S" if same_day else "%Y-%m-%d %H:%M:%S")
                + f" (+{_duration(gap)})")

    def _promise_rows(self) -> list[tuple[int, str, str, str, str, str]]:
        rows = []
        for r in self.promises.itertuples(index=False):
            due = getattr(r, "due", None)
            phrase = getattr(r, "due_phrase", None)
            when = ("no due time" if pd.isna(due) else
                    pd.Timestamp(due).strftime("%Y-%m-%d %H:%M %Z").strip())
            if phrase is not None and not pd.isna(phrase):
                when = f"{phrase} ({when})"
            rows.append((int(_float(r.turn_index)), _text(getattr(r, "agent", "")),
                         _text(getattr(r, "action", "")), when,
                         _text(getattr(r, "status", "")), _text(getattr(r, "reason", ""))))
        return rows

    # -- HTML ------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self, *, css: bool = True, standalone: bool = False,
                anchor: str | None = None) -> str:
        """The scorecard as HTML, every piece of text escaped (see
        :mod:`serviceart.views.scorecard`).

        Parameters
        ----------
        css
            Include the scorecard's ``<style>`` block (a report holding many
            scorecards includes it once).
        standalone
            A whole page (``<!DOCTYPE html>``...), e.g. to save and open in a browser.
        anchor
            The ``id`` of the card; turns get ``<anchor>-t<turn>``.

        Returns
        -------
        str
            Self-contained HTML: inline CSS, no script, no external resource (a
            standalone page says so in its Content-Security-Policy).
        """
        from .pages import content_security_policy
        from .scorecard import SCORECARD_CSS, anchor_of, card_html

        card = card_html(self, anchor or anchor_of(self.interaction_id))
        body = (f"<style>{SCORECARD_CSS}</style>\n" if css else "") + card
        if not standalone:
            return body
        policy = html.escape(content_security_policy(None))
        return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
                f"<title>{html.escape(self.title)} - serviceart scorecard</title>"
                f"</head><body>\n{body}\n</body></html>\n")


# -- formatting ----------------------------------------------------------------------
def _fmt(x: Any) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    return "n/a" if math.isnan(v) else f"{v:.2f}".rstrip("0").rstrip(".")


def _fmt_score(x: float, note: str = "nothing applied") -> str:
    return f"n/a ({note})" if math.isnan(x) else f"{x:.1f} / 100"


def _band(band: str | None) -> str:
    return f" [{band}]" if band else ""


def _weight(row: Any) -> str:
    return (f"+{row.bonus_points:g}" if row.kind == "bonus" else
            "-" if row.kind == "auto_fail" else f"{row.weight:g}")


def _float(x: Any) -> float:
    try:
        return math.nan if pd.isna(x) else float(x)
    except (TypeError, ValueError):
        return math.nan


def _text(x: Any) -> str:
    return "" if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x)


def _clock(seconds: float) -> str:
    """``m:ss.s`` (or ``h:mm:ss``) of a time into a call."""
    if seconds >= 3600:
        h, rest = divmod(round(seconds), 3600)
        return f"{h}:{rest // 60:02d}:{rest % 60:02d}"
    m, s = divmod(seconds, 60)
    return f"{int(m)}:{s:04.1f}"


def _duration(seconds: float) -> str:
    """``12.3 s``, ``4 min 05 s``, ``2 h 03 min``, ``3 d 4 h``."""
    if math.isnan(seconds):
        return "n/a"
    sign, s = ("-" if seconds < 0 else ""), abs(seconds)
    if s < 60:
        return f"{sign}{s:.1f} s".replace(".0 s", " s")
    if s < 3600:
        return f"{sign}{int(s // 60)} min {int(s % 60):02d} s"
    if s < 86400:
        return f"{sign}{int(s // 3600)} h {int(s % 3600 // 60):02d} min"
    return f"{sign}{int(s // 86400)} d {int(s % 86400 // 3600)} h"


def _fmt_measure(name: str, value: float) -> str:
    if math.isnan(value):
        return "n/a"
    unit = MEASURES[name].unit if name in MEASURES else ""
    if unit == "share":
        return f"{100 * value:.0f}%"
    if unit == "s":
        return _duration(value)
    if unit == "flag":
        return "yes" if value else "no"
    return _fmt(value)


def _markup(text: str, spans: list[tuple[int, int, int]], open_: Callable[[int], str],
            close: Callable[[int], str], esc: Callable[[str], str]) -> str:
    """Wrap the ``(start, end, key)`` spans of ``text`` in properly nested markers.

    The text between markers goes through ``esc`` piece by piece, so raw text is
    never emitted. Nested spans nest; a span crossing another is closed where the
    inner one ends and reopened (same key) after it, so the pieces with one key
    always join up to exactly ``text[start:end]``.

    >>> _markup("I'll call you back", [(0, 18, 1), (5, 9, 2)],
    ...         lambda k: f"[{k}:", lambda k: "]", str)
    "[1:I'll [2:call] you back]"
    """
    n = len(text)
    spans = [(max(0, s), min(n, e), k) for s, e, k in spans if min(n, e) > max(0, s)]
    points = sorted({p for s, e, _ in spans for p in (s, e)})
    out: list[str] = []
    stack: list[tuple[int, int, int]] = []
    pos = 0
    for p in points:
        out.append(esc(text[pos:p]))
        pos = p
        reopen: list[tuple[int, int, int]] = []
        ending = [i for i, sp in enumerate(stack) if sp[1] == p]
        if ending:
            low = ending[0]
            popped = stack[low:]
            out += [close(sp[2]) for sp in reversed(popped)]
            del stack[low:]
            reopen = [sp for sp in popped if sp[1] != p]
        starting = [sp for sp in spans if sp[0] == p]
        for sp in sorted(reopen + starting, key=lambda sp: (-sp[1], sp[2])):
            out.append(open_(sp[2]))
            stack.append(sp)
    out.append(esc(text[pos:]))
    out += [close(sp[2]) for sp in reversed(stack)]
    return "".join(out)


# -- the HTML scorecard -------------------------------------------------------------


def explain(result: Any, interaction_id: str, *, rubric: Rubric | None = None) -> Explanation:
    """Explain one interaction's scores.

    Parameters
    ----------
    result
        A :class:`serviceart.Result`.
    interaction_id
        The interaction to explain.
    rubric
        A rubric to explain with; by default the one the result was scored with
        (``result.rubric``). Without one, kinds are guessed and there are no bands.

    Returns
    -------
    Explanation

    Raises
    ------
    InputError
        When the interaction is not in the result.
    """
    scores = result.scores
    iid = str(interaction_id)
    known = _ids(scores)
    if not (known == iid).any():
        close = difflib.get_close_matches(iid, known.tolist(), n=3)
        raise InputError(f"interaction {iid!r} is not in this result"
                         + (f"; did you mean {close}?" if close else ""), field="interaction_id",
                         code="SA-I014")
    rub = rubric or getattr(result, "rubric", None)
    row = scores[known == iid].iloc[0]
    score_map = {k: float(row[k]) for k in (*PRINCIPLES, "overall")}
    scope = str(row["scope"]) if "scope" in row.index and not pd.isna(row["scope"]) \
        else "service"
    reason = row.get("scope_reason")
    reason = None if reason is None or pd.isna(reason) else str(reason)
    bands = _bands_of(result, iid, score_map, rub, own=rubric is None)

    contrib = result.contributions
    contrib = contrib[_ids(contrib) == iid].reset_index(drop=True)
    crits = {(c.principle, c.name): c for c in rub.criteria} if rub is not None else {}
    kinds, bonus, titles, rationales, reads = [], [], [], [], {}
    for p, name, w in zip(contrib["principle"], contrib["criterion"], contrib["weight"],
                          strict=True):
        c = crits.get((str(p), str(name)))
        kinds.append(c.kind if c is not None else ("score" if w > 0 else "bonus or auto_fail"))
        bonus.append(c.bonus_points if c is not None and c.kind == "bonus" else 0.0)
        titles.append(criterion_title(c) if c is not None else criterion_title(str(name)))
        rationales.append(c.rationale if c is not None else "")
        if c is not None:
            reads[(str(p), str(name))] = [*sorted(_names(c.value)),
                                          *sorted(_names(c.applies) - _names(c.value))]
    contrib.insert(3, "kind", pd.array(kinds, dtype="string"))
    contrib.insert(6, "bonus_points", np.asarray(bonus, dtype="float64"))
    contrib["title"] = pd.array(titles, dtype="string")
    contrib["rationale"] = pd.array(rationales, dtype="string")
    failed: dict[str, list[str]] = {}
    for r in contrib.itertuples(index=False):
        if r.kind == "auto_fail" and r.applied and r.value > 0:
            failed.setdefault(str(r.principle), []).append(str(r.criterion))

    ev = result.evidence
    ev = ev[_ids(ev) == iid].reset_index(drop=True)
    mrow = result.measures[_ids(result.measures) == iid]
    keys = _evidence_keys(ev)
    found = set(keys.tolist())
    links = []
    for (p, name), names in reads.items():
        c = crits[(p, name)]
        value_names = _names(c.value)
        for n in names:
            cue = n if n in CUES or n.startswith(CATEGORY_PREFIX) else _BEHIND.get(n)
            if cue is None or cue not in found:
                continue
            via = "value" if n in value_names else "applies"
            links.append({"principle": p, "criterion": name, "cue": cue, "via": via,
                          "moves": _moves(c, n, mrow) if via == "value" else 0})
    link = pd.DataFrame(links, columns=["principle", "criterion", "cue", "via", "moves"]
                        ).drop_duplicates(["principle", "criterion", "cue"])
    evid = ev.loc[:, list(_EVIDENCE_COLS)].assign(cue=keys)
    behind = link.merge(evid, on="cue", how="inner")
    behind["effect"] = np.where(behind["role"].astype(str) != "agent", "context",
                                np.where(behind["moves"] > 0, "helped",
                                         np.where(behind["moves"] < 0, "hurt", "context")))
    behind = behind.drop(columns="moves")
    table = contrib.merge(behind, on=["principle", "criterion"], how="left")
    table = table.astype({"principle": "string", "criterion": "string", "via": "string",
                          "cue": "string", "role": "string", "text": "string",
                          "effect": "string", "turn_index": "Int64", "start_char": "Int64",
                          "end_char": "Int64"})
    table = table.sort_values(["turn_index", "start_char"], kind="stable", na_position="last")
    order = {key: k for k, key in enumerate(zip(contrib["principle"], contrib["criterion"],
                                               strict=True))}
    table = table.iloc[np.argsort([order[(p, c)] for p, c in zip(
        table["principle"], table["criterion"], strict=True)], kind="stable")]
    table = table.reset_index(drop=True)

    wanted = {n for names in reads.values() for n in names if n not in CUES}
    measures = {n: float(mrow[n].iloc[0]) for n in sorted(wanted) if n in mrow.columns
                and not mrow.empty}
    key = {n: _float(mrow[n].iloc[0]) for n in KEY_MEASURES if n in mrow.columns
           and not mrow.empty}
    turns = _rows_of(result.turns, iid, "turn_index")
    return Explanation(interaction_id=iid, scores=score_map, bands=bands, table=table,
                       contributions=contrib, evidence=ev, measures=measures,
                       rubric=dict(result.run_info.get("rubric") or {}), _reads=reads,
                       _failed_by=failed, turns=turns,
                       promises=_rows_of(result.promises, iid, "turn_index"),
                       key_measures=key, about=_about(result.interactions, iid, turns),
                       band_edges={k: [(b.name, b.min) for b in rub.bands_for(k)]
                                   for k in (*PRINCIPLES, "overall")} if rub is not None
                       else {}, scope=scope, scope_reason=reason)


def _ids(frame: pd.DataFrame) -> np.ndarray:
    """A table's ``interaction_id`` as NumPy text (comparing Arrow-backed strings costs
    more per call, and a report explains many interactions)."""
    return frame["interaction_id"].to_numpy(dtype=object).astype(str)


def _bands_of(result: Any, iid: str, scores: dict[str, float], rubric: Rubric | None,
              *, own: bool) -> dict[str, str | None]:
    """Each score's band: from the result's ``bands`` table when the result's own
    rubric is used, else from ``rubric``."""
    table = getattr(result, "bands", None)
    if own and table is not None and len(table) and "interaction_id" in table.columns:
        row = table[_ids(table) == iid]
        if len(row):
            return {k: (None if pd.isna(v := row[f"{k}_band"].iloc[0]) else str(v))
                    if f"{k}_band" in row.columns else None for k in scores}
    return {k: (rubric.band_of(k, v) if rubric is not None else None)
            for k, v in scores.items()}


def _rows_of(frame: pd.DataFrame | None, iid: str, order: str) -> pd.DataFrame:
    """The rows of one interaction, in ``order`` (an empty frame when there are none)."""
    if frame is None or "interaction_id" not in frame.columns:
        return pd.DataFrame()
    rows = frame[_ids(frame) == iid]
    if order in rows.columns:
        rows = rows.sort_values(order, kind="stable")
    return rows.reset_index(drop=True)


def _subject(interactions: pd.DataFrame | None, turns: pd.DataFrame) -> str:
    """The interaction's subject (an email thread's): the interaction table's
    ``subject``, else the first non-empty ``subject`` of its turns; ``""`` without."""
    for frame in (interactions, turns):
        if frame is not None and "subject" in frame.columns:
            found = frame["subject"].dropna().astype(str).str.strip()
            found = found[found != ""]
            if len(found):
                return str(found.iloc[0])
    return ""


def _about(interactions: pd.DataFrame | None, iid: str,
           turns: pd.DataFrame | None = None) -> dict[str, str]:
    """Channel, agent, start and case of an interaction, and an email's subject, as text,
    for the header."""
    rows = _rows_of(interactions, iid, "interaction_id")
    subject = _subject(rows, turns if turns is not None else pd.DataFrame())
    out = {"subject": subject} if subject else {}
    if rows.empty:
        return out
    row = rows.iloc[0]
    for col, label in (("channel", "channel"), ("agent_id", "agent"),
                       ("started_at", "started"), ("case_id", "case")):
        if col in rows.columns and not pd.isna(row[col]):
            value = row[col]
            out[label] = (pd.Timestamp(value).strftime("%Y-%m-%d %H:%M %Z").strip()
                          if col == "started_at" else str(value))
    return out
