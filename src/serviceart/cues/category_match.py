"""Matching a QA lead's categories (:mod:`serviceart.cues.categories`) in turns, and
the evidence rows and measures of their hits.

All categories run in one ``PhraseMatcher`` (phrases, and token patterns that list an
exact phrase family) and one set of gated token patterns
(:class:`~serviceart.cues.matching.GatedPatterns`), so matching time hardly grows
with the number of categories. When scoring, the matcher is a component at the end
of the cue pipeline (:data:`COMPONENT`), so a turn is tokenized once for the cues and
the categories, and the cue component's norm rewrites are reused.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

import numpy as np
import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc

from ..clock import reference_times
from ..clock.calendar import BusinessCalendar
from ..schema import EVIDENCE, conform, empty
from .categories import MARKER, MEASURE_PREFIX, Categories, Category
from .families import PhraseFamilies
from .matching import GatedPatterns, NormRewriter, Phrase, family, phrase_key
from .resolve import idiom_hashes, negating_norms
from .rules import PatternSet, load_patterns

__all__ = ["COMPONENT", "CategoryComponent", "CategoryMatcher", "add_to_pipeline",
           "category_evidence", "category_measures", "component_of", "match_texts",
           "merge_evidence", "with_categories"]

#: The name of the pipeline component that finds categories.
COMPONENT = "serviceart_categories"
#: The cue component (:mod:`serviceart.cues.pipeline`), which rewrites the norms first.
_CUES = "serviceart_cues"
#: The phrase-matcher key of the clitics a second norm rewrite could still change.
_CLITIC = "serviceart.categories:clitic"


def _second_rewrite_is_clitics(rules: Mapping[str, Any]) -> bool:
    """Whether rewriting norms that were rewritten once by ``rules`` can change only a
    clitic left as it was (``'s`` after a word rewritten to a pronoun: "u 're").

    True when no rewritten norm is rewritten again: no key of the rules is among the
    norms they write. A word of the ``map`` is always rewritten the first time, so what
    a second rewrite can still find is a clitic of ``after_pronoun``.
    """
    keys = {*rules.get("map", {}), *rules.get("after_pronoun", {})}
    written = {*rules.get("map", {}).values(), *rules.get("after_pronoun", {}).values(), "has"}
    return keys.isdisjoint(written)


@functools.lru_cache(maxsize=8)
def _rules(patterns_dir: str | None) -> PatternSet:
    """The pattern set whose ``rules.json`` gives norm rewrites and negators (read once
    per folder and process)."""
    return load_patterns(patterns_dir)


class CategoryMatcher:
    """Finds every category of a :class:`Categories` in a Doc, in one pass.

    Parameters
    ----------
    nlp
        The pipeline whose vocab (and tokenizer, when texts are matched) is used.
    categories
        The categories.
    patterns_dir
        The cue pattern folder whose ``rules.json`` gives the norm rewrites and the
        negators (the shipped one when ``None``).
    """

    def __init__(self, nlp: Language, categories: Categories,
                 patterns_dir: str | None = None) -> None:
        self.categories = categories
        rules = _rules(patterns_dir)
        vocab = nlp.vocab
        self.norms = NormRewriter(vocab, rules.norms)
        self._negators = frozenset(vocab.strings.add(w) for w in rules.negators)
        self._idioms = idiom_hashes(vocab.strings, rules.negation_idioms)
        self._window = rules.negation_window
        self.phrase_matcher = PhraseFamilies(vocab)
        #: set by the component when the cue component has rewritten each doc's norms
        #: with the same rules (see :meth:`__call__`)
        self.after_cues = False
        self._rules_norms = rules.norms
        self._clitic: int | None = None
        clitics = sorted(rules.norms.get("after_pronoun", {}))
        if clitics and _second_rewrite_is_clitics(rules.norms):
            self._clitic = vocab.strings.add(_CLITIC)
            self.phrase_matcher.add(_CLITIC, [phrase_key(vocab, [c]) for c in clitics])
        self._keys: dict[int, Category] = {}
        tokens: list[tuple[str, list[dict[str, Any]], bool, str]] = []
        for cat in categories.categories:
            key = f"serviceart.category.{cat.name}"
            self._keys[vocab.strings.add(key)] = cat
            docs: list[Phrase] = [self.norms(nlp.make_doc(p)) for p in cat.phrases]
            self.phrase_matcher.add(key, docs)
            for k, pattern in enumerate(cat.token_patterns()):
                slots = family(pattern)
                if slots is None:
                    tokens.append((key, pattern, False, f"{cat.name} pattern {k + 1}"))
                else:
                    self.phrase_matcher.add_family(key, slots)
        self.gated = GatedPatterns(vocab, tokens)
        for key, slots in self.gated.anchors.items():
            self.phrase_matcher.add_family(key, slots)
        self._by_label = {vocab.strings[k]: c for k, c in self._keys.items()}
        # a category's own words: a negator among them is asked for ("cannot refund")
        self._own: dict[str, frozenset[int]] = {}
        for cat in categories.categories:
            words = {t.norm_ for p in cat.phrases for t in self.norms(nlp.make_doc(p))}
            words |= {w for p in cat.token_patterns() for spec in p
                      for w in _pattern_words(spec)}
            self._own[cat.name] = frozenset(vocab.strings.add(w) for w in words)

    def __call__(self, doc: Doc) -> list[tuple[Category, int, int]]:
        """The hits in ``doc`` as ``(category, start_char, end_char)``, in text order;
        overlapping hits of one category are one hit.

        The norms are rewritten first (:class:`~serviceart.cues.matching.NormRewriter`).
        After the cue component (:attr:`after_cues`) they have been rewritten once
        already, and the second rewrite can only change a clitic that the phrase
        matcher sees too; so a doc with no phrase match is done without reading its
        norms (most docs), and the others are matched as before.
        """
        if not len(doc):
            return []
        matches = None
        if self.after_cues and self._clitic is not None:
            matches = self.phrase_matcher(doc)
            if not matches and not self.gated.unanchored:
                return []
            if any(m[0] == self._clitic for m in matches):
                matches = None  # the rewrite may change a clitic: match again after it
        norms = self.norms.rewrite(doc)
        if matches is None:
            matches = self.phrase_matcher(doc, norms)
        found: list[tuple[Category, int, int]] = []
        anchors: list[tuple[int, int, int]] = []
        keys = self._keys
        for match in matches:
            match_id, start, end = match
            cat = keys.get(match_id)
            if cat is not None:
                found.append((cat, start, end))
            elif match_id != self._clitic:
                anchors.append(match)
        for label, _, start, end in self.gated(doc, norms, anchors):
            found.append((self._by_label[label], start, end))
        if not found:
            return []
        kept: dict[str, list[tuple[int, int]]] = {}
        by_name: dict[str, Category] = {}
        negating = negating_norms(norms, self._idioms)
        for cat, start, end in sorted(found, key=lambda f: (f[0].name, f[1], f[2])):
            if cat.negation and self._negated(doc, negating, start, end, self._own[cat.name]):
                continue
            spans = kept.setdefault(cat.name, [])
            by_name[cat.name] = cat
            if spans and start < spans[-1][1]:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
        out = [(by_name[n], doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text))
               for n, spans in kept.items() for s, e in spans]
        return sorted(out, key=lambda h: (h[1], h[2], h[0].name))

    def _negated(self, doc: Doc, norms: Sequence[int], start: int, end: int,
                 own: frozenset[int]) -> bool:
        """A negator inside the hit (one the category does not name itself), or within
        the negation window before it with no punctuation between."""
        if any(n in self._negators and n not in own for n in norms[start:end]):
            return True
        for i in range(start - 1, max(-1, start - 1 - self._window), -1):
            if doc[i].is_punct:
                return False
            if norms[i] in self._negators:
                return True
        return False


def _pattern_words(spec: Mapping[str, Any]) -> list[str]:
    """The literal words a token spec names (``NORM``, ``LOWER``, ``ORTH``, ``TEXT``)."""
    out: list[str] = []
    for attr in ("NORM", "LOWER", "ORTH", "TEXT"):
        value = spec.get(attr)
        if isinstance(value, str):
            out.append(value.lower())
        elif isinstance(value, Mapping) and isinstance(value.get("IN"), list):
            out += [str(w).lower() for w in value["IN"]]
    return out


class CategoryComponent:
    """The pipeline component: matches every doc and keeps its hits, in order, until
    :meth:`take` hands them over (see :func:`category_evidence`)."""

    def __init__(self, matcher: CategoryMatcher) -> None:
        self.matcher = matcher
        self._hits: list[list[tuple[Category, int, int]]] = []

    def __call__(self, doc: Doc) -> Doc:
        self._hits.append(self.matcher(doc))
        return doc

    def take(self) -> list[list[tuple[Category, int, int]]]:
        """The hits of the docs processed since the last call, one list per doc."""
        out, self._hits = self._hits, []
        return out

    def repeat(self, codes: Sequence[int]) -> None:
        """Hold one list of hits per turn again when the docs were the turns' distinct
        texts: turn ``i`` gets the hits of doc ``codes[i]`` (see
        :func:`serviceart.cues.pipeline.distinct`)."""
        hits = self._hits
        self._hits = [hits[c] for c in codes]


@Language.factory(COMPONENT, default_config={"text": "", "source": "<categories>",
                                             "patterns_dir": None})
def _make_component(nlp: Language, name: str, text: str, source: str,
                    patterns_dir: str | None) -> CategoryComponent:
    matcher = CategoryMatcher(nlp, Categories.from_toml(text, source=source), patterns_dir)
    # added last: a cue component already in the pipeline has rewritten the norms, with
    # these rules when its pattern set has the same ones
    cues = nlp.get_pipe(_CUES) if nlp.has_pipe(_CUES) else None
    rules = getattr(getattr(cues, "patterns", None), "norms", None)
    matcher.after_cues = rules is not None and rules == matcher._rules_norms
    return CategoryComponent(matcher)


def add_to_pipeline(nlp: Language, categories: Categories,
                    patterns_dir: str | None = None) -> CategoryComponent:
    """Add the categories' component at the end of ``nlp`` (after the cue components,
    whose norm rewrites it reuses) and return it."""
    if nlp.has_pipe(COMPONENT):
        nlp.remove_pipe(COMPONENT)
    nlp.add_pipe(COMPONENT, last=True, config={"text": categories.text,
                                               "source": categories.source,
                                               "patterns_dir": patterns_dir})
    component = nlp.get_pipe(COMPONENT)
    assert isinstance(component, CategoryComponent)
    return component


def component_of(nlp: Language) -> CategoryComponent | None:
    """The categories component of ``nlp``, or ``None``."""
    if not nlp.has_pipe(COMPONENT):
        return None
    comp = nlp.get_pipe(COMPONENT)
    return comp if isinstance(comp, CategoryComponent) else None


def match_texts(texts: Sequence[str], matcher: CategoryMatcher, nlp: Language,
                batch_size: int = 256) -> list[list[tuple[Category, int, int]]]:
    """Hits in each text (tokenized here, normalised as the cue pipeline does)."""
    from .pipeline import normalise

    tokenizer: Any = nlp.tokenizer
    return [matcher(doc) for doc in tokenizer.pipe((normalise(t) for t in texts),
                                                    batch_size=batch_size)]


# -- evidence and measures ----------------------------------------------------------
def _in_window(turns: pd.DataFrame, interactions: pd.DataFrame,
               window: tuple[str, int, str]) -> np.ndarray:
    """Per turn: inside the window of its interaction. Turns whose time is unknown are
    outside a window in seconds."""
    end, n, unit = window
    iid = turns["interaction_id"].astype("string").to_numpy(dtype=object)
    if unit == "turns":
        order = pd.Series(turns["turn_index"].to_numpy(), index=turns.index)
        rank = order.groupby(iid).rank(method="first", ascending=(end == "first"))
        return (rank <= n).to_numpy(dtype=bool)
    t = _turn_seconds(turns, interactions)
    s = pd.Series(t, index=turns.index)
    if end == "first":
        edge = s.groupby(iid).transform("min")
        inside = s - edge <= n
    else:
        ends = turns["end_s"].astype("float64") if "end_s" in turns.columns else s
        stop = pd.Series(np.fmax(ends.to_numpy(dtype="float64"), t), index=turns.index)
        edge = stop.groupby(iid).transform("max")
        inside = edge - s <= n
    return inside.fillna(False).to_numpy(dtype=bool)


def _turn_seconds(turns: pd.DataFrame, interactions: pd.DataFrame) -> np.ndarray:
    """Each turn's start in seconds: ``start_s``, else its timestamp's seconds since the
    interaction's start (or its first timed turn); NaN when unknown."""
    start = (turns["start_s"].astype("float64").to_numpy() if "start_s" in turns.columns
             else np.full(len(turns), np.nan))
    if "timestamp" in turns.columns and turns["timestamp"].notna().any():
        ts = pd.to_datetime(turns["timestamp"], utc=True)
        iid = turns["interaction_id"].astype("string")
        base = ts.groupby(iid).transform("min")
        if "started_at" in interactions.columns:
            began = iid.map(pd.Series(pd.to_datetime(interactions["started_at"], utc=True)
                                      .to_numpy(), index=interactions["interaction_id"]
                                      .astype("string").to_numpy()))
            began = pd.to_datetime(began, utc=True)
            base = began.where(began.notna() & (began <= base), base)
        since = (ts - base).dt.total_seconds().to_numpy(dtype="float64", na_value=np.nan)
        start = np.where(np.isnan(start), since, start)
    return start


