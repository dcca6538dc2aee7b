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

import re
from dataclasses import replace

from scaffolder.generate.phase_code import PRODUCT_OPS, SFPU_POST
from scaffolder.generate.program import (
    FINAL,
    ComputeProgram,
    Constant,
    Fp32Path,
    StreamPass,
    TensorTiles,
    Unmapped,
)
from scaffolder.generate.schedule import Emitter
from scaffolder.model import CircularBuffer, OpSpec

__all__ = [
    "FINAL",
    "ComputeProgram",
    "Constant",
    "Fp32Path",
    "StreamPass",
    "TensorTiles",
    "Unmapped",
    "build_program",
    "cb_names",
]


def _is_constant(cb: CircularBuffer) -> bool:
    return (
        cb.produced_by("reader")
        and re.search(
            r"scaler|eps|ones|const|neg_one|neg_half|tile of -1|tile of -0\.5",
            f"{cb.name} {cb.purpose}",
            re.IGNORECASE,
        )
        is not None
    )


def _constant(cb: CircularBuffer, scalars: list[str]) -> Constant:
    text = f"{cb.name} {cb.purpose}".lower()
    if re.search(r"neg_one|tile of -1\b", text):
        return Constant(cb.index, "fill", "-1.0")
    if re.search(r"neg_half|tile of -0\.5", text):
        return Constant(cb.index, "fill", "-0.5")
    if "scaler" in text or "ones" in text:
        value = (
            "1.0" if ("ones" in text or "1.0" in text) and "1/w" not in text.replace(" ", "") else "1.0 / W"
        )
        return Constant(cb.index, "reduce_scaler", value)
    eps = next((s for s in scalars if s.startswith("eps")), None)
    if eps is None:
        raise Unmapped(f"c_{cb.index} {cb.name}: constant tile with no scalar parameter to fill it")
    return Constant(cb.index, "scalar", eps)


def _scaler_value(cb: CircularBuffer, readers, default: str) -> str:
    """The reduce scaler's value: what the CB table says (1/W, 1.0, ones), else what its reductions compute:
    a mean weighs by 1/W, a sum or a maximum by 1."""
    own = f"{cb.name} {cb.purpose} {cb.producer}".lower().replace(" ", "")
    if re.search(r"1(\.0)?/w\b|1/n\b|ones|\b1\.0\b|\(1\)", own):
        return "1.0 / W" if re.search(r"1(\.0)?/w\b|1/n\b", own) else "1.0"
    if not readers:
        return default
    texts = [re.sub(r"\s+", "", p.text.lower()) for p in readers]
    if all(p.op == "max" for p in readers):
        return "1.0"
    if any(re.search(r"mean|avg|average|1/w", t) for t in texts):
        return "1.0 / W"
    if all(p.op == "sum" and re.search(r"sum", t) for p, t in zip(readers, texts)):
        return "1.0"
    return default


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
    full_cb: dict[int, str] = {}
    for t in spec.tensor_params[1:]:
        fed = [c for c in spec.cbs if c.produced_by("reader") and c.index != input_cb]
        if t.required and not re.search(r"gamma|beta|weight|bias|scale|shift", t.name, re.IGNORECASE):
            # Another input of x's shape: its tiles arrive row by row beside x's, read like x.
            cb = next((c for c in fed if c.name == f"cb_{t.name}"), None) or next(
                (c for c in fed if re.search(rf"\b{t.name}\b", f"{c.name} {c.purpose}".replace("_", " "))),
                None,
            )
            if cb is None:
                raise Unmapped(f"no reader-fed CB carries the second full-size input {t.name}")
            if spec.input_layouts != ["TILE"]:
                raise Unmapped(
                    f"a second full-size input ({t.name}) has a reader template for TILE layout only"
                )
            full_cb[cb.index] = t.name
            prog.full_tensors.append(TensorTiles(t.name, cb.index))
            continue
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
    _split_in_place(prog, spec, phases, output_cb)
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
        if p.kind == "binary" and p.op != "square" and re.search(r"(?<!of )\bsquare(_tile)?\b", p.text, re.I):
            # "Subtract mean, square": squaring the result in DEST is no post-op template; dropping it would
            # leave the mean of the centred values where the variance should be.
            raise Unmapped(f"phase {p.index} {p.name}: {p.op} then square in DEST has no template")
        if p.kind == "unary" and re.search(r"(?<![a-z_])eps|\+\s*\w|\badd\b", p.text, re.IGNORECASE):
            # "+eps, rsqrt" read as one unary op would drop the addition: not generated rather than wrong.
            raise Unmapped(f"phase {p.index} {p.name}: {p.text.strip()!r} is more than the unary {p.op}")
        if p.kind == "unary" and (p.op not in SFPU_POST or len(p.inputs) != 1):
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
    cbs = dict(cbs)
    for new, old in prog.generated.items():
        if old not in N or old not in cbs:
            raise Unmapped(f"in-place phase on c_{old}: c_{old} is not in the CB table")
        N[new] = next(n for n in (f"{N[old]}_next", f"{N[old]}_next_{new}") if n not in N.values())
        cbs[new] = replace(cbs[old], index=new, name=N[new], page_unit="tile")
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
    produced = {input_cb, *full_cb}
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
    # A row statistic as the output (REDUCE_ROW, and what is made of it): one tile per tile-row, [..., 1].
    for p in untilizes:
        if tiles.get(p.inputs[0]) == "1":
            tiles[p.output] = "1"  # 32 sticks one tile wide, the statistic in column 0
    prog.out_tiles = tiles.get(output_cb, "Wt")
    for c in consts.values():
        if c.kind == "reduce_scaler":
            readers = [p for p in phases if c.cb in p.inputs[1:] and p.kind == "reduce"]
            c.value = _scaler_value(cbs[c.cb], readers, c.value)
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
    declared = {c.index for c in spec.cbs} | set(prog.generated)
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

    emit = Emitter(prog, phases, tiles, consts, tensor_cb, switch, both)
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
        if full_cb:
            raise Unmapped("a second full-size input has no column-block reader template")
        if prog.generated:
            # The second version of an in-place CB has no column-block template yet (its passes are untested).
            raise Unmapped("in-place phases keep one resident tile-row")
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


