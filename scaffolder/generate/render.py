"""Render a generated package from the op model with the jinja2 templates in ``templates/op``."""

from __future__ import annotations

import ast
import os
import re
from dataclasses import replace
from pathlib import Path

import jinja2

from scaffolder.generate import sfpu
from scaffolder.generate.plan import Plan, build_plan
from scaffolder.generate.validation import conform_rank, range_checks, rank_check
from scaffolder.model import OpSpec, Parameter
from scaffolder.sizing import ELEMENT_SIZE, L1_BUDGET_BYTES, TILE, cb_format, knob_alias, shape_env
from scaffolder.spec.expressions import evaluate
from scaffolder.spec.shapes import Tolerance

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "op"
_DEFAULT_HINTS = {
    "rank": "input must have rank >= 2",
    "dtype": "unsupported dtype",
    "layout": "unsupported layout",
    "last_dim": "last dimension must be a multiple of 32",
    "second_last_dim": "second-to-last dimension must be a multiple of 32",
}


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (keyed by template source): compiling them is half of a
    new-op run. None where the cache directory cannot be made."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ttnn-scaffold" / "templates"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(root))


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        bytecode_cache=_bytecode_cache(),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _py_default(p: Parameter) -> str:
    d = p.default
    if d is None or d == "None":
        return "None"
    if d.strip("`'\"") in ("True", "False", "true", "false"):
        return d.strip("`'\"").capitalize()  # a bool, not the string "True"
    try:
        float(d)
        return d
    except ValueError:
        return repr(d.strip("'\""))


_TTNN_TYPES = ("MemoryConfig", "DataType", "Layout", "ComputeConfigDescriptor", "CoreGrid", "Tile")


def _annotation(p: Parameter) -> str:
    if p.is_tensor:
        return "ttnn.Tensor"
    low = p.type.lower()
    for name in _TTNN_TYPES:
        if name.lower() in low.replace("ttnn.", ""):
            return f"ttnn.{name}" + (" | None" if not p.required else "")
    if re.search(r"\b(u?int(8|16|32|64)?(_t)?|size_t|uint)\b", low):
        return "int"
    for py in ("float", "int", "bool", "str"):
        if re.search(rf"\b{py}", low):
            return py
    return "object"


def _test_value(p: Parameter) -> str:
    """A value the generated tests pass for a required scalar the spec gives no default for."""
    return {"int": "1", "float": "1.0", "bool": "False", "str": "''"}.get(_annotation(p), "None")


def _signature(plan: Plan) -> str:
    parts, star = [], False
    for p in plan.tensors + plan.scalars:
        if p.keyword_only and not star:
            parts.append("*")
            star = True
        ann = _annotation(p)
        if p.required:
            parts.append(f"{p.name}: {ann}")
        elif p.is_tensor:
            parts.append(f"{p.name}: ttnn.Tensor | None = None")
        else:
            default = _py_default(p)
            if default == "None" and "None" not in ann and ann != "object":
                ann += " | None"
            parts.append(f"{p.name}: {ann} = {default}")
    return ", ".join(parts)


def _sfpu_headers(plan: Plan) -> list[str]:
    """Headers of the SFPU ops (and the DEST-scalar ops of the float32 path) the compute kernel calls."""
    inc = plan.program.includes if plan.program else set()
    out = {sfpu.header(op) for op in inc if op in sfpu.SFPU_OPS}
    if "binop_with_scalar" in inc:
        out.add("api/compute/eltwise_unary/binop_with_scalar.h")
    return sorted(out)


def _reference_call(plan: Plan) -> str:
    """The call of the spec's reference function from the tests' `_reference(x, <optional tensors>)`: its
    arguments by name (the op's tensors and scalars, scalars at the values the tests run with), else by
    position among the tensors."""
    spec = plan.spec
    fn = next(n for n in ast.parse(spec.reference_code).body if getattr(n, "name", None) == spec.reference_fn)
    tensors = ["x", *[t.name for t in plan.optional_tensors]]
    names = {plan.tensors[0].name if plan.tensors else "input_tensor": "x"}
    names.update({t.name: t.name for t in plan.optional_tensors})
    names.update({p.name: _py_default(p) if not p.required else _test_value(p) for p in plan.scalars})
    args = []
    for i, a in enumerate(fn.args.args):
        if a.arg in names:
            args.append(names[a.arg])
        elif i < len(tensors):
            args.append(tensors[i])
        else:
            break  # left to its default
    return f"{spec.reference_fn}({', '.join(args)})"


