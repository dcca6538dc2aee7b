"""Read an op spec (any of tt-metal's formats) into an ``OpSpec``.

Errors are collected with file and line and raised together as ``SpecError``; ambiguities become
warnings and parsing continues with a stated assumption.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from scaffolder.model import CircularBuffer, OpSpec, Parameter, Requirement, Stage
from scaffolder.sizing import knob_alias
from scaffolder.spec import phases as phase_reader
from scaffolder.spec import tables as tr
from scaffolder.spec.cb_checks import page_count_problems
from scaffolder.spec.detect import detect_format
from scaffolder.spec.diagnostics import Diagnostic, Diagnostics, SpecError
from scaffolder.spec.markdown import Document, Heading, Table, clean, field_of, parse_markdown
from scaffolder.spec.op_name import name_problem
from scaffolder.spec.regions import apply_data_semantics
from scaffolder.spec.requirements import companion, is_requirements, merge_requirements, read_reference
from scaffolder.spec.shapes import Tolerance, Tolerances, find_shapes, find_tolerance, find_tolerances
from scaffolder.spec.signature import read_python_signature

# The planner's standard matrix (minimal, multi-tile, non-square, multi-batch).
DEFAULT_SHAPES = [(1, 1, 32, 32), (1, 1, 64, 128), (1, 1, 32, 256), (4, 2, 64, 64)]
# Names a page count may use; anything else is flagged and read as DEPTH, BLOCK_SIZE or Wt (knob_alias).
KNOWN_NAMES = {
    "Wt",
    "Ht",
    "W",
    "H",
    "NC",
    "BLOCK_SIZE",
    "DEPTH",
    "NUM_BLOCKS",
    "blk",
    "block_size",
    "has_partial_w",
    "partial_w",
    "has_gamma",
    "has_beta",
    "Ht_img",
    "R",
}
_NAME_RX = re.compile(r"^[a-z_][a-z0-9_]*$")
# Tensors holding one value per feature column: companions of the input, never the input itself.
PER_FEATURE = re.compile(r"^(gamma|beta|weight|bias|scale|shift)s?$", re.IGNORECASE)


@dataclass
class ParseResult:
    spec: OpSpec
    diagnostics: list[Diagnostic]
    confidence: str
    phases_from_design: bool = False

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def parse_spec(path: str | Path, design: str | Path | None = None, name: str | None = None) -> ParseResult:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SpecError([Diagnostic("error", str(path), 1, f"cannot read spec: {e}")]) from None
    requirements = None
    if is_requirements(text):
        # op_requirements.md says what the op must do; the op_design.md beside it says how.
        other = companion(path)
        if other is None:
            raise SpecError(
                [
                    Diagnostic(
                        "error",
                        str(path),
                        1,
                        "an op_requirements.md has no circular buffers or compute phases to generate kernels "
                        "from; put it beside the op_design.md written from it and pass either file",
                    )
                ]
            )
        requirements, text, path = (text, path), other.read_text(encoding="utf-8"), other
    elif (other := companion(path)) is not None:
        requirements = (other.read_text(encoding="utf-8"), other)
    result = parse_text(text, str(path), name=name)
    if requirements is not None:
        merge_requirements(result.spec, requirements[0], str(requirements[1]), DEFAULT_SHAPES)
    if design is not None:
        design = Path(design)
        try:
            dtext = design.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise SpecError([Diagnostic("error", str(design), 1, f"cannot read design: {e}")]) from None
        _merge_design(result, dtext, str(design))
    _apply_data_semantics(result)
    return result


def _apply_data_semantics(result: ParseResult) -> None:
    """Broadcasts follow the operands' valid regions; each phase the spec got wrong becomes a warning at
    its line (in the file the phase came from)."""
    spec = result.spec
    file = spec.design_path if spec.design_path and result.phases_from_design else spec.path
    for fix in apply_data_semantics(spec):
        result.diagnostics.append(
            Diagnostic("warning", file, fix.line, fix.message() + f"; generating {fix.broadcast}")
        )


def parse_text(
    text: str, file: str = "<spec>", name: str | None = None, *, supplement: bool = False
) -> ParseResult:
    diags = Diagnostics(file)
    doc = parse_markdown(text)
    fmt, confidence = detect_format(doc)
    if fmt == "kernel_design" and not supplement:
        diags.error(
            1, "this is a kernel_design.md; pass the planner spec as SPEC and this file with --design"
        )
        raise SpecError(diags.errors)
    spec = OpSpec(name="", path=file, format=fmt)
    spec.name, name_line = (name, 1) if name else _op_name(doc, file, diags)
    if spec.name and (problem := name_problem(spec.name)):
        diags.error(
            name_line, f"--name: {problem}" if name else f"{problem}; set it in the spec or pass --name"
        )
    spec.category = _field(doc, r"^(category|classification)$") or ""
    spec.math = _math(doc)
    _read_parameters(doc, spec, diags)
    if not read_python_signature(doc, spec):
        _read_signature(doc, spec)
    _read_tensors(doc, spec, diags)
    _read_cbs(doc, spec, diags, required=not supplement)
    _read_args(doc, spec, diags)
    _read_work(doc, spec)
    _read_phases(doc, spec)
    for t in doc.tables:
        if tr.is_broadcast_table(t):
            spec.broadcasts.extend(tr.read_broadcasts(t))
    _read_stages(doc, spec)
    _read_tests(doc, spec, diags, quiet=supplement)
    reference = read_reference(doc)
    if reference is not None:
        spec.reference_code, spec.reference_fn, _ = reference
    flat = text.replace(" ", "").lower()
    if "fp32_dest_acc_en=true" in flat or "fp32_dest_acc_en:true" in flat:
        spec.fp32_dest_acc_en = True
    elif "fp32_dest_acc_en=false" in flat:
        spec.fp32_dest_acc_en = False
    if diags.errors:
        raise SpecError(diags.errors)
    return ParseResult(spec, diags.items, confidence)


# ---------------------------------------------------------------- op-level fields


def _fields(doc: Document) -> list[tuple[str, str, int]]:
    out = []
    for b in doc.blocks:
        f = field_of(b)
        if f:
            out.append((f[0], f[1], b.line))
    for t in doc.tables:
        if tr.is_field_table(t):
            k, v = t.column(r"^(field|attribute|property)$"), t.column(r"^value$")
            for row, line in zip(t.rows, t.row_lines):
                out.append((clean(t.cell(row, k)), t.cell(row, v), line))
    return out


def _field(doc: Document, pattern: str) -> str | None:
    rx = re.compile(pattern)
    for key, value, _ in _fields(doc):
        if rx.search(key.lower()):
            return clean(value)
    return None


def _op_name(doc: Document, file: str, diags: Diagnostics) -> tuple[str, int]:
    """The op name and its line. A name field is taken whole (a note may follow in parentheses or after a
    dash): `../../etc/x` or `my op` are reported, never shortened to something that looks valid."""
    rx = re.compile(r"^(operation name|op name|operation|name)$")
    for key, value, line in _fields(doc):
        if rx.search(key.lower()) and clean(value).strip():
            value = clean(value).strip()
            m = re.fullmatch(r"`?([^`\s]+)`?(?:\s+(?:\(|[-—:]\s).*)?", value)
            return (m.group(1) if m else value), line
    if doc.title:
        t = clean(doc.title.title)
        m = re.match(
            r"(?:operation design|kernel design|op design|design)\s*[:\-—]\s*(\S+)", t, re.IGNORECASE
        ) or re.match(r"(\S+)\s+(?:functional specification|spec(?:ification)?|op spec)\b", t, re.IGNORECASE)
        if m:
            return m.group(1).strip("`:"), doc.title.line
    stem = Path(file).stem
    for suffix in ("_spec", "_design"):
        if stem.endswith(suffix) and stem != suffix.strip("_"):
            return stem[: -len(suffix)], 1
    parent = Path(file).parent.name
    if stem in ("op_design", "kernel_design", "spec") and _NAME_RX.match(parent or ""):
        diags.warning(1, f"op name taken from the directory name {parent!r}")
        return parent, 1
    diags.error(1, "no op name: add '**Operation Name**: <name>' to the Overview or pass --name")
    return "", 1


def _under(doc: Document, pattern: str) -> list[Heading]:
    return doc.find_headings(pattern)


def _math(doc: Document) -> str:
    for h in _under(doc, r"math|formula|definition"):
        code = doc.section_code(h)
        if code:
            return code[0].text.strip()
        blocks = doc.section_blocks(h)
        if blocks:
            return "\n".join(b.text for b in blocks[:6])
    return _field(doc, r"^math$") or ""


# ---------------------------------------------------------------- parameters and tensors


def _read_parameters(doc: Document, spec: OpSpec, diags: Diagnostics) -> None:
    seen: dict[str, Parameter] = {}
    for t in doc.tables:
        if tr.is_parameter_table(t) and not tr.is_cb_table(t):
            for p in tr.read_parameters(t, diags):
                seen.setdefault(p.name, p)
    params = list(seen.values())
    # Tables often list only the extra tensors (gamma, beta) and scalars; the input itself is implied.
    if not any(p.is_tensor and p.required and not PER_FEATURE.search(p.name) for p in params):
        params.insert(0, Parameter("input_tensor", "Tensor", True, None, False, "Input tensor"))
    # Python order: required positionals, then optional positionals, then keyword-only.
    for p in params:
        if not p.is_tensor and not p.required:
            p.keyword_only = True
    params.sort(key=lambda p: (p.keyword_only, not p.required))
    spec.parameters = params


def _read_signature(doc: Document, spec: OpSpec) -> None:
    """A written signature such as ``rms_norm(input_tensor, *, gamma=None, epsilon=1e-6)`` decides which
    parameters are keyword-only, overriding the table's convention."""
    rx = re.compile(rf"`{re.escape(spec.name)}\(([^`]*)\)`") if spec.name else None
    if rx is None:
        return
    for b in doc.blocks:
        m = rx.search(b.text)
        if not m:
            continue
        names, star = {}, False
        for part in m.group(1).split(","):
            part = part.strip().split(":")[0].split("=")[0].strip()
            if part == "*":
                star = True
            elif re.fullmatch(r"[A-Za-z_]\w*", part):
                names[part] = star
        if not names:
            continue
        for p in spec.parameters:
            if p.name in names:
                p.keyword_only = names[p.name]
        spec.parameters.sort(key=lambda p: (p.keyword_only, not p.required))
        return


