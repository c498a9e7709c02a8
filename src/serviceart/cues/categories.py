"""Categories a QA lead owns: phrases and token patterns kept in a TOML file.

A categories file holds ``[[category]]`` tables::

    [[category]]
    name = "recording_disclosure"     # a new cue; its measure is category_recording_disclosure
    principle = "integrity"           # optional: respect, service, integrity, follow_through
    role = "agent"                    # who says it: agent, customer or any (the default)
    phrases = ["this call is recorded", "this call may be recorded"]
    patterns = [[{NORM = "call"}, {NORM = {IN = ["is", "may"]}}, {OP = "?"}, {NORM = "recorded"}]]
    negation = true                   # "this call is not recorded" is no hit (the default)
    window = "first 3 turns"          # or "last 2 turns", "first 60 seconds", "last 30 seconds"

    [[category]]
    name = "extra_closing"
    extends = "anything_else"         # add phrases to a built-in cue
    phrases = ["is there anything more I can do"]

Phrases and patterns match on token norms, as the shipped cue patterns do (see
:mod:`serviceart.cues.rules`): case and contractions do not matter, and the same
norm rewrites apply. Negation drops a hit when a negator of ``rules.json`` stands
at most its window of tokens before it with no punctuation between, or inside it
where the category does not name that word itself.

Every category's hits are evidence rows with ``source = "category"``. A new
category's rows have the cue ``category`` (the evidence ``cue`` column holds codebook
names only) and its name in ``detail`` (``{"category": name}``); its count is the
measure ``category_<name>``, which rubrics may use. A category that ``extends`` a
cue adds rows of that cue (not overlapping the cue's own rows), so the cue's count
and every measure built on it include them.

This module reads and checks categories files, checks a rubric's category
measures against them, and keeps them in run folders; matching is in
:mod:`serviceart.cues.category_match`.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomllib

from ..codebook import CUES, MEASURES, PRINCIPLES
from ..errors import ConfigError

__all__ = ["CATEGORIES_FILE", "MARKER", "MEASURE_PREFIX", "ROLES", "Categories", "Category",
           "category_measure_problems", "load_categories", "read_categories",
           "write_categories"]

#: The evidence ``cue`` of a new category's rows (its name is in ``detail``).
MARKER = "category"
#: A new category's measure is this prefix and its name.
MEASURE_PREFIX = "category_"
#: Who may say a category.
ROLES: tuple[str, ...] = ("agent", "customer", "any")

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_MAX_NAME = 60
_KEYS = ("name", "description", "principle", "role", "phrases", "patterns", "negation",
         "window", "extends")
_WINDOW = re.compile(r"^\s*(first|last)\s+(\d+)\s+(turns?|seconds?|s)\s*$", re.IGNORECASE)
_HEADER = re.compile(r"^\s*\[")
_TABLE = re.compile(r"^\s*\[\[\s*category\s*\]\]")


@dataclass(frozen=True)
class Category:
    """One category of a categories file (validated).

    Attributes
    ----------
    name
        Its name; its measure is ``category_<name>`` unless it extends a cue.
    principle
        The principle it belongs to, or ``""``.
    role
        ``agent``, ``customer`` or ``any``: whose turns it is found in.
    phrases
        Literal phrases, matched on token norms.
    patterns
        spaCy ``Matcher`` token patterns.
    negation
        Drop hits with a negator just before them.
    window
        ``(end, n, unit)``: ``("first", 3, "turns")``, ``("last", 60, "seconds")``;
        ``None`` for the whole interaction.
    extends
        The codebook cue it adds phrases to, or ``None``.
    description
        Free text for the people who read the file.
    """

    name: str
    principle: str = ""
    role: str = "any"
    phrases: tuple[str, ...] = ()
    patterns: tuple[tuple[tuple[tuple[str, Any], ...], ...], ...] = ()
    negation: bool = True
    window: tuple[str, int, str] | None = None
    extends: str | None = None
    description: str = ""

    @property
    def measure(self) -> str | None:
        """The measure that counts its hits (``None`` for a category that extends a cue:
        the cue's own count holds them)."""
        return None if self.extends else MEASURE_PREFIX + self.name

    @property
    def cue(self) -> str:
        """The evidence ``cue`` of its rows."""
        return self.extends or MARKER

    def token_patterns(self) -> list[list[dict[str, Any]]]:
        """The token patterns as spaCy takes them (lists of dicts)."""
        return [[_thaw(dict(t)) for t in p] for p in self.patterns]


def _freeze(value: Any) -> Any:
    """A TOML value as nested tuples (hashable, so a Category is frozen)."""
    if isinstance(value, Mapping):
        return tuple((str(k), _freeze(v)) for k, v in value.items())
    if isinstance(value, list):
        return ("__list__", tuple(_freeze(v) for v in value))
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__list__":
        return [_thaw(v) for v in value[1]]
    if isinstance(value, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
        return {k: _thaw(v) for k, v in value}
    return value


class _Locator:
    """Line numbers of ``[[category]]`` tables and their keys in TOML text."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.tables = [i for i, line in enumerate(self.lines) if _TABLE.match(line)]

    def where(self, index: int, name: str | None, key: str | None = None) -> str:
        label = f"category {name!r}" if isinstance(name, str) and name else \
            f"category {index + 1}"
        if index >= len(self.tables):
            return label
        start = self.tables[index]
        if key:
            pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
            for i in range(start + 1, len(self.lines)):
                if _HEADER.match(self.lines[i]):
                    break
                if pattern.match(self.lines[i]):
                    return f"line {i + 1} ({label})"
        return f"line {start + 1} ({label})"


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(options), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


class Categories:
    """The categories of one file, validated, with their hash.

    Build one with :func:`load_categories` (a file) or :meth:`from_toml` (text);
    every problem of the file is reported at once, each with its line.

    Parameters
    ----------
    categories
        The categories, in file order.
    text
        The TOML text they were read from (kept whole: a run folder stores it as
        ``categories.toml``).
    source
        Where the text came from, for messages and ``run_info``.
    """

    def __init__(self, categories: Sequence[Category], *, text: str,
                 source: str = "<categories>") -> None:
        self.categories: tuple[Category, ...] = tuple(categories)
        self.text = text
        self.source = source

    @classmethod
    def from_toml(cls, text: str, *, source: str = "<categories>") -> Categories:
        """Read and validate categories from TOML text.

        Raises
        ------
        ConfigError
            Listing every problem, each with its line and, for a misspelt name, the
            closest valid ones.
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"not valid TOML ({exc}); fix the file", source=source,
                              code="SA-C260") from exc
        where = _Locator(text)
        unknown = sorted(set(data) - {"category"})
        problems: list[tuple[str, str]] = []
        if unknown:
            problems.append(("top level", f"unknown table(s) {unknown}"
                             f"{_suggest(unknown[0], ['category'])}; write each category as "
                             "a [[category]] table"))
        raw = data.get("category", [])
        if not isinstance(raw, list) or not raw:
            problems.append(("top level", "no categories: add [[category]] tables"))
            raw = []
        out: list[Category] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(raw):
            cat, wrong = _category(item, i, where)
            problems += wrong
            if cat is None:
                continue
            if cat.name in seen:
                problems.append((where.where(i, cat.name, "name"),
                                 f"the name {cat.name!r} is given twice (also category "
                                 f"{seen[cat.name] + 1}); names must be unique"))
                continue
            seen[cat.name] = i
            out.append(cat)
        if problems:
            _raise(problems, source)
        cats = cls(out, text=text, source=source)
        _check_patterns(cats, where)
        return cats

    # -- views --------------------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        """Category names, in file order."""
        return tuple(c.name for c in self.categories)

    @property
    def measures(self) -> tuple[str, ...]:
        """The measures the categories add (``category_<name>``), in file order."""
        return tuple(c.measure for c in self.categories if c.measure)

    @property
    def hash(self) -> str:
        """sha256 of the canonical content (the categories as read; comments, order of
        keys and layout do not count)."""
        content = [
            {"name": c.name, "principle": c.principle, "role": c.role,
             "phrases": list(c.phrases), "patterns": c.token_patterns(),
             "negation": c.negation, "window": list(c.window) if c.window else None,
             "extends": c.extends}
            for c in self.categories]
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8")).hexdigest()

    def __getitem__(self, name: str) -> Category:
        for c in self.categories:
            if c.name == name:
                return c
        raise ConfigError(f"no category {name!r}{_suggest(name, self.names)}; the "
                          f"categories are {list(self.names)}", source=self.source,
                          field="name", code="SA-C261")

    def __len__(self) -> int:
        return len(self.categories)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Categories) and other.hash == self.hash

    def __hash__(self) -> int:
        return hash(self.hash)

    def __repr__(self) -> str:
        return f"Categories({len(self)} from {self.source!r}, hash {self.hash[:12]})"

    def to_dict(self) -> dict[str, Any]:
        """What ``run_info`` records: hash, source, names and measures."""
        return {"hash": self.hash, "source": self.source, "names": list(self.names),
                "measures": list(self.measures)}

    def __reduce__(self) -> tuple[Any, ...]:
        # workers rebuild the categories from their text (validated again, cheaply)
        return (_from_text, (self.text, self.source))


