"""Fairness: is any group of customers served worse, why, and is it only the data?

:func:`fairness` compares the groups of one interaction column (customer tier,
language, channel, region, hour...) on every principle and returns a
:class:`FairnessReport`.

Method
------
1. **Groups.** Per group and principle: ``n`` (interactions with a score), the
   mean and a percentile bootstrap interval at level ``1 - alpha``
   (:func:`serviceart.analysis.aggregate.by`).
2. **Gaps.** The best-served group of a principle is the one with the highest
   mean among groups with ``n >= min_n``. Every group's gap is its mean minus
   the best mean; its interval is a percentile bootstrap of that difference
   (both groups resampled independently; it is conditional on which group is
   best). Groups under ``min_n`` get a descriptive gap but no test.
3. **Test.** A permutation test of "this group is served as well as the best":
   the statistic of group *g* is ``max(group means) - mean(g)``; its null
   distribution comes from ``n_perm`` random relabellings of the interactions of
   the tested groups, recomputing the maximum each time, so the choice of the
   best group after looking at the data is part of the test.
   ``p = (1 + #{null >= observed}) / (1 + n_perm)``. All permutations of one
   principle are drawn as one array and group means come from one matrix product.
4. **Multiple comparisons.** Holm's step-down correction over every (group,
   principle) pair with ``n >= min_n``, the best-served group of each principle
   counting with ``p = 1`` (which group is best is only known after looking, so
   leaving it out would make the family depend on the data). A gap is significant
   when its Holm p-value is at most ``alpha``, which bounds the chance of
   reporting any false gap by ``alpha``.
5. **Drivers.** For each significant gap, the measures of that principle
   (codebook ``MEASURES[m].principle``) and the counts of its cues (``CUES``) are
   compared between the group and the best group: standardised difference
   (Cohen's d; log seconds for time measures), kept when the difference points
   the way that lowers the score (sign of its correlation with the score over all
   tested interactions), ranked by ``|d|`` and phrased in words: ratios of
   medians for times, differences of means for counts, shares and flags.
6. **Data quality.** Per group: median words and turns per interaction (from the
   measures columns ``words``/``turns`` or from ``turns=``), the share with
   timing (``first_response_s`` known), reject rows per interaction and the share
   of turns rejected. For each principle an ordinary least squares fit
   (``numpy.linalg.lstsq``) of the score on group indicators (the best group as
   reference) plus those covariates (log words, log turns, timing, rejects)
   gives the adjusted gap and a normal-approximation p-value. A significant gap
   is flagged ``explained_by_quality`` when, adjusted, it shrinks by more than
   half or is no longer significant at ``alpha``. A short transcript can be a
   sign of neglect as well as of a bad export: read a few before deciding.

Examples
--------
>>> import serviceart as sa
>>> res = sa.score(sa.read("data/samples"))
>>> rep = fairness(res, "segment", principles=["service"], min_n=4, n_perm=199, n_boot=200)
>>> print(rep.gaps[["group", "principle", "n", "significant"]].to_string(index=False))
         group principle  n  significant
          gold   service  4        False
small_business   service  4        False
      standard   service  5        False
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..codebook import CUES, MEASURES, PRINCIPLES
from ..errors import ConfigError
from .aggregate import (
    _CHUNK_ELEMENTS,
    SCORE_COLUMNS,
    as_keys,
    bootstrap_means,
    check_count,
    check_level,
    check_principles,
    group_codes,
    percentile_interval,
    scored_frame,
)
from .aggregate import by as aggregate_by

__all__ = ["FairnessReport", "fairness"]

#: How a time measure reads in words ("basic customers wait 3.0x longer").
TIME_VERBS = {"first_response_s": "wait", "median_reply_s": "wait", "max_reply_s": "wait",
              "hold_s": "are on hold", "case_resolution_s": "wait for a resolution"}

QUALITY_COLUMNS = ("words", "turns", "has_timing", "rejects")


@dataclass
class FairnessReport:
    """What :func:`fairness` returns: groups, gaps, their drivers and data quality.

    Attributes
    ----------
    by
        The column(s) the groups come from.
    groups
        Per group and principle: ``group``, ``n``, ``mean``, ``ci_low``,
        ``ci_high``, ``rankable`` (``n >= min_n``).
    gaps
        Per group and principle: ``mean``, ``best_group``, ``best_mean``, ``gap``,
        ``ci_low``/``ci_high`` (of the gap), ``tested``, ``p_value``, ``p_holm``,
        ``significant``, ``adjusted_gap``/``adjusted_p`` (controlling for data
        quality), ``explained_by_quality``, ``top_driver``, ``drivers`` (in words)
        and ``note``.
    drivers
        Per significant gap, the measures that differ: values, ratio, difference,
        standardised difference ``std_diff``, correlation with the score, words.
    quality
        Per group: ``n``, ``words_median``, ``turns_median``, ``timing_share``,
        ``rejects_per_interaction``, ``rejected_turn_share`` (NaN when not derivable).
    notes
        Sentences about what could not be computed, and why.
    """

    by: tuple[str, ...]
    alpha: float
    n_perm: int
    n_boot: int
    min_n: int
    seed: int
    groups: pd.DataFrame
    gaps: pd.DataFrame
    drivers: pd.DataFrame
    quality: pd.DataFrame
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def significant(self) -> pd.DataFrame:
        """The rows of :attr:`gaps` flagged significant, largest gap first."""
        sig = self.gaps[self.gaps["significant"]]
        return sig.sort_values("gap", kind="stable").reset_index(drop=True)

    @property
    def n_tests(self) -> int:
        """The size of the Holm family: (group, principle) pairs with n >= min_n,
        the best-served groups included (with p = 1)."""
        return int(self.gaps["tested"].sum())

    def __repr__(self) -> str:
        return (f"<FairnessReport by {' / '.join(self.by)}: {len(self.significant)} "
                f"significant gap(s) of {self.n_tests} tested at alpha={self.alpha}>")

    def summary(self) -> list[str]:
        """The report as lines of text (what ``str()`` prints)."""
        name = " / ".join(self.by)
        n_groups = len(self.quality)
        lines = [f"Fairness by {name}: {int(self.quality['n'].sum())} interactions in "
                 f"{n_groups} groups; permutation test ({self.n_perm} permutations) against "
                 f"the best-served group, Holm correction over {self.n_tests} tests, "
                 f"alpha={self.alpha}, min_n={self.min_n}."]
        sig = self.significant
        if len(sig):
            lines.append("Significant gaps:")
            for row in sig.itertuples(index=False):
                lines.append(f"  {row.principle}: {row.group} {row.mean:.1f} vs "
                             f"{row.best_group} {row.best_mean:.1f} (gap {row.gap:+.1f}, "
                             f"{1 - self.alpha:.0%} CI {row.ci_low:+.1f} to {row.ci_high:+.1f}; "
                             f"p={row.p_value:.3g}, Holm p={row.p_holm:.3g})")
                if row.drivers:
                    lines.append(f"    drivers: {row.drivers!s}")
                if row.quality_note:
                    lines.append(f"    data quality: {row.quality_note!s}")
        elif self.n_tests:
            lines.append(f"No significant gap at alpha={self.alpha} "
                         f"(Holm over {self.n_tests} tests).")
        small = self.quality[self.quality["n"] < self.min_n]
        if len(small):
            lines.append(f"Not tested (n < min_n={self.min_n}): " + ", ".join(
                f"{g} (n={n})" for g, n in zip(small["group"], small["n"], strict=True)))
        lines.append("Data quality by group:")
        for q in self.quality.itertuples(index=False):
            lines.append("  " + _quality_line(q))
        lines += [f"Note: {n}" for n in self.notes]
        return lines

    def __str__(self) -> str:
        return "\n".join(self.summary())

    def _repr_html_(self) -> str:
        esc = html.escape
        lines = self.summary()
        head = f"<p><b>{esc(lines[0])}</b></p>"
        cols = ["group", "principle", "n", "mean", "best_group", "gap", "ci_low", "ci_high",
                "p_holm", "significant", "explained_by_quality", "drivers", "note"]
        shown = self.gaps.sort_values(["significant", "gap"], ascending=[False, True],
                                      kind="stable")
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(_cell(v))}</td>" for v in row) + "</tr>"
            for row in shown[cols].itertuples(index=False))
        table = ("<table><thead><tr>" + "".join(f"<th>{esc(c)}</th>" for c in cols)
                 + f"</tr></thead><tbody>{body}</tbody></table>")
        rest = "".join(f"<li>{esc(s.strip())}</li>" for s in lines[1:])
        return f"<div class='serviceart-fairness'>{head}{table}<ul>{rest}</ul></div>"


def _cell(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return "" if math.isnan(v) else f"{v:.3g}" if abs(v) < 1 else f"{v:.1f}"
    return "" if value is None or value is pd.NA else str(value)


def _quality_line(q: Any) -> str:
    parts = [f"{q.group}: n={q.n}"]
    if not math.isnan(q.words_median):
        parts.append(f"words median {q.words_median:.0f}")
    if not math.isnan(q.turns_median):
        parts.append(f"turns median {q.turns_median:.0f}")
    if not math.isnan(q.timing_share):
        parts.append(f"timing known {q.timing_share:.0%}")
    if not math.isnan(q.rejects_per_interaction):
        parts.append(f"rejects {q.rejects_per_interaction:.2f} per interaction")
    return ", ".join(parts)


# --------------------------------------------------------------------------- entry point

def fairness(
    result: Any,
    by: str | Sequence[str],
    *,
    principles: str | Sequence[str] = SCORE_COLUMNS,
    measures: Sequence[str] | None = None,
    alpha: float = 0.05,
    n_perm: int | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    min_n: int = 30,
    turns: pd.DataFrame | None = None,
    n_drivers: int = 3,
) -> FairnessReport:
    """Compare groups of customers on every principle: gaps, tests, drivers, data quality.

    Parameters
    ----------
    result
        A :class:`~serviceart.result.Result` (``scores``, ``measures``,
        ``interactions``, ``rejects``).
    by
        The interaction column that defines the groups (``"segment"``,
        ``"channel"``, ``"language"``...) or a list of them.
    principles
        Score columns to compare (default: the four principles and ``overall``).
    measures
        Measures (columns of ``result.measures``) that may drive a gap; default
        every codebook measure and cue count present. A codebook measure or cue is
        compared for its own principle (and ``overall``); other columns for every
        principle.
    alpha
        Significance level (family-wise, after Holm's correction); the intervals
        are at level ``1 - alpha``.
    n_perm
        Permutations per principle; p-values are multiples of ``1 / (1 + n_perm)``.
        Default: enough for Holm's correction to reach ``alpha``, at least 999
        (``max(999, ceil(4 * tests / alpha))``). A smaller value that no p-value
        could survive is reported in ``notes``.
    n_boot
        Bootstrap resamples for the intervals.
    seed
        Seed of permutations and resamples: same seed, same report.
    min_n
        Groups with fewer scored interactions are shown but neither chosen as the
        best-served group nor tested.
    turns
        The turn table the result was scored from (``conv.turns``), to measure
        words and turns per interaction when ``result.measures`` has no ``words``
        or ``turns`` column.
    n_drivers
        How many driving measures to name per significant gap.

    Returns
    -------
    FairnessReport

    Examples
    --------
    >>> import serviceart as sa
    >>> conv = sa.read("data/samples")
    >>> rep = fairness(sa.score(conv), "segment", min_n=4, n_perm=99, n_boot=100,
    ...                turns=conv.turns)
    >>> rep.n_tests, len(rep.significant)
    (15, 0)
    >>> print(str(rep).splitlines()[1])
    No significant gap at alpha=0.05 (Holm over 15 tests).
    """
    keys = as_keys(by)
    cols = check_principles(result, principles)
    check_level("alpha", alpha)
    if n_perm is not None:
        check_count("n_perm", n_perm, 1)
    check_count("n_boot", n_boot, 0)
    check_count("min_n", min_n, 2)
    check_count("n_drivers", n_drivers, 0)
    frame = scored_frame(result, keys, cols)
    codes, glabels = group_codes(frame, keys)
    labels: list[str] = glabels["group"].tolist()
    mframe = _aligned_measures(result, frame)
    candidates = _candidates(mframe, measures)
    quality_rows, notes = _quality_covariates(result, frame, mframe, turns)
    if frame.attrs.get("out_of_scope"):
        notes.append(f"{frame.attrs['out_of_scope']} out-of-scope interactions (no agent "
                     "turn, or not a service request) are left out")
    family = _family_size(frame, codes, cols, len(labels), min_n)
    if n_perm is None:
        n_perm = max(999, math.ceil(4 * family / alpha))
    elif family and family / (1 + n_perm) > alpha:
        notes.append(f"with n_perm={n_perm} the smallest p-value is 1/{n_perm + 1}, which "
                     f"Holm's correction over {family} tests cannot bring under alpha="
                     f"{alpha}: no gap can be significant; use n_perm >= "
                     f"{math.ceil(family / alpha)} or leave it to the default")
    groups = aggregate_by(result, keys, principles=cols, n_boot=n_boot, ci=1 - alpha,
                          min_n=min_n, seed=seed)
    groups.insert(len(keys), "group", np.repeat(np.asarray(labels, dtype=object), len(cols)))
    groups["group"] = groups["group"].astype("string")
    rng = np.random.default_rng([seed, 1])
    rows: list[dict[str, Any]] = []
    for p in cols:
        rows += _principle_gaps(p, frame[p].to_numpy(dtype=float, na_value=np.nan), codes,
                                labels, quality_rows, alpha, n_perm, n_boot, min_n, rng)
    gaps = _holm(pd.DataFrame.from_records(rows, columns=_GAP_COLUMNS), alpha)
    gaps, drivers = _add_drivers(gaps, frame, mframe, candidates, codes, labels, keys,
                                 n_drivers)
    quality = _quality_table(quality_rows, codes, labels)
    return FairnessReport(by=tuple(keys), alpha=alpha, n_perm=n_perm, n_boot=n_boot,
                          min_n=min_n, seed=seed, groups=groups, gaps=gaps, drivers=drivers,
                          quality=quality, notes=tuple(notes))


_GAP_COLUMNS = ["group", "principle", "n", "mean", "best_group", "best_n", "best_mean", "gap",
                "ci_low", "ci_high", "tested", "p_value", "adjusted_gap", "adjusted_p",
                "confounded", "covariates", "note"]


# --------------------------------------------------------------------------- gaps

def _family_size(frame: pd.DataFrame, codes: np.ndarray, cols: list[str], k: int,
                 min_n: int) -> int:
    """Holm family: (group, principle) pairs with n >= min_n, where two groups or more do."""
    total = 0
    for p in cols:
        has = frame[p].notna().to_numpy()
        eligible = int((np.bincount(codes[has], minlength=k) >= min_n).sum())
        total += eligible if eligible >= 2 else 0
    return total


def _principle_gaps(p: str, y: np.ndarray, codes: np.ndarray, labels: list[str],
                    cov: pd.DataFrame, alpha: float, n_perm: int, n_boot: int, min_n: int,
                    rng: np.random.Generator) -> list[dict[str, Any]]:
    k = len(labels)
    has = ~np.isnan(y)
    n = np.bincount(codes[has], minlength=k)
    sums = np.bincount(codes[has], weights=y[has], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(n > 0, sums / np.maximum(n, 1), np.nan)
    eligible = np.flatnonzero(n >= min_n)
    rows: list[dict[str, Any]] = []
    if len(eligible) < 2:
        for g in np.flatnonzero(n > 0):
            rows.append({"group": labels[g], "principle": p, "n": int(n[g]),
                         "mean": means[g], "tested": False,
                         "note": f"not tested: fewer than two groups have n >= min_n={min_n}"})
        return rows
    best = int(eligible[np.argmax(means[eligible])])
    in_test = has & np.isin(codes, eligible)
    local = np.searchsorted(eligible, codes[in_test])
    pvals = _permutation_p(y[in_test], local, len(eligible), n_perm, rng)
    adjusted = _adjust(y[in_test], local, len(eligible), int(np.searchsorted(eligible, best)),
                       cov.loc[in_test], alpha)
    best_draws = bootstrap_means(y[has & (codes == best)], n_boot, rng)
    for g in np.flatnonzero(n > 0):
        row: dict[str, Any] = {"group": labels[g], "principle": p, "n": int(n[g]),
                               "mean": means[g], "best_group": labels[best],
                               "best_n": int(n[best]), "best_mean": means[best],
                               "gap": means[g] - means[best], "tested": False, "note": ""}
        if g == best:
            # counted in the Holm family with p = 1: the family is fixed before the
            # data choose the best group, which keeps the family-wise bound valid
            row.update(gap=0.0, tested=True, p_value=1.0, note="best-served group (reference)")
        else:
            draws = bootstrap_means(y[has & (codes == g)], n_boot, rng) - best_draws
            row["ci_low"], row["ci_high"] = percentile_interval(draws, 1 - alpha)
        if g != best and n[g] >= min_n:
            j = int(np.searchsorted(eligible, g))
            row.update(tested=True, p_value=pvals[j])
            row.update(adjusted.get(j, {}))
        elif g != best:
            row["note"] = f"not tested: n={int(n[g])} is under min_n={min_n}"
        rows.append(row)
    return rows


def _permutation_p(x: np.ndarray, g: np.ndarray, k: int, n_perm: int,
                   rng: np.random.Generator) -> np.ndarray:
    """One-sided p-values of ``max(means) - mean(g)`` under random relabelling."""
    n = len(x)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), g] = 1.0
    counts = onehot.sum(axis=0)
    means = (x @ onehot) / counts
    observed = means.max() - means
    tol = 1e-9 * max(1.0, float(np.abs(x).max()))
    exceed = np.zeros(k)
    step = max(1, _CHUNK_ELEMENTS // max(n, 1))
    done = 0
    while done < n_perm:
        c = min(step, n_perm - done)
        perm = rng.permuted(np.tile(np.arange(n), (c, 1)), axis=1)
        null = (x[perm] @ onehot) / counts
        stat = null.max(axis=1, keepdims=True) - null
        exceed += (stat >= observed - tol).sum(axis=0)
        done += c
    return (1.0 + exceed) / (1.0 + n_perm)


def _holm(gaps: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Holm step-down adjusted p-values over the tested rows; ``significant`` at alpha."""
    gaps = gaps.copy()
    gaps["tested"] = gaps["tested"].eq(True).to_numpy()
    p = gaps["p_value"].to_numpy(dtype=float)
    adj = np.full(len(gaps), np.nan)
    idx = np.flatnonzero(gaps["tested"].to_numpy() & ~np.isnan(p))
    if len(idx):
        order = idx[np.argsort(p[idx], kind="stable")]
        m = len(order)
        stepped = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * p[order]))
        adj[order] = stepped
    gaps.insert(list(gaps.columns).index("p_value") + 1, "p_holm", adj)
    sig = np.nan_to_num(adj, nan=np.inf) <= alpha
    gaps.insert(list(gaps.columns).index("p_holm") + 1, "significant", sig)
    shrunk = np.abs(gaps["adjusted_gap"].to_numpy(dtype=float)) <= 0.5 * np.abs(
        gaps["gap"].to_numpy(dtype=float))
    lost = gaps["adjusted_p"].to_numpy(dtype=float) > alpha
    gaps["explained_by_quality"] = sig & gaps["adjusted_gap"].notna().to_numpy() & (
        shrunk | lost)
    gaps["confounded"] = gaps["confounded"].eq(True).to_numpy()
    gaps["quality_note"] = [_quality_note(r) for r in gaps.itertuples(index=False)]
    for col in ("group", "principle", "best_group", "covariates", "note", "quality_note"):
        if col not in gaps.columns:
            gaps[col] = ""
        gaps[col] = gaps[col].astype("string").fillna("")
    gaps["n"] = gaps["n"].astype("int64")
    gaps["best_n"] = gaps["best_n"].astype("Int64")
    return gaps