def _tensor_subject(heading_chain: list[Heading]) -> str:
    for h in reversed(heading_chain):
        m = re.search(r"\b(gamma|beta|weight|bias)\b", h.key)
        if m:
            return m.group(1)
    return "input_tensor"


_REJECTED = re.compile(
    r"(->|→)\s*(ValueError|TypeError|error)|\b(rejected?|refused|unsupported|not supported|raises?)\b"
    r"|\b(target|deferred|later|future|refinements?|planned)\b",
    re.IGNORECASE,
)
_CURRENT = re.compile(r"\bphase[- ]?[01]\b\s*:?", re.IGNORECASE)


def in_scope(text: str) -> str:
    """What a requirement allows now: ``ROW_MAJOR (Phase 0); TILE at retile (deferred)`` -> ``ROW_MAJOR``,
    ``TARGET: bf16, fp32. Phase 0: bf16`` -> ``bf16``, ``TILE (both). ROW_MAJOR -> ValueError`` -> ``TILE``."""
    parts = [p.strip() for p in re.split(r";|\.\s+|\n", text) if p.strip()]
    current = []
    for p in parts:
        m = _CURRENT.search(p)
        if m:  # "Phase 0: bf16" names what follows; "bf16, fp32 (phase-1)" what precedes
            before, after = p[: m.start()].strip(" ("), p[m.end() :].strip(" )")
            current.append(before or after)
    kept = current or [p for p in parts if not _REJECTED.search(p)]
    return "; ".join(kept) if kept else text


