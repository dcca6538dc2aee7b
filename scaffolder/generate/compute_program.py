"""Phase templates: turn a spec's compute phases into raw-API compute code, in two schedules.

Resident: every tile CB a phase touches holds one tile-row (Wt tiles, or 1 tile for reduce outputs and
constants), so x is read once, each CB is waited for once per row and popped after its last use before it
is produced again.

Streamed (for rows whose resident CBs do not fit L1; the descriptor picks it with the compile-time arg
`stream`): one pass over the row's column blocks of `block` tiles per row reduction, in phase order, plus
a final output pass. In every pass the reader sends x again block by block; compute tilizes the block,
recomputes the element-wise phases that lead to the pass's target from x and the row statistics of the
earlier passes (1-tile CBs that stay resident until their last reader), and either reduces the block into
the running result of the row (an fp32 accumulator CB, copied exactly into DEST for the next block to
accumulate onto; the last block packs the statistic itself) or, in the final pass, sends the block to the
writer. Optional per-feature tensors (gamma, beta) arrive block by block in the passes that read them.
Block CBs hold `block` pages, 2 * block where the reader or writer fills or drains them. Statistics that
only combine other statistics (epsilon, rsqrt, ...) run between the passes.

Either way every wait has its pop by construction. Phases outside the template library (in-place SFPU,
optional affine steps, column reduces, ...) leave the kernel as a data path with the plan in comments;
phase structures the streamed schedule cannot express keep the resident one alone (`stream_unmapped`).

float32 data in an fp32 DEST (specs that accept float32; compile-time arg `is_fp32`, HiFi4) take an
exact-operand path, since the FPU reads fp32 tiles through source registers that keep 10 mantissa bits by
truncation (9 of SrcA in a multiply). Each fp32 operand v of a product or an add/sub is split into v as its
source register reads it and the exact remainder lo = v - trunc(v) (v copied into DEST exactly, then
ELWMUL-accumulate v * -1 through the same register): a product accumulates a * b + lo_a * b + a * lo_b in
DEST, an add/sub copies a into DEST exactly and accumulates (+-1) * b and (+-1) * lo_b. Constants are rounded
on the host to bits their register reads exactly; values a reduce reads (through SrcB) are scaled before
packing so that their truncation errs both ways. Tiles that only move through DEST unpack straight into
it. bfloat16 data keeps the plain code.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

from scaffolder.model import CircularBuffer, OpSpec

_SFPU_POST = ("rsqrt", "sqrt", "recip", "exp")
_BCAST_SUFFIX = {"COL": "cols", "ROW": "rows", "SCALAR": "scalar"}


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
    neg_one: int | None = None  # tile of -1: the remainder splits, subtractions
    one: int | None = None  # tile of +1: additions
    lo_a: int | None = None  # one tile: the remainder of a SrcA operand
    lo_b: int | None = None  # one tile: the remainder of a SrcB operand
    rounded: set[int] = field(default_factory=set)  # CBs a reduce reads: rounded before packing
    unpack: list[int] = field(default_factory=list)  # CBs copied into DEST exactly (UnpackToDestFp32)
    cbs: dict[int, str] = field(default_factory=dict)  # CBs of this path alone -> pages

    def purpose(self, cb: int) -> str:
        """What one of this path's CBs holds."""
        return {
            self.neg_one: "tile of -1 (every element): the remainder splits and subtractions",
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
    row_tiles: dict[int, str] = field(default_factory=dict)  # CB -> "Wt" | "1": pages the program needs
    includes: set[str] = field(default_factory=set)
    names: dict[int, str] = field(default_factory=dict)  # CB index -> C++ constant name
    unpack_fp32: list[int] = field(default_factory=list)  # CBs copied into DEST exactly (UnpackToDestFp32)
    datacopy: list[int] = field(default_factory=list)  # CBs only tilized, untilized or copied: exact for fp32
    decls: list[str] = field(default_factory=list)  # extra constants (layout-dependent CBs)
    fp32: Fp32Path | None = None  # the exact-operand path for float32 data; None: bfloat16 only


FINAL = -1  # stands for the CB a spec calls "the final CB"


class Unmapped(Exception):
    """A phase or CB the templates cannot express; the message says which."""


def _is_constant(cb: CircularBuffer) -> bool:
    return (
        cb.produced_by("reader")
        and re.search(r"scaler|eps|ones|const|neg_one|tile of -1", f"{cb.name} {cb.purpose}", re.IGNORECASE)
        is not None
    )


def _constant(cb: CircularBuffer, scalars: list[str]) -> Constant:
    text = f"{cb.name} {cb.purpose}".lower()
    if re.search(r"neg_one|tile of -1", text):
        return Constant(cb.index, "fill", "-1.0")
    if "scaler" in text or "ones" in text:
        value = (
            "1.0" if ("ones" in text or "1.0" in text) and "1/w" not in text.replace(" ", "") else "1.0 / W"
        )
        return Constant(cb.index, "reduce_scaler", value)
    eps = next((s for s in scalars if s.startswith("eps")), None)
    if eps is None:
        raise Unmapped(f"c_{cb.index} {cb.name}: constant tile with no scalar parameter to fill it")
    return Constant(cb.index, "scalar", eps)


_ROUND = [
    "if constexpr (is_fp32) {",
    "    round_for_srcb(0);  // a reduce reads this value through SrcB",
    "}",
]


def _tile_loop(
    N, a, b, out, init: str, call: str, n_out: str, post: str | None, round_src: bool = False
) -> list[str]:
    """One op over `n_out` tiles (Wt, block or 1): init once, then per tile acquire, op, optional SFPU post-op,
    the float32 path's rounding for a reduce that reads the result, pack, push."""
    lines = [f"reconfig_data_format({N[a]}, {N[b]});", f"pack_reconfig_data_format({N[out]});", init]
    post_init_per_tile = post and round_src and n_out != "1"  # the rounding's own SFPU init replaces it
    if post and not post_init_per_tile:
        lines.append(f"{post}_tile_init();")
    inner = [f"cb_reserve_back({N[out]}, 1);", "tile_regs_acquire();", call]
    if post_init_per_tile:
        inner.append(f"{post}_tile_init();")
    if post:
        inner.append(f"{post}_tile(0);")
    if round_src:
        inner += _ROUND
    inner += [
        "tile_regs_commit();",
        "tile_regs_wait();",
        f"pack_tile(0, {N[out]});",
        "tile_regs_release();",
        f"cb_push_back({N[out]}, 1);",
    ]
    if n_out == "1":
        return lines + inner
    return [*lines, f"for (uint32_t t = 0; t < {n_out}; ++t) {{", *["    " + x for x in inner], "}"]


def _exact_binary(
    N, p, fp32: Fp32Path, consts, ops, n_out: str, post: str | None, round_src: bool
) -> list[str]:
    """The float32 path of a binary phase over `n_out` tiles, its fp32 operands split (`ops`: a, b and their
    tile indices; constants are exact already). A product accumulates a * b + lo_a * b + a * lo_b in DEST
    (lo_a * lo_b is below fp32 precision); an add/sub copies a into DEST and accumulates (+-1) * b and
    (+-1) * lo_b."""
    a, b, a_idx, b_idx = ops
    out = p.output
    product = p.op in _PRODUCT
    bcast = "NONE" if p.op == "square" else p.broadcast
    suffix = _BCAST_SUFFIX.get(bcast)

    def mul(x, y, xi, yi) -> list[str]:
        if suffix is None:
            return [f"mul_init({N[x]}, {N[y]});", f"mul_tiles({N[x]}, {N[y]}, {xi}, {yi}, 0);"]
        return [
            f"mul_bcast_{suffix}_init({N[x]}, {N[y]});",
            f"mul_tiles_bcast_{suffix}({N[x]}, {N[y]}, {xi}, {yi}, 0);",
        ]

    split_a = product and a not in consts
    split_b = b not in consts
    b_once = split_b and b_idx == "0" and b != a  # one tile for the whole row or block: split it once
    lines = [f"split_srcb({N[b]}, 0, {N[fp32.neg_one]}, {N[fp32.lo_b]});"] if b_once else []
    inner = []
    if split_a:
        inner.append(f"split_srca({N[a]}, {a_idx}, {N[fp32.neg_one]}, {N[fp32.lo_a]});")
    if split_b and not b_once:
        inner.append(f"split_srcb({N[b]}, {b_idx}, {N[fp32.neg_one]}, {N[fp32.lo_b]});")
    inner += [
        f"pack_reconfig_data_format({N[out]});",
        f"cb_reserve_back({N[out]}, 1);",
        "tile_regs_acquire();",
    ]
    if product:
        inner += [f"reconfig_data_format({N[a]}, {N[b]});", *mul(a, b, a_idx, b_idx)]
        if split_a:
            inner += mul(fp32.lo_a, b, "0", b_idx)
        if split_b:
            inner += mul(a, fp32.lo_b, a_idx, "0")
    else:
        sign = fp32.one if p.op == "add" else fp32.neg_one
        inner += [
            f"reconfig_data_format_srca({N[a]});",
            f"copy_init({N[a]});",
            f"copy_tile({N[a]}, {a_idx}, 0);",
        ]
        inner += [f"reconfig_data_format({N[sign]}, {N[b]});", *mul(sign, b, "0", b_idx)]
        if split_b:
            inner += mul(sign, fp32.lo_b, "0", "0")
    inner[-1] += "  // ELWMUL accumulates in DEST"
    if post:
        inner += [f"{post}_tile_init();", f"{post}_tile(0);"]
    if round_src:
        inner.append("round_for_srcb(0);  // a reduce reads this value through SrcB")
    inner += [*_pack_one(N, out), f"cb_push_back({N[out]}, 1);"]
    inner += [
        f"cb_pop_front({N[lo]}, 1);"
        for lo, on in ((fp32.lo_a, split_a), (fp32.lo_b, split_b and not b_once))
        if on
    ]
    lines += (
        inner
        if n_out == "1"
        else [f"for (uint32_t t = 0; t < {n_out}; ++t) {{", *["    " + x for x in inner], "}"]
    )
    if b_once:
        lines.append(f"cb_pop_front({N[fp32.lo_b]}, 1);")
    return lines


def _fp32_branch(exact: list[str], plain: list[str]) -> list[str]:
    return [
        "if constexpr (is_fp32) {",
        *["    " + x for x in exact],
        "} else {",
        *["    " + x for x in plain],
        "}",
    ]


def _split_constant(N, p, consts) -> tuple[int, int]:
    """(the -1 constant, the other input) of a remainder phase."""
    c = next((i for i in p.inputs if i in consts and consts[i].kind == "fill"), None)
    if c is None:
        raise Unmapped(f"phase {p.index} {p.name}: no tile of -1 among its inputs")
    return c, next(i for i in p.inputs if i != c)


def _pack_one(N, out: int) -> list[str]:
    return ["tile_regs_commit();", "tile_regs_wait();", f"pack_tile(0, {N[out]});", "tile_regs_release();"]


def _remainder(N, p, consts, out: int) -> list[str]:
    """out = v - (v as SrcB reads it): v copied into the fp32 DEST exactly (UnpackToDestFp32), then ELWMUL
    accumulates (-1) * v through SrcB, which keeps only the high mantissa bits."""
    neg, v = _split_constant(N, p, consts)
    return [
        f"reconfig_data_format_srca({N[v]});",
        f"pack_reconfig_data_format({N[out]});",
        f"copy_init({N[v]});",
        f"cb_reserve_back({N[out]}, 1);",
        "tile_regs_acquire();",
        f"copy_tile({N[v]}, 0, 0);",
        f"reconfig_data_format({N[neg]}, {N[v]});",
        f"mul_init({N[neg]}, {N[v]}, false);",
        f"mul_tiles({N[neg]}, {N[v]}, 0, 0, 0);",
        *_pack_one(N, out),
        f"cb_push_back({N[out]}, 1);",
    ]


def _sub_exact(N, p, consts, out: int, width: str) -> list[str]:
    """out = a - b exactly over `width` tiles: (a - b as SrcB reads it) + (-1) * b_lo, both accumulated in
    DEST per tile."""
    neg = next((i for i in p.inputs if i in consts and consts[i].kind == "fill"), None)
    if neg is None:
        raise Unmapped(f"phase {p.index} {p.name}: exact centring without a tile of -1")
    a, b, lo = [i for i in p.inputs if i != neg]
    suffix = _BCAST_SUFFIX.get(p.broadcast, "cols")
    return [
        f"pack_reconfig_data_format({N[out]});",
        f"for (uint32_t t = 0; t < {width}; ++t) {{",
        f"    reconfig_data_format({N[a]}, {N[b]});",
        f"    sub_bcast_{suffix}_init({N[a]}, {N[b]});",
        f"    cb_reserve_back({N[out]}, 1);",
        "    tile_regs_acquire();",
        f"    sub_tiles_bcast_{suffix}({N[a]}, {N[b]}, t, 0, 0);",
        f"    reconfig_data_format({N[neg]}, {N[lo]});",
        f"    mul_bcast_{suffix}_init({N[neg]}, {N[lo]});",
        f"    mul_tiles_bcast_{suffix}({N[neg]}, {N[lo]}, 0, 0, 0);  // ELWMUL accumulates into DEST",
        *["    " + x for x in _pack_one(N, out)],
        f"    cb_push_back({N[out]}, 1);",
        "}",
    ]


def cb_names(spec: OpSpec) -> dict[int, str]:
    """C++ constant names for CB ids: the spec's names made unique, `cb_<index>` when a name is unusable."""
    out: dict[int, str] = {}
    for cb in spec.cbs:
        name = re.sub(r"\W+", "_", cb.name).strip("_").lower() or f"cb_{cb.index}"
        if not name.startswith("cb_"):
            name = "cb_" + name
        if name in out.values() or name in ("cb_in", "cb_out", "cb_tiled"):
            name = f"{name}_{cb.index}"
        out[cb.index] = name
    return out


def build_program(
    spec: OpSpec, input_cb: int, output_cb: int, scalars: list[str], fp32: bool = False
) -> ComputeProgram:
    """The compute program of the spec's phases; `fp32` adds the exact-operand path for float32 data."""
    if not spec.phases:
        raise Unmapped("the spec lists no compute phases")
    phases = [
        replace(p, inputs=list(p.inputs)) for p in spec.phases
    ]  # resolved below; the model stays as read
    tilizes = [p for p in phases if p.kind == "tilize"]
    untilizes = [p for p in phases if p.kind == "untilize"]
    both = set(spec.input_layouts) == {"ROW_MAJOR", "TILE"}
    if both:
        # Row-major and tile inputs share the phases; tilize/untilize run only for row-major data, and the
        # reader fills the tilize target directly with tiles otherwise.
        if len(tilizes) != 1 or len(untilizes) != 1 or spec.output_layout != "same":
            raise Unmapped(
                "a two-layout spec needs exactly one tilize and one untilize phase and a same-layout output"
            )
    elif len(spec.input_layouts) != 1 or bool(tilizes) != (spec.input_layouts[0] == "ROW_MAJOR"):
        raise Unmapped("the phases do not match the input layout " + " and ".join(spec.input_layouts))
    final_target = None
    for p in phases:
        if p.output is None and re.search(r"\bfinal\b", p.text, re.IGNORECASE) and both:
            p.output = FINAL  # "-> final CB": the untilize input for row-major output, else the output CB
            final_target = untilizes[0].inputs[0] if untilizes[0].inputs else None
            untilizes[0].inputs = [FINAL]
    prog = ComputeProgram()
    # Optional tensors arrive through a reader-fed CB named after them (cb_gamma: "gamma as Row0 tiles").
    tensor_cb: dict[int, str] = {}
    for t in spec.tensor_params[1:]:
        if t.required and not re.search(r"gamma|beta|weight|bias|scale|shift", t.name, re.IGNORECASE):
            raise Unmapped(f"a second full-size input ({t.name}) has no reader template")
        fed = [c for c in spec.cbs if c.produced_by("reader") and c.index != input_cb]
        cb = next((c for c in fed if c.name == f"cb_{t.name}"), None) or next(
            (c for c in fed if re.search(rf"\b{t.name}\b", f"{c.name} {c.purpose}".replace("_", " "))), None
        )
        if cb is None:
            raise Unmapped(f"no reader-fed CB carries the optional tensor {t.name}")
        if re.search(r"stick|\brm\b|_rm\b", f"{cb.name} {cb.purpose}", re.IGNORECASE):
            # Sticks the compute kernel tilizes once into a tile CB that the phases read: the reader writes
            # that tile CB directly, as Row0 tiles (all a ROW broadcast reads of a one-row tensor).
            tiled = next(
                (
                    c
                    for c in spec.cbs
                    if c.index != cb.index
                    and re.search(rf"\b{t.name}\b", f"{c.name} {c.purpose}".replace("_", " "))
                    and re.search(r"tiliz", f"{c.name} {c.purpose} {c.producer}", re.IGNORECASE)
                    and any(c.index in p.inputs for p in phases)
                ),
                None,
            )
            if tiled is None:
                raise Unmapped(
                    f"{t.name} arrives as row-major sticks in c_{cb.index}; only Row0 tiles have a template"
                )
            cb = tiled
        tensor_cb[cb.index] = t.name
        prog.tensor_tiles.append(TensorTiles(t.name, cb.index))
    for cb_index, tensor in tensor_cb.items():
        if not any(cb_index in p.inputs for p in phases):
            raise Unmapped(f"no phase reads {tensor} (c_{cb_index})")
    cbs = {c.index: c for c in spec.cbs}
    for p in phases:
        # A tilize with no stated source reads the reader's CB; an untilize with no stated target feeds the
        # writer; a reduce with no stated scaler uses the one reduce-scaler tile the reader writes.
        if p.kind == "tilize" and not p.inputs:
            p.inputs = [input_cb]
        if p.kind == "untilize" and p.output is None:
            p.output = output_cb
        if (
            p.kind == "reduce"
            and p.inputs
            and not any(i in cbs and _is_constant(cbs[i]) for i in p.inputs[1:])
        ):
            scalers = [
                c.index for c in spec.cbs if _is_constant(c) and "scaler" in f"{c.name} {c.purpose}".lower()
            ]
            if len(scalers) == 1:
                p.inputs = [*p.inputs, scalers[0]]
        # One row of a per-feature tensor broadcast over the tile-row's rows: a ROW broadcast, whatever the
        # spec calls it (an element-wise op on replicated rows reads the same values).
        if p.kind == "binary" and len(p.inputs) == 2 and p.inputs[1] in tensor_cb and p.broadcast == "NONE":
            p.broadcast = "ROW"
    switch: dict[int, str] = {}  # phase index -> the tensor whose presence switches it
    for p in phases:
        uses = [tensor_cb[i] for i in p.inputs if i in tensor_cb]
        if p.kind in ("tilize", "untilize") and both:
            pass  # optional by layout, not by tensor
        elif "(optional)" in p.text or uses:
            if len(uses) != 1 or p.kind != "binary" or len(p.inputs) != 2 or p.inputs[1] not in tensor_cb:
                raise Unmapped(
                    f"phase {p.index} {p.name} is optional but not a binary op on one optional tensor"
                )
            switch[p.index] = uses[0]
        if p.output is None or not p.inputs:
            raise Unmapped(f"phase {p.index} {p.name}: input or output CB not resolved")
        if p.kind == "reduce" and p.reduce_dim != "REDUCE_ROW":
            raise Unmapped(f"phase {p.index} {p.name}: {p.reduce_dim} has no template")
        if p.kind not in ("tilize", "untilize", "reduce", "binary", "copy", "remainder", "unary"):
            raise Unmapped(f"phase {p.index} {p.name}: {p.kind} phase has no template")
        if p.kind == "unary" and (p.op not in _SFPU_POST or len(p.inputs) != 1):
            raise Unmapped(
                f"phase {p.index} {p.name}: unary {p.op or '?'} on {len(p.inputs)} CBs has no template"
            )
        if p.output in p.inputs:
            raise Unmapped(f"phase {p.index} {p.name}: in-place phase on c_{p.output}")
        if p.op == "sub_exact" and len(p.inputs) != 4:
            raise Unmapped(
                f"phase {p.index} {p.name}: exact centring reads x, the value, a -1 tile and its remainder"
            )
        if p.kind == "remainder" and len(p.inputs) != 2:
            raise Unmapped(f"phase {p.index} {p.name}: a remainder reads the value and a -1 tile")
        if p.kind == "binary" and p.op != "sub_exact" and len(p.inputs) > 2:
            raise Unmapped(
                f"phase {p.index} {p.name}: one phase reads {len(p.inputs)} CBs; split it into binary ops"
            )
    prog.names = cb_names(spec)
    N = prog.names
    if any(p.output == FINAL for p in phases):
        if final_target is None or final_target not in cbs:
            raise Unmapped("the final CB has no row-major target")
        N[FINAL] = "cb_final"
        prog.decls.append(f"constexpr uint32_t cb_final = rm_out ? {final_target} : {output_cb};")
        cbs[FINAL] = replace(cbs[final_target], index=FINAL, name="cb_final")
    for p in phases:
        for i in [*p.inputs, p.output]:
            if i not in cbs:
                raise Unmapped(f"phase {p.index} {p.name}: c_{i} is not in the CB table")
    # Every CB a phase reads must come from the reader (input, constant, tensor) or an earlier phase.
    produced = {input_cb}
    for p in phases:
        for i in p.inputs:
            if i not in produced and i not in tensor_cb and not _is_constant(cbs[i]):
                raise Unmapped(
                    f"phase {p.index} {p.name} reads c_{i}, which no earlier phase or reader template fills"
                )
        produced.add(p.output)
    # Constants: written once by the reader, waited once, popped after the loop.
    consts = {
        i: _constant(cbs[i], scalars)
        for p in phases
        for i in p.inputs
        if _is_constant(cbs[i]) and i not in tensor_cb
    }
    prog.constants = sorted(consts.values(), key=lambda c: c.cb)
    # Tiles per row: 1 for reduce outputs (Col0) and constants, Wt for everything else.
    tiles: dict[int, str] = {}
    for p in phases:
        tiles.setdefault(p.output, "1" if p.kind in ("reduce", "remainder") else "Wt")
        if p.kind == "unary" and tiles.get(p.inputs[0]) == "1":
            tiles[p.output] = "1"
        if p.kind == "binary" and len(p.inputs) > 1 and tiles.get(p.inputs[0]) == "1":
            tiles[p.output] = "1"
        for i in p.inputs:
            tiles.setdefault(i, "1" if i in consts else "Wt")
    prog.row_tiles = {i: n for i, n in tiles.items() if i not in (input_cb, output_cb, FINAL)}
    if final_target is not None:
        prog.row_tiles[final_target] = "Wt"
    for tt in prog.tensor_tiles:
        prog.row_tiles[tt.cb] = "Wt"
        prog.resident_setup += [
            f"if constexpr (has_{tt.tensor}) {{",
            f"    cb_wait_front({N[tt.cb]}, Wt);  // {tt.tensor} as Row0 tiles, written once by the reader",
            "}",
        ]
        prog.resident_teardown += [
            f"if constexpr (has_{tt.tensor}) {{",
            f"    cb_pop_front({N[tt.cb]}, Wt);",
            "}",
        ]
    declared = {c.index for c in spec.cbs}
    if fp32:
        path = _fp32_path(prog, spec, phases, consts, switch, input_cb, final_target)
        if path.exact or path.rounded:  # else the data path keeps every bit with UnpackToDestFp32 alone
            prog.fp32 = path
            declared |= set(path.cbs)
    for c in prog.constants:
        wait = [f"cb_wait_front({N[c.cb]}, 1);  // written once by the reader"]
        pop = [f"cb_pop_front({N[c.cb]}, 1);"]
        if c.fp32_only:
            wait, pop = (["if constexpr (is_fp32) {", "    " + lines[0], "}"] for lines in (wait, pop))
        prog.setup += wait
        prog.teardown += pop

    emit = _Emitter(prog, phases, tiles, consts, tensor_cb, switch, both)
    prog.body = emit.resident()
    readers: dict[int, set[str]] = {}
    for p in phases:
        for i in p.inputs:
            readers.setdefault(i, set()).add(p.kind)
    prog.datacopy = sorted(
        i for i, kinds in readers.items() if i >= 0 and kinds <= {"tilize", "untilize", "copy"}
    )
    names = dict(N)
    try:
        emit.streamed(input_cb, output_cb, declared)
    except Unmapped as e:
        prog.stream_unmapped = str(e)
        prog.names.clear()
        prog.names.update(names)  # no accumulator CB without the streamed schedule
    else:
        prog.stream_tiles = {i: ("BLOCK_SIZE" if n == "Wt" else "1") for i, n in prog.row_tiles.items()}
        for tt in prog.tensor_tiles:
            prog.stream_tiles[tt.cb] = "2 * BLOCK_SIZE"  # filled by the reader block by block
        if both:
            prog.stream_tiles[tilizes[0].output] = "2 * BLOCK_SIZE"  # the reader's tiles on the TILE path
        if prog.acc_cb is not None:
            prog.stream_tiles[prog.acc_cb] = "1"
    return prog


_PRODUCT = ("mul", "square")


def _fp32_path(prog, spec, phases, consts, switch, input_cb, final_target) -> Fp32Path:
    """The float32 path of the resolved phases: which binary phases split their operands (with the tiles of
    -1 and +1 and the remainder CBs they need: the spec's own where it declares them, else generated ones),
    which values are rounded for the reduce that reads them, and which CBs unpack straight into DEST."""
    path = Fp32Path()
    N = prog.names
    path.exact = {p.index for p in phases if p.kind == "binary" and p.op in (*_PRODUCT, "add", "sub")}
    # How each CB is read: "src" through a truncating source register (a reduce's data), "exact" by a copy
    # into DEST, a split operand, or an exact construction of the spec's own (remainder phases).
    reads: dict[int, set[str]] = {}
    copied: set[int] = set()
    for p in phases:
        if p.kind in ("tilize", "untilize", "copy", "unary"):
            copied.add(final_target if p.inputs[0] == FINAL else p.inputs[0])
        elif p.index in path.exact:
            copied.update(i for i in p.inputs if i not in consts)
        for i in p.inputs:
            reads.setdefault(i, set()).add("src" if p.kind == "reduce" and i == p.inputs[0] else "exact")
        if p.index in switch:
            copied.add(p.inputs[0])  # the copy that stands in for the step without its tensor
    made = {p.output for p in phases if p.kind in ("binary", "reduce", "unary", "copy")}
    path.rounded = {i for i in made if reads.get(i) == {"src"}}
    path.unpack = sorted({i for i in copied if i >= 0} | {input_cb} | set(prog.unpack_fp32))
    # Constants are rounded on the host to the bits their source register reads: SrcA of a multiply (a
    # reduce's scaler included) keeps 9 mantissa bits at HiFi4, SrcB 10; an add/sub copies its first operand.
    for c in consts.values():
        bits = []
        for p in phases:
            for pos, i in enumerate(p.inputs):
                if i != c.cb:
                    continue
                if p.kind == "reduce" or (pos == 0 and p.op in _PRODUCT):
                    bits.append(9)
                elif pos > 0 or p.kind not in ("binary", "copy", "unary"):
                    bits.append(10)
        c.src_bits = min(bits) if bits and c.kind != "fill" else None
    exact = [p for p in phases if p.index in path.exact]
    if not exact:
        return path
    free = [i for i in range(31, -1, -1) if i not in {c.index for c in spec.cbs}]
    used = {i for p in phases for i in [*p.inputs, p.output]}

    def fill(value: str, pattern: str, name: str) -> int:
        """The tile of `value` in every element: the spec's (used by its phases, or declared for this), or one
        the reader writes on the float32 path only."""
        cb = next((i for i, c in consts.items() if c.kind == "fill" and c.value == value), None)
        if cb is not None:
            return cb
        declared = next(
            (
                c
                for c in spec.cbs
                if _is_constant(c) and re.search(pattern, f"{c.name} {c.purpose}", re.IGNORECASE)
            ),
            None,
        )
        cb = declared.index if declared is not None else free.pop(0)
        consts[cb] = Constant(cb, "fill", value, fp32_only=True)
        prog.constants = sorted(consts.values(), key=lambda c: c.cb)
        path.cbs[cb] = "1"
        N.setdefault(cb, next(n for n in (name, f"{name}_{cb}") if n not in N.values()))
        return cb

    def remainder(pattern: str, name: str) -> int:
        """A one-tile CB for a remainder: the spec's (declared for it, unused by its phases) or a generated one."""
        declared = next(
            (
                c
                for c in spec.cbs
                if c.index not in used
                and c.index not in path.cbs
                and c.produced_by("compute")
                and re.search(pattern, f"{c.name} {c.purpose}", re.IGNORECASE)
            ),
            None,
        )
        cb = declared.index if declared is not None else free.pop(0)
        path.cbs[cb] = "1"
        N.setdefault(cb, next(n for n in (name, f"{name}_{cb}") if n not in N.values()))
        return cb

    path.neg_one = fill("-1.0", r"neg_one|tile of -1", "cb_neg_one")
    if any(p.op == "add" for p in exact):
        path.one = fill("1.0", r"\bone\b|tile of (\+?1|ones)\b", "cb_one")
    if any(p.op in _PRODUCT and p.inputs[0] not in consts for p in exact):
        path.lo_a = remainder(r"\blo\b|_lo\b|remainder|low part", "cb_lo")
    if any(p.inputs[-1] not in consts for p in exact):
        path.lo_b = remainder(r"\blo_b\b|srcb remainder", "cb_lo_b")
    return path


def _producers(phases) -> list[dict[int, int | None]]:
    """For each phase, the position of the phase whose output each input CB reads (None: the reader's)."""
    last: dict[int, int] = {}
    out = []
    for n, p in enumerate(phases):
        out.append({i: last.get(i) for i in p.inputs})
        last[p.output] = n
    return out


class _Emitter:
    """Compute lines of the resolved phases: one resident tile-row, or column blocks in passes."""

    def __init__(self, prog: ComputeProgram, phases, tiles, consts, tensor_cb, switch, both: bool):
        self.prog, self.phases, self.tiles = prog, phases, tiles
        self.consts, self.tensor_cb, self.switch, self.both = consts, tensor_cb, switch, both
        self.N = prog.names

    @staticmethod
    def header(p) -> str:
        return (
            f"// Phase {p.index}: {p.name} ({p.kind}{' ' + p.op if p.op and p.op != p.kind else ''}"
            f"{', ' + p.broadcast + ' broadcast' if p.broadcast != 'NONE' else ''})"
        )

    def data_move(self, p, width: str) -> list[str]:
        """A tilize or untilize of a 32-row strip `width` tiles wide (the helpers wait and pop their input)."""
        N, ins, out = self.N, p.inputs, p.output
        if p.kind == "tilize":
            pages = "in_pages" if width == "Wt" else width
            call, flag = f"tilize_strip<{width}>({N[ins[0]]}, {pages}, {N[out]});", "rm_in"
            self.prog.includes.add("tilize")
        else:
            pages = "out_pages" if width == "Wt" else width
            call, flag = f"untilize_strip<{width}, block>({N[ins[0]]}, {N[out]}, {pages});", "rm_out"
            self.prog.includes.add("untilize")
        return [f"if constexpr ({flag}) {{", "    " + call, "}"] if self.both else [call]

    def compute(self, p, width: str) -> list[str]:
        """One binary, unary, copy or remainder phase over `width` tiles of its row CBs (1 tile for a
        statistic), without the waits and pops of its inputs."""
        N, tiles, consts, prog = self.N, self.tiles, self.consts, self.prog
        ins, out = p.inputs, p.output
        a = ins[0]
        b = ins[1] if len(ins) > 1 else ins[0]
        n_out = width if tiles[out] == "Wt" else "1"
        post = next((s for s in _SFPU_POST if re.search(rf"\b{s}", p.text.lower())), None)
        if p.kind == "remainder":
            v = _split_constant(N, p, consts)[1]
            if v not in prog.unpack_fp32:
                prog.unpack_fp32.append(v)
            prog.includes.add("binary")
            return _remainder(N, p, consts, out)
        if p.op == "sub_exact":
            prog.includes.update(("binary", "bcast"))
            return _sub_exact(N, p, consts, out, width)
        a_idx = "0" if tiles.get(a) == "1" else "t"
        fp32 = prog.fp32
        round_src = fp32 is not None and out in fp32.rounded
        if round_src:
            prog.includes.add("binop_with_scalar")
        if p.kind in ("unary", "copy"):
            # The value copied into DEST, then (unary) the SFPU op in place.
            if p.kind == "unary":
                post = p.op
            lines = _tile_loop(
                N, a, a, out, f"copy_init({N[a]});", f"copy_tile({N[a]}, {a_idx}, 0);", n_out, post, round_src
            )
        elif fp32 is not None and p.index in fp32.exact:
            # float32: the operands' remainders below source-register precision go into DEST as well.
            b_idx = a_idx if p.op == "square" else self._b_index(p, b)
            plain = self._binary(p, a, b, out, a_idx, n_out, post, False)
            exact = _exact_binary(N, p, fp32, consts, (a, b, a_idx, b_idx), n_out, post, round_src)
            lines = _fp32_branch(exact, plain)
        else:
            lines = self._binary(p, a, b, out, a_idx, n_out, post, round_src)
        if post:
            prog.includes.add(post)
        if p.index not in self.switch:
            return lines
        # Without the tensor the step is an identity: copy keeps the CB routing the same.
        bypass = _tile_loop(
            N, a, a, out, f"copy_init({N[a]});", f"copy_tile({N[a]}, {a_idx}, 0);", n_out, None
        )
        return [
            f"if constexpr (has_{self.switch[p.index]}) {{",
            *["    " + line for line in lines],
            "} else {",
            *["    " + line for line in bypass],
            "}",
        ]

    def _b_index(self, p, b) -> str:
        """The tile index of a binary phase's second operand: 0 for a broadcast column or scalar, or a
        one-tile statistic; the current tile otherwise."""
        bcast = "NONE" if p.op == "square" else p.broadcast
        return "0" if bcast in ("COL", "SCALAR") or self.tiles.get(b) == "1" else "t"

    def _binary(self, p, a, b, out, a_idx, n_out, post, round_src) -> list[str]:
        """A binary phase as one op per tile."""
        N, prog = self.N, self.prog
        op = "mul" if p.op == "square" else p.op
        bcast = "NONE" if p.op == "square" else p.broadcast
        b_idx = self._b_index(p, b)
        if bcast == "NONE":
            init = f"{op}_init({N[a]}, {N[b]});"
            call = f"{op}_tiles({N[a]}, {N[b]}, {a_idx}, {b_idx}, 0);"
        else:
            suffix = _BCAST_SUFFIX[bcast]
            init = f"{op}_bcast_{suffix}_init({N[a]}, {N[b]});"
            call = f"{op}_tiles_bcast_{suffix}({N[a]}, {N[b]}, {a_idx}, {b_idx}, 0);"
            prog.includes.add("bcast")
        prog.includes.add("binary")
        return _tile_loop(N, a, b, out, init, call, n_out, post, round_src)

    def _reduce_parts(self, p) -> tuple[int, int, str]:
        scaler = next((i for i in p.inputs[1:] if i in self.consts), None)
        if scaler is None:
            raise Unmapped(f"phase {p.index} {p.name}: reduce without a scaler CB")
        self.prog.includes.add("reduce")
        return p.inputs[0], scaler, {"sum": "SUM", "avg": "SUM", "max": "MAX"}[p.op or "sum"]

    def _round_statistic(self, out: int, streamed: bool) -> list[str]:
        """The float32 path's rounding of a row statistic that a further reduce reads through SrcB (streamed:
        once the last block has accumulated)."""
        fp32 = self.prog.fp32
        if fp32 is None or out not in fp32.rounded:
            return []
        self.prog.includes.add("binop_with_scalar")
        if not streamed:
            return list(_ROUND)
        return [
            "if constexpr (is_fp32) {",
            "    if (b + 1 == n_blocks) {",
            "        round_for_srcb(0);  // a reduce reads the statistic through SrcB",
            "    }",
            "}",
        ]

    def reduce_row(self, p) -> list[str]:
        """A row reduction over the resident tile-row, accumulated in one DEST tile."""
        N = self.N
        a, scaler, pool = self._reduce_parts(p)
        out = p.output
        return [
            # REDUCE_ROW swaps operands: the scaler goes to SrcA and the data to SrcB.
            f"reconfig_data_format({N[scaler]}, {N[a]});",
            f"pack_reconfig_data_format({N[out]});",
            f"reduce_init<PoolType::{pool}, ReduceDim::REDUCE_ROW>({N[a]}, {N[scaler]}, {N[out]});",
            f"cb_reserve_back({N[out]}, 1);",
            "tile_regs_acquire();",
            "for (uint32_t t = 0; t < Wt; ++t) {",
            f"    reduce_tile<PoolType::{pool}, ReduceDim::REDUCE_ROW>({N[a]}, {N[scaler]}, t, 0, 0);",
            "}",
            *self._round_statistic(out, streamed=False),
            "tile_regs_commit();",
            "tile_regs_wait();",
            f"pack_tile(0, {N[out]});",
            "tile_regs_release();",
            "reduce_uninit();",
            f"cb_push_back({N[out]}, 1);",
        ]

    def reduce_block(self, p, acc: int) -> list[str]:
        """Block `b` of a streamed row reduction: the result of blocks 0..b-1 copied exactly into DEST, this
        block's tiles accumulated onto it; every block but the last leaves the result in the accumulator."""
        N = self.N
        a, scaler, pool = self._reduce_parts(p)
        out = p.output
        return [
            "tile_regs_acquire();",
            "if (b > 0) {",
            "    // The result of the earlier blocks, copied exactly into DEST: this block accumulates onto it.",
            f"    cb_wait_front({N[acc]}, 1);",
            f"    reconfig_data_format_srca({N[acc]});",
            f"    copy_init({N[acc]});",
            f"    copy_tile({N[acc]}, 0, 0);",
            f"    cb_pop_front({N[acc]}, 1);",
            "}",
            f"reconfig_data_format({N[scaler]}, {N[a]});",
            f"reduce_init<PoolType::{pool}, ReduceDim::REDUCE_ROW>({N[a]}, {N[scaler]}, {N[out]});",
            "for (uint32_t t = 0; t < block; ++t) {",
            f"    reduce_tile<PoolType::{pool}, ReduceDim::REDUCE_ROW>({N[a]}, {N[scaler]}, t, 0, 0);",
            "}",
            *self._round_statistic(out, streamed=True),
            "tile_regs_commit();",
            "// Every block but the last leaves the running result in the accumulator (its page is free again);",
            "// the last one packs the statistic.",
            f"const uint32_t dst_cb = b + 1 < n_blocks ? {N[acc]} : {N[out]};",
            "pack_reconfig_data_format(dst_cb);",
            "cb_reserve_back(dst_cb, 1);",
            "tile_regs_wait();",
            "pack_tile(0, dst_cb);",
            "tile_regs_release();",
            "reduce_uninit();",
            "cb_push_back(dst_cb, 1);",
        ]

    def resident(self) -> list[str]:
        """The row body with one resident tile-row per CB."""
        phases, tiles, N = self.phases, self.tiles, self.N

        def last_use(cb: int, start: int) -> bool:
            """True when phase `start` is the last reader of cb before cb is produced again (or the row ends)."""
            for q in phases[start + 1 :]:
                if cb in q.inputs:
                    return False
                if q.output == cb:
                    return True
            return True

        waited: set[int] = set()
        body: list[str] = []
        for n, p in enumerate(phases):
            body.append(self.header(p))
            if p.kind == "untilize" and p.inputs[0] in waited:
                raise Unmapped(f"phase {p.index} {p.name}: untilize of a CB that later phases still read")
            if p.kind in ("tilize", "untilize"):
                body += self.data_move(p, "Wt")
                continue
            ins = p.inputs
            for i in dict.fromkeys(ins):
                if i not in waited and i not in self.consts and i not in self.tensor_cb:
                    body.append(f"cb_wait_front({N[i]}, {tiles[i]});")
                    waited.add(i)
            body += self.reduce_row(p) if p.kind == "reduce" else self.compute(p, "Wt")
            for i in dict.fromkeys(ins):
                if i in self.consts or i in self.tensor_cb or i not in waited:
                    continue
                if last_use(i, n):
                    body.append(f"cb_pop_front({N[i]}, {tiles[i]});")
                    waited.discard(i)
        if waited:
            raise Unmapped(
                f"CB(s) {', '.join(f'c_{i}' for i in sorted(waited))} are still held at the end of a row"
            )
        return body

    def streamed(self, input_cb: int, output_cb: int, declared: set[int]) -> None:
        """The column-block schedule into prog.stream_body and prog.passes; Unmapped when the phases do not
        fit it (the resident schedule stays)."""
        phases, tiles, N, prog = self.phases, self.tiles, self.N, self.prog
        prod = _producers(phases)

        def is_row(n: int) -> bool:
            p = phases[n]
            return p.kind in ("tilize", "untilize") or (p.kind != "reduce" and tiles[p.output] == "Wt")

        def row_value(m: int, cb: int) -> bool:
            """Whether phase m reads per-column data from cb: x, an optional tensor, or a row phase's output."""
            q = prod[m][cb]
            return is_row(q) if q is not None else cb == input_cb or cb in self.tensor_cb

        def name(n: int) -> str:
            return f"phase {phases[n].index} {phases[n].name}"

        writers = [n for n, p in enumerate(phases) if p.output == output_cb]
        if not writers:
            raise Unmapped("no phase writes the output CB")
        final = writers[-1]
        if not is_row(final):
            raise Unmapped(f"the output ({name(final)}) is a row statistic: there are no column blocks")
        for n, p in enumerate(phases):
            if p.kind == "reduce" and not row_value(n, p.inputs[0]):
                raise Unmapped(f"{name(n)} reduces a statistic, not column blocks")
            if not is_row(n) and p.kind != "reduce" and any(row_value(n, i) for i in p.inputs):
                raise Unmapped(f"{name(n)} reads a whole tile-row into a statistic without a row reduction")

        def chain(target: int) -> list[int]:
            """The row phases that lead to `target`, in phase order, then the target."""
            need: set[int] = set()
            todo = [target]
            while todo:
                m = todo.pop()
                for i in phases[m].inputs:
                    q = prod[m][i]
                    if q is not None and is_row(q) and q not in need:
                        need.add(q)
                        todo.append(q)
            return [*sorted(need), target]

        # The timeline of a row: statistics computed between passes, then each pass over the blocks.
        reduces = [n for n, p in enumerate(phases) if p.kind == "reduce"]
        stat_phases = [n for n in range(len(phases)) if not is_row(n) and phases[n].kind != "reduce"]
        events: list[tuple[int, list[int]]] = []  # (phase, []) for a statistic, (target, chain) for a pass
        done: set[int] = set()
        for target in [*reduces, final]:
            for s in stat_phases:
                if s < target and s not in done:
                    events.append((s, []))
                    done.add(s)
            ch = chain(target)
            if not any(phases[m].kind == "tilize" or input_cb in phases[m].inputs for m in ch):
                raise Unmapped(f"the pass for {name(target)} does not read x")
            for m in ch:
                for i in phases[m].inputs:
                    q = prod[m][i]
                    if q is not None and not is_row(q) and q not in done:
                        raise Unmapped(f"{name(m)} reads {name(q)} before a pass can compute it")
            events.append((target, ch))
            done.add(target)
        scheduled = done.union(*(ch for _, ch in events))
        for n in range(len(phases)):
            if n not in scheduled:
                raise Unmapped(f"{name(n)} feeds neither a row reduction nor the output")
        # Statistics live from their first reader to their last (1-page CBs: free before written again).
        uses: dict[int, list[int]] = {}
        made: dict[int, int] = {}
        for e, (n, ch) in enumerate(events):
            if not is_row(n):
                made[n] = e
            for m in ch or [n]:
                for i in phases[m].inputs:
                    q = prod[m][i]
                    if q is not None and not is_row(q) and e not in uses.setdefault(q, []):
                        uses[q].append(e)
        by_cb: dict[int, list[int]] = {}
        for q in sorted(made, key=made.get):
            if q not in uses:
                raise Unmapped(f"nothing reads the statistic of {name(q)}")
            by_cb.setdefault(phases[q].output, []).append(q)
        for cb, qs in by_cb.items():
            for q1, q2 in itertools.pairwise(qs):
                if made[q2] <= max(uses[q1]):
                    raise Unmapped(f"c_{cb} is written by {name(q2)} while {name(q1)}'s value is still read")

        def stat_inputs(m: int) -> list[int]:
            """The CBs of statistics (reduce results and what is made of them) that phase m reads."""
            return [
                i
                for i in dict.fromkeys(phases[m].inputs)
                if prod[m][i] is not None and not is_row(prod[m][i])
            ]

        acc = None
        if reduces:
            acc = max((i for i in range(32) if i not in declared), default=None)
            if acc is None:
                raise Unmapped("no free CB index for the accumulator of a streamed row reduction")
            N[acc] = next(n for n in ("cb_acc", f"cb_acc_{acc}") if n not in N.values())
        body: list[str] = []
        passes: list[StreamPass] = []
        for e, (n, ch) in enumerate(events):
            if not ch:  # a statistic from statistics, as in the resident schedule
                body.append(self.header(phases[n]))
                body += [f"cb_wait_front({N[i]}, 1);" for i in stat_inputs(n) if min(uses[prod[n][i]]) == e]
                body += self.compute(phases[n], "block")
                body += [f"cb_pop_front({N[i]}, 1);" for i in stat_inputs(n) if max(uses[prod[n][i]]) == e]
                continue
            stats = dict.fromkeys((i, prod[m][i]) for m in ch for i in stat_inputs(m))
            target = "the output" if n == final else name(n)
            tensors = [self.tensor_cb[i] for m in ch for i in phases[m].inputs if i in self.tensor_cb]
            passes.append(StreamPass(target, [phases[m].index for m in ch], list(dict.fromkeys(tensors))))
            body.append(
                f"// Pass {len(passes)}: {target} (phases {', '.join(str(phases[m].index) for m in ch)}), "
                "one column block at a time"
            )
            body += [f"cb_wait_front({N[i]}, 1);" for i, q in stats if min(uses[q]) == e]
            body.append("for (uint32_t b = 0; b < n_blocks; ++b) {")
            body += ["    " + line for line in self._block(ch, prod, row_value, acc, name)]
            body.append("}")
            body += [f"cb_pop_front({N[i]}, 1);" for i, q in stats if max(uses[q]) == e]
        prog.stream_body, prog.passes, prog.acc_cb = body, passes, acc

    def _block(self, ch: list[int], prod, row_value, acc: int | None, name) -> list[str]:
        """One column block of a pass: every phase of the chain over `block` tiles. A block value is waited
        for before its first reader and popped after its last; nothing outlives the block but what the
        target sends on (a reduction's statistic, or the output to the writer)."""
        phases, N = self.phases, self.N
        first: dict[tuple[int, int | None], int] = {}
        last: dict[tuple[int, int | None], int] = {}
        helper_read: set[tuple[int, int | None]] = set()  # inputs the tilize/untilize helpers wait and pop
        for m in ch:
            for i in dict.fromkeys(phases[m].inputs):
                if not row_value(m, i):
                    continue
                key = (i, prod[m][i])
                if phases[m].kind in ("tilize", "untilize"):
                    helper_read.add(key)
                    continue
                first.setdefault(key, m)
                last[key] = m
        if helper_read & set(first):
            raise Unmapped("a tilize or untilize input is also read by another phase of the same pass")
        for (cb, q), end in last.items():
            for m in ch:
                if phases[m].output == cb and (q is None or m > q) and m < end:
                    raise Unmapped(
                        f"{name(m)} writes c_{cb} while an earlier block value on it is still read"
                    )
        read = set(first) | helper_read
        for m in ch[:-1]:
            if (phases[m].output, m) not in read:
                raise Unmapped(f"{name(m)}'s block is not read within its pass")
        lines: list[str] = []
        for m in ch:
            p = phases[m]
            lines.append(self.header(p))
            if p.kind in ("tilize", "untilize"):
                lines += self.data_move(p, "block")
                continue
            waits = [f"cb_wait_front({N[cb]}, block);" for (cb, _), at in first.items() if at == m]
            pops = [f"cb_pop_front({N[cb]}, block);" for (cb, _), at in last.items() if at == m]
            if p.kind == "reduce":
                assert acc is not None
                code = self.reduce_block(p, acc)
            else:
                code = self.compute(p, "block")
            if p.index in self.switch:
                # The optional tensor's block is waited for and popped inside the step it switches on.
                flag = self.switch[p.index]
                mine = [line for line in waits + pops if self._flag_of(line) == flag]
                waits = [line for line in waits if line not in mine]
                pops = [line for line in pops if line not in mine]
                split = code.index("} else {")
                code = [
                    code[0],
                    *["    " + line for line in mine if "wait" in line],
                    *code[1:split],
                    *["    " + line for line in mine if "pop" in line],
                    *code[split:],
                ]
            for line in waits:
                lines += self._guarded(line)
            lines += code
            for line in pops:
                lines += self._guarded(line)
        return lines

    def _flag_of(self, line: str) -> str | None:
        """The optional tensor a cb_wait_front/cb_pop_front line is about, if any."""
        cb = next((i for i in self.tensor_cb if f"({self.N[i]}," in line), None)
        return self.tensor_cb[cb] if cb is not None else None

    def _guarded(self, line: str) -> list[str]:
        """`line`, under the optional tensor's compile-time flag when its CB carries one."""
        flag = self._flag_of(line)
        return [f"if constexpr (has_{flag}) {{", "    " + line, "}"] if flag else [line]
