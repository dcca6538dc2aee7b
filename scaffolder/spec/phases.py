"""Compute phases from the three places specs put them: a phase table (newer designs), ``Phase N:``
headings with a helper call (architect / kernel designer), or a numbered data-flow list (planner)."""

from __future__ import annotations

import re

from scaffolder.model import CircularBuffer, Phase
from scaffolder.spec.cb_ids import find_cb_names, find_cb_refs
from scaffolder.spec.markdown import Document, Table, clean, field_of

_SFPU = "rsqrt sqrt recip exp log gelu relu sigmoid tanh silu abs neg atan".split()


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
    if re.search(r"\bsquare\b|x²|\^2", head) and not re.search(r"\breduce|\bsum\b|mean|variance", head):
        return "binary", "square", "NONE", ""
    for op, verb in (("mul", r"multipl(y|ied)|\bscale by"), ("add", r"\badd(ed)?\b|\bplus\b")):
        if re.search(verb, head) and not re.search(r"\breduce|\bsum\b", head):
            return "binary", op, bcast, ""
    # "center (x - mean)", "centering", "centralize", "subtract": a subtraction; "centered" names data.
    if re.search(r"\b(cent(er|re)(ing)?|centrali[sz](e|ing|ation)|subtract(ion)?|sub)\b", head):
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
    for op, symbol in (("mul", r"\w\s*[*·×]\s*\w"), ("add", r"\w\s*\+\s*\w")):
        if re.search(symbol, head):
            return "binary", op, bcast, ""
    for op in _SFPU:
        if re.search(rf"\b{op}(_tile)?\b", head):
            return "unary", op, "NONE", ""
    if re.search(r"\bcopy\b|passthrough|pass-through", head):
        return "copy", "copy", "NONE", ""
    return "unknown", "", bcast, ""


def classify_titled(title: str, detail: str) -> tuple[str, str, str, str]:
    """Classify by a phase's title first (its code and notes mention other CBs and calls), then by the whole
    text; a broadcast only the detail names (``mul<COL>``) still counts."""
    kind, op, bcast, dim = classify(title)
    if kind == "unknown":
        return classify(f"{title} {detail}")
    if kind == "binary" and bcast == "NONE" and op != "square":
        bcast = broadcast_of(detail)
    if kind == "reduce":
        low = clean(detail).lower()
        dim = "REDUCE_COL" if "reduce_col" in low else "REDUCE_SCALAR" if "reduce_scalar" in low else dim
    return kind, op, bcast, dim


def broadcast_of(text: str) -> str:
    """The broadcast a phase's code or notes name anywhere (``mul<COL, ...>``, ``using COL broadcast``)."""
    low = clean(text).lower()
    m = re.search(
        r"<\s*(?:broadcastdim::)?(col|row|scalar)\b|broadcast(?:dim)?::(col|row|scalar)"
        r"|\b(col|row|scalar) broadcast|bcast[_ ]?(col|row|scalar)",
        low,
    )
    return next(g for g in m.groups() if g).upper() if m else "NONE"


def _resolve(text: str, cbs: list[CircularBuffer]) -> list[int]:
    """CB indices mentioned in text, by `c_N` or by name, in order of appearance."""
    hits: list[tuple[int, int]] = []
    clean_text = text.replace("`", "")
    for m in re.finditer(r"\bc_(\d{1,2})\b|\bCB_(\d{1,2})\b", clean_text):
        hits.append((m.start(), int(m.group(1) or m.group(2))))
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
    # An output among the inputs of a math phase is an in-place phase (`CB_6, CB_7 -> CB_6`: var + eps into
    # var's CB; the generator gives its result a CB of its own). A tilize or untilize always moves data
    # between two CBs: where its text names the target among the sources, the target is no source.
    if phase.output in phase.inputs and len(phase.inputs) > 1 and phase.kind in ("tilize", "untilize"):
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
        if kind == "unknown" and re.search(
            r"hw_startup|cb_(pop_front|push_back|wait_front|reserve_back)|\binit\b|\brelease\b", text
        ):
            continue  # start-up and CB bookkeeping rows, not compute
        p = Phase(len(out) + 1, _slug(op_text), kind, text, broadcast=bcast, op=op, reduce_dim=dim, line=line)
        _fill(p, t.cell(row, in_c), t.cell(row, out_c), cbs)
        if p.output is not None and len(p.name) >= 30:  # a long call as the name: op and target instead
            target = next((c.name for c in cbs if c.index == p.output and c.name), f"c_{p.output}")
            p.name = _slug(f"{op or kind} {target.removeprefix('cb_')}")
        out.append(p)
    return out