def _read_in_out_table(t: Table, spec: OpSpec) -> list[str]:
    """``| Property | Input | Output |``: input requirements; returns the output column as output lines."""
    prop_c, in_c, out_c = t.column(r"^property$"), t.column(r"^input"), t.column(r"^output")
    out = []
    for row, line in zip(t.rows, t.row_lines):
        prop = clean(t.cell(row, prop_c))
        kind = tr._property_kind(prop)
        spec.requirements.append(Requirement("input_tensor", kind, clean(t.cell(row, in_c)), "", line))
        out.append(f"{prop}: {clean(t.cell(row, out_c))}")
    return out


def _read_tensors(doc: Document, spec: OpSpec, diags: Diagnostics) -> None:
    output_tables, in_out_lines = [], []
    for t in doc.tables:
        if t.column(r"^property$") is not None and t.column(r"^input") is not None and t.column(r"^output"):
            in_out_lines += _read_in_out_table(t, spec)  # Property | Input | Output, side by side
            continue
        if re.match(r"output\b", t.headings[-1].key if t.headings else ""):
            output_tables.append(t)
            continue
        if tr.is_requirement_table(t):
            spec.requirements.extend(tr.read_requirements(t, _tensor_subject(t.headings)))
    # Newer designs: "### Input" with a Property | Requirement table is handled above; Property | Value too.
    for t in doc.tables:
        if t.headings and re.fullmatch(r"input( tensor)?", t.headings[-1].key) and tr.is_field_table(t):
            for row, line in zip(t.rows, t.row_lines):
                prop = clean(t.cell(row, t.column(r"^property$")))
                val = clean(t.cell(row, t.column(r"^value$")))
                spec.requirements.append(Requirement("input_tensor", tr._property_kind(prop), val, "", line))
    layouts, dtypes = [], []
    for r in spec.requirements:
        if r.subject != "input_tensor":
            continue
        scoped = in_scope(r.requirement)
        text = scoped.upper().replace("-", "_")
        if r.property == "layout":
            if "ROW_MAJOR" in text or re.search(r"\bRM\b", text):
                layouts.append("ROW_MAJOR")
            if "TILE" in text:
                layouts.append("TILE")
        elif r.property == "dtype":
            low = scoped.lower()
            if "bfloat16" in low or "bf16" in low:
                dtypes.append("bfloat16")
            if "float32" in low.replace("bfloat16", "") or re.search(r"\bf(p)?32\b", low):
                dtypes.append("float32")
    if not layouts:
        mentions_tile = "TILE_LAYOUT" in "\n".join(doc.lines)
        layouts = ["TILE" if mentions_tile else "ROW_MAJOR"]
        diags.warning(1, f"no input layout requirement found; assuming {layouts[0]}")
    if not dtypes:
        dtypes = ["bfloat16"]
        diags.warning(1, "no input dtype requirement found; assuming bfloat16")
    spec.input_layouts = list(dict.fromkeys(layouts))
    spec.input_dtypes = list(dict.fromkeys(dtypes))
    # Output: bullets, or a Property | Value (| Specification) table, under an "output" heading.
    pairs = [tuple(x.split(": ", 1)) for x in in_out_lines]
    for h in _under(doc, r"^output"):
        for b in doc.section_blocks(h):
            f = field_of(b)
            text = clean(b.text).lstrip("-*+ ")
            if f:
                pairs.append((clean(f[0]), clean(f[1])))
            elif ":" in text and len(text.split(":", 1)[0]) <= 24:
                pairs.append(tuple(part.strip() for part in text.split(":", 1)))
    for t in output_tables:
        for row in t.rows:
            if len(row) >= 2:
                pairs.append((clean(row[0]), clean(" ".join(row[1:]))))

    def value(pattern: str) -> str:
        return " ".join(v for k, v in pairs if re.match(pattern, k.lower().strip())).strip()

    lay = re.search(r"\b(ROW_MAJOR|TILE|SAME)", value(r"layout").upper().replace("LAYOUT::", ""))
    if lay:
        spec.output_layout = {"SAME": "same"}.get(lay.group(1), lay.group(1))
    elif len(spec.input_layouts) == 1:
        spec.output_layout = spec.input_layouts[0]
    # The logical shape decides; a padded shape (storage) does not.
    shape_text = value(r"logical shape") or value(r"(output )?shape\b(?! calc)")
    same = r"\b(same|identical|unchanged)\b|=\s*(the\s+)?input|\bequals?\b.*\binput\b|\bas (the )?input\b"
    if shape_text and not re.search(same, shape_text, re.IGNORECASE):
        spec.output_shape = shape_text
    dtype_text = value(r"(d ?type|data ?type)")
    dt = re.search(r"\b(BFLOAT16|FLOAT32|SAME)\b", dtype_text.upper())
    if re.search(r"\b(same as|input'?s?)\b", dtype_text, re.IGNORECASE):
        spec.output_dtype = "same"  # "input dtype unless dtype= says otherwise"
    elif dt:
        spec.output_dtype = {"SAME": "same"}.get(dt.group(1), dt.group(1).lower())