def _hints(plan: Plan) -> dict[str, str]:
    hints = dict(_DEFAULT_HINTS)
    for r in plan.checks:
        if r.subject == "input_tensor" and r.error_hint:
            if r.property == "last_dim" and "h and w" in r.error_hint.lower():
                hints["second_last_dim"] = r.error_hint
            if r.property in hints:
                hints[r.property] = r.error_hint
    rank, rank_hint = rank_check(plan.spec)
    if rank_hint:
        hints["rank"] = rank_hint
    elif rank != "len(shape) < 2" and hints["rank"] == _DEFAULT_HINTS["rank"]:
        n = rank.split(maxsplit=2)[-1].removeprefix("in ")
        if "not in" in rank:
            hints["rank"] = "input must have rank " + " or ".join(n.strip("()").split(", "))
        else:
            hints["rank"] = f"input must have rank {n}" if "!=" in rank else f"input must have rank >= {n}"
    out = {k: f"f{v!r}" if "{" in v else repr(v) for k, v in hints.items()}
    out["dtype"] = repr(hints["dtype"]) + " + f': got {input_tensor.dtype}'"
    out["layout"] = repr(hints["layout"]) + " + f': got {input_tensor.layout}'"
    out = {
        k: v.replace("{", "{{").replace("}", "}}") if not v.startswith(("'", '"')) else v
        for k, v in out.items()
    }
    return out


_PER_FEATURE = re.compile(r"gamma|beta|weight|bias|scale|shift", re.IGNORECASE)


def _optional(plan: Plan) -> list[dict]:
    out = []
    for pos, p in enumerate(plan.optional_tensors, start=1):
        hint = next(
            (r.error_hint for r in plan.checks if r.subject == p.name and r.error_hint),
            f"{p.name} last dimension must match the input's",
        )
        # A required companion tensor (`other`, `output`, ...) has the input's shape; per-feature tensors
        # (gamma, beta, weight, bias, ...) are one row of W.
        full = p.required and not _PER_FEATURE.search(p.name)
        out.append(
            {
                "name": p.name,
                "keyword_only": p.keyword_only,
                "hint": repr(hint),
                "required": p.required,
                "full": full,
                "pos": pos,
            }
        )
    return out


def _used_cbs(plan: Plan) -> set[int] | None:
    """CBs the generated kernels touch (None for a data-path kernel, which keeps the whole CB table)."""
    prog = plan.program
    if prog is None:
        return None
    used = set(prog.row_tiles) | {c.cb for c in prog.constants if not c.fp32_only}
    used |= {plan.input_cb.index, plan.output_cb.index}
    if plan.output_tile_cb is not None:
        used.add(plan.output_tile_cb.index)
    return used


