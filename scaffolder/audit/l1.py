"""L1 use per core at the largest test shape, against the per-core CB budget."""

from __future__ import annotations

from scaffolder.audit.finding import Finding
from scaffolder.model import OpSpec
from scaffolder.sizing import L1_BUDGET_BYTES, l1_bytes


def audit_l1(spec: OpSpec) -> list[Finding]:
    if not spec.test_shapes or not spec.cbs:
        return []
    out = []
    for dtype in spec.input_dtypes:
        shape = max(spec.test_shapes, key=lambda s: l1_bytes(spec, s, dtype))
        used = l1_bytes(spec, shape, dtype)
        status = "fail" if used > L1_BUDGET_BYTES else "ok"
        out.append(
            Finding(
                "l1",
                f"{dtype} {shape}",
                status,
                f"{used:,} B of CBs per core vs budget {L1_BUDGET_BYTES:,} B "
                f"({100 * used / L1_BUDGET_BYTES:.0f}%)",
            )
        )
    return out