def _from_text(text: str, source: str) -> Categories:
    return Categories.from_toml(text, source=source)


def _line(record: str) -> int:
    m = re.match(r"line (\d+)", record)
    return int(m.group(1)) if m else 0


def _raise(problems: list[tuple[str, str]], source: str) -> None:
    problems = sorted(problems, key=lambda p: _line(p[0]))
    if len(problems) == 1:
        record, message = problems[0]
        raise ConfigError(message, source=source, record=record, code="SA-C262")
    lines = "\n".join(f"- {record}: {message}" for record, message in problems)
    raise ConfigError(f"{len(problems)} problems in the categories:\n{lines}", source=source,
                      code="SA-C267")


def _category(item: Any, i: int, where: _Locator
              ) -> tuple[Category | None, list[tuple[str, str]]]:
    """One ``[[category]]`` table checked: the category, or ``None``, and its problems."""
    if not isinstance(item, Mapping):
        return None, [(where.where(i, None), "each category must be a [[category]] table")]
    name = item.get("name")
    problems: list[tuple[str, str]] = []

    def bad(key: str | None, message: str) -> None:
        problems.append((where.where(i, name if isinstance(name, str) else None, key), message))

    unknown = sorted(set(item) - set(_KEYS))
    for key in unknown:
        bad(key, f"unknown key {key!r}{_suggest(key, _KEYS)}; a category takes "
                 f"{list(_KEYS)}")
    extends = item.get("extends")
    if extends is not None and extends not in CUES:
        bad("extends", f"extends {extends!r}, which is not a codebook cue"
                       f"{_suggest(str(extends), CUES)}")
        extends = None
    if not isinstance(name, str) or not _NAME.match(name) or len(name) > _MAX_NAME:
        bad("name", f"the name must be lower-case letters, digits and _ (starting with a "
                    f"letter, at most {_MAX_NAME} characters), got {name!r}")
    elif name in CUES and extends is None:
        bad("name", f"{name!r} is a codebook cue; to add phrases to it write "
                    f"extends = {name!r} (with another name), or choose a new name")
    elif name in MEASURES or (MEASURE_PREFIX + name) in MEASURES or name == MARKER:
        bad("name", f"{name!r} is a codebook name; choose another")
    principle = item.get("principle", "")
    if principle != "" and principle not in PRINCIPLES:
        bad("principle", f"principle {principle!r} is not one of {list(PRINCIPLES)}"
                         f"{_suggest(str(principle), PRINCIPLES)}")
    default_role = CUES[extends].role if extends else "any"
    role = item.get("role", default_role)
    if role not in ROLES:
        bad("role", f"role {role!r} is not one of {list(ROLES)}{_suggest(str(role), ROLES)}")
    elif extends and role != CUES[extends].role:
        bad("role", f"{extends!r} is said by the {CUES[extends].role}; a category that "
                    f"extends it takes that role (leave role out)")
    phrases = item.get("phrases", [])
    if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip()
                                                for p in phrases):
        bad("phrases", "phrases must be a list of non-empty strings")
        phrases = []
    patterns = item.get("patterns", [])
    if not isinstance(patterns, list) or not all(
            isinstance(p, list) and p and all(isinstance(t, Mapping) for t in p)
            for p in patterns):
        bad("patterns", "patterns must be a list of token patterns, each a non-empty list "
                        "of tables such as {NORM = \"call\"}")
        patterns = []
    if not phrases and not patterns and not unknown and "phrases" not in item and (
            "patterns" not in item):
        bad(None, "a category needs phrases or patterns")
    negation = item.get("negation", True)
    if not isinstance(negation, bool):
        bad("negation", f"negation must be true or false, got {negation!r}")
    window = _window(item.get("window"))
    if isinstance(window, str):
        bad("window", window)
    description = item.get("description", "")
    if not isinstance(description, str):
        bad("description", "description must be a string")
    if problems:
        return None, problems
    return Category(
        name=str(name), principle=str(principle), role=str(role),
        phrases=tuple(str(p) for p in phrases),
        patterns=tuple(tuple(_freeze(dict(t)) for t in p) for p in patterns),
        negation=bool(negation), window=window if not isinstance(window, str) else None,
        extends=extends, description=str(description)), []