# ---------------------------------------------------------------- CBs and arguments


_VARIANT = re.compile(
    r"\bvariants?\b|\b[a-z_]\w*\s*(=|==|∈)\s*[-\w{]|\bREDUCE_(ROW|COL|SCALAR)\b", re.IGNORECASE
)


def _read_cbs(doc: Document, spec: OpSpec, diags: Diagnostics, *, required: bool) -> None:
    merged: list[CircularBuffer] = []
    first_table = True
    for t in doc.tables:
        if not tr.is_cb_table(t) or tr.is_parameter_table(t):
            continue
        # A spec with one CB table per variant (``### Circular Buffers (dim = -2)``) reuses CB ids on
        # purpose: the first table is the model's, the others are not redeclarations.
        variant = not first_table and _VARIANT.search(" ".join(h.title for h in t.headings[-1:]))
        first_table = False
        for cb in tr.read_cbs(t, diags):
            same = next(
                (
                    c
                    for c in merged
                    if (cb.index >= 0 and c.index == cb.index)
                    or (cb.index < 0 and cb.name and c.name == cb.name)
                ),
                None,
            )
            if same is None:
                merged.append(cb)
                continue
            if variant:
                continue
            if (
                same.line != cb.line
                and same.name
                and cb.name
                and same.name != cb.name
                and same.lifetime
                and cb.lifetime
                and same.pages
                and cb.pages
                and same.purpose
                and cb.purpose
            ):
                diags.error(
                    cb.line,
                    f"CB c_{cb.index} is declared twice ({same.name} at line {same.line}, {cb.name} here)",
                )
            for attr in (
                "name",
                "purpose",
                "producer",
                "consumer",
                "pages",
                "data_format",
                "lifetime",
                "valid_region",
            ):
                if not getattr(same, attr) and getattr(cb, attr):
                    setattr(same, attr, getattr(cb, attr))
            if cb.page_unit == "stick":
                same.page_unit = "stick"
    used = {c.index for c in merged if c.index >= 0}
    for cb in merged:
        if cb.index >= 0:
            continue
        base = 0 if "reader" in cb.producer.lower() else 16 if "writer" in cb.consumer.lower() else 24
        free = next((i for i in range(base, base + 8) if i not in used), None)
        if free is None:
            diags.error(cb.line, f"CB {cb.name} has no index and no free slot near {base}")
            continue
        cb.index = free
        used.add(free)
        diags.warning(cb.line, f"CB {cb.name} has no index; assigned c_{free} by the index convention")
    cb_lines = {line for t in doc.tables if tr.is_cb_table(t) for line in t.row_lines}
    for cb in merged:
        if cb.pages is None:
            if any(d.line == cb.line for d in diags.errors):
                continue
            diags.error(cb.line, f"CB c_{cb.index} ({cb.name or 'unnamed'}) has no page count")
            continue
        problems = page_count_problems(cb, DEFAULT_SHAPES, KNOWN_NAMES, doc.lines, cb_lines)
        for problem in problems:
            diags.error(cb.line, problem)
        if problems:
            continue
        unknown = cb.pages.names() - KNOWN_NAMES
        if unknown:
            diags.warning(
                cb.line,
                f"CB c_{cb.index} page count {cb.pages.text!r} uses {sorted(unknown)}; read as "
                + ", ".join(f"{n} = {knob_alias(n)}" for n in sorted(unknown)),
            )
        if not cb.name:
            cb.name = f"cb_{cb.index}"
    if required and not merged:
        diags.error(1, "no circular-buffer table found (a table with a CB/Index column and a Pages column)")
    spec.cbs = sorted(merged, key=lambda c: c.index)


