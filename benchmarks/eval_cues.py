"""Evaluate serviceart's cue detectors against a gold set of labelled turns.

Usage::

    python benchmarks/eval_cues.py [GOLD_JSONL] [--errors N] [--json OUT]
    python benchmarks/eval_cues.py --cv [--half look|check] [--hit-check] [--errors N]

The gold file holds one JSON object per line: ``id, dataset, role, text, cues``
where ``cues`` is a list of ``{cue, start, end, span}``. It defaults to
``../shared/data/gold/cues_dev.jsonl`` next to the repository.

Each turn is run through one :func:`serviceart.make_nlp` pipeline with
:func:`serviceart.detect`; a predicted cue is kept only when the codebook's
"said by" role of the cue equals the turn's role (as the scoring engine does).

Two levels are scored per cue:

- turn level: does the turn contain the cue (precision, recall, F1, support =
  gold turns with the cue);
- span level: a predicted span is a true positive when it overlaps a gold span
  of the same cue that no earlier predicted span has matched.

Micro averages pool the counts of all cues; macro averages are the mean over
cues whose support is above zero, and ``macro5`` (printed as ``macro sup>=5``) the
mean over cues with at least five gold turns, as issue 19's held-out bar counts it.

``--set ROUND`` scores the shipped detectors on one labelling round of the corpus
(``corpus2``: the 1,200 turns labelled in session 11; ``corpus3``: the 600 turns
labelled in session 13; ``corpus4``: the 600 turns labelled in session 15, after the
patterns and the model were fixed), without listing its errors.

``--half look|check`` splits the labelled corpus by conversation into two fixed
halves (:func:`half_of`); with ``--split rounds`` the latest labelling round
(:data:`CHECK_ROUND`, the fourth) is the ``check`` part and the dev set and the earlier
rounds the ``look`` part (:func:`part_of`).
Phrase families are written reading the errors of the ``look`` part only; the
``check`` part is for measuring, and its errors are never listed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = REPO_ROOT.parent / "shared" / "data" / "gold" / "cues_dev.jsonl"
CHECK_ROUND = "corpus4"
"""The labelling round that ``--split rounds`` keeps as the ``check`` part."""

if str(REPO_ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO_ROOT / "src"))

import serviceart  # noqa: E402
from serviceart.codebook import CUES  # noqa: E402

__all__ = ["CHECK_ROUND", "DEFAULT_GOLD", "HALVES", "Counts", "cross_validate", "evaluate",
           "format_cv", "format_half", "format_report", "half_of", "leave_one_source_out",
           "load_gold", "main", "part_of", "score"]

#: The two halves of the labelled corpus: errors of ``look`` may be read, ``check``
#: is for measuring only.
HALVES = ("look", "check")

Span = tuple[int, int]


@dataclass
class Counts:
    """True positives, false positives and false negatives of one cue at one level."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 0.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 0.0 when there is nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """The counts and the derived scores."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass
class _CueTally:
    turn: Counts = field(default_factory=Counts)
    span: Counts = field(default_factory=Counts)
    support: int = 0
    span_support: int = 0
    fps: list[dict[str, Any]] = field(default_factory=list)
    fns: list[dict[str, Any]] = field(default_factory=list)


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """The gold turns of a JSON Lines file, blank lines skipped.

    Parameters
    ----------
    path
        The gold file.

    Returns
    -------
    list of dict
        One dict per turn with ``id, dataset, role, text, cues``.
    """
    rows: list[dict[str, Any]] = []
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows


#: Cues with fewer gold turns are left out of the ``macro5`` average.
MACRO_MIN_SUPPORT = 5
_AVG_LABEL = {"micro": "micro", "macro": "macro", "macro5": "macro sup>=5"}