def _window(value: Any) -> tuple[str, int, str] | str | None:
    """A window as ``(end, n, unit)``, ``None``, or the message saying what is wrong."""
    if value is None:
        return None
    m = _WINDOW.match(value) if isinstance(value, str) else None
    if m is None or int(m.group(2)) < 1:
        return (f"window {value!r} is not 'first N turns', 'last N turns', 'first N seconds' "
                "or 'last N seconds' (N >= 1)")
    unit = "turns" if m.group(3).lower().startswith("turn") else "seconds"
    return m.group(1).lower(), int(m.group(2)), unit


def load_categories(path: str | Path | Categories) -> Categories:
    """Read and validate a categories file (a :class:`Categories` is returned as is).

    Parameters
    ----------
    path
        A TOML file of ``[[category]]`` tables.

    Returns
    -------
    Categories

    Raises
    ------
    ConfigError
        When the file cannot be read or a category is not valid (with its line).

    Examples
    --------
    >>> cats = Categories.from_toml('[[category]]\\nname = "competitor"\\n'
    ...                             'phrases = ["acme telecom"]')
    >>> cats.measures
    ('category_competitor',)
    """
    if isinstance(path, Categories):
        return path
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the categories file: {exc}; give a UTF-8 TOML file",
                          source=str(p), code="SA-C263") from exc
    return Categories.from_toml(text, source=str(p))


