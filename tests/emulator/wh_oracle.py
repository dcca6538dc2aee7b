"""Bit-exact model of Wormhole's FPU numerics, written from the hardware's documented behaviour (the rules
tenstorrent/ttsim implements for ELWADD/ELWMUL/MVMUL/GAPOOL/GMPOOL, the unpacker and the packer), in NumPy.

It is the reference the emulator's numerics tests take their expected bits from. Everything works on uint32
arrays of fp32 bit patterns and on 32×32 row-major tiles; the emulator's face order appears only in the tests.

The rules:

* Unpack. bf16 L1 data lands in SrcA/SrcB unchanged. fp32 L1 data becomes TF32 (low 13 mantissa bits dropped,
  denormals kept) when DEST is fp32, else bf16 (denormals → signed zero, low 16 bits dropped). No rounding.
* The FPU reads 19 bits of a Src datum: sign, 8-bit exponent, 10-bit mantissa (hidden bit 1). Exponent 0 is
  zero (the zero flag), exponent 255 an ordinary number.
* ELWADD/ELWSUB: the smaller magnitude's 11-bit significand is shifted to the larger one's exponent, rounded
  half up; a gap of 12 or more drops it. The sum keeps the larger operand's 11-bit grid.
* ELWMUL per fidelity phase p: A contributes its top 5 significand bits (p bit 0 clear) or the next 5 (set),
  B its top 7 (p bit 1 clear) or its low 4 (set); a product with biased exponent sum ≤ 0 is zero. Every phase
  accumulates into DEST and is rounded there.
* MVMUL/GAPOOL: 16 products per output and phase, in two groups of 8, each aligned to its group's largest
  exponent (rounded half up), summed exactly, then added to DEST.
* The DEST adder aligns the (up to two) terms and DEST to the largest exponent (terms round half towards +∞,
  DEST half up); a bf16 DEST rounds every aligned operand to 11 bits first; the sum is normalised and rounded
  half up to 24 bits (fp32) or 8 bits (bf16). Exponent ≤ 0 → +0, ≥ 255 → ±Inf. Wormhole's leading-sign counter
  miscounts a sum of exactly −1 unit.
* GMPOOL: maximum in sign-magnitude order (NaN above Inf), exponent-0 data as +0, fp32 DEST read at TF32.
* Datacopy: into a bf16 DEST the Src bits as they are (−0 and denormals kept); into an fp32 DEST an ELWADD
  with zero (−0 and denormals → +0, NaN → ±Inf).
* Pack to bf16: NaN → ±Inf, add 0x8000 and keep the top 16 bits, then anything below the smallest normal → +0.
  Pack to fp32: fp32 DEST as is; bf16 DEST via the bf16 rules, widened.
* Fast tilize: MOVA2D/MOVB2D move Src datums as they are (TF32 into a 32-bit DEST, bf16 bits into a 16-bit
  one), exponent 0 → +0 unless the Src zero flag is set; the packer reads DEST at 32 bits only for TF32 data.
"""

from __future__ import annotations

import numpy as np

U32 = np.uint32
I64 = np.int64

BF16, FP32 = "bf16", "fp32"
# Wormhole's −1 renormalisation defect (see dest_add): on, as in silicon and in the emulator's kernel runs.
MINUS_ONE_DEFECT = True
LOFI, HIFI2, HIFI3, HIFI4 = 0, 2, 3, 4


def phases(fidelity: int) -> list[int]:
    return list(range(1 if fidelity <= 1 else min(fidelity, 4)))


def bits(x) -> np.ndarray:
    return np.ascontiguousarray(x, np.float32).view(U32)


def floats(u) -> np.ndarray:
    return np.ascontiguousarray(u, U32).view(np.float32)


# ---- unpack ----------------------------------------------------------------------------------------------------
def unpack(u: np.ndarray, fmt: str, fp32_dest: bool) -> np.ndarray:
    u = np.asarray(u, U32)
    if fmt == BF16:
        return u & U32(0xFFFF0000)
    if fp32_dest:
        return u & U32(0xFFFFE000)
    u = np.where((u & U32(0x7FFFFFFF)) < 0x800000, u & U32(0x80000000), u)
    return u & U32(0xFFFF0000)