def category_evidence(turns: pd.DataFrame, interactions: pd.DataFrame,
                      categories: Categories, hits: Sequence[Sequence[tuple[Category, int, int]]],
                      *, tz: str | tzinfo = "UTC", calendar: BusinessCalendar | None = None
                      ) -> pd.DataFrame:
    """Evidence rows of the categories' hits, for the role and window of each category.

    Parameters
    ----------
    turns, interactions
        Conformed tables of whole interactions.
    categories
        The categories.
    hits
        One list per turn (in the order of ``turns``) of ``(category, start_char,
        end_char)``, from :class:`CategoryMatcher`.
    tz, calendar
        For the due time of a category that extends ``promise``: its sentence's due
        phrase is resolved as the cue pipeline resolves a promise's.

    Returns
    -------
    pandas.DataFrame
        The EVIDENCE table: ``source = "category"``, ``confidence = 1.0``; the cue is
        ``category`` (the name in ``detail``) or the cue the category extends.
    """
    if len(hits) != len(turns):
        raise ValueError(f"{len(hits)} lists of hits for {len(turns)} turns")
    rows = [(i, cat, s, e) for i, found in enumerate(hits) for cat, s, e in found]
    if not rows:
        return empty(EVIDENCE)
    pos = np.fromiter((r[0] for r in rows), dtype="int64", count=len(rows))
    roles = turns["role"].astype("string").to_numpy(dtype=object)[pos]
    want = np.array([r[1].role for r in rows], dtype=object)
    keep = (want == "any") | (want == roles)
    windows = {c.window for c in categories.categories if c.window is not None}
    for window in windows:
        inside = _in_window(turns, interactions, window)[pos]
        applies = np.array([r[1].window == window for r in rows], dtype=bool)
        keep &= ~applies | inside
    texts = turns["text"].astype("string").fillna("").to_numpy(dtype=object)
    kept = [r for r, ok in zip(rows, keep.tolist(), strict=True) if ok]
    if not kept:
        return empty(EVIDENCE)
    pos = pos[keep]
    frame = pd.DataFrame({
        "interaction_id": turns["interaction_id"].to_numpy()[pos],
        "turn_index": turns["turn_index"].to_numpy()[pos],
        "role": roles[keep],
        "cue": [r[1].cue for r in kept],
        "start_char": [r[2] for r in kept],
        "end_char": [r[3] for r in kept],
        "text": [texts[r[0]][r[2]:r[3]] for r in kept],
        "detail": [json.dumps({"category": r[1].name}) for r in kept],
        "source": "category",
        "confidence": 1.0,
    })
    promise = (frame["cue"] == "promise").to_numpy(dtype=bool)
    if promise.any():  # a promise's action and due phrase, as the cue pipeline gives them
        said = reference_times(turns, interactions).to_numpy()[pos]
        details, dues = [], []
        for k in np.flatnonzero(promise).tolist():
            r = kept[k]
            detail, due = _promise_detail(texts[r[0]], r[2], r[3], said[k], r[1].name, tz,
                                          calendar)
            details.append(detail)
            dues.append(due)
        frame.loc[promise, "detail"] = details
        frame["due_at"] = pd.NaT
        frame["due_at"] = pd.to_datetime(frame["due_at"], utc=True)
        frame.loc[promise, "due_at"] = pd.to_datetime(pd.Series(dues, dtype="object"),
                                                      utc=True).to_numpy()
    return conform(frame, EVIDENCE)