def _read_args(doc: Document, spec: OpSpec, diags: Diagnostics) -> None:
    seen = set()
    for t in doc.tables:
        if tr.is_arg_table(t) and not tr.is_cb_table(t):
            for a in tr.read_args(t, diags):
                key = (a.kernel, a.kind, a.index, a.name)
                if key not in seen:
                    seen.add(key)
                    spec.kernel_args.append(a)


def _read_work(doc: Document, spec: OpSpec) -> None:
    for h in _under(doc, r"work distribution|parallel"):
        for b in doc.section_blocks(h):
            f = field_of(b)
            if f:
                spec.work_distribution[f[0].lower()] = clean(f[1])
        for t in doc.section_tables(h):
            if tr.is_field_table(t):
                k, v = t.column(r"^(field|attribute|property)$"), t.column(r"^value$")
                for row in t.rows:
                    spec.work_distribution[clean(t.cell(row, k)).lower()] = clean(t.cell(row, v))


def _read_phases(doc: Document, spec: OpSpec) -> None:
    for t in doc.tables:
        if tr.is_phase_table(t):
            spec.phases = phase_reader.from_phase_table(t, spec.cbs)
            if spec.phases:
                return
    spec.phases = phase_reader.from_headings(doc, spec.cbs) or phase_reader.from_dataflow(doc, spec.cbs)


