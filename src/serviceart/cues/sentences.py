"""spaCy's rule-based sentencizer, reading token attributes as arrays.

:class:`Sentencizer` gives exactly the sentence starts of
``spacy.pipeline.Sentencizer`` (the same rule, punctuation characters and
serialisation), but reads the ``ORTH`` and ``IS_PUNCT`` of a batch of documents as one array
and applies the rule to it with numpy, instead of making a ``Token`` object
per token in a Python loop (a fifth of the cue pipeline's time on real
support text). ``tests/cues/test_sentences.py``
compares the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
from spacy.attrs import IS_PUNCT, ORTH
from spacy.language import Language
from spacy.pipeline import Sentencizer as SpacySentencizer
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.util import minibatch

__all__ = ["FACTORY", "Sentencizer"]

FACTORY = "serviceart_sentencizer"


class Sentencizer(SpacySentencizer):
    """A sentence starts at the first token after a sentence-ending character
    (``punct_chars``) that is not punctuation itself, and at the first token."""

    _chars_of: frozenset[str] = frozenset()
    _hashes: np.ndarray = np.zeros(0, dtype="uint64")

    def _char_hashes(self) -> np.ndarray:
        """Sorted hashes (``ORTH``) of the sentence-ending characters, kept while they stay."""
        if self.punct_chars != self._chars_of:
            self._chars_of = frozenset(self.punct_chars)
            self._hashes = np.array(sorted(get_string_id(c) for c in self._chars_of),
                                    dtype="uint64")
        return self._hashes

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        """Set the sentence starts of a stream of docs, a batch at a time (spaCy's
        sentencizer takes them one by one)."""
        error_handler = self.get_error_handler()
        for docs in minibatch(stream, size=batch_size):
            try:
                self.set_annotations(docs, self.predict(docs))
                yield from docs
            except Exception as e:
                error_handler(self.name, self, docs, e)

    def predict(self, docs: Iterable[Doc]) -> list[list[bool]]:
        """Sentence starts of each doc (``True`` where one starts), without changing it.

        spaCy's rule walks the tokens with a flag ("a sentence-ending character
        was seen since the last start"). Equivalently, a token starts a sentence
        when it is neither punctuation nor a sentence-ending character and a
        sentence-ending character stands between it and the previous such token
        of its doc; the first token of a doc always starts one. That is computed
        here for the whole batch at once.
        """
        docs = list(docs)
        sizes = [len(doc) for doc in docs]
        total = sum(sizes)
        if not total:
            return [[] for _ in docs]
        attrs = np.concatenate([doc.to_array([ORTH, IS_PUNCT]) for doc in docs if len(doc)])
        ends = self._char_hashes()
        orth = attrs[:, 0]
        is_end = (ends[np.minimum(np.searchsorted(ends, orth), len(ends) - 1)] == orth
                  if len(ends) else np.zeros(total, dtype=bool))
        plain = ~is_end & (attrs[:, 1] == 0)
        index = np.arange(total)
        first = np.repeat(np.cumsum([0, *sizes[:-1]]), sizes)  # first token of each one's doc
        # the latest plain token and the latest ending character strictly before each token
        last_plain = np.maximum.accumulate(np.where(plain, index, -1))
        last_end = np.maximum.accumulate(np.where(is_end, index, -1))
        before_plain = np.maximum(np.concatenate(([-1], last_plain[:-1])), first - 1)
        before_end = np.concatenate(([-1], last_end[:-1]))
        starts = plain & (before_end > before_plain)
        starts[index == first] = True
        flags = starts.tolist()
        out: list[list[bool]] = []
        at = 0
        for n in sizes:
            out.append(flags[at:at + n])
            at += n
        return out


@Language.factory(FACTORY, assigns=["token.is_sent_start", "doc.sents"],
                  default_config={"punct_chars": None, "overwrite": False,
                                  "scorer": {"@scorers": "spacy.senter_scorer.v1"}},
                  default_score_weights={"sents_f": 1.0, "sents_p": 0.0, "sents_r": 0.0})
def _make_sentencizer(nlp: Language, name: str, punct_chars: list[str] | None,
                      overwrite: bool, scorer: Callable[..., Any] | None) -> Sentencizer:
    return Sentencizer(name, punct_chars=punct_chars, overwrite=overwrite, scorer=scorer)