def _fields(u):
    """(sign, exponent, 11-bit significand, is-zero) of Src data as the FPU reads them."""
    u = np.asarray(u, U32).astype(I64)
    s = (u >> 31) & 1
    e = (u >> 23) & 0xFF
    m = ((u >> 13) & 0x3FF) | 0x400
    return s, e, m, e == 0


# ---- the DEST adder ---------------------------------------------------------------------------------------------
def dest_add(terms, dst, fp32_dest: bool) -> np.ndarray:
    """terms: list of (sign, exp, man) int64 arrays, man with its leading bit at 23 (or above)."""
    dst = np.asarray(dst, U32).astype(I64)
    ds = (dst >> 31) & 1
    de = (dst >> 23) & 0xFF
    dm = np.where(de > 0, (dst & 0x7FFFFF) | 0x800000, 0)
    top = de.copy()
    for _, e, _ in terms:
        top = np.maximum(top, e)
    top_safe = np.maximum(top, 1)

    def shift_to_top(m, e, half_bias):
        d = top_safe - e
        ok = (d > 0) & (d < 31)
        dd = np.where(ok, d, 1)
        shifted = (m + (I64(1) << (dd - 1)) - half_bias) >> dd
        return np.where(e >= top_safe, m, np.where(ok, shifted, 0))

    total = shift_to_top(dm, de, 0)
    if not fp32_dest:
        total = (total + 4096) & ~I64(0x1FFF)
    total = np.where(ds == 1, -total, total)
    for s, e, m in terms:
        m = shift_to_top(m, e, s)
        if not fp32_dest:
            m = (m + 4096 - s) & ~I64(0x1FFF)
        total = total + np.where(s == 1, -m, m)
    sign = (total < 0).astype(I64)
    mag = np.abs(total)
    nbits = np.frexp(mag.astype(np.float64))[1].astype(I64)  # exact: |sum| < 2**53
    lshift = 24 - nbits  # to put the leading 1 at bit 23
    if (
        MINUS_ONE_DEFECT
    ):  # a sum of exactly −1 unit reads as all ones in the leading-sign count: 27 places short
        lshift = np.where((sign == 1) & (mag == 1), lshift - 27, lshift)
    exp = top - lshift
    keep = 24 if fp32_dest else 8
    # the significand keeps `keep` bits: shift so the leading 1 sits at bit keep-1, rounding half up
    sh = lshift - (24 - keep)
    right = np.maximum(-sh, 1)
    rounded = np.where(sh < 0, (mag + (I64(1) << (right - 1))) >> right, mag << np.maximum(sh, 0))
    rounded = rounded << (24 - keep)
    exp = np.where((rounded >> 24) & 1 == 1, exp + 1, exp)
    out = (sign << 31) | (np.clip(exp, 0, 255) << 23) | (rounded & 0x7FFFFF)
    out = np.where(exp >= 255, (sign << 31) | (I64(255) << 23), out)
    out = np.where((exp <= 0) | (mag == 0) | (top <= 0), 0, out)
    return out.astype(U32)


# ---- element-wise -------------------------------------------------------------------------------------------------
def elwadd(a, b, dst, fp32_dest: bool, acc: bool = False, zero_b: bool = True) -> np.ndarray:
    """a + b (ELWSUB: flip b's sign first). zero_b=False: SrcB's zero flag off (data movement)."""
    *_, za = _fields(a)
    *_, zb = _fields(b)
    a19 = np.where(za, 0, (np.asarray(a, U32) >> 13).astype(I64))
    b19 = np.where(zb & zero_b, 0, (np.asarray(b, U32) >> 13).astype(I64))
    swap = (a19 & 0x3FFFF) < (b19 & 0x3FFFF)
    big, small = np.where(swap, b19, a19), np.where(swap, a19, b19)
    s_big, s_small = big >> 18, small >> 18
    e_big, e_small = (big >> 10) & 0xFF, (small >> 10) & 0xFF
    m_big = np.where(big != 0, (big & 0x3FF) | 0x400, 0)
    m_small = np.where(small != 0, (small & 0x3FF) | 0x400, 0)
    gap = e_big - e_small
    g = np.clip(gap, 1, 11)
    m_small = np.where(gap <= 0, m_small, np.where(gap < 12, (m_small + (I64(1) << (g - 1))) >> g, 0))
    man = np.where(s_big == s_small, m_big + m_small, m_big - m_small) << 13
    d = dst if acc else np.zeros(np.shape(a), U32)
    return dest_add([(s_big, e_big, man)], d, fp32_dest)


