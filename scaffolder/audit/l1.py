"""L1 use per core at the largest test shape, against the per-core CB budget.

When the spec's phases map onto the generator's templates the audit sizes the CBs the generated descriptor
allocates: one resident tile-row when it fits, column blocks otherwise (the schedule ``check_l1`` picks).
Otherwise it sizes the spec's own CB table.
"""

from __future__ import annotations

from scaffolder.audit.finding import Finding
from scaffolder.model import OpSpec
from scaffolder.sizing import (
    L1_BUDGET_BYTES,
    block_size,
    dest_tiles,
    knob_alias,
    l1_bytes,
    shape_env,
    uses_fp32_dest,
)
from scaffolder.spec.parser import KNOWN_NAMES


def _share(used: int) -> str:
    return f"{used:,} B of CBs per core vs budget {L1_BUDGET_BYTES:,} B ({100 * used / L1_BUDGET_BYTES:.0f}%)"


def audit_l1(spec: OpSpec) -> list[Finding]:
    if not spec.test_shapes or not spec.cbs:
        return []
    # Imported here: the generator imports the audits.
    from scaffolder.generate.plan import build_plan
    from scaffolder.generate.render import l1_schedule

    plan = build_plan(spec)
    shapes = [*spec.test_shapes, *spec.slow_shapes]
    out = []
    knobs = set().union(*(cb.pages.names() - KNOWN_NAMES for cb in spec.cbs if cb.pages))
    for dtype in spec.input_dtypes:
        if plan.program is not None:
            # The heaviest shape of each schedule the generated descriptor picks for this dtype.
            sized = {s: l1_schedule(plan, s, dtype) for s in shapes}
            for kind in ("resident", "streamed"):
                mine = [s for s in shapes if sized[s][0] == kind]
                if not mine:
                    continue
                shape = max(mine, key=lambda s: (sized[s][1], s[-1]))
                _, used, resident = sized[shape]
                detail = _share(used)
                if kind == "streamed":
                    blk = block_size(shape_env(shape)["Wt"], dest_tiles(uses_fp32_dest(spec, dtype)))
                    detail += (
                        f" as generated, streaming column blocks of {blk} tiles (a resident tile-row needs "
                        f"{resident:,} B)"
                    )
                else:
                    detail += " as generated, one resident tile-row"
                status = "fail" if used > L1_BUDGET_BYTES else "ok"
                out.append(Finding("l1", f"{dtype} {shape}", status, detail))
            continue
        shape = max(shapes, key=lambda s: l1_bytes(spec, s, dtype))
        used = l1_bytes(spec, shape, dtype)
        status = "fail" if used > L1_BUDGET_BYTES else "ok"
        detail = _share(used)
        if status == "fail" and knobs:
            # The spec sizes these CBs with its own knobs (a chunk chosen to fit L1, say): not decidable here.
            status = "warn"
            detail += f"; depends on {', '.join(sorted(knobs))}, read as " + ", ".join(
                f"{n} = {knob_alias(n)}" for n in sorted(knobs)
            )
        out.append(Finding("l1", f"{dtype} {shape}", status, detail))
    return out