_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")


def _promise_detail(text: str, start: int, end: int, said: Any, name: str,
                    tz: str | tzinfo, calendar: BusinessCalendar | None
                    ) -> tuple[str, pd.Timestamp | None]:
    """A category promise's ``detail`` (its category, action and due phrase) and due time,
    read from the sentence around it (ended by ``.``, ``!`` or ``?``)."""
    from ..clock.due import find_due, find_due_phrase

    lo = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    m = _SENTENCE_END.search(text, end)
    sentence = text[lo:m.end() if m else len(text)]
    detail: dict[str, Any] = {"action": text[start:end], "category": name}
    due_at = None
    if pd.isna(said):
        phrase = find_due_phrase(sentence, calendar=calendar)
        if phrase is not None:
            detail["due_phrase"] = phrase.phrase
    else:
        due = find_due(sentence, pd.Timestamp(said).to_pydatetime(warn=False), tz=tz,
                       calendar=calendar)
        if due is not None:
            detail["due_phrase"] = due.phrase
            due_at = pd.Timestamp(due.due)
    return json.dumps(detail, ensure_ascii=False, sort_keys=True), due_at


def merge_evidence(evidence: pd.DataFrame, found: pd.DataFrame,
                   turns: pd.DataFrame) -> pd.DataFrame:
    """Cue evidence with category rows added, in turn order (within a turn, the cue rows
    first). A row of a category that extends a cue is left out where it overlaps a row
    of that cue in the same turn: one cue, one row."""
    if not len(found):
        return evidence
    if not len(evidence):
        return found
    ext = found["cue"].astype("string") != MARKER
    if ext.any():
        key = ["interaction_id", "turn_index", "cue"]
        left = found.loc[ext, [*key, "start_char", "end_char"]].reset_index()
        right = evidence[[*key, "start_char", "end_char"]].astype({"cue": "string"})
        pairs = left.astype({"cue": "string"}).merge(right, on=key, suffixes=("", "_cue"))
        hit = pairs.loc[(pairs["start_char"] < pairs["end_char_cue"])
                        & (pairs["start_char_cue"] < pairs["end_char"]), "index"]
        found = found.drop(index=pd.Index(hit.unique()))
    rows = pd.concat([evidence, found], ignore_index=True)
    position = pd.Series(np.arange(len(turns)), index=pd.MultiIndex.from_arrays(
        [turns["interaction_id"].astype(str).to_numpy(), turns["turn_index"].to_numpy()]))
    at = pd.MultiIndex.from_arrays([rows["interaction_id"].astype(str).to_numpy(),
                                    rows["turn_index"].to_numpy()])
    pos = position.reindex(at).to_numpy(dtype="float64", na_value=np.inf)
    order = np.argsort(pos, kind="stable")
    return conform(rows.iloc[order].reset_index(drop=True), EVIDENCE)


