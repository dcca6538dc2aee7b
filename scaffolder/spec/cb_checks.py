"""What a CB row must say for the generator and `scaffold check` to agree on it: an index a table's id column
names outright, and a page count that is a whole number of pages from 1 to what L1 can hold at every shape.
A value outside that is an error at its line, never silently replaced."""

from __future__ import annotations

import re

from scaffolder.model import CircularBuffer
from scaffolder.sizing import L1_BUDGET_BYTES, cb_page_size, knob_alias, shape_env
from scaffolder.spec.expressions import evaluate

_NEGATIVE_INDEX = re.compile(r"\bc_\s*-\s*\d+", re.IGNORECASE)


def cb_id_problem(id_text: str, index: int | None, separate_name_column: bool) -> str | None:
    """A table with its own id and name columns must give each row an index in the id column (`c_N` or N);
    only a table whose one CB column holds names leaves indices to the convention."""
    shown = id_text.replace("`", "").strip()
    if _NEGATIVE_INDEX.search(shown):
        return f"CB id {shown!r}: a CB index is c_0..c_31"
    if separate_name_column and index is None:
        if not shown:
            return "CB row has an empty id cell; give its index (c_0..c_31)"
        return f"CB id {shown!r} is not a CB index (c_0..c_31)"
    return None


def page_count_problems(
    cb: CircularBuffer, shapes, known: set[str], spec_lines: list[str], table_lines: set[int]
) -> list[str]:
    """Why `cb`'s page count is unusable: a name the spec mentions nowhere else, division by zero, fewer than one
    page, a fraction, or more pages than L1 holds at the smallest shape."""
    label = f"CB c_{cb.index} page count {cb.pages.text!r}"
    out = []
    # Depth and block knobs read as DEPTH and BLOCK_SIZE by their names; any other name (read as Wt) must be
    # one the spec talks about somewhere outside the CB table.
    for name in sorted(n for n in cb.pages.names() - known if knob_alias(n) == "Wt"):
        word = re.compile(rf"\b{re.escape(name)}\b")
        if not any(word.search(text) for n, text in enumerate(spec_lines, 1) if n not in table_lines):
            out.append(f"{label} uses {name!r}, which the spec mentions nowhere outside the CB table")
    if out:
        return out
    smallest = min(shapes, key=lambda s: _numel(s))
    for shape in shapes:
        env = shape_env(tuple(shape))
        for name in cb.pages.names() - set(env):
            env[name] = env[knob_alias(name)]
        at = "x".join(map(str, shape))
        try:
            pages = evaluate(cb.pages.expr, env)
        except ZeroDivisionError:
            return [f"{label} divides by zero (at shape {at})"]
        except KeyError as e:  # a function name used as a value (`div_up`)
            return [f"{label} uses {e.args[0]!r} as a value"]
        except (ArithmeticError, ValueError, TypeError) as e:
            return [f"{label} cannot be evaluated at shape {at}: {e}"]
        if pages != int(pages):
            return [f"{label} is {pages:g} at shape {at}, not a whole number of pages"]
        if pages < 1:
            return [f"{label} is {int(pages)} at shape {at}; a CB needs at least 1 page"]
        if shape == smallest:
            need = int(pages) * cb_page_size(cb, env, "bfloat16")
            if need > L1_BUDGET_BYTES:
                too_big = f"{label} is {int(pages)} pages = {need} B at the smallest shape {at}"
                return [f"{too_big}, more than the {L1_BUDGET_BYTES} B of L1 a core has for CBs"]
    return []


def _numel(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n
