"""Phase templates: turn a spec's compute phases into raw-API compute code for one resident tile-row.

Every tile CB a phase touches holds one tile-row (Wt tiles, or 1 tile for reduce outputs and constants),
so each CB is waited for once per row and popped after its last use before it is produced again; the
waits and pops stay in balance by construction. Phases outside the template library (in-place SFPU,
optional affine steps, column reduces, ...) leave the kernel as a data path with the plan in comments.
"""

from __future__ import annotations

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


@dataclass
class TensorTiles:
    """An optional tensor (gamma, beta) the reader writes once as Row0 tiles: its row 0 spread over Wt tiles."""

    tensor: str
    cb: int


@dataclass
class ComputeProgram:
    setup: list[str] = field(default_factory=list)  # before the row loop
    body: list[str] = field(default_factory=list)  # per tile-row
    teardown: list[str] = field(default_factory=list)  # after the loop
    constants: list[Constant] = field(default_factory=list)
    tensor_tiles: list[TensorTiles] = field(default_factory=list)
    row_tiles: dict[int, str] = field(default_factory=dict)  # CB -> "Wt" | "1": pages the program needs
    includes: set[str] = field(default_factory=set)
    names: dict[int, str] = field(default_factory=dict)  # CB index -> C++ constant name
    unpack_fp32: list[int] = field(default_factory=list)  # CBs copied into DEST exactly (UnpackToDestFp32)
    datacopy: list[int] = field(default_factory=list)  # CBs only tilized, untilized or copied: exact for fp32
    decls: list[str] = field(default_factory=list)  # extra constants (layout-dependent CBs)


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


def _tile_loop(N, a, b, out, init: str, call: str, n_out: str, post: str | None) -> list[str]:
    """One op over a tile-row: init once, then per tile acquire, op, optional SFPU post-op, pack, push."""
    lines = [f"reconfig_data_format({N[a]}, {N[b]});", f"pack_reconfig_data_format({N[out]});", init]
    if post:
        lines.append(f"{post}_tile_init();")
    inner = [f"cb_reserve_back({N[out]}, 1);", "tile_regs_acquire();", call]
    if post:
        inner.append(f"{post}_tile(0);")
    inner += [
        "tile_regs_commit();",
        "tile_regs_wait();",
        f"pack_tile(0, {N[out]});",
        "tile_regs_release();",
        f"cb_push_back({N[out]}, 1);",
    ]
    if n_out == "1":
        return lines + inner
    return [*lines, "for (uint32_t t = 0; t < Wt; ++t) {", *["    " + x for x in inner], "}"]


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