def half_of(conversation: str) -> str:
    """The half (``look`` or ``check``) a conversation belongs to.

    The rule is fixed: the first 8 hex digits of the SHA-256 of the conversation
    name (UTF-8), as an integer, even for ``look`` and odd for ``check``. Every turn
    of a conversation is in the same half.

    Examples
    --------
    >>> [half_of(c) for c in ("1", "2", "3")]
    ['check', 'look', 'check']
    """
    digest = hashlib.sha256(str(conversation).encode("utf-8")).hexdigest()
    return HALVES[int(digest[:8], 16) % 2]


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _match_spans(pred: Sequence[Span], gold: Sequence[Span]) -> tuple[list[bool], list[bool]]:
    """Greedy one-to-one matching of overlapping spans, in order of position."""
    used = [False] * len(gold)
    pred_ok: list[bool] = []
    for p in sorted(pred):
        hit = next((i for i, g in enumerate(gold) if not used[i] and _overlap(p, g)), None)
        if hit is not None:
            used[hit] = True
        pred_ok.append(hit is not None)
    return pred_ok, used


def _mark(text: str, spans: Sequence[Span]) -> str:
    """``text`` with each span wrapped in ``[[ ]]``, on one line."""
    out, last = [], 0
    for s, e in sorted(spans):
        if s < last:
            continue
        out.extend([text[last:s], "[[", text[s:e], "]]"])
        last = e
    out.append(text[last:])
    return " ".join("".join(out).split())


def _averages(tallies: dict[str, _CueTally], level: str) -> dict[str, float]:
    pooled = Counts()
    scored = [t for t in tallies.values() if t.support > 0]
    for t in tallies.values():
        c: Counts = getattr(t, level)
        pooled.tp += c.tp
        pooled.fp += c.fp
        pooled.fn += c.fn
    n = len(scored) or 1
    # the held-out bar averages over the cues with at least MACRO_MIN_SUPPORT turns
    big = [t for t in scored if t.support >= MACRO_MIN_SUPPORT]
    m = len(big) or 1
    return {
        "micro_precision": pooled.precision,
        "micro_recall": pooled.recall,
        "micro_f1": pooled.f1,
        "macro_precision": sum(getattr(t, level).precision for t in scored) / n,
        "macro_recall": sum(getattr(t, level).recall for t in scored) / n,
        "macro_f1": sum(getattr(t, level).f1 for t in scored) / n,
        "macro5_precision": sum(getattr(t, level).precision for t in big) / m,
        "macro5_recall": sum(getattr(t, level).recall for t in big) / m,
        "macro5_f1": sum(getattr(t, level).f1 for t in big) / m,
    }


def score(rows: Sequence[dict[str, Any]],
          predictions: Sequence[Sequence[tuple[Any, ...]]], *, gold: str = "") -> dict[str, Any]:
    """Score predicted cues against the gold cues of the same turns.

    Parameters
    ----------
    rows
        Gold turns (``id, role, text, cues``).
    predictions
        Per turn, the predicted ``(cue, start, end, ...)``; cues of another role
        than the turn's are dropped here.
    gold
        A name for the gold set, shown in the report.

    Returns
    -------
    dict
        As :func:`evaluate`.
    """
    tallies: dict[str, _CueTally] = {name: _CueTally() for name in CUES}
    for row, found in zip(rows, predictions, strict=True):
        role = row["role"]
        pred: dict[str, list[Span]] = {}
        for cue, s, e, *_ in found:
            if cue in CUES and CUES[cue].role == role:
                pred.setdefault(cue, []).append((s, e))
        golds: dict[str, list[Span]] = {}
        for g in row.get("cues", []):
            golds.setdefault(g["cue"], []).append((int(g["start"]), int(g["end"])))
        for cue in set(pred) | set(golds):
            t = tallies.setdefault(cue, _CueTally())
            p_spans, g_spans = pred.get(cue, []), golds.get(cue, [])
            t.span_support += len(g_spans)
            if g_spans:
                t.support += 1
            if p_spans and g_spans:
                t.turn.tp += 1
            elif p_spans:
                t.turn.fp += 1
            else:
                t.turn.fn += 1
            pred_ok, gold_hit = _match_spans(p_spans, g_spans)
            t.span.tp += sum(pred_ok)
            t.span.fp += len(pred_ok) - sum(pred_ok)
            t.span.fn += len(gold_hit) - sum(gold_hit)
            text = row["text"]
            if p_spans and not g_spans:
                t.fps.append({"id": row["id"], "text": text, "marked": _mark(text, p_spans)})
            elif g_spans and not p_spans:
                t.fns.append({"id": row["id"], "text": text, "marked": _mark(text, g_spans)})
    cues = {
        name: {
            "support": t.support,
            "span_support": t.span_support,
            "turn": t.turn.as_dict(),
            "span": t.span.as_dict(),
            "false_positives": t.fps,
            "false_negatives": t.fns,
        }
        for name, t in tallies.items()
    }
    return {
        "gold": gold,
        "n_turns": len(rows),
        "turn": _averages(tallies, "turn"),
        "span": _averages(tallies, "span"),
        "cues": cues,
    }


