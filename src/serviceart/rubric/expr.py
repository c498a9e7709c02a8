"""A small, safe expression language over the measures table (for rubrics).

Expressions use pandas ``DataFrame.eval`` syntax: column names, numbers,
arithmetic, comparisons, ``&``, ``|``, ``~``, ``and``/``or``/``not``, plus a few
vectorised functions: ``clip(x, lo, hi)``, ``minimum(a, b)``, ``maximum(a, b)``,
``where(cond, a, b)``, ``isna(x)``, ``notna(x)``, ``fillna(x, v)``, ``abs(x)``,
``log(x)`` (natural log; NaN where ``x <= 0``) and ``log1p(x)`` (``log(1 + x)``; NaN
where ``x <= -1``). Nothing else (no attributes, subscripts, strings, imports,
``in``/``is``, keyword or starred arguments, functions used without a call) is
accepted, so rubric files cannot run code.

:func:`parse` checks an expression completely: every node is one of the above,
every function gets its number of arguments, every number is finite and at most
:data:`MAX_LITERAL` in size, and the text and its nesting stay within
:data:`MAX_LENGTH` and :data:`MAX_DEPTH`. Every value is then a float column
(``True``/``False`` count 1/0), and :func:`evaluate` computes in float64 with
floating-point errors silenced: a division by zero, an overflow or a root of a
negative number gives ``inf`` or NaN for that row, never an exception.

Examples
--------
>>> import pandas as pd
>>> m = pd.DataFrame({"a": [0.2, 0.8], "b": [0, 2]})
>>> evaluate("clip(a / 0.5, 0, 1) * (b == 0)", m).tolist()
[0.4, 0.0]

Grading a reply time on a log scale: on target (ratio 1) gives 1, a reply 24 times
slower than the target gives 0, and missing or zero times give NaN (not applied):

>>> r = pd.DataFrame({"first_response_sla_ratio": [1.0, 24.0, 4.8, 0.0, None]})
>>> [round(v, 3) for v in evaluate(
...     "clip(1 - log(first_response_sla_ratio) / log(24), 0, 1)", r).tolist()]
[1.0, 0.0, 0.506, nan, nan]
>>> evaluate("log1p(b)", pd.DataFrame({"b": [0.0, -1.0, -2.0]})).tolist()
[0.0, nan, nan]
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "MAX_LITERAL", "SIGNATURES", "ExpressionError",
           "evaluate", "names_in", "parse"]

#: The longest expression accepted, in characters.
MAX_LENGTH = 2000
#: The deepest nesting of an expression's syntax tree. Each operator, comparison or call
#: nests one level: a sum of n terms is n levels deep, so long sums must be split over
#: criteria.
MAX_DEPTH = 64
#: The largest size of a number written in an expression (``1e12``).
MAX_LITERAL = 1e12


class ExpressionError(ValueError):
    """An expression is malformed or uses something not allowed."""


def _asarray(x: Any) -> np.ndarray:
    return np.asarray(x, dtype="float64")


def _log(x: np.ndarray) -> np.ndarray:
    """Natural log, NaN where ``x <= 0`` (never -inf)."""
    return np.log(np.where(x > 0, x, np.nan))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "clip": lambda x, lo, hi: np.clip(_asarray(x), _asarray(lo), _asarray(hi)),
    "minimum": lambda a, b: np.fmin(_asarray(a), _asarray(b)),
    "maximum": lambda a, b: np.fmax(_asarray(a), _asarray(b)),
    "where": lambda c, a, b: np.where(np.asarray(c, dtype=bool), _asarray(a), _asarray(b)),
    "isna": lambda x: np.isnan(_asarray(x)),
    "notna": lambda x: ~np.isnan(_asarray(x)),
    "fillna": lambda x, v: np.where(np.isnan(_asarray(x)), _asarray(v), _asarray(x)),
    "abs": lambda x: np.abs(_asarray(x)),
    "log": lambda x: _log(_asarray(x)),
    "log1p": lambda x: np.log1p(np.where(_asarray(x) > -1, _asarray(x), np.nan)),
}

#: How each function is called (its arguments), for error messages.
SIGNATURES: dict[str, tuple[str, ...]] = {
    "clip": ("x", "lo", "hi"), "minimum": ("a", "b"), "maximum": ("a", "b"),
    "where": ("cond", "a", "b"), "isna": ("x",), "notna": ("x",), "fillna": ("x", "v"),
    "abs": ("x",), "log": ("x",), "log1p": ("x",),
}

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Pow: np.power,
    ast.Div: np.true_divide, ast.Mod: np.mod,
    ast.BitAnd: np.logical_and, ast.BitOr: np.logical_or,
}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater, ast.GtE: np.greater_equal,
    ast.Eq: np.equal, ast.NotEq: np.not_equal,
}
_SYMBOLS: dict[type, str] = {
    ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitXor: "^", ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
}
_ALLOWED = (ast.Expression, ast.Name, ast.Constant, ast.BinOp, ast.UnaryOp, ast.Compare,
            ast.BoolOp, ast.Call, ast.Load, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def _call(name: str) -> str:
    return f"{name}({', '.join(SIGNATURES[name])})"


def _check_node(node: ast.AST, expression: str) -> None:
    """Raise :class:`ExpressionError` when one node is not allowed (children not looked at)."""
    if isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
            raise ExpressionError(
                f"in {_quote(expression)}: only these functions are allowed: {sorted(FUNCTIONS)}")
        name = node.func.id
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"in {_quote(expression)}: {name} takes plain arguments, no "
                                  f"keywords or *: write {_call(name)}")
        if len(node.args) != len(SIGNATURES[name]):
            raise ExpressionError(f"in {_quote(expression)}: {name} takes {len(SIGNATURES[name])} "
                                  f"argument(s), got {len(node.args)}: write {_call(name)}")
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise ExpressionError(f"in {_quote(expression)}: {node.id} is a function, not a value: "
                                  f"call it, {_call(node.id)}")
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            return
        if not isinstance(value, int | float):
            raise ExpressionError(f"in {_quote(expression)}: only numbers are allowed as constants")
        # ints are compared exactly (a 400-digit int is not converted to float)
        if (isinstance(value, float) and value != value) or not -MAX_LITERAL <= value \
                <= MAX_LITERAL:
            raise ExpressionError(
                f"in {_quote(expression)}: the number {_number(value)} is out of range; numbers "
                f"must be finite and at most {MAX_LITERAL:g} in size")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            symbol = _SYMBOLS.get(type(node.op), type(node.op).__name__)
            hint = "; use / (and clip) instead" if symbol == "//" else ""
            raise ExpressionError(f"in {_quote(expression)}: operator not allowed: {symbol}{hint}")
    elif isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _CMPOPS:
                symbol = _SYMBOLS.get(type(op), type(op).__name__)
                raise ExpressionError(f"in {_quote(expression)}: comparison {symbol!r} is not "
                                      "allowed; compare numbers with ==, !=, <, <=, > or >=")
    elif not isinstance(node, _ALLOWED):
        raise ExpressionError(
            f"in {_quote(expression)}: {type(node).__name__} is not allowed in rubric expressions")


def _quote(expression: str) -> str:
    """The expression quoted for a message, cut to 80 characters."""
    return repr(expression) if len(expression) <= 80 else f"{expression[:60]!r}..."


def _number(value: int | float) -> str:
    return f"{value:g}" if isinstance(value, float) else _short(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:10]}...{text[-6:]} ({len(text)} characters)"


def parse(expression: str) -> ast.Expression:
    """Parse and check an expression; raise :class:`ExpressionError` if not allowed.

    The check is complete: a parsed expression evaluates on any float columns
    (see the module docstring). The tree is walked without recursion, so a deep
    expression gives an :class:`ExpressionError`, never a ``RecursionError``.
    Checked trees are cached by text (they are never modified), so a rubric's
    expressions are parsed once however many chunks it scores.
    """
    if not isinstance(expression, str):
        raise ExpressionError(f"an expression must be text, got {_short(expression)}")
    return _parse_checked(expression)


@functools.lru_cache(maxsize=4096)
def _parse_checked(expression: str) -> ast.Expression:
    text = expression.strip()
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression {_quote(text)} has {len(text)} characters, more than "
            f"{MAX_LENGTH}; split it over several criteria")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse {_quote(expression)}: {exc.msg}") from exc
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError(f"cannot parse {_quote(expression)}: {exc}") from exc
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(
                f"{_quote(expression)} is nested more "
                f"than {MAX_DEPTH} levels deep (each operator is a level, so a sum of many "
                "terms is deep); split it over several criteria")
        _check_node(node, expression)
        children = (node.args if isinstance(node, ast.Call)  # the callee is checked above
                    else list(ast.iter_child_nodes(node)))
        # operators and contexts are part of their node, not a level of nesting
        stack.extend((child, depth + 1 if isinstance(child, ast.expr) else depth)
                     for child in children)
    return tree


@functools.lru_cache(maxsize=4096)
def _value_names(tree: ast.AST) -> frozenset[str]:
    """Names used as values (callees excluded) in a checked tree (cached per tree)."""
    callees = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return frozenset(n.id for n in ast.walk(tree)
                     if isinstance(n, ast.Name) and id(n) not in callees)


def names_in(expression: str) -> set[str]:
    """Column names an expression refers to (function names excluded)."""
    return set(_value_names(parse(expression)) - {"True", "False"})


def _eval(node: ast.AST, cols: dict[str, np.ndarray]) -> Any:
    if isinstance(node, ast.Expression):
        return _eval(node.body, cols)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id in ("True", "False"):
            return float(node.id == "True")
        return cols[node.id]
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, cols), _eval(node.right, cols)
        return _BINOPS[type(node.op)](_asarray(left), _asarray(right))
    if isinstance(node, ast.UnaryOp):
        val = _asarray(_eval(node.operand, cols))
        if isinstance(node.op, (ast.Not, ast.Invert)):
            return np.logical_not(val)
        return -val if isinstance(node.op, ast.USub) else val
    if isinstance(node, ast.Compare):
        left = _asarray(_eval(node.left, cols))
        result: Any = True
        for op, comp in zip(node.ops, node.comparators, strict=False):
            right = _asarray(_eval(comp, cols))
            result = np.logical_and(result, _CMPOPS[type(op)](left, right))
            left = right
        return result
    if isinstance(node, ast.BoolOp):
        vals = [_asarray(_eval(v, cols)) for v in node.values]
        fn = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        out = vals[0]
        for v in vals[1:]:
            out = fn(out, v)
        return out
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return FUNCTIONS[node.func.id](*[_eval(a, cols) for a in node.args])
    raise ExpressionError(f"{type(node).__name__} is not allowed")


def evaluate(expression: str | ast.Expression, frame: pd.DataFrame,
             names: Iterable[str] | None = None, *,
             columns: MutableMapping[str, np.ndarray] | None = None) -> np.ndarray:
    """Evaluate an expression on every row of ``frame``; returns a float array.

    Missing values propagate as NaN through arithmetic; comparisons with NaN are
    false. Floating-point errors give ``inf`` or NaN, never an exception or a
    warning.

    ``columns`` is an optional cache of ``frame``'s columns as float arrays, filled
    as they are needed: pass the same dict when evaluating several expressions on
    one frame, so that each column is converted once.
    """
    tree = parse(expression) if isinstance(expression, str) else expression
    needed = set(names) if names is not None else _value_names(tree) - {"True", "False"}
    cache: MutableMapping[str, np.ndarray] = {} if columns is None else columns
    for n in needed:
        if n not in cache and n in frame.columns:
            cache[n] = frame[n].to_numpy(dtype="float64", na_value=np.nan)
    cols = {n: cache[n] for n in needed if n in cache}
    missing = [n for n in needed if n not in cols and n not in ("True", "False")]
    if missing:
        raise ExpressionError(f"unknown measure(s) {sorted(missing)}")
    with np.errstate(all="ignore"):
        out = _eval(tree, cols)
    return np.broadcast_to(np.asarray(out, dtype="float64"), (len(frame),)).copy()
