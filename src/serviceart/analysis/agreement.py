"""Agreement with reviewers: how serviceart's scores and human QA scores agree.

:func:`agreement` compares a scored run with reviewers' scores of some of its
interactions, for every pair of raters: serviceart against each reviewer,
serviceart against the reviewers' mean (with two or more reviewers), and each
pair of reviewers (a calibration session). It lists the conversations where
serviceart and the reviewers differ most, worst first, with the criterion that
cost serviceart's score the most points and its evidence.

The reviews table
-----------------
Long form, one row per interaction and reviewer (a CSV or Parquet file, or a
DataFrame)::

    interaction_id, reviewer, respect, service, integrity, follow_through, overall
    call-0001,      ana,      80,      60,      100,       ,               75

- ``interaction_id`` (``on=``) names a scored interaction; ids are compared as text.
- ``reviewer`` (``reviewer=``) names the reviewer. A table without that column
  is one reviewer's (one row per interaction), named ``reviewer``. A wide
  table (one column per reviewer) is turned long with :meth:`pandas.DataFrame.melt`.
- Score columns: any of the principles and ``overall``, and optionally rubric
  criteria, named ``<principle>.<criterion>`` (``respect.no_disrespect``) or by
  the criterion's name alone when no other principle has one of that name. An
  empty cell is "not rated" (N/A). Other columns (notes...) are ignored and
  listed in the report's notes.
- Scores are on 0..100, or on the scale given by ``scale=(lo, hi)`` (``(1, 5)``
  for a five-point form), mapped onto 0..100 as :func:`serviceart.calibrate`
  does; a mapping ``{column: (lo, hi)}`` gives a column its own scale (a
  criterion scored yes/no is ``(0, 1)``). serviceart's criterion values (0..1)
  are compared on 0..100 too.

Statistics
----------
Per principle (and ``overall``), and per criterion when the reviews have
criterion columns, for each pair of raters, over the interactions both rated
(an out-of-scope interaction, which serviceart does not score, or an N/A cell
leaves that pair's row out):

- ``n``: the interactions compared;
- ``rho``: Spearman's rank correlation (:func:`scipy.stats.spearmanr`), with a
  95% interval from Fisher's z with the Bonett-Wright variance
  ``(1 + rho**2 / 2) / (n - 3)`` (NaN when ``n < 4``);
- ``kappa``: Cohen's kappa with quadratic weights
  (:func:`sklearn.metrics.cohen_kappa_score`) on the rubric's bands of that
  principle (a criterion uses its principle's bands; without bands ``meets >=
  80``, ``coaching >= 60``, ``fails``), so one band apart costs less than two;
- ``mae``: the mean absolute difference in points (0..100).

Rho and kappa are NaN when a side is constant (kappa: when both sides fall in
one band), as :func:`serviceart.calibrate` reports them.

Examples
--------
>>> import pandas as pd
>>> import serviceart as sa
>>> res = sa.score(sa.read("data/samples/calls.csv"))
>>> ids = res.scores.loc[res.scores["overall"].notna(), "interaction_id"].tolist()
>>> own = res.scores.set_index("interaction_id").loc[ids, "overall"]
>>> reviews = pd.DataFrame({"interaction_id": ids, "reviewer": "ana", "overall": own.to_numpy()})
>>> rep = agreement(res, reviews)
>>> row = rep.principles.iloc[0]
>>> row["a"], row["b"], int(row["n"]), float(row["mae"])
('serviceart', 'ana', 5, 0.0)
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..codebook import CUES, PRINCIPLES
from ..errors import ConfigError, FormatError, InputError, OutputError
from ..result import Result
from ..rubric.core import Rubric
from ..views.explain import _BEHIND, _names
from .calibrate import DEFAULT_BANDS, _agreement, _rescale

__all__ = ["SERVICEART", "AgreementReport", "UnmatchedReviewsWarning", "agreement",
           "agreement_command", "read_reviews"]

SERVICEART = "serviceart"
"""The rater name of serviceart's own scores in the tables."""
MEAN = "reviewers (mean)"
"""The rater name of the reviewers' mean score (with two or more reviewers)."""
LEVEL = 0.95
"""Coverage of the rho interval."""

_KEYS: tuple[str, ...] = (*PRINCIPLES, "overall")
_SHOW = 5
_COLUMNS = ("key", "a", "b", "n", "rho", "rho_low", "rho_high", "kappa", "mae")
_DISAGREEMENT_COLUMNS = ("interaction_id", "key", "serviceart", "reviewers", "diff",
                         "reviewer", "reviewer_score", "criterion", "points_lost",
                         "evidence")


