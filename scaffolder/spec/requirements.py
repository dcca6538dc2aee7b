"""``op_requirements.md``, the newest pipeline's statement of what an op must do: a Definition (formula,
inputs, parameters with ranges, a PyTorch reference, import path and signature) and Phase 0 / Refinement
checklists with test shapes and PCC gates. It carries no CBs or kernel phases, so it completes the
``op_design.md`` beside it: the reference the tests compare against, the entry point's signature and
parameter ranges, the Phase 0 shapes and tolerance."""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import replace
from pathlib import Path

from scaffolder.model import OpSpec
from scaffolder.spec.markdown import Document, clean, field_of, parse_markdown
from scaffolder.spec.shapes import find_shapes, find_tolerances
from scaffolder.spec.signature import read_python_signature

REQUIREMENTS = "op_requirements.md"
DESIGN = "op_design.md"


def is_requirements(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.startswith("#")), "")
    return re.match(r"#\s*(operation|op) requirements\b", first, re.IGNORECASE) is not None


def companion(path: Path) -> Path | None:
    """The other file of an op_design.md / op_requirements.md pair, when it is there."""
    other = {DESIGN: REQUIREMENTS, REQUIREMENTS: DESIGN}.get(path.name)
    if other is None or not (path.parent / other).is_file():
        return None
    return path.parent / other


def read_reference(doc: Document) -> tuple[str, str, int] | None:
    """(source, function name, line) of the spec's PyTorch reference: a ``def`` in a code block under a
    reference field or heading, or one named ``*reference*``."""
    labelled = {b.line for b in doc.blocks if (f := field_of(b)) and "reference" in clean(f[0]).lower()}
    for c in doc.code:
        src = textwrap.dedent(c.text)
        try:
            tree = ast.parse(src)
        except (SyntaxError, UnicodeEncodeError):  # not Python (or text no encoder takes, a lone surrogate)
            continue
        fns = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        near = any(0 < c.line - line <= 3 for line in labelled) or any(
            "reference" in h.key for h in c.headings
        )
        named = [f for f in fns if "reference" in f.name or "golden" in f.name]
        if fns and (near or named):
            return src.strip() + "\n", (named or fns)[-1].name, c.line
    return None


def merge_requirements(spec: OpSpec, text: str, file: str, default_shapes: list) -> None:
    doc = parse_markdown(text)
    spec.requirements_path = file
    ref = read_reference(doc)
    if ref is not None:
        spec.reference_code, spec.reference_fn, _ = ref
    read_python_signature(doc, spec)
    # Parameter ranges (`| dim | int | -1 | {-1, -2} |`) for parameters the design's table leaves open.
    by_name = {p.name: p for p in spec.parameters}
    for t in doc.tables:
        name_c, range_c = t.column(r"^name$", r"^parameter$"), t.column(r"range")
        if name_c is None or range_c is None:
            continue
        for row in t.rows:
            p = by_name.get(clean(t.cell(row, name_c)))
            if p is not None and not p.valid_range:
                p.valid_range = clean(t.cell(row, range_c))
    # Phase 0 is what the op must do now: its test shapes and the PCC gate.
    shapes = []
    for b in doc.blocks:
        f = field_of(b)
        if f and re.search(r"test shapes?|shapes", clean(f[0]), re.IGNORECASE):
            shapes += [s for s in find_shapes(f[1]) if s not in shapes]
    if shapes:
        # The design's own shapes stay; the parser's standard matrix (no shapes of its own) does not.
        own = [s for s in spec.test_shapes if s not in shapes] if spec.test_shapes != default_shapes else []
        spec.test_shapes = shapes + own
    gates = find_tolerances(
        "\n\n".join(b.text for b in doc.blocks if re.search(r"pcc|tol", b.text, re.IGNORECASE))
    )
    pcc = gates.overall.pcc
    if spec.tolerance.pcc is None and pcc is not None:
        spec.tolerance = replace(spec.tolerance, pcc=pcc)
        spec.tolerances.default = replace(spec.tolerances.default, pcc=pcc)
    if not spec.math:
        formula = next(
            (clean(f[1]) for b in doc.blocks if (f := field_of(b)) and "formula" in f[0].lower()), ""
        )
        spec.math = formula
