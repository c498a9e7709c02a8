"""Tools for a labelling round of the cue corpus: check, compare and merge (issue 19).

Usage::

    python benchmarks/labelling.py check BATCH PASS [--write SPANS]
    python benchmarks/labelling.py compare BATCH PASS_A PASS_B --out WORKLIST
    python benchmarks/labelling.py merge --round N --pool POOL_JSONL --batches DIR \\
        --passes DIR --decisions DIR --out DIR

A round is drawn by ``benchmarks/cue_corpus.py`` as batches of turns, one JSON
object a line (``id, source, role, conversation, text``; ``batch_<name>.jsonl``).
Two labellers label every batch independently (passes ``A`` and ``B``), one line a
turn, every turn of the batch exactly once, in any order::

    {"id": "ibm:abc:2", "cues": [{"cue": "courtesy", "quote": "thanks", "nth": 2}]}

``quote`` is an exact substring of the turn's text and ``nth`` (default 1) says
which of its occurrences is meant. A cue may instead give ``start`` and ``end``
character offsets, which is what ``check --write`` writes (a *spans* file); every
command reads either kind.

``check`` validates a pass against its batch and turns quotes into spans.
``compare`` matches two passes (same cue and overlapping spans, one-to-one) and
writes a worklist of the turns where they disagree; the adjudicator answers it
with a decisions file, one line a worklist turn::

    {"id": "ibm:abc:2", "decisions": [{"k": "A1", "keep": true, "rule": "why"}],
     "add": [{"cue": "empathy", "quote": "that must be annoying", "nth": 1}]}

``k`` names a disputed cue of the worklist (``A<i>``/``B<j>``: the i-th cue of pass
A, the j-th of pass B, counted from 0 in span order after cleaning); ``add``
(optional) gives cues both passes missed. ``merge`` keeps the agreed cues (the
shorter of the two spans) and the kept single-side cues, and writes
``labels<N>.jsonl`` (in the pool's order, no texts) and ``agreement<N>.json``.

Before matching, every span is trimmed of surrounding white space, and a cue the
codebook gives to the other role than the turn's is dropped (counted as
``dropped_for_role``; ``check`` warns about it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent

if str(REPO_ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO_ROOT / "src"))

from serviceart.codebook import CUES  # noqa: E402

SIDES: tuple[str, str] = ("A", "B")
BATCH_PATTERN = "batch_{batch}.jsonl"
"""File name of a batch in the batches folder (``cue_corpus.py poolN`` writes these)."""
PASS_PATTERN = "b{batch}_{side}.spans.jsonl"
"""Default file name of a pass in the passes folder (what ``check --write`` writes)."""
DECISIONS_PATTERN = "decisions_b{batch}.jsonl"
"""Default file name of a batch's adjudication in the decisions folder."""
MATCHING = ("same cue and overlapping character spans, one-to-one (an agreed cue keeps the "
            "shorter of the two spans); kappa: per cue, presence in a turn (A vs B) over all "
            "turns; cues labelled for a role the codebook does not give them were dropped "
            "before matching")
"""How the passes are matched, as ``agreement<N>.json`` states it."""
RESOLUTION_KEYS: tuple[str, ...] = ("for_A", "for_B", "A_only_kept", "A_only_dropped",
                                    "B_only_kept", "B_only_dropped", "added_by_adjudicator")

Span = dict[str, Any]
"""A cue on a turn: ``{"cue": name, "start": int, "end": int}``."""
Turn = dict[str, Any]
"""A turn of a batch: ``id, source, role, conversation, text``."""


class LabellingError(Exception):
    """Problems with the files of a round; ``problems`` holds one message each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# ------------------------------------------------------------------ reading
def text_hash(text: str) -> str:
    """First 16 hex digits of the SHA-256 of the UTF-8 text (as ``cue_corpus.text_hash``).

    >>> text_hash("Thanks for waiting!")
    '30d60670ef98cd5f'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _json_lines(path: Path) -> Iterable[tuple[int, Any, str | None]]:
    """``(line number, record, problem)`` for every non-blank line of ``path``."""
    with path.open(encoding="utf-8") as fh:
        for k, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield k, json.loads(line), None
            except ValueError as exc:
                yield k, None, f"{path}:{k}: not JSON ({exc})"