def _quality_note(row: Any) -> str:
    if not row.significant or pd.isna(row.adjusted_gap):
        return ""
    covs = getattr(row, "covariates", "") or "data quality"
    where = (f"the gap goes from {row.gap:+.1f} to {row.adjusted_gap:+.1f} "
             f"(p={row.adjusted_p:.3g}) when controlling for {covs}")
    if row.explained_by_quality:
        text = (f"explained by data quality rather than service: {where}; check whether "
                f"{row.group} transcripts are incomplete, or agents say less to them")
    else:
        text = f"not explained by data quality: {where}"
    if row.confounded:
        text += (f"; caution: membership of {row.group} is almost predicted by data quality, "
                 "so the adjustment rests on few comparable interactions")
    return text


# --------------------------------------------------------------------------- data quality

def _aligned_measures(result: Any, frame: pd.DataFrame) -> pd.DataFrame:
    m = getattr(result, "measures", None)
    if m is None or "interaction_id" not in getattr(m, "columns", ()):
        return pd.DataFrame(index=frame.index)
    m = m.drop_duplicates("interaction_id")
    out = frame[["interaction_id"]].merge(m, on="interaction_id", how="left")
    return out.drop(columns="interaction_id").set_index(frame.index)


def _quality_covariates(result: Any, frame: pd.DataFrame, mframe: pd.DataFrame,
                        turns: pd.DataFrame | None) -> tuple[pd.DataFrame, list[str]]:
    """Per scored interaction: words, turns, has_timing, rejects (NaN when unknown)."""
    notes: list[str] = []
    ids = frame["interaction_id"].astype("string")
    out = pd.DataFrame(index=frame.index, columns=list(QUALITY_COLUMNS), dtype=float)
    from_turns: dict[str, pd.Series] = {}
    if turns is not None:
        missing = {"interaction_id", "text"} - set(turns.columns)
        if missing:
            raise ConfigError(f"turns= needs the columns interaction_id and text; it lacks "
                              f"{sorted(missing)} (pass conv.turns)", code="SA-C058")
        tid = turns["interaction_id"].astype("string")
        words = turns["text"].astype("string").str.count(r"\S+").fillna(0)
        from_turns["words"] = words.groupby(tid).sum()
        from_turns["turns"] = tid.value_counts()
    unknown = []
    inter = getattr(result, "interactions", None)
    sizes: dict[str, pd.Series] = {}
    if inter is not None and {"interaction_id", "n_words", "n_turns"} <= set(inter.columns):
        keyed = inter.set_index(inter["interaction_id"].astype("string"))
        sizes = {"words": keyed["n_words"], "turns": keyed["n_turns"]}
    for name in ("words", "turns"):
        if name in mframe.columns:
            out[name] = pd.to_numeric(mframe[name], errors="coerce").to_numpy(dtype=float)
        elif name in sizes:  # the engine records n_words / n_turns per interaction
            out[name] = ids.map(sizes[name]).astype("Float64").to_numpy(dtype=float,
                                                                         na_value=np.nan)
        elif name in from_turns:
            out[name] = ids.map(from_turns[name]).astype("Float64").fillna(0).to_numpy(
                dtype=float)
        else:
            unknown.append(name)
    if unknown:
        notes.append(f"{' and '.join(unknown)} per interaction unknown: pass "
                     "turns=conv.turns to check transcript length")
    if "first_response_s" in mframe.columns:
        out["has_timing"] = mframe["first_response_s"].notna().to_numpy(dtype=float)
    rejects = getattr(result, "rejects", None)
    if rejects is not None and "interaction_id" in getattr(rejects, "columns", ()):
        counts = rejects["interaction_id"].dropna().astype("string").value_counts()
        out["rejects"] = ids.map(counts).astype("Float64").fillna(0).to_numpy(dtype=float)
    return out, notes


