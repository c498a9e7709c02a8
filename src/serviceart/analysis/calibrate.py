"""Calibration: fit a rubric's criterion weights to an analyst's own QA scores.

:func:`calibrate` takes a scored :class:`~serviceart.result.Result` and a table
of human scores for some of its interactions and returns a new
:class:`~serviceart.rubric.core.Rubric` (same expressions, new weights) and a
:class:`CalibrationReport` of cross-validated agreement before and after.

Method
------
A principle's score is a ratio, ``100 x sum_i w_i a_i v_i / sum_i w_i a_i``
over its criteria ``i`` (``v`` the value 0..1, ``a`` whether it applied).
With ``y`` the human score rescaled to 0..1, the score equals ``100 y``
exactly when ``sum_i w_i a_i (v_i - y) = 0``: a condition *linear* in the
weights. Per principle, with ``u = w / sum(w)``, the fit minimises

    mean_n ( sum_i u_i a_ni (v_ni - y_n) / S_n )**2  +  alpha * ||u - u0||**2

subject to ``u >= 0`` and ``sum(u) = 1``, where ``u0`` are the rubric's own
(normalised) weights and ``S_n = sum_i u_i a_ni`` is taken from the previous
iterate (three reweighting passes starting from ``u0``, ``S_n`` floored at
0.05). At a fixed point each residual is exactly ``score_n / 100 - y_n``, so
the loss is the squared error of the scores themselves; the penalty shrinks
towards the rubric as written (``alpha -> inf`` gives it back unchanged).
Each pass is one non-negative least-squares problem
(:func:`scipy.optimize.nnls`) on the system stacked with the penalty rows and
a heavily weighted row for ``sum(u) = 1``.

- ``alpha`` is chosen from ``alphas`` by an inner k-fold cross-validation
  (lowest held-out mean squared error of the scores; ties go to the larger
  ``alpha``).
- Agreement is *cross-validated*: the labelled interactions are split into
  ``n_splits`` folds (:class:`sklearn.model_selection.KFold`, shuffled with
  ``seed``); each fold is scored with weights fitted (``alpha`` chosen
  included) on the other folds only; the metrics are computed on each
  held-out fold and averaged over the folds (pooling the folds' predictions
  would let the small differences between the folds' weights break ties at
  random and understate rho). The uncalibrated rubric has nothing fitted, so
  its scores are used as they are, on the same folds.
- The returned rubric is fitted on every labelled interaction. Weights are
  scaled so that each principle's fitted criteria keep their original total,
  rounded to 4 decimals; criteria whose weight becomes 0 are dropped (a rubric
  weight must be > 0) and listed in the report.
- Criteria that never apply among the labelled interactions cannot be fitted
  and keep their weight; so do criteria with a ``kind`` other than
  ``"score"`` (bonus, auto-fail), which are left out of the fit, as are the
  interactions whose score they changed (the report's notes count them).
  Held-out scores are computed by :meth:`Rubric.apply` with the fold's
  weights, so they include bonuses and auto-fails exactly as the returned
  rubric would.

Targets
-------
``target`` is one column name (an overall QA score: every principle is fitted
to it, and the report adds an ``overall`` row comparing the mean of the
principle scores with it), or per-principle columns: a mapping
``{"respect": "resp_col", ...}`` or a list of columns named after principles.
With an overall target, principles that cannot be fitted (too few labelled
interactions where they apply, or no criterion that varies) keep their
weights and are named in the report's notes; with per-principle targets the
same conditions refuse with an :class:`~serviceart.errors.InputError`.

Human scales
------------
Human scores are rescaled to 0..100 with ``scale=(lo, hi)`` (``lo`` maps to 0,
``hi`` to 100; e.g. ``(1, 5)`` for a five-point scale, ``(0, 1)`` for
proportions). Without ``scale`` the scores must already be on 0..100: values
outside it, or a largest value of 10 or less (a 1..5, 1..10 or 0..1 scale
read as 0..100 would be nonsense), raise an error that asks for ``scale``.

Agreement
---------
Per principle: ``n``, Spearman's rho, Cohen's kappa on bands and the mean
absolute error (points, 0..100), for the uncalibrated rubric and the
calibrated one. Bands come from descending thresholds, by default ``(80,
60)``: meets (>= 80), coaching (>= 60), fails; kappa uses quadratic weights
(:func:`sklearn.metrics.cohen_kappa_score`), so being one band off costs less
than two. Rho and kappa are NaN when either side is constant.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from serviceart.result import Result
>>> from serviceart.rubric.core import Rubric
>>> from serviceart.schema import conform, measures_table
>>> rng = np.random.default_rng(0)
>>> n = 200
>>> cols = {name: np.zeros(n) for name in measures_table().names[1:]}
>>> cols.update(customer_talk_share=rng.uniform(0, 1, n), courtesy=rng.poisson(0.7, n),
...             greeting=rng.poisson(0.7, n), disrespect=rng.poisson(0.3, n))
>>> m = conform({"interaction_id": [f"c{k}" for k in range(n)], **cols}, measures_table())
>>> scores, contributions = Rubric.default().apply(m)
>>> res = Result(scores=scores, measures=m, evidence=pd.DataFrame(),
...              rejects=pd.DataFrame(), run_info={}, contributions=contributions)
>>> human = pd.DataFrame({"interaction_id": m["interaction_id"],
...                       "qa": 100.0 * (m["courtesy"] > 0)})
>>> rubric, report = calibrate(res, human, target={"respect": "qa"})
>>> rubric.name, rubric.version == str(int(Rubric.default().version) + 1)
('default-calibrated', True)
>>> row = report.table.iloc[0]
>>> bool(row["rho_calibrated"] > row["rho_uncalibrated"])
True
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import nnls
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score
from sklearn.model_selection import KFold

from ..codebook import PRINCIPLES
from ..errors import ConfigError, InputError
from ..result import Result
from ..rubric.core import Criterion, Rubric
from ..scope import in_scope

__all__ = ["DEFAULT_ALPHAS", "DEFAULT_BANDS", "CalibrationReport", "calibrate"]

DEFAULT_ALPHAS: tuple[float, ...] = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 1.0)
"""Penalty strengths tried by the inner cross-validation."""

DEFAULT_BANDS: tuple[float, ...] = (80.0, 60.0)
"""Band thresholds: meets >= 80, coaching >= 60, fails below."""

_REWEIGHT_PASSES = 3
_S_FLOOR = 0.05
_SUM_ROW_WEIGHT = 1e3
_DECIMALS = 4
_SHOW_IDS = 5


# -- report --------------------------------------------------------------------------
@dataclass(frozen=True)
class CalibrationReport:
    """What :func:`calibrate` found.

    Attributes
    ----------
    table
        One row per fitted principle (and ``overall`` for an overall target):
        ``principle, target, n, alpha``, then ``rho_``, ``kappa_`` and ``mae_``
        each ``_uncalibrated`` and ``_calibrated``, all cross-validated.
    weights
        One row per criterion: ``principle, criterion, weight_before,
        weight_after`` (NaN when dropped) and ``status`` (``fitted``,
        ``dropped``, or ``kept: <why>``).
    n_human
        Rows of the human table.
    n_matched
        Human rows with a score that matched a scored interaction.
    unmatched_ids
        Ids of human rows with no scored interaction.
    n_missing_target
        Matched human rows without a score in the target column(s).
    dropped
        ``principle.criterion`` of the criteria dropped (fitted weight 0).
    notes
        Principles not fitted and why.
    n_splits, seed, bands
        The cross-validation folds, the seed and the band thresholds used.
    """

    table: pd.DataFrame
    weights: pd.DataFrame
    n_human: int
    n_matched: int
    unmatched_ids: tuple[str, ...] = ()
    n_missing_target: int = 0
    dropped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    n_splits: int = 5
    seed: int = 0
    bands: tuple[float, ...] = field(default=DEFAULT_BANDS)

    def _summary(self) -> list[str]:
        lines = [f"calibration on {self.n_matched} labelled interactions "
                 f"({self.n_human} human rows, {len(self.unmatched_ids)} without a scored "
                 f"interaction, {self.n_missing_target} without a target score); "
                 f"{self.n_splits}-fold cross-validation, seed {self.seed}; bands "
                 + " / ".join(f">= {b:g}" for b in self.bands) + ", kappa quadratic"]
        if self.unmatched_ids:
            shown = ", ".join(self.unmatched_ids[:_SHOW_IDS])
            more = "..." if len(self.unmatched_ids) > _SHOW_IDS else ""
            lines.append(f"unmatched ids: {shown}{more}")
        if self.dropped:
            lines.append("dropped (weight 0): " + ", ".join(self.dropped))
        lines += [f"note: {n}" for n in self.notes]
        return lines

    def __str__(self) -> str:
        lines = self._summary()
        head = (f"{'principle':<15}{'target':<14}{'n':>6}{'alpha':>8}  {'rho':>13}  "
                f"{'kappa':>13}  {'MAE':>11}")
        lines += ["", "cross-validated agreement (uncalibrated -> calibrated)", head]
        for r in self.table.itertuples(index=False):
            lines.append(
                f"{r.principle:<15}{r.target:<14.14}{r.n:>6}{_fmt(r.alpha, '>8.0e')}  "
                f"{_fmt(r.rho_uncalibrated)} -> {_fmt(r.rho_calibrated)}  "
                f"{_fmt(r.kappa_uncalibrated)} -> {_fmt(r.kappa_calibrated)}  "
                f"{_fmt(r.mae_uncalibrated, '>4.1f')} -> {_fmt(r.mae_calibrated, '>4.1f')}")
        lines += ["", f"{'principle':<15}{'criterion':<26}{'before':>8}{'after':>9}  status"]
        for w in self.weights.itertuples(index=False):
            lines.append(f"{w.principle:<15}{w.criterion:<26}{_fmt(w.weight_before, '>8.3g')}"
                         f"{_fmt(w.weight_after, '>9.4g')}  {w.status}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<CalibrationReport: {self.n_matched} labelled, "
                f"{len(self.table)} rows, {len(self.dropped)} dropped>")

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in self._summary())
        return (f"<div><ul>{items}</ul>"
                f"{self.table.to_html(index=False, float_format=lambda x: f'{x:.3f}')}"
                f"{self.weights.to_html(index=False)}</div>")


def _fmt(x: Any, spec: str = ">6.3f") -> str:
    width = int("".join(ch for ch in spec.split(".")[0] if ch.isdigit()) or 0)
    value = float(x) if x is not None else np.nan
    if not np.isfinite(value):
        return f"{'n/a':>{width}}"
    return format(value, spec)


# -- fitting -------------------------------------------------------------------------
def _fit(v: np.ndarray, a: np.ndarray, y: np.ndarray, u0: np.ndarray,
         alpha: float) -> np.ndarray:
    """Normalised weights (sum 1, >= 0) fitted on values ``v``, applied ``a``, targets ``y``."""
    n, k = v.shape
    z = a * (v - y[:, None])
    u = u0.copy()
    pen = np.sqrt(alpha) * np.eye(k)
    for _ in range(_REWEIGHT_PASSES):
        s = np.maximum(a @ u, _S_FLOOR)
        zs = z / (s[:, None] * np.sqrt(n))
        scale = _SUM_ROW_WEIGHT * max(1.0, float(np.sqrt((zs ** 2).sum() / k)))
        mat = np.vstack([zs, pen, np.full((1, k), scale)])
        rhs = np.concatenate([np.zeros(n), np.sqrt(alpha) * u0, [scale]])
        u, _ = nnls(mat, rhs, maxiter=50 * k)
        total = u.sum()
        u = u / total if total > 0 else u0.copy()
    return np.asarray(u)


def _predict(v: np.ndarray, a: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Scores 0..100 (NaN where no criterion with weight > 0 applies)."""
    den = a @ u
    num = (a * v) @ u
    out = np.full(len(v), np.nan)
    ok = den > 1e-12
    out[ok] = np.clip(100.0 * num[ok] / den[ok], 0.0, 100.0)
    return out