def _cb_rows(plan: Plan) -> list[dict]:
    """The descriptor's CB table: pages and page size per CB, resident and (when the program streams) in
    column blocks."""
    spec = plan.spec
    prog = plan.program
    streams = bool(prog and prog.stream_body)
    used = _used_cbs(plan)
    rows = []
    generated = [
        replace(
            spec.cb(old),
            index=new,
            name=prog.names[new],
            page_unit="tile",  # a compute phase's tiles, even where the CB it stands in for holds sticks
            purpose=f"{spec.cb(old).purpose or spec.cb(old).name}, next version (generated: not in the spec)",
        )
        for new, old in (prog.generated.items() if prog else [])
    ]
    for cb in [*spec.cbs, *generated]:
        if used is not None and cb.index not in used:
            continue
        expr = cb.pages.expr if cb.pages else "1"
        for name in sorted(cb.pages.names() if cb.pages else [], key=len, reverse=True):
            if name not in {"Wt", "Ht", "W", "H", "NC", "BLOCK_SIZE", "DEPTH", "NUM_BLOCKS"}:
                # The spec's own knobs: depths read as DEPTH, block widths as BLOCK_SIZE, others as Wt.
                expr = re.sub(rf"\b{name}\b", knob_alias(name), expr)
        expr = re.sub(r"(?<!/)/(?!/)", "//", expr)  # page counts are integers
        expr = re.sub(r"\s*\*\s*", " * ", expr)
        note, stream_expr = "", None
        const = next((c for c in prog.constants if c.cb == cb.index), None) if prog else None
        if prog and cb.index in prog.row_tiles:
            expr, note = (
                prog.row_tiles[cb.index],
                "one resident tile-row" if prog.row_tiles[cb.index] == "Wt" else "",
            )
            if streams:
                stream_expr = prog.stream_tiles[cb.index]
        elif cb is plan.input_cb or (
            plan.both_layouts
            and cb.produced_by("reader")
            and cb.page_unit == "tile"
            and cb is not plan.input_cb
            and "scaler" not in cb.name
        ):
            expr, note = f"max({expr}, in_pages_per_row)", "holds a full tile-row for the data path"
            stream_expr = "2 * BLOCK_SIZE"
        elif cb is plan.tile_cb:
            expr, note = f"max({expr}, Wt)", "holds a full tile-row for the data path"
        elif cb is plan.output_cb or cb is plan.output_tile_cb:
            expr, note = f"max({expr}, out_pages_per_row)", "holds a full tile-row for the data path"
            stream_expr = "2 * BLOCK_SIZE"
        if streams and note == "holds a full tile-row for the data path":
            note = "a full tile-row, or blocks when streaming"
        elif streams and note == "one resident tile-row":
            note = "one resident tile-row, or a column block"
        fmt = cb.data_format.lower()
        if not fmt and re.match(r"\s*(fp32|float32)\b", cb.purpose, re.IGNORECASE):
            fmt = "fp32"  # "fp32: row mean": the format leads the purpose when the table has no column
        kind = cb_format(cb, fmt)
        if const is not None and const.kind == "reduce_scaler" and prog.fp32 is not None:
            # The float32 path's scaler is fp32: its value is rounded to 9 mantissa bits, more than bf16 holds.
            dtype, tile = (
                "dtype if is_fp32 else ttnn.bfloat16",
                "tile_size if is_fp32 else ttnn.tile_size(ttnn.bfloat16)",
            )
        elif const is not None:
            # The reduce-scaler generator writes a 16-bit tile; a [0, 0] scalar takes the data format.
            bf16 = const.kind == "reduce_scaler"
            dtype, tile = (
                ("ttnn.bfloat16", "ttnn.tile_size(ttnn.bfloat16)") if bf16 else ("dtype", "tile_size")
            )
        elif "scaler" in cb.name.lower() or "scaler" in cb.purpose.lower() or kind == "bfloat16":
            dtype, tile = "ttnn.bfloat16", "ttnn.tile_size(ttnn.bfloat16)"
        elif kind == "float32":
            dtype, tile = "ttnn.float32", "ttnn.tile_size(ttnn.float32)"
        else:
            dtype, tile = "dtype", "tile_size"
        page = "stick_size" if cb.page_unit == "stick" else tile
        if cb is plan.output_cb and cb.page_unit == "stick" and prog and prog.out_tiles == "1":
            page = "out_stick_size"  # a row statistic as sticks one tile wide
        if cb.page_unit == "stick" and dtype != "dtype":
            page = f"W * {4 if dtype == 'ttnn.float32' else 2}"
        # Streamed, a row-major CB holds strips of whole tiles: tile-sized pages.
        stream_page = tile if streams and cb.page_unit == "stick" else page
        if stream_expr == expr or not streams:
            stream_expr = None
        rows.append(
            {
                "index": cb.index,
                "name": cb.name,
                "purpose": cb.purpose or cb.lifetime or "-",
                "pages": expr,
                "stream_pages": stream_expr,
                "pages_expr": f"{stream_expr} if stream else {expr}" if stream_expr else expr,
                "page_size": page,
                "stream_page_size": stream_page,
                "page_size_expr": f"{stream_page} if stream else {page}" if stream_page != page else page,
                "dtype": dtype,
                "note": note,
                "stream_only": False,
                "fp32_only": False,
            }
        )
    for index, pages in prog.fp32.cbs.items() if prog and prog.fp32 else []:
        cb = spec.cb(index)
        rows.append(
            {
                "index": index,
                "name": cb.name if cb else prog.names[index],
                "purpose": prog.fp32.purpose(index) + ("" if cb else " (generated: not in the spec)"),
                "pages": pages,
                "stream_pages": None,
                "pages_expr": pages,
                "page_size": "tile_size",
                "stream_page_size": "tile_size",
                "page_size_expr": "tile_size",
                "dtype": "dtype",
                "note": "",
                "stream_only": False,
                "fp32_only": True,
            }
        )
    if streams and prog.acc_cb is not None:
        rows.append(
            {
                "index": prog.acc_cb,
                "name": prog.names[prog.acc_cb],
                "purpose": "running result of a streamed row reduction, fp32 (generated: not in the spec)",
                "pages": "1",
                "stream_pages": "1",
                "pages_expr": "1",
                "page_size": "ttnn.tile_size(ttnn.float32)",
                "stream_page_size": "ttnn.tile_size(ttnn.float32)",
                "page_size_expr": "ttnn.tile_size(ttnn.float32)",
                "dtype": "ttnn.float32",
                "note": "",
                "stream_only": True,
                "fp32_only": False,
            }
        )
    return rows


