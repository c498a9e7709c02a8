"""One part of a run, scored: the function every engine calls for every part.

:func:`score_part` takes the turns and interactions of whole cases (with the run
plan's ``case_id``, ``case_rule`` and ``repeat_contact``, see
:func:`serviceart.run.plan.attach`) and returns every table of a result for them:
evidence, measures, promises, scores, contributions, bands, interactions and
turns. Each interaction's scope (:mod:`serviceart.scope`) is decided here: the
out-of-scope ones get NaN scores, and the rule that fired one is an evidence row.
The engines differ only in how they hand out parts and where they put the tables.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from spacy.language import Language

from .._ids import lookup
from .._words import word_counts
from ..cases.ledger import promise_ledger
from ..cues.category_match import (
    add_to_pipeline,
    category_measures,
    component_of,
    with_categories,
)
from ..cues.evidence import extract_evidence
from ..cues.pipeline import make_nlp
from ..schema import (
    CONTRIBUTIONS,
    EVIDENCE,
    PROMISES,
    SCORES,
    TURNS,
    conform,
    empty,
    measures_table,
)
from ..scope import detect_scope
from ..scorers import ScoringContext
from .settings import ScoreSettings

__all__ = ["PartTables", "evidence_for", "gc_paused", "pipeline", "score_part", "with_size"]


@dataclass
class PartTables:
    """Every table of a scored part (or of a whole result, once concatenated)."""

    scores: pd.DataFrame
    bands: pd.DataFrame
    measures: pd.DataFrame
    evidence: pd.DataFrame
    contributions: pd.DataFrame
    promises: pd.DataFrame
    interactions: pd.DataFrame
    turns: pd.DataFrame

    def items(self) -> list[tuple[str, pd.DataFrame]]:
        """``(name, table)`` pairs, in field order."""
        return [(f.name, getattr(self, f.name)) for f in fields(self)]

    @classmethod
    def empty(cls) -> PartTables:
        """Tables with no rows (and the right columns)."""
        return cls(scores=empty(SCORES), bands=pd.DataFrame(
            {"interaction_id": pd.Series(dtype="string")}), measures=empty(measures_table()),
            evidence=empty(EVIDENCE), contributions=empty(CONTRIBUTIONS),
            promises=empty(PROMISES), interactions=pd.DataFrame(
                {"interaction_id": pd.Series(dtype="string")}), turns=empty(TURNS))


#: one cue pipeline per process, pattern folder and categories (workers build theirs once)
_PIPELINES: dict[tuple[str | None, str | None], Language] = {}


def pipeline(settings: ScoreSettings) -> Language:
    """This process's cue pipeline for ``settings.patterns_dir`` and
    ``settings.categories`` (built once)."""
    cats = settings.categories
    key = (settings.patterns_dir, None if cats is None else cats.hash)
    if key not in _PIPELINES:
        nlp = make_nlp(patterns_dir=settings.patterns_dir)
        if cats is not None:
            add_to_pipeline(nlp, cats, settings.patterns_dir)
        _PIPELINES[key] = nlp
    return _PIPELINES[key]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while one part is scored.

    Scoring a part allocates millions of small objects (docs, tokens, spans, rows)
    that reference counting frees; the collector would walk every live object
    (pipelines, lexicons, caches) again and again to find the few cycles, about
    8% of full scoring on real text. A part is bounded (``chunk_size``), so the
    cycles it leaves are few; they are collected once the collector runs again.
    Nested pauses are one pause.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def evidence_for(turns: pd.DataFrame, interactions: pd.DataFrame, settings: ScoreSettings,
                 nlp: Language | None = None) -> pd.DataFrame:
    """The EVIDENCE table of some whole interactions (it depends on each turn alone, so
    the batch engine extracts it while the input is still being read), with the
    categories' rows when the settings have categories."""
    with gc_paused():
        return _evidence_for(turns, interactions, settings, nlp)


def _evidence_for(turns: pd.DataFrame, interactions: pd.DataFrame, settings: ScoreSettings,
                  nlp: Language | None) -> pd.DataFrame:
    nlp = nlp or pipeline(settings)
    component = component_of(nlp)
    if component is not None:
        component.take()  # nothing left over from an earlier, interrupted call
    evidence = extract_evidence(turns, interactions, nlp, tz=settings.tz,
                                batch_size=settings.batch_size, calendar=settings.calendar)
    if settings.categories is None:
        return evidence
    return with_categories(evidence, turns, interactions, settings, nlp)


def score_part(turns: pd.DataFrame, interactions: pd.DataFrame, settings: ScoreSettings,
               *, nlp: Language | None = None, evidence: pd.DataFrame | None = None
               ) -> PartTables:
    """Every table of one part of whole cases.

    Parameters
    ----------
    turns, interactions
        Conformed tables of whole cases; the interactions carry the plan's
        ``case_id``, ``case_rule`` and ``repeat_contact``.
    settings
        The run's settings, with ``as_of`` fixed by the plan
        (:meth:`ScoreSettings.with_as_of`).
    nlp
        A cue pipeline; this process's one for ``settings.patterns_dir`` by default.
    evidence
        The part's EVIDENCE table when it was extracted already
        (:func:`evidence_for`); extracted here otherwise.

    Returns
    -------
    PartTables
    """
    with gc_paused():
        return _score_part(turns, interactions, settings, nlp, evidence)


