"""Recognise spec tables by their header and read their rows into model objects."""

from __future__ import annotations

import re

from scaffolder.model import BroadcastCheck, CircularBuffer, KernelArg, Parameter, Requirement, Stage
from scaffolder.spec.cb_checks import cb_id_problem
from scaffolder.spec.cb_ids import parse_cb_id
from scaffolder.spec.diagnostics import Diagnostics
from scaffolder.spec.expressions import parse_page_count
from scaffolder.spec.markdown import Table, clean
from scaffolder.spec.shapes import find_shapes, find_tolerance

_EMPTY = {"", "-", "—", "–", "n/a", "none.", "(none)"}
_HOST_ONLY_TYPES = ("host constant", "derived", "corerangeset")


# ---------------------------------------------------------------- recognition


def is_parameter_table(t: Table) -> bool:
    return (
        t.column(r"^(parameter|name|argument)$") is not None
        and t.column(r"^type$") is not None
        and (t.column(r"default") is not None or t.column(r"required") is not None)
    )


def is_requirement_table(t: Table) -> bool:
    return t.column(r"^property$") is not None and t.column(r"requirement") is not None


_PROSE_HEADER = re.compile(r"reason|rationale|why|notes?\b|justification")


def is_cb_table(t: Table) -> bool:
    id_col = t.column(r"^cb( id| index)?$", r"^index$", r"^cb$", r"^id$")
    size_col = t.column(r"pages", r"capacity", r"^num pages$", r"sizing", r"^size$")
    if size_col is not None and _PROSE_HEADER.search(t.columns[size_col]):
        size_col = None  # "Reason for sized pages": a rationale table beside the CB table, not a CB table
    return id_col is not None and (size_col is not None or t.column(r"producer") is not None)


def is_arg_table(t: Table) -> bool:
    return (
        t.column(r"^index$", r"^#$", r"^idx$", r"^arg$") is not None
        and t.column(r"^name$") is not None
        and t.column(r"^type$") is not None
        and not is_parameter_table_strict(t)
    )


def is_parameter_table_strict(t: Table) -> bool:
    return t.column(r"default") is not None or t.column(r"required") is not None


def is_broadcast_table(t: Table) -> bool:
    return t.column(r"broadcast") is not None and t.column(r"valid") is not None


def is_stage_table(t: Table) -> bool:
    return t.column(r"^stage$") is not None and t.column(r"^name$") is not None


def is_phase_table(t: Table) -> bool:
    return (
        t.column(r"^operation$", r"^op$") is not None
        and t.column(r"input cb", r"^in$", r"^input") is not None
        and t.column(r"output cb", r"^out$", r"^output") is not None
    )


def is_field_table(t: Table) -> bool:
    return t.column(r"^(field|attribute|property)$") is not None and t.column(r"^value$") is not None


# ---------------------------------------------------------------- rows


def _literal(text: str) -> bool:
    """A default the generated signature can spell: a number, a bool, or a quoted string."""
    if text in ("True", "False"):
        return True
    if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text):
        return True
    return len(text) >= 2 and text[0] == text[-1] and text[0] in "'\""


def _blank(cell: str) -> bool:
    return clean(cell).lower() in _EMPTY


def read_parameters(t: Table, diags: Diagnostics) -> list[Parameter]:
    name_c = t.column(r"^(parameter|name|argument)$")
    type_c = t.column(r"^type$")
    req_c = t.column(r"required")
    def_c = t.column(r"default")
    range_c = t.column(r"valid range", r"^range$")
    desc_c = t.column(r"description")
    out = []
    for row, line in zip(t.rows, t.row_lines):
        raw_name = clean(t.cell(row, name_c))
        m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", raw_name)
        if not m:
            diags.warning(line, f"parameter row without a usable name: {raw_name!r}; skipped")
            continue
        name = m.group(0)
        typ = clean(t.cell(row, type_c))
        if any(h in typ.lower() for h in _HOST_ONLY_TYPES) or (name.isupper() and len(name) > 1):
            continue  # host-side knobs, not user parameters
        required_text = clean(t.cell(row, req_c)).lower()
        default_text = clean(t.cell(row, def_c))
        desc = clean(t.cell(row, desc_c))
        default = None if _blank(default_text) else default_text.split("→")[0].split(" ")[0].strip()
        if default in ("None", "none", "null"):
            default = "None"
        elif default is not None and not _literal(default):
            default = "None"  # "Default", "input dtype", "device default": resolved by the op at call time
        required = required_text.startswith("yes") or required_text == "y" or required_text == "true"
        if not required_text:
            required = default is None
        kw = any(
            k in f"{required_text} {desc} {typ}".lower() for k in ("kw-only", "keyword-only", "keyword only")
        )
        if not required and default is None:
            default = "None"
        out.append(
            Parameter(
                name=name,
                type=typ,
                required=required,
                default=None if required else default,
                keyword_only=kw,
                description=desc,
                valid_range=clean(t.cell(row, range_c)),
                line=line,
            )
        )
    return out