class UnmatchedReviewsWarning(UserWarning):
    """Some reviews name interactions the run does not have; agreement is on the rest."""


# -- the report ----------------------------------------------------------------------
@dataclass(frozen=True)
class AgreementReport:
    """What :func:`agreement` found.

    Attributes
    ----------
    principles
        One row per principle (and ``overall``) and pair of raters: ``key``
        (the principle), ``a``, ``b`` (``serviceart``, a reviewer, or
        ``reviewers (mean)``), ``n``, ``rho``, ``rho_low``, ``rho_high``,
        ``kappa``, ``mae``. Pairs with serviceart come first.
    criteria
        The same for the criteria the reviews score (``key`` is
        ``principle.criterion``); empty when they score none.
    disagreements
        The interactions and principles where serviceart and the reviewers'
        mean differ most, worst first: ``interaction_id``, ``key``,
        ``serviceart``, ``reviewers`` (their mean), ``diff`` (serviceart minus
        the mean), ``reviewer`` and ``reviewer_score`` (the reviewer furthest
        from serviceart), and serviceart's top evidence: ``criterion`` (the
        one that lost the most points, ``principle.criterion``),
        ``points_lost`` and ``evidence`` (``turn <k>: <the cue's words>``, empty
        when no cue is behind it).
    reviewers
        The reviewers, sorted.
    n_reviews
        Rows of the reviews table.
    n_matched
        Rows naming an interaction of the run.
    unmatched_ids
        Ids named by the reviews that the run does not have.
    out_of_scope_ids
        Reviewed interactions that serviceart did not score (out of scope).
    scale
        The reviews' scale per score column, ``(lo, hi)``.
    notes
        What else a reader should know (ignored columns, unmatched ids).
    """

    principles: pd.DataFrame
    criteria: pd.DataFrame
    disagreements: pd.DataFrame
    reviewers: tuple[str, ...]
    n_reviews: int
    n_matched: int
    unmatched_ids: tuple[str, ...] = ()
    out_of_scope_ids: tuple[str, ...] = ()
    scale: Mapping[str, tuple[float, float]] | None = None
    notes: tuple[str, ...] = ()

    def table(self, by: str = "principle") -> pd.DataFrame:
        """The agreement table ``by`` ``"principle"`` or ``"criterion"``."""
        if by == "principle":
            return self.principles
        if by == "criterion":
            return self.criteria
        raise ConfigError(f"by must be 'principle' or 'criterion', got {by!r}",
                          code="SA-C291")

    def _summary(self) -> list[str]:
        lines = [f"agreement on {self.n_matched} of {self.n_reviews} review rows, reviewers: "
                 + ", ".join(self.reviewers)
                 + f"; rho with a {LEVEL:.0%} interval, kappa quadratic on bands, "
                 "MAE in points 0..100"]
        lines += [f"note: {n}" for n in self.notes]
        return lines

    def format(self, *, by: str = "principle", show: int = 10) -> str:
        """The report as plain text: the agreement table and the worst ``show``
        disagreements."""
        table = self.table(by)
        width = max([len("key"), *(len(str(k)) for k in table["key"])])
        rw = max([len("a"), *(len(str(x)) for x in (*table["a"], *table["b"]))])
        lines = [*self._summary(), "",
                 f"{'key':<{width}}  {'a':<{rw}}  {'b':<{rw}}  {'n':>4}  {'rho':>6}  "
                 f"{'interval':<15}  {'kappa':>6}  {'MAE':>5}"]
        for r in table.to_dict("records"):
            low, high = float(r["rho_low"]), float(r["rho_high"])
            interval = f"[{low:+.2f}, {high:+.2f}]" if math.isfinite(low) else "n/a"
            lines.append(f"{r['key']!s:<{width}}  {r['a']!s:<{rw}}  {r['b']!s:<{rw}}  "
                         f"{int(r['n']):>4}  {_num(float(r['rho']), '+6.2f')}  {interval:<15}  "
                         f"{_num(float(r['kappa']), '6.2f')}  {_num(float(r['mae']), '5.1f')}")
        if table.empty:
            lines.append(f"(no {by} scores in the reviews)")
        worst = self.disagreements.head(show)
        if show > 0 and len(worst):
            lines += ["", f"worst {len(worst)} disagreements (serviceart minus the reviewers' "
                          "mean):"]
            for d in worst.to_dict("records"):
                lines.append(f"{d['interaction_id']}  {d['key']}: serviceart "
                             f"{d['serviceart']:.0f}, reviewers {d['reviewers']:.0f} "
                             f"({d['diff']:+.0f}); furthest {d['reviewer']} "
                             f"{d['reviewer_score']:.0f}")
                if isinstance(d["criterion"], str) and d["criterion"]:
                    ev = f"; {d['evidence']}" if isinstance(d["evidence"], str) and \
                        d["evidence"] else ""
                    lines.append(f"    lost most: {d['criterion']} "
                                 f"(-{float(d['points_lost']):.1f} points){ev}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()

    def __repr__(self) -> str:
        return (f"<AgreementReport: {self.n_matched} review rows, "
                f"{len(self.reviewers)} reviewers, {len(self.principles)} principle rows, "
                f"{len(self.criteria)} criterion rows>")

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in self._summary())
        parts = [f"<div><ul>{items}</ul>",
                 self.principles.to_html(index=False, float_format=lambda x: f"{x:.3f}")]
        if len(self.criteria):
            parts.append(self.criteria.to_html(index=False,
                                               float_format=lambda x: f"{x:.3f}"))
        parts.append(self.disagreements.head(20).to_html(
            index=False, float_format=lambda x: f"{x:.1f}"))
        return "".join(parts) + "</div>"


