"""Redaction: personal data replaced by its type (``[EMAIL]``, ``[CARD]``, ``[NAME]``).

What is found is the data file ``data/redact.toml``: one entry per entity type
(:data:`ENTITIES`), each with its patterns, a check where one exists (the Luhn
checksum of card numbers, the mod-97 checksum of IBANs, a valid IP address, 7 to
15 digits for a phone number) and its replacement. A match that fails its check
is kept: ``4111 1111 1111 1112`` is not a card number. The ``name`` type also
redacts the names the export itself gives, as a deny-list: the turns' speakers,
the agent and customer ids and any interaction column whose name says it holds a
name or an e-mail (:func:`export_names`).

Redaction runs on what leaves the engine, after the cues are found and the
scores computed (:func:`redact_tables`, called at the end of
:func:`serviceart.run.chunk.score_part` when ``ScoreSettings.redact`` is set), so
scores are the same with and without it. It covers the turns' text, the evidence
text (its character offsets are moved to the redacted turn text, so highlights
still fit), promise actions and reasons, scope reasons and reject reasons, and
the interactions' text columns. Customer ids, and the speaker of every turn that
is not an agent's, become a pseudonym (``customer-`` and 12 hex digits of their
SHA-256): stable, so one customer's contacts still group together, but not
anonymous (anyone holding an id can hash it and compare). Agent ids stay: the
report and the exports are about agents.

No model and no network: Presidio's analyzer was measured for this (see
``docs/redaction.md``) and not used, because its default engine downloads a spaCy
model, its e-mail check fetches the public suffix list at run time, and its
pattern recognizers ran at 12,000 words/s on the Twitter sample, a quarter of
scoring speed.

Examples
--------
>>> redact_text("Hi Maria, card 4111 1111 1111 1111, mail maria@example.com")
'Hi [NAME], card [CARD], mail [EMAIL]'
>>> redact_text("ref 4111 1111 1111 1112 fails the Luhn check", ["card"])
'ref 4111 1111 1111 1112 fails the Luhn check'
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import ipaddress
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import tomllib

from .errors import ConfigError

if TYPE_CHECKING:
    from .result import Result

__all__ = ["ENTITIES", "Redactor", "entity_types", "export_names", "pseudonym",
           "redact_result", "redact_tables", "redact_text"]

_DATA = "data/redact.toml"

#: what joins texts scanned together: no pattern matches across it
_SEP = "\n\x00\n"
#: a run of word characters: a name without spaces or punctuation is a whole one
_WORD = re.compile(r"\w+")

#: interaction columns that are keys or categories, never free text: kept as they are
_KEEP_COLUMNS = frozenset({"interaction_id", "case_id", "agent_id", "channel", "case_rule",
                           "team", "queue", "language", "direction", "status", "scope",
                           "repeat_contact", "n_turns", "n_words", "started_at", "ended_at"})


@dataclass(frozen=True)
class _Entity:
    name: str
    label: str
    meaning: str
    check: str | None
    patterns: tuple[str, ...]
    #: a regular expression every match contains: texts without one are not scanned
    needs: str | None = None


def _luhn(digits: str) -> bool:
    total = 0
    for k, ch in enumerate(reversed(digits)):
        d = int(ch)
        if k % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _check_luhn(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    return 13 <= len(digits) <= 19 and _luhn(digits)


def _check_iban(text: str) -> bool:
    code = re.sub(r"[\s-]", "", text).upper()
    if not 15 <= len(code) <= 34:
        return False
    moved = code[4:] + code[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")


def _check_digits(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return 7 <= digits <= 15 and not _DATE.fullmatch(text.strip())


def _check_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


_CHECKS: dict[str, Callable[[str], bool]] = {
    "luhn": _check_luhn, "iban": _check_iban, "digits_7_15": _check_digits, "ip": _check_ip,
}


@functools.cache
def _load() -> tuple[dict[str, _Entity], int, frozenset[str]]:
    """The entity types of ``data/redact.toml`` (checked), the shortest name taken from
    the export and the words never taken as names."""
    source = f"serviceart/{_DATA}"
    data = tomllib.loads(resources.files("serviceart").joinpath(_DATA).read_text("utf-8"))
    entities: dict[str, _Entity] = {}
    for name, raw in (data.get("entities") or {}).items():
        check = raw.get("check")
        if check is not None and check not in _CHECKS:
            raise ConfigError(f"entity {name!r} names the check {check!r}; use one of "
                              f"{sorted(_CHECKS)}", source=source, field=name,
                              code="SA-C270")
        patterns = tuple(raw.get("patterns") or ())
        needs = raw.get("needs")
        for pattern in (*patterns, *([needs] if needs is not None else [])):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"entity {name!r}: pattern {pattern!r} is not a regular "
                                  f"expression ({exc})", source=source, field=name,
                                  code="SA-C271") from exc
        entities[name] = _Entity(name, str(raw["label"]), str(raw.get("meaning", "")), check,
                                 patterns, None if needs is None else str(needs))
    names = data.get("names") or {}
    return (entities, int(names.get("min_length", 3)),
            frozenset(str(w).lower() for w in names.get("not_names", ())))


#: the entity types, in the order they are tried (``redact=True`` means all of them)
ENTITIES: tuple[str, ...] = tuple(_load()[0])


def entity_types(value: bool | str | Iterable[str] | None) -> tuple[str, ...]:
    """The entity types a ``redact`` setting asks for, in :data:`ENTITIES` order.

    Parameters
    ----------
    value
        ``True`` (every type), ``False`` or ``None`` (none), one type name, a
        comma-separated list of them, or a list of them.

    Returns
    -------
    tuple of str
        Empty when nothing is to be redacted.

    Raises
    ------
    ConfigError
        Naming the unknown types and listing the known ones.
    """
    if value is None or value is False:
        return ()
    if value is True:
        return ENTITIES
    if isinstance(value, str):
        value = [v for v in (p.strip() for p in value.split(",")) if v]
    if not isinstance(value, Iterable):
        raise ConfigError(f"redact: give True, False or a list of entity types, not "
                          f"{type(value).__name__}", field="redact", code="SA-C272")
    given = [str(v) for v in value]
    unknown = [v for v in given if v not in ENTITIES]
    if unknown:
        raise ConfigError(f"redact: unknown entity type{'s' if len(unknown) > 1 else ''} "
                          f"{', '.join(map(repr, unknown))}; use some of "
                          f"{', '.join(ENTITIES)} (or True for all)", field="redact",
                          code="SA-C273")
    return tuple(e for e in ENTITIES if e in given)


def pseudonym(value: Any) -> Any:
    """A stable stand-in for a customer id: ``customer-`` and 12 hex digits of its
    SHA-256 (missing values stay missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return value
    return "customer-" + hashlib.sha256(str(value).encode("utf-8")).hexdigest()[:12]


def _name_words(value: str, min_length: int, not_names: frozenset[str]) -> list[str]:
    """The forms of an export name to look for: the whole name and each of its words,
    as given and capitalised; without words that are too short or role words."""
    value = value.strip()
    parts = [value, *re.split(r"[\s,;]+", value)] if value else []
    # ids such as "nina.r" or "maria_lopez", and an e-mail's local part: their words too
    parts += re.split(r"[\s,;._+-]+", value.split("@", 1)[0])
    out: list[str] = []
    for part in parts:
        part = part.strip(" .,;:()<>\"'@")
        if len(part) < min_length or part.lower() in not_names:
            continue
        if part.isdigit() and len(part) < 6:  # "1", "204": labels, not names
            continue
        if not any(ch.isalnum() for ch in part):
            continue
        out.append(part)
        if part[:1].islower():
            out.append(part[:1].upper() + part[1:])
    return out


def export_names(turns: pd.DataFrame | None, interactions: pd.DataFrame | None
                 ) -> tuple[str, ...]:
    """The names an export gives: speakers, agent and customer ids, and every
    interaction column whose name contains ``name`` or ``email``.

    Returns
    -------
    tuple of str
        Sorted, each whole name and its words (role words such as "Agent" and
        numbers under six digits left out; see ``data/redact.toml``'s ``[names]``).
    """
    _, min_length, not_names = _load()
    values: set[str] = set()
    if turns is not None and "speaker" in turns.columns:
        values.update(turns["speaker"].dropna().astype(str).unique().tolist())
    if interactions is not None:
        for column in interactions.columns:
            low = str(column).lower()
            if low in ("agent_id", "customer_id") or "name" in low or "email" in low:
                col = interactions[column]
                if col.dtype == object or isinstance(col.dtype, pd.StringDtype):
                    values.update(col.dropna().astype(str).unique().tolist())
    words: set[str] = set()
    for value in values:
        words.update(_name_words(value, min_length, not_names))
    return tuple(sorted(words))


def _trie(words: Iterable[str], first: str = "") -> str:
    """One regular expression matching any of ``words`` (a trie of alternations, so a
    long deny-list costs about as much as a short one at each position); ``first``
    follows each first character (a look-behind there keeps the pattern starting
    with a literal, which Python's ``re`` scans for quickly)."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any], after: str = "") -> str:
        ends = "" in node
        branches = [re.escape(ch) + after + build(child) for ch, child in sorted(node.items())
                    if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            body = f"(?:{body})?"
        return body

    return build(root, first)


@dataclass(frozen=True)
class _Rule:
    """One compiled pattern of an entity type."""

    entity: _Entity
    regex: re.Pattern[str]
    keep: bool
    needs: re.Pattern[str] | None


@dataclass(frozen=True)
class Redactor:
    """Finds and replaces the personal data of some entity types in text.

    Each pattern runs on its own; where the matches of two entity types overlap,
    the type listed first in ``data/redact.toml`` wins, and the names of the
    deny-list come last.

    Parameters
    ----------
    entities
        Entity types (see :func:`entity_types`); all by default.
    names
        Names to redact wherever they appear as whole words (with ``name`` among the
        entity types), e.g. :func:`export_names` of the run.
    """

    entities: tuple[str, ...] = ENTITIES
    names: tuple[str, ...] = ()
    _rules: tuple[_Rule, ...] = field(init=False, repr=False, compare=False)
    _names: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _words: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "entities", entity_types(list(self.entities)))
        table = _load()[0]
        needs = {name: None if needs is None else re.compile(needs)
                 for name in self.entities for needs in [table[name].needs]}
        rules = [_Rule(table[name], re.compile(pattern), "(?P<keep>" in pattern, needs[name])
                 for name in self.entities for pattern in table[name].patterns]
        object.__setattr__(self, "_rules", tuple(rules))
        words = sorted(set(self.names)) if "name" in self.entities else []
        # a name of word characters only is found by looking each word of the text up;
        # the others (with a space, a dot...) by one trie-shaped pattern
        plain = frozenset(w for w in words if _WORD.fullmatch(w))
        others = [w for w in words if w not in plain]
        object.__setattr__(self, "_words", plain)
        object.__setattr__(self, "_names", re.compile(_trie(others, first=r"(?<!\w.)")
                                                      + r"(?!\w)") if others else None)

    @property
    def active(self) -> bool:
        """Whether anything is redacted at all."""
        return bool(self._rules) or self._names is not None or bool(self._words)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """The spans to replace in ``text``: ``(start, end, replacement)``, in order and
        not overlapping."""
        return self.spans_of([text])[0]

    def spans_of(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """:meth:`spans` of many texts at once.

        The texts are joined with a separator no pattern can cross (a NUL between
        two newlines) and each pattern runs once over the whole, or over the texts
        that hold what its entity type ``needs`` (a digit, an e-mail's ``@`` and
        domain), joined the same way; so the cost is the patterns' scans, not a
        Python call per text and pattern. The names of word characters are looked
        up word by word in a set. The matches are then handed back to their texts,
        the entity types listed first winning where two overlap and the deny-list
        of names coming last.
        """
        out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        if not texts or not self.active:
            return out
        whole = _Joined(texts, range(len(texts)))
        views: dict[str, _Joined] = {}  # the texts holding what a pattern needs
        found: list[tuple[int, int, int, int, str]] = []  # (text, priority, start, end, label)
        for priority, rule in enumerate(self._rules):
            view = whole
            if rule.needs is not None:
                if rule.needs.pattern not in views:
                    views[rule.needs.pattern] = whole.having(rule.needs)
                view = views[rule.needs.pattern]
            if not view.texts:
                continue
            check = _CHECKS[rule.entity.check] if rule.entity.check else None
            joined = view.text
            starts: list[int] = []
            ends: list[int] = []
            for m in rule.regex.finditer(joined):
                start = m.end("keep") if rule.keep and m.start("keep") >= 0 else m.start()
                end = m.end()
                if start < end and (check is None or check(joined[start:end])):
                    starts.append(start)
                    ends.append(end)
            found += view.place(starts, ends, priority, f"[{rule.entity.label}]")
        last = len(self._rules)
        if self._names is not None:
            spans = [m.span() for m in self._names.finditer(whole.text)]
            found += whole.place([a for a, _ in spans], [b for _, b in spans], last, "[NAME]")
        if self._words:  # after the longer names, so that one of those is kept whole
            spans = whole.words(self._words)
            found += whole.place([a for a, _ in spans], [b for _, b in spans], last + 1,
                                 "[NAME]")
        found.sort()  # by text, then priority and position
        for k, _, start, end, label in found:
            taken = out[k]
            if not _overlaps(taken, start, end):
                bisect.insort(taken, (start, end, label))
        return out

    def redact(self, text: str) -> str:
        """``text`` with every span found replaced."""
        return _apply(text, self.spans(text))

    def series(self, values: pd.Series) -> pd.Series:
        """A text column redacted (missing values stay missing; the dtype is kept)."""
        out, _ = self._column(values)
        return out

    def _column(self, values: pd.Series
                ) -> tuple[pd.Series, dict[int, list[tuple[int, int, str]]]]:
        """The column redacted, and the spans replaced in each changed row (by position)."""
        if not self.active or not len(values):
            return values, {}
        changed: dict[int, list[tuple[int, int, str]]] = {}
        new: list[Any] = values.tolist()
        rows = [k for k, v in enumerate(new) if isinstance(v, str)]
        # each distinct text once: columns such as evidence details repeat a few values
        unique = list(dict.fromkeys(new[k] for k in rows))
        done = {text: (spans, _apply(text, spans))
                for text, spans in zip(unique, self.spans_of(unique), strict=True) if spans}
        for pos in rows:
            hit = done.get(new[pos])
            if hit is not None:
                changed[pos], new[pos] = hit
        if not changed:
            return values, changed
        return pd.Series(new, index=values.index, dtype=values.dtype, name=values.name), changed


class _Joined:
    """Texts joined by :data:`_SEP` into one string to scan, and where each one starts.

    Parameters
    ----------
    texts
        The texts.
    index
        Each text's position in the list :meth:`Redactor.spans_of` was given.
    """

    __slots__ = ("begins", "index", "text", "texts")

    def __init__(self, texts: Sequence[str], index: Iterable[int]) -> None:
        self.texts = list(texts)
        self.index = np.fromiter(index, dtype=np.int64, count=len(self.texts))
        self.text = _SEP.join(self.texts)
        sizes = [len(t) + len(_SEP) for t in self.texts[:-1]]
        self.begins: list[int] = list(itertools.accumulate(sizes, initial=0))

    def having(self, needs: re.Pattern[str]) -> _Joined:
        """The texts that contain a match of ``needs``: one search per text kept (after a
        match, the search goes on at the next text), so a rare need costs one scan."""
        keep: list[int] = []
        at, last = 0, len(self.texts) - 1
        while (m := needs.search(self.text, at)) is not None:
            k = bisect.bisect_right(self.begins, m.start()) - 1
            keep.append(k)
            if k >= last:
                break
            at = self.begins[k + 1]
        return _Joined([self.texts[k] for k in keep], self.index[keep].tolist())

    def place(self, starts: Sequence[int] | np.ndarray, ends: Sequence[int] | np.ndarray,
              priority: int, label: str) -> list[tuple[int, int, int, int, str]]:
        """Spans of the joined text as ``(text, priority, start, end, label)``, ``text``
        the position given to :meth:`Redactor.spans_of` and the offsets the text's own."""
        if not len(starts):
            return []
        begin = np.asarray(starts, dtype=np.int64)
        which = np.searchsorted(np.asarray(self.begins, dtype=np.int64), begin,
                                side="right") - 1
        base = np.asarray(self.begins, dtype=np.int64)[which]
        return [(k, priority, a, b, label) for k, a, b in zip(
            self.index[which].tolist(), (begin - base).tolist(),
            (np.asarray(ends, dtype=np.int64) - base).tolist(), strict=True)]

    def words(self, plain: frozenset[str]) -> list[tuple[int, int]]:
        """Start and end offsets (in the joined text) of the runs of word characters
        that are in ``plain``."""
        return [m.span() for m in _WORD.finditer(self.text) if m.group() in plain]


def _overlaps(taken: Sequence[tuple[int, int, str]], start: int, end: int) -> bool:
    """Whether ``start:end`` overlaps a span of ``taken`` (sorted, not overlapping)."""
    k = bisect.bisect_left(taken, (start,))
    return (k < len(taken) and taken[k][0] < end) or (k > 0 and taken[k - 1][1] > start)


def _apply(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    out: list[str] = []
    at = 0
    for start, end, repl in spans:
        out.append(text[at:start])
        out.append(repl)
        at = end
    out.append(text[at:])
    return "".join(out)


def _move(offset: int, spans: Sequence[tuple[int, int, str]], *, end: bool) -> int:
    """Where a character offset of the original text falls in the redacted text; an
    offset inside a replaced span moves to that replacement's start (or its end, for
    the end of a span), so a span touching redacted text covers its replacement."""
    shift = 0
    for start, stop, repl in spans:
        if offset <= start:
            break
        if offset < stop:
            return start + shift + (len(repl) if end else 0)
        shift += len(repl) - (stop - start)
    return offset + shift


def redact_text(text: str, entities: bool | str | Iterable[str] = True,
                names: Iterable[str] = ()) -> str:
    """One text with its personal data replaced.

    Parameters
    ----------
    text
        Any text.
    entities
        Entity types (see :func:`entity_types`); ``True``: all.
    names
        Names to redact wherever they appear (the ``name`` type).

    Returns
    -------
    str
    """
    return Redactor(entity_types(entities), tuple(names)).redact(text)


def redact_tables(tables: Mapping[str, pd.DataFrame], entities: Sequence[str]
                  ) -> dict[str, pd.DataFrame]:
    """The tables of a result or a part with personal data replaced.

    ``turns`` text is redacted and ``evidence`` rows follow it (text and character
    offsets); promise actions, due phrases and reasons, scope and reject reasons
    and the interactions' free-text columns are redacted; customer ids and the
    speakers of turns that are not an agent's become :func:`pseudonym`\\ s. Tables
    not named here are returned as they are.

    Parameters
    ----------
    tables
        Tables by name (``turns``, ``evidence``, ``interactions``, ``promises``,
        ``scores``, ``rejects``; any subset).
    entities
        Entity types to redact (empty: the tables are returned as they are).

    Returns
    -------
    dict of str to pandas.DataFrame
    """
    out = dict(tables)
    if not entities:
        return out
    turns, inter = out.get("turns"), out.get("interactions")
    red = Redactor(tuple(entities), export_names(turns, inter)
                   if "name" in entities else ())
    pseudo = "name" in entities
    if turns is not None and len(turns):
        new_text, changed = red._column(turns["text"])
        turns = turns.assign(text=new_text)
        if pseudo and "speaker" in turns.columns:
            other = (turns["role"].astype(str) != "agent").to_numpy()
            turns.loc[other, "speaker"] = turns.loc[other, "speaker"].map(pseudonym)
        out["turns"] = turns
        if out.get("evidence") is not None and len(out["evidence"]):
            out["evidence"] = _follow(out["evidence"], tables["turns"], changed, red)
    elif out.get("evidence") is not None and len(out["evidence"]):
        ev = out["evidence"]
        out["evidence"] = ev.assign(text=red.series(ev["text"]))
    if out.get("evidence") is not None and "detail" in out["evidence"].columns:
        out["evidence"] = out["evidence"].assign(detail=red.series(out["evidence"]["detail"]))
    if inter is not None and len(inter):
        out["interactions"] = _interactions(inter, red, pseudo)
    for name, columns in (("promises", ("action", "due_phrase", "reason")),
                          ("scores", ("scope_reason",)), ("rejects", ("reason",))):
        table = out.get(name)
        if table is not None and len(table):
            out[name] = table.assign(**{c: red.series(table[c]) for c in columns
                                        if c in table.columns})
    return out


def _follow(evidence: pd.DataFrame, turns: pd.DataFrame,
            changed: Mapping[int, list[tuple[int, int, str]]], red: Redactor) -> pd.DataFrame:
    """Evidence rows moved onto the redacted turn text: the offsets of rows on changed
    turns are shifted and their text is the redacted turn's slice. A row whose text is
    not its turn's slice (none should be) has its text redacted on its own."""
    ev = evidence.copy()
    keys = pd.MultiIndex.from_arrays([ev["interaction_id"].astype(str).to_numpy(),
                                      ev["turn_index"].to_numpy()])
    turn_keys = pd.MultiIndex.from_arrays([turns["interaction_id"].astype(str).to_numpy(),
                                           turns["turn_index"].to_numpy()])
    loose = ~keys.isin(turn_keys)  # rows on no turn of the table: redacted on their own
    if loose.any():
        ev.loc[loose, "text"] = red.series(ev.loc[loose, "text"])
    if not changed:
        return ev
    positions = list(changed)
    where = dict(zip(turn_keys[positions], positions, strict=True))
    ev_ids = ev["interaction_id"].astype(str).tolist()
    ev_turns = ev["turn_index"].tolist()
    texts: list[Any] = ev["text"].tolist()
    starts = ev["start_char"].to_numpy(dtype="int64", copy=True)
    ends = ev["end_char"].to_numpy(dtype="int64", copy=True)
    turn_text = turns["text"].tolist()
    redacted: dict[int, str] = {}
    for row in np.flatnonzero(keys.isin(turn_keys[positions])):
        pos = where[(ev_ids[row], ev_turns[row])]
        original, spans = str(turn_text[pos]), changed[pos]
        start, end = int(starts[row]), int(ends[row])
        if original[start:end] != texts[row]:
            texts[row] = red.redact(str(texts[row]))
            continue
        if pos not in redacted:
            redacted[pos] = _apply(original, spans)
        starts[row], ends[row] = _move(start, spans, end=False), _move(end, spans, end=True)
        texts[row] = redacted[pos][starts[row]:ends[row]]
    return ev.assign(start_char=pd.Series(starts, index=ev.index, dtype=ev["start_char"].dtype),
                     end_char=pd.Series(ends, index=ev.index, dtype=ev["end_char"].dtype),
                     text=pd.Series(texts, index=ev.index, dtype=ev["text"].dtype))


def _interactions(inter: pd.DataFrame, red: Redactor, pseudo: bool) -> pd.DataFrame:
    """Interactions with customer ids pseudonymised and free-text columns redacted."""
    out = inter.copy()
    for column in out.columns:
        low = str(column).lower()
        col = out[column]
        if not (col.dtype == object or isinstance(col.dtype, pd.StringDtype)):
            continue
        if pseudo and (low == "customer_id" or (low.startswith("customer")
                                                 and ("name" in low or "email" in low))):
            out[column] = col.map(pseudonym).astype(col.dtype)
        elif low not in _KEEP_COLUMNS:
            out[column] = red.series(col)
    return out


def redact_result(result: Result, entities: bool | str | Iterable[str] = True) -> Result:
    """A copy of a result with personal data replaced in every table that holds text
    (see :func:`redact_tables`); for reports and exports of a run scored without
    redaction. Scores and measures are unchanged.

    Parameters
    ----------
    result
        A scored result (e.g. :meth:`serviceart.Result.from_parquet`).
    entities
        Entity types (see :func:`entity_types`); ``True``: all.

    Returns
    -------
    Result
    """
    from dataclasses import replace

    types = entity_types(entities)
    names = ("turns", "evidence", "interactions", "promises", "scores", "rejects")
    new = redact_tables({n: getattr(result, n) for n in names}, types)
    info = dict(result.run_info)
    info["redacted"] = list(types)
    return replace(result, run_info=info, turns=new["turns"], evidence=new["evidence"],
                   interactions=new["interactions"], promises=new["promises"],
                   scores=new["scores"], rejects=new["rejects"])