def _choose_alpha(v: np.ndarray, a: np.ndarray, y: np.ndarray, u0: np.ndarray,
                  alphas: Sequence[float], n_splits: int, seed: int) -> float:
    splits = min(n_splits, len(y))
    if splits < 2 or len(alphas) == 1:
        return float(alphas[0])
    errors = np.zeros(len(alphas))
    for train, test in KFold(splits, shuffle=True, random_state=seed).split(y):
        for j, alpha in enumerate(alphas):
            pred = _predict(v[test], a[test], _fit(v[train], a[train], y[train], u0, alpha))
            err = (np.nan_to_num(pred, nan=50.0) / 100.0 - y[test]) ** 2
            errors[j] += err.sum()
    order = sorted(range(len(alphas)), key=lambda j: -alphas[j])  # ties: larger alpha
    best = min(order, key=lambda j: errors[j] - 1e-12 * alphas[j])
    return float(alphas[best])


# -- agreement -----------------------------------------------------------------------
def _band(x: np.ndarray, bands: Sequence[float]) -> np.ndarray:
    return np.array([sum(int(s >= b) for b in bands) for s in x], dtype="int64")


def _agreement(pred: np.ndarray, human: np.ndarray,
               bands: Sequence[float]) -> tuple[int, float, float, float]:
    ok = ~np.isnan(pred) & ~np.isnan(human)
    p, h = pred[ok], human[ok]
    n = int(ok.sum())
    if n == 0:
        return 0, np.nan, np.nan, np.nan
    mae = float(np.abs(p - h).mean())
    rho = np.nan
    if np.ptp(p) > 0 and np.ptp(h) > 0:
        rho = float(spearmanr(p, h).statistic)
    kappa = np.nan
    bp, bh = _band(p, bands), _band(h, bands)
    if len(set(bp) | set(bh)) > 1:
        kappa = float(cohen_kappa_score(bh, bp, weights="quadratic",
                                        labels=list(range(len(bands) + 1))))
    return n, rho, kappa, mae


