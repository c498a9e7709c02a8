"""Rubric parts: criteria, bands, and the checks that give line-numbered errors.

:class:`Criterion` and :class:`Band` are the rubric's building blocks;
:class:`TomlLocator` finds the line of a criterion or key in the TOML text
(``tomllib`` gives no positions), and :func:`check_criteria` collects every
problem of a set of criteria (unknown names with close matches, bad
expressions, weights, kinds, duplicates, texts) so that :class:`serviceart.Rubric`
reports them all at once.

The check is complete, so that a rubric that loads never fails at scoring:
expressions are checked by :func:`serviceart.rubric.expr.parse` and then dry-run on
:func:`dry_run_frame` (every measure and cue column, with the values 0, 1, NaN,
negative and very large); weights are finite and at most :data:`MAX_WEIGHT`,
and a rubric has at most :data:`MAX_CRITERIA` criteria, so that the weighted
sums cannot overflow; names and texts are bounded in length.
"""

from __future__ import annotations

import ast
import difflib
import functools
import itertools
import math
import re
import reprlib
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..codebook import PRINCIPLES
from ..errors import RubricError
from ..schema import measures_table
from .expr import ExpressionError, evaluate, names_in, parse

__all__ = ["BAND_KEYS", "CATEGORY_MEASURE", "KINDS", "MAX_CRITERIA", "MAX_NAME", "MAX_TEXT",
           "MAX_WEIGHT", "Band", "Criterion", "Locator", "TomlLocator", "category_names",
           "check_criteria", "dry_run_frame", "raise_problems", "short"]

#: The largest ``weight`` of a score criterion.
MAX_WEIGHT = 1e6
#: The most criteria a rubric may have (with :data:`MAX_WEIGHT`, the weighted sums
#: stay far below the float range).
MAX_CRITERIA = 1000
#: The longest criterion or band name, in characters.
MAX_NAME = 200
#: The longest rationale, rubric name, version or description, in characters.
MAX_TEXT = 10_000
#: The measure values every expression is dry-run on, one row each.
DRY_RUN_VALUES: tuple[float, ...] = (0.0, 1.0, math.nan, 0.5, -1.0, 3.0, 1e12, 1e300)

#: A category measure (:mod:`serviceart.cues.categories`): accepted when a rubric is
#: loaded, and checked against the categories when it is used to score.
CATEGORY_MEASURE = re.compile(r"^category_[a-z][a-z0-9_]*$")

#: criterion kinds
KINDS: tuple[str, ...] = ("score", "bonus", "auto_fail")
#: keys of the ``[bands]`` table: every principle, ``overall``, or ``all`` of them
BAND_KEYS: tuple[str, ...] = ("all", *PRINCIPLES, "overall")