def read_batch(path: str | Path) -> list[Turn]:
    """The turns of a batch file, in file order.

    Parameters
    ----------
    path
        A batch: one JSON object a line with ``id``, ``role`` and ``text``.

    Returns
    -------
    list of dict
        The records as written.

    Raises
    ------
    LabellingError
        A line that is not JSON or lacks a field, an unknown role or an id twice.
    """
    path = Path(path)
    turns: list[Turn] = []
    seen: set[str] = set()
    problems: list[str] = []
    for k, rec, problem in _json_lines(path):
        if problem:
            problems.append(problem)
            continue
        if not isinstance(rec, dict) or not all(
                isinstance(rec.get(f), str) for f in ("id", "role", "text")):
            problems.append(f"{path}:{k}: a turn needs string fields id, role and text")
            continue
        if rec["role"] not in ("agent", "customer"):
            problems.append(f"{path}:{k}: {rec['id']}: role {rec['role']!r} is neither "
                            "agent nor customer")
        elif rec["id"] in seen:
            problems.append(f"{path}:{k}: {rec['id']}: the id appears twice in the batch")
        else:
            seen.add(rec["id"])
            turns.append(rec)
    if problems:
        raise LabellingError(problems)
    return turns


def find_quote(text: str, quote: str, nth: int = 1) -> int:
    """Start of the ``nth`` occurrence of ``quote`` in ``text`` (overlaps count), or -1.

    >>> find_quote("Thanks, and thanks again.", "hanks", 2)
    13
    >>> find_quote("Thanks!", "thanks")
    -1
    """
    at = -1
    for _ in range(nth):
        at = text.find(quote, at + 1)
        if at < 0:
            return -1
    return at


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _short(quote: str, limit: int = 60) -> str:
    return repr(quote if len(quote) <= limit else quote[:limit] + "...")


def _locate(where: str, text: str, role: str, c: Any,
            problems: list[str], warnings: list[str]) -> Span | None:
    """One cue entry of a pass as a span, or None after noting the problem."""
    if not isinstance(c, dict):
        problems.append(f"{where}: a cue must be an object, got {c!r}")
        return None
    cue = c.get("cue")
    if cue not in CUES:
        problems.append(f"{where}: unknown cue {cue!r}")
        return None
    if "quote" in c:
        quote, nth = c["quote"], c.get("nth", 1)
        if not isinstance(quote, str) or not quote.strip():
            problems.append(f"{where}: {cue}: empty quote")
            return None
        if isinstance(nth, bool) or not isinstance(nth, int) or nth < 1:
            problems.append(f"{where}: {cue}: nth must be a whole number from 1, got {nth!r}")
            return None
        start = find_quote(text, quote, nth)
        if start < 0:
            n = 1
            while find_quote(text, quote, n) >= 0:
                n += 1
            n -= 1  # occurrences (overlaps count)
            seen = "not in the text" if n == 0 else f"occurs only {n} time(s) in the text"
            problems.append(f"{where}: {cue}: quote {_short(quote)} (occurrence {nth}) {seen}")
            return None
        end = start + len(quote)
    elif "start" in c or "end" in c:
        given = [c.get("start"), c.get("end")]
        offsets = [x for x in given if isinstance(x, int) and not isinstance(x, bool)]
        if len(offsets) != 2:
            problems.append(f"{where}: {cue}: start and end must be whole numbers")
            return None
        start, end = offsets
        if not 0 <= start < end <= len(text):
            problems.append(f"{where}: {cue}: span {start}-{end} is not inside the text "
                            f"({len(text)} characters)")
            return None
    else:
        problems.append(f"{where}: {cue}: a cue needs a quote (or start and end)")
        return None
    if CUES[cue].role != role:
        warnings.append(f"{where}: {cue} is {_a(CUES[cue].role)} cue on {_a(role)} turn; "
                        "it will be dropped before matching")
    return {"cue": cue, "start": start, "end": end}


