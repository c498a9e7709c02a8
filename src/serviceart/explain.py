"""Why an interaction got its scores: contributions, bands and quoted evidence.

:func:`explain` gathers, for one interaction, each principle's score and band,
every criterion's value, weight, whether it applied and the points it won and
lost, the measures its expressions read, and the evidence rows (quoted spans of
the transcript) behind the cues it names. The :class:`Explanation` prints as
plain text and renders as HTML in Jupyter, with every piece of text escaped
(transcripts are untrusted customer data).

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
import html
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .codebook import CUES, PRINCIPLES
from .errors import InputError
from .expr import ExpressionError, names_in
from .rubric import Rubric

__all__ = ["Explanation", "explain"]

_EVIDENCE_COLS = ("turn_index", "role", "cue", "start_char", "end_char", "text")


def _find_rubric(run_info: dict[str, Any]) -> Rubric | None:
    """The rubric a run used: alive in this process, the default, or its source file."""
    info = run_info.get("rubric") or {}
    digest = info.get("hash")
    if not digest:
        return None
    found = Rubric._lookup(digest)
    if found is not None:
        return found
    candidates = [Rubric.default]
    source = info.get("source")
    if source and source not in ("default.toml", "<rubric>"):
        candidates.append(lambda: Rubric.from_file(source))
    for make in candidates:
        try:
            rubric = make()
        except Exception:  # a moved or edited file just means no rubric
            continue
        if rubric.hash == digest:
            return rubric
    return None


def _names(expression: str) -> set[str]:
    try:
        return names_in(expression)
    except ExpressionError:
        return set()


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
        ``cue``, ``start_char``, ``end_char``, ``text``); a criterion with no
        such evidence has one row with those columns missing.
    contributions
        The interaction's contribution rows, with ``kind`` and ``bonus_points``.
    evidence
        Every evidence row of the interaction.
    measures
        ``{measure: value}`` for the measures (not cues) the criteria read.
    rubric
        ``run_info["rubric"]`` (name, version, hash, source).
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

    # -- text -------------------------------------------------------------------------
    def _header(self) -> str:
        r = self.rubric
        return (f"{self.interaction_id} - rubric {r.get('name', '?')!s} "
                f"v{r.get('version', '?')!s} ({r.get('hash', '?')!s})")

    def __str__(self) -> str:
        lines = [self._header(), f"overall: {_fmt_score(self.scores['overall'])}"
                 + _band(self.bands["overall"])]
        for p in PRINCIPLES:
            rows = self.contributions[self.contributions["principle"] == p]
            if rows.empty:
                continue
            head = f"{p}: {_fmt_score(self.scores[p])}" + _band(self.bands[p])
            if self._failed_by.get(p):
                head += f", failed by {', '.join(self._failed_by[p])}"
            lines.append(head)
            lines.append(f"  {'criterion':<34}{'kind':<10}{'value':>6}{'weight':>8}"
                         f"{'applied':>9}{'won':>7}{'lost':>7}")
            for row in rows.itertuples(index=False):
                weight = (f"+{row.bonus_points:g}" if row.kind == "bonus" else
                          "-" if row.kind == "auto_fail" else f"{row.weight:g}")
                lines.append(f"  {row.criterion:<34}{row.kind:<10}{_fmt(row.value):>6}"
                             f"{weight:>8}{'yes' if row.applied else 'no':>9}"
                             f"{row.points:>7.1f}{row.points_lost:>7.1f}")
            reads = self._measures_of(p)
            if reads:
                lines.append("  measures: " + ", ".join(f"{k} = {_fmt(v)}"
                                                        for k, v in reads.items()))
            quotes = self._quotes(p)
            if quotes:
                lines.append("  evidence:")
                lines += [f"    {crit} <- {cue}, turn {turn} ({role}): \"{text}\""
                          for crit, cue, turn, role, text in quotes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Explanation {self.interaction_id}: overall {_fmt_score(self.scores['overall'])}>"

    def _measures_of(self, principle: str) -> dict[str, float]:
        names: list[str] = []
        for (p, _), reads in self._reads.items():
            if p == principle:
                names += [n for n in reads if n not in CUES and n in self.measures]
        return {n: self.measures[n] for n in dict.fromkeys(names)}

    def _quotes(self, principle: str) -> list[tuple[str, str, int, str, str]]:
        t = self.table[(self.table["principle"] == principle) & self.table["cue"].notna()]
        return [(str(c), str(cue), int(turn), str(role), str(text)) for c, cue, turn, role, text
                in zip(t["criterion"], t["cue"], t["turn_index"], t["role"], t["text"],
                       strict=True)]

    # -- HTML ------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        e = html.escape
        out = ['<div class="serviceart-explain" style="font-family:sans-serif">',
               f"<h3>{e(self._header())}</h3>",
               f"<p><b>overall</b>: {e(_fmt_score(self.scores['overall']))}"
               f"{e(_band(self.bands['overall']))}</p>"]
        for p in PRINCIPLES:
            rows = self.contributions[self.contributions["principle"] == p]
            if rows.empty:
                continue
            score = self.scores[p]
            width = 0.0 if math.isnan(score) else max(0.0, min(100.0, score))
            failed = self._failed_by.get(p)
            out.append(f"<h4>{e(p)}: {e(_fmt_score(score))}{e(_band(self.bands[p]))}"
                       + (f" &mdash; failed by {e(', '.join(failed))}" if failed else "")
                       + "</h4>")
            out.append('<div style="background:#eee;width:300px;height:8px">'
                       f'<div style="background:#4a7;height:8px;width:{e(f"{width:.1f}")}%">'
                       "</div></div>")
            out.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in (
                "criterion", "kind", "value", "weight", "applied", "won", "lost")) + "</tr>")
            for row in rows.itertuples(index=False):
                weight = (f"+{row.bonus_points:g}" if row.kind == "bonus" else
                          "-" if row.kind == "auto_fail" else f"{row.weight:g}")
                cells = (row.criterion, row.kind, _fmt(row.value), weight,
                         "yes" if row.applied else "no", f"{row.points:.1f}",
                         f"{row.points_lost:.1f}")
                out.append("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in cells) + "</tr>")
            out.append("</table>")
            reads = self._measures_of(p)
            if reads:
                out.append("<p>measures: " + e(", ".join(f"{k} = {_fmt(v)}"
                                                         for k, v in reads.items())) + "</p>")
            quotes = self._quotes(p)
            if quotes:
                out.append("<ul>" + "".join(
                    f"<li>{e(crit)} &larr; <code>{e(cue)}</code>, turn {e(str(turn))} "
                    f"({e(role)}): <q>{e(text)}</q></li>"
                    for crit, cue, turn, role, text in quotes) + "</ul>")
        out.append("</div>")
        return "\n".join(out)


def _fmt(x: Any) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    return "n/a" if math.isnan(v) else f"{v:.2f}".rstrip("0").rstrip(".")


def _fmt_score(x: float) -> str:
    return "n/a (nothing applied)" if math.isnan(x) else f"{x:.1f} / 100"


def _band(band: str | None) -> str:
    return f" [{band}]" if band else ""


def explain(result: Any, interaction_id: str, *, rubric: Rubric | None = None) -> Explanation:
    """Explain one interaction's scores.

    Parameters
    ----------
    result
        A :class:`serviceart.Result`.
    interaction_id
        The interaction to explain.
    rubric
        The rubric the result was scored with; found from ``run_info`` when not
        given (a rubric still in memory, the default, or its source file with the
        same hash). Without it, kinds are guessed and there are no bands.

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
    known = scores["interaction_id"].astype(str)
    if not (known == iid).any():
        close = difflib.get_close_matches(iid, known.tolist(), n=3)
        raise InputError(f"interaction {iid!r} is not in this result"
                         + (f"; did you mean {close}?" if close else ""), field="interaction_id")
    rub = rubric or _find_rubric(result.run_info)
    row = scores[known == iid].iloc[0]
    score_map = {k: float(row[k]) for k in (*PRINCIPLES, "overall")}
    bands = {k: (rub.band_of(k, v) if rub is not None else None) for k, v in score_map.items()}

    contrib = result.contributions
    contrib = contrib[contrib["interaction_id"].astype(str) == iid].reset_index(drop=True)
    crits = {(c.principle, c.name): c for c in rub.criteria} if rub is not None else {}
    kinds, bonus, reads = [], [], {}
    for p, name, w in zip(contrib["principle"], contrib["criterion"], contrib["weight"],
                          strict=True):
        c = crits.get((str(p), str(name)))
        kinds.append(c.kind if c is not None else ("score" if w > 0 else "bonus or auto_fail"))
        bonus.append(c.bonus_points if c is not None and c.kind == "bonus" else 0.0)
        if c is not None:
            reads[(str(p), str(name))] = [*sorted(_names(c.value)),
                                          *sorted(_names(c.applies) - _names(c.value))]
    contrib.insert(3, "kind", pd.array(kinds, dtype="string"))
    contrib.insert(6, "bonus_points", np.asarray(bonus, dtype="float64"))
    failed: dict[str, list[str]] = {}
    for r in contrib.itertuples(index=False):
        if r.kind == "auto_fail" and r.applied and r.value > 0:
            failed.setdefault(str(r.principle), []).append(str(r.criterion))

    ev = result.evidence
    ev = ev[ev["interaction_id"].astype(str) == iid].reset_index(drop=True)
    links = []
    for (p, name), names in reads.items():
        c = crits[(p, name)]
        value_names = _names(c.value)
        links += [{"principle": p, "criterion": name, "cue": n,
                   "via": "value" if n in value_names else "applies"}
                  for n in names if n in CUES]
    link = pd.DataFrame(links, columns=["principle", "criterion", "cue", "via"])
    evid = ev.loc[:, list(_EVIDENCE_COLS)].assign(cue=ev["cue"].astype(str))
    behind = link.merge(evid, on="cue", how="inner")
    table = contrib.merge(behind, on=["principle", "criterion"], how="left")
    table = table.astype({"principle": "string", "criterion": "string", "via": "string",
                          "cue": "string", "role": "string", "text": "string",
                          "turn_index": "Int64", "start_char": "Int64", "end_char": "Int64"})
    table = table.sort_values(["turn_index", "start_char"], kind="stable", na_position="last")
    order = {key: k for k, key in enumerate(zip(contrib["principle"], contrib["criterion"],
                                               strict=True))}
    table = table.iloc[np.argsort([order[(p, c)] for p, c in zip(
        table["principle"], table["criterion"], strict=True)], kind="stable")]
    table = table.reset_index(drop=True)

    mrow = result.measures[result.measures["interaction_id"].astype(str) == iid]
    wanted = {n for names in reads.values() for n in names if n not in CUES}
    measures = {n: float(mrow[n].iloc[0]) for n in sorted(wanted) if n in mrow.columns
                and not mrow.empty}
    return Explanation(interaction_id=iid, scores=score_map, bands=bands, table=table,
                       contributions=contrib, evidence=ev, measures=measures,
                       rubric=dict(result.run_info.get("rubric") or {}), _reads=reads,
                       _failed_by=failed)
