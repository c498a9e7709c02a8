"""The learned cue detector: per-cue sentence classifiers beside the patterns.

The unit is a sentence (as the pipeline's sentencizer splits it). A sentence is
described by hashed token features read as arrays from spaCy (no Python loop
per token):

- ``w <norm>``: each token's norm (URLs read ``<url>``, numbers ``<num>``;
  spaCy's norms already spell contractions out: "can't" reads "can not");
- ``b <norm> <norm>``: each pair of neighbouring tokens in the sentence;
- ``s <suffix>``: each token's last three characters (spaCy's ``SUFFIX``);
- ``p <norm>``: each word of the previous sentence of the same turn (context);
- ``n <norm>``: each word in the scope of a negation (:data:`NEGATIONS`, up to the
  next punctuation or the sentence's end);
- ``f first``, ``f last``: the first and the last sentence of the turn;
- ``c <gram>``: character 3- to 5-grams of alphabetic words, read as ``<norm>``
  (available; the shipped model does not use them, see ``docs/codebook.md``).

Whitespace tokens are skipped. A model reads only the kinds its features use.
Features are weighted by TF-IDF (``1 + ln(count)``
times the inverse document frequency of the training sentences, rows scaled to
unit length), and each cue has a logistic-regression weight vector and an
intercept. Inference is one sparse matrix product, with numpy and scipy only.

:class:`CueModel` holds a model; the shipped one (``model/cues_model.json``) is
built by :mod:`serviceart.cues.train` and read by :func:`load_model`. The spaCy
component :class:`ModelCues` (``serviceart_cue_model``) puts a cue on a sentence
when the sentence's probability reaches the cue's threshold and the patterns did
not find that cue in that sentence. Its spans go to ``doc.spans["serviceart_model"]``
with their probabilities in the group's ``attrs["confidence"]``. A model may also
hold checks of pattern hits (``check_cues``; the shipped one has none): the
component then removes from ``doc.spans["serviceart"]`` each pattern span of a
checked cue whose sentence's probability is under the cue's check threshold.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from spacy.attrs import (
    IDX,
    IS_ALPHA,
    IS_PUNCT,
    IS_SPACE,
    LENGTH,
    LIKE_NUM,
    LIKE_URL,
    NORM,
    SENT_START,
    SUFFIX,
)
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, SpanGroup
from spacy.util import minibatch

from ..errors import ConfigError

__all__ = [
    "COMPONENT",
    "MODEL_KEY",
    "ROLES_KEY",
    "CueModel",
    "ModelCues",
    "Sentences",
    "load_model",
    "sentences",
]

COMPONENT = "serviceart_cue_model"
MODEL_KEY = "serviceart_model"
#: ``doc.user_data`` key: the roles (a frozenset) whose cues are wanted from the doc,
#: set by :func:`serviceart.cues.evidence.extract_evidence` to the roles of the turns
#: that say its text (cues of other roles would be dropped). The cue components may
#: then skip the work only other roles' cues need; without it every cue is found.
ROLES_KEY = "serviceart_roles"

_ATTRS = [NORM, SUFFIX, SENT_START, IS_SPACE, LIKE_URL, LIKE_NUM, IS_PUNCT, IS_ALPHA]
_CHARS = [IDX, LENGTH]
_MUL = np.uint64(0x9E3779B97F4A7C15)  # odd constant of the bigram mix
_SALT = {"w": np.uint64(0x243F6A8885A308D3), "b": np.uint64(0x13198A2E03707344),
         "s": np.uint64(0xA4093822299F31D0), "p": np.uint64(0x082EFA98EC4E6C89),
         "n": np.uint64(0x452821E638D01377), "f": np.uint64(0xBE5466CF34E90C6C),
         "c": np.uint64(0xC0AC29B7C97C50DD)}
#: Feature kinds (see the module docstring); the first three are the original ones.
KINDS = ("w", "b", "s", "p", "n", "f", "c")
BASE_KINDS = ("w", "b", "s")
_URL = np.uint64(get_string_id("<url>"))
_NUM = np.uint64(get_string_id("<num>"))
_FIRST = np.uint64(get_string_id("first"))
_LAST = np.uint64(get_string_id("last"))
_FIXED = {_URL: "<url>", _NUM: "<num>", _FIRST: "first", _LAST: "last"}
#: Norms that open a negation scope (to the next punctuation or the sentence's end).
NEGATIONS = ("not", "no", "never", "nothing", "nobody", "none", "nor", "neither", "cannot",
             "without")
_NEG = np.array([get_string_id(w) for w in NEGATIONS], dtype="uint64")
#: Character n-gram lengths of the ``c`` features (of ``<norm>``, alphabetic tokens).
GRAM_SIZES = (3, 4, 5)
_GRAMS: dict[int, tuple[list[str], np.ndarray]] = {}


def _grams(h: int, text: str) -> tuple[list[str], np.ndarray]:
    """The character n-grams of one norm and their keys (cached by the norm's hash)."""
    got = _GRAMS.get(h)
    if got is None:
        marked = f"<{text}>"
        grams = sorted({marked[i:i + n] for n in GRAM_SIZES
                        for i in range(len(marked) - n + 1)})
        got = (grams, _key("c", np.array([get_string_id(g) for g in grams], dtype="uint64")))
        if len(_GRAMS) < 200_000:
            _GRAMS[h] = got
    return got


def _key(kind: str, a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Feature keys (uint64) of string hashes; integer overflow wraps, as intended."""
    salt = _SALT[kind]
    if b is None:
        return a ^ salt
    return (a * _MUL) ^ b ^ salt


def _pair_counts(row: np.ndarray, col: np.ndarray, n: int,
                 m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct ``(row, col)`` pairs (rows below ``n``, columns below ``m``) sorted
    by row then column, and how often each occurs: one sort of their combined codes
    (32-bit when they fit, which sorts faster)."""
    dtype = "int32" if n * m < 2**31 else "int64"
    codes = np.sort(row.astype(dtype) * m + col.astype(dtype))
    if not len(codes):
        empty = np.zeros(0, dtype="int64")
        return empty, empty, empty
    new = np.empty(len(codes), dtype=bool)
    new[0] = True
    np.not_equal(codes[1:], codes[:-1], out=new[1:])
    first = np.flatnonzero(new)
    count = np.diff(first, append=len(codes))
    pair = codes[first].astype("int64")
    r = pair // m
    return r, pair - r * m, count


def _logistic(scores: Any) -> np.ndarray:
    """The logistic function of linear scores, as an array."""
    return np.asarray(1.0 / (1.0 + np.exp(-scores)))


@dataclass
class Sentences:
    """The sentences of a batch of docs and their feature keys.

    Attributes
    ----------
    doc
        The doc (position in the batch) of each sentence.
    start, end
        Character span of each sentence, whitespace at its ends left out.
    tok_start, tok_end
        Token span of each sentence in its doc, whitespace at its ends left out.
    row, key
        One entry per feature occurrence: its sentence and its key.
    strings
        Readable names of keys (filled only when asked for, for training).
    """

    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    tok_start: np.ndarray
    tok_end: np.ndarray
    row: np.ndarray
    key: np.ndarray
    strings: dict[int, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.doc)


def sentences(docs: Sequence[Doc], *, names: bool = False, chars: bool = True,
              kinds: Sequence[str] = KINDS) -> Sentences:
    """Split a batch of docs into sentences and read their features.

    Sentences holding only whitespace are left out.

    Parameters
    ----------
    docs
        Docs with sentence boundaries.
    names
        Also record a readable name of every key (for building a model).
    chars
        Fill ``start`` and ``end`` (left at -1 otherwise: the component reads the
        character span of the few sentences it marks from their tokens).
    kinds
        The feature kinds to read (see :data:`KINDS`).

    Returns
    -------
    Sentences
    """
    sizes = np.array([len(d) for d in docs], dtype="int64")
    total = int(sizes.sum())
    empty = np.zeros(0, dtype="int64")
    if total == 0:
        return Sentences(empty, empty, empty, empty, empty, empty, np.zeros(0, dtype="uint64"))
    arr = np.concatenate([d.to_array(_ATTRS) for d in docs if len(d)]).astype("uint64")
    norm, suffix = arr[:, 0].copy(), arr[:, 1]
    doc_of = np.repeat(np.arange(len(docs)), sizes)
    first_tok = np.repeat(np.cumsum(sizes) - sizes, sizes)
    tok_in_doc = np.arange(total) - first_tok
    starts = (arr[:, 2] == 1) | (tok_in_doc == 0)
    sent_raw = np.cumsum(starts) - 1
    space = arr[:, 3] == 1
    url, num = arr[:, 4] == 1, arr[:, 5] == 1
    norm[url] = _URL
    norm[num & ~url] = _NUM
    keep = np.flatnonzero(~space)
    if not len(keep):
        return Sentences(empty, empty, empty, empty, empty, empty, np.zeros(0, dtype="uint64"))
    # renumber the sentences that hold a non-space token (sent_raw does not decrease)
    raw = sent_raw[keep]
    new = np.r_[True, raw[1:] != raw[:-1]]
    sent = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    last = np.r_[first[1:] - 1, len(raw) - 1]
    k_first, k_last = keep[first], keep[last]
    doc = doc_of[k_first]
    if chars:
        pos = np.concatenate([d.to_array(_CHARS) for d in docs if len(d)]).astype("int64")
        start, end = pos[k_first, 0], pos[k_last, 0] + pos[k_last, 1]
    else:
        start = end = np.full(len(first), -1, dtype="int64")
    out = Sentences(doc=doc, start=start, end=end,
                    tok_start=tok_in_doc[k_first], tok_end=tok_in_doc[k_last] + 1,
                    row=empty, key=np.zeros(0, dtype="uint64"))
    kn, ks = norm[keep], suffix[keep]
    plain = ~(url | num)[keep]
    same = sent[1:] == sent[:-1]
    rows: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    named: list[tuple[str, np.ndarray, np.ndarray]] = []  # kind, keys, norms (for names)
    if "w" in kinds:
        rows.append(sent)
        keys.append(_key("w", kn))
        named.append(("w", keys[-1], kn))
    if "b" in kinds:
        rows.append(sent[:-1][same])
        keys.append(_key("b", kn[:-1][same], kn[1:][same]))
    if "s" in kinds:
        rows.append(sent[plain])
        keys.append(_key("s", ks[plain]))
        named.append(("s", keys[-1], ks[plain]))
    word = ~arr[keep, 6].astype(bool)  # not punctuation
    if "p" in kinds:  # the previous sentence's words, as context of the next one
        n_sent = len(first)
        nxt = np.minimum(sent + 1, n_sent - 1)
        ctx = word & (sent + 1 < n_sent) & (doc[nxt] == doc[sent])
        rows.append(nxt[ctx])
        keys.append(_key("p", kn[ctx]))
        named.append(("p", keys[-1], kn[ctx]))
    if "n" in kinds:  # words after a negation, up to punctuation or the sentence's end
        neg = np.isin(kn, _NEG)
        seg = np.cumsum(new | ~word)
        before: np.ndarray = np.cumsum(neg) - neg  # negations before each token
        seg_first = np.r_[True, seg[1:] != seg[:-1]]
        at_start: np.ndarray = before[np.flatnonzero(seg_first)][seg - seg[0]]
        scope = word & ~neg & (before > at_start)
        rows.append(sent[scope])
        keys.append(_key("n", kn[scope]))
        named.append(("n", keys[-1], kn[scope]))
    if "f" in kinds:  # the first and the last sentence of a turn
        is_first = np.r_[True, doc[1:] != doc[:-1]]
        is_last = np.r_[doc[1:] != doc[:-1], True]
        f_rows = np.r_[np.flatnonzero(is_first), np.flatnonzero(is_last)]
        f_norm = np.r_[np.full(int(is_first.sum()), _FIRST, dtype="uint64"),
                       np.full(int(is_last.sum()), _LAST, dtype="uint64")]
        rows.append(f_rows)
        keys.append(_key("f", f_norm))
        named.append(("f", keys[-1], f_norm))
    if "c" in kinds:  # character n-grams of alphabetic words
        alpha = np.flatnonzero(plain & arr[keep, 7].astype(bool))
        uniq, inv = np.unique(kn[alpha], return_inverse=True)
        strings = docs[0].vocab.strings
        per = [_grams(int(h), strings[int(h)]) for h in uniq.tolist()]
        lens = np.array([len(g[1]) for g in per], dtype="int64")
        flat = (np.concatenate([g[1] for g in per]) if per
                else np.zeros(0, dtype="uint64"))
        offs = np.cumsum(lens) - lens
        n_occ = lens[inv]
        occ_start = np.cumsum(n_occ) - n_occ
        idx = np.arange(int(n_occ.sum())) - np.repeat(occ_start - offs[inv], n_occ)
        rows.append(np.repeat(sent[alpha], n_occ))
        keys.append(flat[idx])
        if names:
            for g in per:
                for gram, k in zip(g[0], g[1].tolist(), strict=True):
                    out.strings.setdefault(k, "c " + gram)
    out.row = np.concatenate(rows) if rows else empty
    out.key = np.concatenate(keys) if keys else np.zeros(0, dtype="uint64")
    if names:
        strings = docs[0].vocab.strings

        def name(h: np.uint64) -> str:
            return _FIXED.get(h) or strings[int(h)]

        for kind, ks_, hs in named:
            for k, h in zip(ks_.tolist(), hs.tolist(), strict=True):
                out.strings.setdefault(k, f"{kind} {name(np.uint64(h))}")
        if "b" in kinds:
            bi = _key("b", kn[:-1][same], kn[1:][same])
            pairs = zip(bi.tolist(), kn[:-1][same].tolist(), kn[1:][same].tolist(), strict=True)
            for k, a, b in pairs:
                out.strings.setdefault(k, f"b {name(np.uint64(a))} {name(np.uint64(b))}")
    return out


def feature_keys(names: Sequence[str]) -> np.ndarray:
    """The keys of readable feature names (``"w thanks"``, ``"b thank you"``, ``"s nks"``)."""
    keys = np.zeros(len(names), dtype="uint64")
    by_kind: dict[str, tuple[list[int], list[int], list[int]]] = {}
    for i, text in enumerate(names):
        kind, _, rest = text.partition(" ")
        if kind == "b":
            a, _, b = rest.partition(" ")
            rows, first, second = by_kind.setdefault(kind, ([], [], []))
            rows.append(i)
            first.append(get_string_id(a))
            second.append(get_string_id(b))
        elif kind in _SALT:
            rows, first, _ = by_kind.setdefault(kind, ([], [], []))
            rows.append(i)
            first.append(get_string_id(rest))
        else:
            raise ConfigError(f"the cue model names a feature of unknown kind: {text!r}; "
                              "rebuild it with `make cues-model`", code="SA-C110")
    for kind, (rows, first, second) in by_kind.items():
        hashes = np.array(first, dtype="uint64")
        keys[rows] = _key(kind, hashes,
                          np.array(second, dtype="uint64") if kind == "b" else None)
    return keys


@dataclass
class CueModel:
    """A set of per-cue logistic regressions over TF-IDF sentence features.

    Attributes
    ----------
    features
        Readable feature names (see :func:`feature_keys`).
    idf
        Inverse document frequency of each feature.
    cues
        The cues the model may add.
    coef
        Weights, one row per feature and one column per cue.
    intercept, threshold
        One per cue; the model adds a cue where its probability reaches the threshold.
    meta
        Sources, licences, training counts and cross-validated figures.
    """

    features: list[str]
    idf: np.ndarray
    cues: list[str]
    coef: np.ndarray
    intercept: np.ndarray
    threshold: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    check_cues: list[str] = field(default_factory=list)
    check_coef: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    check_intercept: np.ndarray = field(default_factory=lambda: np.zeros(0))
    check_threshold: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        keys = feature_keys(self.features)
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        self._index = pd.Index(self._keys)
        self._idf = np.asarray(self.idf, dtype="float64")[order]
        coef = np.asarray(self.coef, dtype="float64").reshape(len(self.features), len(self.cues))
        self._coef = coef[order]
        self._intercept = np.asarray(self.intercept, dtype="float64")
        check = np.asarray(self.check_coef, dtype="float64").reshape(
            len(self.features), len(self.check_cues))
        self._check_coef = check[order]
        self._check_intercept = np.asarray(self.check_intercept, dtype="float64")
        used = {f.partition(" ")[0] for f in self.features}
        self.kinds = tuple(k for k in KINDS if k in used)
        if len(np.unique(self._keys)) != len(self._keys):
            raise ConfigError("the cue model lists a feature twice; rebuild it with "
                              "`make cues-model`", code="SA-C111")

    def matrix(self, sents: Sentences) -> sparse.csr_matrix:
        """The TF-IDF rows (unit length) of the sentences, over this model's features."""
        n, m = len(sents), len(self._keys)
        if not n or not m:
            return sparse.csr_matrix((n, m))
        at = self._index.get_indexer(sents.key)  # a hash lookup: -1 for unknown keys
        known = at >= 0
        row, col, count = _pair_counts(sents.row[known], at[known], n, m)
        indptr = np.zeros(n + 1, dtype="int64")
        np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
        data = (1.0 + np.log(count.astype("float64"))) * self._idf[col]
        # each row's sum of squares as scipy's row sum makes it (np.add.reduceat over
        # the row in column order), so that the values are the same to the last bit
        filled = np.flatnonzero(indptr[1:] != indptr[:-1])
        norms = np.zeros(n)
        if len(filled):
            norms[filled] = np.add.reduceat(data * data, indptr[filled])
        norms = np.sqrt(norms)
        norms[norms == 0] = 1.0
        data *= (1.0 / norms)[row]
        # Columns are stored in descending order within each row, the order of the
        # scipy product (diagonal @ counts) this replaces: ``x @ coef`` adds a row's
        # terms in stored order, and another order could change a probability's last bit.
        at_ = (indptr[:-1] + indptr[1:] - 1)[row] - np.arange(len(row))
        out_data = np.empty_like(data)
        out_data[at_] = data
        out_col = np.empty(len(col), dtype="int32")
        out_col[at_] = col
        return sparse.csr_matrix((out_data, out_col, indptr.astype("int32")), shape=(n, m))

    def proba(self, sents: Sentences, x: sparse.csr_matrix | None = None) -> np.ndarray:
        """Each sentence's probability of each cue (rows: sentences, columns: ``cues``);
        ``x`` is :meth:`matrix`, when already made."""
        x = self.matrix(sents) if x is None else x
        return _logistic(x @ self._coef + self._intercept)

    def check_proba(self, sents: Sentences,
                    x: sparse.csr_matrix | None = None) -> np.ndarray:
        """Each sentence's probability that a pattern hit of each checked cue in it is
        right (rows: sentences, columns: ``check_cues``); ``x`` is :meth:`matrix`, when
        already made."""
        x = self.matrix(sents) if x is None else x
        return _logistic(x @ self._check_coef + self._check_intercept)

    def to_json(self) -> str:
        """The model as JSON text (deterministic: the same model gives the same bytes)."""
        data = {
            "format": 1,
            "meta": self.meta,
            "cues": self.cues,
            "intercept": [round(float(x), 6) for x in self.intercept],
            "threshold": [round(float(x), 6) for x in self.threshold],
            "features": self.features,
            "idf": [round(float(x), 6) for x in self.idf],
            "coef": [[round(float(x), 6) for x in row]
                     for row in np.asarray(self.coef).reshape(len(self.features), len(self.cues))],
        }
        if self.check_cues:  # written only when some cue has a check
            data["check"] = {
                "cues": self.check_cues,
                "intercept": [round(float(x), 6) for x in self.check_intercept],
                "threshold": [round(float(x), 6) for x in self.check_threshold],
                "coef": [[round(float(x), 6) for x in row]
                         for row in np.asarray(self.check_coef).reshape(
                             len(self.features), len(self.check_cues))],
            }
        return json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, *, source: str = "the cue model") -> CueModel:
        """Read a model written by :meth:`to_json`."""
        try:
            data = json.loads(text)
            cues = list(data["cues"])
            features = list(data["features"])
            coef = np.array(data["coef"], dtype="float64").reshape(len(features), len(cues))
            check = dict(data.get("check", {}))
            check_cues = list(check.get("cues", []))
            return cls(features=features, idf=np.array(data["idf"], dtype="float64"),
                       cues=cues, coef=coef,
                       intercept=np.array(data["intercept"], dtype="float64"),
                       threshold=np.array(data["threshold"], dtype="float64"),
                       meta=dict(data.get("meta", {})), check_cues=check_cues,
                       check_coef=np.array(check.get("coef", []), dtype="float64").reshape(
                           len(features), len(check_cues)),
                       check_intercept=np.array(check.get("intercept", []), dtype="float64"),
                       check_threshold=np.array(check.get("threshold", []), dtype="float64"))
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{source} is not a readable cue model ({exc}); rebuild it with "
                              "`make cues-model`", code="SA-C112") from exc


