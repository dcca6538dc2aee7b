"""What generation could not do, as error-level diagnostics at the spec line that asked for it: a phase
outside the phase templates (the package gets a data-path kernel whose numeric tests xfail), or an SFPU op
the emulator does not implement yet (the kernel is right for hardware but its tests cannot build here)."""

from __future__ import annotations

import re

from scaffolder.generate import sfpu
from scaffolder.generate.plan import Plan
from scaffolder.spec.diagnostics import Diagnostic


def _file_of(plan: Plan) -> str:
    spec = plan.spec
    return spec.design_path or spec.path


def generation_findings(plan: Plan) -> list[Diagnostic]:
    spec, out = plan.spec, []
    file = _file_of(plan)
    if plan.unmapped and plan.missing_phases:  # (a spec whose op is the data path itself has nothing missing)
        m = re.match(r"phase (\d+)\b", plan.unmapped)
        phase = next((p for p in spec.phases if m and p.index == int(m.group(1))), None)
        line = phase.line if phase else (spec.phases[0].line if spec.phases else 1)
        out.append(
            Diagnostic(
                "error",
                file if phase else spec.path,
                line,
                f"not generated: {plan.unmapped}; the compute kernel is a data path and its numeric tests xfail",
            )
        )
    elif plan.missing_phases:
        line = spec.phases[0].line if spec.phases else 1
        for what in plan.missing_phases:
            out.append(
                Diagnostic("error", spec.path, line, f"not generated: {what}; its numeric tests xfail")
            )
    if plan.reference is None:
        out.append(
            Diagnostic(
                "error",
                spec.path,
                1,
                "no torch reference: the spec writes no PyTorch reference, names no torch function and its math "
                "has no known torch form; the generated numeric tests xfail until one is written",
            )
        )
    for p, op in emulator_gaps(plan):
        out.append(
            Diagnostic(
                "error",
                file,
                p.line,
                f"phase {p.index} {p.name}: {sfpu.api_name(op)}_tile is generated for hardware, but "
                "the emulator does not implement it yet: the package's tests cannot build here",
            )
        )
    return out


def emulator_gaps(plan: Plan) -> list[tuple]:
    """(phase, SFPU op) for each SFPU op the generated compute kernel calls that the emulator's default
    kernel API does not declare: the package is right for hardware but cannot build here."""
    if plan.program is None:
        return []
    out = []
    for p in plan.spec.phases:
        ops = (
            {p.op}
            if p.kind == "unary"
            else {sfpu.post_op_of(p.text)}
            if p.kind in ("binary", "reduce")
            else set()
        )
        out += [(p, op) for op in sorted(ops & set(sfpu.SFPU_NAMES)) if not sfpu.emulator_builds(op)]
    return out