def evaluate(gold_path: str | Path = DEFAULT_GOLD, nlp: Any = None) -> dict[str, Any]:
    """Score the cue detectors (patterns and the shipped model) on a gold file.

    Parameters
    ----------
    gold_path
        A gold JSON Lines file (see the module docstring).
    nlp
        A pipeline from :func:`serviceart.make_nlp`; a new one when ``None``.

    Returns
    -------
    dict
        ``{"n_turns", "turn": {micro/macro P/R/F1}, "span": {...}, "cues": {cue:
        {"support", "span_support", "turn": {tp, fp, fn, precision, recall, f1},
        "span": {...}, "false_positives": [...], "false_negatives": [...]}}}``; each
        error is ``{"id", "text", "marked"}``, the text with the cue's spans in ``[[ ]]``.
    """
    rows = load_gold(gold_path)
    nlp = nlp if nlp is not None else serviceart.make_nlp()
    predictions = serviceart.detect([r["text"] for r in rows], nlp=nlp)
    return score(rows, predictions, gold=str(gold_path))


def cross_validate(rows: Sequence[dict[str, Any]], *, folds: int = 5,
                   licensed_only: bool = True, prep: Any = None) -> dict[str, Any]:
    """Cross-validated figures of patterns plus model, folds grouped by conversation.

    In each fold the model is built as the shipped one is (thresholds picked by
    an inner cross-validation) from the other folds' turns, of licensed sources
    only unless ``licensed_only`` is false, and scored on the fold's turns.

    Parameters
    ----------
    rows
        Labelled turns with ``source`` and ``conversation`` (see
        ``benchmarks/train_cues.py``).
    folds
        Number of folds.
    licensed_only
        Train only on sources whose licence allows a shipped model.
    prep
        ``serviceart.cues.train.prepare(rows)``, when already made.

    Returns
    -------
    dict
        As :func:`score`, plus ``"patterns"`` (the patterns alone, same turns) and
        ``"model_cues"`` (how many folds' models added each cue).
    """
    import numpy as np

    from serviceart.cues import train

    prep = prep if prep is not None else train.prepare(rows)
    preds: dict[int, list[tuple[str, int, int, str]]] = {}
    added: dict[str, int] = {}
    for test in train.folds(prep, np.ones(len(rows), dtype=bool), folds):
        model = train.build(prep, ~test, licensed_only=licensed_only)
        for cue in model.cues:
            added[cue] = added.get(cue, 0) + 1
        preds.update(train.predict(model, prep, test))
    out = score(rows, [preds[i] for i in range(len(rows))], gold="cross-validated")
    out["patterns"] = score(rows, prep.pattern_spans, gold="patterns only")
    out["model_cues"] = added
    out["predictions"] = [preds[i] for i in range(len(rows))]
    return out