def _quality_table(cov: pd.DataFrame, codes: np.ndarray, labels: list[str]) -> pd.DataFrame:
    g = pd.Series(codes, index=cov.index)
    grouped = cov.groupby(g)
    n = np.bincount(codes, minlength=len(labels))
    med = grouped[["words", "turns"]].median().reindex(range(len(labels)))
    avg = grouped[["has_timing", "rejects"]].mean().reindex(range(len(labels)))
    tot = grouped[["turns", "rejects"]].sum(min_count=1).reindex(range(len(labels)))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = tot["rejects"] / (tot["turns"] + tot["rejects"])
    return pd.DataFrame({
        "group": pd.Series(labels, dtype="string"),
        "n": n.astype("int64"),
        "words_median": med["words"].to_numpy(dtype=float),
        "turns_median": med["turns"].to_numpy(dtype=float),
        "timing_share": avg["has_timing"].to_numpy(dtype=float),
        "rejects_per_interaction": avg["rejects"].to_numpy(dtype=float),
        "rejected_turn_share": share.to_numpy(dtype=float),
    })


def _adjust(y: np.ndarray, g: np.ndarray, k: int, best: int, cov: pd.DataFrame,
            alpha: float) -> dict[int, dict[str, Any]]:
    """Adjusted gaps (OLS of score on group indicators + quality covariates)."""
    names, columns = [], []
    for name in QUALITY_COLUMNS:
        v = cov[name].to_numpy(dtype=float)
        if np.isnan(v).all():
            continue
        v = np.where(np.isnan(v), np.nanmedian(v), v)
        if name in ("words", "turns"):
            v = np.log1p(np.maximum(v, 0.0))
        if v.std() > 0:
            names.append(name)
            z = (v - v.mean()) / v.std()
            columns.append(z)
            if name in ("words", "turns"):
                columns.append(z * z - 1.0)  # a bend: scores saturate with length
    if not columns:
        return {}
    others = [j for j in range(k) if j != best]
    dummies = np.stack([(g == j).astype(float) for j in others], axis=1)
    covs = np.stack(columns, axis=1)
    x = np.column_stack([np.ones(len(y)), dummies, covs])
    beta, _, rank, _ = np.linalg.lstsq(x, y, rcond=None)
    dof = len(y) - rank
    if dof <= 0:
        return {}
    sigma2 = float(((y - x @ beta) ** 2).sum() / dof)
    se = np.sqrt(np.maximum(np.diag(np.linalg.pinv(x.T @ x)) * sigma2, 0.0))
    base = np.column_stack([np.ones(len(y)), covs])
    out: dict[int, dict[str, Any]] = {}
    for a, j in enumerate(others):
        coef, s = float(beta[1 + a]), float(se[1 + a])
        p = math.erfc(abs(coef / s) / math.sqrt(2)) if s > 0 else float("nan")
        d = dummies[:, a]
        fit = base @ np.linalg.lstsq(base, d, rcond=None)[0]
        r2 = 1 - ((d - fit) ** 2).sum() / max(((d - d.mean()) ** 2).sum(), 1e-12)
        out[j] = {"adjusted_gap": coef, "adjusted_p": p, "confounded": bool(r2 > 0.8),
                  "covariates": ", ".join(_COV_WORDS[c] for c in names)}
    return out