def check_pass(batch: Sequence[Turn], path: str | Path
               ) -> tuple[dict[str, list[Span]], list[str], list[str]]:
    """Validate a pass against its batch and turn its quotes into spans.

    Parameters
    ----------
    batch
        The batch's turns (:func:`read_batch`).
    path
        The pass: one line a turn, ``{"id", "cues": [{"cue", "quote", "nth"?}]}``
        (or cues with ``start``/``end``).

    Returns
    -------
    spans : dict
        Turn id to its spans, sorted by start then cue, for every turn of the pass.
    problems : list of str
        One message per problem, each naming the file and line (empty if none):
        lines that are not JSON, ids not in the batch or given twice, unknown cues,
        empty quotes, quotes not in the text (or fewer than ``nth`` times), spans
        outside the text, the same cue on the same span twice, turns with no line.
    warnings : list of str
        Cues given to a role the codebook does not give them (dropped later).
    """
    path = Path(path)
    turns = {t["id"]: t for t in batch}
    spans: dict[str, list[Span]] = {}
    problems: list[str] = []
    warnings: list[str] = []
    for k, rec, problem in _json_lines(path):
        if problem:
            problems.append(problem)
            continue
        where = f"{path}:{k}"
        if not isinstance(rec, dict):
            problems.append(f"{where}: a line must be an object with id and cues")
            continue
        tid = rec.get("id")
        if not isinstance(tid, str) or tid not in turns:
            problems.append(f"{where}: id {tid!r} is not in the batch")
            continue
        if tid in spans:
            problems.append(f"{where}: {tid}: the turn already has a line")
            continue
        cues = rec.get("cues")
        if not isinstance(cues, list):
            problems.append(f"{where}: {tid}: cues must be a list ([] for none)")
            continue
        text, role = turns[tid]["text"], turns[tid]["role"]
        found: list[Span] = []
        for c in cues:
            span = _locate(f"{where}: {tid}", text, role, c, problems, warnings)
            if span is None:
                continue
            if span in found:
                problems.append(f"{where}: {tid}: {span['cue']} at {span['start']}-"
                                f"{span['end']} is given twice")
                continue
            found.append(span)
        spans[tid] = sorted(found, key=lambda s: (s["start"], s["cue"]))
    missing = [t["id"] for t in batch if t["id"] not in spans]
    if missing:
        problems.append(f"{path}: {len(missing)} turn(s) of the batch have no line, "
                        f"e.g. {missing[:5]}")
    return spans, problems, warnings


def read_pass(batch: Sequence[Turn], path: str | Path) -> dict[str, list[Span]]:
    """:func:`check_pass`'s spans, or :class:`LabellingError` with its problems."""
    spans, problems, _ = check_pass(batch, path)
    if problems:
        raise LabellingError(problems)
    return spans


def write_spans(batch: Sequence[Turn], spans: dict[str, list[Span]], path: str | Path) -> None:
    """Write a spans file: one line a turn, in batch order, ``{"id", "cues": [spans]}``."""
    with Path(path).open("w", encoding="utf-8") as fh:
        for t in batch:
            fh.write(json.dumps({"id": t["id"], "cues": spans[t["id"]]}) + "\n")


# ------------------------------------------------------------------ matching
def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without white space at either end.

    >>> strip_span("  ok  thanks", 0, 6)
    (2, 4)
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def clean(turn: Turn, spans: Sequence[Span], stats: dict[str, int]) -> list[Span]:
    """Spans trimmed of white space, without cues of the other role (counted in ``stats``).

    Parameters
    ----------
    turn
        The turn (``role``, ``text``).
    spans
        Its spans from one pass.
    stats
        ``stats["role_dropped"]`` is increased by the cues dropped for their role.

    Returns
    -------
    list of dict
        The remaining spans, in the given order (white-space-only spans left out).
    """
    out: list[Span] = []
    for c in spans:
        if CUES[c["cue"]].role != turn["role"]:
            stats["role_dropped"] = stats.get("role_dropped", 0) + 1
            continue
        s, e = strip_span(turn["text"], c["start"], c["end"])
        if s < e:
            out.append({"cue": c["cue"], "start": s, "end": e})
    return out


