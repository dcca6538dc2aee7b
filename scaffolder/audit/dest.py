"""DEST capacity per phase: tiles held between ``tile_regs_acquire`` and ``tile_regs_release``.

Half-sync DEST holds 8 16-bit tiles or 4 with ``fp32_dest_acc_en``. Per-tile phases use one slot; a
phase that untilizes or processes a whole row in one acquire needs Wt slots at the largest shape.
"""

from __future__ import annotations

import re

from scaffolder.audit.finding import Finding
from scaffolder.model import OpSpec
from scaffolder.sizing import dest_tiles, shape_env, uses_fp32_dest


def audit_dest(spec: OpSpec) -> list[Finding]:
    if not spec.phases or not spec.test_shapes:
        return []
    out = []
    dtype = "float32" if "float32" in spec.input_dtypes else spec.input_dtypes[0]
    fp32 = uses_fp32_dest(spec, dtype)
    limit = dest_tiles(fp32)
    widest = max([*spec.test_shapes, *spec.slow_shapes], key=lambda s: s[-1])
    env = shape_env(widest, fp32)
    for p in spec.phases:
        text = p.text.replace(" ", "")
        m = re.search(r"(?:pack_untilize|untilize)(?:_block)?<(\w+)", text)
        width = 1
        if m:
            width = env.get(m.group(1), int(m.group(1)) if m.group(1).isdigit() else 1)
        elif p.kind == "untilize":
            width = env["BLOCK_SIZE"]  # the generator blocks untilize to fit DEST
        status = "fail" if width > limit else "ok"
        out.append(
            Finding(
                "dest",
                f"phase {p.index} {p.name}",
                status,
                f"{width} tile(s) per acquire, limit {limit} ({'fp32' if fp32 else '16-bit'} DEST) "
                f"at W={widest[-1]}",
                p.line,
            )
        )
    return out