def part_of(row: dict[str, Any], split: str = "halves") -> str:
    """The part (``look`` or ``check``) a labelled turn belongs to.

    ``split="halves"``: by conversation (:func:`half_of`), the rule of sessions 9
    and 10. ``split="rounds"``: the latest labelling round (:data:`CHECK_ROUND`, the
    fourth, drawn at random from the dev set's sources and labelled in session 15
    after session 14's patterns and model were fixed) is ``check``; the dev set and
    the earlier rounds are ``look``. (Sessions 11 and 12 checked on the second round,
    ``corpus2``, sessions 13 and 14 on the third, ``corpus3``; each moved to ``look``
    when its errors were read.)

    Examples
    --------
    >>> part_of({"set": "corpus4", "conversation": "2"}, "rounds")
    'check'
    >>> part_of({"set": "corpus3", "conversation": "2"}, "rounds")
    'look'
    >>> part_of({"set": "corpus3", "conversation": "2"})
    'look'
    """
    if split == "rounds":
        return "check" if row.get("set") == CHECK_ROUND else "look"
    return half_of(row["conversation"])


def half_scores(rows: Sequence[dict[str, Any]], cv: dict[str, Any],
                half: str, split: str = "halves") -> dict[str, Any]:
    """The cross-validated figures, and the patterns' alone, on one part of the corpus.

    Parameters
    ----------
    rows
        The labelled turns given to :func:`cross_validate`.
    cv
        Its result (with ``predictions``).
    half
        ``look`` or ``check`` (see :func:`part_of`).
    split
        ``halves`` or ``rounds`` (see :func:`part_of`).

    Returns
    -------
    dict
        As :func:`score` on the part's turns, plus ``"patterns"``.
    """
    idx = [i for i, r in enumerate(rows) if part_of(r, split) == half]
    sub = [rows[i] for i in idx]
    what = "half" if split == "halves" else "part (rounds)"
    out = score(sub, [cv["predictions"][i] for i in idx], gold=f"{half} {what}, cross-validated")
    pat = [[(c, s, e) for c, s, e, src in cv["predictions"][i] if src == "pattern"]
           for i in idx]
    out["patterns"] = score(sub, pat, gold=f"{half} {what}, patterns only")
    return out


def format_half(result: dict[str, Any], errors: int = 0) -> str:
    """A per-cue table of :func:`half_scores` (cross-validated P/R/F1 and the patterns'
    F1), with up to ``errors`` false positives and negatives per cue (``look`` only)."""
    head = f"{'cue':<22}{'sup':>5}{'cvP':>7}{'cvR':>7}{'cvF1':>7}{'patF1':>7}"
    lines = [f"{result['gold']}: {result['n_turns']} turns", "", head, "-" * len(head)]
    for name, c in result["cues"].items():
        t = c["turn"]
        pat = result["patterns"]["cues"][name]["turn"]["f1"]
        lines.append(f"{name:<22}{c['support']:>5}{t['precision']:>7.3f}{t['recall']:>7.3f}"
                     f"{t['f1']:>7.3f}{pat:>7.3f}")
    lines.append("-" * len(head))
    for avg in ("micro", "macro", "macro5"):
        t = result["turn"]
        lines.append(f"{_AVG_LABEL[avg]:<22}{'':>5}{t[avg + '_precision']:>7.3f}"
                     f"{t[avg + '_recall']:>7.3f}{t[avg + '_f1']:>7.3f}"
                     f"{result['patterns']['turn'][avg + '_f1']:>7.3f}")
    if errors > 0 and result["gold"].startswith("look"):
        for name, c in result["cues"].items():
            fps, fns = c["false_positives"][:errors], c["false_negatives"][:errors]
            lines += ["", f"== {name}"] if fps or fns else []
            lines += [f"  FP {e['id']}: {e['marked']}" for e in fps]
            lines += [f"  FN {e['id']}: {e['marked']}" for e in fns]
    return "\n".join(lines)


def leave_one_source_out(rows: Sequence[dict[str, Any]], *, licensed_only: bool = True,
                         prep: Any = None) -> dict[str, Any]:
    """Figures on each source with a model trained on the other sources only.

    Returns
    -------
    dict
        ``{"pooled": score of all held-out predictions together, "sources": {source:
        score of that source's turns}}``.
    """
    import numpy as np

    from serviceart.cues import train

    prep = prep if prep is not None else train.prepare(rows)
    sources = np.array([r["source"] for r in rows], dtype=object)
    preds: dict[int, list[tuple[str, int, int, str]]] = {}
    per: dict[str, Any] = {}
    for src in sorted(set(sources.tolist())):
        test = sources == src
        model = train.build(prep, ~test, licensed_only=licensed_only)
        got = train.predict(model, prep, test)
        preds.update(got)
        idx = np.flatnonzero(test).tolist()
        per[src] = score([rows[i] for i in idx], [got[i] for i in idx], gold=src)
    pooled = score(rows, [preds[i] for i in range(len(rows))], gold="leave one source out")
    return {"pooled": pooled, "sources": per}


