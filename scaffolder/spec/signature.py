"""The entry point's signature where a spec writes it as Python (``def op(x: ttnn.Tensor, *, dim: int = -1)``
in a code block, as op_requirements.md does): names, order, types, defaults and the keyword-only split."""

from __future__ import annotations

import ast
import re

from scaffolder.model import OpSpec, Parameter
from scaffolder.spec.markdown import Document


def _def_of(code: str, name: str) -> ast.FunctionDef | None:
    m = re.search(rf"\bdef\s+{re.escape(name)}\s*\(", code)
    if not m:
        return None
    head = code[m.start() :]
    depth, end = 0, None
    for i, ch in enumerate(head):
        depth += ch == "("
        depth -= ch == ")"
        if ch == ")" and depth == 0:
            end = i
            break
    if end is None:
        return None
    rest = re.match(r"\s*(->\s*[^:\n]+)?", head[end + 1 :]).group(0)
    try:
        tree = ast.parse(head[: end + 1] + rest.rstrip() + ":\n    pass\n")
    except SyntaxError:
        return None
    fn = tree.body[0]
    return fn if isinstance(fn, ast.FunctionDef) else None


def _param(arg: ast.arg, default: ast.expr | None, keyword_only: bool) -> Parameter:
    typ = ast.unparse(arg.annotation) if arg.annotation is not None else ""
    value = None if default is None else ast.unparse(default)
    return Parameter(arg.arg, typ, default is None, value, keyword_only)


def read_python_signature(doc: Document, spec: OpSpec) -> bool:
    """Rebuild spec.parameters in the order and split of a ``def <op>(...)`` the spec writes; the tables'
    descriptions and valid ranges stay. Returns whether one was found."""
    fn = (
        next((f for c in doc.code if (f := _def_of(c.text, spec.name)) is not None), None)
        if spec.name
        else None
    )
    if fn is None:
        return False
    a = fn.args
    positional = a.posonlyargs + a.args
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    written = [_param(x, d, False) for x, d in zip(positional, defaults)]
    written += [_param(x, d, True) for x, d in zip(a.kwonlyargs, a.kw_defaults)]
    by_name = {p.name: p for p in spec.parameters}
    out = []
    for w in written:
        p = by_name.pop(w.name, None)
        if p is None:
            p = w
        else:
            p.keyword_only = w.keyword_only
            p.type = p.type or w.type
            if w.default is not None:
                p.required, p.default = False, w.default
        out.append(p)
    # Parameters the tables name but the signature does not: an implied input tensor is dropped, others kept.
    out += [p for n, p in by_name.items() if not (n == "input_tensor" and p.description == "Input tensor")]
    spec.parameters = out
    return True