def _split_in_place(prog: ComputeProgram, spec: OpSpec, phases, output_cb: int) -> None:
    """A phase that writes the CB it reads (`c_6 -> c_6`: var -> rsqrt(var + eps)) would reserve pages in a
    CB whose pages it still holds; its result goes to a CB of its own instead, with the format and size of
    the one it replaces, and later phases read that one. When the overwritten CB is the writer's, the earlier
    version moves instead, so the writer keeps its CB."""
    taken = {c.index for c in spec.cbs}
    free = [i for i in range(31, -1, -1) if i not in taken]
    for n, p in enumerate(phases):
        if p.output is None or p.output not in p.inputs or p.kind == "tilize":
            continue
        if not free:
            raise Unmapped(f"phase {p.index} {p.name}: in-place on c_{p.output} and no free CB index")
        x, fresh = p.output, free.pop(0)
        prog.generated[fresh] = x
        if x == output_cb:
            # The version written before this phase moves: its producers and readers up to this phase.
            start = max((k for k in range(n) if phases[k].output == x), default=None)
            if start is None:
                raise Unmapped(f"phase {p.index} {p.name}: reads c_{x} before any phase writes it")
            phases[start].output = fresh
            for q in phases[start + 1 : n + 1]:
                q.inputs = [fresh if i == x else i for i in q.inputs]
            continue
        p.output = fresh
        for q in phases[n + 1 :]:
            q.inputs = [fresh if i == x else i for i in q.inputs]
            if q.output == x:
                break  # a later write starts a new version of x


def _fp32_path(prog, spec, phases, consts, switch, input_cb, final_target) -> Fp32Path:
    """The float32 path of the resolved phases: which binary phases split their operands (with the tiles of
    -1 and +1 and the remainder CBs they need: the spec's own where it declares them, else generated ones),
    which values are rounded for the reduce that reads them, and which CBs unpack straight into DEST."""
    path = Fp32Path()
    N = prog.names
    path.exact = {p.index for p in phases if p.kind == "binary" and p.op in (*PRODUCT_OPS, "add", "sub")}
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
                if p.kind == "reduce" or (pos == 0 and p.op in PRODUCT_OPS):
                    bits.append(9)
                elif pos > 0 or p.kind not in ("binary", "copy", "unary"):
                    bits.append(10)
        c.src_bits = min(bits) if bits and c.kind != "fill" else None
    exact = [p for p in phases if p.index in path.exact]
    if not exact:
        return path
    free = [i for i in range(31, -1, -1) if i not in {c.index for c in spec.cbs} | set(prog.generated)]
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
    if any(p.op in PRODUCT_OPS and p.inputs[0] not in consts for p in exact):
        path.lo_a = remainder(r"\blo\b|_lo\b|remainder|low part", "cb_lo")
    if any(p.inputs[-1] not in consts for p in exact):
        path.lo_b = remainder(r"\blo_b\b|srcb remainder", "cb_lo_b")
    if path.lo_a is not None or path.lo_b is not None:
        path.neg_half = fill("-0.5", r"neg_half|tile of -0\.5", "cb_neg_half")
    return path