def _num(x: float, spec: str) -> str:
    width = int(spec.lstrip("+").split(".")[0])
    return format(x, spec) if math.isfinite(x) else f"{'n/a':>{width}}"


# -- reading -------------------------------------------------------------------------
def read_reviews(path: str | Path, *, on: str = "interaction_id",
                 reviewer: str = "reviewer") -> pd.DataFrame:
    """Read a reviews table from a CSV or Parquet file.

    Parameters
    ----------
    path
        A ``.csv`` or ``.parquet`` file (see the module docstring for its layout).
    on, reviewer
        The id and reviewer columns, read from CSV as text (``007`` stays ``007``).

    Returns
    -------
    pandas.DataFrame
        The table as stored; ids and reviewer names are read as text.

    Raises
    ------
    InputError
        When the file does not exist.
    FormatError
        When it is neither CSV nor Parquet, or cannot be parsed.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"reviews file {p} not found: give the path of a CSV or Parquet "
                         "file of reviewers' scores", source=str(p), code="SA-I297")
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        raise FormatError(f"reviews file {p} is not .csv or .parquet; save the reviewers' "
                          "scores as CSV (one row per interaction and reviewer)",
                          source=str(p), code="SA-F191")
    try:
        if suffix == ".csv":
            return pd.read_csv(p, dtype={on: "string", reviewer: "string"},
                               encoding="utf-8-sig")
        return pd.read_parquet(p)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise FormatError(f"reviews file {p} cannot be read as {suffix[1:]}: {exc}; save it "
                          "again as UTF-8 CSV or Parquet", source=str(p),
                          code="SA-F190") from exc


def _frame(reviews: pd.DataFrame | str | Path, on: str, reviewer: str
           ) -> tuple[pd.DataFrame, str | None]:
    """The reviews table and its file (``None`` for a DataFrame)."""
    if isinstance(reviews, pd.DataFrame):
        return reviews, None
    if isinstance(reviews, (str, Path)):
        return read_reviews(reviews, on=on, reviewer=reviewer), str(reviews)
    raise ConfigError("reviews must be a pandas DataFrame or the path of a CSV or Parquet "
                      f"file, got {type(reviews).__name__}", code="SA-C294")


def _criterion_names(contrib: pd.DataFrame) -> dict[str, str]:
    """Accepted column name -> ``principle.criterion``, for the run's criteria."""
    if contrib.empty:
        return {}
    pairs = contrib[["principle", "criterion"]].astype(str).drop_duplicates()
    full = (pairs["principle"] + "." + pairs["criterion"]).tolist()
    names = dict(zip(full, full, strict=True))
    counts = pairs["criterion"].value_counts()
    for p, c in zip(pairs["principle"], pairs["criterion"], strict=True):
        if counts[c] == 1 and c not in _KEYS:
            names[c] = f"{p}.{c}"
    return names


def _scale_of(scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None,
              column: str) -> tuple[float, float] | None:
    sc = scale.get(column) if isinstance(scale, Mapping) else scale
    if sc is None:
        return None
    try:
        lo, hi = float(sc[0]), float(sc[1])
    except (TypeError, ValueError, IndexError) as exc:
        raise ConfigError(f"scale for {column!r} must be (lo, hi), got {sc!r}",
                          code="SA-C290") from exc
    if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo) or len(sc) != 2:
        raise ConfigError(f"scale for {column!r} must be (lo, hi) with lo < hi, got {sc!r}",
                          code="SA-C292")
    return lo, hi


