"""NumPy helpers for the compute tests: tile layout, bit views, and the SFPU's explicit bf16 rounding. The FPU's
numerics are modelled in ``wh_oracle.py``.

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


def bf16_rne(x) -> np.ndarray:
    """Round float32 to bf16, nearest-even (the SFPU's explicit conversion)."""
    u = bits(x).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return from_bits(u.astype(np.uint32))
