"""Host-side page layouts of DRAM tensors: row-major sticks and 32x32 tiles of four 16x16 faces."""

from __future__ import annotations

import numpy as np

TILE = 32
FACE = 16


def tilize(a: np.ndarray) -> np.ndarray:
    """(..., H, W) with H, W multiples of 32 -> (n_tiles, 1024) in tile row-major order, faces in order
    0 (rows 0-15, cols 0-15), 1 (rows 0-15, cols 16-31), 2, 3, each face row-major."""
    *batch, h, w = a.shape
    b = int(np.prod(batch)) if batch else 1
    x = a.reshape(b, h // TILE, 2, FACE, w // TILE, 2, FACE)
    # -> batch, tile_row, tile_col, face_row, face_col, r, c
    x = x.transpose(0, 1, 4, 2, 5, 3, 6)
    return np.ascontiguousarray(x).reshape(-1, TILE * TILE)


def untilize(tiles: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of :func:`tilize` for a padded shape (..., H, W)."""
    *batch, h, w = shape
    b = int(np.prod(batch)) if batch else 1
    x = tiles.reshape(b, h // TILE, w // TILE, 2, 2, FACE, FACE)
    x = x.transpose(0, 1, 3, 5, 2, 4, 6)
    return np.ascontiguousarray(x).reshape(shape)