_CRITERION_KEYS = ("principle", "name", "kind", "value", "applies", "weight", "bonus_points",
                   "rationale")


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion (see the module docstring for the kinds)."""

    principle: str
    name: str
    value: str
    weight: float = 1.0
    applies: str = "True"
    rationale: str = ""
    kind: str = "score"
    bonus_points: float = 0.0

    def canonical(self) -> dict[str, Any]:
        """The criterion's content, normalised: what the hash and :meth:`Rubric.diff` see.

        Expressions are re-printed from their syntax tree (spacing and redundant
        brackets do not count); ``weight`` is kept for score criteria only and
        ``bonus_points`` for bonus criteria only.
        """
        out: dict[str, Any] = {"principle": self.principle, "name": self.name,
                               "kind": self.kind, "value": _normal(self.value),
                               "applies": _normal(self.applies), "rationale": self.rationale}
        if self.kind == "score":
            out["weight"] = float(self.weight)
        if self.kind == "bonus":
            out["bonus_points"] = float(self.bonus_points)
        return out


@dataclass(frozen=True)
class Band:
    """A named band: scores of at least ``min`` (and below the band above it)."""

    name: str
    min: float


def _normal(expression: str) -> str:
    try:
        return ast.unparse(parse(expression))
    except ExpressionError:
        return expression.strip()


def _known_names() -> set[str]:
    return set(measures_table().names) - {"interaction_id"}


def category_names(expressions: Iterable[str]) -> list[str]:
    """The category measures (``category_<name>``, not codebook names) that
    ``expressions`` read, sorted."""
    known = _known_names()
    out: set[str] = set()
    for expression in expressions:
        try:
            out |= {n for n in names_in(expression) - known if CATEGORY_MEASURE.match(n)}
        except ExpressionError:
            continue
    return sorted(out)


# -- where things are, for error messages -----------------------------------------
class Locator:
    """Says where a criterion (or a band) came from, for error messages.

    The base class numbers criteria; :meth:`Rubric.from_toml` uses line numbers,
    the importers use CSV lines or JSON paths.
    """

    def criterion(self, index: int, name: str, key: str | None = None) -> str:
        """Where criterion ``index`` (0-based) named ``name`` is (``key``: one field)."""
        return f"criterion {index + 1} ({name!r})"

    def bands(self, key: str | None = None) -> str:
        """Where the bands (of ``key``) are."""
        return "bands" if key is None else f"bands.{key}"

    def sla(self, key: str | None = None) -> str:
        """Where the ``[sla]`` table (or its entry ``key``) is."""
        return "[sla]" if key is None else f"[sla] {key}"


_HEADER = re.compile(r"^\s*\[")


class TomlLocator(Locator):
    """Line numbers of ``[[criteria]]`` tables and their keys in TOML text.

    ``tomllib`` gives no positions, so the text is searched: the n-th
    ``[[criteria]]`` header is the n-th criterion, and a key is the first line
    ``key =`` after it, before the next table header.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.criteria = [i for i, line in enumerate(self.lines)
                         if re.match(r"^\s*\[\[\s*criteria\s*\]\]", line)]
        self.band_tables: dict[str, int] = {}
        for i, line in enumerate(self.lines):
            m = re.match(r"^\s*\[\[?\s*bands(?:\.(\w+))?\s*\]", line)
            if m:
                self.band_tables.setdefault(m.group(1) or "", i)

    def _key_line(self, start: int, key: str) -> int | None:
        pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
        for i in range(start + 1, len(self.lines)):
            if _HEADER.match(self.lines[i]):
                return None
            if pattern.match(self.lines[i]):
                return i
        return None

    def criterion(self, index: int, name: str, key: str | None = None) -> str:
        if index >= len(self.criteria):
            return super().criterion(index, name, key)
        start = self.criteria[index]
        line = (self._key_line(start, key) if key else None)
        return f"line {(start if line is None else line) + 1} (criterion {name!r})"

    def sla(self, key: str | None = None) -> str:
        start = next((i for i, line in enumerate(self.lines)
                      if re.match(r"^\s*\[\s*sla\s*\]", line)), None)
        if start is None:
            return super().sla(key)
        line = self._key_line(start, key) if key else None
        return f"line {(start if line is None else line) + 1} ({super().sla(key)})"

    def bands(self, key: str | None = None) -> str:
        if key is not None and key in self.band_tables:
            return f"line {self.band_tables[key] + 1} (bands.{key})"
        if "" in self.band_tables:
            line = self._key_line(self.band_tables[""], key) if key else None
            at = self.band_tables[""] if line is None else line
            return f"line {at + 1} (bands{'' if key is None else '.' + key})"
        for i, text in enumerate(self.lines):
            if re.match(r"^\s*bands\s*=", text):
                return f"line {i + 1} (bands)"
        return super().bands(key)


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlevel = 3


def short(value: Any) -> str:
    """A short ``repr`` of a value from a rubric file, for messages (long or deeply
    nested values are cut)."""
    return _REPR.repr(value)


def text_problem(value: Any, what: str, limit: int) -> str | None:
    """What is wrong with a piece of rubric text (``None`` when it is fine)."""
    if not isinstance(value, str):
        return f"{what} must be a string, got {short(value)}"
    if len(value) > limit:
        return f"{what} has {len(value)} characters; shorten it to at most {limit}"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{what} {short(value)} is not valid text (it holds a lone surrogate)"
    return None


@functools.cache
def _dry_frame() -> pd.DataFrame:
    names = [n for n in measures_table().names if n != "interaction_id"]
    values = np.asarray(DRY_RUN_VALUES, dtype="float64")
    frame = pd.DataFrame(np.repeat(values[:, None], len(names), axis=1), columns=names)
    frame.insert(0, "interaction_id", [f"dry-run-{k}" for k in range(len(values))])
    return frame