def _names_used(rows: list[dict], io_exprs: list[str]) -> set[str]:
    """Identifiers the descriptor's CB table needs defined, with what they are computed from."""
    text = " ".join([*(f"{r['pages_expr']} {r['page_size_expr']} {r['dtype']}" for r in rows), *io_exprs])
    used = set(re.findall(r"(?<![.\w])[A-Za-z_]\w*", text))  # names, not attributes
    if used & {"BLOCK_SIZE", "NUM_BLOCKS"}:
        used |= {"BLOCK_SIZE", "Wt"}
    if "Ht" in used:
        used.add("H")
    if any(r["fp32_only"] for r in rows):
        used.add("is_fp32")
    return used


def generated_l1_bytes(
    rows: list[dict], shape: tuple[int, ...], dtype: str, fp32_dest: bool, stream: bool = False
) -> int:
    """CB bytes per core the generated descriptor allocates for `shape`, resident or streamed."""
    env = shape_env(shape, fp32_dest)
    es = ELEMENT_SIZE[dtype]
    is_fp32 = dtype == "float32" and fp32_dest
    env["in_pages_per_row"] = env["out_pages_per_row"] = env["Wt"]
    total = 0
    for row in rows:
        if (row["stream_only"] and not stream) or (row["fp32_only"] and not is_fp32):
            continue
        expr = (row["stream_pages"] if stream and row["stream_pages"] else row["pages"]) or "1"
        expr = expr.replace("(32 if rm_in else Wt)", "Wt").replace("(32 if rm_out else Wt)", "Wt")
        pages = int(evaluate(expr, env))
        size = row["stream_page_size"] if stream else row["page_size"]
        m = re.fullmatch(r"(.+) if is_fp32 else (.+)", size)
        if m:
            size = m.group(1) if is_fp32 else m.group(2)
        page = {
            "stick_size": env["W"] * es,
            "out_stick_size": TILE * es,
            "tile_size": 1024 * es,
            "ttnn.tile_size(ttnn.bfloat16)": 2048,
            "ttnn.tile_size(ttnn.float32)": 4096,
        }.get(size)
        if page is None:  # "W * 2" / "W * 4"
            page = env["W"] * int(size.split("*")[1])
        total += pages * page
    return total


def l1_schedule(plan: Plan, shape: tuple[int, ...], dtype: str) -> tuple[str, int, int]:
    """("resident" | "streamed", CB bytes per core of that schedule, resident bytes) as the generated
    descriptor decides them for `shape` and `dtype`: resident when it fits the budget, else streamed when
    the program streams (its bytes may still be over the budget)."""
    rows = _cb_rows(plan)
    fp32 = plan.spec.fp32_dest_acc_en if plan.spec.fp32_dest_acc_en is not None else dtype == "float32"
    resident = generated_l1_bytes(rows, shape, dtype, fp32)
    if resident <= L1_BUDGET_BYTES or not (plan.program and plan.program.stream_body):
        return "resident", resident, resident
    return "streamed", generated_l1_bytes(rows, shape, dtype, fp32, stream=True), resident


def _probe_shape(spec: OpSpec) -> tuple[int, ...]:
    """A small valid input for the rejection tests: two tiles wide, at a rank the entry point accepts."""
    fitted = conform_rank([(1, 1, 32, 64)], rank_check(spec)[0])
    return fitted[0] if fitted else (1, 1, 32, 64)