def category_measures(evidence: pd.DataFrame, interactions: pd.DataFrame,
                      categories: Categories) -> pd.DataFrame:
    """``category_<name>``: hits of each new category per interaction (in the order of
    ``interactions``), as int64 counts."""
    ids = interactions["interaction_id"].astype("string").to_numpy(dtype=object)
    names = [c.name for c in categories.categories if c.measure]
    mine = evidence[(evidence["source"].astype("string") == "category").fillna(False).to_numpy(
        dtype=bool) & (evidence["cue"].astype("string") == MARKER).fillna(False).to_numpy(
        dtype=bool)]
    if len(mine):
        name = mine["detail"].astype("string").map(lambda d: json.loads(d)["category"])
        counts = (pd.crosstab(mine["interaction_id"].astype("string").to_numpy(),
                              name.to_numpy()))
    else:
        counts = pd.DataFrame()
    table = counts.reindex(index=ids, columns=names, fill_value=0).fillna(0).astype("int64")
    table.columns = [MEASURE_PREFIX + n for n in names]
    return table.reset_index(drop=True)


#: cue pipeline (a custom ``nlp``, :func:`serviceart.recategorise`)
_MATCHERS: dict[tuple[str, str | None], tuple[Language, CategoryMatcher]] = {}


def with_categories(evidence: pd.DataFrame, turns: pd.DataFrame, interactions: pd.DataFrame,
                    settings: Any, nlp: Language | None = None) -> pd.DataFrame:
    """``evidence`` with the rows of ``settings.categories`` merged in (see
    :func:`merge_evidence`).

    The hits are taken from ``nlp``'s categories component when it has just run over
    ``turns`` (the cue pipeline of :func:`serviceart.run.chunk.pipeline`); otherwise the
    turns are tokenized and matched here.
    """
    import spacy

    cats: Categories | None = settings.categories
    if cats is None:
        return evidence
    component = component_of(nlp) if nlp is not None else None
    hits = component.take() if component is not None else None
    if hits is None or len(hits) != len(turns) or component is None or (
            component.matcher.categories.hash != cats.hash):
        key = (cats.hash, settings.patterns_dir)
        if key not in _MATCHERS:
            blank = spacy.blank("en")
            _MATCHERS[key] = (blank, CategoryMatcher(blank, cats, settings.patterns_dir))
        blank, matcher = _MATCHERS[key]
        texts = turns["text"].astype("string").fillna("").to_numpy(dtype=object)
        hits = match_texts(list(texts), matcher, blank, settings.batch_size)
    found = category_evidence(turns, interactions, cats, hits, tz=settings.tz,
                              calendar=settings.calendar)
    return merge_evidence(evidence, found, turns)