def format_cv(cv: dict[str, Any], loso: dict[str, Any], dev: dict[str, Any] | None) -> str:
    """A per-cue table: cross-validated P/R/F1 beside the patterns alone, the
    leave-one-source-out F1 and the dev-set F1 (turn level)."""
    head = (f"{'cue':<22}{'sup':>5}{'cvP':>7}{'cvR':>7}{'cvF1':>7}{'patF1':>7}"
            f"{'losoF1':>8}{'devF1':>7}  model")
    lines = [f"cross-validated on {cv['n_turns']} turns (folds grouped by conversation)",
             "", head, "-" * len(head)]
    for name, c in cv["cues"].items():
        t = c["turn"]
        pat = cv["patterns"]["cues"][name]["turn"]["f1"]
        lo = loso["pooled"]["cues"][name]["turn"]["f1"]
        dv = f"{dev['cues'][name]['turn']['f1']:>7.3f}" if dev else f"{'':>7}"
        lines.append(f"{name:<22}{c['support']:>5}{t['precision']:>7.3f}{t['recall']:>7.3f}"
                     f"{t['f1']:>7.3f}{pat:>7.3f}{lo:>8.3f}{dv}  "
                     f"{cv['model_cues'].get(name, 0)} folds")
    lines.append("-" * len(head))
    for avg in ("micro", "macro", "macro5"):
        lines.append(
            f"{_AVG_LABEL[avg]:<22}{'':>5}{cv['turn'][avg + '_precision']:>7.3f}"
            f"{cv['turn'][avg + '_recall']:>7.3f}{cv['turn'][avg + '_f1']:>7.3f}"
            f"{cv['patterns']['turn'][avg + '_f1']:>7.3f}"
            f"{loso['pooled']['turn'][avg + '_f1']:>8.3f}"
            + (f"{dev['turn'][avg + '_f1']:>7.3f}" if dev else ""))
    lines += ["", "leave one source out (turn level):",
              f"{'source':<12}{'turns':>6}{'microF1':>9}{'macroF1':>9}"]
    for src, r in loso["sources"].items():
        lines.append(f"{src:<12}{r['n_turns']:>6}{r['turn']['micro_f1']:>9.3f}"
                     f"{r['turn']['macro_f1']:>9.3f}")
    return "\n".join(lines)


def format_report(result: dict[str, Any], errors: int = 0) -> str:
    """A plain-text table of ``evaluate``'s result, with up to ``errors`` examples per cue.

    Parameters
    ----------
    result
        The dict returned by :func:`evaluate`.
    errors
        How many false positives and false negatives to list per cue.

    Returns
    -------
    str
    """
    lines = [f"gold: {result['gold']} ({result['n_turns']} turns)", ""]
    head = (
        f"{'cue':<22}{'sup':>5}{'tP':>7}{'tR':>7}{'tF1':>7}   "
        f"{'ssup':>5}{'sP':>7}{'sR':>7}{'sF1':>7}"
    )
    lines += [head, "-" * len(head)]
    for name, c in result["cues"].items():
        t, s = c["turn"], c["span"]
        lines.append(
            f"{name:<22}{c['support']:>5}{t['precision']:>7.3f}{t['recall']:>7.3f}"
            f"{t['f1']:>7.3f}   {c['span_support']:>5}{s['precision']:>7.3f}"
            f"{s['recall']:>7.3f}{s['f1']:>7.3f}"
        )
    lines.append("-" * len(head))
    for avg in ("micro", "macro", "macro5"):
        t, s = result["turn"], result["span"]
        lines.append(
            f"{_AVG_LABEL[avg]:<22}{'':>5}{t[avg + '_precision']:>7.3f}{t[avg + '_recall']:>7.3f}"
            f"{t[avg + '_f1']:>7.3f}   {'':>5}{s[avg + '_precision']:>7.3f}"
            f"{s[avg + '_recall']:>7.3f}{s[avg + '_f1']:>7.3f}"
        )
    if errors > 0:
        for name, c in result["cues"].items():
            fps, fns = c["false_positives"][:errors], c["false_negatives"][:errors]
            if not (fps or fns):
                continue
            lines += ["", f"== {name}"]
            lines += [f"  FP {e['id']}: {e['marked']}" for e in fps]
            lines += [f"  FN {e['id']}: {e['marked']}" for e in fns]
    return "\n".join(lines)


