"""Page counts and sizes written as expressions: `Wt`, `2*Wt`, `1 tile`, `DEPTH * BLOCK_SIZE`, `2 if has_partial_w else 1`.

Only arithmetic on integers and a few names is allowed; anything else is reported, never executed.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

_UNIT_WORDS = re.compile(r"\b(tiles?|pages?|sticks?|rows?|tile-sized|tile-rows?)\b", re.IGNORECASE)
_ALLOWED_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Div: lambda a, b: a // b if a % b == 0 else a / b,
    ast.Mod: lambda a, b: a % b,
}
_FUNCS = {"ceil": math.ceil, "max": max, "min": min, "div_up": lambda a, b: -(-a // b)}


@dataclass(frozen=True)
class PageCount:
    """A page count as written, normalised to a Python expression over shape-derived names."""

    text: str  # original cell text
    expr: str  # normalised expression, e.g. "2*Wt"
    unit: str  # "tile" or "stick"

    def names(self) -> set[str]:
        return {n.id for n in ast.walk(ast.parse(self.expr, mode="eval")) if isinstance(n, ast.Name)} - set(
            _FUNCS
        )

    def evaluate(self, env: dict[str, int]) -> int:
        return int(evaluate(self.expr, env))


def normalise(text: str) -> tuple[str, str]:
    """Cell text → (expression, unit). Raises ValueError when nothing arithmetic is left."""
    t = text.replace("`", "").replace("\u00d7", "*").replace("·", "*").strip()
    unit = "stick" if re.search(r"\bsticks?\b", t, re.IGNORECASE) else "tile"
    # "Wt (RM) / 2 (TILE)": one count per case the spec names; the CB must hold the larger.
    alt = re.fullmatch(r"([^()/]+?)\s*\([^()]*\)\s*/\s*([^()/]+?)\s*\([^()]*\)\s*", t)
    if alt:
        (a, _), (b, _) = normalise(alt.group(1)), normalise(alt.group(2))
        return f"max({a}, {b})", unit
    t = re.sub(r"\(.*?\)", " ", t)  # notes such as "(RM only)"
    # "Wt tiles * tile_size", "num_tiles_per_row tiles × output_tile_size": bytes of tile-sized pages
    t = re.sub(r"\*\s*\w*(tile_size|page_size)\b|\b\w*(tile_size|page_size)\s*\*", " ", t)
    t = re.sub(r"\bx\b(?=\s*\d)", "*", t)
    t = _UNIT_WORDS.sub(" ", t)
    t = t.split(",")[0]
    t = re.sub(r"\s+", " ", t).strip()
    if not t:
        raise ValueError(f"page count {text!r} has no number or expression")
    # `2 Wt` → `2*Wt`
    t = re.sub(r"(\d)\s+(?!(?:if|else)\b)([A-Za-z_])", r"\1*\2", t)
    try:
        tree = ast.parse(t, mode="eval")
    except SyntaxError:
        raise ValueError(f"page count {text!r} is not an expression") from None
    _check(tree.body, text)
    return t, unit


def _check(node: ast.AST, text: str) -> None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return
    if isinstance(node, ast.Name):
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _ALLOWED_BINOPS:
        _check(node.left, text)
        _check(node.right, text)
        return
    if isinstance(node, ast.IfExp):
        for part in (node.test, node.body, node.orelse):
            _check(part, text)
        return
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        _check(node.left, text)
        _check(node.comparators[0], text)
        return
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS:
        for a in node.args:
            _check(a, text)
        return
    raise ValueError(f"page count {text!r} uses unsupported syntax")


def parse_page_count(text: str) -> PageCount:
    expr, unit = normalise(text)
    return PageCount(text.strip(), expr, unit)


def evaluate(expr: str, env: dict[str, int]) -> int | float:
    """Evaluate a checked expression; unknown names raise KeyError naming them."""

    def ev(node: ast.AST):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id not in env:
                raise KeyError(node.id)
            return env[node.id]
        if isinstance(node, ast.BinOp):
            right = ev(node.right)
            if isinstance(node.op, (ast.FloorDiv, ast.Div, ast.Mod)) and right == 0:
                raise ZeroDivisionError(expr)
            return _ALLOWED_BINOPS[type(node.op)](ev(node.left), right)
        if isinstance(node, ast.IfExp):
            return ev(node.body) if ev(node.test) else ev(node.orelse)
        if isinstance(node, ast.Compare):
            left, right = ev(node.left), ev(node.comparators[0])
            op = node.ops[0]
            table = {
                ast.Eq: left == right,
                ast.NotEq: left != right,
                ast.Gt: left > right,
                ast.Lt: left < right,
                ast.GtE: left >= right,
                ast.LtE: left <= right,
            }
            return table.get(type(op), False)
        if isinstance(node, ast.Call):
            return _FUNCS[node.func.id](*[ev(a) for a in node.args])
        raise ValueError(f"unsupported expression {expr!r}")

    tree = ast.parse(expr, mode="eval")
    _check(tree.body, expr)
    return ev(tree.body)
