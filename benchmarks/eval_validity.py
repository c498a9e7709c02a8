"""Validity of serviceart's scores: QA ratings and public outcome labels, beside two baselines.

Usage::

    python benchmarks/eval_validity.py [--cv] [--rubric FILE] [--limit N] [--json OUT]

Prints one table: one row per measure, columns ``serviceart`` (the scores of
:func:`serviceart.score` with the default rubric, or ``--rubric FILE``), the
baselines ``words`` (word count of the whole interaction) and ``VADER`` (the
compound sentiment of the whole interaction's text, ``vaderSentiment``), and
with ``--cv`` a cross-validated calibrated rubric. ``--json OUT`` writes the
same numbers.

Data, all under ``../shared/data`` next to the repository (each folder's
``SOURCE.txt`` gives origin and licence), read by ``benchmarks/outcome_sets.py``:

- ``gold/qa_dev.jsonl`` (the main check): 88 real and role-played support
  conversations (Twitter support ``twcs``, IBM's Twitter set ``ibm``, ABCD and
  MultiWOZ chats), each rated twice under ``../shared/QA_GUIDE.md`` on 1..5 per
  principle and overall (the mean of the two passes; a principle may be null,
  not applicable), and ``helped``: yes, partly, no, unclear or mixed.
  Twitter threads are given channel ``social``, ABCD and MultiWOZ ``chat``.
- ``uss_multiwoz_satisfaction/MWOZ.txt``: 1,000 MultiWOZ dialogues (crowd
  workers on both sides) with user satisfaction 1..5 from several annotators
  (Sun et al., SIGIR 2021); the dialogue-level label is the mean of the
  ``OVERALL`` line's ratings. Channel ``chat``.
- ``semeval_cqa_qatarliving/SemEval2016-Task3-CQA-QL-train-part1.xml``:
  Qatar Living forum comments judged Good, PotentiallyUseful or Bad against an
  original question (SemEval-2016 Task 3; in part 1 only the judgement against
  the *original* question exists). Each comment becomes a two-turn interaction:
  the original question (subject and body) asked by the customer, the comment
  as the agent's answer. Channel ``forum``. The file holds 6,130 comments
  (1,449 Good, 3,677 Bad, 1,004 PotentiallyUseful; its README's counts are of
  an earlier version); Good against Bad is reported.
- ``mozilla_sumo_support/rtanglao-answers.csv``: 964 answers by one Mozilla
  support staff member with helpful and unhelpful votes. The export carries no
  question text for most answers, so each answer is one agent turn; an answer
  is *helpful* with more helpful than unhelpful votes, *unhelpful* with more
  unhelpful ones (ties and unvoted answers are left out).
- ``mozilla_sumo_support/rt-sumo-forum-report/BY_WEEK/2020-06-14-...csv``: 893
  forum questions with ``is_solved``. Their answers are listed by id only, with
  no text, so the thread is the customer's question alone: this row checks what
  the scores (and baselines) read into a question, not the agent's answer.
- ``twcs/twcs.csv``: 1,312 Customer Support on Twitter threads, read with
  :func:`serviceart.read` (the ``messages`` reader). No outcome label: the row
  reports, per principle, the share of scored threads that take the single most
  common score (issue 18 asks for at most 40%).

Statistics:

- Spearman's rho and the area under the ROC curve (AUC, ties count half) drop
  the rows where either side is missing (a rating of null, a NaN score), pairwise
  per cell; ``n`` is the rows used.
- QA rows carry 95% percentile bootstrap intervals: 1,000 resamples of the
  conversations of each cell, seed 0.
- Public sets are capped at ``--limit`` items (default 1,500) by a seeded
  sample (seed 0), so the whole run stays under a few minutes on two cores.
- ``--cv``: 5-fold cross-validation over the QA conversations (one row per
  conversation, so the folds are grouped by conversation; shuffled, seed 0).
  In each fold, :func:`serviceart.calibrate` fits the rubric's weights on the
  training conversations, each principle against that principle's rating (a
  principle it cannot fit keeps its weights; the reason is printed),
  and the fitted rubric scores the held-out conversations. The held-out scores
  of the five folds are pooled and compared with the ratings like the other
  columns. ``sa.calibrate`` refuses fewer than ``min_n=100`` labelled
  interactions and a training fold has about 70, so ``min_n`` is lowered to
  :data:`CV_MIN_N` (its own floor is twice its inner folds); with so few rows
  the fitted weights are noisy, which the intervals show.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata, spearmanr
from sklearn.model_selection import KFold
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED = 0
N_BOOT = 1000
N_SPLITS = 5
LIMIT = 1500
LEVEL = 0.95
QA_SCALE = (1.0, 5.0)
CV_MIN_N = 30
"""``min_n`` passed to :func:`serviceart.calibrate` in ``--cv`` (its default is 100)."""

for _p in (REPO_ROOT / "src", REPO_ROOT / "benchmarks"):  # run from a checkout
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from outcome_sets import (  # noqa: E402
    KEYS,
    MWOZ_PATH,
    QA_PATH,
    SEMEVAL_PATH,
    SUMO_ANSWERS_PATH,
    SUMO_QUESTIONS_PATH,
    TWCS_PATH,
    Labelled,
    load_mwoz,
    load_qa,
    load_semeval,
    load_sumo_answers,
    load_sumo_questions,
)

import serviceart as sa  # noqa: E402

__all__ = [
    "Row",
    "Stat",
    "auc",
    "auc_interval",
    "baselines",
    "cv_calibrated_scores",
    "evaluate",
    "evaluate_public",
    "evaluate_qa",
    "format_table",
    "main",
    "spearman",
    "spearman_interval",
    "top_share",
]

COLUMNS = ("serviceart", "words", "vader", "calibrated")
_HEADERS = {"serviceart": "serviceart", "words": "words", "vader": "VADER",
            "calibrated": "CV-calibrated"}


@dataclass(frozen=True)
class Stat:
    """A statistic with its interval (NaN when not computed) and the rows used."""

    value: float
    n: int
    lo: float = np.nan
    hi: float = np.nan

    def as_dict(self) -> dict[str, Any]:
        """The fields as JSON-ready numbers (``None`` for NaN)."""
        return {k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                for k, v in (("value", self.value), ("n", self.n), ("lo", self.lo),
                             ("hi", self.hi))}


@dataclass
class Row:
    """One row of the table: a measure on one data set, one cell per column."""

    dataset: str
    measure: str
    #: ``rho`` (Spearman), ``auc`` or ``share`` (top-value share)
    kind: str
    cells: dict[str, Stat] = field(default_factory=dict)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The row as JSON-ready data."""
        return {"dataset": self.dataset, "measure": self.measure, "kind": self.kind,
                "note": self.note,
                **{col: self.cells[col].as_dict() if col in self.cells else None
                   for col in COLUMNS}}