_COV_WORDS = {"words": "words per interaction", "turns": "turns per interaction",
              "has_timing": "whether timing is known", "rejects": "rejected records"}


# --------------------------------------------------------------------------- drivers

def _candidates(mframe: pd.DataFrame, measures: Sequence[str] | None) -> list[str]:
    if measures is None:
        return [c for c in mframe.columns if c in MEASURES or c in CUES]
    asked = [measures] if isinstance(measures, str) else list(measures)
    unknown = [m for m in asked if m not in mframe.columns]
    if unknown:
        raise ConfigError(f"unknown measure(s) {unknown}; the measures table has: "
                          f"{', '.join(mframe.columns) or '(no measures)'}", code="SA-C059")
    return asked


def _principle_of(name: str) -> str | None:
    if name in MEASURES:
        return MEASURES[name].principle
    return CUES[name].principle if name in CUES else None


def _unit_of(name: str) -> str:
    if name in MEASURES:
        return MEASURES[name].unit
    return "cue" if name in CUES else "value"


def _add_drivers(gaps: pd.DataFrame, frame: pd.DataFrame, mframe: pd.DataFrame,
                 candidates: list[str], codes: np.ndarray, labels: list[str],
                 keys: list[str], n_drivers: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    index = {label: i for i, label in enumerate(labels)}
    records: list[dict[str, Any]] = []
    top, words = [""] * len(gaps), [""] * len(gaps)
    for r, row in enumerate(gaps.itertuples(index=False)):
        if not row.significant or n_drivers == 0:
            continue
        p = str(row.principle)
        pool = [m for m in candidates
                if p not in PRINCIPLES or _principle_of(m) in (p, None)]
        found = _drivers_of(pool, mframe, frame[p].to_numpy(dtype=float, na_value=np.nan),
                            codes, index[str(row.group)], index[str(row.best_group)],
                            str(row.group), str(row.best_group), keys)
        for rank, rec in enumerate(found[:n_drivers], start=1):
            records.append({"group": row.group, "principle": p, "rank": rank, **rec})
        if found:
            top[r] = found[0]["measure"]
            words[r] = "; ".join(f["words"] for f in found[:n_drivers])
    gaps = gaps.assign(top_driver=pd.Series(top, dtype="string", index=gaps.index),
                       drivers=pd.Series(words, dtype="string", index=gaps.index))
    cols = ["group", "principle", "rank", "measure", "value", "best_value", "ratio",
            "difference", "std_diff", "corr_with_score", "words"]
    drivers = pd.DataFrame.from_records(records, columns=cols)
    for c in ("group", "principle", "measure", "words"):
        drivers[c] = drivers[c].astype("string")
    return gaps, drivers


def _drivers_of(pool: list[str], mframe: pd.DataFrame, y: np.ndarray, codes: np.ndarray,
                g: int, best: int, group: str, best_label: str,
                keys: list[str]) -> list[dict[str, Any]]:
    who = (f"{group} customers" if not group.replace(".", "").lstrip("-").isdigit()
           else f"customers with {' / '.join(keys)}={group}")
    in_g, in_b = codes == g, codes == best
    out: list[dict[str, Any]] = []
    for m in pool:
        v = pd.to_numeric(mframe[m], errors="coerce").to_numpy(dtype=float)
        unit = _unit_of(m)
        t = np.log1p(np.maximum(v, 0.0)) if unit == "s" else v
        tg, tb = t[in_g & ~np.isnan(t)], t[in_b & ~np.isnan(t)]
        if len(tg) < 2 or len(tb) < 2:
            continue
        diff = tg.mean() - tb.mean()
        pooled = math.sqrt(((len(tg) - 1) * tg.var(ddof=1) + (len(tb) - 1) * tb.var(ddof=1))
                           / (len(tg) + len(tb) - 2))
        if diff == 0:
            continue
        d = diff / pooled if pooled > 0 else math.copysign(99.0, diff)
        both = ~np.isnan(t) & ~np.isnan(y)
        r = (float(np.corrcoef(t[both], y[both])[0, 1])
             if both.sum() > 2 and t[both].std() > 0 and y[both].std() > 0 else float("nan"))
        if abs(d) < 0.2 or (not math.isnan(r) and (d * r >= 0 or abs(r) < 0.05)):
            continue
        vg, vb = v[in_g & ~np.isnan(v)], v[in_b & ~np.isnan(v)]
        a, b = (float(np.median(vg)), float(np.median(vb))) if unit == "s" else \
            (float(vg.mean()), float(vb.mean()))
        out.append({"measure": m, "value": a, "best_value": b,
                    "ratio": a / b if b != 0 else float("nan"), "difference": a - b,
                    "std_diff": float(d), "corr_with_score": r,
                    "words": _phrase(m, unit, who, a, b, best_label)})
    out.sort(key=lambda rec: -abs(rec["std_diff"]))
    return out


def _phrase(m: str, unit: str, who: str, a: float, b: float, best: str) -> str:
    """A driver in words, e.g. 'basic customers wait 3.0x longer (...)'."""
    if unit == "s":
        verb = TIME_VERBS.get(m, f"have a {m}")
        if a > 0 and b > 0:
            how = f"{a / b:.1f}x longer" if a >= b else f"{b / a:.1f}x less"
        else:
            how = "longer" if a > b else "less"
        return f"{who} {verb} {how} ({m} median {a:,.0f} s vs {b:,.0f} s for {best})"
    if unit == "flag":
        return f"{who}: {m} in {a:.0%} of interactions vs {b:.0%} for {best}"
    if unit == "share":
        return f"{who}: {m} {a:.2f} vs {b:.2f} for {best} ({a - b:+.2f})"
    per = " cues" if unit == "cue" else ""
    return (f"{who}: {a:.2f} {m}{per} per interaction vs {b:.2f} for {best} "
            f"({'more' if a > b else 'fewer'})")
