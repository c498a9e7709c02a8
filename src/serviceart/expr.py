"""A small, safe expression language over the measures table (for rubrics).

Expressions use pandas ``DataFrame.eval`` syntax: column names, numbers,
arithmetic, comparisons, ``&``, ``|``, ``~``, ``and``/``or``/``not``, plus a few
vectorised functions: ``clip(x, lo, hi)``, ``minimum(a, b)``, ``maximum(a, b)``,
``where(cond, a, b)``, ``isna(x)``, ``notna(x)``, ``fillna(x, v)``, ``abs(x)``,
``log1p(x)``. Nothing else (no attributes, no subscripts, no imports) is
accepted, so rubric files cannot run code.

Examples
--------
>>> import pandas as pd
>>> m = pd.DataFrame({"a": [0.2, 0.8], "b": [0, 2]})
>>> evaluate("clip(a / 0.5, 0, 1) * (b == 0)", m).tolist()
[0.4, 0.0]
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ExpressionError", "evaluate", "names_in", "parse"]


class ExpressionError(ValueError):
    """An expression is malformed or uses something not allowed."""


def _asarray(x: Any) -> np.ndarray:
    return np.asarray(x, dtype="float64")


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "clip": lambda x, lo, hi: np.clip(_asarray(x), lo, hi),
    "minimum": lambda a, b: np.fmin(_asarray(a), _asarray(b)),
    "maximum": lambda a, b: np.fmax(_asarray(a), _asarray(b)),
    "where": lambda c, a, b: np.where(np.asarray(c, dtype=bool), a, b),
    "isna": lambda x: np.isnan(_asarray(x)),
    "notna": lambda x: ~np.isnan(_asarray(x)),
    "fillna": lambda x, v: np.where(np.isnan(_asarray(x)), v, _asarray(x)),
    "abs": lambda x: np.abs(_asarray(x)),
    "log1p": lambda x: np.log1p(_asarray(x)),
}

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Pow: np.power,
    ast.BitAnd: np.logical_and, ast.BitOr: np.logical_or, ast.Mod: np.mod,
}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater, ast.GtE: np.greater_equal,
    ast.Eq: np.equal, ast.NotEq: np.not_equal,
}


def parse(expression: str) -> ast.Expression:
    """Parse and check an expression; raise :class:`ExpressionError` if not allowed."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse {expression!r}: {exc.msg}") from exc
    for node in ast.walk(tree):
        ok = isinstance(node, (ast.Expression, ast.Name, ast.Constant, ast.BinOp, ast.UnaryOp,
                               ast.Compare, ast.BoolOp, ast.Call, ast.Load, ast.operator,
                               ast.unaryop, ast.cmpop, ast.boolop))
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS and not node.keywords
        ):
            raise ExpressionError(
                f"in {expression!r}: only these functions are allowed: {sorted(FUNCTIONS)}")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, bool)):
            raise ExpressionError(f"in {expression!r}: only numbers are allowed as constants")
        if isinstance(node, (ast.BinOp,)) and type(node.op) not in (*_BINOPS, ast.Div):
            raise ExpressionError(f"in {expression!r}: operator not allowed")
        if not ok:
            raise ExpressionError(
                f"in {expression!r}: {type(node).__name__} is not allowed in rubric expressions")
    return tree


def names_in(expression: str) -> set[str]:
    """Column names an expression refers to (function names excluded)."""
    tree = parse(expression)
    funcs = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Name)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - funcs - {"True", "False"}


def _eval(node: ast.AST, cols: dict[str, np.ndarray]) -> Any:
    if isinstance(node, ast.Expression):
        return _eval(node.body, cols)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in ("True", "False"):
            return node.id == "True"
        return cols[node.id]
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, cols), _eval(node.right, cols)
        if isinstance(node.op, ast.Div):
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.true_divide(_asarray(left), _asarray(right))
        return _BINOPS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        val = _eval(node.operand, cols)
        if isinstance(node.op, (ast.Not, ast.Invert)):
            return np.logical_not(val)
        return -_asarray(val) if isinstance(node.op, ast.USub) else _asarray(val)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, cols)
        result: Any = True
        for op, comp in zip(node.ops, node.comparators, strict=False):
            right = _eval(comp, cols)
            result = np.logical_and(result, _CMPOPS[type(op)](left, right))
            left = right
        return result
    if isinstance(node, ast.BoolOp):
        vals = [_eval(v, cols) for v in node.values]
        fn = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        out = vals[0]
        for v in vals[1:]:
            out = fn(out, v)
        return out
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise ExpressionError("only named functions can be called")
        return FUNCTIONS[node.func.id](*[_eval(a, cols) for a in node.args])
    raise ExpressionError(f"{type(node).__name__} is not allowed")


def evaluate(expression: str | ast.Expression, frame: pd.DataFrame,
             names: Iterable[str] | None = None) -> np.ndarray:
    """Evaluate an expression on every row of ``frame``; returns a float array.

    Missing values propagate as NaN through arithmetic; comparisons with NaN are
    false.
    """
    tree = parse(expression) if isinstance(expression, str) else expression
    needed = names if names is not None else {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(FUNCTIONS)
    cols = {n: frame[n].to_numpy(dtype="float64", na_value=np.nan) for n in needed
            if n in frame.columns}
    missing = [n for n in needed if n not in cols and n not in ("True", "False")]
    if missing:
        raise ExpressionError(f"unknown measure(s) {sorted(missing)}")
    out = _eval(tree, cols)
    return np.broadcast_to(np.asarray(out, dtype="float64"), (len(frame),)).copy()
