"""Broadcast kind against the valid region of operand B: Col0 → COL, Row0 → ROW, [0,0] → SCALAR, All → NONE."""

from __future__ import annotations

from scaffolder.audit.finding import Finding
from scaffolder.model import OpSpec
from scaffolder.spec.tables import region_of

EXPECTED = {"All": "NONE", "Col0": "COL", "Row0": "ROW", "Scalar": "SCALAR"}


def audit_broadcasts(spec: OpSpec) -> list[Finding]:
    out = []
    for b in spec.broadcasts:
        if not b.b_region or not b.broadcast:
            continue
        want = EXPECTED[b.b_region]
        subject = f"{b.phase} {b.op}".strip()
        if b.broadcast != want:
            out.append(
                Finding(
                    "broadcast",
                    subject,
                    "fail",
                    f"B is {b.b_region}-valid, so the broadcast must be {want}, not {b.broadcast}",
                    b.line,
                )
            )
        else:
            out.append(
                Finding(
                    "broadcast", subject, "ok", f"A {b.a_region or '?'} / B {b.b_region} -> {want}", b.line
                )
            )
    # Phases that declare a broadcast: check B's CB valid region where the CB table states it.
    for p in spec.phases:
        if p.kind != "binary" or len(p.inputs) < 2 or p.op == "square":
            continue
        cb = spec.cb(p.inputs[1])
        region = region_of(cb.valid_region) if cb and cb.valid_region else ""
        if not region:
            continue
        want = EXPECTED[region]
        if p.broadcast != want:
            out.append(
                Finding(
                    "broadcast",
                    f"phase {p.index} {p.name}",
                    "fail",
                    f"operand c_{cb.index} is {region}-valid, so {p.op} needs {want} broadcast, "
                    f"spec says {p.broadcast}",
                    p.line,
                )
            )
    return out