def _invalid_cases(plan: Plan) -> list[dict]:
    cases = []
    shape = str(_probe_shape(plan.spec))
    if "float32" not in plan.dtypes:
        layout = plan.layouts[0]
        cases.append({"name": "float32", "shape": shape, "torch_dtype": "torch.float32", "layout": layout})
    if len(plan.layouts) == 1:
        other = "TILE" if plan.layouts[0] == "ROW_MAJOR" else "ROW_MAJOR"
        cases.append(
            {
                "name": other.lower() + "_layout",
                "shape": shape,
                "torch_dtype": f"torch.{plan.dtypes[0]}",
                "layout": other,
            }
        )
    cases.append(
        {"name": "rank_1", "shape": "(64,)", "torch_dtype": f"torch.{plan.dtypes[0]}", "layout": "ROW_MAJOR"}
    )
    return cases


def _shape_params(plan: Plan, shapes: list[tuple[int, ...]], slow: bool) -> list[dict]:
    """Each test shape with the marks it needs: slow, or xfail where even the generated schedule that
    fits best (resident, or streamed in column blocks) exceeds L1."""
    out = []
    for shape in shapes:
        unaligned = len(shape) < 2 or shape[-1] % TILE != 0 or shape[-2] % TILE != 0
        per_dtype = {} if unaligned else {d: l1_schedule(plan, shape, d) for d in plan.dtypes}
        over = {d: n for d, (_, n, _) in per_dtype.items() if n > L1_BUDGET_BYTES}
        schedule = {s for s, _, _ in per_dtype.values()}
        out.append(
            {
                "shape": tuple(shape),
                "slow": slow,
                "unaligned": unaligned,
                # Over the budget for every dtype: the whole shape is xfail; for some: those dtypes only.
                "over_budget": bool(per_dtype) and len(over) == len(per_dtype),
                "over_dtypes": {} if len(over) == len(per_dtype) else over,
                "bytes": max((n for _, n, _ in per_dtype.values()), default=0),
                "schedule": "column blocks" if "streamed" in schedule else "one resident tile-row",
                "l1": {d: {"schedule": s, "bytes": n} for d, (s, n, _) in per_dtype.items()},
            }
        )
    return out


def _tolerance(tol: Tolerance) -> dict:
    """rtol, atol and minimum PCC for the generated tests (the planner's stage guideline where none is given)."""
    return {
        "rtol": tol.rtol if tol.rtol is not None else 0.05,
        "atol": tol.atol if tol.atol is not None else 0.2,
        "pcc": tol.pcc,
    }


def _tiny_shape(shapes: list[dict]) -> tuple[int, ...] | None:
    """The shape of the tiny-input tests: the first tile-aligned default shape that fits L1, several tiles
    wide when there is one."""
    fits = [
        s["shape"] for s in shapes if not s["unaligned"] and not s["over_budget"] and not s["over_dtypes"]
    ]
    return next((s for s in fits if s[-1] > TILE), fits[0] if fits else None)


