"""CB push/pop balance across reader, compute phases and writer.

Per tile-row, every page a producer pushes must be popped by a consumer, otherwise the CB fills and
the producer hangs in ``cb_reserve_back``; a consumer with no producer hangs in ``cb_wait_front``.
Program-lifetime CBs (scalers, constants, persistent gamma) are pushed once and may stay unpopped.
"""

from __future__ import annotations

from scaffolder.audit.finding import Finding
from scaffolder.model import OpSpec

_PERSISTENT = ("program", "persistent", "once", "one-shot", "held")


def audit_balance(spec: OpSpec) -> list[Finding]:
    out = []
    phase_in: dict[int, list[str]] = {}
    phase_out: dict[int, list[str]] = {}
    for p in spec.phases:
        for i in p.inputs:
            phase_in.setdefault(i, []).append(p.name)
        if p.output is not None:
            phase_out.setdefault(p.output, []).append(p.name)
    declared = {c.index for c in spec.cbs}
    for idx in sorted((set(phase_in) | set(phase_out)) - declared):
        users = phase_in.get(idx, []) + phase_out.get(idx, [])
        out.append(
            Finding(
                "cb_balance",
                f"c_{idx}",
                "fail",
                f"used by phase(s) {', '.join(users)} but not in the CB table",
            )
        )
    for cb in spec.cbs:
        subject = f"c_{cb.index} {cb.name}"
        producers = (["reader"] if cb.produced_by("reader") else []) + phase_out.get(cb.index, [])
        consumers = (["writer"] if cb.consumed_by("writer") else []) + phase_in.get(cb.index, [])
        # Compute steps outside the per-row phase list (one-time tilize of gamma, say) still count.
        if cb.produced_by("compute") and not phase_out.get(cb.index):
            producers.append("compute")
        if cb.consumed_by("compute") and not phase_in.get(cb.index):
            consumers.append("compute")
        persistent = any(w in cb.lifetime.lower() for w in _PERSISTENT)
        if not producers and (consumers or cb.consumer):
            out.append(
                Finding(
                    "cb_balance",
                    subject,
                    "fail",
                    f"popped by {', '.join(consumers) or cb.consumer} but nothing pushes it "
                    f"(cb_wait_front would hang)",
                    cb.line,
                )
            )
        elif producers and not consumers and not persistent:
            out.append(
                Finding(
                    "cb_balance",
                    subject,
                    "fail",
                    f"pushed by {', '.join(producers)} but never popped (cb_reserve_back would hang "
                    f"once it fills)",
                    cb.line,
                )
            )
        elif not producers and not consumers:
            out.append(
                Finding("cb_balance", subject, "warn", "declared but unused by any kernel or phase", cb.line)
            )
        else:
            kind = "persistent, popped once at the end" if persistent else "pushed and popped per iteration"
            out.append(
                Finding(
                    "cb_balance",
                    subject,
                    "ok",
                    f"{'+'.join(producers)} -> {'+'.join(consumers) or 'held'} ({kind})",
                    cb.line,
                )
            )
    return out
