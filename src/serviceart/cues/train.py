"""Building the learned cue model from labelled turns (needs scikit-learn).

A labelled turn is a dict ``{"id", "source", "conversation", "role", "text",
"cues": [{"cue", "start", "end"}]}``. A sentence is a positive example of a cue
when a gold span of that cue overlaps it; each cue is learned only from the
turns of its codebook role.

Thresholds are picked on out-of-fold probabilities (folds grouped by
conversation): a cue's threshold is the lowest probability at which the
sentences the model would add (those where no pattern found the cue) are right
at least :data:`PRECISION` of the time, with at least :data:`MIN_TP` right ones.
A cue that cannot reach it is left out of the model.

With :data:`CHECK` on (off by default: measured not to pay, see
``docs/codebook.md``), each cue with at least :data:`MIN_WRONG` wrong pattern
hits also gets a check: a regression over the same features, trained on the
sentences holding a pattern hit of the cue, that predicts whether the hit is
right. Its threshold (hits below it are dropped) is the cut of the out-of-fold
probabilities that maximises the cue's sentence-level F1, dropping hits that are
wrong at least :data:`DROP_PRECISION` of the time, kept only when it gains
:data:`CHECK_GAIN`.

Only turns of sources whose licence allows redistributing a derived model
(``model/sources.json``) are used for training; the others serve evaluation.

Run ``python benchmarks/train_cues.py`` (``make cues-model``) to rebuild the
shipped model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..codebook import CUES
from ..errors import InputError
from .learned import CueModel, Sentences, feature_keys, sentences
from .pipeline import SPANS_KEY, make_nlp, normalise

__all__ = [
    "MIN_TP",
    "PRECISION",
    "Prepared",
    "build",
    "check_thresholds",
    "corpus_error",
    "fit",
    "folds",
    "licences",
    "oof_proba",
    "predict",
    "prepare",
    "read_jsonl",
    "thresholds",
]

#: The precision a cue's additions must keep, out of fold.
PRECISION = 0.85
#: Fewest right additions, out of fold, for a cue to be added at all (3 right of 3 is
#: too little evidence of PRECISION: such an addition cost resolution_check 0.02 of F1
#: out of fold after session 10's patterns).
MIN_TP = 5
#: Fewest positive training sentences for a cue to be learned.
MIN_POSITIVES = 5
#: Fewest training sentences a feature must occur in.
MIN_DF = 2
#: Inverse regularisation strength of the logistic regressions.
C = 4.0
#: Grouped folds used to pick the thresholds.
FOLDS = 5
#: The feature kinds the model is built from (see :data:`serviceart.cues.learned.KINDS`).
FEATURES: tuple[str, ...] = ("w", "b", "s", "p", "n", "f")
#: Other values of C tried per cue (out of fold, the one with most right additions wins).
C_GRID: tuple[float, ...] = ()
#: Class weighting of the regressions.
WEIGHT: str | None = "balanced"
#: Additions need at least this probability.
MIN_PROB = 0.5
#: Fewest wrong pattern hits of a cue (training sentences) before it may get a check.
MIN_WRONG = 10
#: The out-of-fold F1 gain (sentence level) a check must bring to be kept.
CHECK_GAIN = 0.02
#: The share of wrong hits among those a check drops, out of fold, at least.
DROP_PRECISION = 0.85
#: Learn checks of pattern hits at all.
CHECK = False


def licences() -> dict[str, dict[str, Any]]:
    """The corpus sources (turn-id prefixes) with their folder, licence and ``train`` flag."""
    text = resources.files("serviceart.cues").joinpath("model", "sources.json").read_text(
        encoding="utf-8")
    return dict(json.loads(text)["sources"])


@dataclass
class Prepared:
    """Labelled turns run through the pattern pipeline once, split into sentences.

    Attributes
    ----------
    rows
        The labelled turns.
    sents
        Their sentences and features (``sents.doc`` is the turn's position).
    cues
        The cue of each column of the matrices below (codebook order).
    gold, pattern, role_ok
        Sentence x cue: a gold span overlaps; a pattern span overlaps; the turn's
        role is the cue's.
    pattern_spans
        Per turn, the pattern cues ``(cue, start, end)`` for the turn's role.
    """

    rows: list[dict[str, Any]]
    sents: Sentences
    cues: list[str]
    gold: np.ndarray
    pattern: np.ndarray
    role_ok: np.ndarray
    pattern_spans: list[list[tuple[str, int, int]]]

    def trainable(self) -> np.ndarray:
        """Per turn: its source's licence allows training a shipped model."""
        table = licences()
        return np.array([bool(table.get(r["source"], {}).get("train", False))
                         for r in self.rows], dtype=bool)


def _check(rows: Sequence[dict[str, Any]]) -> None:
    for n, r in enumerate(rows):
        where = f"labelled turn {n} ({r.get('id', 'no id')})"
        for key in ("id", "source", "conversation", "role", "text", "cues"):
            if key not in r:
                raise InputError(f"{where} has no {key!r}; give every turn id, source, "
                                 "conversation, role, text and cues", code="SA-I110")
        for g in r["cues"]:
            if g.get("cue") not in CUES:
                raise InputError(f"{where}: {g.get('cue')!r} is not a codebook cue; fix the "
                                 "label", code="SA-I111")
            if not 0 <= int(g["start"]) < int(g["end"]) <= len(r["text"]):
                raise InputError(f"{where}: span {g['start']}..{g['end']} of {g['cue']} lies "
                                 f"outside its {len(r['text'])}-character text; fix the label",
                                 code="SA-I112")


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSON Lines file, blank lines skipped.

    Raises
    ------
    InputError
        A line is not valid JSON (the message names the file and the line).
    """
    rows = []
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}, line {n}: not valid JSON ({exc.msg}); fix the line",
                                 code="SA-I113") from exc
    return rows


def corpus_error(message: str) -> InputError:
    """The error for a labelled corpus that cannot be read back (``message`` says why)."""
    return InputError(message, code="SA-I114")


def prepare(rows: Sequence[dict[str, Any]], *, batch_size: int = 256,
            patterns_dir: str | Path | None = None) -> Prepared:
    """Run the turns through the pattern pipeline and mark each sentence's cues.

    Parameters
    ----------
    rows
        Labelled turns (see the module docstring).
    batch_size
        Texts per spaCy batch.
    patterns_dir
        Pattern files to run instead of the shipped ones.

    Returns
    -------
    Prepared
    """
    rows = list(rows)
    _check(rows)
    nlp = make_nlp(model=False, patterns_dir=patterns_dir)
    docs = list(nlp.pipe((normalise(r["text"]) for r in rows), batch_size=batch_size))
    sents = sentences(docs, names=True)
    cues = list(CUES)
    col = {c: j for j, c in enumerate(cues)}
    n = len(sents)
    gold = np.zeros((n, len(cues)), dtype=bool)
    pattern = np.zeros((n, len(cues)), dtype=bool)
    role_ok = np.zeros((n, len(cues)), dtype=bool)
    lo = np.searchsorted(sents.doc, np.arange(len(rows)), side="left")
    hi = np.searchsorted(sents.doc, np.arange(len(rows)), side="right")
    roles = np.array([CUES[c].role for c in cues], dtype=object)
    pattern_spans: list[list[tuple[str, int, int]]] = []
    for i, (row, doc) in enumerate(zip(rows, docs, strict=True)):
        a, b = lo[i], hi[i]
        role_ok[a:b] = roles == row["role"]
        s_start, s_end = sents.start[a:b], sents.end[a:b]
        for g in row["cues"]:
            s, e = int(g["start"]), int(g["end"])
            gold[a:b, col[g["cue"]]] |= (s_start < e) & (s < s_end)
        found = []
        for sp in doc.spans[SPANS_KEY]:
            pattern[a:b, col[sp.label_]] |= (s_start < sp.end_char) & (sp.start_char < s_end)
            if CUES[sp.label_].role == row["role"]:
                found.append((sp.label_, sp.start_char, sp.end_char))
        pattern_spans.append(found)
    return Prepared(rows, sents, cues, gold & role_ok, pattern, role_ok, pattern_spans)


def _subset(sents: Sentences, keep: np.ndarray) -> Sentences:
    """The sentences where ``keep`` is true, renumbered, with their features."""
    new = np.cumsum(keep) - 1
    on = keep[sents.row]
    return Sentences(sents.doc[keep], sents.start[keep], sents.end[keep],
                     sents.tok_start[keep], sents.tok_end[keep],
                     new[sents.row[on]], sents.key[on], sents.strings)


def _regression(x: Any, y: np.ndarray, strength: float, perm: np.ndarray
                ) -> tuple[np.ndarray, float]:
    """Weights (in the model's feature order, ``perm``) and intercept of one cue's
    logistic regression on rows ``x`` with labels ``y``."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=strength, class_weight=WEIGHT, solver="liblinear",
                            random_state=0, max_iter=1000)
    lr.fit(x, y)
    return lr.coef_[0][perm], float(lr.intercept_[0])


def fit(prep: Prepared, turns: np.ndarray, c: Sequence[float] | None = None) -> CueModel:
    """Fit the per-cue regressions on the sentences of the chosen turns.

    Thresholds are left at infinity (nothing added); :func:`build` sets them.

    Parameters
    ----------
    prep
        The prepared corpus.
    turns
        Per turn of ``prep.rows``: use it.
    c
        Per cue, the inverse regularisation strength (default :data:`C` for all).

    Returns
    -------
    CueModel
    """
    strength = [C] * len(prep.cues) if c is None else list(c)

    keep = turns[prep.sents.doc]
    sub = _subset(prep.sents, keep)
    pairs = np.unique(np.stack([sub.row.astype("uint64"), sub.key]), axis=1)
    keys, df = np.unique(pairs[1], return_counts=True)
    keys = keys[df >= MIN_DF]
    df = df[df >= MIN_DF]
    n = len(sub)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    names = [sub.strings[int(k)] for k in keys.tolist()]
    use = np.array([f.partition(" ")[0] in FEATURES for f in names], dtype=bool)
    keys, df, idf = keys[use], df[use], idf[use]
    names = [f for f, u in zip(names, use, strict=True) if u]
    order = np.argsort(np.array(names, dtype=object), kind="stable")
    names = [names[i] for i in order]
    idf = idf[order]
    cues = prep.cues
    blank = CueModel(names, idf, cues, np.zeros((len(names), len(cues))),
                     np.zeros(len(cues)), np.full(len(cues), np.inf))
    x = blank.matrix(sub)
    perm = np.searchsorted(blank._keys, feature_keys(names))  # name order -> column
    coef = np.zeros((len(names), len(cues)))
    intercept = np.full(len(cues), -30.0)  # a cue that is not learned is never added
    gold, role_ok = prep.gold[keep], prep.role_ok[keep]
    hit = prep.pattern[keep] & role_ok
    c_coef = np.zeros((len(names), len(cues)))
    c_intercept = np.full(len(cues), 30.0)  # a cue without a check keeps every hit
    for j in range(len(cues)):  # the checks: is a pattern hit in this sentence right?
        rows = np.flatnonzero(hit[:, j])
        y = gold[rows, j]
        if not CHECK or (~y).sum() < MIN_WRONG or y.sum() < MIN_POSITIVES:
            continue
        c_coef[:, j], c_intercept[j] = _regression(x[rows], y, strength[j], perm)
    for j in range(len(cues)):
        rows = np.flatnonzero(role_ok[:, j])
        y = gold[rows, j]
        if y.sum() < MIN_POSITIVES or y.all():
            continue
        coef[:, j], intercept[j] = _regression(x[rows], y, strength[j], perm)
    return CueModel(names, idf, cues, coef, intercept, np.full(len(cues), np.inf),
                    check_cues=list(cues), check_coef=c_coef, check_intercept=c_intercept,
                    check_threshold=np.zeros(len(cues)))


def folds(prep: Prepared, turns: np.ndarray, k: int = FOLDS) -> list[np.ndarray]:
    """Turn masks of ``k`` folds over the chosen turns, grouped by conversation.

    Conversations are dealt to folds in a fixed order (sorted by size, then by
    name, largest first, each to the fold with the fewest turns so far), so the
    folds do not depend on the order of the rows.
    """
    convs = np.array([f"{r['source']}|{r['conversation']}" for r in prep.rows], dtype=object)
    chosen = np.flatnonzero(turns)
    names, inverse, sizes = np.unique(convs[chosen], return_inverse=True, return_counts=True)
    order = sorted(range(len(names)), key=lambda g: (-sizes[g], names[g]))
    load = [0] * k
    fold_of = np.zeros(len(names), dtype="int64")
    for g in order:
        f = min(range(k), key=lambda i: (load[i], i))
        fold_of[g] = f
        load[f] += int(sizes[g])
    out = []
    for f in range(k):
        mask = np.zeros(len(prep.rows), dtype=bool)
        mask[chosen[fold_of[inverse] == f]] = True
        out.append(mask)
    return out


def _additions(prep: Prepared, prob: np.ndarray) -> np.ndarray:
    """Sentence x cue: where the model could add the cue (its role, no pattern found it)."""
    return prep.role_ok & ~prep.pattern & ~np.isnan(prob)


def thresholds(prep: Prepared, prob: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """Per-cue thresholds from out-of-fold probabilities, and the figures behind them.

    Parameters
    ----------
    prep
        The prepared corpus.
    prob
        Sentence x cue out-of-fold probabilities (NaN: not predicted).

    Returns
    -------
    tuple
        The thresholds (``inf`` where the cue cannot keep :data:`PRECISION`) and,
        per cue, the candidate sentences, gold ones among them, and the
        additions and right additions at the threshold.
    """
    can = _additions(prep, prob)
    score, gold = prob, prep.gold
    out = np.full(len(prep.cues), np.inf)
    stats: dict[str, Any] = {}
    for j, cue in enumerate(prep.cues):
        rows = np.flatnonzero(can[:, j])
        p, y = score[rows, j], gold[rows, j]
        order = np.argsort(-p, kind="stable")
        p, y = p[order], y[order]
        tp = np.cumsum(y)
        k = np.arange(1, len(p) + 1)
        # only cut between different probabilities: ties are all added or none
        cut = np.r_[p[1:] < p[:-1], True] if len(p) else np.zeros(0, dtype=bool)
        ok = cut & (tp >= MIN_TP) & (tp >= PRECISION * k) & (p >= MIN_PROB)
        entry: dict[str, Any] = {"candidates": len(p), "gold": int(y.sum())}
        if ok.any():
            last = int(np.flatnonzero(ok)[-1])
            out[j] = float(p[last])
            entry.update(threshold=round(float(p[last]), 6), added=int(k[last]),
                         right=int(tp[last]))
        stats[cue] = entry
    return out, stats


def oof_proba(prep: Prepared, turns: np.ndarray, k: int = FOLDS,
              c: Sequence[float] | None = None,
              check: np.ndarray | None = None) -> np.ndarray:
    """Out-of-fold probabilities for the sentences of the chosen turns (NaN elsewhere).

    When ``check`` (sentence x cue, like the result) is given, the checks'
    out-of-fold probabilities are written into it.
    """
    prob = np.full(prep.gold.shape, np.nan)
    for test in folds(prep, turns, k):
        model = fit(prep, turns & ~test, c)
        rows = test[prep.sents.doc]
        sub = _subset(prep.sents, rows)
        x = model.matrix(sub)
        prob[rows] = np.asarray(1.0 / (1.0 + np.exp(-(x @ model._coef + model._intercept))))
        if check is not None:
            check[rows] = model.check_proba(sub, x)
    return prob


def check_thresholds(prep: Prepared, turns: np.ndarray,
                     check: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """Per-cue thresholds of the pattern-hit checks, from out-of-fold probabilities.

    For each cue with at least :data:`MIN_WRONG` wrong pattern hits, the hits are
    ranked by their probability of being right; the threshold is the cut (hits
    below it dropped) that maximises the cue's sentence-level F1 on the chosen
    turns, kept only if it raises that F1 by at least :data:`CHECK_GAIN`.

    Returns
    -------
    tuple
        The thresholds (0.0: no check, every hit kept) and, per checked cue, the
        hits, wrong hits, dropped hits, wrong ones among them and the F1 before
        and after.
    """
    on = turns[prep.sents.doc][:, None] & prep.role_ok
    hit, gold = prep.pattern & on, prep.gold & on
    out = np.zeros(len(prep.cues))
    stats: dict[str, Any] = {}
    for j, cue in enumerate(prep.cues):
        rows = np.flatnonzero(hit[:, j] & ~np.isnan(check[:, j]))
        y = gold[rows, j]
        tp0, fp0 = int(y.sum()), int((~y).sum())
        fn0 = int((gold[:, j] & ~hit[:, j]).sum())
        if fp0 < MIN_WRONG or tp0 < MIN_POSITIVES:
            continue
        p = check[rows, j]
        order = np.argsort(p, kind="stable")
        p, y = p[order], y[order]
        lost, gone = np.cumsum(y), np.cumsum(~y)  # after dropping the lowest i+1 hits
        tp, fp, fn = tp0 - lost, fp0 - gone, fn0 + lost
        f1 = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
        cut = np.r_[p[1:] > p[:-1], False]  # only cut between different probabilities
        cut &= gone >= DROP_PRECISION * (lost + gone)  # the dropped hits: mostly wrong
        base = 2 * tp0 / max(2 * tp0 + fp0 + fn0, 1)
        entry: dict[str, Any] = {"hits": len(p), "wrong": fp0, "f1": round(base, 4)}
        if cut.any():
            best = int(np.flatnonzero(cut)[np.argmax(f1[cut])])
            if f1[best] >= base + CHECK_GAIN:
                out[j] = float((p[best] + p[best + 1]) / 2)
                entry.update(threshold=round(out[j], 6), dropped=best + 1,
                             dropped_wrong=int(gone[best]), f1_checked=round(float(f1[best]), 4))
        stats[cue] = entry
    return out, stats


def build(prep: Prepared, turns: np.ndarray | None = None, *,
          licensed_only: bool = True) -> CueModel:
    """The model trained on the chosen turns, thresholds picked out of fold.

    Parameters
    ----------
    prep
        The prepared corpus.
    turns
        Per turn: use it (default: every turn whose source's licence allows
        training, see :func:`licences`).
    licensed_only
        Never train on turns of other sources (the shipped model); false only to
        measure, for research, what the unlicensed labels would add.

    Returns
    -------
    CueModel
        Only the cues that keep :data:`PRECISION` out of fold; ``meta`` records
        the sources, licences, counts and the threshold figures.
    """
    allowed = prep.trainable() if licensed_only else np.ones(len(prep.rows), dtype=bool)
    turns = allowed if turns is None else (np.asarray(turns, dtype=bool) & allowed)
    strength = np.full(len(prep.cues), C)
    check = np.full(prep.gold.shape, np.nan)
    prob = oof_proba(prep, turns, check=check)
    thr, stats = thresholds(prep, prob)
    c_thr, c_stats = (check_thresholds(prep, turns, check) if CHECK
                      else (np.zeros(len(prep.cues)), {}))
    for value in C_GRID:  # a cue keeps the C whose out-of-fold additions are most
        if value == C:
            continue
        other = oof_proba(prep, turns, c=[value] * len(prep.cues))
        o_thr, o_stats = thresholds(prep, other)
        for j, cue in enumerate(prep.cues):
            if o_stats[cue].get("right", 0) > stats[cue].get("right", 0):
                strength[j], thr[j], stats[cue] = value, o_thr[j], o_stats[cue]
                prob[:, j] = other[:, j]
    full = fit(prep, turns, strength.tolist())
    keep = [j for j in range(len(prep.cues)) if np.isfinite(thr[j])]
    checked = [j for j in range(len(prep.cues)) if c_thr[j] > 0]
    table = licences()
    used = sorted({prep.rows[i]["source"] for i in np.flatnonzero(turns)})
    settings: dict[str, Any] = {
        "precision": PRECISION, "min_tp": MIN_TP, "min_positives": MIN_POSITIVES,
        "min_df": MIN_DF, "C": C, "folds": FOLDS, "features": list(FEATURES),
        "c_grid": list(C_GRID), "min_prob": MIN_PROB, "class_weight": WEIGHT}
    meta = {
        "sources": {s: {"licence": table.get(s, {}).get("licence", "unknown"),
                    "folder": table.get(s, {}).get("folder", "unknown"),
                        "turns": int(sum(1 for i in np.flatnonzero(turns)
                                         if prep.rows[i]["source"] == s))}
                    for s in used},
        "turns": int(turns.sum()),
        "sentences": int(turns[prep.sents.doc].sum()),
        "settings": settings,
        "C": {cue: float(strength[j]) for j, cue in enumerate(prep.cues)
              if np.isfinite(thr[j])},
        "thresholds": stats,
    }
    if c_stats:
        meta["settings"] = {**settings, "min_wrong": MIN_WRONG, "check_gain": CHECK_GAIN}
        meta["checks"] = c_stats
    if not keep and not checked:  # nothing to add or check: ship no features either
        return CueModel([], np.zeros(0), [], np.zeros((0, 0)), np.zeros(0), np.zeros(0), meta)
    return CueModel(full.features, full.idf, [prep.cues[j] for j in keep],
                    full.coef[:, keep], full.intercept[keep], thr[keep], meta,
                    check_cues=[prep.cues[j] for j in checked],
                    check_coef=full.check_coef[:, checked],
                    check_intercept=full.check_intercept[checked],
                    check_threshold=c_thr[checked])


def predict(model: CueModel, prep: Prepared,
            turns: np.ndarray) -> dict[int, list[tuple[str, int, int, str]]]:
    """Pattern and model cues of the chosen turns, for their roles.

    Returns
    -------
    dict
        Turn position -> ``(cue, start, end, source)`` with source ``pattern`` or ``model``.
    """
    out: dict[int, list[tuple[str, int, int, str]]] = {
        int(i): [(*s, "pattern") for s in prep.pattern_spans[i]] for i in np.flatnonzero(turns)}
    if not model.cues and not model.check_cues:
        return out
    rows = np.flatnonzero(turns[prep.sents.doc])
    sub = _subset(prep.sents, turns[prep.sents.doc])
    if model.check_cues:  # drop the pattern hits whose sentence fails the cue's check
        c_prob = model.check_proba(sub)
        col = {c: j for j, c in enumerate(model.check_cues)}
        for i in out:
            a = int(np.searchsorted(prep.sents.doc[rows], i, side="left"))
            b = int(np.searchsorted(prep.sents.doc[rows], i, side="right"))
            ends = prep.sents.end[rows[a:b]]
            kept = []
            for cue, s, e, src in out[i]:
                j = col.get(cue)
                k = a + int(np.searchsorted(ends, s, side="right"))
                if j is not None and k < b and c_prob[k, j] < model.check_threshold[j]:
                    continue
                kept.append((cue, s, e, src))
            out[i] = kept
    if not model.cues:
        return out
    prob = model.proba(sub)
    cols = [prep.cues.index(c) for c in model.cues]
    add = (prob >= model.threshold) & prep.role_ok[rows][:, cols] & ~prep.pattern[rows][:, cols]
    for r, c in zip(*np.nonzero(add), strict=True):
        s = rows[r]
        out[int(prep.sents.doc[s])].append(
            (model.cues[c], int(prep.sents.start[s]), int(prep.sents.end[s]), "model"))
    return out