def match(a: Sequence[Span], b: Sequence[Span]
          ) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Match two passes' spans on one turn: same cue and overlapping spans, one-to-one.

    Each span of ``a`` in order takes the first unused span of ``b`` it matches.

    Returns
    -------
    pairs : list of (int, int)
        Indices ``(i, j)`` of the agreed spans.
    a_only, b_only : list of int
        Indices of the spans of ``a`` (``b``) that found no partner.

    Examples
    --------
    >>> a = [{"cue": "apology", "start": 0, "end": 5}, {"cue": "courtesy", "start": 9, "end": 15}]
    >>> b = [{"cue": "apology", "start": 3, "end": 8}, {"cue": "courtesy", "start": 20, "end": 25}]
    >>> match(a, b)
    ([(0, 0)], [1], [1])
    """
    used: set[int] = set()
    pairs: list[tuple[int, int]] = []
    a_only: list[int] = []
    for i, x in enumerate(a):
        j = next((j for j, y in enumerate(b) if j not in used and y["cue"] == x["cue"]
                  and x["start"] < y["end"] and y["start"] < x["end"]), None)
        if j is None:
            a_only.append(i)
        else:
            used.add(j)
            pairs.append((i, j))
    return pairs, a_only, [j for j in range(len(b)) if j not in used]


def shorter(x: Span, y: Span) -> Span:
    """The shorter of two agreed spans (the earlier on a tie, else ``x``)."""
    return min(x, y, key=lambda s: (s["end"] - s["start"], s["start"]))


def kappa(a: Sequence[bool], b: Sequence[bool]) -> float:
    """Cohen's kappa of two yes/no ratings of the same items (1.0 when chance is certain).

    >>> kappa([True, True, False, False], [True, False, False, False])
    0.5
    """
    n = len(a)
    if n == 0:
        return 1.0
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


def f1(agreed: int, in_a: int, in_b: int) -> float:
    """``2 * agreed / (in_a + in_b)`` to three places; 1.0 when neither pass has a cue."""
    return round(2 * agreed / (in_a + in_b), 3) if in_a + in_b else 1.0


@dataclass
class Tally:
    """Running counts of the agreement between two passes over turns."""

    turns: int = 0
    in_a: int = 0
    in_b: int = 0
    agreed: int = 0
    turns_with_disagreement: int = 0
    disagreements: int = 0
    stats: dict[str, int] = field(default_factory=dict)
    per: dict[str, dict[str, Any]] = field(default_factory=dict)
    presence: dict[str, tuple[list[bool], list[bool]]] = field(
        default_factory=lambda: {c: ([], []) for c in CUES})

    def add(self, a: Sequence[Span], b: Sequence[Span]
            ) -> tuple[list[tuple[int, int]], list[int], list[int]]:
        """Count one turn's cleaned spans of both passes; :func:`match`'s result."""
        pairs, a_only, b_only = match(a, b)
        self.turns += 1
        self.in_a += len(a)
        self.in_b += len(b)
        self.agreed += len(pairs)
        if a_only or b_only:
            self.turns_with_disagreement += 1
            self.disagreements += len(a_only) + len(b_only)
        for side, spans in zip(SIDES, (a, b), strict=True):
            for x in spans:
                self.cue(x["cue"])[f"in_{side}"] += 1
        for i, _ in pairs:
            self.cue(a[i]["cue"])["agreed"] += 1
        for c, (pa, pb) in self.presence.items():
            pa.append(any(x["cue"] == c for x in a))
            pb.append(any(x["cue"] == c for x in b))
        return pairs, a_only, b_only

    def cue(self, name: str) -> dict[str, Any]:
        """The counts of one cue."""
        return self.per.setdefault(name, {"in_A": 0, "in_B": 0, "agreed": 0, "resolution": {}})

    @property
    def micro_f1(self) -> float:
        """Micro F1 of pass A against pass B over all cues."""
        return f1(self.agreed, self.in_a, self.in_b)

    def per_cue(self) -> dict[str, dict[str, Any]]:
        """Per cue seen in either pass (sorted): counts, F1, turn-level kappa, resolutions."""
        out: dict[str, dict[str, Any]] = {}
        for c in sorted(self.per):
            p = self.per[c]
            pa, pb = self.presence[c]
            out[c] = {"in_A": p["in_A"], "in_B": p["in_B"], "agreed": p["agreed"],
                      "f1": f1(p["agreed"], p["in_A"], p["in_B"]),
                      "kappa_turn": round(kappa(pa, pb), 3), "turns_A": sum(pa),
                      "turns_B": sum(pb),
                      "turns_both": sum(x and y for x, y in zip(pa, pb, strict=True)),
                      "resolution": p["resolution"]}
        return out


# ------------------------------------------------------------------ compare
def compare(batch: Sequence[Turn], spans_a: dict[str, list[Span]],
            spans_b: dict[str, list[Span]]) -> tuple[Tally, list[dict[str, Any]]]:
    """The agreement of two passes over a batch and the adjudicator's worklist.

    Parameters
    ----------
    batch
        The batch's turns.
    spans_a, spans_b
        The two passes' spans per turn id (:func:`read_pass`).

    Returns
    -------
    tally : Tally
        The counts (``micro_f1``, ``per_cue()``).
    worklist : list of dict
        One entry per turn where the passes disagree, in batch order: ``id, role,
        text``, ``agreed`` (``cue, quote``) and ``disputed`` (``k, cue, quote`` with
        ``k`` = ``A<i>`` or ``B<j>``, the index in that pass's cleaned spans).
    """
    tally = Tally()
    work: list[dict[str, Any]] = []
    for t in batch:
        a = clean(t, spans_a[t["id"]], tally.stats)
        b = clean(t, spans_b[t["id"]], tally.stats)
        pairs, a_only, b_only = tally.add(a, b)
        if a_only or b_only:
            def quote(c: Span, text: str = t["text"]) -> str:
                return str(text[c["start"]:c["end"]])
            work.append({
                "id": t["id"], "role": t["role"], "text": t["text"],
                "agreed": [{"cue": a[i]["cue"], "quote": quote(a[i])} for i, _ in pairs],
                "disputed": [{"k": f"A{i}", "cue": a[i]["cue"], "quote": quote(a[i])}
                             for i in a_only]
                            + [{"k": f"B{j}", "cue": b[j]["cue"], "quote": quote(b[j])}
                               for j in b_only]})
    return tally, work


def write_jsonl(records: Iterable[dict[str, Any]], path: str | Path) -> None:
    """Write records as JSON lines (UTF-8, non-ASCII kept)."""
    with Path(path).open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


# ------------------------------------------------------------------ merge
def read_decisions(path: Path) -> dict[str, dict[str, Any]]:
    """An adjudication file by turn id; :class:`LabellingError` on a bad or repeated line."""
    out: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for k, rec, problem in _json_lines(path):
        if problem:
            problems.append(problem)
        elif not isinstance(rec, dict) or not isinstance(rec.get("id"), str):
            problems.append(f"{path}:{k}: a line must be an object with an id")
        elif not isinstance(rec.get("decisions", []), list) or not isinstance(
                rec.get("add", []), list):
            problems.append(f"{path}:{k}: {rec['id']}: decisions and add must be lists")
        elif rec["id"] in out:
            problems.append(f"{path}:{k}: {rec['id']}: the turn already has a line")
        else:
            out[rec["id"]] = {**rec, "_line": k}
    if problems:
        raise LabellingError(problems)
    return out


def _resolve(tally: Tally, turn: Turn, sides: dict[str, list[Span]],
             only: dict[str, list[int]], decision: dict[str, Any] | None,
             where: str, problems: list[str]) -> list[Span]:
    """The kept single-side and added spans of one turn; counts the resolutions."""
    if decision is None:
        problems.append(f"{where}: no decision for {turn['id']}, which has "
                        f"{sum(len(v) for v in only.values())} disputed cue(s)")
        return []
    where = f"{where}:{decision['_line']}: {turn['id']}"
    ks: dict[str, Any] = {}
    for d in decision.get("decisions", []):
        if not isinstance(d, dict) or not isinstance(d.get("keep"), bool):
            problems.append(f"{where}: a decision needs k and keep (true or false): {d!r}")
        else:
            ks[str(d.get("k"))] = d
    disputed = {f"{side}{i}" for side in SIDES for i in only[side]}
    for k in sorted(set(ks) - disputed):
        problems.append(f"{where}: decision {k} is not a disputed cue of the turn "
                        f"(disputed: {sorted(disputed)})")
    kept: list[Span] = []
    for side in SIDES:
        other = "B" if side == "A" else "A"
        for i in only[side]:
            k = f"{side}{i}"
            if k not in ks:
                problems.append(f"{where}: no decision for {k} ({sides[side][i]['cue']})")
                continue
            keep = ks[k]["keep"]
            res = tally.cue(sides[side][i]["cue"])["resolution"]
            key = f"{side}_only_{'kept' if keep else 'dropped'}"
            winner = f"for_{side if keep else other}"
            for r in (tally.stats, res):
                r[key] = r.get(key, 0) + 1
                r[winner] = r.get(winner, 0) + 1
            if keep:
                kept.append(sides[side][i])
    text = turn["text"]
    for add in decision.get("add", []):
        warnings: list[str] = []
        span = _locate(f"{where}: add", text, turn["role"], add, problems, warnings)
        if span is None:
            continue
        if warnings:
            problems.append(warnings[0].replace("it will be dropped before matching",
                                                "an added cue must fit the turn's role"))
            continue
        s, e = strip_span(text, span["start"], span["end"])
        kept.append({"cue": span["cue"], "start": s, "end": e})
        tally.stats["added_by_adjudicator"] = tally.stats.get("added_by_adjudicator", 0) + 1
    return kept


def _batch_names(batches_dir: Path, names: Sequence[str] | None) -> list[str]:
    if names:
        return list(names)
    prefix, suffix = BATCH_PATTERN.split("{batch}")
    found = sorted(p.name[len(prefix):-len(suffix)]
                   for p in batches_dir.glob(BATCH_PATTERN.format(batch="*")))
    if not found:
        raise LabellingError([f"{batches_dir}: no {BATCH_PATTERN.format(batch='*')} files"])
    return found


def merge(round_no: int, pool_path: str | Path, batches_dir: str | Path,
          passes_dir: str | Path, decisions_dir: str | Path, out_dir: str | Path,
          batch_names: Sequence[str] | None = None, pass_pattern: str = PASS_PATTERN,
          decisions_pattern: str = DECISIONS_PATTERN) -> dict[str, Any]:
    """Merge a round: agreed and adjudicated cues to ``labels<N>.jsonl`` and ``agreement<N>.json``.

    Parameters
    ----------
    round_no
        The round's number ``N``, for the output file names.
    pool_path
        The round's pool (``cue_corpus.py manifestN``): ``id, source, role,
        conversation, sha256``; the labels follow its order and every pooled turn
        must be in exactly one batch, with the text the hash names.
    batches_dir
        The batches, ``batch_<name>.jsonl``.
    passes_dir
        The passes, ``pass_pattern`` with ``{batch}`` and ``{side}`` (A or B).
    decisions_dir
        The adjudication, ``decisions_pattern`` with ``{batch}``; a batch on which the
        passes agree everywhere needs none.
    out_dir
        Where to write the two files.
    batch_names
        The batches to merge (default: every batch file of ``batches_dir``, sorted);
        together they must hold every pooled turn.
    pass_pattern, decisions_pattern
        File names in ``passes_dir`` and ``decisions_dir``.

    Returns
    -------
    dict
        The agreement as written.

    Raises
    ------
    LabellingError
        Listing every problem: a missing file, a pass that does not check, a turn
        with a disagreement but no decision (or a disputed cue with none, or a
        decision for no disputed cue), an added quote not in the text, a pool that
        does not match the batches. Nothing is written then.
    """
    batches_dir, passes_dir = Path(batches_dir), Path(passes_dir)
    decisions_dir, out_dir = Path(decisions_dir), Path(out_dir)
    names = _batch_names(batches_dir, batch_names)
    pool: list[dict[str, Any]] = []
    problems: list[str] = []
    for _, rec, problem in _json_lines(Path(pool_path)):
        if problem:
            problems.append(problem)
        else:
            pool.append(rec)
    tally = Tally()
    labels: dict[str, tuple[Turn, list[Span]]] = {}
    unread = 0
    for name in names:
        batch_path = batches_dir / BATCH_PATTERN.format(batch=name)
        dec_path = decisions_dir / decisions_pattern.format(batch=name)
        try:
            batch = read_batch(batch_path)
            a_path, b_path = (passes_dir / pass_pattern.format(batch=name, side=s)
                              for s in SIDES)
            passes = {s: read_pass(batch, p) for s, p in zip(SIDES, (a_path, b_path),
                                                             strict=True)}
            decisions = read_decisions(dec_path) if dec_path.exists() else {}
        except LabellingError as exc:
            problems.extend(exc.problems)
            unread += 1
            continue
        except OSError as exc:
            problems.append(f"batch {name}: {exc}")
            unread += 1
            continue
        disputed_ids: set[str] = set()
        for t in batch:
            a = clean(t, passes["A"][t["id"]], tally.stats)
            b = clean(t, passes["B"][t["id"]], tally.stats)
            pairs, a_only, b_only = tally.add(a, b)
            final = [shorter(a[i], b[j]) for i, j in pairs]
            if a_only or b_only:
                disputed_ids.add(t["id"])
                final += _resolve(tally, t, {"A": a, "B": b}, {"A": a_only, "B": b_only},
                                  decisions.get(t["id"]), str(dec_path), problems)
            uniq = sorted({(x["start"], x["end"], x["cue"]) for x in final})
            if t["id"] in labels:
                problems.append(f"{batch_path}: {t['id']} is in another batch too")
            labels[t["id"]] = (t, [{"cue": c, "start": s, "end": e} for s, e, c in uniq])
        for tid in sorted(set(decisions) - disputed_ids):
            problems.append(f"{dec_path}:{decisions[tid]['_line']}: {tid}: a decision for a "
                            "turn that is not on the worklist (no disagreement, or not in "
                            "the batch)")
    if unread:  # the pool cannot be checked against batches that were not read
        raise LabellingError(problems)
    rows: list[dict[str, Any]] = []
    for m in pool:
        got = labels.get(m.get("id", ""))
        if got is None:
            problems.append(f"{pool_path}: {m.get('id')!r} is in no batch")
            continue
        t, cues = got
        if text_hash(t["text"]) != m.get("sha256") or t["role"] != m.get("role"):
            problems.append(f"{pool_path}: {m['id']}: the batch's text or role is not the "
                            "pool's (sha256 or role differ)")
        rows.append({"id": m["id"], "source": m.get("source"), "role": m.get("role"),
                     "conversation": m.get("conversation"), "sha256_16": m.get("sha256"),
                     "cues": cues})
    extra = set(labels) - {m.get("id") for m in pool}
    if extra:
        problems.append(f"{pool_path}: {len(extra)} batch turn(s) are not in the pool, "
                        f"e.g. {sorted(extra)[:5]}")
    if problems:
        raise LabellingError(problems)
    agreement = {"batches": names, "turns": len(labels),
                 "turns_with_disagreement": tally.turns_with_disagreement,
                 "disagreements": tally.disagreements, "micro_f1": tally.micro_f1,
                 "cues_in_A": tally.in_a, "cues_in_B": tally.in_b,
                 "cues_agreed": tally.agreed,
                 "resolved": {k: tally.stats.get(k, 0) for k in RESOLUTION_KEYS},
                 "dropped_for_role": tally.stats.get("role_dropped", 0),
                 "matching": MATCHING, "per_cue": tally.per_cue()}
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / f"labels{round_no}.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    (out_dir / f"agreement{round_no}.json").write_text(json.dumps(agreement, indent=1) + "\n",
                                                     encoding="utf-8")
    return agreement


# ------------------------------------------------------------------ command line
def _report(tally: Tally) -> str:
    lines = [f"{tally.turns} turns; pass A {tally.in_a} cues, pass B {tally.in_b}, "
             f"{tally.agreed} agreed: micro F1 {tally.micro_f1:.3f}; "
             f"{tally.disagreements} disputed cue(s) on {tally.turns_with_disagreement} "
             f"turn(s); {tally.stats.get('role_dropped', 0)} dropped for their role"]
    for c, p in tally.per_cue().items():
        if p["agreed"] < max(p["in_A"], p["in_B"]):
            lines.append(f"  {c:22} A {p['in_A']:4}  B {p['in_B']:4}  agreed {p['agreed']:4}"
                         f"  F1 {p['f1']:.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``check``, ``compare`` or ``merge``; 1 on any problem, else 0."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check", help="validate a pass and turn its quotes into spans")
    c.add_argument("batch", help="the batch (JSON lines with texts)")
    c.add_argument("pass_file", metavar="pass", help="the pass (quotes or spans)")
    c.add_argument("--write", metavar="SPANS", help="write the spans here if all is well")
    k = sub.add_parser("compare", help="agreement of two passes and the adjudication worklist")
    k.add_argument("batch")
    k.add_argument("pass_a")
    k.add_argument("pass_b")
    k.add_argument("--out", required=True, metavar="WORKLIST",
                   help="the worklist (JSON lines, with texts)")
    m = sub.add_parser("merge", help="write labels<N>.jsonl and agreement<N>.json")
    m.add_argument("--round", dest="round_no", type=int, required=True, metavar="N")
    m.add_argument("--pool", required=True, metavar="POOL_JSONL",
                   help="the round's pool without texts (data/cue_corpus/poolN.jsonl)")
    m.add_argument("--batches", required=True, metavar="DIR", help="batch_<name>.jsonl files")
    m.add_argument("--passes", required=True, metavar="DIR",
                   help=f"the passes, named as --pass-pattern ({PASS_PATTERN})")
    m.add_argument("--decisions", required=True, metavar="DIR",
                   help=f"the adjudication, named as --decisions-pattern ({DECISIONS_PATTERN})")
    m.add_argument("--out", required=True, metavar="DIR")
    m.add_argument("--batch", action="append", dest="batch_names", metavar="NAME",
                   help="merge these batches (repeat; default every batch file); together "
                        "they must hold the whole pool")
    m.add_argument("--pass-pattern", default=PASS_PATTERN)
    m.add_argument("--decisions-pattern", default=DECISIONS_PATTERN)
    args = ap.parse_args(argv)
    try:
        if args.cmd == "check":
            batch = read_batch(args.batch)
            spans, problems, warnings = check_pass(batch, args.pass_file)
            for line in problems + warnings:
                print(line, file=sys.stderr)
            n = sum(len(v) for v in spans.values())
            print(f"{args.pass_file}: {len(spans)} of {len(batch)} turns, {n} cues, "
                  f"{len(problems)} problem(s), {len(warnings)} warning(s)")
            if problems:
                return 1
            if args.write:
                write_spans(batch, spans, args.write)
                print(f"spans -> {args.write}")
        elif args.cmd == "compare":
            batch = read_batch(args.batch)
            tally, work = compare(batch, read_pass(batch, args.pass_a),
                                  read_pass(batch, args.pass_b))
            write_jsonl(work, args.out)
            print(_report(tally))
            print(f"worklist: {len(work)} turn(s) -> {args.out}")
        else:
            agreement = merge(args.round_no, args.pool, args.batches, args.passes,
                              args.decisions, args.out, args.batch_names,
                              args.pass_pattern, args.decisions_pattern)
            labels = Path(args.out) / f"labels{args.round_no}.jsonl"
            rows = [json.loads(line) for line in labels.read_text("utf-8").splitlines()]
            print(f"{agreement['turns']} turns, micro F1 {agreement['micro_f1']:.3f}, "
                  f"{agreement['disagreements']} disagreement(s) resolved; "
                  f"{sum(len(r['cues']) for r in rows)} cues on "
                  f"{sum(1 for r in rows if r['cues'])} turns -> {labels} and "
                  f"agreement{args.round_no}.json")
    except LabellingError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        print(f"labelling {args.cmd}: {len(exc.problems)} problem(s)", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"labelling {args.cmd}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
