"""Data semantics of a spec's phases: which part of each tile holds valid data, and the broadcast every
binary op therefore needs.

A REDUCE_ROW result is valid in column 0 only (one value per row), a REDUCE_COL result in row 0, a full
reduction at [0, 0]. Multiplying a full tile by a Col0-valid tile without a COL broadcast reads the garbage
in columns 1..31, so the broadcast follows from the operands' valid regions, whatever a spec's row says.
Where the two disagree the data wins: the phase is corrected and a `BroadcastFix` records what the spec
said, where, and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scaffolder.model import OpSpec
from scaffolder.spec.tables import region_of

# The broadcast that reads an operand of each valid region correctly.
BROADCAST_OF = {"All": "NONE", "Col0": "COL", "Row0": "ROW", "Scalar": "SCALAR"}
_REDUCED = {"REDUCE_ROW": "Col0", "REDUCE_COL": "Row0", "REDUCE_SCALAR": "Scalar"}
_PER_FEATURE = re.compile(r"gamma|beta|weight|bias", re.IGNORECASE)


@dataclass(frozen=True)
class BroadcastFix:
    phase: int
    name: str
    op: str
    operand: int  # the CB whose region decides
    region: str
    source: str  # what made the region: "phase 3 (REDUCE_ROW)", "the CB table", ...
    spec_broadcast: str
    broadcast: str
    line: int

    def message(self) -> str:
        return (
            f"phase {self.phase} {self.name}: c_{self.operand} is {self.region}-valid ({self.source}), so "
            f"{self.op} needs {self.broadcast} broadcast; the spec says {self.spec_broadcast}"
        )


def _reader_region(spec: OpSpec, cb: int) -> tuple[str, str]:
    """The region of a CB no phase writes: the CB table's, a per-feature tensor's Row0 tiles, a scalar
    constant's [0, 0], or a full tile."""
    c = spec.cb(cb)
    if c is None:
        return "All", "the reader"
    if c.valid_region and region_of(c.valid_region):
        return region_of(c.valid_region), "the CB table"
    text = f"{c.name} {c.purpose}"
    if re.search(r"(?<![a-z])eps|scalar", text, re.IGNORECASE) and not re.search(
        r"full tile|every element|all elements", text, re.IGNORECASE
    ):
        return "Scalar", "a scalar constant"
    if _PER_FEATURE.search(text):
        return "Row0", "a per-feature tensor"
    return "All", "the reader"


def required_broadcast(a: str, b: str) -> str | None:
    """The broadcast B needs against A, or None where several are right (B's region equals A's: NONE and
    the matching broadcast both read the valid part)."""
    if b == "All":
        return "NONE"
    if a == b:
        return None
    return BROADCAST_OF[b]


def apply_data_semantics(spec: OpSpec) -> list[BroadcastFix]:
    """Walk the phases in order, track each CB's valid region, and set every two-operand binary phase's
    broadcast to what its operands need. Returns the phases whose spec said otherwise."""
    region: dict[int, tuple[str, str]] = {}
    fixes: list[BroadcastFix] = []

    def of(cb: int) -> tuple[str, str]:
        return region.get(cb) or _reader_region(spec, cb)

    for p in spec.phases:
        ins = p.inputs
        if p.output is None:
            continue
        if p.kind == "reduce":
            region[p.output] = (_REDUCED.get(p.reduce_dim, "Col0"), f"phase {p.index} ({p.reduce_dim})")
            continue
        if p.kind == "binary" and len(ins) == 2 and p.op not in ("square", "sub_exact"):
            (a, _), (b, b_src) = of(ins[0]), of(ins[1])
            want = required_broadcast(a, b)
            if b_src == "a per-feature tensor" and p.broadcast == "NONE":
                want = None  # replicated rows read the same under NONE; the generator broadcasts ROW
            if want is not None and want != p.broadcast:
                fixes.append(BroadcastFix(p.index, p.name, p.op, ins[1], b, b_src, p.broadcast, want, p.line))
                p.broadcast = want
            region[p.output] = (a, f"phase {p.index}")  # a broadcast widens B to A's region
            continue
        if ins:  # unary, copy, square, tilize, untilize, remainder: the first input's region carries over
            region[p.output] = (of(ins[0])[0], f"phase {p.index}")
    spec.broadcast_fixes = fixes
    return fixes
