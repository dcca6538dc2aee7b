"""L1 use per core at the largest test shape, against the per-core CB budget."""

from __future__ import annotations

from scaffolder.audit.finding import Finding
from scaffolder.model import OpSpec
from scaffolder.sizing import L1_BUDGET_BYTES, knob_alias, l1_bytes
from scaffolder.spec.parser import KNOWN_NAMES


def audit_l1(spec: OpSpec) -> list[Finding]:
    if not spec.test_shapes or not spec.cbs:
        return []
    out = []
    knobs = set().union(*(cb.pages.names() - KNOWN_NAMES for cb in spec.cbs if cb.pages))
    for dtype in spec.input_dtypes:
        shape = max([*spec.test_shapes, *spec.slow_shapes], key=lambda s: l1_bytes(spec, s, dtype))
        used = l1_bytes(spec, shape, dtype)
        status = "fail" if used > L1_BUDGET_BYTES else "ok"
        detail = f"{used:,} B of CBs per core vs budget {L1_BUDGET_BYTES:,} B ({100 * used / L1_BUDGET_BYTES:.0f}%)"
        if status == "fail" and knobs:
            # The spec sizes these CBs with its own knobs (a chunk chosen to fit L1, say): not decidable here.
            status = "warn"
            detail += f"; depends on {', '.join(sorted(knobs))}, read as " + ", ".join(
                f"{n} = {knob_alias(n)}" for n in sorted(knobs)
            )
        out.append(Finding("l1", f"{dtype} {shape}", status, detail))
    return out