def _score_part(turns: pd.DataFrame, interactions: pd.DataFrame, settings: ScoreSettings,
                nlp: Language | None, evidence: pd.DataFrame | None) -> PartTables:
    if evidence is None:
        evidence = evidence_for(turns, interactions, settings, nlp)
    promises = promise_ledger(turns, interactions, evidence, as_of=settings.as_of,
                              horizons=settings.horizons, calendar=settings.calendar)
    ctx = ScoringContext(turns=turns, interactions=interactions, evidence=evidence,
                         sla_s=settings.sla_s, calendar=settings.calendar, promises=promises,
                         case_window=settings.case_window, sla=settings.sla)
    measures, found = _measures(ctx, settings)
    if settings.categories is not None:
        measures = pd.concat([measures, category_measures(evidence, interactions,
                                                          settings.categories)], axis=1)
    if found:
        evidence = _with_found(evidence, found, interactions)
    scope, scope_evidence = detect_scope(turns, interactions,
                                         non_service=settings.scope_filter)
    if len(scope_evidence):  # the rule that put an interaction out of scope, quoted
        evidence = (pd.concat([evidence, scope_evidence], ignore_index=True) if len(evidence)
                    else scope_evidence)
    rubric = settings.rubric
    scores, contributions = rubric.apply(measures, scope=scope)
    tables = PartTables(scores=scores, bands=rubric.assign_bands(scores), measures=measures,
                        evidence=evidence, contributions=contributions,
                        promises=conform(promises, PROMISES),
                        interactions=with_size(turns, interactions, words=ctx.words),
                        turns=turns)
    if settings.redact:  # last: the cues and scores were found on the text as written
        from ..redact import redact_tables

        tables = PartTables(**redact_tables(dict(tables.items()), settings.redact))
    return tables


def _measures(ctx: ScoringContext, settings: ScoreSettings
              ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Every scorer's columns side by side, one row per interaction (in the order of
    ``ctx.interactions``), and the evidence rows the scorers found (non-empty ones)."""
    ids = ctx.interactions["interaction_id"]
    key = ids.astype(str).to_numpy()
    columns: dict[str, Any] = {"interaction_id": ids.to_numpy()}
    found: list[pd.DataFrame] = []
    for scorer in settings.scorers:
        part, rows = scorer.score_with_evidence(ctx)
        if rows is not None and len(rows):
            found.append(conform(rows, EVIDENCE))
        got = part["interaction_id"].astype(str).to_numpy()
        if len(got) != len(key) or not (got == key).all():  # not in the same order: align
            if part["interaction_id"].duplicated().any():
                raise ValueError(f"scorer {scorer.name!r} returned an interaction twice")
            part = part.set_index(part["interaction_id"].astype(str)).reindex(key)
        for column in part.columns:
            if column != "interaction_id":
                columns[column] = part[column].to_numpy()
    return conform(pd.DataFrame(columns), measures_table(), extra=True), found


def _with_found(evidence: pd.DataFrame, found: list[pd.DataFrame],
                interactions: pd.DataFrame) -> pd.DataFrame:
    """The cue evidence with the scorers' rows added, by interaction (in the order of
    ``interactions``) and turn; within a turn, the cue rows first, as they came."""
    rows = pd.concat([f for f in (evidence, *found) if len(f)], ignore_index=True)
    position = pd.Series(np.arange(len(interactions)),
                         index=interactions["interaction_id"].astype(str).to_numpy())
    pos = lookup(rows["interaction_id"], position, missing=np.inf)
    order = np.lexsort((rows["turn_index"].to_numpy(), pos))
    return rows.iloc[order].reset_index(drop=True)


def with_size(turns: pd.DataFrame, interactions: pd.DataFrame,
              words: np.ndarray | None = None) -> pd.DataFrame:
    """Interactions with ``n_turns`` and ``n_words``: how much transcript each has
    (for data-quality checks, e.g. in :func:`serviceart.fairness`). ``words``: the
    turns' word counts when already counted."""
    out = interactions.copy()
    ids = turns["interaction_id"]
    per_turn = pd.Series(word_counts(turns["text"]) if words is None else words,
                         index=turns.index)
    key = out["interaction_id"]
    out["n_turns"] = key.map(ids.value_counts()).fillna(0).astype("int64").to_numpy()
    out["n_words"] = key.map(per_turn.groupby(ids).sum()).fillna(0).astype("int64").to_numpy()
    return out


def in_plan_order(tables: list[PartTables], order: pd.Series) -> PartTables:
    """The parts' tables concatenated, rows in input order of their interaction.

    ``order`` maps interaction id to its input position (from the plan). Rows of
    one interaction keep the order their part gave them.
    """
    if not tables:
        return PartTables.empty()
    out: dict[str, Any] = {}
    for name, _ in tables[0].items():
        frames = [getattr(t, name) for t in tables]
        frames = [f for f in frames if len(f)] or frames[:1]
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        out[name] = sort_by_input(frame, order)
    return PartTables(**out)


def sort_by_input(frame: pd.DataFrame, order: pd.Series) -> pd.DataFrame:
    """``frame``'s rows in the input order of their ``interaction_id`` (stable)."""
    if frame.empty or "interaction_id" not in frame.columns:
        return frame.reset_index(drop=True)
    pos = lookup(frame["interaction_id"], order, missing=np.inf)
    return frame.iloc[pos.argsort(kind="stable")].reset_index(drop=True)