def context(spec: OpSpec, spec_file: str) -> dict:
    plan = build_plan(spec)
    opt = _optional(plan)
    call_args = ", ".join(["input_tensor"] + [o["name"] for o in opt])
    float_scalars = [p.name for p in plan.scalars if "float" in p.type.lower()]
    rm_out = plan.output_layout == "ROW_MAJOR"
    in_rm = plan.input_cb
    input_per_row = "(32 if rm_in else Wt)" if in_rm.page_unit == "stick" else "Wt"
    reduced = bool(plan.program and plan.program.out_tiles == "1")  # one output tile per tile-row
    out_per_row = "(32 if rm_out else Wt)" if plan.output_cb.page_unit == "stick" else "Wt"
    if reduced:
        out_per_row = "(32 if rm_out else 1)" if plan.output_cb.page_unit == "stick" else "1"
    if plan.output_tile_cb is not None:
        output_cb_expr = f"{plan.output_cb.index} if rm_out else {plan.output_tile_cb.index}"
    else:
        output_cb_expr = str(plan.output_cb.index)
    tile_cb_index = plan.tile_cb.index if plan.tile_cb else plan.output_cb.index
    eps = next((p.default for p in plan.scalars if p.name in ("epsilon", "eps") and p.default), "1e-5")
    tol = spec.tolerance
    tols = spec.tolerances
    rank = rank_check(spec)[0]
    shapes = _shape_params(plan, conform_rank(spec.test_shapes, rank), False)
    tiny_shape = _tiny_shape(shapes) if tols.tiny else None
    cb_rows, used = _cb_rows(plan), _used_cbs(plan)
    fp32_cbs = plan.program.fp32.cbs if plan.program and plan.program.fp32 else {}
    checks = range_checks(spec, plan.scalars, _annotation)
    checked = [p.name for p in plan.scalars if any(re.search(rf"\b{p.name}\b", c.condition) for c in checks)]
    ctx = {
        "op": plan.op,
        "primary": plan.tensors[0].name if plan.tensors else "input_tensor",
        # Required scalars without a default, passed by keyword wherever the tests call the op.
        "required_kwargs": "".join(f", {p.name}={_test_value(p)}" for p in plan.scalars if p.required),
        "spec_file": Path(spec_file).name,
        "format": spec.format,
        "summary": (spec.math.splitlines()[0] if spec.math else f"The {plan.op} operation.").strip("` "),
        "signature": _signature(plan),
        "call_args": call_args,
        "scalar_kwargs": "".join(f", {p.name}={p.name}" for p in plan.scalars),
        "scalar_params": (", *, " + ", ".join(f"{p.name}={_py_default(p)}" for p in plan.scalars))
        if plan.scalars
        else "",
        "optional": opt,
        "dtypes": plan.dtypes,
        "layouts": plan.layouts,
        "output_layout": "same" if plan.output_layout == "same" else plan.output_layout,
        "output_dtype": spec.output_dtype if spec.output_dtype in ("bfloat16", "float32") else "same",
        "hints": _hints(plan),
        "reduced": reduced,
        "rank_check": rank,
        "probe_shape": _probe_shape(spec),
        "range_checks": checks,
        "range_checks_math": any("math." in c.condition for c in checks),
        "range_args": "".join(f", {n}={n}" for n in checked),
        "range_params": (", *, " + ", ".join(checked)) if checked else "",
        "fp32_dest": "auto" if spec.fp32_dest_acc_en is None else str(spec.fp32_dest_acc_en),
        "fidelity": spec.math_fidelity,
        "io_cbs": [{"var": "in", "per_row": input_per_row}, {"var": "out", "per_row": out_per_row}],
        "cbs": cb_rows,
        "cb_names_used": _names_used(cb_rows, [input_per_row, out_per_row]),
        "unused_cbs": ", ".join(
            f"c_{c.index} {c.name}"
            for c in spec.cbs
            if used is not None and c.index not in used and c.index not in fp32_cbs
        ),
        "streams": bool(plan.program and plan.program.stream_body),
        "input_cb": plan.input_cb,
        "output_cb_expr": output_cb_expr,
        "tile_cb_index": tile_cb_index,
        "float_scalars": float_scalars,
        "in_unit": plan.input_cb.page_unit,
        "missing": plan.missing_phases,
        "program": plan.program,
        "fp32": plan.program.fp32 if plan.program else None,
        "unmapped": plan.unmapped,
        "constants": [
            {
                "cb": c.cb,
                "kind": c.kind,
                "name": plan.program.names[c.cb],
                "value": c.value,
                "arg": 3 + len(opt) + k,
                "fp32_only": c.fp32_only,
                "src_bits": c.src_bits,
            }
            for k, c in enumerate(plan.program.constants)
        ]
        if plan.program
        else [],
        "cb_decls": sorted(plan.program.names.items()) if plan.program else [],
        "input_cb_expr": (
            f"{plan.input_cb.index} if rm_in else {plan.tile_cb.index}"
            if plan.program and plan.both_layouts and plan.tile_cb
            else str(plan.input_cb.index)
        ),
        "input_cb_note": (
            f"{plan.input_cb.name}, or {plan.tile_cb.name} filled with tiles by the reader"
            if plan.program and plan.both_layouts and plan.tile_cb
            else plan.input_cb.name
        ),
        "row0": {tt.tensor: tt.cb for tt in plan.program.tensor_tiles} if plan.program else {},
        "full": {tt.tensor: tt.cb for tt in plan.program.full_tensors} if plan.program else {},
        # CBs whose tiles only move through DEST (tilize, untilize, copy): unpacked straight into an fp32
        # DEST they keep every bit of float32 data, through SrcA they would be cut to tf32.
        "datacopy_cbs": ", ".join(map(str, plan.program.datacopy))
        if plan.program
        else f"{plan.input_cb.index}, {tile_cb_index}",
        "phases": spec.phases,
        "shapes": shapes,
        "slow_shapes": _shape_params(plan, conform_rank(spec.slow_shapes, rank), True),
        "rtol": tol.rtol if tol.rtol is not None else 0.05,
        "atol": tol.atol if tol.atol is not None else 0.2,
        "pcc": tol.pcc,
        # The spec's tolerance for each dtype, and for tiny inputs where it gives one.
        "tolerances": {d: _tolerance(tols.for_dtype(d)) for d in plan.dtypes},
        "tiny": {
            "shape": tiny_shape,
            "scale": tols.tiny_scale or 0.01,
            "tolerances": {d: _tolerance(tols.for_dtype(d, tiny=True)) for d in plan.dtypes},
        }
        if tiny_shape
        else None,
        "reference": plan.reference,
        "sfpu_headers": _sfpu_headers(plan),
        "reference_code": spec.reference_code,
        "spec_reference": spec.reference,
        "scalars": [
            {"name": p.name, "value": _py_default(p) if not p.required else _test_value(p)}
            for p in plan.scalars
        ],
        "reference_call": _reference_call(plan) if plan.reference == "python" else "",
        "eps": eps,
        "stages": [dict(st, shapes=repr(conform_rank(st["shapes"], rank))) for st in plan.stage_tests],
        "invalid": _invalid_cases(plan),
        "rm_out": rm_out,
        "tile": TILE,
        "l1_budget": L1_BUDGET_BYTES,
    }
    if plan.reference is None:
        ctx["missing"] = plan.missing_phases + ["torch reference (the spec's math has no known torch form)"]
    ctx["_plan"] = plan
    return ctx