# ---------------------------------------------------------------- stages and tests


def _read_stages(doc: Document, spec: OpSpec) -> None:
    stages: list[Stage] = []
    for t in doc.tables:
        if tr.is_stage_table(t):
            stages = tr.read_stage_table(t)
            break
    for h in doc.headings:
        m = re.match(r"stage\s+(\d+)\s*[:.\-—–]\s*([a-z0-9_]+)", clean(h.title).lower())
        if not m:
            continue
        idx, name = int(m.group(1)), m.group(2)
        stage = next((s for s in stages if s.name == name or s.index == idx), None)
        if stage is None:
            stage = Stage(idx, name, line=h.line)
            stages.append(stage)
        for b in doc.section_blocks(h):
            f = field_of(b)
            if not f:
                continue
            key, value = f[0].lower(), f[1]
            if key.startswith("reference") and not stage.reference:
                code = re.findall(r"`([^`]+)`", value)
                stage.reference = code[0] if code else clean(value)
            elif key.startswith("shape"):
                stage.shapes = find_shapes(value) or stage.shapes
            elif key.startswith("toleran"):
                stage.tolerance = find_tolerance(value).merged(stage.tolerance)
            elif key.startswith("scope") and not stage.description:
                stage.description = clean(value)
    spec.stages = sorted(stages, key=lambda s: s.index)


def _read_tests(doc: Document, spec: OpSpec, diags: Diagnostics, *, quiet: bool) -> None:
    shapes: list[tuple[int, ...]] = []
    slow: list[tuple[int, ...]] = []
    tol = Tolerance()
    texts = []
    for h in _under(doc, r"test|acceptance|validation criteria"):
        if re.match(r"stage", h.key):
            continue
        for t in doc.section_tables(h):
            c = t.column(r"shape")
            for row in t.rows:
                shapes += find_shapes(t.cell(row, c) if c is not None else " ".join(row))
            texts += _tolerance_rows(t)
        for b in doc.section_blocks(h):
            # "Input [2, 64] -> Output [2, 1]": the shape after the arrow is an expected result, not an input.
            found = find_shapes(re.split(r"->|→|=>|\boutputs?\b", b.text, maxsplit=1, flags=re.IGNORECASE)[0])
            if re.search(r"\b(slow|stress)\b", b.text, re.IGNORECASE):
                slow += found
            else:
                shapes += found
            texts.append(b.text)
    joined = "\n".join(texts)
    tolerances = find_tolerances("\n\n".join(texts))  # one clause per block and table row at most
    tol = tolerances.overall
    expr = _reference_expression(joined)
    ref = re.search(r"(torch\.[A-Za-z_.]*[A-Za-z_](?:\([^()]*\))?)", joined)  # a name, or a whole call
    if expr:
        spec.reference = expr
    elif ref:
        spec.reference = ref.group(1)
    for s in spec.stages:
        for shape in s.shapes:
            if shape not in shapes:
                shapes.append(shape)
    shapes = list(dict.fromkeys(shapes))
    if not shapes and not quiet:
        diags.warning(
            1, "no test shapes found; using the standard matrix " + ", ".join(map(str, DEFAULT_SHAPES))
        )
        shapes = list(DEFAULT_SHAPES)
    for s in shapes:
        if s[-1] % 32 or s[-2] % 32:
            diags.warning(
                1,
                f"test shape {s} is not tile-aligned in H and W; the generated kernels need multiples of 32, "
                "so its tests are marked xfail",
            )
    spec.test_shapes = shapes
    spec.slow_shapes = [s for s in dict.fromkeys(slow) if s not in shapes]
    if tol.empty and spec.stages:
        final = [s.tolerance for s in spec.stages if not s.tolerance.empty]
        if final:
            tol = final[-1]
    if tol.empty and not quiet:
        tol = Tolerance(0.05, 0.2) if "norm" in (spec.category + spec.name).lower() else Tolerance(0.01, 0.05)
        diags.warning(1, f"no tolerance found; using rtol={tol.rtol}, atol={tol.atol} (stage guidelines)")
    spec.tolerance = tol
    if tolerances.overall.empty:  # the stages' or the guideline's
        tolerances = Tolerances(default=tol, tiny=tolerances.tiny, tiny_scale=tolerances.tiny_scale)
    spec.tolerances = tolerances