def dry_run_frame(extra: Sequence[str] = ()) -> pd.DataFrame:
    """A small measures frame to dry-run rubrics on: every measure and cue column of
    the codebook (and the ``extra`` ones, e.g. category measures), one row per value of
    :data:`DRY_RUN_VALUES` (0, 1, NaN, negative, very large)."""
    frame = _dry_frame().copy()
    for name in extra:
        frame[name] = frame[frame.columns[1]].to_numpy()
    return frame


@functools.lru_cache(maxsize=4096)
def _dry_run(expression: str) -> str | None:
    """Why an expression fails on the dry-run frame (``None`` when it works)."""
    frame = _dry_frame()
    extra = category_names([expression])
    if extra:
        frame = dry_run_frame(extra)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = evaluate(parse(expression), frame)
    except Exception as exc:  # any failure here is the rubric's problem, reported as such
        return f"{type(exc).__name__}: {exc}"
    if out.shape != (len(frame),):
        return f"it gives {out.shape} values for {len(frame)} rows"
    return None


def raise_problems(problems: Sequence[RubricError], source: str) -> None:
    """Raise the one problem, or one :class:`RubricError` listing all of them."""
    if not problems:
        return
    if len(problems) == 1:
        raise problems[0]
    def line_of(p: RubricError) -> int:
        m = re.match(r"line (\d+)", p.record or "")
        return int(m.group(1)) if m else 0

    lines = []
    for p in sorted(problems, key=line_of):
        where = ", ".join(x for x in (p.record, None if p.field is None else f"field {p.field}")
                          if x)
        lines.append(f"- {where}: {p.message}" if where else f"- {p.message}")
    raise RubricError(f"{len(problems)} problems in the rubric:\n" + "\n".join(lines),
                      source=source, code="SA-R039")


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(options), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def _check_bands(raw: Any, source: str, where: Locator) -> tuple[dict[str, tuple[Band, ...]],
                                                                 list[RubricError]]:
    """Parse and check bands given as a list (all principles) or a table of lists."""
    problems: list[RubricError] = []
    table = {"all": raw} if isinstance(raw, list) else raw
    if not isinstance(table, Mapping):
        return {}, [RubricError("bands must be a list of {name, min} tables, or a table of such "
                                "lists by principle", source=source, record=where.bands(),
                                code="SA-R040")]
    out: dict[str, tuple[Band, ...]] = {}
    for key, items in table.items():
        record = where.bands(str(key))
        if key not in BAND_KEYS:
            problems.append(RubricError(f"unknown bands key {key!r}{_suggest(str(key), BAND_KEYS)};"
                                        f" use one of {list(BAND_KEYS)}", source=source,
                                        record=record, code="SA-R041"))
            continue
        if not isinstance(items, list) or not items:
            problems.append(RubricError("bands must be a non-empty list of {name, min} tables",
                                        source=source, record=record, code="SA-R042"))
            continue
        bands: list[Band] = []
        for item in items:
            ok = (isinstance(item, Mapping) and set(item) == {"name", "min"}
                  and isinstance(item["name"], str) and item["name"].strip()
                  and isinstance(item["min"], int | float) and not isinstance(item["min"], bool)
                  and 0 <= item["min"] <= 100)
            if not ok:
                problems.append(RubricError(
                    f"each band needs a name and a min between 0 and 100, got {short(item)}",
                    source=source, record=record, code="SA-R043"))
                break
            wrong = text_problem(item["name"], "a band name", MAX_NAME)
            if wrong:
                problems.append(RubricError(wrong, source=source, record=record, code="SA-R044"))
                break
            bands.append(Band(str(item["name"]), float(item["min"])))
        else:
            mins = [b.min for b in bands]
            names = [b.name for b in bands]
            if any(a <= b for a, b in itertools.pairwise(mins)):
                problems.append(RubricError(
                    f"bands must go from the highest min to the lowest, got mins {mins}",
                    source=source, record=record, code="SA-R045"))
            elif mins[-1] != 0:
                problems.append(RubricError(
                    f"the last band must have min = 0 so that every score gets a band, "
                    f"got {mins[-1]:g}", source=source, record=record, code="SA-R046"))
            elif len(set(names)) != len(names):
                problems.append(RubricError(f"band names repeat: {names}", source=source,
                                            record=record, code="SA-R047"))
            else:
                out[str(key)] = tuple(bands)
    return out, problems