def _mul_parts(ma, mb, p):
    pa = ((ma >> 1) & 31) if p & 1 else (ma >> 6)
    pb = ((mb & 15) << 3) if p & 2 else (mb >> 4)
    return pa * pb, -127 - (5 if p & 1 else 0) - (7 if p & 2 else 0)


def elwmul_phase(a, b, dst, p: int, fp32_dest: bool) -> np.ndarray:
    sa, ea, ma, za = _fields(a)
    sb, eb, mb, zb = _fields(b)
    prod, adj = _mul_parts(ma, mb, p)
    e = ea + eb + adj
    zero = za | zb | (e <= 0)
    return dest_add(
        [(np.where(zero, 0, sa ^ sb), np.where(zero, 0, e), np.where(zero, 0, prod << 13))], dst, fp32_dest
    )


def elwmul(a, b, dst, fidelity: int, fp32_dest: bool) -> np.ndarray:
    d = np.asarray(dst, U32)
    for p in phases(fidelity):
        d = elwmul_phase(a, b, d, p, fp32_dest)
    return d


def broadcast_b(b: np.ndarray, bcast: str, row: int = 0) -> np.ndarray:
    """b as the FPU reads it for each output element of a 32×32 tile."""
    if bcast == "col":
        return np.repeat(b[:, :1], 32, axis=1)
    if bcast == "row":
        return np.repeat(b[row : row + 1, :], 32, axis=0)
    if bcast == "scalar":
        return np.full_like(b, b[0, 0])
    return b


def binary(
    op: str,
    a,
    b,
    *,
    fmt_a=BF16,
    fmt_b=BF16,
    fidelity=HIFI4,
    fp32_dest=False,
    bcast="none",
    row=0,
    dst=None,
    acc=False,
) -> np.ndarray:
    """add/sub/mul_tiles[_bcast]: 32×32 uint32 tiles of L1 bits in, DEST bits out."""
    a = unpack(a, fmt_a, fp32_dest)
    b = broadcast_b(unpack(b, fmt_b, fp32_dest), bcast, row)
    dst = np.zeros(a.shape, U32) if dst is None else np.asarray(dst, U32)
    if op == "mul":
        return elwmul(a, b, dst, fidelity, fp32_dest)
    if op == "sub":
        b = b ^ U32(0x80000000)
    return elwadd(a, b, dst, fp32_dest, acc=acc)


# ---- sums of products --------------------------------------------------------------------------------------------
def dot16(a, b, dst, p: int, fp32_dest: bool) -> np.ndarray:
    """DEST += Σ b[..., i]·a[..., i] over the last axis (16) for fidelity phase p."""
    sa, ea, ma, za = _fields(a)
    sb, eb, mb, zb = _fields(b)
    prod, adj = _mul_parts(ma, mb, p)
    zero = za | zb
    e = np.where(zero, 0, ea + eb + adj)
    prod = np.where(zero, 0, prod)
    s = np.where(zero, 0, sa ^ sb)
    terms = []
    for g in (slice(0, 8), slice(8, 16)):
        eg = e[..., g].max(axis=-1)
        d = np.minimum(eg[..., None] - e[..., g], 30)
        m = ((prod[..., g] << 1) + (I64(1) << d)) >> (d + 1)
        tot = np.where(s[..., g] == 1, -m, m).sum(axis=-1)
        live = eg > 0
        terms.append(
            (np.where(live & (tot < 0), 1, 0), np.where(live, eg, 0), np.where(live, np.abs(tot) << 13, 0))
        )
    return dest_add(terms, dst, fp32_dest)