_METRIC = re.compile(r"^(rtol|atol|pcc)\b", re.IGNORECASE)


def _tolerance_rows(t: Table) -> list[str]:
    """A test table's rows as text for the tolerance reader, metric headers kept next to their values: a row
    per dtype (`| bfloat16 | 0.01 | 0.05 |` under `| dtype | rtol | atol |`), or, with a column per dtype and
    a row per metric (`| rtol | 0.01 | 0.001 |`), one text per dtype column."""
    dtype_cols = [i for i, c in enumerate(t.columns) if re.fullmatch(r"(bfloat16|bf16|float32|fp32)\b.*", c)]
    if dtype_cols and any(_METRIC.match(clean(row[0])) for row in t.rows if row):
        return [
            t.columns[i] + " " + " ".join(f"{clean(row[0])} {t.cell(row, i)}" for row in t.rows if row)
            for i in dtype_cols
        ]
    return [
        " ".join(f"{col} {cell}" if _METRIC.match(col) else cell for col, cell in zip(t.columns, row))
        for row in t.rows
    ]


# ---------------------------------------------------------------- kernel_design.md supplement


def _merge_design(result: ParseResult, text: str, file: str) -> None:
    sup = parse_text(text, file, name=result.spec.name, supplement=True)
    spec = result.spec
    spec.design_path = file
    for cb in sup.spec.cbs:
        mine = spec.cb(cb.index)
        if mine is None:
            spec.cbs.append(cb)
            continue
        for attr in ("valid_region", "data_format", "lifetime"):
            if getattr(cb, attr) and not getattr(mine, attr):
                setattr(mine, attr, getattr(cb, attr))
    spec.cbs.sort(key=lambda c: c.index)
    if sup.spec.phases:
        spec.phases = sup.spec.phases
        result.phases_from_design = True
    if sup.spec.broadcasts:
        spec.broadcasts = sup.spec.broadcasts
    if sup.spec.stages and not spec.stages:
        spec.stages = sup.spec.stages
    if sup.spec.reference_code and not spec.reference_code:
        spec.reference_code, spec.reference_fn = sup.spec.reference_code, sup.spec.reference_fn
    result.diagnostics.extend(d for d in sup.diagnostics if "no input" not in d.message)


_TORCH_USE = re.compile(r"\btorch\.|\.(mean|var|sum|amax|max|pow|exp|sqrt|rsqrt|std)\(")


def _reference_expression(text: str) -> str | None:
    """The first inline-code Python expression over the input that uses torch, as the test criteria write
    the expected output (`input - torch.mean(input, dim=-1, keepdim=True)`, `output = (x - ...) / ...`):
    the whole expression, not only the torch call inside it."""
    for code in re.findall(r"`([^`\n]+)`", text):
        code = code.strip()
        m = re.fullmatch(r"(?:[A-Za-z_]\w*)\s*=\s*(.+)", code)
        expr = (m.group(1) if m else code).strip()
        if not _TORCH_USE.search(expr) or not re.search(r"\b(input|input_tensor|x)\b", expr):
            continue
        try:
            tree = ast.parse(expr, mode="eval")
        except SyntaxError:
            continue
        if isinstance(tree.body, (ast.Call, ast.BinOp, ast.UnaryOp, ast.Attribute)):
            return expr
    return None