def default_path() -> Path:
    """Where the shipped model lives inside the package."""
    return Path(str(resources.files("serviceart.cues").joinpath("model", "cues_model.json")))


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> CueModel:
    """The cue model at ``path`` (the shipped one when ``None``), read once.

    Parameters
    ----------
    path
        A file written by :meth:`CueModel.to_json`.

    Returns
    -------
    CueModel
    """
    file = default_path() if path is None else Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the cue model {file}: {exc}; rebuild it with "
                          "`make cues-model` or build the pipeline with model=False",
                          code="SA-C113") from exc
    return CueModel.from_json(text, source=str(file))


class ModelCues:
    """The ``serviceart_cue_model`` component: adds the cues the patterns missed.

    It runs after ``serviceart_cues``. On each sentence, a cue whose probability
    reaches its threshold is added (as a span over the sentence) unless a pattern
    span of that cue overlaps the sentence. Roles are applied downstream, as for
    pattern cues. The additions are the span group ``doc.spans["serviceart_model"]``
    (:data:`MODEL_KEY`), with their ``confidence`` in its attrs; a doc the model adds
    nothing to has no such group. A doc whose ``user_data`` names roles
    (:data:`ROLES_KEY`) none of the model's cues has is left as it is.

    Parameters
    ----------
    nlp
        The pipeline the component belongs to.
    name
        The component's name.
    model_path
        A model file; the shipped one when ``None``.
    """

    def __init__(self, nlp: Language, name: str = COMPONENT,
                 model_path: str | None = None) -> None:
        self.name = name
        self.model = load_model(model_path)
        self._labels = [nlp.vocab.strings.add(c) for c in self.model.cues]

    @property
    def roles(self) -> frozenset[str]:
        """The codebook roles of the cues the model adds or checks (its work on a text
        matters only for turns of these roles)."""
        from ..codebook import CUES

        return frozenset(CUES[c].role for c in (*self.model.cues, *self.model.check_cues))

    def __call__(self, doc: Doc) -> Doc:
        """Add model cues to one doc."""
        self._annotate([doc])
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 256) -> Iterator[Doc]:
        """Add model cues to a stream of docs, a batch at a time (nothing to do, and no
        span group made, when the model has no cue)."""
        if not self.model.cues and not self.model.check_cues:
            yield from stream
            return
        for docs in minibatch(stream, size=batch_size):
            self._annotate(docs)
            yield from docs

    def _annotate(self, docs: Sequence[Doc]) -> None:

        model = self.model
        if not model.cues and not model.check_cues:
            return
        mine = self.roles
        docs = [d for d in docs if mine.intersection(d.user_data.get(ROLES_KEY, mine))]
        if not docs:
            return
        sents = sentences(docs, chars=False, kinds=model.kinds)
        if not len(sents):
            return
        x = model.matrix(sents)
        prob = model.proba(sents, x)
        self._add(docs, sents, prob)
        if model.check_cues:  # after the additions: a dropped hit is not re-added
            self._check(docs, sents, model.check_proba(sents, x))

    def _add(self, docs: Sequence[Doc], sents: Sentences, prob: np.ndarray) -> None:
        """Add the cues whose probability reaches their threshold where no pattern span
        of the cue overlaps the sentence."""
        from .pipeline import SPANS_KEY

        model = self.model
        hit_rows, hit_cues = np.nonzero(prob >= model.threshold)
        cue_names = model.cues
        for r, c in zip(hit_rows.tolist(), hit_cues.tolist(), strict=True):
            doc = docs[int(sents.doc[r])]
            span = doc[int(sents.tok_start[r]):int(sents.tok_end[r])]
            s, e = span.start_char, span.end_char
            label = cue_names[c]
            if any(sp.label_ == label and sp.start_char < e and s < sp.end_char
                   for sp in doc.spans[SPANS_KEY]):
                continue
            if MODEL_KEY not in doc.spans:  # made only for docs the model adds to
                doc.spans[MODEL_KEY] = SpanGroup(doc, name=MODEL_KEY, attrs={"confidence": []})
            group = doc.spans[MODEL_KEY]
            group.append(Span(doc, span.start, span.end, label=self._labels[c]))
            group.attrs["confidence"].append(round(float(prob[r, c]), 4))

    def _check(self, docs: Sequence[Doc], sents: Sentences, prob: np.ndarray) -> None:
        """Drop the pattern spans of checked cues whose sentence's probability of the
        hit being right is under the cue's threshold (the sentence holding the span's
        first token)."""
        from .pipeline import SPANS_KEY

        col = {c: j for j, c in enumerate(self.model.check_cues)}
        thr = self.model.check_threshold
        bounds = np.searchsorted(sents.doc, np.arange(len(docs) + 1), side="left")
        for i, doc in enumerate(docs):
            group = doc.spans[SPANS_KEY]
            if not any(sp.label_ in col for sp in group):
                continue
            a, b = int(bounds[i]), int(bounds[i + 1])
            ends = sents.tok_end[a:b]
            kept = []
            for sp in group:
                j = col.get(sp.label_)
                k = a + int(np.searchsorted(ends, sp.start, side="right"))
                if j is None or k >= b or prob[k, j] >= thr[j]:
                    kept.append(sp)
            if len(kept) < len(group):
                doc.spans[SPANS_KEY] = SpanGroup(doc, name=SPANS_KEY, spans=kept)


@Language.factory(COMPONENT, default_config={"model_path": None})
def _make_model_cues(nlp: Language, name: str, model_path: str | None) -> ModelCues:
    return ModelCues(nlp, name, model_path)