def _sub_exact(N, p, consts, out: int) -> list[str]:
    """out = a - b exactly: (a - b as SrcB reads it) + (-1) * b_lo, both accumulated in DEST per tile."""
    neg = next((i for i in p.inputs if i in consts and consts[i].kind == "fill"), None)
    if neg is None:
        raise Unmapped(f"phase {p.index} {p.name}: exact centring without a tile of -1")
    a, b, lo = [i for i in p.inputs if i != neg]
    suffix = _BCAST_SUFFIX.get(p.broadcast, "cols")
    return [
        f"pack_reconfig_data_format({N[out]});",
        "for (uint32_t t = 0; t < Wt; ++t) {",
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


def build_program(spec: OpSpec, input_cb: int, output_cb: int, scalars: list[str]) -> ComputeProgram:
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
        prog.setup.append(f"if constexpr (has_{tt.tensor}) {{")
        prog.setup.append(
            f"    cb_wait_front({N[tt.cb]}, Wt);  // {tt.tensor} as Row0 tiles, written once by the reader"
        )
        prog.setup.append("}")
        prog.teardown.append(f"if constexpr (has_{tt.tensor}) {{")
        prog.teardown.append(f"    cb_pop_front({N[tt.cb]}, Wt);")
        prog.teardown.append("}")
    for c in prog.constants:
        prog.setup.append(f"cb_wait_front({N[c.cb]}, 1);  // written once by the reader")
        prog.teardown.append(f"cb_pop_front({N[c.cb]}, 1);")

    def last_use(cb: int, start: int) -> bool:
        """True when phase `start` is the last reader of cb before cb is produced again (or the row ends)."""
        for q in phases[start + 1 :]:
            if cb in q.inputs:
                return False
            if q.output == cb:
                return True
        return True

    waited: set[int] = set()
    body = prog.body
    for n, p in enumerate(phases):
        body.append(
            f"// Phase {p.index}: {p.name} ({p.kind}{' ' + p.op if p.op and p.op != p.kind else ''}"
            f"{', ' + p.broadcast + ' broadcast' if p.broadcast != 'NONE' else ''})"
        )
        ins, out = p.inputs, p.output
        if p.kind == "tilize":
            call = f"tilize_row<Wt>({N[ins[0]]}, in_pages, {N[out]});"
            body += ["if constexpr (rm_in) {", "    " + call, "}"] if both else [call]
            prog.includes.add("tilize")
            continue
        if p.kind == "untilize":
            if ins[0] in waited:
                raise Unmapped(f"phase {p.index} {p.name}: untilize of a CB that later phases still read")
            call = f"untilize_row<Wt, block>({N[ins[0]]}, {N[out]}, out_pages);"
            body += ["if constexpr (rm_out) {", "    " + call, "}"] if both else [call]
            prog.includes.add("untilize")
            continue
        for i in dict.fromkeys(ins):
            if i not in waited and i not in consts and i not in tensor_cb:
                body.append(f"cb_wait_front({N[i]}, {tiles[i]});")
                waited.add(i)
        a = ins[0]
        b = ins[1] if len(ins) > 1 else ins[0]
        n_out = tiles[out]
        post = next((s for s in _SFPU_POST if re.search(rf"\b{s}", p.text.lower())), None)
        if p.kind == "remainder":
            body += _remainder(N, p, consts, out)
            prog.unpack_fp32.append(_split_constant(N, p, consts)[1])
            prog.includes.add("binary")
        elif p.op == "sub_exact":
            body += _sub_exact(N, p, consts, out)
            prog.includes.update(("binary", "bcast"))
        elif p.kind == "reduce":
            scaler = next((i for i in ins[1:] if i in consts), None)
            if scaler is None:
                raise Unmapped(f"phase {p.index} {p.name}: reduce without a scaler CB")
            pool = {"sum": "SUM", "avg": "SUM", "max": "MAX"}[p.op or "sum"]
            body += [
                # REDUCE_ROW swaps operands: the scaler goes to SrcA and the data to SrcB.
                f"reconfig_data_format({N[scaler]}, {N[a]});",
                f"pack_reconfig_data_format({N[out]});",
                f"reduce_init<PoolType::{pool}, ReduceDim::REDUCE_ROW>({N[a]}, {N[scaler]}, {N[out]});",
                f"cb_reserve_back({N[out]}, 1);",
                "tile_regs_acquire();",
                "for (uint32_t t = 0; t < Wt; ++t) {",
                f"    reduce_tile<PoolType::{pool}, ReduceDim::REDUCE_ROW>({N[a]}, {N[scaler]}, t, 0, 0);",
                "}",
                "tile_regs_commit();",
                "tile_regs_wait();",
                f"pack_tile(0, {N[out]});",
                "tile_regs_release();",
                "reduce_uninit();",
                f"cb_push_back({N[out]}, 1);",
            ]
            prog.includes.add("reduce")
        else:
            a_idx = "0" if tiles.get(a) == "1" else "t"
            if p.kind == "unary":
                # The value copied into DEST, then the SFPU op in place (post below).
                post = p.op
                lines = _tile_loop(
                    N, a, a, out, f"copy_init({N[a]});", f"copy_tile({N[a]}, {a_idx}, 0);", n_out, post
                )
            elif p.kind == "copy":
                lines = _tile_loop(
                    N, a, a, out, f"copy_init({N[a]});", f"copy_tile({N[a]}, {a_idx}, 0);", n_out, post
                )
            else:
                op = "mul" if p.op == "square" else p.op
                bcast = "NONE" if p.op == "square" else p.broadcast
                b_idx = "0" if bcast in ("COL", "SCALAR") or tiles.get(b) == "1" else "t"
                if bcast == "NONE":
                    init = f"{op}_init({N[a]}, {N[b]});"
                    call = f"{op}_tiles({N[a]}, {N[b]}, {a_idx}, {b_idx}, 0);"
                else:
                    suffix = _BCAST_SUFFIX[bcast]
                    init = f"{op}_bcast_{suffix}_init({N[a]}, {N[b]});"
                    call = f"{op}_tiles_bcast_{suffix}({N[a]}, {N[b]}, {a_idx}, {b_idx}, 0);"
                    prog.includes.add("bcast")
                prog.includes.add("binary")
                lines = _tile_loop(N, a, b, out, init, call, n_out, post)
            if post:
                prog.includes.add(post)
            if p.index in switch:
                # Without the tensor the step is an identity: copy keeps the CB routing the same.
                bypass = _tile_loop(
                    N, a, a, out, f"copy_init({N[a]});", f"copy_tile({N[a]}, {a_idx}, 0);", n_out, None
                )
                body.append(f"if constexpr (has_{switch[p.index]}) {{")
                body += ["    " + line for line in lines]
                body.append("} else {")
                body += ["    " + line for line in bypass]
                body.append("}")
            else:
                body += lines
        for i in dict.fromkeys(ins):
            if i in consts or i in tensor_cb or i not in waited:
                continue
            if last_use(i, n):
                body.append(f"cb_pop_front({N[i]}, {tiles[i]});")
                waited.discard(i)
    if waited:
        raise Unmapped(
            f"CB(s) {', '.join(f'c_{i}' for i in sorted(waited))} are still held at the end of a row"
        )
    readers: dict[int, set[str]] = {}
    for p in phases:
        for i in p.inputs:
            readers.setdefault(i, set()).add(p.kind)
    prog.datacopy = sorted(
        i for i, kinds in readers.items() if i >= 0 and kinds <= {"tilize", "untilize", "copy"}
    )
    return prog