# -- inputs --------------------------------------------------------------------------
def _targets(human: pd.DataFrame, target: str | Sequence[str] | Mapping[str, str]
             ) -> tuple[dict[str, str], bool]:
    """``{principle or "overall": column}`` and whether the target is overall."""
    if isinstance(target, str):
        mapping, overall = {"overall": target}, True
    elif isinstance(target, Mapping):
        mapping, overall = {str(k): str(v) for k, v in target.items()}, False
    else:
        mapping, overall = {str(c): str(c) for c in target}, False
    if not mapping:
        raise ConfigError("target is empty: give a column name (an overall QA score) or "
                          "per-principle columns such as {'respect': 'resp_col'}", code="SA-C031")
    if not overall:
        bad = [k for k in mapping if k not in PRINCIPLES]
        if bad:
            raise ConfigError(f"per-principle targets must be named after principles "
                              f"{list(PRINCIPLES)}; got {bad}. For an overall QA score "
                              "pass target='column' instead", code="SA-C032")
    missing = [c for c in mapping.values() if c not in human.columns]
    if missing:
        raise InputError(f"target column(s) {missing} not in the human table (columns: "
                         f"{list(human.columns)}); pass target= naming its score column(s)",
                         code="SA-I002")
    return mapping, overall


def _rescale(values: pd.Series, column: str,
             scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None
             ) -> np.ndarray:
    try:
        x = pd.to_numeric(values, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InputError(f"the human scores in {column!r} are not numbers: {exc}",
                         code="SA-I003") from exc
    sc = scale.get(column) if isinstance(scale, Mapping) else scale
    have = x[~np.isnan(x)]
    if sc is None:
        if len(have) and (have.min() < 0 or have.max() > 100):
            raise InputError(
                f"human scores in {column!r} range from {have.min():g} to {have.max():g}, "
                "not 0..100: pass scale=(lo, hi), the lowest and highest possible scores",
                code="SA-I004")
        if len(have) and have.max() <= 10:
            raise InputError(
                f"human scores in {column!r} are all <= 10 ({have.min():g}..{have.max():g}); "
                "if that is their scale pass it, e.g. scale=(1, 5) or scale=(0, 1); "
                "for 0..100 scores pass scale=(0, 100)", code="SA-I005")
        return x
    lo, hi = float(sc[0]), float(sc[1])
    if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
        raise ConfigError(f"scale must be (lo, hi) with lo < hi, got {sc!r}", code="SA-C033")
    if len(have) and (have.min() < lo or have.max() > hi):
        raise InputError(f"human scores in {column!r} range from {have.min():g} to "
                         f"{have.max():g}, outside scale=({lo:g}, {hi:g}): widen the scale",
                         code="SA-I006")
    return 100.0 * (x - lo) / (hi - lo)


def _kind(c: Criterion) -> str:
    return str(getattr(c, "kind", None) or "score")


def _bump(version: str) -> str:
    return str(int(version) + 1) if version.isdigit() else f"{version}.1"


def _frame(contrib: pd.DataFrame, col: str, ids: pd.Index, names: list[str]) -> np.ndarray:
    wide = contrib.pivot(index="interaction_id", columns="criterion", values=col)
    return wide.reindex(index=ids, columns=names).to_numpy(dtype="float64", na_value=np.nan)


# -- the function --------------------------------------------------------------------
def calibrate(
    res: Result,
    human: pd.DataFrame,
    *,
    on: str = "interaction_id",
    target: str | Sequence[str] | Mapping[str, str] = "qa_score",
    rubric: Rubric | None = None,
    scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
    bands: Sequence[float] = DEFAULT_BANDS,
    min_n: int = 100,
    n_splits: int = 5,
    alphas: Sequence[float] = DEFAULT_ALPHAS,
    seed: int = 0,
) -> tuple[Rubric, CalibrationReport]:
    """Fit criterion weights so that the rubric reproduces human QA scores.

    See the module docstring for the method; the inputs are not modified.

    Parameters
    ----------
    res
        A scored run (:func:`serviceart.score`); its ``measures`` are re-scored.
    human
        One row per labelled interaction: an id column ``on`` and the score
        column(s) named by ``target``. Ids are compared as strings with the
        result's ``interaction_id``; rows with a missing score are left out.
    on
        The column of ``human`` holding interaction ids.
    target
        A column name (an overall score; every principle is fitted to it), or
        per-principle columns: ``{"respect": "col", ...}`` or a list of
        columns named after principles.
    rubric
        The rubric to calibrate; ``None`` for the one the run used
        (``res.rubric``; for a result without one, the default rubric, which must
        then be the one its ``run_info`` records).
    scale
        ``(lo, hi)`` of the human scale, mapped onto 0..100 (or a mapping from
        column to ``(lo, hi)``); ``None``: scores are already 0..100.
    bands
        Descending band thresholds on 0..100 for Cohen's kappa.
    min_n
        The fewest labelled interactions accepted (per fitted principle).
    n_splits
        Folds of the outer (agreement) and inner (``alpha``) cross-validation.
    alphas
        Penalty strengths tried, pulling the weights towards the rubric's own.
    seed
        Seed of the fold shuffles. Labelled interactions are sorted by id before
        folding, so equal inputs give equal outputs whatever the row order.

    Returns
    -------
    rubric, report
        The calibrated :class:`~serviceart.rubric.core.Rubric` (named
        ``<name>-calibrated``, version bumped) and a :class:`CalibrationReport`.

    Raises
    ------
    InputError
        Too few labelled interactions, unknown columns, duplicate ids, scores
        off scale, or a requested principle that cannot be fitted.
    ConfigError
        Invalid options, or ``rubric=None`` for a run scored with another rubric.

    Examples
    --------
    >>> import pandas as pd
    >>> import serviceart as sa
    >>> res = sa.score(sa.read("data/samples/transcripts.txt"))
    >>> human = pd.DataFrame({"interaction_id": res.scores["interaction_id"],
    ...                       "qa_score": [90.0, 40.0, 70.0]})
    >>> calibrate(res, human, target="qa_score")
    Traceback (most recent call last):
    ...
    serviceart.errors.InputError: [SA-I010] only 3 labelled interactions matched a scored \
interaction (0 of 3 human rows had no scored interaction; 0 had no score in 'qa_score'); \
calibration needs at least min_n=100: label more interactions (a few hundred give stable \
weights), or lower min_n knowing the weights will be noisy
    """
    bands_t, alphas_t = _options(bands, n_splits, alphas, min_n)
    rub = _resolve_rubric(res, rubric)
    scores, contrib = rub.apply(res.measures)
    # out-of-scope interactions (no agent turn, not a service request) have no agent
    # scores to fit: their human rows count as unmatched
    out = set(res.scores.loc[~in_scope(res.scores), "interaction_id"].astype(str))
    scores = scores[~scores["interaction_id"].astype(str).isin(out)]
    lab = _labels(human, on, target, scale, scores, min_n, n_splits, seed)
    fits, status, notes = _fit_principles(res, rub, scores, contrib, lab, min_n, n_splits,
                                          alphas_t, seed)
    n_out = int(human[on].astype(str).isin(out).sum()) if on in human.columns else 0
    if n_out:
        notes = [*notes, f"{n_out} labelled interactions are out of scope (no agent turn, "
                         "or not a service request) and were left out"]
    rows = _agreement_rows(res, rub, fits, lab, n_splits, bands_t)
    new, report_rows, dropped = _calibrated(rub, fits, status, lab)
    report = CalibrationReport(
        table=pd.DataFrame(rows).astype({"n": "int64"}),
        weights=pd.DataFrame(report_rows), n_human=len(human), n_matched=len(lab.ids),
        unmatched_ids=lab.unmatched, n_missing_target=lab.n_missing, dropped=tuple(dropped),
        notes=tuple(notes), n_splits=n_splits, seed=seed, bands=bands_t)
    return new, report


def _options(bands: Sequence[float], n_splits: int, alphas: Sequence[float], min_n: int
             ) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The checked band thresholds and penalty strengths of :func:`calibrate`."""
    bands_t = tuple(float(b) for b in bands)
    if not bands_t or any(not 0 <= b <= 100 for b in bands_t) or \
            any(b <= c for b, c in pairwise(bands_t)):
        raise ConfigError(f"bands must be descending thresholds within 0..100, got {bands!r}",
                          code="SA-C034")
    if n_splits < 2:
        raise ConfigError(f"n_splits must be at least 2, got {n_splits}", code="SA-C035")
    alphas_t = tuple(float(a) for a in alphas)
    if not alphas_t or any(not (a >= 0 and np.isfinite(a)) for a in alphas_t):
        raise ConfigError(f"alphas must be finite numbers >= 0, got {alphas!r}", code="SA-C036")
    if min_n < 2 * n_splits:
        raise ConfigError(f"min_n ({min_n}) must be at least 2 x n_splits ({2 * n_splits})",
                          code="SA-C037")
    return bands_t, alphas_t


@dataclass(frozen=True)
class _Labels:
    """The human scores matched to scored interactions, sorted by id, with their folds."""

    #: the labelled interaction ids, sorted
    ids: pd.Index
    #: the human score columns, by principle or ``"overall"``
    mapping: dict[str, str]
    #: whether one overall score is fitted to every principle
    overall: bool
    #: the scores on 0..100, aligned with ``ids``
    y: dict[str, np.ndarray]
    #: the outer fold of each labelled interaction
    fold: np.ndarray
    unmatched: tuple[str, ...]
    n_missing: int


def _labels(human: pd.DataFrame, on: str, target: str | Sequence[str] | Mapping[str, str],
            scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None,
            scores: pd.DataFrame, min_n: int, n_splits: int, seed: int) -> _Labels:
    """Check the human table and match it to the scored interactions."""
    if not isinstance(human, pd.DataFrame):
        raise InputError("human must be a pandas DataFrame with an id column and score "
                         f"column(s), got {type(human).__name__}", code="SA-I007")
    if on not in human.columns:
        raise InputError(f"id column {on!r} not in the human table (columns: "
                         f"{list(human.columns)}); pass on= naming it", code="SA-I008")
    mapping, overall = _targets(human, target)
    hid = human[on].astype("string")
    dup = hid[hid.duplicated(keep=False)].dropna().unique()
    if len(dup):
        raise InputError(f"{len(dup)} interaction id(s) appear more than once in the human "
                         f"table (e.g. {list(dup[:_SHOW_IDS])}): average them first, e.g. "
                         f"human.groupby({on!r}, as_index=False).mean(numeric_only=True)",
                         code="SA-I009")
    y_all = {key: _rescale(human[col], col, scale) for key, col in mapping.items()}
    scored_ids = pd.Index(scores["interaction_id"].astype("string"))
    known = hid.isin(scored_ids).to_numpy(dtype=bool)
    unmatched = tuple(str(x) for x in hid[~known])
    has_target = np.vstack([~np.isnan(y) for y in y_all.values()]).any(axis=0)
    keep = known & has_target
    n_missing = int((known & ~has_target).sum())
    n_matched = int(keep.sum())
    cols = ", ".join(repr(c) for c in mapping.values())
    if n_matched < min_n:
        raise InputError(
            f"only {n_matched} labelled interactions matched a scored interaction "
            f"({len(unmatched)} of {len(human)} human rows had no scored interaction"
            + (f", e.g. {list(unmatched[:_SHOW_IDS])}" if unmatched else "")
            + f"; {n_missing} had no score in {cols}); calibration needs at least "
            f"min_n={min_n}: label more interactions (a few hundred give stable weights), "
            "or lower min_n knowing the weights will be noisy", code="SA-I010")
    # sorted by id, so that the folds do not depend on the order of the human rows
    order = np.argsort(hid[keep].to_numpy(dtype=str), kind="stable")
    fold = np.zeros(n_matched, dtype="int64")
    for f, (_, test) in enumerate(KFold(n_splits, shuffle=True, random_state=seed)
                                  .split(np.arange(n_matched))):
        fold[test] = f
    return _Labels(ids=pd.Index(hid[keep].to_numpy(dtype=object)[order]), mapping=mapping,
                   overall=overall, y={key: y[keep][order] for key, y in y_all.items()},
                   fold=fold, unmatched=unmatched, n_missing=n_missing)


def _rows_of(frame: pd.DataFrame, ids: pd.Index) -> pd.DataFrame:
    """The rows of a per-interaction table for ``ids``, in that order."""
    index = pd.Index(frame["interaction_id"].astype("string"))
    return frame.iloc[index.get_indexer(ids)].reset_index(drop=True)


def _fit_principles(res: Result, rub: Rubric, scores: pd.DataFrame, contrib: pd.DataFrame,
                    lab: _Labels, min_n: int, n_splits: int, alphas: tuple[float, ...],
                    seed: int) -> tuple[dict[str, _Fit], dict[tuple[str, str], str], list[str]]:
    """Fit each principle's score weights on the rows whose score is the plain weighted
    mean; the fits, each criterion's status and notes for the report."""
    base = _rows_of(scores, lab.ids)
    fits: dict[str, _Fit] = {}
    status: dict[tuple[str, str], str] = {}
    notes: list[str] = []
    for p in PRINCIPLES:
        crits = [c for c in rub.criteria if c.principle == p]
        for c in crits:
            if _kind(c) != "score":
                status[(p, c.name)] = f"kept: kind={_kind(c)}"
        key = "overall" if lab.overall else p
        if key not in lab.y:
            for c in crits:
                status.setdefault((p, c.name), "kept: no target for this principle")
            continue
        cand = [c for c in crits if _kind(c) == "score"]
        sub = contrib[contrib["principle"] == p]
        v = np.nan_to_num(_frame(sub, "value", lab.ids, [c.name for c in cand]))
        a = np.nan_to_num(_frame(sub, "applied", lab.ids, [c.name for c in cand]), nan=0.0)
        used = a.any(axis=0)
        for c, u_ in zip(cand, used, strict=True):
            if not u_:
                status[(p, c.name)] = "kept: never applied in the labelled set"
        fit_c = [c for c, u_ in zip(cand, used, strict=True) if u_]
        v, a = v[:, used], a[:, used]
        y = lab.y[key] / 100.0
        w0 = np.array([c.weight for c in fit_c], dtype="float64")
        plain = np.isclose(_predict(v, a, w0), base[p].to_numpy(dtype="float64",
                                                                   na_value=np.nan), atol=1e-6)
        rows_p = (a.sum(axis=1) > 0) & ~np.isnan(y)
        n_other = int((rows_p & ~plain).sum())
        rows_p &= plain
        why = _unfittable(p, v[rows_p], a[rows_p], len(fit_c), min_n, n_other)
        if why is not None:
            if not lab.overall:
                raise InputError(why + ": label interactions where its criteria vary, or "
                                 "leave it out of target", code="SA-I011")
            notes.append(why + "; weights kept")
            for c in crits:
                status.setdefault((p, c.name), "kept: principle not fitted")
            continue
        if n_other:
            notes.append(f"{p}: {n_other} labelled interactions left out of the fit because "
                         "bonus or auto-fail criteria changed their score")
        fits[p] = _fit_principle([c.name for c in fit_c], w0, v[rows_p], a[rows_p],
                                 y[rows_p], lab.fold[rows_p], n_splits, alphas, seed)
        for c in fit_c:
            status[(p, c.name)] = "fitted"
    if not fits:
        raise InputError("no principle could be fitted: " + "; ".join(notes)
                         + ". Label interactions where the rubric's criteria apply and vary",
                         code="SA-I012")
    return fits, status, notes


def _agreement_rows(res: Result, rub: Rubric, fits: Mapping[str, _Fit], lab: _Labels,
                    n_splits: int, bands: tuple[float, ...]) -> list[dict[str, Any]]:
    """Agreement with the human scores before and after calibration, each fold scored by
    the rubric fitted without it (held-out predictions)."""
    scores, _ = rub.apply(res.measures)
    base = _rows_of(scores, lab.ids)
    m_keep = _rows_of(res.measures, lab.ids)
    pred = {k: np.full(len(lab.ids), np.nan) for k in (*PRINCIPLES, "overall")}
    for f in range(n_splits):
        test = lab.fold == f
        fold_rubric, _ = _reweighted(rub, {(p, n): w for p, fit in fits.items()
                                           for n, w in zip(fit.names, fit.fold_weights[f],
                                                           strict=True)})
        fold_scores, _ = fold_rubric.apply(m_keep[test].reset_index(drop=True))
        for col, arr in pred.items():
            arr[test] = fold_scores[col].to_numpy(dtype="float64", na_value=np.nan)
    rows = []
    for p, fit in fits.items():
        key = "overall" if lab.overall else p
        rows.append(_row(p, lab.mapping[key], fit.alpha,
                         base[p].to_numpy("float64", na_value=np.nan), pred[p], lab.y[key],
                         lab.fold, bands))
    if lab.overall:
        rows.append(_row("overall", lab.mapping["overall"], np.nan,
                         base["overall"].to_numpy("float64", na_value=np.nan), pred["overall"],
                         lab.y["overall"], lab.fold, bands))
    return rows


def _calibrated(rub: Rubric, fits: Mapping[str, _Fit], status: Mapping[tuple[str, str], str],
                lab: _Labels) -> tuple[Rubric, list[dict[str, Any]], list[str]]:
    """The calibrated rubric, fitted on every labelled interaction; the report's weight
    rows; the criteria dropped (weight 0)."""
    final = {(p, n): float(np.round(w, _DECIMALS)) for p, fit in fits.items()
             for n, w in zip(fit.names, fit.weights, strict=True)}
    n_fit = max(fit.n for fit in fits.values())
    cols = ", ".join(repr(c) for c in lab.mapping.values())
    name = rub.name if rub.name.endswith("-calibrated") else f"{rub.name}-calibrated"
    new, dropped = _reweighted(
        rub, final, name=name, version=_bump(rub.version), source=f"calibrate({rub.source})",
        description=(f"{rub.description} Weights calibrated by serviceart.calibrate to human "
                     f"scores ({cols}) on {n_fit} interactions.").strip())
    wrows = []
    for c in rub.criteria:
        ck = (c.principle, c.name)
        before = float(c.weight) if _kind(c) == "score" else np.nan
        after = final.get(ck, before)
        wrows.append({"principle": c.principle, "criterion": c.name,
                      "weight_before": before, "weight_after": after if after > 0 else np.nan,
                      "status": "dropped" if after <= 0 else status.get(ck, "kept")})
    return new, wrows, list(dropped)


@dataclass(frozen=True)
class _Fit:
    """One principle's fit: criterion names, weights (original total) overall and per fold."""

    names: list[str]
    weights: np.ndarray
    fold_weights: list[np.ndarray]
    alpha: float
    n: int


def _fit_principle(names: list[str], w0: np.ndarray, v: np.ndarray, a: np.ndarray,
                   y: np.ndarray, fold: np.ndarray, n_splits: int, alphas: Sequence[float],
                   seed: int) -> _Fit:
    total = float(w0.sum())
    u0 = w0 / total
    per_fold = []
    for f in range(n_splits):
        train = fold != f
        alpha = _choose_alpha(v[train], a[train], y[train], u0, alphas, n_splits, seed)
        per_fold.append(total * _fit(v[train], a[train], y[train], u0, alpha))
    alpha = _choose_alpha(v, a, y, u0, alphas, n_splits, seed)
    return _Fit(names, total * _fit(v, a, y, u0, alpha), per_fold, alpha, len(y))


def _unfittable(p: str, v: np.ndarray, a: np.ndarray, k: int, min_n: int,
                n_other: int) -> str | None:
    """Why principle ``p`` cannot be fitted on these rows, or ``None``."""
    if len(v) < min_n:
        other = (f", {n_other} more left out because bonus or auto-fail criteria changed "
                 "their score") if n_other else ""
        return (f"{p}: only {len(v)} labelled interactions where a {p} criterion applies"
                f"{other} (min_n={min_n})")
    state = np.where(a > 0, v, -1.0)
    if k < 2 or not (np.ptp(state, axis=0) > 0).any():
        return (f"{p}: no criterion varies among the labelled interactions ({k} "
                "criteria apply), so weights cannot change its scores")
    return None


def _reweighted(rub: Rubric, weights: Mapping[tuple[str, str], float],
                **meta: Any) -> tuple[Rubric, list[str]]:
    """``rub`` with new weights; criteria whose weight is <= 0 are dropped (and named)."""
    criteria: list[Criterion] = []
    dropped: list[str] = []
    for c in rub.criteria:
        w = weights.get((c.principle, c.name), c.weight)
        if w > 0:
            criteria.append(replace(c, weight=float(w)) if w != c.weight else c)
        else:
            dropped.append(f"{c.principle}.{c.name}")
    info: dict[str, Any] = {"name": rub.name, "version": rub.version,
                            "description": rub.description, "source": rub.source, **meta}
    if getattr(rub, "bands", None):
        info["bands"] = rub.bands
    if getattr(rub, "sla", None):
        info["sla"] = rub.sla
    return Rubric(criteria, **info), dropped


def _row(principle: str, column: str, alpha: float, before: np.ndarray, after: np.ndarray,
         human: np.ndarray, fold: np.ndarray, bands: Sequence[float]) -> dict[str, Any]:
    """Agreement before and after, averaged over the held-out folds (same rows for both)."""
    both = ~np.isnan(before) & ~np.isnan(after) & ~np.isnan(human)
    per_fold = []
    for f in np.unique(fold[both]):
        m = both & (fold == f)
        per_fold.append(_agreement(before[m], human[m], bands)[1:]
                        + _agreement(after[m], human[m], bands)[1:])
    stats = np.array(per_fold, dtype="float64").reshape(-1, 6)
    mean = [_nanmean(stats[:, j]) for j in range(6)]
    return {"principle": principle, "target": column, "n": int(both.sum()), "alpha": alpha,
            "rho_uncalibrated": mean[0], "rho_calibrated": mean[3],
            "kappa_uncalibrated": mean[1], "kappa_calibrated": mean[4],
            "mae_uncalibrated": mean[2], "mae_calibrated": mean[5]}


def _nanmean(x: np.ndarray) -> float:
    ok = ~np.isnan(x)
    return float(x[ok].mean()) if ok.any() else float("nan")


def _resolve_rubric(res: Result, rubric: Rubric | None) -> Rubric:
    if rubric is not None:
        if not isinstance(rubric, Rubric):
            raise ConfigError(f"rubric must be a Rubric, got {type(rubric).__name__}",
                              code="SA-C038")
        return rubric
    own = getattr(res, "rubric", None)
    if isinstance(own, Rubric):
        return own
    default = Rubric.default()
    used = res.run_info.get("rubric") if isinstance(res.run_info, Mapping) else None
    if isinstance(used, Mapping) and used.get("hash") not in (None, default.hash):
        raise ConfigError(
            f"the run was scored with rubric {used.get('name')!r} v{used.get('version')} "
            f"(hash {used.get('hash')}), not the default: pass it as rubric=", code="SA-C039")
    return default
