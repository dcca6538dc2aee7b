"""Compute phases from the three places specs put them: a phase table (newer designs), ``Phase N:``
headings with a helper call (architect / kernel designer), or a numbered data-flow list (planner)."""

from __future__ import annotations

import re

from scaffolder.model import CircularBuffer, Phase
from scaffolder.spec.cb_ids import find_cb_names, find_cb_refs
from scaffolder.spec.markdown import Document, Table, clean

_SFPU = ("rsqrt", "sqrt", "recip", "exp", "log", "gelu", "relu", "sigmoid", "tanh", "silu", "abs", "neg")


def classify(text: str) -> tuple[str, str, str, str]:
    """(kind, op, broadcast, reduce_dim) from a phase's text."""
    low = clean(text).lower()
    head = low.split("->")[0]
    bcast = "NONE"
    m = re.search(r"<\s*(?:broadcastdim::)?(col|row|scalar|none)\b", head) or re.search(
        r"bcast[_ ]?(col|row|scalar)s?|broadcast(?:dim)?::(col|row|scalar)|\((?:bcast )?(col|row|scalar)\)"
        r"|\b(col|row|scalar) broadcast",
        head,
    )
    if m:
        bcast = next(g for g in m.groups() if g).upper()
    if "accumulat" in head and re.search(r"\bcopy\b", head):
        # copy a value into DEST exactly, then accumulate (-1) * the value as SrcB reads it: the remainder
        return "remainder", "remainder", "NONE", ""
    if "untilize" in head:
        return "untilize", "untilize", "NONE", ""
    if "tilize" in head:
        return "tilize", "tilize", "NONE", ""
    if re.search(r"\b(center|centre|subtract)", head):
        op = "sub_exact" if "accumulat" in head else "sub"
        return "binary", op, bcast if bcast != "NONE" else "COL", ""
    if "reduce" in head or "Σ" in text or re.search(r"\b(mean|variance|sum of)\b", head):
        dim = "REDUCE_ROW"
        if "reduce_col" in head or "reduce col" in head:
            dim = "REDUCE_COL"
        elif "reduce_scalar" in head:
            dim = "REDUCE_SCALAR"
        op = "max" if re.search(r"\bmax\b", head) else ("avg" if "avg" in head else "sum")
        return "reduce", op, "NONE", dim
    if re.search(r"\bsquare\b|x²|\^2", head):
        return "binary", "square", "NONE", ""
    for op in ("sub", "add", "mul"):
        if re.search(rf"\b{op}(_tiles)?(<|\b|_bcast)", head) or re.search(rf"\b{op}tract|\b{op}tiply", head):
            if op == "sub" and "accumulat" in head:
                # a - b as (a - b as SrcB sees it) + (-1) * b_lo, b_lo from a "remainder" phase
                return "binary", "sub_exact", bcast, ""
            return "binary", op, bcast, ""
    for op in _SFPU:
        if re.search(rf"\b{op}(_tile)?\b", head):
            return "unary", op, "NONE", ""
    if re.search(r"\bcopy\b|passthrough|pass-through", head):
        return "copy", "copy", "NONE", ""
    return "unknown", "", bcast, ""


def _resolve(text: str, cbs: list[CircularBuffer]) -> list[int]:
    """CB indices mentioned in text, by `c_N` or by name, in order of appearance."""
    hits: list[tuple[int, int]] = []
    clean_text = text.replace("`", "")
    for m in re.finditer(r"\bc_(\d{1,2})\b", clean_text):
        hits.append((m.start(), int(m.group(1))))
    by_name = {c.name: c.index for c in cbs if c.name}
    for name in set(find_cb_names(clean_text)) | {n for n in by_name if n and n in clean_text}:
        if name in by_name:
            for m in re.finditer(rf"\b{re.escape(name)}\b", clean_text):
                hits.append((m.start(), by_name[name]))
    out: list[int] = []
    for _, idx in sorted(hits):
        if not out or out[-1] != idx:
            out.append(idx)
    return out


def _fill(phase: Phase, in_text: str, out_text: str, cbs: list[CircularBuffer]) -> Phase:
    ins = _resolve(in_text, cbs)
    outs = _resolve(out_text, cbs)
    phase.inputs = [i for i in dict.fromkeys(ins)]
    phase.output = outs[0] if outs else None
    if phase.output in phase.inputs and len(phase.inputs) > 1:
        phase.inputs.remove(phase.output)
    if phase.kind == "binary" and phase.op == "mul" and len(phase.inputs) == 1:
        phase.op = "square"  # mul(a, a)
    return phase