_PHASE_TITLE = re.compile(
    r"^(?:revised\s+)?(?:phase|step)\s+(\d+)\s*(?:\(([^)]*)\))?\s*(?:([:.\-—–])\s*)?(.*)$", re.IGNORECASE
)


def _phase_title(text: str) -> tuple[int, str, str] | None:
    """(number, title, parenthetical note) of ``Phase 3: Center``, ``Phase 8 (if gamma): Scale`` or
    ``Revised Phase 6 (normalize)``; None for prose such as ``Phase 0 SUPPORTED rectangle``."""
    m = _PHASE_TITLE.match(text)
    if not m:
        return None
    number, note, sep, rest = int(m.group(1)), m.group(2) or "", m.group(3), m.group(4).strip()
    if sep:
        return (number, rest, note) if rest else ((number, note, "") if note else None)
    if note and not rest:
        return number, note, ""  # the parenthetical names the phase
    return None


_NAMED_PHASE = re.compile(r"^(.+?)\s+phase$", re.IGNORECASE)  # "**Reduce phase**:"


def _phase(
    index: int, title: str, note: str, code: str, notes: str, line: int, cbs: list[CircularBuffer]
) -> Phase:
    """A phase from its title (``Subtract mean (c_1, c_2 -> c_3)``), its code and the notes under it."""
    detail = f"{code}\n{notes}"
    kind, op, bcast, dim = classify_titled(title, detail)
    p = Phase(index, _slug(title), kind, clean(title), broadcast=bcast, op=op, reduce_dim=dim, line=line)
    if re.search(r"\b(if|optional|conditional)\b", note, re.IGNORECASE):
        p.text += " (optional)"
    titled = re.search(r"\(([^()]*(?:->|→)[^()]*)\)", title)  # "(c_0 -> c_1)" in the title itself
    call = _call_refs(code, cbs) or _call_refs(detail, cbs)
    if titled:
        left, _, right = re.split(r"(->|→)", titled.group(1), maxsplit=1)
        _fill(p, left, right, cbs)
    elif call:
        p.inputs = [i for i in call[:-1] if i is not None]
        p.output = call[-1]
    elif code.strip() and _resolve(code, cbs):
        refs = _resolve(code, cbs)
        p.inputs, p.output = refs[:-1], refs[-1]
    else:
        bullets = detail.splitlines()
        rx_in = r"\s*[-*]?\s*(in|a|b|input|scaler|wait|waits|uses?|reads?)\b"
        rx_out = r"\s*[-*]?\s*(out|output|reserve|push|produces?|writes?)\b"
        in_lines = [b for b in bullets if re.match(rx_in, clean(b).lower())]
        out_lines = [b for b in bullets if re.match(rx_out, clean(b).lower())]
        if in_lines or out_lines:
            _fill(p, " ".join(in_lines), " ".join(out_lines), cbs)
        else:
            refs = _resolve(detail, cbs)
            p.inputs, p.output = refs[:-1], (refs[-1] if refs else None)
    if p.kind == "binary" and p.op == "mul" and len(set(p.inputs)) == 1:
        p.op = "square"  # mul(a, a)
    if p.op == "square":
        p.inputs = list(dict.fromkeys(p.inputs))
    return p