def check_criteria(criteria: Sequence[Criterion], source: str, where: Locator,
                   positions: Sequence[int] | None = None) -> list[RubricError]:
    """Every problem with the criteria (not only the first), each located.

    ``positions`` gives each criterion's index in its file when some were
    skipped (they failed to parse).
    """
    problems: list[RubricError] = []
    known = _known_names()
    seen: set[tuple[str, str]] = set()

    def bad(i: int, c: Criterion, key: str, message: str, *, code: str) -> None:
        at = i if positions is None else positions[i]
        problems.append(RubricError(message, source=source,
                                    record=where.criterion(at, c.name, key), field=key,
                                    code=code))

    if not criteria:
        problems.append(RubricError("the rubric has no criteria; add [[criteria]] tables",
                                    source=source, code="SA-R048"))
    if len(criteria) > MAX_CRITERIA:
        problems.append(RubricError(f"the rubric has {len(criteria)} criteria, more than "
                                    f"{MAX_CRITERIA}; merge some of them", source=source,
                                    code="SA-R049"))
    for i, c in enumerate(criteria):
        wrong = [(key, msg) for key, limit in (("principle", MAX_NAME), ("name", MAX_NAME),
                                               ("kind", MAX_NAME), ("value", MAX_TEXT),
                                               ("applies", MAX_TEXT), ("rationale", MAX_TEXT))
                 if (msg := text_problem(getattr(c, key), key, limit))]
        wrong += [(key, f"{key} must be a number, got {short(getattr(c, key))}")
                  for key in ("weight", "bonus_points")
                  if isinstance(getattr(c, key), bool)
                  or not isinstance(getattr(c, key), int | float)]
        if wrong:
            c = Criterion(principle="?", value="?",
                          name=c.name if isinstance(c.name, str) else short(c.name))
            for key, msg in wrong:
                bad(i, c, key, msg, code="SA-R050")
            continue
        if not c.name.strip():
            bad(i, c, "name", "a criterion needs a non-empty name", code="SA-R051")
        if c.principle not in PRINCIPLES:
            bad(i, c, "principle", f"principle {c.principle!r} is not one of {list(PRINCIPLES)}"
                f"{_suggest(c.principle, PRINCIPLES)}", code="SA-R052")
        if (c.principle, c.name) in seen:
            bad(i, c, "name", f"duplicate criterion name {c.name!r} in {c.principle}; names must "
                "be unique within a principle", code="SA-R053")
        seen.add((c.principle, c.name))
        if c.kind not in KINDS:
            bad(i, c, "kind", f"unknown kind {c.kind!r}{_suggest(c.kind, KINDS)}; use one of "
                f"{list(KINDS)}", code="SA-R054")
        elif c.kind == "score" and not (math.isfinite(c.weight) and c.weight > 0):
            bad(i, c, "weight", f"weight must be > 0, got {c.weight:g}", code="SA-R055")
        elif c.kind == "score" and c.weight > MAX_WEIGHT:
            bad(i, c, "weight", f"weight must be at most {MAX_WEIGHT:g}, got {c.weight:g}; "
                "weights only count relative to each other, so scale them all down", code="SA-R056")
        elif c.kind == "bonus" and not (0 < c.bonus_points <= 100):
            bad(i, c, "bonus_points", f"a bonus criterion needs bonus_points in (0, 100], got "
                f"{c.bonus_points:g}", code="SA-R057")
        for key in ("value", "applies"):
            expr = getattr(c, key)
            try:
                unknown = {n for n in names_in(expr) - known if not CATEGORY_MEASURE.match(n)}
            except ExpressionError as exc:
                bad(i, c, key, str(exc), code="SA-R058")
                continue
            if unknown:
                names = sorted(unknown)
                hints = _suggest(names[0], known) if len(names) == 1 else "".join(
                    f"; {u!r}{h}" for u in names if (h := _suggest(u, known)))
                bad(i, c, key, f"unknown measure(s) {sorted(unknown)} in {short(expr)}{hints}; "
                    "measures and cues are listed by `serviceart list` and in docs/codebook.md",
                    code="SA-R059")
                continue
            failure = _dry_run(expr)
            if failure:
                bad(i, c, key, f"{short(expr)} fails on test measures (0, 1, NaN, negative "
                    f"and very large values): {failure}; rewrite it so that it gives a number "
                    "for any measure values", code="SA-R060")
    return problems
