"""LayerNorm for decode-size launches: one row per program, its statistics from one reduction tree.

A few rows of a few thousand elements are latency-bound: the kernel's time is its chain of dependent
steps, not its bytes. The row-tile kernel's LayerNorm takes two block reductions in a row (the mean, then
the squared deviations from it), and each crosses the warps through shared memory behind a barrier.
Here the row is a [GROUPS, VEC] tile whose groups are one 16-byte load each, held by one thread: every
group's mean and sum of squared deviations (M2) come from its own registers, and one tree then merges
(mean, M2, count) triples by Chan et al.'s pairwise update,

    n = n_a + n_b,  d = mean_b - mean_a,  mean = mean_a + d * n_b / n,  M2 = M2_a + M2_b + d² * n_a * n_b / n,

which is as accurate as two passes (each group's deviations are taken from its own mean), in one trip
across the warps. Where the tree merges equal counts, as it does for a whole row, n_b / n is exactly 1/2.
"""

from __future__ import annotations

import triton
import triton.language as tl


@triton.jit
def _chan_merge(mean_a, m2_a, n_a, mean_b, m2_b, n_b):
    n = n_a + n_b
    # Empty groups (a row narrower than the tile) carry n = 0; the approximate division is exact for the
    # powers of two a whole row produces, and within two ulps of a weight otherwise.
    f = tl.where(n > 0, tl.fdiv(n_b, tl.maximum(n, 1.0)), 0.0)
    d = mean_b - mean_a
    return mean_a + d * f, m2_a + m2_b + d * d * n_a * f, n


@triton.jit
def layer_norm_row_kernel(
    x_ptr,
    w_ptr,
    b_ptr,
    y_ptr,
    n_cols,
    stride_x,
    stride_y,
    eps,
    HAS_W: tl.constexpr,
    HAS_B: tl.constexpr,
    BLOCK_N: tl.constexpr,
    VEC: tl.constexpr,
):
    row = tl.program_id(0).to(tl.int64)
    groups = tl.arange(0, BLOCK_N // VEC)
    cols = groups[:, None] * VEC + tl.arange(0, VEC)[None, :]
    mask = cols < n_cols
    # Weight and bias go out with x, so that their latency hides behind x's.
    x = tl.load(x_ptr + row * stride_x + cols, mask=mask, other=0.0).to(tl.float32)
    if HAS_W:
        w = tl.load(w_ptr + cols, mask=mask, other=0.0).to(tl.float32)
    if HAS_B:
        b = tl.load(b_ptr + cols, mask=mask, other=0.0).to(tl.float32)
    count = tl.sum(mask.to(tl.float32), axis=1)
    mean_g = tl.sum(x, axis=1) / tl.maximum(count, 1.0)
    xc = tl.where(mask, x - mean_g[:, None], 0.0)
    m2_g = tl.sum(xc * xc, axis=1)
    mean, m2, _ = tl.reduce((mean_g, m2_g, count), 0, _chan_merge)
    # The hardware reciprocal square root: a few fp32 ulps, far below one output rounding.
    rstd = tl.rsqrt(m2 / n_cols + eps)
    y = (x - mean) * rstd
    if HAS_W:
        y = y * w
    if HAS_B:
        y = y + b
    tl.store(y_ptr + row * stride_y + cols, y.to(y_ptr.dtype.element_ty), mask=mask)
