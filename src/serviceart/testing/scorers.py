"""The scorer contract, checked on real evidence and a real promise ledger.

:func:`check_scorer` sets a scorer up the way the engine does: cases linked
(:func:`serviceart.cases.linking.link_cases`), evidence from the real cue pipeline
(:func:`serviceart.cues.evidence.extract_evidence`), the promise ledger
(:func:`serviceart.cases.ledger.promise_ledger`), all in one
:class:`~serviceart.scorers.ScoringContext`. It then checks every rule of the
contract and raises a :class:`~serviceart.ServiceartError` naming the scorer
and the first rule it broke.

Cloning follows scikit-learn's ``clone``: a scorer stores its keyword
parameters as given, so ``type(scorer)(**scorer.get_params())`` rebuilds it,
with equal parameters and equal output. ``copy.deepcopy`` is not the notion:
it would copy state that the constructor does not set, and so hide a scorer
that the engine's workers could not rebuild from its parameters.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from spacy.language import Language

from ..codebook import CUES, MEASURES, Measure
from ..errors import ServiceartError
from ..ingest.model import Conversations
from ..run.settings import ScoreSettings
from ..scorers.base import Scorer, ScoringContext

__all__ = ["check_scorer", "scoring_context"]

_INPUTS = ("turns", "interactions", "evidence", "promises")


@lru_cache(maxsize=1)
def _default_nlp() -> Language:
    from ..cues.pipeline import make_nlp

    return make_nlp()


def scoring_context(
    conv: Conversations | None = None,
    evidence: pd.DataFrame | None = None,
    *,
    settings: ScoreSettings | None = None,
    nlp: Language | None = None,
) -> ScoringContext:
    """The :class:`~serviceart.scorers.ScoringContext` the engine would give a scorer.

    Built as :func:`serviceart.score` builds it: the run plan over ``conv``
    (cases, repeat contacts, the end of the data), the evidence of the real cue
    pipeline and the promise ledger, all with ``settings``.

    Parameters
    ----------
    conv
        Conversations; :func:`serviceart.testing.cases.sample_cases` by default.
    evidence
        The EVIDENCE table of ``conv``; extracted with the real cue pipeline
        when ``None``.
    settings
        The run's settings (SLA, time zone, calendar, case window, as-of,
        horizons); the defaults when ``None``.
    nlp
        The cue pipeline; :func:`serviceart.make_nlp` (built once) by default.

    Returns
    -------
    ScoringContext
        Turns, interactions with the plan's cases and repeat contacts, evidence
        and the promise ledger.
    """
    from ..cases.ledger import promise_ledger
    from ..cues.evidence import extract_evidence
    from ..run.plan import contact_meta, make_plan
    from .cases import sample_cases

    if conv is None:
        conv = sample_cases().conversations()
    settings = settings if settings is not None else ScoreSettings()
    plan = make_plan(contact_meta(conv.turns, conv.interactions), settings)
    run = settings.with_as_of(plan.as_of)
    turns, inter = conv.turns, plan.apply(conv.interactions)
    if evidence is None:
        evidence = extract_evidence(turns, inter, nlp if nlp is not None else _default_nlp(),
                                    tz=run.tz, calendar=run.calendar)
    promises = promise_ledger(turns, inter, evidence, as_of=run.as_of, horizons=run.horizons,
                              calendar=run.calendar)
    return ScoringContext(turns=turns, interactions=inter, evidence=evidence,
                          sla_s=run.sla_s, calendar=run.calendar, promises=promises,
                          case_window=run.case_window, sla=run.sla)


def check_scorer(
    scorer: Scorer,
    conv: Conversations | None = None,
    evidence: pd.DataFrame | None = None,
    *,
    settings: ScoreSettings | None = None,
    nlp: Language | None = None,
    extra_columns: Mapping[str, Measure] | None = None,
    context: ScoringContext | None = None,
) -> pd.DataFrame:
    """Check a scorer against the scorer contract; return its output.

    The scorer runs on the context :func:`scoring_context` builds (real
    evidence and promise ledger), and must:

    - declare only codebook measures and cue counts, or columns documented in
      ``extra_columns``;
    - return a frame with ``interaction_id`` and exactly the declared columns,
      one row per interaction of the context;
    - give values in each column's range, by the codebook unit: ``share`` in
      0..1, ``s`` at least 0, ``count`` a whole number at least 0, ``flag`` 0 or
      1, ``score`` finite; NaN is allowed (no data), infinities are not, and cue
      counts are whole numbers, never NaN;
    - leave the turns, interactions, evidence and promises it reads unchanged;
    - give the same output when run again, when the interactions (with their
      turns, evidence and promises) come in another order, and when every
      person is renamed (speakers, ``agent_id``, ``customer_id``, the ledger's
      ``agent``);
    - pickle, and give the same output once unpickled (workers get it so);
    - clone as scikit-learn does: ``type(scorer)(**scorer.get_params())``
      builds an equal scorer with the same output.

    Parameters
    ----------
    scorer
        The scorer to check.
    conv, evidence, settings, nlp
        What the context is built from (see :func:`scoring_context`).
    extra_columns
        Columns outside the codebook the scorer may declare, each documented by
        a :class:`~serviceart.codebook.Measure` (its unit gives the range).
    context
        A context made by :func:`scoring_context`, to check several scorers on
        one (the other context arguments are then not used).

    Returns
    -------
    pandas.DataFrame
        The scorer's output on the context.

    Raises
    ------
    ServiceartError
        Naming the scorer and the first rule it broke.

    Examples
    --------
    On the fixed sample, "Let me check that for you" is followed by 42 s of
    silence before the agent speaks again:

    >>> from serviceart.scorers import FlowScorer
    >>> out = check_scorer(FlowScorer()).set_index("interaction_id")
    >>> float(out.loc["call-1", "hold_s"]), float(out.loc["call-1", "handoffs"])
    (42.0, 0.0)
    """
    who = repr(scorer)
    known = {**{m: MEASURES[m] for m in MEASURES}, **dict(extra_columns or {})}
    undeclared = [c for c in scorer.columns if c not in known and c not in CUES]
    if undeclared:
        raise ServiceartError(
            f"{who} declares {undeclared}, which are neither codebook measures nor cues; "
            "use codebook names, or document extra columns with extra_columns=", code="SA-E009")
    if len(set(scorer.columns)) != len(scorer.columns):
        raise ServiceartError(f"{who} declares a column twice: {list(scorer.columns)}",
                              code="SA-E010")
    ctx = context if context is not None else scoring_context(
        conv, evidence, settings=settings, nlp=nlp)

    first = _run(scorer, ctx, who, "as given")
    _check_shape(first, ctx, scorer, who)
    _check_ranges(first, scorer, known, who)
    _same(first, _run(scorer, ctx, who, "run again"), who, "on a second run")

    shuffled = _reordered(ctx)
    back = _run(scorer, shuffled, who, "with interactions reordered")
    _check_shape(back, shuffled, scorer, who)
    _same(_by_id(first), _by_id(back), who,
          "with the interactions (and their turns, evidence and promises) in another order")

    renamed = _relabelled(ctx)
    _same(first, _run(scorer, renamed, who, "with people renamed"), who,
          "with every speaker, agent id and customer id renamed")

    try:
        copy = pickle.loads(pickle.dumps(scorer))
    except Exception as exc:  # what pickling raises varies: TypeError, PicklingError...
        raise ServiceartError(
            f"{who} cannot be pickled ({type(exc).__name__}: {exc}); worker processes need "
            "that: keep only picklable parameters and state on the scorer", code="SA-E011") from exc
    _same(first, _run(copy, ctx, who, "after pickling"), who, "once pickled and unpickled")

    params = scorer.get_params()
    try:
        clone = type(scorer)(**params)
    except Exception as exc:  # a constructor may raise anything on unexpected arguments
        raise ServiceartError(
            f"{who} cannot be rebuilt from its parameters: {type(scorer).__name__}"
            f"(**{params!r}) raised {type(exc).__name__}: {exc}; store every keyword "
            "parameter under its own name and nothing else", code="SA-E012") from exc
    if not _equal_params(clone.get_params(), params):
        raise ServiceartError(
            f"{who} is not stored as given: rebuilt from its parameters it has "
            f"{clone.get_params()!r}; store keyword parameters unchanged", code="SA-E013")
    _same(first, _run(clone, ctx, who, "cloned"), who,
          f"when cloned as {type(scorer).__name__}(**get_params())")
    return first


def _run(scorer: Scorer, ctx: ScoringContext, who: str, how: str) -> pd.DataFrame:
    """The scorer's output on ``ctx``, checking that it left the inputs unchanged."""
    before = {name: _copy(getattr(ctx, name)) for name in _INPUTS}
    try:
        out = scorer.score(ctx)
    except Exception as exc:
        raise ServiceartError(f"{who} raised {type(exc).__name__} ({how}): {exc}",
                              code="SA-E014") from exc
    for name in _INPUTS:
        was, now = before[name], getattr(ctx, name)
        if was is None:
            continue
        try:
            pd.testing.assert_frame_equal(now, was, check_exact=True)
        except AssertionError as exc:
            raise ServiceartError(
                f"{who} changed its input ctx.{name} ({how}): {_first_line(exc)}; "
                "work on copies, never on the frames of the context", code="SA-E015") from exc
    if not isinstance(out, pd.DataFrame):
        raise ServiceartError(f"{who} returned a {type(out).__name__} ({how}), not a "
                              "pandas DataFrame", code="SA-E016")
    return out


