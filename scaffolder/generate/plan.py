"""Decide what the generated package does from the op model: which CBs carry the data, which compute
phases map onto phase templates, and what the tests compare against."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from scaffolder.generate.compute_program import ComputeProgram, Unmapped, build_program
from scaffolder.model import CircularBuffer, OpSpec, Parameter, Requirement

_SIDE = re.compile(r"scaler|eps|gamma|beta|weight|bias|mask|const", re.IGNORECASE)


@dataclass
class Plan:
    spec: OpSpec
    op: str
    input_cb: CircularBuffer
    output_cb: CircularBuffer
    output_tile_cb: CircularBuffer | None  # TILE-layout output CB when RM and TILE outputs differ
    tile_cb: CircularBuffer | None  # tilize target on the row-major path
    layouts: list[str]
    output_layout: str  # "same" | "ROW_MAJOR" | "TILE"
    dtypes: list[str]
    tensors: list[Parameter]
    scalars: list[Parameter]
    checks: list[Requirement]
    missing_phases: list[str]
    reference: str | None  # torch expression over x (and gamma/beta) for the full op
    stage_tests: list[dict] = field(default_factory=list)
    program: ComputeProgram | None = None  # set when every phase maps onto a phase template
    unmapped: str = ""  # why not, otherwise

    @property
    def optional_tensors(self) -> list[Parameter]:
        return [p for p in self.tensors[1:]]

    @property
    def both_layouts(self) -> bool:
        return len(self.layouts) > 1


def _pick(cbs: list[CircularBuffer], pred, unit: str | None = None) -> CircularBuffer | None:
    pool = [c for c in cbs if pred(c) and not _SIDE.search(f"{c.name} {c.purpose}")]
    if unit:
        pool = [c for c in pool if c.page_unit == unit] or pool
    return min(pool, key=lambda c: c.index) if pool else None


def _reference(spec: OpSpec, reduced: bool = True) -> str | None:
    """What the tests compare against; `reduced`: whether the output may be one value per row."""
    if spec.reference_code:
        return "python"  # the spec's own PyTorch reference
    text = f"{spec.name} {spec.category} {spec.math} {spec.reference}".lower()
    if re.search(r"\b(group|batch|instance)[ _]?norm|\bgroups?\b", text):
        return None  # statistics over more than one row: no generated reference
    if "layer_norm" in text or "layer norm" in text or "layernorm" in text:
        return "layer_norm"
    if "rms" in text:
        return "rms_norm"
    # Row standardisation written out: (x - mean) scaled by 1/sqrt(variance + eps), per row.
    if (
        re.search(r"\b(mu|mean)", text)
        and re.search(r"\bvar", text)
        and "sqrt" in text
        and "gamma" not in text
    ):
        return "layer_norm"
    if (
        spec.name.startswith("tilize")
        or spec.name.startswith("untilize")
        or re.search(r"\bout\s*=\s*x\b", text)
        # f(x)[i, j] == x[i, j], output[i] = input[i]: a re-lay that keeps every value
        or re.search(r"\b\w+\(x\)\s*\[([^\]]*)\]\s*==?\s*x\s*\[\1\]", text)
        or re.search(r"\boutput\[(\w+)\]\s*=\s*input\[\1\]", text)
    ):
        return "identity"
    if re.fullmatch(r"torch(\.\w+)+", spec.reference or ""):
        return "torch_fn"  # a torch function the spec names as its reference
    if re.fullmatch(r"torch(\.\w+)+\(.*\)", spec.reference or "") or _expression_over_inputs(spec):
        return "torch_call"  # a torch expression over the input, as the spec writes it
    # A mean over the row written out, and nothing else: (1/W) * sum over w into one value per row.
    if (
        reduced
        and re.search(r"\(?1\s*/\s*w\)?\s*\*?\s*(sum|σ|∑)", text)
        and re.search(r"\[[^\]]*,\s*0\s*\]", text)
        and not re.search(r"\^ ?2|²|\bvar|\bspread|\bsquare|\bsqrt|\bexp", text)
    ):
        return "row_mean"
    return None


def _expression_over_inputs(spec: OpSpec) -> bool:
    """Whether the spec's reference is a Python expression whose names are all bound in the tests: torch,
    the input (input, input_tensor, x), the op's tensors and its scalar parameters."""
    try:
        tree = ast.parse(spec.reference or "", mode="eval")
    except SyntaxError:
        return False
    bound = {"torch", "math", "input", "input_tensor", "x"}
    bound |= {p.name for p in spec.tensor_params} | {p.name for p in spec.scalar_params}
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    uses_torch = "torch" in names or any(isinstance(n, ast.Attribute) for n in ast.walk(tree))
    return uses_torch and names <= bound


