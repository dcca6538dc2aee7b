"""NumPy oracles for the Tensix compute numerics, written from the ISA facts (tensix-semantics §2.5–§2.10),
independently of the emulator's C++.

Conventions: a tile is a (32, 32) array in logical (row, column) order; ``tilize`` gives the 1024 values in
storage (face) order. Float values travel as float32/float64 arrays; bit patterns as uint32/uint16.
"""

from __future__ import annotations

import numpy as np


# ---- tiles and faces ----------------------------------------------------------------------------------------
def tilize(rows: np.ndarray) -> np.ndarray:
    """(32, 32·n) row-major strip → (n, 1024) tiles: four 16×16 faces (top-left, top-right, bottom-left,
    bottom-right), each row-major."""
    n = rows.shape[1] // 32
    t = rows.reshape(2, 16, n, 2, 16)  # (face row, row in face, tile, face col, col in face)
    return t.transpose(2, 0, 3, 1, 4).reshape(n, 1024)


def untilize(tiles: np.ndarray) -> np.ndarray:
    """Inverse of :func:`tilize`."""
    n = tiles.shape[0]
    t = tiles.reshape(n, 2, 2, 16, 16)  # (tile, face row, face col, row, col)
    return t.transpose(1, 3, 0, 2, 4).reshape(32, 32 * n)


def scaler_tile(value: float) -> np.ndarray:
    """The reduce scaler tile in logical order: zero except row 0 of each of the four faces."""
    t = np.zeros((32, 32), np.float32)
    t[0, :] = value
    t[16, :] = value
    return t


# ---- bit-level conversions ----------------------------------------------------------------------------------
def bits(x) -> np.ndarray:
    return np.asarray(x, np.float32).view(np.uint32)


def from_bits(u) -> np.ndarray:
    return np.asarray(u, np.uint32).view(np.float32)


def bf16_truncate(x) -> np.ndarray:
    """Keep the top 16 bits (SFPU store into a 16-bit DEST; host scaler generators)."""
    return from_bits(bits(x) & np.uint32(0xFFFF0000))


def to_src(x, fp32_dest: bool = True) -> np.ndarray:
    """Unpack to SrcA/SrcB: float32 data becomes TF32 (10 mantissa bits) with an fp32 DEST and bf16 (7 bits)
    with a 16-bit DEST, by truncation; denormals become signed zeros."""
    u = bits(x)
    out = u & np.uint32(0xFFFFE000 if fp32_dest else 0xFFFF0000)
    denorm = (u & np.uint32(0x7F800000)) == 0
    return from_bits(np.where(denorm, u & np.uint32(0x80000000), out))


def bf16_ties_away(v) -> np.ndarray:
    """Round exact values (float64) to bf16, ties away from zero, as an FPU op writes a 16-bit DEST."""
    v = np.asarray(v, np.float64)
    mag = np.abs(v)
    _, e = np.frexp(mag)  # mag = m · 2^e with m in [0.5, 1): the leading bit is worth 2^(e-1)
    ulp = np.ldexp(1.0, e - 8)
    r = np.floor(mag / ulp + 0.5) * ulp
    r = np.where(mag < 2.0**-126, 0.0, r)
    r = np.where(r >= 2.0**128, np.inf, r)
    return (np.sign(v) * r).astype(np.float32)


def bf16_rne(x) -> np.ndarray:
    """Round float32 to bf16, nearest-even (the SFPU's explicit conversion)."""
    u = bits(x).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return from_bits(u.astype(np.uint32))


def pack_bf16_bits(x) -> np.ndarray:
    """The packer's float32 → bf16 bits: ties away from zero on the magnitude, denormals and −0 → +0,
    NaN → ±Inf."""
    u = bits(x)
    sign = (u >> 16) & np.uint32(0x8000)
    mag = u & np.uint32(0x7FFFFFFF)
    out = sign | ((mag + np.uint32(0x8000)) >> 16)
    out = np.where(mag > 0x7F800000, sign | 0x7F80, out)
    out = np.where((mag & np.uint32(0x7F800000)) == 0, 0, out)
    return out.astype(np.uint16)


# ---- FPU multiplier --------------------------------------------------------------------------------------------
def fidelity_product(a, b, fidelity: int) -> np.ndarray:
    """Exact (float64) sum of the multiplier's partial products for Src operands a (SrcA) and b (SrcB).

    SrcA splits into its hidden bit + top 4 mantissa bits and the next 5 bits (the last TF32 bit is dropped);
    SrcB into hidden bit + 6 bits and the next 4. Phase p multiplies A-high/low (bit 0 of p) with B-high/low
    (bit 1 of p); LoFi runs phase 0, HiFi2 phases 0–1, HiFi3 0–2, HiFi4 all four.
    """
    ua, ub = bits(a), bits(b)
    a_hi = from_bits(ua & np.uint32(0xFFF80000)).astype(np.float64)
    a_lo = from_bits(ua & np.uint32(0xFFFFC000)).astype(np.float64) - a_hi
    b_hi = from_bits(ub & np.uint32(0xFFFE0000)).astype(np.float64)
    b_lo = from_bits(ub & np.uint32(0xFFFFE000)).astype(np.float64) - b_hi
    parts = [a_hi * b_hi, a_lo * b_hi, a_hi * b_lo, a_lo * b_lo]
    n = {0: 1, 2: 2, 3: 3, 4: 4}[fidelity]
    return sum(parts[:n])


def broadcast_b(b: np.ndarray, kind: str) -> np.ndarray:
    """Operand B as the FPU sees it after a SrcB broadcast (logical (32, 32) tiles)."""
    if kind == "col":
        return np.repeat(b[:, :1], 32, axis=1)
    if kind == "row":
        return np.repeat(b[:1, :], 32, axis=0)
    if kind == "scalar":
        return np.full_like(b, b[0, 0])
    return b