def _points(frame: pd.DataFrame, column: str, ids: pd.Series, source: str | None,
            scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None
            ) -> np.ndarray:
    """A score column as points 0..100 (NaN: not rated), checked."""
    raw = frame[column]
    num = pd.to_numeric(raw, errors="coerce")
    text = raw.astype("string").str.strip()
    bad = (raw.notna() & (text != "") & num.isna()).to_numpy(dtype=bool)
    if bad.any():
        shown = [f"{i} ({v!r})" for i, v in zip(ids[bad][:_SHOW], raw[bad][:_SHOW], strict=True)]
        raise InputError(f"{int(bad.sum())} review score(s) in column {column!r} are not "
                         f"numbers, e.g. for {', '.join(shown)}; leave a cell empty for "
                         "'not rated', otherwise write a number", source=source,
                         field=column, code="SA-I292")
    sc = _scale_of(scale, column)
    try:
        return _rescale(num, column, sc)
    except InputError as exc:
        x = num.to_numpy(dtype="float64", na_value=np.nan)
        lo, hi = sc if sc is not None else (0.0, 100.0)
        off = (x < lo) | (x > hi)
        if off.any():
            shown = [f"{i} ({v:g})" for i, v in zip(ids[off][:_SHOW], x[off][:_SHOW],
                                                      strict=True)]
            raise InputError(f"{int(off.sum())} review score(s) in column {column!r} are "
                             f"outside {lo:g}..{hi:g}, e.g. for {', '.join(shown)}; fix them, "
                             "or give the reviews' scale (scale=(lo, hi), --scale LO,HI)",
                             source=source, field=column, code="SA-I293") from exc
        said = exc.message.replace("pass scale", "give scale").replace("human", "review")
        raise InputError(f"{said} (on the command line --scale LO,HI)", source=source, field=column,
                         code="SA-I294") from exc


def _unambiguous(columns: Mapping[str, str], names: pd.Series, source: str | None) -> None:
    """Refuse two columns scoring one key, and reviewers named like serviceart's rows."""
    problems = []
    keys = list(columns.values())
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        cols = [c for c, k in columns.items() if k == key]
        problems.append(f"columns {cols} both score {key}: keep one")
    reserved = sorted({SERVICEART, MEAN} & set(names.dropna()))
    if reserved:
        problems.append(f"reviewer name(s) {reserved} are reserved for serviceart's own "
                        "scores: rename the reviewer")
    if problems:
        raise InputError("the reviews are ambiguous: " + "; ".join(problems), source=source,
                         code="SA-I298")


@dataclass(frozen=True)
class _Reviews:
    """The reviews matched to the run: long, points 0..100."""

    #: interaction_id, rater, key, points (only the rated cells of matched rows)
    long: pd.DataFrame
    reviewers: tuple[str, ...]
    keys: tuple[str, ...]
    unmatched: tuple[str, ...]
    n_rows: int
    n_matched: int
    scale: dict[str, tuple[float, float]]
    notes: tuple[str, ...]