def build_plan(spec: OpSpec) -> Plan:
    layouts = spec.input_layouts or ["ROW_MAJOR"]
    rm_in = "ROW_MAJOR" in layouts
    input_cb = _pick(spec.cbs, lambda c: c.produced_by("reader"), "stick" if rm_in else None)
    if input_cb is None:
        input_cb = min(spec.cbs, key=lambda c: c.index)
    out_layout = spec.output_layout
    want_rm_out = out_layout == "ROW_MAJOR" or (out_layout == "same" and rm_in)
    output_cb = _pick(spec.cbs, lambda c: c.consumed_by("writer"), "stick" if want_rm_out else None)
    if output_cb is None:
        output_cb = max(spec.cbs, key=lambda c: c.index)
    output_tile_cb = None
    if len(layouts) > 1:
        writer_cbs = [c for c in spec.cbs if c.consumed_by("writer") and c is not output_cb]
        output_tile_cb = next((c for c in writer_cbs if c.page_unit == "tile"), None)
    tile_cb = None
    tilize = next((p for p in spec.phases if p.kind == "tilize" and p.output is not None), None)
    if tilize is not None and tilize.output not in (input_cb.index, output_cb.index):
        tile_cb = spec.cb(tilize.output)
    if tile_cb is None and rm_in and want_rm_out:
        tile_cb = _pick(
            spec.cbs,
            lambda c: (
                c.produced_by("compute")
                and c.page_unit == "tile"
                and c.index not in (input_cb.index, output_cb.index)
            ),
        )
    program, unmapped = None, ""
    # float32 data gets the exact-operand path where DEST can be fp32 and multiplies run at full fidelity.
    fp32 = (
        "float32" in spec.input_dtypes
        and spec.fp32_dest_acc_en is not False
        and spec.math_fidelity == "HiFi4"
    )
    try:
        program = build_program(
            spec, input_cb.index, output_cb.index, [p.name for p in spec.scalar_params], fp32=fp32
        )
    except Unmapped as e:
        unmapped = str(e)
    data_path = {"tilize", "untilize", "copy"}
    missing = [] if program else [f"{p.index}:{p.name}" for p in spec.phases if p.kind not in data_path]
    if not spec.phases and _reference(spec) != "identity":
        missing.append("compute phases (the spec lists none)")
    if spec.output_shape != "same" and not (program and program.out_tiles == "1"):
        missing.append(f"output shape {spec.output_shape} (the generated data path keeps the input shape)")
    reference = _reference(spec, reduced=program is None or program.out_tiles == "1")
    plan = Plan(
        spec=spec,
        op=spec.name,
        input_cb=input_cb,
        output_cb=output_cb,
        output_tile_cb=output_tile_cb,
        tile_cb=tile_cb,
        layouts=layouts,
        output_layout=out_layout,
        dtypes=spec.input_dtypes or ["bfloat16"],
        tensors=spec.tensor_params,
        scalars=spec.scalar_params,
        checks=spec.requirements,
        missing_phases=missing,
        reference=reference,
        program=program,
        unmapped=unmapped,
    )
    for st in spec.stages:
        ref = st.reference.strip()
        plan.stage_tests.append(
            {
                "name": st.name,
                "reference": ref if ref else None,
                "identity": ref in ("x", "input", "input_tensor"),
                "shapes": st.shapes or spec.test_shapes,
                "rtol": st.tolerance.rtol if st.tolerance.rtol is not None else spec.tolerance.rtol or 0.05,
                "atol": st.tolerance.atol if st.tolerance.atol is not None else spec.tolerance.atol or 0.2,
            }
        )
    return plan