_CALL = re.compile(r"\b([a-z_][\w:]*)\s*(<(?:[^<>]|<[^<>]*>)*>)?\s*\(((?:[^()]|\([^()]*\))*)\)")
_CB_ARG = re.compile(r"^\s*&?\s*(cb_\w+|c_\d{1,2}|CB_\w+|(?:tt::)?CBIndex::c_\d{1,2})\s*$")
_BOOKKEEPING = re.compile(
    r"^(cb_(wait_front|pop_front|reserve_back|push_back)|tile_regs_\w+|\w+_init|pack_tile)$"
)


def _call_refs(text: str, cbs: list[CircularBuffer]) -> list[int | None]:
    """CB arguments, in order, of the first helper call taking two or more CBs (template arguments first):
    ``tilize<c_0, c_2>(Wt, 1)`` -> [0, 2]; ``sub<COL>(c_1, c_3, cb_x_or_y, shape)`` -> [1, 3, None]. The last
    one is the output; an argument that names no CB of the table (a conditional target) stays None."""
    by_name = {c.name: c.index for c in cbs if c.name}
    text = re.sub(r"//[^\n]*|/\*.*?\*/", " ", text.replace("`", ""), flags=re.DOTALL)
    # `uint32_t src_cb = has_gamma ? c_29 : c_24;`: a CB chosen by an optional step reads as the CB the step
    # writes (the first alternative); the generator's bypass copy keeps that routing when the step is off.
    alias = {
        m.group(1): m.group(2)
        for m in re.finditer(r"\b(?:uint32_t|auto)\s+(\w+)\s*=\s*[^;?]*\?\s*([\w:]+)\s*:\s*[\w:]+\s*;", text)
        if _CB_ARG.match(m.group(2))
    }

    def is_cb(arg: str) -> bool:
        return bool(_CB_ARG.match(arg)) or arg in alias

    def cb_of(arg: str) -> int | None:
        name = _CB_ARG.match(alias.get(arg, arg)).group(1)
        num = re.search(r"c_(\d{1,2})$", name) or re.fullmatch(r"CB_(\d{1,2})", name)
        return int(num.group(1)) if num else by_name.get(name)

    found: tuple[str, list[int | None]] | None = None
    for m in _CALL.finditer(text):
        if _BOOKKEEPING.match(m.group(1).split("::")[-1]):
            continue
        if found is not None and m.group(1) != found[0]:
            continue
        args = _split_args((m.group(2) or "<>")[1:-1]) + _split_args(m.group(3))
        raw = re.search(r"_tiles?(_bcast\w*)?$", m.group(1)) and "tilize" not in m.group(1)
        out = [cb_of(a) for a in args if is_cb(a)]
        if raw and out and found is None:
            # reduce_tile / mul_tiles_bcast_cols read their CBs; the result leaves DEST through pack_tile.
            pack = re.search(r"pack_tile\s*\(\s*[^,()]+,\s*([^,()]+?)\s*\)", text)
            target = cb_of(pack.group(1)) if pack and is_cb(pack.group(1)) else None
            return [*out, target]
        if len(out) >= 2 and any(i is not None for i in out[:-1]):
            # The same helper called again further down is the spec correcting itself ("Correction: use
            # cb_normalized"): the last call of the first helper with CB arguments is the phase's.
            found = (m.group(1), out)
    return found[1] if found else []


def _split_args(text: str) -> list[str]:
    out, depth, cur = [], 0, []
    for ch in text:
        if ch in "(<[{":
            depth += 1
        elif ch in ")>]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [a.strip() for a in out if a.strip()]


