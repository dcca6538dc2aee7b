"""C++ lines of single phases (an op over a row or block of tiles, the float32 path's exact-operand forms,
the remainder and exact-centring steps) shared by both schedules of a generated compute kernel."""

from __future__ import annotations

from scaffolder.generate.program import Fp32Path, Unmapped
from scaffolder.generate.sfpu import SFPU_NAMES, api_name

SFPU_POST = SFPU_NAMES
BCAST_SUFFIX = {"COL": "cols", "ROW": "rows", "SCALAR": "scalar"}
PRODUCT_OPS = ("mul", "square")  # binary ops the FPU computes as products


ROUND_FOR_SRCB = [
    "if constexpr (is_fp32) {",
    "    round_for_srcb(0);  // a reduce reads this value through SrcB",
    "}",
]


def tile_loop(
    N, a, b, out, init: str, call: str, n_out: str, post: str | None, round_src: bool = False
) -> list[str]:
    """One op over `n_out` tiles (Wt, block or 1): init once, then per tile acquire, op, optional SFPU post-op,
    the float32 path's rounding for a reduce that reads the result, pack, push."""
    lines = [f"reconfig_data_format({N[a]}, {N[b]});", f"pack_reconfig_data_format({N[out]});", init]
    post_init_per_tile = post and round_src and n_out != "1"  # the rounding's own SFPU init replaces it
    if post and not post_init_per_tile:
        lines.append(f"{api_name(post)}_tile_init();")
    inner = [f"cb_reserve_back({N[out]}, 1);", "tile_regs_acquire();", call]
    if post_init_per_tile:
        inner.append(f"{api_name(post)}_tile_init();")
    if post:
        inner.append(f"{api_name(post)}_tile(0);")
    if round_src:
        inner += ROUND_FOR_SRCB
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


def exact_binary(
    N, p, fp32: Fp32Path, consts, ops, n_out: str, post: str | None, round_src: bool
) -> list[str]:
    """The float32 path of a binary phase over `n_out` tiles, its fp32 operands split (`ops`: a, b and their
    tile indices; constants are exact already). A product accumulates a * b + lo_a * b + a * lo_b in DEST
    (lo_a * lo_b is below fp32 precision); an add/sub copies a into DEST and accumulates (+-1) * b and
    (+-1) * lo_b."""
    a, b, a_idx, b_idx = ops
    out = p.output
    product = p.op in PRODUCT_OPS
    bcast = "NONE" if p.op == "square" else p.broadcast
    suffix = BCAST_SUFFIX.get(bcast)

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
    lines = [f"split_srcb({N[b]}, 0, {N[fp32.neg_half]}, {N[fp32.lo_b]});"] if b_once else []
    inner = []
    if split_a:
        inner.append(f"split_srca({N[a]}, {a_idx}, {N[fp32.neg_half]}, {N[fp32.lo_a]});")
    if split_b and not b_once:
        inner.append(f"split_srcb({N[b]}, {b_idx}, {N[fp32.neg_half]}, {N[fp32.lo_b]});")
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
        inner += [f"{api_name(post)}_tile_init();", f"{api_name(post)}_tile(0);"]
    if round_src:
        inner.append("round_for_srcb(0);  // a reduce reads this value through SrcB")
    inner += [*pack_one(N, out), f"cb_push_back({N[out]}, 1);"]
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


def fp32_branch(exact: list[str], plain: list[str]) -> list[str]:
    return [
        "if constexpr (is_fp32) {",
        *["    " + x for x in exact],
        "} else {",
        *["    " + x for x in plain],
        "}",
    ]


def split_constant(N, p, consts) -> tuple[int, int]:
    """(the -1 or -0.5 constant, the other input) of a remainder phase."""
    c = next((i for i in p.inputs if i in consts and consts[i].kind == "fill"), None)
    if c is None:
        raise Unmapped(f"phase {p.index} {p.name}: no tile of -1 among its inputs")
    return c, next(i for i in p.inputs if i != c)


def pack_one(N, out: int) -> list[str]:
    return ["tile_regs_commit();", "tile_regs_wait();", f"pack_tile(0, {N[out]});", "tile_regs_release();"]


def remainder_lines(N, p, consts, out: int) -> list[str]:
    """out = v - (v as SrcB reads it): v copied into the fp32 DEST exactly (UnpackToDestFp32), then ELWMUL
    accumulates (-1) * v through SrcB, which keeps only the high mantissa bits; with a tile of -0.5, twice
    (no DEST sum is then exactly -1 unit, which Wormhole's DEST adder renormalises 27 places short)."""
    neg, v = split_constant(N, p, consts)
    passes = 2 if consts[neg].value == "-0.5" else 1
    return [
        f"reconfig_data_format_srca({N[v]});",
        f"pack_reconfig_data_format({N[out]});",
        f"copy_init({N[v]});",
        f"cb_reserve_back({N[out]}, 1);",
        "tile_regs_acquire();",
        f"copy_tile({N[v]}, 0, 0);",
        f"reconfig_data_format({N[neg]}, {N[v]});",
        f"mul_init({N[neg]}, {N[v]}, false);",
        *[f"mul_tiles({N[neg]}, {N[v]}, 0, 0, 0);"] * passes,
        *pack_one(N, out),
        f"cb_push_back({N[out]}, 1);",
    ]


def sub_exact_lines(N, p, consts, out: int, width: str) -> list[str]:
    """out = a - b exactly over `width` tiles: (a - b as SrcB reads it) + (-1) * b_lo, both accumulated in
    DEST per tile."""
    neg = next((i for i in p.inputs if i in consts and consts[i].kind == "fill"), None)
    if neg is None:
        raise Unmapped(f"phase {p.index} {p.name}: exact centring without a tile of -1")
    a, b, lo = [i for i in p.inputs if i != neg]
    suffix = BCAST_SUFFIX.get(p.broadcast, "cols")
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
        *["    " + x for x in pack_one(N, out)],
        f"    cb_push_back({N[out]}, 1);",
        "}",
    ]