def _sort_includes(text: str) -> str:
    """Sort each run of project includes, as clang-format's IncludeBlocks: Preserve does."""
    lines, out, run = text.split("\n"), [], []
    for line in lines + [""]:
        if line.startswith('#include "'):
            run.append(line)
            continue
        out.extend(sorted(run))
        run = []
        out.append(line)
    return "\n".join(out[:-1])


def render_package(spec: OpSpec, spec_file: str) -> dict[str, str]:
    """Relative path -> file content for the whole package."""
    env = _env()
    ctx = context(spec, spec_file)
    op = ctx["op"]
    plan: Plan = ctx.pop("_plan")
    files = {
        "__init__.py": env.get_template("__init__.py.j2").render(ctx),
        f"{op}.py": env.get_template("op.py.j2").render(ctx),
        f"{op}_program_descriptor.py": env.get_template("program_descriptor.py.j2").render(ctx),
        f"kernels/{op}_reader.cpp": env.get_template("kernels/reader.cpp.j2").render(ctx),
        f"kernels/{op}_writer.cpp": env.get_template("kernels/writer.cpp.j2").render(ctx),
        f"kernels/{op}_compute.cpp": env.get_template("kernels/compute.cpp.j2").render(ctx),
        f"tests/test_{op}.py": env.get_template("tests/test_op.py.j2").render(ctx),
    }
    files[f"kernels/{op}_compute.cpp"] = _sort_includes(files[f"kernels/{op}_compute.cpp"])
    layouts = " or ".join(plan.layouts)
    readme_ctx = dict(ctx)
    readme_ctx.update(
        n_cbs=sum(not r["stream_only"] and not r["fp32_only"] for r in ctx["cbs"]),
        reader_desc=f"{layouts} input, interleaved DRAM, per-core start row and row count",
        writer_desc="the same for the output",
        compute_desc=(
            "data path (tilize/untilize/copy) with the phase plan as comments"
            if plan.missing_phases
            else "all phases from phase templates"
            + (
                "; float32 data (`is_fp32`) splits every operand of a product or add/sub into what its source "
                "register reads and the exact remainder, both accumulated in the fp32 DEST"
                if plan.program and plan.program.fp32 and plan.program.fp32.exact
                else ""
            )
        ),
        n_cbs_fp32=sum(r["fp32_only"] for r in ctx["cbs"]),
        fp32_cbs_note=", ".join(
            f"`c_{r['index']}` {r['name']}" + ("" if spec.cb(r["index"]) else " (generated)")
            for r in sorted(ctx["cbs"], key=lambda r: r["index"])
            if r["fp32_only"]
        ),
        stages=", ".join(s["name"] for s in plan.stage_tests),
        spec_args=", ".join(sorted({f"{a.kernel} {a.kind.replace('_', '-')}" for a in spec.kernel_args})),
        shapes=", ".join(str(tuple(s)) for s in spec.test_shapes),
        shapes_marked=ctx["shapes"] + ctx["slow_shapes"],
        dtypes=" / ".join(plan.dtypes),
    )
    files["README.md"] = env.get_template("README.md.j2").render(readme_ctx)
    return files