_PROPERTY_WORDS = [
    ("layout", r"layout"),
    ("dtype", r"dtype|data ?type"),
    ("rank", r"rank|dimensions?$"),
    ("memory", r"memory|interleav|storage"),
    ("device", r"device"),
    ("second_last_dim", r"second-to-last|\bh\b|height"),
    ("last_dim", r"last dim|\bw\b|last 2 dims|width"),
    ("shape", r"shape"),
]


def _property_kind(text: str) -> str:
    low = text.lower()
    for kind, rx in _PROPERTY_WORDS:
        if re.search(rx, low):
            return kind
    return "other"


def read_requirements(t: Table, subject_default: str) -> list[Requirement]:
    prop_c = t.column(r"^property$")
    req_c = t.column(r"requirement")
    hint_c = t.column(r"error", r"hint", r"message")
    out = []
    for row, line in zip(t.rows, t.row_lines):
        prop = clean(t.cell(row, prop_c))
        subject = subject_default
        m = re.match(r"(gamma|beta|weight|bias|other|mask|scale|shift)\b", prop.lower())
        if m:
            subject = m.group(1)
        hint = clean(t.cell(row, hint_c)).strip("\"'“”")
        out.append(Requirement(subject, _property_kind(prop), clean(t.cell(row, req_c)), hint, line))
    return out


def read_cbs(t: Table, diags: Diagnostics) -> list[CircularBuffer]:
    id_c = t.column(r"^cb ?(id|index)$", r"^index$", r"^id$", r"^cb$")
    name_c = t.column(r"^name$", r"semantic name", r"^cb name$", r"^cb$")
    if name_c == id_c:
        name_c = None
    pages_c = t.column(r"^pages$", r"num pages", r"capacity", r"pages", r"sizing", r"^size$")
    out = []
    for row, line in zip(t.rows, t.row_lines):
        id_text = t.cell(row, id_c)
        name_text = t.cell(row, name_c) if name_c is not None else ""
        try:
            ref = parse_cb_id(id_text)
            name_ref = parse_cb_id(name_text) if name_text else None
        except ValueError as e:
            diags.error(line, str(e))
            continue
        index = ref.index if ref.index is not None else (name_ref.index if name_ref else None)
        problem = cb_id_problem(id_text, index, separate_name_column=id_c is not None and name_c is not None)
        if problem:
            diags.error(line, problem)
            continue
        name = (name_ref.name if name_ref and name_ref.name else None) or ref.name or ""
        if index is None and not name:
            diags.error(line, f"CB row has no index or name: {clean(id_text)!r}")
            continue
        cb = CircularBuffer(index=index if index is not None else -1, name=name, line=line)
        cb.purpose = clean(t.cell(row, t.column(r"purpose", r"description")))
        cb.producer = clean(t.cell(row, t.column(r"producer")))
        cb.consumer = clean(t.cell(row, t.column(r"consumer")))
        cb.lifetime = clean(t.cell(row, t.column(r"lifetime")))
        cb.valid_region = clean(t.cell(row, t.column(r"valid region", r"^valid$")))
        cb.data_format = clean(t.cell(row, t.column(r"format", r"dtype")))
        layout = clean(t.cell(row, t.column(r"^layout$", r"page size"))).lower()
        pages_text = t.cell(row, pages_c)
        if pages_c is not None and not _blank(pages_text):
            try:
                cb.pages = parse_page_count(pages_text)
                cb.page_unit = cb.pages.unit
            except ValueError as e:
                diags.error(line, f"CB {clean(id_text)}: {e}")
        if "stick" in layout and "tile" not in layout:
            cb.page_unit = "stick"
        out.append(cb)
    return out