def _train_cues() -> Any:
    """``benchmarks/train_cues.py`` as a module (the folder is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("train_cues", REPO_ROOT / "benchmarks"
                                                  / "train_cues.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "gold",
        nargs="?",
        default=str(DEFAULT_GOLD),
        help="gold JSON Lines file (default: %(default)s)",
    )
    parser.add_argument(
        "--errors",
        type=int,
        default=0,
        metavar="N",
        help="list up to N false positives and negatives per cue",
    )
    parser.add_argument("--json", metavar="OUT", help="also write the numbers as JSON to OUT")
    parser.add_argument("--cv", action="store_true",
                        help="also cross-validate on the whole labelled corpus (dev set plus "
                        "data/cue_corpus/labels.jsonl), with leave-one-source-out figures")
    parser.add_argument("--set", metavar="ROUND", dest="round",
                        help="score the shipped detectors, as they are, on the corpus turns "
                        "of one labelling round (corpus, corpus2, corpus3, corpus4); a round "
                        "labelled after the detectors and the model were last changed is "
                        "unseen by them")
    parser.add_argument("--half", choices=HALVES,
                        help="with --cv, also report the figures on one half of the corpus "
                        "(split by conversation); --errors lists errors of the look half only")
    parser.add_argument("--split", choices=("halves", "rounds"), default="halves",
                        help="with --half: halves by conversation (default), or rounds: the "
                        "latest labelling round (corpus4) is the check part, the rest the "
                        "look part")
    parser.add_argument("--all-sources", action="store_true",
                        help="with --cv, train on every source, licensed or not (research only)")
    parser.add_argument("--hit-check", action="store_true",
                        help="with --cv, also learn checks that drop pattern hits (research "
                        "only: measured not to pay, see docs/codebook.md)")
    args = parser.parse_args(argv)
    if not Path(args.gold).exists():
        parser.error(f"gold file not found: {args.gold}")
    if args.half and not args.cv:
        parser.error("--half needs --cv")
    if args.round:
        rows = [r for r in _train_cues().load_corpus(Path(args.gold)) if r["set"] == args.round]
        if not rows:
            parser.error(f"no labelled turns of round {args.round!r}")
        found = serviceart.detect([r["text"] for r in rows], nlp=serviceart.make_nlp())
        result = score(rows, found, gold=f"round {args.round}, shipped detectors")
        print(format_report(result, 0))  # the errors of an unseen round are not listed
        return 0
    result = evaluate(args.gold)
    print(format_report(result, 0 if args.half else args.errors))
    if args.cv:
        from serviceart.cues import train

        train.CHECK = args.hit_check
        rows = _train_cues().load_corpus(Path(args.gold))
        prep = train.prepare(rows)
        licensed = not args.all_sources
        cv = cross_validate(rows, licensed_only=licensed, prep=prep)
        loso = leave_one_source_out(rows, licensed_only=licensed, prep=prep)
        print()
        print(format_cv(cv, loso, result))
        result = {"dev": result, "cv": cv, "loso": loso}
        if args.half:
            half = half_scores(rows, cv, args.half, args.split)
            print()
            print(format_half(half, args.errors))
            result["half"] = half
    if args.json:
        Path(args.json).write_text(
            json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