def _copy(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    return None if frame is None else frame.copy(deep=True)


def _check_shape(out: pd.DataFrame, ctx: ScoringContext, scorer: Scorer, who: str) -> None:
    expected = ["interaction_id", *scorer.columns]
    if list(out.columns) != expected:
        missing = [c for c in expected if c not in out.columns]
        extra = [c for c in out.columns if c not in expected]
        raise ServiceartError(
            f"{who} returned columns {list(out.columns)}, declared {expected} "
            f"(missing {missing}, undeclared {extra})", code="SA-E001")
    ids = out["interaction_id"].astype("string")
    wanted = ctx.interactions["interaction_id"].astype("string")
    if len(out) != len(wanted) or not ids.is_unique or set(ids) != set(wanted):
        lost = sorted(set(wanted) - set(ids))
        doubled = sorted(set(ids[ids.duplicated()]))
        unknown = sorted(set(ids) - set(wanted))
        raise ServiceartError(
            f"{who} must return one row per interaction: got {len(out)} rows for "
            f"{len(wanted)} interactions (lost {lost[:5]}, repeated {doubled[:5]}, "
            f"unknown {unknown[:5]})", code="SA-E002")


_RANGES: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "share": ("between 0 and 1", lambda v: (v >= 0) & (v <= 1)),
    "s": ("0 or more seconds", lambda v: v >= 0),
    "count": ("a whole number, 0 or more", lambda v: (v >= 0) & (v == np.floor(v))),
    "flag": ("0 or 1", lambda v: (v == 0) | (v == 1)),
    "ratio": ("0 or more", lambda v: v >= 0),
}


