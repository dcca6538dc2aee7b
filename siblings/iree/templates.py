"""MLIR for RMSNorm / LayerNorm in two input dialects, instantiated from a ``NormConfig``.

* linalg-on-tensors: ``linalg.generic`` reductions accumulating in f32, then one elementwise generic.
* StableHLO: ``stablehlo.reduce`` with an explicit ``stablehlo.add`` reducer region (no custom calls).

Every variant widens 16-bit inputs to f32, computes in f32 and truncates once at the end, the same
casting mode as the other siblings. Function signatures:
``rms_norm(x: BxN, w: N) -> BxN`` and ``layer_norm(x: BxN, w: N, b: N) -> BxN`` with B = ``?`` when the
configuration's batch is None.
"""

from __future__ import annotations

import struct

from siblings.iree.models import NormConfig


def _f32(v: float) -> str:
    """An exact f32 MLIR literal (hex bit pattern), so eps and 1/N are the values the oracle uses."""
    return f"0x{struct.unpack('<I', struct.pack('<f', v))[0]:08X}"


def _ext(t: str, v: str, out: str) -> str:
    return f"{out} = arith.extf {v} : {t} to f32" if t != "f32" else f"{out} = arith.addf {v}, %fzero : f32"


def _trunc(t: str, v: str, out: str) -> str:
    return f"{out} = arith.truncf {v} : f32 to {t}" if t != "f32" else f"{out} = arith.addf {v}, %fzero : f32"


def linalg_module(cfg: NormConfig) -> str:
    t, n = cfg.dtype, cfg.hidden
    b = "?" if cfg.batch is None else str(cfg.batch)
    xt, vt, rt = f"tensor<{b}x{n}x{t}>", f"tensor<{n}x{t}>", f"tensor<{b}xf32>"
    dyn = "%rows" if cfg.batch is None else ""
    rows = "%rows = tensor.dim %x, %c0 : " + xt if cfg.batch is None else ""
    ln = cfg.op == "layer_norm"
    args = f"%x: {xt}, %w: {vt}" + (f", %b: {vt}" if ln else "")
    red = (
        "{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], "
        'iterator_types = ["parallel", "reduction"]}'
    )
    red2 = (
        "{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, "
        'affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}'
    )
    lines = [
        "module {",
        f"  func.func @{cfg.func_name}({args}) -> {xt} {{",
        "    %c0 = arith.constant 0 : index",
        "    %fzero = arith.constant 0.0 : f32",
        f"    %inv_n = arith.constant {_f32(1.0 / n)} : f32",
        f"    %eps = arith.constant {_f32(cfg.eps)} : f32",
        f"    %offset = arith.constant {_f32(cfg.weight_offset)} : f32",
        f"    {rows}",
        f"    %acc0 = tensor.empty({dyn}) : {rt}",
        f"    %acc = linalg.fill ins(%fzero : f32) outs(%acc0 : {rt}) -> {rt}",
    ]
    if ln:
        lines += [
            f"    %sum = linalg.generic {red} ins(%x : {xt}) outs(%acc : {rt}) {{",
            f"    ^bb0(%in: {t}, %a: f32):",
            "      " + _ext(t, "%in", "%v"),
            "      %s = arith.addf %a, %v : f32",
            "      linalg.yield %s : f32",
            f"    }} -> {rt}",
            f"    %m2 = linalg.generic {red2} ins(%x, %sum : {xt}, {rt}) outs(%acc : {rt}) {{",
            f"    ^bb0(%in: {t}, %s: f32, %a: f32):",
            "      " + _ext(t, "%in", "%v"),
            "      %mean = arith.mulf %s, %inv_n : f32",
            "      %d = arith.subf %v, %mean : f32",
            "      %dd = arith.mulf %d, %d : f32",
            "      %r = arith.addf %a, %dd : f32",
            "      linalg.yield %r : f32",
            f"    }} -> {rt}",
        ]
    else:
        lines += [
            f"    %m2 = linalg.generic {red} ins(%x : {xt}) outs(%acc : {rt}) {{",
            f"    ^bb0(%in: {t}, %a: f32):",
            "      " + _ext(t, "%in", "%v"),
            "      %sq = arith.mulf %v, %v : f32",
            "      %s = arith.addf %a, %sq : f32",
            "      linalg.yield %s : f32",
            f"    }} -> {rt}",
        ]
    maps = [
        "affine_map<(d0, d1) -> (d0, d1)>",
        "affine_map<(d0, d1) -> (d0)>",
        "affine_map<(d0, d1) -> (d1)>",
    ]
    ins, tys, bb = ["%x", "%m2", "%w"], [xt, rt, vt], [f"%in: {t}", "%q: f32", f"%wi: {t}"]
    if ln:
        maps += ["affine_map<(d0, d1) -> (d0)>", "affine_map<(d0, d1) -> (d1)>"]
        ins += ["%sum", "%b"]
        tys += [rt, vt]
        bb += ["%s: f32", f"%bi: {t}"]
    maps.append("affine_map<(d0, d1) -> (d0, d1)>")
    lines += [
        f"    %out0 = tensor.empty({dyn}) : {xt}",
        (
            f"    %y = linalg.generic {{indexing_maps = [{', '.join(maps)}], "
            f'iterator_types = ["parallel", "parallel"]}}'
            f" ins({', '.join(ins)} : {', '.join(tys)}) outs(%out0 : {xt}) {{"
        ),
        f"    ^bb0({', '.join(bb)}, %o: {t}):",
        "      " + _ext(t, "%in", "%v"),
        "      " + _ext(t, "%wi", "%wv"),
        "      %var = arith.mulf %q, %inv_n : f32",
        "      %ve = arith.addf %var, %eps : f32",
        "      %rstd = math.rsqrt %ve : f32",
    ]
    if ln:
        lines += [
            "      %mean = arith.mulf %s, %inv_n : f32",
            "      %c = arith.subf %v, %mean : f32",
            "      %nv = arith.mulf %c, %rstd : f32",
            "      %sc = arith.mulf %nv, %wv : f32",
            "      " + _ext(t, "%bi", "%bv"),
            "      %yv = arith.addf %sc, %bv : f32",
        ]
    else:
        lines += [
            "      %nv = arith.mulf %v, %rstd : f32",
            "      %wo = arith.addf %wv, %offset : f32",
            "      %yv = arith.mulf %nv, %wo : f32",
        ]
    lines += [
        "      " + _trunc(t, "%yv", "%yt"),
        f"      linalg.yield %yt : {t}",
        f"    }} -> {xt}",
        f"    return %y : {xt}",
        "  }",
        "}",
    ]
    return "\n".join(line for line in lines if line.strip()) + "\n"