def _reviews(frame: pd.DataFrame, source: str | None, res: Result, on: str, reviewer: str,
             scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None
             ) -> _Reviews:
    """Check the reviews table and match it to the run."""
    if on not in frame.columns:
        raise InputError(f"the reviews have no id column {on!r} (columns: {list(frame.columns)}); "
                         "name the column of interaction ids interaction_id, or pass on=",
                         source=source, code="SA-I290")
    crit_names = _criterion_names(res.contributions)
    columns: dict[str, str] = {}
    ignored: list[str] = []
    for col in frame.columns:
        if col in (on, reviewer):
            continue
        key = str(col) if str(col) in _KEYS else crit_names.get(str(col))
        if key is None:
            ignored.append(str(col))
        else:
            columns[str(col)] = key
    if not columns:
        raise InputError(f"the reviews have no score column: expected some of {list(_KEYS)} "
                         "or criteria such as "
                         f"{sorted(crit_names)[:3] or ['respect.no_disrespect']} "
                         f"(columns: {list(frame.columns)})", source=source, code="SA-I291")
    ids = frame[on].astype("string").str.strip()
    names = (frame[reviewer].astype("string").str.strip() if reviewer in frame.columns
             else pd.Series("reviewer", index=frame.index, dtype="string"))
    missing = (ids.isna() | (ids == "") | names.isna() | (names == "")).to_numpy(dtype=bool)
    if missing.any():
        rows = [int(k) for k in np.flatnonzero(missing)[:_SHOW]]
        raise InputError(f"{int(missing.sum())} review row(s) lack an interaction id or "
                         f"a reviewer, e.g. rows {rows} (counting from 0); fill them in or "
                         "drop them", source=source, code="SA-I295")
    _unambiguous(columns, names, source)
    pair = ids + "\x1f" + names
    dup = pair.duplicated(keep=False).to_numpy(dtype=bool)
    if dup.any():
        shown = sorted({f"{i} by {n}" for i, n in zip(ids[dup], names[dup], strict=True)})
        raise InputError(f"{int(dup.sum())} review rows repeat an interaction for the "
                         f"same reviewer, e.g. {shown[:_SHOW]}; keep one row per interaction "
                         "and reviewer (a table without a reviewer column is one reviewer's)",
                         source=source, code="SA-I296")
    points = {key: _points(frame, col, ids, source, scale) for col, key in columns.items()}
    used = {col: _scale_of(scale, col) or (0.0, 100.0) for col in columns}
    known = ids.isin(set(res.scores["interaction_id"].astype(str))).to_numpy(dtype=bool)
    unmatched = tuple(sorted(set(ids[~known])))
    if not known.any():
        run_ids = res.scores["interaction_id"].astype(str).head(_SHOW).tolist()
        raise InputError(f"none of the {len(frame)} review rows names an interaction of "
                         f"this run (reviews name e.g. {list(unmatched[:_SHOW])}; the run has "
                         f"e.g. {run_ids}); check that both come from the same export and "
                         "that the ids are written the same way", source=source,
                         code="SA-I299")
    long = pd.DataFrame({
        "interaction_id": np.tile(ids.to_numpy(dtype=object)[known], len(points)),
        "rater": np.tile(names.to_numpy(dtype=object)[known], len(points)),
        "key": np.repeat(list(points), int(known.sum())),
        "points": np.concatenate([p[known] for p in points.values()]),
    }).dropna(subset=["points"]).reset_index(drop=True)
    notes = []
    if unmatched:
        notes.append(f"{int((~known).sum())} review rows name {len(unmatched)} interactions "
                     f"this run does not have (e.g. {', '.join(unmatched[:_SHOW])}); agreement "
                     f"is on the {int(known.sum())} rows that overlap")
    if ignored:
        notes.append(f"columns ignored (not a principle, overall or a criterion of the run): "
                     f"{', '.join(ignored)}")
    return _Reviews(long=long, reviewers=tuple(sorted(set(names[known]))),
                    keys=tuple(dict.fromkeys(columns.values())), unmatched=unmatched,
                    n_rows=len(frame), n_matched=int(known.sum()), scale=used,
                    notes=tuple(notes))


# -- serviceart's side ---------------------------------------------------------------
def _own_points(res: Result, keys: Sequence[str]) -> pd.DataFrame:
    """serviceart's points for the keys: interaction_id, key, points (NaN dropped)."""
    frames = []
    scores = res.scores.assign(interaction_id=res.scores["interaction_id"].astype(str))
    for key in (k for k in keys if k in _KEYS):
        frames.append(pd.DataFrame({"interaction_id": scores["interaction_id"], "key": key,
                                    "points": scores[key].to_numpy("float64", na_value=np.nan)}))
    crit = [k for k in keys if k not in _KEYS]
    if crit and not res.contributions.empty:
        c = res.contributions
        ckey = c["principle"].astype(str) + "." + c["criterion"].astype(str)
        sel = ckey.isin(crit).to_numpy(dtype=bool)
        value = c["value"].to_numpy("float64", na_value=np.nan)
        applied = c["applied"].to_numpy(dtype=bool)
        frames.append(pd.DataFrame({
            "interaction_id": c["interaction_id"].astype(str)[sel].to_numpy(dtype=object),
            "key": ckey[sel].to_numpy(dtype=object),
            "points": np.where(applied, 100.0 * value, np.nan)[sel]}))
    own = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["interaction_id", "key", "points"])
    return own.assign(rater=SERVICEART).dropna(subset=["points"])


def _thresholds(rubric: Rubric | None, key: str) -> tuple[float, ...]:
    """Descending band thresholds of a key (a criterion uses its principle's)."""
    principle = key.split(".", 1)[0]
    if rubric is not None:
        mins = sorted({float(b.min) for b in rubric.bands_for(principle)}, reverse=True)
        mins = [m for m in mins if m > 0]
        if mins:
            return tuple(mins)
    return DEFAULT_BANDS