def from_headings(doc: Document, cbs: list[CircularBuffer]) -> list[Phase]:
    """``Phase N: ...`` headings, and bold ``**Phase N - ...**`` / ``**Revised Phase N (...)**`` /
    ``1. **Tilize** (per block):`` / ``**Reduce phase**`` lines in a compute section. A later phase with the
    same number replaces an earlier one (designs revise a phase in place). Phases under a compute heading
    win over ``Phase N`` headings elsewhere (reader steps, support tables)."""
    found: list[
        tuple[int, str, str, str, str, int, bool]
    ] = []  # number, title, note, code, notes, line, compute
    for h in doc.headings:
        t = _phase_title(clean(h.title))
        if t is None:
            continue
        code = "\n".join(c.text for c in doc.code if c.headings and c.headings[-1] is h)
        notes = "\n".join(
            b.text for b in doc.blocks if b.headings and b.headings[-1] is h and not field_of(b)
        )
        in_compute = any("compute" in a.key for a in doc.headings if a.line < h.line and _ancestor(doc, a, h))
        found.append((t[0], t[1], t[2], code, notes, h.line, in_compute))
    found += _bold_phases(doc)
    if not found:
        # ``- **Phase 1 - Tilize**:`` items of a data-flow list (under "2. **Compute Kernel**"), no compute
        # heading above them: numbered bold phases anywhere.
        found = [f for f in _bold_phases(doc, anywhere=True) if f[0] >= 0]
    if any(f[6] for f in found):
        found = [f for f in found if f[6]]
    by_number: dict[int, tuple] = {}
    named = []
    for item in sorted(found, key=lambda f: f[5]):
        if item[0] < 0:
            named.append(item)
        else:
            by_number[item[0]] = item
    if by_number and named:
        named = []  # numbered phases win over unnumbered ones
    ordered = sorted(by_number.values(), key=lambda f: f[0]) + named
    out = []
    for _, title, note, code, notes, line, _ in ordered:
        out.append(_phase(len(out) + 1, title, note, code, notes, line, cbs))
    return out


def _ancestor(doc: Document, a, h) -> bool:
    """True when heading `a` encloses heading `h` (a lower level, no heading of a's level or above between)."""
    if a.level >= h.level:
        return False
    return not any(x.level <= a.level and a.line < x.line < h.line for x in doc.headings)


_NUMBERED_BOLD = re.compile(r"^\s*\d+\.\s+\*\*(?P<key>[^*]+?)\*\*\s*(?P<rest>.*)$")


def _bold_phases(doc: Document, anywhere: bool = False) -> list[tuple[int, str, str, str, str, int, bool]]:
    """Bold phase lines under a compute heading (or `anywhere`), each with the lines and code up to the
    next one."""
    marks = []
    for b in doc.blocks:
        if not anywhere and not any("compute" in h.key for h in b.headings):
            continue
        f = field_of(b)
        numbered = _NUMBERED_BOLD.match(b.text)
        key = clean(f[0]) if f else clean(numbered.group("key")).rstrip(":") if numbered else None
        if not key:
            continue
        t = _phase_title(key)
        bare = re.match(r"^(?:revised\s+)?phase\s+(\d+)\s*(?:\(([^)]*)\))?\s*$", key, re.IGNORECASE)
        if bare and f and clean(f[1]):  # "**Phase 2 (per row)**: Subtract the mean"
            t = (int(bare.group(1)), clean(f[1]).split(":")[0], bare.group(2) or "")
        if t is not None:
            marks.append((t[0], t[1], t[2], b))
        elif numbered and not f:
            marks.append((-1, f"{key} {clean(numbered.group('rest'))}".strip(" :"), "", b))
        elif _NAMED_PHASE.match(key) and not re.match(r"(compute|reader|writer)\b", key, re.IGNORECASE):
            marks.append((-1, _NAMED_PHASE.match(key).group(1), "", b))
    out = []
    for k, (number, title, note, block) in enumerate(marks):
        end = marks[k + 1][3].line if k + 1 < len(marks) else None
        section = block.headings[-1] if block.headings else None

        def within(item, block=block, end=end, section=section):
            return (
                item.line > block.line
                and (end is None or item.line < end)
                and item.headings
                and item.headings[-1] is section
            )

        code = "\n".join(c.text for c in doc.code if within(c))
        notes = "\n".join([block.text, *[b.text for b in doc.blocks if within(b)]])
        out.append((number, title, note, code, notes, block.line, True))
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