def _check_ranges(out: pd.DataFrame, scorer: Scorer, known: Mapping[str, Measure],
                  who: str) -> None:
    for col in scorer.columns:
        series = out[col]
        if not (pd.api.types.is_numeric_dtype(series.dtype)
                and not pd.api.types.is_bool_dtype(series.dtype)):
            raise ServiceartError(f"{who}: column {col!r} holds {series.dtype} values, "
                                  "not numbers", code="SA-E017")
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        ids = out["interaction_id"].to_numpy()
        given = ~np.isnan(values)
        if col in CUES and col not in known:
            bad = ~given | (values < 0) | (values != np.floor(values))
            rule = "a whole number, 0 or more (cue counts are never missing)"
        else:
            unit = known[col].unit
            rule, ok = _RANGES.get(unit, ("a finite number", lambda v: np.isfinite(v)))
            bad = given & ~(np.isfinite(values) & ok(np.where(given, values, 0.0)))
        if bad.any():
            shown = ", ".join(f"{i}={float(v)!r}" for i, v in
                              zip(ids[bad][:5], values[bad][:5], strict=True))
            raise ServiceartError(f"{who}: column {col!r} must be {rule}, got {shown}",
                                  code="SA-E018")


def _by_id(out: pd.DataFrame) -> pd.DataFrame:
    keyed = out.assign(interaction_id=out["interaction_id"].astype("string"))
    return keyed.sort_values("interaction_id", kind="mergesort").reset_index(drop=True)