def _interval(rho: float, n: int) -> tuple[float, float]:
    """Fisher-z interval of Spearman's rho (Bonett-Wright variance)."""
    if not math.isfinite(rho) or n < 4:
        return np.nan, np.nan
    if abs(rho) >= 1.0:
        return rho, rho
    se = math.sqrt((1.0 + rho * rho / 2.0) / (n - 3))
    z = math.atanh(rho)
    q = float(norm.ppf(0.5 + LEVEL / 2))
    return math.tanh(z - q * se), math.tanh(z + q * se)


def _pairs(raters: Sequence[str]) -> list[tuple[str, str]]:
    """serviceart with each reviewer and the mean, then each pair of reviewers."""
    reviewers = [r for r in raters if r not in (SERVICEART, MEAN)]
    out = [(SERVICEART, r) for r in reviewers]
    if MEAN in raters:
        out.append((SERVICEART, MEAN))
    return out + list(combinations(reviewers, 2))


def _table(points: pd.DataFrame, keys: Sequence[str], raters: Sequence[str],
           rubric: Rubric | None) -> pd.DataFrame:
    """One agreement row per key and pair of raters."""
    rows = []
    for key in keys:
        wide = (points[points["key"] == key]
                .pivot(index="interaction_id", columns="rater", values="points")
                .reindex(columns=list(raters)))
        bands = _thresholds(rubric, key)
        for a, b in _pairs(raters):
            x = wide[a].to_numpy("float64", na_value=np.nan)
            y = wide[b].to_numpy("float64", na_value=np.nan)
            n, rho, kappa, mae = _agreement(x, y, bands)
            low, high = _interval(rho, n)
            rows.append({"key": key, "a": a, "b": b, "n": n, "rho": rho, "rho_low": low,
                         "rho_high": high, "kappa": kappa, "mae": mae})
    frame = pd.DataFrame(rows, columns=list(_COLUMNS))
    return frame.astype({"key": "string", "a": "string", "b": "string", "n": "int64",
                         **{c: "float64" for c in _COLUMNS[4:]}})


# -- disagreements -------------------------------------------------------------------
def _disagreements(points: pd.DataFrame, keys: Sequence[str], res: Result,
                   rubric: Rubric | None, top: int | None) -> pd.DataFrame:
    """The (interaction, principle) cells furthest from the reviewers, worst first."""
    keys = [k for k in keys if k in _KEYS]
    own = points[(points["rater"] == SERVICEART) & points["key"].isin(keys)]
    human = points[~points["rater"].isin([SERVICEART, MEAN]) & points["key"].isin(keys)]
    cell = ["interaction_id", "key"]
    both = human.merge(own[[*cell, "points"]], on=cell, suffixes=("", "_own"))
    if both.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in (
            "serviceart", "reviewers", "diff", "reviewer_score", "points_lost") else "string")
            for c in _DISAGREEMENT_COLUMNS})
    both["gap"] = (both["points"] - both["points_own"]).abs()
    furthest = (both.sort_values([*cell, "gap", "rater"], ascending=[True, True, False, True],
                                 kind="stable")
                .drop_duplicates(cell)[[*cell, "rater", "points"]]
                .rename(columns={"rater": "reviewer", "points": "reviewer_score"}))
    mean = both.groupby(cell, as_index=False).agg(serviceart=("points_own", "first"),
                                                  reviewers=("points", "mean"))
    table = mean.merge(furthest, on=cell)
    table["diff"] = table["serviceart"] - table["reviewers"]
    table["_abs"] = table["diff"].abs()
    table = table.sort_values(["_abs", "interaction_id", "key"], ascending=[False, True, True],
                              kind="stable").drop(columns="_abs")
    if top is not None:
        table = table.head(top)
    table = table.reset_index(drop=True)
    crit, lost, evidence = _top_evidence(res, table, rubric)
    table["criterion"] = crit.to_numpy()
    table["points_lost"] = lost.to_numpy()
    table["evidence"] = evidence.to_numpy()
    return table.loc[:, list(_DISAGREEMENT_COLUMNS)].astype(
        {"interaction_id": "string", "key": "string", "reviewer": "string",
         "criterion": "string", "evidence": "string"})


def _links(rubric: Rubric | None) -> pd.DataFrame:
    """``principle, criterion, cue``: the cues behind each criterion's expressions (the
    scorecard's links, :func:`serviceart.views.explain.explain`)."""
    rows = []
    for c in rubric.criteria if rubric is not None else ():
        for n in sorted(_names(c.value) | _names(c.applies)):
            cue = n if n in CUES else _BEHIND.get(n)
            if cue is not None:
                rows.append({"principle": c.principle, "criterion": c.name, "cue": cue})
    return pd.DataFrame(rows, columns=["principle", "criterion", "cue"]).drop_duplicates()


