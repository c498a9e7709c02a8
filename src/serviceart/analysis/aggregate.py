"""Aggregate scores by agent, team or any interaction column, with bootstrap intervals.

:func:`by` returns one row per group (and period) and principle: the number of
scored interactions ``n``, the ``mean`` and a percentile bootstrap confidence
interval, and ``rankable`` (``n >= min_n``). :func:`rank` orders the groups of
one principle without pretending to more precision than the data has: groups
whose intervals overlap share a rank, and groups under ``min_n`` are not ranked.

Examples
--------
>>> import serviceart as sa
>>> res = sa.score(sa.read("data/samples"))
>>> table = by(res, "segment", principles=["service"], min_n=3, n_boot=200)
>>> print(table[["segment", "principle", "n", "rankable"]].to_string(index=False))
       segment principle  n  rankable
          gold   service  4      True
small_business   service  4      True
      standard   service  5      True
>>> rank(table, "service")["tied"].all()
np.True_
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..codebook import PRINCIPLES
from ..errors import ConfigError, InputError
from ..scope import in_scope

__all__ = ["SCORE_COLUMNS", "by", "rank"]

#: The score columns that can be aggregated, in order.
SCORE_COLUMNS: tuple[str, ...] = (*PRINCIPLES, "overall")

#: Elements held in memory at once by the bootstrap and permutation loops.
_CHUNK_ELEMENTS = 2_000_000

MISSING_LABEL = "(missing)"

#: columns of the scores table that are not scores
_NOT_SCORES = ("interaction_id", "scope", "scope_reason")


# --------------------------------------------------------------------------- checks

def as_keys(keys: str | Sequence[str]) -> list[str]:
    """Normalise ``keys`` (a column name or a list of them) to a list."""
    out = [keys] if isinstance(keys, str) else list(keys)
    if not out or not all(isinstance(k, str) for k in out):
        raise ConfigError("group by one interaction column name or a list of them, "
                          f"e.g. 'agent_id' or ['team', 'channel'] (got {keys!r})", code="SA-C001")
    if len(set(out)) != len(out):
        raise ConfigError(f"group-by columns repeat: {out}; name each column once", code="SA-C002")
    return out


def check_principles(result: Any, principles: str | Sequence[str]) -> list[str]:
    """Normalise and check principle names against the result's score columns."""
    out = [principles] if isinstance(principles, str) else list(principles)
    available = [c for c in result.scores.columns if c not in _NOT_SCORES]
    unknown = [p for p in out if p not in available]
    if unknown or not out:
        raise ConfigError(f"unknown score column(s) {unknown or out}; the scores have: "
                          f"{', '.join(available)}", code="SA-C003")
    return out


def check_level(name: str, value: float) -> None:
    """A confidence level or significance level must lie strictly inside 0..1."""
    if not 0.0 < value < 1.0:
        raise ConfigError(f"{name} must be between 0 and 1 (got {value!r}), e.g. 0.95 "
                          "for a confidence level or 0.05 for a significance level", code="SA-C004")


def check_count(name: str, value: int, minimum: int) -> None:
    """A count option must be an integer of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(f"{name} must be an integer >= {minimum} (got {value!r})", code="SA-C005")


def scored_frame(result: Any, columns: Sequence[str], principles: Sequence[str]) -> pd.DataFrame:
    """Scores joined with the interaction columns named, one row per scored interaction.

    Out-of-scope interactions (no agent turn, not a service request; see
    :mod:`serviceart.scope`) are left out; ``frame.attrs["out_of_scope"]`` counts them.
    Raises :class:`~serviceart.errors.ConfigError` naming the available columns
    when one is unknown. The result is not modified.
    """
    inter = result.interactions
    if inter is None or "interaction_id" not in getattr(inter, "columns", ()):
        raise InputError("the result has no interaction table to group by; score with "
                         "sa.score() or build Result(..., interactions=frame)", code="SA-I001")
    available = [c for c in inter.columns if c != "interaction_id"]
    unknown = [c for c in columns if c not in available]
    if unknown:
        raise ConfigError(f"unknown interaction column(s) {unknown}; the interactions have: "
                          f"{', '.join(available) or '(no metadata columns)'}", code="SA-C006")
    meta = inter.loc[:, ["interaction_id", *columns]].drop_duplicates("interaction_id")
    keep = in_scope(result.scores)
    scores = result.scores.loc[keep, ["interaction_id", *principles]]
    frame = scores.merge(meta, on="interaction_id", how="left", validate="one_to_one")
    frame.attrs["out_of_scope"] = int((~keep).sum())
    return frame


def group_codes(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group codes (0..k-1, sorted by key values, missing values last).

    Returns the code of every row and a frame with one row per group holding the
    key values and a ``group`` label (values joined by " / ").
    """
    combined = np.zeros(len(frame), dtype=np.int64)
    uniques_list = []
    for col in columns:
        codes, uniques = pd.factorize(frame[col], sort=True, use_na_sentinel=False)
        combined = combined * max(len(uniques), 1) + codes
        uniques_list.append(uniques)
    present, inverse = np.unique(combined, return_inverse=True)
    keys: dict[str, Any] = {}
    rest = present.copy()
    for col, uniques in zip(reversed(columns), reversed(uniques_list), strict=True):
        size = max(len(uniques), 1)
        keys[col] = uniques.take(rest % size)
        rest = rest // size
    table = pd.DataFrame({c: keys[c] for c in columns})
    table["group"] = [" / ".join(_label(v) for v in row)
                      for row in zip(*(table[c] for c in columns), strict=True)]
    return inverse.astype(np.int64), table