def from_phase_table(t: Table, cbs: list[CircularBuffer]) -> list[Phase]:
    out = []
    op_c = t.column(r"^operation$", r"^op$")
    in_c = t.column(r"input cb", r"^in$", r"^input")
    out_c = t.column(r"output cb", r"^out$", r"^output")
    num_c = t.column(r"^#$", r"^phase$", r"^step$")
    helper_c = t.column(r"helper")
    for row, line in zip(t.rows, t.row_lines):
        op_text = clean(t.cell(row, op_c))
        num = clean(t.cell(row, num_c))
        if not op_text or not re.match(r"\d", num or "0"):
            continue  # "row end" / "kernel end" bookkeeping rows
        text = f"{op_text} {clean(t.cell(row, helper_c))}"
        kind, op, bcast, dim = classify(text)
        p = Phase(len(out) + 1, _slug(op_text), kind, text, broadcast=bcast, op=op, reduce_dim=dim, line=line)
        out.append(_fill(p, t.cell(row, in_c), t.cell(row, out_c), cbs))
    return out


def from_headings(doc: Document, cbs: list[CircularBuffer]) -> list[Phase]:
    out = []
    for h in doc.headings:
        m = re.match(r"(?:phase|step)\s+(\d+)\s*[:.\-—–]\s*(.+)", clean(h.title).lower())
        if not m:
            continue
        code = " ".join(c.text for c in doc.code if c.headings and c.headings[-1] is h)
        bullets = [b.text for b in doc.blocks if b.headings and b.headings[-1] is h]
        in_lines = [b for b in bullets if re.match(r"\s*[-*]\s*(in|a|b|input|scaler)\b", clean(b).lower())]
        out_lines = [b for b in bullets if re.match(r"\s*[-*]\s*(out|output)\b", clean(b).lower())]
        kind, op, bcast, dim = classify(f"{m.group(2)} {code} {' '.join(bullets)}".split("->")[0])
        p = Phase(
            len(out) + 1,
            _slug(m.group(2)),
            kind,
            clean(m.group(2)),
            broadcast=bcast,
            op=op,
            reduce_dim=dim,
            line=h.line,
        )
        if in_lines or out_lines:
            _fill(p, " ".join(in_lines), " ".join(out_lines), cbs)
        else:
            refs = _resolve(code, cbs)
            p.inputs, p.output = refs[:-1], (refs[-1] if refs else None)
        out.append(p)
    return out


_ROLE = re.compile(r"^(\s*)(?:\d+\.\s*)?(reader|compute|writer)\s*:\s*(.*)$", re.IGNORECASE)


def _compute_statements(block_text: str, base_line: int) -> list[tuple[str, int]]:
    """``Compute:`` statements of a data-flow block, continuation lines joined, with their line numbers."""
    out: list[tuple[str, int]] = []
    current: list | None = None
    indent = 0
    for offset, line in enumerate(block_text.splitlines(), start=1):
        m = _ROLE.match(line)
        if m:
            current = [m.group(3).strip(), base_line + offset] if m.group(2).lower() == "compute" else None
            if current is not None:
                out.append(current)
            indent = len(m.group(1))
            continue
        stripped = line.strip()
        if current is not None and stripped and len(line) - len(line.lstrip()) > indent:
            current[0] += " " + stripped
        else:
            current = None
    return [(text, line) for text, line in out]


def _steps(statement: str) -> list[str]:
    """Split ``a -> x; b -> y`` into steps; a step without an arrow (work left in DEST) joins the next."""
    body = re.sub(r"^\s*per (block|chunk|row)\s*:\s*", "", statement, flags=re.IGNORECASE)
    parts = [p.strip() for p in body.split(";") if p.strip()]
    steps: list[str] = []
    pending = ""
    for p in parts:
        if "->" not in p:
            pending = f"{pending}; {p}" if pending else p
            continue
        steps.append(f"{pending}; {p}" if pending else p)
        pending = ""
    if pending:
        steps.append(pending)
    return steps


def from_dataflow(doc: Document, cbs: list[CircularBuffer]) -> list[Phase]:
    """Planner data-flow blocks: ``Compute: reduce<SUM, ROW>(c_24, scaler c_8) -> mean c_27`` (numbered or not,
    several steps per line separated by ``;``, optional steps in brackets)."""
    out: list[Phase] = []
    for block in doc.code:
        for statement, line in _compute_statements(block.text, block.line):
            for step in _steps(statement):
                optional = step.startswith("[")
                step = step.strip("[] ").replace("]", "", 1) if optional else step
                left, _, right = step.rpartition("->") if "->" in step else (step, "", "")
                kind, op, bcast, dim = classify(step)
                name = _slug(re.split(r"[<(]", step.split(";")[0])[0])
                p = Phase(len(out) + 1, name, kind, step, broadcast=bcast, op=op, reduce_dim=dim, line=line)
                _fill(p, left, right, cbs)
                if p.output is not None:
                    target = next((c.name for c in cbs if c.index == p.output and c.name), f"c_{p.output}")
                    p.name = _slug(f"{op or kind} {target.removeprefix('cb_')}")
                if (not p.inputs or "(." in left.replace(" ", "")) and out and out[-1].output is not None:
                    p.inputs.insert(0, out[-1].output)
                if optional:
                    p.text += " (optional)"
                out.append(p)
    return out


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", clean(text).lower()).strip("_")
    return s[:40] or "phase"


def mentioned_cbs(text: str) -> list[int]:
    return [r.index for r in find_cb_refs(text) if r.index is not None]