def _top_evidence(res: Result, table: pd.DataFrame, rubric: Rubric | None
                  ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """For each row: the criterion that lost the most points (``principle.criterion``),
    the points, and the first evidence of a cue behind it (``turn k: cue "words"``)."""
    n = len(table)
    empty = (pd.Series([pd.NA] * n, dtype="string"), pd.Series(np.full(n, np.nan)),
             pd.Series([""] * n, dtype="string"))
    c = res.contributions
    if c.empty or n == 0:
        return empty
    ids = set(table["interaction_id"])
    c = c[c["interaction_id"].astype(str).isin(ids) & (c["points_lost"] > 0)]
    c = c.assign(interaction_id=c["interaction_id"].astype(str),
                 principle=c["principle"].astype(str), criterion=c["criterion"].astype(str))
    c = c.sort_values(["points_lost", "principle", "criterion"],
                      ascending=[False, True, True], kind="stable")
    per_key = c.drop_duplicates(["interaction_id", "principle"]).rename(
        columns={"principle": "key"})
    overall = c.drop_duplicates("interaction_id").assign(key="overall")
    best = pd.concat([per_key.assign(_p=per_key["key"]),
                      overall.assign(_p=overall["principle"])], ignore_index=True)
    best = best[["interaction_id", "key", "_p", "criterion", "points_lost"]]
    rows = table[["interaction_id", "key"]].astype(str).merge(best, on=["interaction_id", "key"],
                                                              how="left")
    ev = res.evidence
    if ev.empty:
        snippet = pd.Series([""] * n, dtype="string")
    else:
        ev = ev[ev["interaction_id"].astype(str).isin(ids)]
        ev = ev.assign(interaction_id=ev["interaction_id"].astype(str),
                       cue=ev["cue"].astype(str)).sort_values(
            ["interaction_id", "turn_index", "start_char"], kind="stable")
        behind = (rows.reset_index()
                  .merge(_links(rubric), left_on=["_p", "criterion"],
                         right_on=["principle", "criterion"])
                  .merge(ev[["interaction_id", "turn_index", "cue", "text"]],
                         on=["interaction_id", "cue"])
                  .sort_values(["index", "turn_index"], kind="stable")
                  .drop_duplicates("index").set_index("index"))
        text = ("turn " + behind["turn_index"].astype(str) + ": " + behind["cue"] + ' "'
                + behind["text"].astype(str) + '"')
        snippet = text.reindex(range(n)).fillna("").astype("string")
    crit = (rows["_p"] + "." + rows["criterion"]).astype("string")
    return crit, rows["points_lost"].astype("float64"), snippet


# -- the function --------------------------------------------------------------------
def agreement(
    res: Result,
    reviews: pd.DataFrame | str | Path,
    *,
    on: str = "interaction_id",
    reviewer: str = "reviewer",
    scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
    rubric: Rubric | None = None,
    top: int | None = None,
) -> AgreementReport:
    """How serviceart's scores agree with reviewers', and where they disagree most.

    See the module docstring for the reviews' layout and the statistics; the
    inputs are not modified.

    Parameters
    ----------
    res
        A scored run (:func:`serviceart.score`, or a run folder read with
        :meth:`serviceart.Result.from_parquet`).
    reviews
        The reviewers' scores: a DataFrame, or the path of a CSV or Parquet file.
    on
        The column of interaction ids.
    reviewer
        The column of reviewer names (absent: one reviewer, named ``reviewer``).
    scale
        ``(lo, hi)`` of the reviews' scale, mapped onto 0..100, or a mapping
        from column to ``(lo, hi)``; ``None``: 0..100.
    rubric
        The rubric whose bands kappa uses; ``None`` for the run's own
        (``res.rubric``), else meets >= 80, coaching >= 60, fails.
    top
        The most rows of the disagreements table (``None``: every cell that
        serviceart and a reviewer both scored).

    Returns
    -------
    AgreementReport
        Prints as text; ``principles``, ``criteria`` and ``disagreements`` hold
        the tables.

    Raises
    ------
    InputError
        No id or score column, a row without an id or reviewer, a repeated
        (interaction, reviewer) row, scores that are not numbers or off scale,
        or no reviewed interaction in the run.
    FormatError
        A reviews file that cannot be read.
    ConfigError
        A bad ``scale`` or ``top``.

    Warns
    -----
    UnmatchedReviewsWarning
        When some reviews name interactions the run does not have (the report's
        notes say how many, with a few ids); agreement is on the overlap.
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 0):
        raise ConfigError(f"top must be a whole number >= 0 or None, got {top!r}",
                          code="SA-C293")
    frame, source = _frame(reviews, on, reviewer)
    rev = _reviews(frame, source, res, on, reviewer, scale)
    if rev.unmatched:
        warnings.warn(rev.notes[0], UnmatchedReviewsWarning, stacklevel=2)
    rub = rubric if rubric is not None else getattr(res, "rubric", None)
    own = _own_points(res, rev.keys)
    points = pd.concat([rev.long, own[own["interaction_id"].isin(set(rev.long["interaction_id"]))]],
                       ignore_index=True)
    raters = [SERVICEART, *rev.reviewers]
    if len(rev.reviewers) > 1:
        human = rev.long.groupby(["interaction_id", "key"], as_index=False)["points"].mean()
        points = pd.concat([points, human.assign(rater=MEAN)], ignore_index=True)
        raters.append(MEAN)
    keys_p = [k for k in _KEYS if k in rev.keys]
    keys_c = sorted(k for k in rev.keys if k not in _KEYS)
    reviewed = set(rev.long["interaction_id"])
    scored = set(own.loc[own["key"].isin(_KEYS), "interaction_id"]) if keys_p else reviewed
    out = tuple(sorted(i for i in reviewed - scored
                       if i in set(res.scores["interaction_id"].astype(str))))
    notes = list(rev.notes)
    if out and keys_p:
        notes.append(f"{len(out)} reviewed interactions have no serviceart score (out of "
                     f"scope: no agent turn, or not a service request), e.g. "
                     f"{', '.join(out[:_SHOW])}; they count only between reviewers")
    return AgreementReport(
        principles=_table(points, keys_p, raters, rub),
        criteria=_table(points, keys_c, raters, rub),
        disagreements=_disagreements(points, keys_p, res, rub, top),
        reviewers=rev.reviewers, n_reviews=rev.n_rows, n_matched=rev.n_matched,
        unmatched_ids=rev.unmatched, out_of_scope_ids=out, scale=rev.scale,
        notes=tuple(notes))


# -- the command line ----------------------------------------------------------------
def parse_scale(text: str | None) -> tuple[float, float] | None:
    """``--scale LO,HI`` (or ``LO..HI``) as ``(lo, hi)``; ``None`` stays ``None``."""
    if text is None:
        return None
    parts = text.replace("..", ",").split(",")
    try:
        lo, hi = (float(x) for x in parts)
    except ValueError as exc:
        raise ConfigError(f"--scale must be LO,HI, e.g. --scale 1,5, got {text!r}",
                          code="SA-C295") from exc
    return lo, hi


def agreement_command(run_dir: str | Path, reviews: str | Path, *, by: str = "principle",
                      show: int = 10, scale: str | None = None,
                      output: str | Path | None = None) -> str:
    """What ``serviceart agreement RUN REVIEWS`` prints (and writes with ``-o``).

    Parameters
    ----------
    run_dir
        A run folder (``serviceart score`` or :meth:`serviceart.Result.to_parquet`).
    reviews
        The reviews file (CSV or Parquet).
    by
        ``"principle"`` or ``"criterion"``: the table printed and written.
    show
        The disagreements printed, worst first.
    scale
        The reviews' scale as ``"LO,HI"``; ``None``: 0..100.
    output
        A CSV file for the agreement table; the disagreements (every one, worst
        first) go beside it as ``<name>.disagreements.csv``.

    Returns
    -------
    str
        The report's text (:meth:`AgreementReport.format`) and the files written.
    """
    if by not in ("principle", "criterion"):
        raise ConfigError(f"--by must be principle or criterion, got {by!r}", code="SA-C296")
    scale_t = parse_scale(scale)
    res = Result.from_parquet(run_dir)
    with warnings.catch_warnings():  # the report's notes say it
        warnings.simplefilter("ignore", UnmatchedReviewsWarning)
        rep = agreement(res, reviews, scale=scale_t)
    text = rep.format(by=by, show=show)
    if output is not None:
        out = Path(output)
        side = out.with_name(f"{out.stem}.disagreements.csv")
        try:
            rep.table(by).to_csv(out, index=False)
            rep.disagreements.to_csv(side, index=False)
        except OSError as exc:
            raise OutputError(f"cannot write {out} or {side}: {exc}; choose another -o path",
                              source=str(out), code="SA-O140") from exc
        text += f"\n\nwrote {out} ({len(rep.table(by))} rows) and {side} " \
                f"({len(rep.disagreements)} rows)"
    return text
