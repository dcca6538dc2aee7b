"""Broadcast kind against the valid region of operand B: Col0 → COL, Row0 → ROW, [0,0] → SCALAR, All → NONE.

Two sources: the architect's broadcast table (its own A/B regions per op), and the phases themselves,
whose operands' regions follow from the data flow (a REDUCE_ROW result is Col0-valid, ...). The parser has
already corrected the phases (spec.regions); every correction is a contradiction in the spec."""

from __future__ import annotations

from scaffolder.audit.finding import Finding
from scaffolder.model import OpSpec
from scaffolder.spec.regions import BROADCAST_OF, apply_data_semantics


def audit_broadcasts(spec: OpSpec) -> list[Finding]:
    out = []
    for b in spec.broadcasts:
        if not b.b_region or not b.broadcast:
            continue
        want = BROADCAST_OF[b.b_region]
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
    # An op model built without the parser (tests, tools) has not been through the data semantics yet.
    fixes = spec.broadcast_fixes or apply_data_semantics(spec)
    for fix in fixes:
        out.append(Finding("broadcast", f"phase {fix.phase} {fix.name}", "fail", fix.message(), fix.line))
    return out
