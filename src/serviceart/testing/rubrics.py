"""Hostile rubrics and expressions, as hypothesis strategies.

A rubric file is untrusted input: it may come from a shared folder or an
imported form. These strategies generate what a careless or hostile author
could write, to check that loading one either fails with a
:class:`~serviceart.RubricError` or gives a rubric that scores anything:

- :func:`expressions`: random operator trees over measure names and numbers,
  with disallowed nodes (attributes, subscripts, strings, lambdas, ``in`` and
  ``is``, unknown or bare functions, wrong arity, keyword and starred
  arguments), huge, infinite and NaN literals, deep nesting and long sums;
  ``allowed_only=True`` keeps to the language (every result should load).
- :func:`rubric_documents`: the bytes of a rubric file: criteria with such
  expressions, weights and bonus points from 1e-300 to 1e308, ``inf`` and
  ``nan``, names and bands holding markup payloads
  (:data:`serviceart.testing.markup.PAYLOADS`), and sometimes a whole-file
  defect (deeply nested arrays, Latin-1 bytes, a cut-off end, a huge file).
  ``loadable=True`` gives well-formed rubrics only (hostile names, extreme but
  allowed numbers): every one must load.

Examples
--------
>>> from serviceart.rubric.expr import MAX_DEPTH
>>> long_sum(MAX_DEPTH + 5).count("+") == MAX_DEPTH + 4
True
"""

from __future__ import annotations

import json
from typing import Any

from ..codebook import PRINCIPLES
from ..rubric.check import KINDS
from ..rubric.expr import FUNCTIONS, MAX_DEPTH, SIGNATURES
from ..schema import measures_table
from .markup import PAYLOADS

__all__ = ["MEASURE_NAMES", "expressions", "long_sum", "rubric_documents", "toml_document"]

#: Every measure and cue name an expression may read.
MEASURE_NAMES: tuple[str, ...] = tuple(n for n in measures_table().names
                                       if n != "interaction_id")

_NUMBERS = ("0", "1", "0.5", "3", "-2", "1e-300", "1e12", "999999999999", "1_000", "0x1f",
            "1e300", "1e400", "-1e400", "10" + "0" * 400, "1e13", "0.0000001")
_SAFE_NUMBERS = ("0", "1", "0.5", "3", "2.5", "1e-300", "1e12", "100", "0.001", "1_000")
_BAD_LEAVES = ("nan", "inf", "min", "max", "len", "__import__", "clip", "where", "open",
               "'text'", "b'bytes'", "None", "...", "1j", "no_such_measure", "__builtins__",
               "[1, 2]", "{}", "(lambda: 1)", "f'{courtesy}'", "courtesy.real",
               "courtesy[0]", "[x for x in ()]", "(x := 1)", "courtesy if 1 else 0")
_OPS = ("+", "-", "*", "/", "%", "**", "&", "|", "<", "<=", ">", ">=", "==", "!=", "and",
        "or")
_BAD_OPS = ("//", "@", "<<", ">>", "^", "in", "not in", "is", "is not")
_FUNCS = tuple(FUNCTIONS)
_BAD_FUNCS = ("max", "min", "eval", "exec", "__import__", "getattr", "print", "sum", "np.log",
              "pd.eval", "courtesy")


def long_sum(terms: int, name: str = "1") -> str:
    """``name + name + ...`` with ``terms`` terms (nested ``terms - 1`` levels deep)."""
    return "+".join([name] * terms)