@functools.cache
def _vocab() -> Any:
    """A vocab to check token patterns with (made once per process)."""
    import spacy

    return spacy.blank("en").vocab


def _check_patterns(categories: Categories, where: _Locator | None = None) -> None:
    """Raise a located :class:`ConfigError` when spaCy rejects a token pattern."""
    from spacy.matcher import Matcher

    if not any(cat.patterns for cat in categories.categories):
        return
    vocab = _vocab()
    for i, cat in enumerate(categories.categories):
        for k, pattern in enumerate(cat.token_patterns()):
            try:
                Matcher(vocab, validate=True).add(cat.name, [pattern])
            except (ValueError, KeyError) as exc:
                at = where.where(i, cat.name, "patterns") if where else f"category {cat.name!r}"
                raise ConfigError(f"token pattern {k + 1} is not a valid spaCy pattern: "
                                  f"{exc}", source=categories.source, record=at,
                                  field="patterns", code="SA-C264") from None


# -- rubrics and run folders ---------------------------------------------------------
#: The copy of a run's categories in its folder.
CATEGORIES_FILE = "categories.toml"


def category_measure_problems(rubric: Any, categories: Categories | None) -> None:
    """Check that every ``category_`` measure ``rubric`` reads is defined by ``categories``.

    Raises
    ------
    RubricError
        Naming the rubric's line and field of each criterion that reads an undefined
        category measure, with the closest defined ones (or saying to give the
        categories file).
    """
    from ..errors import RubricError
    from ..rubric.check import category_names

    needed = rubric.category_measures
    if not needed:
        return
    have = set(categories.measures) if categories is not None else set()
    problems: list[RubricError] = []
    for i, c in enumerate(rubric.criteria):
        for key in ("value", "applies"):
            missing = [n for n in category_names([getattr(c, key)]) if n not in have]
            if not missing:
                continue
            record = rubric.locator.criterion(i, c.name, key)
            if categories is None:
                problems.append(RubricError(
                    f"{missing} are category measures, and no categories were given; give "
                    "the categories file that defines them (--categories FILE, categories=) "
                    "or remove them from the rubric", source=rubric.source, record=record,
                    field=key, code="SA-R110"))
            else:
                hints = "".join(f"; {m!r}{h}" for m in missing
                                if (h := _suggest(m, have)))
                problems.append(RubricError(
                    f"{missing} are not defined by the categories of {categories.source} "
                    f"(they define {sorted(have)}){hints}", source=rubric.source,
                    record=record, field=key, code="SA-R111"))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        lines = "\n".join(f"- {p.record}: {p.message}" for p in problems)
        raise RubricError(f"{len(problems)} criteria read undefined category measures:\n"
                          f"{lines}", source=rubric.source, code="SA-R112")


def write_categories(folder: Path, categories: Categories | None) -> None:
    """Write the run's categories file as ``categories.toml`` (its text as given)."""
    if categories is None:
        return
    import os

    from ..run.store import writing

    tmp = folder / f".{CATEGORIES_FILE}.tmp"
    with writing(tmp):
        tmp.write_text(categories.text, encoding="utf-8")
        os.replace(tmp, folder / CATEGORIES_FILE)


def read_categories(folder: Path, run_info: Mapping[str, Any]) -> Categories | None:
    """The categories of the run in ``folder`` (its ``categories.toml``), ``None`` when
    the run used none.

    Raises
    ------
    InputError
        When the run recorded categories and the folder's copy is missing, not a
        regular file inside it, or not the one recorded.
    """
    from ..errors import InputError
    from ..run.store import is_regular_inside

    recorded = ((run_info.get("settings") or {}).get("categories")) or None
    if not recorded:
        return None
    path = folder / CATEGORIES_FILE
    if not is_regular_inside(path, folder):
        raise InputError(f"the run used categories (hash {recorded.get('hash')}) but its "
                         f"folder holds no {CATEGORIES_FILE}; copy the categories file "
                         "there", source=str(path), code="SA-I260")
    cats = load_categories(path)
    if cats.hash != recorded.get("hash"):
        raise InputError(f"{CATEGORIES_FILE} (hash {cats.hash}) is not the file the run "
                         f"recorded (hash {recorded.get('hash')}); restore it",
                         source=str(path), code="SA-I261")
    return cats


#: one tokenizer and matcher per process and categories, for turns matched outside the