def _kernel_of(text: str) -> str | None:
    low = text.lower()
    for k in ("reader", "writer", "compute"):
        if k in low:
            return k
    return None


def _kind_of(text: str) -> str | None:
    low = text.lower()
    if re.search(r"compile[- ]?time|\bct\b", low):
        return "compile_time"
    if re.search(r"run[- ]?time|\brt\b", low):
        return "runtime"
    return None


def read_args(t: Table, diags: Diagnostics) -> list[KernelArg]:
    idx_c = t.column(r"^index$", r"^#$", r"^idx$", r"^arg$")
    name_c = t.column(r"^name$")
    type_c = t.column(r"^type$")
    desc_c = t.column(r"description")
    kernel_c = t.column(r"^kernel$")
    kind_c = t.column(r"^kind$", r"^arg type$", r"^category$")
    context = t.context
    out = []
    for row, line in zip(t.rows, t.row_lines):
        kernel = _kernel_of(t.cell(row, kernel_c)) if kernel_c is not None else None
        kernel = (
            kernel
            or _kernel_of(clean(t.lead))
            or _kernel_of(context.split(" / ")[-2] if " / " in context else context)
        )
        kernel = kernel or _kernel_of(context)
        kind = (_kind_of(t.cell(row, kind_c)) if kind_c is not None else None) or (
            _kind_of(t.cell(row, kernel_c)) if kernel_c is not None else None
        )
        kind = kind or _kind_of(clean(t.lead)) or _kind_of(context)
        name = clean(t.cell(row, name_c))
        if not name or kernel is None or kind is None:
            diags.warning(
                line, f"kernel argument {name or '?'} has no kernel or arg kind in its table context"
            )
            continue
        idx_text = clean(t.cell(row, idx_c))
        m = re.match(r"(\d+)", idx_text)
        out.append(
            KernelArg(
                kernel=kernel,
                kind=kind,
                index=int(m.group(1)) if m else None,
                name=name,
                type=clean(t.cell(row, type_c)) or "uint32_t",
                description=clean(t.cell(row, desc_c)),
                line=line,
            )
        )
    return out


def _region(text: str) -> str:
    low = clean(text).lower()
    if "col0" in low or "col 0" in low or "column 0" in low:
        return "Col0"
    if "row0" in low or "row 0" in low:
        return "Row0"
    if "scalar" in low or "[0,0]" in low.replace(" ", "") or "[0, 0]" in low:
        return "Scalar"
    if "all" in low or "self" in low or "full" in low or "[32,32]" in low.replace(" ", ""):
        return "All"
    return ""


def read_broadcasts(t: Table) -> list[BroadcastCheck]:
    out = []
    for row, line in zip(t.rows, t.row_lines):
        b = clean(t.cell(row, t.column(r"broadcast"))).upper()
        b = {"COLUMN": "COL", "COLS": "COL", "ROWS": "ROW", "NONE (SELF)": "NONE"}.get(b, b)
        out.append(
            BroadcastCheck(
                phase=clean(t.cell(row, t.column(r"^phase$"))),
                op=clean(t.cell(row, t.column(r"^op$", r"operation"))).upper(),
                a_region=_region(t.cell(row, t.column(r"a valid", r"cb_a"))),
                b_region=_region(t.cell(row, t.column(r"b valid", r"cb_b"))),
                broadcast=b.split()[0] if b else "",
                line=line,
            )
        )
    return out


def region_of(text: str) -> str:
    return _region(text)


def read_stage_table(t: Table) -> list[Stage]:
    out = []
    for row, line in zip(t.rows, t.row_lines):
        m = re.match(r"(\d+)", clean(t.cell(row, t.column(r"^stage$"))))
        name = clean(t.cell(row, t.column(r"^name$")))
        if not name:
            continue
        stage = Stage(
            index=int(m.group(1)) if m else len(out) + 1,
            name=re.sub(r"\W+", "_", name).strip("_").lower(),
            description=clean(t.cell(row, t.column(r"added", r"description", r"scope"))),
            line=line,
        )
        ref = clean(t.cell(row, t.column(r"reference")))
        if ref:
            stage.reference = ref
        stage.tolerance = find_tolerance(" ".join(row))
        stage.shapes = find_shapes(clean(t.cell(row, t.column(r"shapes?"))))
        out.append(stage)
    return out