def matmul(in0, in1, *, fmt=BF16, fidelity=HIFI4, fp32_dest=False, dst=None) -> np.ndarray:
    """matmul_tiles: DEST += in0 @ in1, phases outermost, inner faces 0 then 1, each rounding into DEST."""
    x = unpack(in0, fmt, fp32_dest)
    y = unpack(in1, fmt, fp32_dest)
    d = np.zeros((32, 32), U32) if dst is None else np.asarray(dst, U32).copy()
    for p in phases(fidelity):
        for k in (0, 16):
            bb = np.broadcast_to(x[:, None, k : k + 16], (32, 32, 16))  # row r of in0
            aa = np.broadcast_to(y[k : k + 16, :].T[None, :, :], (32, 32, 16))  # column c of in1
            d = dot16(aa, bb, d, p, fp32_dest)
    return d


# ---- reduce -----------------------------------------------------------------------------------------------------
EMPTY = 0xFFFFFFFF


def _order(u):
    u = np.asarray(u, U32).astype(I64)
    return np.where(u >> 31 == 1, -(u & 0x7FFFFFFF) - 1, u)


def gmpool(current, data, fp32_dest: bool):
    """Running max of `current` (shape S) and data (shape S + (n,)) in sign-magnitude order."""
    cur = np.asarray(current, U32)
    cur = np.where(cur == U32(EMPTY), cur, cur & U32(0xFFFFE000) if fp32_dest else cur)
    data = np.asarray(data, U32)
    data = np.where((data & U32(0x7F800000)) == 0, U32(0), data)
    cand = np.concatenate([cur[..., None], data], axis=-1)
    return np.take_along_axis(cand, _order(cand).argmax(axis=-1)[..., None], axis=-1)[..., 0].astype(U32)


def _through_srcb(u, fp32_dest):
    return np.asarray(u, U32) & U32(0xFFFFE000 if fp32_dest else 0xFFFF0000)


def reduce(
    pool: str, dim: str, data, scaler, *, fmt=BF16, fidelity=HIFI4, fp32_dest=False, dst=None, had=False
):
    """reduce_tile: pool sum/avg/max, dim row/col/scalar; scaler: the 32×32 scaler tile (bf16 bits).
    Returns the DEST tile (32×32) — only the reduced row/column/corner is meaningful."""
    x = unpack(data, fmt, fp32_dest)
    s = unpack(scaler, BF16, fp32_dest)
    d = np.zeros((32, 32), U32) if dst is None else np.asarray(dst, U32).copy()
    ph = phases(fidelity)
    if pool == "max":
        if dim == "col":
            cur = d[0, :] if had else np.full(32, EMPTY, U32)
            cur = gmpool(cur, x[0:16, :].T, fp32_dest)
            d[0, :] = gmpool(cur, x[16:32, :].T, fp32_dest)
        elif dim == "row":
            for fr in (0, 16):
                cur = d[fr, 0:16] if had else np.full(16, EMPTY, U32)
                cur = gmpool(cur, x[fr : fr + 16, 0:16], fp32_dest)
                cur = gmpool(cur, x[fr : fr + 16, 16:32], fp32_dest)
                moved = elwadd(
                    np.zeros(16, U32),
                    _through_srcb(cur, fp32_dest),
                    np.zeros(16, U32),
                    fp32_dest,
                    zero_b=False,
                )
                d[fr, 0:16] = moved
                d[fr : fr + 16, 0] = moved
        else:
            faces = [x[r : r + 16, c : c + 16] for r in (0, 16) for c in (0, 16)]
            col = np.full(16, EMPTY, U32)
            for f in faces:
                col = gmpool(col, f.T, fp32_dest)
            col = _through_srcb(col, fp32_dest)
            col = np.where((col & U32(0x7F800000)) == 0, U32(0), col)
            d[0, 0] = gmpool(d[0, 0] if had else U32(EMPTY), col, fp32_dest)
        return d

    def scl(fr, fc):  # row 0 of the scaler face
        return s[fr, fc : fc + 16]

    if dim == "row":  # DEST[:, 0] += data rows · scaler (data in SrcB)
        for p in ph:
            for fr in (0, 16):
                acc = d[fr : fr + 16, 0]
                for fc in (0, 16):
                    acc = dot16(
                        np.broadcast_to(scl(fr, fc), (16, 16)),
                        x[fr : fr + 16, fc : fc + 16],
                        acc,
                        p,
                        fp32_dest,
                    )
                d[fr : fr + 16, 0] = acc
    elif dim == "col":  # DEST[0, :] += scaler · data columns (data in SrcA); per face all phases
        for fr in (0, 16):
            for fc in (0, 16):
                acc = d[0, fc : fc + 16]
                a = x[fr : fr + 16, fc : fc + 16].T
                b = np.broadcast_to(scl(fr, fc), (16, 16))
                for p in ph:
                    acc = dot16(a, b, acc, p, fp32_dest)
                d[0, fc : fc + 16] = acc
    else:
        scratch = np.zeros(16, U32)
        for fr in (0, 16):
            for fc in (0, 16):
                a = x[fr : fr + 16, fc : fc + 16].T
                b = np.broadcast_to(scl(fr, fc), (16, 16))
                for p in ph:
                    scratch = dot16(a, b, scratch, p, fp32_dest)
        a = _through_srcb(scratch, fp32_dest)
        acc = d[0:1, 0]
        for p in ph:
            acc = dot16(a[None, :], s[0:1, 0:16], acc, p, fp32_dest)
        d[0, 0] = acc[0]
    return d