def _reordered(ctx: ScoringContext, seed: int = 7) -> ScoringContext:
    """``ctx`` with the interactions in another order, each one's rows kept together."""
    ids = ctx.interactions["interaction_id"].astype("string").to_numpy()
    perm = np.random.default_rng(seed).permutation(len(ids))
    if len(ids) > 1 and (perm == np.arange(len(ids))).all():
        perm = np.roll(perm, 1)
    rank = pd.Series(np.argsort(perm), index=ids)

    def by_rank(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        if frame is None:
            return None
        key = frame["interaction_id"].astype("string").map(rank).to_numpy()
        order = np.argsort(key, kind="stable")
        return frame.iloc[order].reset_index(drop=True)

    inter = ctx.interactions.iloc[perm].reset_index(drop=True)
    turns, evidence = by_rank(ctx.turns), by_rank(ctx.evidence)
    assert turns is not None and evidence is not None
    return replace(ctx, turns=turns, interactions=inter, evidence=evidence,
                   promises=by_rank(ctx.promises))


def _relabelled(ctx: ScoringContext) -> ScoringContext:
    """``ctx`` with every person renamed consistently (in reverse order of their names)."""
    cols = [(ctx.turns, "speaker"), (ctx.interactions, "agent_id"),
            (ctx.interactions, "customer_id")]
    if ctx.promises is not None:
        cols.append((ctx.promises, "agent"))
    names = sorted({str(v) for frame, col in cols if col in frame.columns
                    for v in frame[col].dropna()}, reverse=True)
    new = {name: f"person-{k:04d}" for k, name in enumerate(names)}

    def renamed(frame: pd.DataFrame | None, *columns: str) -> pd.DataFrame | None:
        if frame is None:
            return None
        out = frame.copy()
        for col in columns:
            if col in out.columns:
                out[col] = out[col].astype("string").map(new, na_action="ignore").astype(
                    "string")
        return out

    turns = renamed(ctx.turns, "speaker")
    inter = renamed(ctx.interactions, "agent_id", "customer_id")
    assert turns is not None and inter is not None
    return replace(ctx, turns=turns, interactions=inter,
                   promises=renamed(ctx.promises, "agent"))


def _equal_params(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    if a.keys() != b.keys():
        return False
    for key in a:
        try:
            same = bool(a[key] == b[key])
        except (TypeError, ValueError):  # arrays and frames: compare their text
            same = repr(a[key]) == repr(b[key])
        if not same:
            return False
    return True


def _same(a: pd.DataFrame, b: pd.DataFrame, who: str, what: str) -> None:
    """Raise naming ``who`` and ``what`` unless the outputs are equal (diffs by id)."""
    if "interaction_id" in a.columns and "interaction_id" in b.columns:
        a, b = a.set_index("interaction_id"), b.set_index("interaction_id")
    try:
        pd.testing.assert_frame_equal(a, b)
    except AssertionError as exc:
        raise ServiceartError(f"{who} gave a different result {what}: "
                              f"{_first_line(exc)}", code="SA-E003") from exc


def _first_line(exc: BaseException) -> str:
    """An assertion message on one line (pandas spreads its diffs over several)."""
    return " ".join(str(exc).split())
