"""What a generated compute kernel is made of: its per-row code in each schedule, the constant and
optional-tensor tiles the reader writes, the streamed passes and the float32 path's extra CBs."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Constant:
    """A tile the reader writes once: a reduce scaler (row 0 of each face) or a scalar at [0, 0]."""

    cb: int
    kind: str  # "reduce_scaler" | "scalar" | "fill" (every element)
    value: str  # Python expression on the host: "1.0 / W", "epsilon"
    fp32_only: bool = False  # written and read only on the float32 path
    src_bits: int | None = None  # float32 path: mantissa bits the FPU reads it with (the host rounds to them)


@dataclass
class TensorTiles:
    """An optional tensor (gamma, beta) the reader writes once as Row0 tiles: its row 0 spread over Wt tiles."""

    tensor: str
    cb: int


@dataclass
class StreamPass:
    """One pass of the streamed schedule over a tile-row's column blocks."""

    target: str  # "phase 3 sum_var" (a row reduction) or "the output"
    phases: list[int]  # the spec's phase numbers run per block
    tensors: list[str]  # optional tensors the reader sends with each block of x


@dataclass
class Fp32Path:
    """What the generated kernels do differently for float32 data in an fp32 DEST (`is_fp32`)."""

    exact: set[int] = field(default_factory=set)  # binary phases computed with split operands
    neg_one: int | None = None  # tile of -1: subtractions
    neg_half: int | None = None  # tile of -0.5: the remainder splits (two passes)
    one: int | None = None  # tile of +1: additions
    lo_a: int | None = None  # one tile: the remainder of a SrcA operand
    lo_b: int | None = None  # one tile: the remainder of a SrcB operand
    rounded: set[int] = field(default_factory=set)  # CBs a reduce reads: rounded before packing
    unpack: list[int] = field(default_factory=list)  # CBs copied into DEST exactly (UnpackToDestFp32)
    cbs: dict[int, str] = field(default_factory=dict)  # CBs of this path alone -> pages

    def purpose(self, cb: int) -> str:
        """What one of this path's CBs holds."""
        return {
            self.neg_one: "tile of -1 (every element): subtractions",
            self.neg_half: "tile of -0.5 (every element): the remainder splits",
            self.one: "tile of +1 (every element): additions",
            self.lo_a: "remainder of a SrcA operand below what SrcA reads",
            self.lo_b: "remainder of a SrcB operand below what SrcB reads",
        }[cb]


@dataclass
class ComputeProgram:
    setup: list[str] = field(default_factory=list)  # before the row loop (constants)
    body: list[str] = field(default_factory=list)  # per resident tile-row
    teardown: list[str] = field(default_factory=list)  # after the loop
    resident_setup: list[str] = field(default_factory=list)  # optional tensors, one tile-row for all rows
    resident_teardown: list[str] = field(default_factory=list)
    stream_body: list[str] = field(default_factory=list)  # per tile-row in column blocks; empty: none
    stream_unmapped: str = ""  # why the phases have no streamed schedule
    stream_tiles: dict[int, str] = field(default_factory=dict)  # CB -> pages streamed (descriptor names)
    passes: list[StreamPass] = field(default_factory=list)
    acc_cb: int | None = None  # running result of a streamed row reduction (fp32)
    constants: list[Constant] = field(default_factory=list)
    tensor_tiles: list[TensorTiles] = field(default_factory=list)
    # Further full-size inputs (same shape as x): the reader sends their tile-rows with x's, row by row.
    full_tensors: list[TensorTiles] = field(default_factory=list)
    row_tiles: dict[int, str] = field(default_factory=dict)  # CB -> "Wt" | "1": pages the program needs
    includes: set[str] = field(default_factory=set)
    names: dict[int, str] = field(default_factory=dict)  # CB index -> C++ constant name
    unpack_fp32: list[int] = field(default_factory=list)  # CBs copied into DEST exactly (UnpackToDestFp32)
    datacopy: list[int] = field(default_factory=list)  # CBs only tilized, untilized or copied: exact for fp32
    decls: list[str] = field(default_factory=list)  # extra constants (layout-dependent CBs)
    fp32: Fp32Path | None = None  # the exact-operand path for float32 data; None: bfloat16 only
    out_tiles: str = "Wt"  # output tiles per tile-row: "1" when the output is a row statistic ([..., 1])
    # CBs the generator adds (not in the spec's table) -> the spec CB whose format and role they share: the
    # second version of a CB an in-place phase would overwrite while still reading it.
    generated: dict[int, int] = field(default_factory=dict)


FINAL = -1  # stands for the CB a spec calls "the final CB"


class Unmapped(Exception):
    """A phase or CB the templates cannot express; the message says which."""