# -- statistics ----------------------------------------------------------------------
def _pairwise(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` as float arrays, keeping the rows where both are present."""
    xa = np.asarray(pd.to_numeric(pd.Series(x), errors="coerce"), dtype="float64")
    ya = np.asarray(pd.to_numeric(pd.Series(y), errors="coerce"), dtype="float64")
    ok = ~np.isnan(xa) & ~np.isnan(ya)
    return xa[ok], ya[ok]


def _rowwise_pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson's r of each row of ``a`` with the same row of ``b`` (NaN for a constant row)."""
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    den = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (a * b).sum(axis=1) / np.where(den > 0, den, 1.0), np.nan)


def _rank_auc(labels: np.ndarray, score: np.ndarray) -> np.ndarray:
    """AUC of each row from average ranks (Mann-Whitney U); NaN when a row has one class."""
    ranks = rankdata(score, axis=-1)
    pos = labels.astype(bool)
    n1 = pos.sum(axis=-1).astype("float64")
    n0 = labels.shape[-1] - n1
    u = np.where(pos, ranks, 0.0).sum(axis=-1) - n1 * (n1 + 1) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((n1 > 0) & (n0 > 0), u / np.where(n1 * n0 > 0, n1 * n0, 1.0), np.nan)


def _interval(values: np.ndarray, level: float) -> tuple[float, float]:
    """The percentile interval of the finite bootstrap values (NaN when there are none)."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return np.nan, np.nan
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(finite, [tail, 100 - tail])
    return float(lo), float(hi)


def spearman(x: Any, y: Any) -> Stat:
    """Spearman's rho of ``x`` and ``y``, rows with a missing side dropped.

    Parameters
    ----------
    x, y
        Equal-length numeric sequences (NaN or ``None`` for missing).

    Returns
    -------
    Stat
        ``value`` NaN when fewer than 3 rows remain or either side is constant.
    """
    xa, ya = _pairwise(x, y)
    if len(xa) < 3 or np.ptp(xa) == 0 or np.ptp(ya) == 0:
        return Stat(np.nan, len(xa))
    return Stat(float(spearmanr(xa, ya).statistic), len(xa))


def spearman_interval(x: Any, y: Any, *, n_boot: int = N_BOOT, seed: int = SEED,
                      level: float = LEVEL) -> Stat:
    """Spearman's rho with a percentile bootstrap interval over resampled rows.

    Parameters
    ----------
    x, y
        Equal-length numeric sequences; rows with a missing side are dropped first.
    n_boot
        Resamples (rows drawn with replacement, as many as there are).
    seed
        Seed of :func:`numpy.random.default_rng`.
    level
        Coverage of the interval.

    Returns
    -------
    Stat
        The rho of all rows and the interval of the resamples' rhos (resamples in
        which a side is constant are skipped).

    Examples
    --------
    >>> s = spearman_interval([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], n_boot=200)
    >>> round(s.value, 3), s.n, s.lo <= s.value <= s.hi
    (0.829, 6, True)
    """
    point = spearman(x, y)
    if not np.isfinite(point.value):
        return point
    xa, ya = _pairwise(x, y)
    idx = np.random.default_rng(seed).integers(0, len(xa), size=(n_boot, len(xa)))
    rho = _rowwise_pearson(rankdata(xa[idx], axis=1), rankdata(ya[idx], axis=1))
    lo, hi = _interval(rho, level)
    return Stat(point.value, point.n, lo, hi)


def auc(labels: Any, score: Any) -> Stat:
    """Area under the ROC curve of ``score`` for binary ``labels`` (ties count half).

    Parameters
    ----------
    labels
        1 (positive) or 0 per row; NaN for rows to leave out.
    score
        Higher means more likely positive; NaN rows are left out.

    Returns
    -------
    Stat
        ``value`` NaN when a class is missing.

    Examples
    --------
    >>> auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).value
    0.75
    """
    ya, sa_ = _pairwise(labels, score)
    return Stat(float(_rank_auc(ya, sa_)), len(ya))


def auc_interval(labels: Any, score: Any, *, n_boot: int = N_BOOT, seed: int = SEED,
                 level: float = LEVEL) -> Stat:
    """:func:`auc` with a percentile bootstrap interval over resampled rows.

    Parameters
    ----------
    labels, score
        As for :func:`auc`.
    n_boot, seed, level
        As for :func:`spearman_interval`; resamples with one class are skipped.

    Returns
    -------
    Stat
    """
    point = auc(labels, score)
    if not np.isfinite(point.value):
        return point
    ya, sa_ = _pairwise(labels, score)
    idx = np.random.default_rng(seed).integers(0, len(ya), size=(n_boot, len(ya)))
    lo, hi = _interval(_rank_auc(ya[idx], sa_[idx]), level)
    return Stat(point.value, point.n, lo, hi)


def top_share(values: Any) -> tuple[Stat, float]:
    """The share of the present values that equal the single most common one.

    Parameters
    ----------
    values
        Scores; NaN is left out, and values equal to 6 decimals count as one.

    Returns
    -------
    (Stat, float)
        The share (``n`` the values present) and the most common value.

    Examples
    --------
    >>> stat, value = top_share([61.5, 61.5, 100.0, float("nan")])
    >>> round(stat.value, 3), stat.n, value
    (0.667, 3, 61.5)
    """
    s = pd.to_numeric(pd.Series(values), errors="coerce").dropna().round(6)
    if s.empty:
        return Stat(np.nan, 0), np.nan
    counts = s.value_counts()
    return Stat(float(counts.iloc[0] / len(s)), len(s)), float(counts.index[0])


# -- scoring -------------------------------------------------------------------------
@functools.cache
def _vader() -> SentimentIntensityAnalyzer:
    """One VADER analyser per process (it reads its lexicon when made)."""
    return SentimentIntensityAnalyzer()


def baselines(turns: pd.DataFrame) -> pd.DataFrame:
    """Word count and VADER compound sentiment of each interaction's whole text.

    Parameters
    ----------
    turns
        ``interaction_id`` and ``text`` per turn, in turn order.

    Returns
    -------
    pandas.DataFrame
        ``interaction_id, words, vader``: words are runs of non-space characters
        over all turns; VADER scores the turns' texts joined by newlines.
    """
    text = turns["text"].fillna("").astype(str)
    ids = turns["interaction_id"].astype(str)
    words = text.str.count(r"\S+").groupby(ids, sort=False).sum()
    joined = text.groupby(ids, sort=False).agg("\n".join)
    analyzer = _vader()
    vader = joined.map(lambda t: analyzer.polarity_scores(t)["compound"])
    return pd.DataFrame({"interaction_id": words.index.astype(str),
                         "words": words.to_numpy(dtype="float64"),
                         "vader": vader.reindex(words.index).to_numpy(dtype="float64")})


def _score(data: Labelled, source: str, nlp: Any, rubric: sa.Rubric | None
           ) -> tuple[sa.Result, pd.DataFrame]:
    """Score the turns; the labels joined with the scores and baselines (NaN if unscored)."""
    conv = sa.Conversations.from_frames(data.turns, source=source)
    res = sa.score(conv, rubric, nlp=nlp)
    scores = res.scores[["interaction_id", *KEYS]].astype({"interaction_id": str})
    table = (data.labels.astype({"interaction_id": str})
             .merge(scores, on="interaction_id", how="left", suffixes=("_label", ""))
             .merge(baselines(data.turns), on="interaction_id", how="left"))
    return res, table


def _sample(labels: pd.DataFrame, keep: pd.Series, limit: int | None, seed: int) -> pd.DataFrame:
    """The rows of ``labels`` where ``keep``, a seeded sample of ``limit`` when more."""
    rows = labels[keep.to_numpy(dtype=bool)]
    if limit is not None and len(rows) > limit:
        rows = rows.sample(n=limit, random_state=seed).sort_index()
    return rows


def _counts(data: Labelled, keep: pd.DataFrame, res: sa.Result, table: pd.DataFrame
            ) -> dict[str, int]:
    """Items in the file, sampled, with an overall score, and rejected while reading."""
    return {"items": len(data.labels), "sampled": len(keep),
            "scored": int(table["overall"].notna().sum()), "rejects": len(res.rejects)}


def _subset(data: Labelled, labels: pd.DataFrame) -> Labelled:
    """The turns and labels of the interactions in ``labels``."""
    ids = set(labels["interaction_id"].astype(str))
    turns = data.turns[data.turns["interaction_id"].astype(str).isin(ids)]
    return Labelled(turns.reset_index(drop=True), labels.reset_index(drop=True))


def cv_calibrated_scores(res: sa.Result, human: pd.DataFrame, *, rubric: sa.Rubric | None = None,
                         n_splits: int = N_SPLITS, seed: int = SEED, min_n: int = CV_MIN_N
                         ) -> tuple[pd.DataFrame, list[str]]:
    """Held-out scores of rubrics calibrated on the other folds of the QA conversations.

    Parameters
    ----------
    res
        The scored QA conversations.
    human
        ``interaction_id`` and one rating column per principle on 1..5 (NaN for
        not applicable).
    rubric
        The rubric to calibrate; the run's own when ``None``.
    n_splits, seed
        Folds of :class:`sklearn.model_selection.KFold` over the conversations
        (shuffled), also passed to :func:`serviceart.calibrate` for its inner folds.
    min_n
        Passed to :func:`serviceart.calibrate`.

    Returns
    -------
    (pandas.DataFrame, list of str)
        ``interaction_id`` and one held-out score column per principle and
        ``overall`` for every conversation of ``human``; notes on the principles
        a fold could not fit (they keep the rubric's weights there).
    """
    rub = rubric if rubric is not None else res.rubric
    if rub is None:
        rub = sa.Rubric.default()
    ids = np.sort(human["interaction_id"].astype(str).to_numpy())
    by_id = human.assign(interaction_id=human["interaction_id"].astype(str)).set_index(
        "interaction_id")
    parts: list[pd.DataFrame] = []
    notes: list[str] = []
    folds = KFold(n_splits, shuffle=True, random_state=seed)
    common: dict[str, Any] = {"scale": QA_SCALE, "min_n": min_n, "n_splits": n_splits,
                              "seed": seed}
    for f, (train, test) in enumerate(folds.split(ids)):
        train_human = by_id.loc[ids[train], list(sa.PRINCIPLES)].reset_index()
        try:  # every principle at once; each is fitted on its own rating and criteria
            fitted, _ = sa.calibrate(res, train_human, target=list(sa.PRINCIPLES), rubric=rub,
                                     **common)
        except sa.InputError:  # one principle cannot be fitted: fit the others one by one
            fitted = rub
            for p in sa.PRINCIPLES:
                target = train_human[["interaction_id", p]].dropna()
                try:
                    fitted, _ = sa.calibrate(res, target, target={p: p}, rubric=fitted,
                                             **common)
                except sa.InputError as exc:
                    notes.append(f"fold {f + 1}: {p} kept its weights ({exc})")
        scope = res.scores[["interaction_id", "scope", "scope_reason"]]
        scores, _ = fitted.apply(res.measures, scope=scope)
        scores = scores.astype({"interaction_id": str}).set_index("interaction_id")
        parts.append(scores.loc[ids[test], list(KEYS)].reset_index())
    out = pd.concat(parts, ignore_index=True)
    return out, notes


# -- evaluation ----------------------------------------------------------------------
def _cells(label: pd.Series, table: pd.DataFrame, score_col: str, kind: str,
           intervals: bool, calibrated: pd.DataFrame | None = None) -> dict[str, Stat]:
    """One statistic per column for a label against the score ``score_col``."""
    def stat(x: pd.Series) -> Stat:
        if kind == "rho":
            return spearman_interval(x, label) if intervals else spearman(x, label)
        return auc_interval(label, x) if intervals else auc(label, x)

    cells = {"serviceart": stat(table[score_col]), "words": stat(table["words"]),
             "vader": stat(table["vader"])}
    if calibrated is not None:
        held = table[["interaction_id"]].merge(calibrated, on="interaction_id", how="left")
        cells["calibrated"] = stat(held[score_col])
    return cells


def evaluate_qa(path: str | Path = QA_PATH, *, nlp: Any = None, rubric: sa.Rubric | None = None,
                cv: bool = False) -> tuple[list[Row], dict[str, Any]]:
    """Agreement with the QA ratings of ``qa_dev.jsonl`` (see the module docstring).

    Parameters
    ----------
    path
        The QA file.
    nlp
        A pipeline from :func:`serviceart.make_nlp`; a new one when ``None``.
    rubric
        The rubric to score with; the default when ``None``.
    cv
        Also run the cross-validated calibration.

    Returns
    -------
    (list of Row, dict)
        Rows ``rho <principle>``, ``rho overall`` and ``AUC helped yes vs no``;
        facts for the report (counts, rejects, calibration notes).
    """
    data = load_qa(path)
    res, table = _score(data, "qa_dev.jsonl", nlp, rubric)
    # every column is compared on the same rows: the conversations in scope (one
    # where no agent spoke, or not a service request, has no agent scores at all)
    in_scope = set(res.scores.loc[res.scores["scope"] == "service", "interaction_id"].astype(str))
    out_of_scope = int((~table["interaction_id"].astype(str).isin(in_scope)).sum())
    table = table[table["interaction_id"].astype(str).isin(in_scope)].reset_index(drop=True)
    calibrated, notes = None, []
    if cv:
        human = table[["interaction_id"]].assign(
            **{p: table[f"{p}_label"] for p in sa.PRINCIPLES})
        calibrated, notes = cv_calibrated_scores(res, human, rubric=rubric)
    rows = [Row("qa_dev", f"rho {key}", "rho",
                _cells(table[f"{key}_label"], table, key, "rho", True, calibrated))
            for key in KEYS]
    helped = table["helped"].map({"yes": 1.0, "no": 0.0})
    rows.append(Row("qa_dev", "AUC helped yes vs no", "auc",
                    _cells(helped, table, "overall", "auc", True, calibrated),
                    note="overall score; partly/unclear/mixed left out"))
    facts = {**_counts(data, data.labels, res, table),
             "helped": data.labels["helped"].value_counts().to_dict(),
             "out_of_scope": out_of_scope,
             "calibration_notes": notes, "cv_min_n": CV_MIN_N if cv else None}
    return rows, facts


def evaluate_public(*, nlp: Any = None, rubric: sa.Rubric | None = None, limit: int | None = LIMIT,
                    seed: int = SEED) -> tuple[list[Row], dict[str, Any]]:
    """The secondary checks on the public outcome sets (see the module docstring).

    Parameters
    ----------
    nlp
        A pipeline from :func:`serviceart.make_nlp`; a new one when ``None``.
    rubric
        The rubric to score with; the default when ``None``.
    limit
        The most items scored per set (a seeded sample); ``None`` for all.
    seed
        Seed of the samples.

    Returns
    -------
    (list of Row, dict)
        The rows and, per set, the item counts.
    """
    rows: list[Row] = []
    facts: dict[str, Any] = {}

    mwoz = load_mwoz(MWOZ_PATH)
    keep = _sample(mwoz.labels, mwoz.labels["satisfaction"].notna(), limit, seed)
    res, t = _score(_subset(mwoz, keep), "MWOZ.txt", nlp, rubric)
    rows.append(Row("uss_mwoz", "rho satisfaction", "rho",
                    _cells(t["satisfaction"], t, "overall", "rho", False),
                    note="overall score vs mean dialogue satisfaction 1..5"))
    facts["uss_mwoz"] = _counts(mwoz, keep, res, t)

    ql = load_semeval(SEMEVAL_PATH)
    keep = _sample(ql.labels, ql.labels["label"].isin(["Good", "Bad"]), limit, seed)
    res, t = _score(_subset(ql, keep), "semeval-cqa-ql", nlp, rubric)
    good = (t["label"] == "Good").astype("float64")
    for key in ("overall", "service"):
        rows.append(Row("semeval_ql", f"AUC Good vs Bad ({key})", "auc",
                        _cells(good, t, key, "auc", False),
                        note="original question + one comment as the agent's answer"))
    facts["semeval_ql"] = {**_counts(ql, keep, res, t),
                           "labels": ql.labels["label"].value_counts().to_dict(),
                           "good_sampled": int(good.sum())}

    answers = load_sumo_answers(SUMO_ANSWERS_PATH)
    keep = _sample(answers.labels, answers.labels["helpful"].notna(), limit, seed)
    res, t = _score(_subset(answers, keep), "rtanglao-answers.csv", nlp, rubric)
    rows.append(Row("sumo", "AUC helpful vs unhelpful votes", "auc",
                    _cells(t["helpful"], t, "overall", "auc", False),
                    note="each answer one agent turn; ties left out"))
    facts["sumo_answers"] = {**_counts(answers, keep, res, t),
                             "helpful": int((keep["helpful"] == 1).sum()),
                             "unhelpful": int((keep["helpful"] == 0).sum())}

    questions = load_sumo_questions(SUMO_QUESTIONS_PATH)
    keep = _sample(questions.labels, questions.labels["is_solved"].notna(), limit, seed)
    res, t = _score(_subset(questions, keep), "sumo-questions", nlp, rubric)
    rows.append(Row("sumo", "AUC is_solved", "auc",
                    _cells(t["is_solved"], t, "overall", "auc", False),
                    note="question text only: the export has no answer text"))
    facts["sumo_questions"] = {**_counts(questions, keep, res, t),
                               "solved": int((keep["is_solved"] == 1).sum())}

    res = sa.score(sa.read(TWCS_PATH), rubric, nlp=nlp)
    for key in KEYS:
        share, value = top_share(res.scores[key])
        rows.append(Row("twcs", f"top-value share {key}", "share", {"serviceart": share},
                        note=f"most common score {value:.1f}; issue target <= 0.40"))
    facts["twcs"] = {"items": len(res.scores) + len(res.rejects), "sampled": len(res.scores),
                     "scored": int(res.scores["overall"].notna().sum()),
                     "rejects": len(res.rejects)}
    return rows, facts


def evaluate(*, nlp: Any = None, rubric: sa.Rubric | None = None, cv: bool = False,
             limit: int | None = LIMIT) -> dict[str, Any]:
    """Every check: the QA rows, then the public sets.

    Parameters
    ----------
    nlp
        A pipeline from :func:`serviceart.make_nlp`; a new one when ``None``.
    rubric
        The rubric to score with; the default when ``None``.
    cv
        Also run the cross-validated calibration on the QA set.
    limit
        The most items scored per public set.

    Returns
    -------
    dict
        ``rubric`` (name and version), ``rows`` (:class:`Row` objects) and
        ``facts`` (counts per set).
    """
    nlp = nlp if nlp is not None else sa.make_nlp()
    rub = rubric if rubric is not None else sa.Rubric.default()
    qa_rows, qa_facts = evaluate_qa(QA_PATH, nlp=nlp, rubric=rub, cv=cv)
    public_rows, public_facts = evaluate_public(nlp=nlp, rubric=rub, limit=limit)
    return {"rubric": {"name": rub.name, "version": rub.version},
            "rows": qa_rows + public_rows, "facts": {"qa_dev": qa_facts, **public_facts}}


# -- output --------------------------------------------------------------------------
def _fmt(stat: Stat | None, kind: str, n_ref: int) -> str:
    """A cell: the value (signed for rho), its interval when computed, ``n=`` when it differs."""
    if stat is None:
        return ""
    spec = "+.2f" if kind == "rho" else ".2f"
    if not np.isfinite(stat.value):
        text = "n/a"
    elif np.isfinite(stat.lo):
        text = f"{stat.value:{spec}} [{stat.lo:{spec}}, {stat.hi:{spec}}]"
    else:
        text = f"{stat.value:{spec}}"
    return text + (f" n={stat.n}" if stat.n != n_ref else "")


def format_table(result: dict[str, Any]) -> str:
    """The one table of :func:`evaluate`'s result, as plain text.

    Parameters
    ----------
    result
        The dict returned by :func:`evaluate`.

    Returns
    -------
    str
        One line per row; ``n`` is the rows used by the serviceart cell (another
        cell that used a different number says ``n=``); intervals are 95% bootstrap.
    """
    rows: list[Row] = result["rows"]
    cols = [c for c in COLUMNS if any(c in r.cells for r in rows)]
    width = {c: max(len(_HEADERS[c]), *(len(_fmt(r.cells.get(c), r.kind,
                                                 r.cells["serviceart"].n)) for r in rows))
             for c in cols}
    head = f"{'set':<11}{'measure':<31}{'n':>5}  " + "  ".join(
        f"{_HEADERS[c]:<{width[c]}}" for c in cols) + "  note"
    lines = [head, "-" * len(head)]
    for r in rows:
        n = r.cells["serviceart"].n
        lines.append(f"{r.dataset:<11}{r.measure:<31}{n:>5}  " + "  ".join(
            f"{_fmt(r.cells.get(c), r.kind, n):<{width[c]}}" for c in cols) + f"  {r.note}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--cv", action="store_true",
                        help="add held-out scores of rubrics calibrated by 5-fold CV on qa_dev")
    parser.add_argument("--rubric", metavar="FILE", help="score with this rubric TOML file")
    parser.add_argument("--limit", type=int, default=LIMIT, metavar="N",
                        help=f"most items per public set, a seeded sample (default {LIMIT})")
    parser.add_argument("--json", metavar="OUT", help="also write the numbers as JSON to OUT")
    args = parser.parse_args(argv)
    missing = [p for p in (QA_PATH, MWOZ_PATH, SEMEVAL_PATH, SUMO_ANSWERS_PATH,
                           SUMO_QUESTIONS_PATH, TWCS_PATH) if not p.exists()]
    if missing:
        parser.error("data file(s) not found: " + ", ".join(map(str, missing)))
    if args.limit < 1:
        parser.error(f"--limit must be at least 1, got {args.limit}")
    rubric = sa.Rubric.from_file(args.rubric) if args.rubric else None
    t0 = time.perf_counter()
    result = evaluate(rubric=rubric, cv=args.cv, limit=args.limit)
    seconds = time.perf_counter() - t0
    rub, facts = result["rubric"], result["facts"]
    print(f"rubric {rub['name']} v{rub['version']}; QA rows: Spearman / AUC with 95% bootstrap "
          f"intervals ({N_BOOT} resamples of conversations, seed {SEED}); public sets: "
          f"at most {args.limit} items each (seed {SEED})")
    print(format_table(result))
    print("items (in file / kept: labelled, at most --limit / with an overall score / "
          "rejected): " + "; ".join(
              f"{name} {f['items']} / {f['sampled']} / {f['scored']} / {f['rejects']}"
              for name, f in facts.items()))
    for note in facts["qa_dev"]["calibration_notes"]:
        print(f"note: {note}")
    print(f"{seconds:.0f} s")
    if args.json:
        data = {"rubric": rub, "seconds": round(seconds, 1), "n_boot": N_BOOT, "seed": SEED,
                "limit": args.limit, "rows": [r.as_dict() for r in result["rows"]],
                "facts": facts}
        Path(args.json).write_text(json.dumps(data, indent=1, default=str) + "\n",
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