def stablehlo_module(cfg: NormConfig) -> str:
    t, n = cfg.dtype, cfg.hidden
    b = "?" if cfg.batch is None else str(cfg.batch)
    dynamic = cfg.batch is None
    xt, xf, vt, vf = f"tensor<{b}x{n}x{t}>", f"tensor<{b}x{n}xf32>", f"tensor<{n}x{t}>", f"tensor<{n}xf32>"
    rt = f"tensor<{b}xf32>"
    ln = cfg.op == "layer_norm"
    args = f"%x: {xt}, %w: {vt}" + (f", %b: {vt}" if ln else "")
    L = [f"  func.func @{cfg.func_name}({args}) -> {xt} {{"]

    def convert(src, src_t, dst_t, out):
        # f32 -> f32 converts are identities the compiler folds; emitting them keeps one code path.
        L.append(f"    {out} = stablehlo.convert {src} : ({src_t}) -> {dst_t}")

    def to_rows(name, out):
        """Broadcast a per-row (B) f32 tensor to BxN."""
        if dynamic:
            L.append(
                f'    {out} = "stablehlo.dynamic_broadcast_in_dim"({name}, %shape2) '
                "{broadcast_dimensions = array<i64: 0>, known_nonexpanding_dimensions = array<i64: 0>} : "
                f"({rt}, tensor<2xi32>) -> {xf}"
            )
        else:
            L.append(f"    {out} = stablehlo.broadcast_in_dim {name}, dims = [0] : ({rt}) -> {xf}")

    def to_cols(name, out):
        """Broadcast a per-column (N) f32 tensor to BxN."""
        if dynamic:
            L.append(
                f'    {out} = "stablehlo.dynamic_broadcast_in_dim"({name}, %shape2) '
                "{broadcast_dimensions = array<i64: 1>, known_nonexpanding_dimensions = array<i64: 0>} : "
                f"({vf}, tensor<2xi32>) -> {xf}"
            )
        else:
            L.append(f"    {out} = stablehlo.broadcast_in_dim {name}, dims = [1] : ({vf}) -> {xf}")

    def scalar_rows(value, out):
        """A per-row (B) tensor filled with an f32 constant."""
        L.append(f"    {out}_s = stablehlo.constant dense<{_f32(value)}> : tensor<f32>")
        if dynamic:
            L.append(
                f"    {out} = stablehlo.dynamic_broadcast_in_dim {out}_s, %shape1, dims = [] : "
                f"(tensor<f32>, tensor<1xi32>) -> {rt}"
            )
        else:
            L.append(f"    {out} = stablehlo.broadcast_in_dim {out}_s, dims = [] : (tensor<f32>) -> {rt}")

    def row_sum(src, out):
        L.extend(
            [
                f"    {out} = stablehlo.reduce({src} init: %zero) across dimensions = [1] : ({xf}, tensor<f32>) -> {rt}",
                "     reducer(%ra: tensor<f32>, %rb: tensor<f32>) {",
                "      %rs = stablehlo.add %ra, %rb : tensor<f32>",
                "      stablehlo.return %rs : tensor<f32>",
                "    }",
            ]
        )

    if dynamic:
        L += [
            f"    %d0 = stablehlo.get_dimension_size %x, dim = 0 : ({xt}) -> tensor<i32>",
            "    %shape1 = stablehlo.reshape %d0 : (tensor<i32>) -> tensor<1xi32>",
            f"    %ncols = stablehlo.constant dense<{n}> : tensor<1xi32>",
            "    %shape2 = stablehlo.concatenate %shape1, %ncols, dim = 0 : (tensor<1xi32>, tensor<1xi32>) -> tensor<2xi32>",
        ]
    L.append("    %zero = stablehlo.constant dense<0.0> : tensor<f32>")
    convert("%x", xt, xf, "%xf")
    convert("%w", vt, vf, "%wf")
    scalar_rows(1.0 / n, "%inv_n")
    scalar_rows(cfg.eps, "%eps")
    if ln:
        row_sum("%xf", "%sum")
        L.append(f"    %mean = stablehlo.multiply %sum, %inv_n : {rt}")
        to_rows("%mean", "%mean_b")
        L.append(f"    %xc = stablehlo.subtract %xf, %mean_b : {xf}")
        centred = "%xc"
    else:
        centred = "%xf"
    L.append(f"    %sq = stablehlo.multiply {centred}, {centred} : {xf}")
    row_sum("%sq", "%ss")
    L += [
        f"    %var = stablehlo.multiply %ss, %inv_n : {rt}",
        f"    %ve = stablehlo.add %var, %eps : {rt}",
        f"    %rstd = stablehlo.rsqrt %ve : {rt}",
    ]
    to_rows("%rstd", "%rstd_b")
    L.append(f"    %xn = stablehlo.multiply {centred}, %rstd_b : {xf}")
    if cfg.weight_offset:
        L += [
            f"    %off_s = stablehlo.constant dense<{_f32(cfg.weight_offset)}> : tensor<f32>",
            f"    %off = stablehlo.broadcast_in_dim %off_s, dims = [] : (tensor<f32>) -> {vf}",
            f"    %weff = stablehlo.add %wf, %off : {vf}",
        ]
        to_cols("%weff", "%w_b")
    else:
        to_cols("%wf", "%w_b")
    L.append(f"    %yw = stablehlo.multiply %xn, %w_b : {xf}")
    if ln:
        convert("%b", vt, vf, "%bf")
        to_cols("%bf", "%b_b")
        L.append(f"    %yf = stablehlo.add %yw, %b_b : {xf}")
    else:
        L.append(f"    %yf = stablehlo.convert %yw : ({xf}) -> {xf}")
    L += [f"    %y = stablehlo.convert %yf : ({xf}) -> {xt}", f"    return %y : {xt}", "  }"]
    return "module {\n" + "\n".join(L) + "\n}\n"


def instantiate(cfg: NormConfig, dialect: str = "linalg") -> str:
    """MLIR text of `cfg` in `dialect` ("linalg" or "stablehlo")."""
    if dialect == "linalg":
        return linalg_module(cfg)
    if dialect == "stablehlo":
        return stablehlo_module(cfg)
    raise ValueError(f"dialect must be 'linalg' or 'stablehlo', got {dialect!r}")