def _label(value: Any) -> str:
    return MISSING_LABEL if pd.isna(value) else str(value)


# --------------------------------------------------------------------------- bootstrap

def bootstrap_means(x: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``n_boot`` resamples of ``x`` (with replacement), vectorised in chunks.

    Examples
    --------
    >>> m = bootstrap_means(np.arange(10.0), 500, np.random.default_rng(0))
    >>> m.shape, bool(3.0 < m.mean() < 6.0)
    ((500,), True)
    """
    n = len(x)
    out = np.full(n_boot, np.nan)
    if n == 0:
        return out
    step = max(1, _CHUNK_ELEMENTS // n)
    for start in range(0, n_boot, step):
        stop = min(n_boot, start + step)
        idx = rng.integers(0, n, size=(stop - start, n))
        out[start:stop] = x[idx].mean(axis=1)
    return out


def percentile_interval(draws: np.ndarray, ci: float) -> tuple[float, float]:
    """The central ``ci`` percentile interval of bootstrap draws (NaN when none)."""
    draws = draws[~np.isnan(draws)]
    if len(draws) == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(draws, [(1 - ci) / 2, 1 - (1 - ci) / 2])
    return float(lo), float(hi)


# --------------------------------------------------------------------------- by

def by(
    result: Any,
    keys: str | Sequence[str],
    period: str | None = None,
    *,
    principles: str | Sequence[str] = SCORE_COLUMNS,
    n_boot: int = 1000,
    ci: float = 0.95,
    min_n: int = 30,
    seed: int = 0,
) -> pd.DataFrame:
    """Mean scores per group (and period) with bootstrap confidence intervals.

    Parameters
    ----------
    result
        A :class:`~serviceart.result.Result` with ``scores`` and ``interactions``.
    keys
        An interaction column (``"agent_id"``, ``"team"``, ``"segment"``...) or a
        list of them. Missing key values form their own group.
    period
        A pandas offset alias (``"D"``, ``"W"``, ``"M"``...) over ``started_at``
        (taken in UTC). Interactions without a start fall in a ``NaT`` period,
        reported as rows of their own and counted in ``table.attrs["undated"]``.
    principles
        Score columns to aggregate (default: the four principles and ``overall``).
    n_boot
        Bootstrap resamples per group and principle (0: no intervals).
    ci
        Confidence level of the intervals.
    min_n
        Groups with fewer scored interactions are flagged ``rankable=False``.
    seed
        Seed of the resampling; the same seed gives the same intervals.

    Returns
    -------
    pandas.DataFrame
        One row per group, period (only when ``period`` is given) and principle:
        the key columns, ``period``, ``principle``, ``n`` (interactions with a
        score for that principle; NaN scores are left out), ``mean``, ``ci_low``,
        ``ci_high`` (percentile bootstrap) and ``rankable``. The options are kept
        in ``table.attrs``, with ``out_of_scope``: the interactions left out
        because they are out of scope (no agent turn, not a service request).

    Examples
    --------
    >>> import serviceart as sa
    >>> res = sa.score(sa.read("data/samples"))
    >>> t = by(res, "team", principles="overall", n_boot=100, min_n=2)
    >>> print(t[["team", "n", "rankable"]].head(3).to_string(index=False))
             team  n  rankable
         accounts  1     False
          billing  3      True
    customer_care  1     False
    >>> weekly = by(res, "agent_id", period="W", principles="service", n_boot=0)
    >>> list(weekly.columns)
    ['agent_id', 'period', 'principle', 'n', 'mean', 'ci_low', 'ci_high', 'rankable']
    """
    key_list = as_keys(keys)
    cols = check_principles(result, principles)
    check_count("n_boot", n_boot, 0)
    check_count("min_n", min_n, 1)
    check_level("ci", ci)
    if period is not None and "period" in key_list:
        raise ConfigError("a group-by column is called 'period', which clashes with the "
                          "period column; rename it before grouping by period", code="SA-C007")
    frame = scored_frame(result, [*key_list, *(["started_at"] if period else [])], cols)
    group_cols = list(key_list)
    undated = 0
    if period is not None:
        frame["period"] = _periods(frame["started_at"], period)
        undated = int(frame["period"].isna().sum())
        group_cols.append("period")
    codes, groups = group_codes(frame, group_cols)
    rng = np.random.default_rng(seed)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(groups) + 1))
    values = {p: frame[p].to_numpy(dtype=float, na_value=np.nan) for p in cols}
    rows: dict[str, list[Any]] = {k: [] for k in ("g", "principle", "n", "mean", "lo", "hi")}
    for g in range(len(groups)):
        idx = order[bounds[g]:bounds[g + 1]]
        for p in cols:
            x = values[p][idx]
            x = x[~np.isnan(x)]
            lo, hi = percentile_interval(bootstrap_means(x, n_boot, rng), ci)
            for k, v in (("g", g), ("principle", p), ("n", len(x)),
                         ("mean", x.mean() if len(x) else np.nan), ("lo", lo), ("hi", hi)):
                rows[k].append(v)
    take = np.asarray(rows["g"], dtype=np.int64)
    out = groups.drop(columns="group").iloc[take].reset_index(drop=True)
    out["principle"] = pd.Series(rows["principle"], dtype="string")
    out["n"] = np.asarray(rows["n"], dtype=np.int64)
    out["mean"] = np.asarray(rows["mean"], dtype=float)
    out["ci_low"] = np.asarray(rows["lo"], dtype=float)
    out["ci_high"] = np.asarray(rows["hi"], dtype=float)
    out["rankable"] = out["n"] >= min_n
    out.attrs.update({"keys": key_list, "period": period, "ci": ci, "n_boot": n_boot,
                      "min_n": min_n, "seed": seed, "undated": undated,
                      "out_of_scope": frame.attrs["out_of_scope"]})
    return out


def _periods(started: pd.Series, period: str) -> pd.Series:
    alias = {"ME": "M", "QE": "Q", "YE": "Y"}.get(period, period)
    when = pd.to_datetime(started, utc=True).dt.tz_localize(None)
    try:
        return when.dt.to_period(alias)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"unknown period {period!r}; use a pandas period alias such as "
                          "'D' (day), 'W' (week), 'M' (month), 'Q' or 'Y'", code="SA-C008") from exc


# --------------------------------------------------------------------------- rank

def rank(table: pd.DataFrame, principle: str, *, min_n: int | None = None) -> pd.DataFrame:
    """Order the groups of one principle, marking ties instead of hiding them.

    Groups are ordered by mean score (higher is better). Groups whose confidence
    intervals overlap share a rank tier, and so does every group between them in
    the order (tiers are the connected runs of overlapping intervals): two groups
    with different ranks never have overlapping intervals. Groups under ``min_n``
    are listed last, unranked. Within a period (when the table has one) groups
    are ranked separately.

    Parameters
    ----------
    table
        A table from :func:`by`.
    principle
        The score column to rank on.
    min_n
        Minimum ``n`` to be ranked (default: the ``rankable`` flag of ``by``).

    Returns
    -------
    pandas.DataFrame
        The table's rows for that principle, ordered, with ``rank`` (shared by a
        tier; missing when not ranked), ``tied`` (the rank is shared),
        ``overlaps`` (the other ranked groups whose interval overlaps this one's)
        and ``note`` (why a group is tied or not ranked, in words).

    Examples
    --------
    >>> t = pd.DataFrame({"team": ["a", "b", "c", "d"], "principle": "service",
    ...                   "n": [50, 50, 50, 5], "mean": [80.0, 78.0, 60.0, 95.0],
    ...                   "ci_low": [76.0, 74.0, 56.0, 70.0],
    ...                   "ci_high": [84.0, 82.0, 64.0, 100.0],
    ...                   "rankable": [True, True, True, False]})
    >>> r = rank(t, "service")
    >>> print(r[["team", "rank", "tied"]].to_string(index=False))
    team  rank  tied
       a     1  True
       b     1  True
       c     2 False
       d  <NA> False
    >>> r["overlaps"].tolist(), r["note"].iloc[3]
    (['b', 'a', '', ''], 'not ranked: n=5 is too small (rankable is False)')
    """
    needed = {"principle", "n", "mean", "ci_low", "ci_high"}
    if not needed <= set(table.columns):
        raise ConfigError("rank() needs a table from by() with columns "
                          f"{sorted(needed)}; got {list(table.columns)}", code="SA-C009")
    present = list(pd.unique(table["principle"].astype(str)))
    if principle not in present:
        raise ConfigError(f"the table has no principle {principle!r}; it has: "
                          f"{', '.join(present)}", code="SA-C010")
    keys = list(table.attrs.get("keys") or
                [c for c in table.columns[:list(table.columns).index("principle")]
                 if c != "period"])
    sub = table[table["principle"].astype(str) == principle].reset_index(drop=True)
    threshold = min_n if min_n is not None else table.attrs.get("min_n")
    if threshold is not None:
        ok = sub["n"].to_numpy() >= threshold
    elif "rankable" in sub.columns:
        ok = sub["rankable"].to_numpy(dtype=bool)
    else:
        ok = np.ones(len(sub), dtype=bool)
    ok = ok & sub["mean"].notna().to_numpy()
    labels = [" / ".join(_label(v) for v in row)
              for row in zip(*(sub[k] for k in keys), strict=True)] if keys else \
        [str(i) for i in range(len(sub))]
    blocks = (sub.groupby("period", dropna=False, sort=True).indices.values()
              if "period" in sub.columns else [np.arange(len(sub))])
    rank_col = pd.array([pd.NA] * len(sub), dtype="Int64")
    tied = np.zeros(len(sub), dtype=bool)
    overlaps = [""] * len(sub)
    notes = [""] * len(sub)
    position = np.full(len(sub), np.inf)
    for block in blocks:
        _rank_block(sub, np.asarray(block), ok, labels, threshold,
                    rank_col, tied, overlaps, notes, position)
    out = sub.assign(rank=rank_col, tied=tied,
                     overlaps=pd.Series(overlaps, dtype="string"),
                     note=pd.Series(notes, dtype="string"), _pos=position)
    order = ["period", "_pos"] if "period" in out.columns else ["_pos"]
    out = out.sort_values(order, kind="stable", na_position="last")
    return out.drop(columns="_pos").reset_index(drop=True)


def _rank_block(sub: pd.DataFrame, block: np.ndarray, ok: np.ndarray, labels: list[str],
                threshold: int | None, rank_col: Any, tied: np.ndarray, overlaps: list[str],
                notes: list[str], position: np.ndarray) -> None:
    mean = sub["mean"].to_numpy(dtype=float)
    lo = sub["ci_low"].to_numpy(dtype=float)
    hi = sub["ci_high"].to_numpy(dtype=float)
    ranked = [i for i in block if ok[i]]
    ranked.sort(key=lambda i: (-mean[i], labels[i]))
    # tiers are the connected groups of overlapping intervals: whenever a group
    # overlaps an earlier one, every group between them joins one tier, so groups
    # with different ranks never have overlapping intervals
    tier_at: list[int] = []
    for pos, i in enumerate(ranked):
        prev = np.asarray(ranked[:pos], dtype=np.int64)
        hit = np.flatnonzero((lo[prev] <= hi[i]) & (lo[i] <= hi[prev]))
        if len(hit):
            first = int(hit[0])
            tier_at[first:pos] = [tier_at[first]] * (pos - first)
            tier_at.append(tier_at[first])
        else:
            tier_at.append(tier_at[-1] + 1 if tier_at else 1)
    dense = {t: k + 1 for k, t in enumerate(dict.fromkeys(tier_at))}
    tiers: dict[int, list[int]] = {}
    for pos, i in enumerate(ranked):
        rank_col[i] = dense[tier_at[pos]]
        tiers.setdefault(dense[tier_at[pos]], []).append(i)
        position[i] = pos
    r = np.asarray(ranked, dtype=np.int64)
    touching = (lo[r][:, None] <= hi[r][None, :]) & (lo[r][None, :] <= hi[r][:, None])
    np.fill_diagonal(touching, False)
    for a, i in enumerate(ranked):
        others = [labels[j] for j in r[touching[a]]]
        overlaps[i] = ", ".join(others)
        mates = [labels[j] for j in tiers[int(rank_col[i])] if j != i]
        tied[i] = bool(mates)
        if mates:
            named = ", ".join(mates[:4]) + (f" and {len(mates) - 4} more" if len(mates) > 4
                                             else "")
            notes[i] = (f"shares rank {rank_col[i]} with {named}: "
                        "their intervals overlap, the data cannot order them")
        elif np.isnan(lo[i]):
            notes[i] = "no confidence interval (n_boot=0): ranked on the mean alone"
    rest = sorted((i for i in block if not ok[i]),
                  key=lambda i: (np.isnan(mean[i]), -np.nan_to_num(mean[i]), labels[i]))
    for k, i in enumerate(rest):
        position[i] = len(ranked) + k
        n = int(sub["n"].iloc[i])
        notes[i] = (f"not ranked: n={n} is under min_n={threshold}" if threshold is not None
                    and n < threshold else f"not ranked: n={n} is too small (rankable is False)"
                    if n > 0 and not np.isnan(mean[i]) else "not ranked: no score")