def expressions(*, allowed_only: bool = False, max_leaves: int = 12) -> Any:
    """A hypothesis strategy of rubric expressions (text).

    Parameters
    ----------
    allowed_only
        Only what the expression language allows, within its limits (names from
        the codebook, numbers up to 1e12, functions with their arity, depth at
        most :data:`serviceart.rubric.expr.MAX_DEPTH`).
    max_leaves
        About how many leaves a random tree has.
    """
    from hypothesis import strategies as st

    names = st.sampled_from(MEASURE_NAMES)
    numbers = st.sampled_from(_SAFE_NUMBERS if allowed_only else _NUMBERS)
    leaves = st.one_of(names, numbers, st.sampled_from(("True", "False")))
    if not allowed_only:
        leaves = st.one_of(leaves, st.sampled_from(_BAD_LEAVES))

    def extend(children: Any) -> Any:
        ops = st.sampled_from(_OPS if allowed_only else _OPS + _BAD_OPS)
        binary = st.tuples(children, ops, children).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
        unary = st.tuples(st.sampled_from(("-", "~", "not ", "+")), children).map(
            lambda t: f"({t[0]}({t[1]}))")

        @st.composite
        def call(draw: Any) -> str:
            name = draw(st.sampled_from(_FUNCS) if allowed_only else
                        st.sampled_from(_FUNCS + _BAD_FUNCS))
            arity = len(SIGNATURES.get(name, ("x",)))
            if not allowed_only:
                arity = draw(st.sampled_from((arity, arity, arity, 0, arity + 1,
                                              max(arity - 1, 0))))
            args = [draw(children) for _ in range(arity)]
            if not allowed_only and draw(st.integers(0, 9)) == 0:
                args.append(draw(st.sampled_from(("x=1", "*courtesy", "**{}"))))
            return f"{name}({', '.join(args)})"

        chain = st.lists(children, min_size=3, max_size=4).map(" < ".join)
        return st.one_of(binary, unary, call(), chain)

    tree = st.recursive(leaves, extend, max_leaves=max_leaves)
    if allowed_only:
        shallow = st.integers(1, MAX_DEPTH // 2)
        return st.one_of(tree, st.tuples(shallow, names).map(lambda t: long_sum(t[0], t[1])))
    deep = st.one_of(
        st.integers(1, 600).map(long_sum),
        st.integers(1, 400).map(lambda n: "(" * n + "courtesy" + ")" * n),
        st.integers(1, 3000).map(lambda n: "-" * n + "1"),
        st.integers(1, 700).map(lambda n: "not " * n + "courtesy"),
        st.integers(1, 200).map(lambda n: "clip(" * n + "courtesy" + ", 0, 1)" * n),
    )
    return st.one_of(tree, deep, st.text(max_size=30))


def _toml_string(text: str) -> str:
    """A TOML basic string (control characters and DEL escaped)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}"
                               for k, v in value.items()) + "}"
    raise TypeError(f"no TOML for {type(value).__name__}")


def toml_document(rubric: dict[str, Any]) -> str:
    """TOML text of a rubric given as ``{"rubric": {...}, "bands": {...}, "criteria":
    [...]}`` (any values, including ``nan``, ``inf`` and integers of any size)."""
    lines: list[str] = []
    if "rubric" in rubric:
        lines.append("[rubric]")
        lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in rubric["rubric"].items()]
    if "bands" in rubric:
        lines.append("[bands]")
        lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in rubric["bands"].items()]
    for crit in rubric.get("criteria", []):
        lines.append("\n[[criteria]]")
        lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in crit.items()]
    return "\n".join(lines) + "\n"


def rubric_documents(*, loadable: bool = False, max_criteria: int = 6) -> Any:
    """A hypothesis strategy of rubric files (``bytes``); see the module docstring.

    Without ``loadable``, half the documents are hostile throughout and half
    well-formed with hostile text, so that both outcomes (a RubricError, a
    rubric that scores) are exercised.
    """
    from hypothesis import strategies as st

    if loadable:
        return _documents(True, max_criteria)
    return st.one_of(_documents(False, max_criteria), _documents(True, max_criteria))


def _documents(loadable: bool, max_criteria: int) -> Any:
    from hypothesis import strategies as st

    # any text (hypothesis leaves out lone surrogates); names that must load start non-blank
    texts = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=40).map(
        (lambda t: "n" + t) if loadable else str))
    if loadable:
        weights: Any = st.one_of(st.floats(1e-300, 1e6), st.integers(1, 1_000_000))
        bonus: Any = st.floats(1e-9, 100)
        mins: Any = st.floats(0, 100)
    else:
        extreme = st.sampled_from((0, -1, 1e308, float("inf"), float("nan"), 10 ** 30,
                                   2 ** 63 - 1, 1e-320, 1e6, 1e6 + 1, "heavy", True, [1]))
        weights = st.one_of(st.floats(allow_nan=True, allow_infinity=True), extreme)
        bonus = st.one_of(st.floats(allow_nan=True, allow_infinity=True), extreme)
        mins = st.one_of(st.floats(allow_nan=True, allow_infinity=True), extreme)

    @st.composite
    def criterion(draw: Any, k: int) -> dict[str, Any]:
        kind = draw(st.sampled_from(KINDS if loadable else (*KINDS, "bonsu", "")))
        principle = draw(st.sampled_from(PRINCIPLES) if loadable else
                         st.one_of(st.sampled_from(PRINCIPLES), texts))
        crit: dict[str, Any] = {"principle": principle,
                                "name": f"{k}-{draw(texts)}" if loadable else draw(texts),
                                "value": draw(expressions(allowed_only=loadable))}
        if loadable or draw(st.booleans()):
            crit["kind"] = kind
        if draw(st.booleans()):
            crit["applies"] = draw(expressions(allowed_only=loadable))
        if (kind == "score" and draw(st.booleans())) or (not loadable and draw(st.booleans())):
            crit["weight"] = draw(weights)
        if kind == "bonus" or (not loadable and draw(st.booleans())):
            crit["bonus_points"] = draw(bonus)
        if draw(st.booleans()):
            crit["rationale"] = draw(texts)
        return crit

    @st.composite
    def bands(draw: Any) -> list[dict[str, Any]]:
        n = draw(st.integers(1, 4))
        names = [f"{k}{draw(texts)}" if loadable else draw(texts) for k in range(n)]
        if loadable:
            values = [*sorted({draw(mins) for _ in range(n - 1)} - {0.0}, reverse=True), 0]
        else:
            values = [*(draw(mins) for _ in range(n - 1)), draw(st.sampled_from((0, 0, 5)))]
        return [{"name": names[k], "min": v} for k, v in enumerate(values)]

    @st.composite
    def document(draw: Any) -> bytes:
        n = draw(st.integers(1, max_criteria))
        crits = [draw(criterion(k)) for k in range(n)]
        if loadable and not any(c["principle"] == crits[0]["principle"] and c["kind"] == "score"
                                for c in crits):
            crits[0]["kind"] = "score"
            crits[0].pop("bonus_points", None)
        data: dict[str, Any] = {"criteria": crits}
        if draw(st.booleans()):
            data["rubric"] = {"name": draw(texts), "version": draw(st.sampled_from(("1", "2b"))),
                              "description": draw(texts)}
        if draw(st.booleans()):
            key = draw(st.sampled_from(("all", *PRINCIPLES, "overall")))
            data["bands"] = {key: draw(bands())}
        text = toml_document(data)
        if loadable:
            return text.encode("utf-8")
        defect = draw(st.sampled_from(("none",) * 6 + ("deep", "latin1", "cut", "bytes",
                                                        "huge", "bom", "nul")))
        if defect == "deep":
            depth = draw(st.integers(10, 5000))
            text = f"deep = {'[' * depth}{']' * depth}\n" + text
        elif defect == "cut":
            text = text[:draw(st.integers(0, len(text)))]
        elif defect == "huge":
            text += "#" + "x" * 1_000_001 + "\n"
        elif defect == "bom":
            text = "\ufeff" + text
        elif defect == "nul":
            text = text.replace('"', '"\x00', 1)
        if defect == "latin1":
            return text.encode("latin-1", errors="replace") + "é".encode("latin-1")
        if defect == "bytes":
            return text.encode("utf-8") + bytes(draw(st.binary(min_size=1, max_size=8)))
        return text.encode("utf-8")

    return document()