# ---- datacopy and pack ---------------------------------------------------------------------------------------------
def datacopy(u, fmt: str, fp32_dest: bool) -> np.ndarray:
    src = unpack(u, fmt, fp32_dest)
    if not fp32_dest:
        return src
    return elwadd(src, np.zeros_like(src), np.zeros_like(src), True)


def pack_bf16(dest) -> np.ndarray:
    u = np.asarray(dest, U32).astype(I64)
    u = np.where((u & 0x7FFFFFFF) > 0x7F800000, (u & 0x80000000) | 0x7F800000, u)
    h = ((u + 0x8000) >> 16) & 0xFFFF
    return np.where((h & 0x7FFF) < 0x80, 0, h).astype(np.uint16)


def pack_fp32(dest, fp32_dest: bool) -> np.ndarray:
    u = np.asarray(dest, U32)
    if fp32_dest:
        return u
    h = (u >> 16).astype(I64)
    h = np.where((h & 0x7FFF) > 0x7F80, (h & 0x8000) | 0x7F80, np.where((h & 0x7FFF) < 0x80, 0, h))
    return (h << 16).astype(U32)


def fast_tilize(u, fmt: str, fp32_dest: bool, out_fmt: str, keep_zero: bool = False) -> np.ndarray:
    """Fast tilize of each datum (the tile/face placement is the layout's): unpacked into SrcA/SrcB (fp32 data as
    TF32 with an fp32 DEST, else bf16), moved by MOVA2D/MOVB2D, which write the 19-bit Src datum to a 32-bit DEST
    for TF32 data and its bf16 bits to a 16-bit DEST otherwise (whatever DST_ACCUM_MODE says), turning an
    exponent-0 datum into +0 unless the Src zero flag is set (copy_init sets it; hw_configure, reconfig and the
    FPU inits clear it), then packed from DEST read at 32 bits only for TF32 data."""
    tf32 = fmt == FP32 and fp32_dest
    src = unpack(u, fmt, fp32_dest)
    if not keep_zero:
        src = np.where((src & U32(0x7F800000)) == 0, U32(0), src)
    dest = src if tf32 else src & U32(0xFFFF0000)
    if out_fmt == BF16:
        return pack_bf16(dest).astype(U32) << 16
    return pack_fp32(dest, tf32)


def transpose_wh(u, fmt: str, fp32_dest: bool) -> np.ndarray:
    """transpose_wh_tile: fp32 data into an fp32 DEST is unpacked straight to DEST and transposed there (all 32
    bits kept); anything else is unpacked transposed into SrcA, then a datacopy."""
    t = np.asarray(u, U32).T.copy()
    if fmt == FP32 and fp32_dest:
        return t
    return datacopy(t, fmt, fp32_dest)
