"""A safe arithmetic evaluator: ``ast`` with a whitelist, never ``eval``.

Allowed: int and float literals, ``+ - * / // % **``, unary ``+``/``-``, parentheses, the functions
``sqrt sin cos tan log exp abs round`` (``log(x)`` or ``log(x, base)``, ``round(x)`` or
``round(x, ndigits)``) and the constants ``pi``, ``e``. Anything else (names, attributes, other calls,
subscripts, comparisons, strings, lambdas …) is rejected with a ``CalculatorError`` saying what.

Limits against denial of service: the expression is at most ``MAX_LENGTH`` characters; an
exponent's absolute value at most ``MAX_EXPONENT``; an integer result at most ``MAX_INT_BITS`` bits
(checked *before* a power is computed, by estimating its size).
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

__all__ = ["MAX_EXPONENT", "MAX_INT_BITS", "MAX_LENGTH", "CalculatorError", "evaluate", "format_number"]

MAX_LENGTH = 500
MAX_EXPONENT = 10_000
MAX_INT_BITS = 100_000

Number = int | float


class CalculatorError(ValueError):
    """The expression is not allowed or cannot be computed; the message says why, for the model."""


_BINARY: dict[type[ast.operator], tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.FloorDiv: ("//", operator.floordiv),
    ast.Mod: ("%", operator.mod),
    ast.Pow: ("**", operator.pow),
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}


def _log(x: Number, base: Number | None = None) -> float:
    return math.log(x) if base is None else math.log(x, base)


def _round(x: Number, ndigits: Number | None = None) -> Number:
    if ndigits is None:
        return round(x)
    if not isinstance(ndigits, int):
        raise CalculatorError("round(x, n): n must be a whole number.")
    if abs(ndigits) > 100:
        raise CalculatorError("round(x, n): n must be between -100 and 100.")
    return round(x, ndigits)


#: name → (function, min args, max args)
_FUNCTIONS: dict[str, tuple[Callable[..., Number], int, int]] = {
    "sqrt": (math.sqrt, 1, 1),
    "sin": (math.sin, 1, 1),
    "cos": (math.cos, 1, 1),
    "tan": (math.tan, 1, 1),
    "log": (_log, 1, 2),
    "exp": (math.exp, 1, 1),
    "abs": (abs, 1, 1),
    "round": (_round, 1, 2),
}
_CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

_NODE_WORDS: dict[type[ast.AST], str] = {
    ast.Attribute: "attributes (like x.y)",
    ast.Subscript: "indexing (like x[0])",
    ast.Compare: "comparisons",
    ast.BoolOp: "and/or",
    ast.Lambda: "lambda",
    ast.IfExp: "if/else",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.ListComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.JoinedStr: "strings",
    ast.NamedExpr: "assignments",
}


def evaluate(expression: str) -> Number:
    """The value of ``expression``; raises ``CalculatorError`` with a clear reason otherwise."""
    if not isinstance(expression, str):
        raise CalculatorError("The expression must be text.")
    text = expression.strip()
    if not text:
        raise CalculatorError("The expression is empty.")
    if len(text) > MAX_LENGTH:
        raise CalculatorError(f"The expression is too long ({len(text)} characters; at most {MAX_LENGTH}).")
    if "^" in text:
        raise CalculatorError("'^' is not a power here: write powers as a ** b.")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise CalculatorError(f"Not a valid arithmetic expression: {exc.msg}.") from None
    except (RecursionError, MemoryError, ValueError):
        raise CalculatorError("The expression is too deeply nested or malformed.") from None
    try:
        value = _eval(tree.body)
    except CalculatorError:
        raise
    except ZeroDivisionError:
        raise CalculatorError("Division by zero.") from None
    except OverflowError:
        raise CalculatorError("The result is too large.") from None
    except RecursionError:
        raise CalculatorError("The expression is too deeply nested.") from None
    except (ValueError, TypeError) as exc:
        raise CalculatorError(f"Cannot compute: {exc}.") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise CalculatorError("The result is too large (not a finite number).")
    return value


def format_number(value: Number) -> str:
    """An int as is; a float with up to 15 significant digits (``0.1 + 0.2`` → ``0.3``)."""
    if isinstance(value, int):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")


def _check_int(value: Number) -> Number:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise CalculatorError("The result is too large.")
    return value


def _power(base: Number, exponent: Number) -> Number:
    if abs(exponent) > MAX_EXPONENT:
        raise CalculatorError(f"The exponent {format_number(exponent)} is too large (at most {MAX_EXPONENT}).")
    big_int = isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1
    if big_int and exponent * math.log2(abs(base)) > MAX_INT_BITS:
        raise CalculatorError("The result is too large.")
    if base == 0 and exponent < 0:
        raise ZeroDivisionError
    result = base**exponent
    if isinstance(result, complex):
        raise CalculatorError("The result is not a real number (a fractional power of a negative number).")
    return _check_int(result)


def _eval(node: ast.AST) -> Number:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = "strings" if isinstance(value, (str, bytes)) else type(value).__name__ + " values"
            raise CalculatorError(f"Only numbers are allowed, not {kind}.")
        return _check_int(value)
    if isinstance(node, ast.BinOp):
        entry = _BINARY.get(type(node.op))
        if entry is None:
            raise CalculatorError(f"The operator {type(node.op).__name__} is not allowed; use + - * / // % **.")
        left = _eval(node.left)
        right = _eval(node.right)
        if isinstance(node.op, ast.Pow):
            return _power(left, right)
        return _check_int(entry[1](left, right))
    if isinstance(node, ast.UnaryOp):
        unary = _UNARY.get(type(node.op))
        if unary is None:
            raise CalculatorError("Only unary + and - are allowed.")
        return unary(_eval(node.operand))
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        raise CalculatorError(f"Unknown name {node.id!r}: only the constants pi and e are allowed.")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            allowed = ", ".join(_FUNCTIONS)
            raise CalculatorError(f"Only these functions can be called: {allowed}.")
        name = node.func.id
        function, least, most = _FUNCTIONS[name]
        if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
            raise CalculatorError(f"{name}() takes plain arguments only.")
        if not least <= len(node.args) <= most:
            count = str(least) if least == most else f"{least} or {most}"
            raise CalculatorError(f"{name}() takes {count} argument(s), not {len(node.args)}.")
        args = [_eval(arg) for arg in node.args]
        try:
            return _check_int(function(*args))
        except ValueError:
            raise CalculatorError(f"{name}() is not defined for these arguments (math domain error).") from None
    what = _NODE_WORDS.get(type(node), type(node).__name__)
    raise CalculatorError(f"Not allowed in an arithmetic expression: {what}.")
