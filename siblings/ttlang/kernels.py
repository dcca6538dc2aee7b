"""RMSNorm and LayerNorm as TT-Lang operations.

Each operation is one reader, one compute and one writer kernel on every node of the grid. The input is
a 2-D tiled tensor (rows, W); its tile-rows are split across the nodes in contiguous runs
(``ceil(tile_rows / nodes)`` each, trailing nodes get fewer or none), and each node streams its rows
through dataflow buffers in blocks of ``block_tiles(W // 32)`` tiles, the way the C++ kernels stream a
row that does not fit L1: one pass over x per row reduction plus an output pass, x and gamma/beta read
again block by block, the row statistics held in a one-tile buffer between passes.

Row reductions use ``ttl.math.reduce_sum`` over the block's tile columns (the result lands in column 0
of the statistics tile) and come back to block width with ``ttl.block.broadcast`` along the last
dimension; gamma and beta are (1, W) tensors whose data sit in row 0 of each tile and are broadcast
along the first. The statistics buffers are float32 (they are made like the float32 ``stats`` tensor),
as the C++ kernels accumulate in fp32 DEST.

The source is what the TT-Lang compiler takes (``import ttl``); it is loaded only in the simulator's
worker process (``siblings.ttlang.worker``), where ``ttl`` is the simulator's, as under the
``tt-lang-sim`` launcher.
"""

from __future__ import annotations

import ttl

TILE = 32
# Tiles per block: 8 bf16 tiles fill DEST in half-sync mode, the unit the C++ kernels stream in.
MAX_BLOCK_TILES = 8


def block_tiles(width_tiles: int, limit: int = MAX_BLOCK_TILES) -> int:
    """The widest block (in tiles, at most `limit`) that divides the row's tile count."""
    return max(d for d in range(1, min(width_tiles, limit) + 1) if width_tiles % d == 0)


def rms_norm_operation(eps: float):
    """y = x * rsqrt(mean(x^2) + eps) [* gamma]; call as op(x, gamma_or_None, stats, y)."""

    @ttl.operation(grid="full")
    def rms_norm(x, gamma, stats, y):
        tile_rows = x.shape[0] // TILE
        width_tiles = x.shape[1] // TILE
        bw = block_tiles(width_tiles)
        blocks = width_tiles // bw
        rows_per_node = -(-tile_rows // ttl.grid_size(dims=1))
        inv_width = 1.0 / x.shape[1]

        x_dfb = ttl.make_dataflow_buffer_like(x, shape=(1, bw), block_count=2)
        g_dfb = None if gamma is None else ttl.make_dataflow_buffer_like(gamma, shape=(1, bw), block_count=2)
        acc_dfb = ttl.make_dataflow_buffer_like(stats, shape=(1, 1), block_count=2)
        rstd_dfb = ttl.make_dataflow_buffer_like(stats, shape=(1, 1), block_count=1)
        y_dfb = ttl.make_dataflow_buffer_like(y, shape=(1, bw), block_count=2)

        @ttl.compute()
        def compute():
            first = ttl.node(dims=1) * rows_per_node  # this node's run of tile-rows
            for _ in range(first, min(first + rows_per_node, tile_rows)):
                # Pass 1: sum of squares over the row, accumulated block by block in fp32.
                with acc_dfb.reserve() as acc:
                    acc.store(ttl.block.fill(0.0, shape=(1, 1)))
                for _ in range(blocks):
                    with x_dfb.wait() as xb, acc_dfb.wait() as prev, acc_dfb.reserve() as acc:
                        acc.store(prev + ttl.math.reduce_sum(xb * xb, dims=[-1], shape=(1, 1)))
                with acc_dfb.wait() as total, rstd_dfb.reserve() as rstd:
                    mean_sq = total * ttl.block.fill(inv_width, shape=(1, 1))
                    rstd.store(ttl.math.rsqrt(mean_sq + ttl.block.fill(eps, shape=(1, 1))))
                # Pass 2: scale each block of x by the row's rstd (and gamma).
                with rstd_dfb.wait() as rstd:
                    rstd_b = ttl.block.broadcast(rstd, dims=[-1], shape=(1, bw))
                    for _ in range(blocks):
                        if g_dfb is None:
                            with x_dfb.wait() as xb, y_dfb.reserve() as yb:
                                yb.store(xb * rstd_b)
                        else:
                            with x_dfb.wait() as xb, g_dfb.wait() as gb, y_dfb.reserve() as yb:
                                yb.store(xb * rstd_b * ttl.block.broadcast(gb, dims=[0], shape=(1, bw)))

        @ttl.datamovement()
        def reader():
            first = ttl.node(dims=1) * rows_per_node
            for r in range(first, min(first + rows_per_node, tile_rows)):
                for c in range(blocks):
                    with x_dfb.reserve() as xb:
                        ttl.copy(x[r : r + 1, c * bw : (c + 1) * bw], xb).wait()
                for c in range(blocks):
                    cols = slice(c * bw, (c + 1) * bw)
                    with x_dfb.reserve() as xb:
                        tx = ttl.copy(x[r : r + 1, cols], xb)
                        if g_dfb is not None:
                            with g_dfb.reserve() as gb:
                                ttl.copy(gamma[0:1, cols], gb).wait()
                        tx.wait()

        @ttl.datamovement()
        def writer():
            first = ttl.node(dims=1) * rows_per_node
            for r in range(first, min(first + rows_per_node, tile_rows)):
                for c in range(blocks):
                    with y_dfb.wait() as yb:
                        ttl.copy(yb, y[r : r + 1, c * bw : (c + 1) * bw]).wait()

    return rms_norm


def layer_norm_operation(eps: float):
    """y = (x - mean) * rsqrt(var + eps) [* gamma] [+ beta]; call as op(x, gamma, beta, stats, y)."""

    @ttl.operation(grid="full")
    def layer_norm(x, gamma, beta, stats, y):
        tile_rows = x.shape[0] // TILE
        width_tiles = x.shape[1] // TILE
        bw = block_tiles(width_tiles)
        blocks = width_tiles // bw
        rows_per_node = -(-tile_rows // ttl.grid_size(dims=1))
        inv_width = 1.0 / x.shape[1]

        x_dfb = ttl.make_dataflow_buffer_like(x, shape=(1, bw), block_count=2)
        g_dfb = None if gamma is None else ttl.make_dataflow_buffer_like(gamma, shape=(1, bw), block_count=2)
        b_dfb = None if beta is None else ttl.make_dataflow_buffer_like(beta, shape=(1, bw), block_count=2)
        acc_dfb = ttl.make_dataflow_buffer_like(stats, shape=(1, 1), block_count=2)
        mean_dfb = ttl.make_dataflow_buffer_like(stats, shape=(1, 1), block_count=1)
        rstd_dfb = ttl.make_dataflow_buffer_like(stats, shape=(1, 1), block_count=1)
        y_dfb = ttl.make_dataflow_buffer_like(y, shape=(1, bw), block_count=2)

        def row_bcast(blk):
            """A (1, W) parameter block, row 0 of each tile, over all 32 rows."""
            return ttl.block.broadcast(blk, dims=[0], shape=(1, bw))

        @ttl.compute()
        def compute():
            # Helpers that touch a dataflow buffer are written inline: the simulator gives each node
            # its own copy of the buffers a kernel names, not of those a helper's closure holds.
            scale = ttl.block.fill(inv_width, shape=(1, 1))
            first = ttl.node(dims=1) * rows_per_node  # this node's run of tile-rows
            for _ in range(first, min(first + rows_per_node, tile_rows)):
                # Pass 1: the row mean, accumulated block by block in fp32.
                with acc_dfb.reserve() as acc:
                    acc.store(ttl.block.fill(0.0, shape=(1, 1)))
                for _ in range(blocks):
                    with x_dfb.wait() as xb, acc_dfb.wait() as prev, acc_dfb.reserve() as acc:
                        acc.store(prev + ttl.math.reduce_sum(xb, dims=[-1], shape=(1, 1)))
                with acc_dfb.wait() as total, mean_dfb.reserve() as mean:
                    mean.store(total * scale)
                with mean_dfb.wait() as mean:
                    mean_b = ttl.block.broadcast(mean, dims=[-1], shape=(1, bw))
                    # Pass 2: the variance about that mean (two passes, as the C++ kernels do).
                    with acc_dfb.reserve() as acc:
                        acc.store(ttl.block.fill(0.0, shape=(1, 1)))
                    for _ in range(blocks):
                        with x_dfb.wait() as xb, acc_dfb.wait() as prev, acc_dfb.reserve() as acc:
                            centred = xb - mean_b
                            acc.store(prev + ttl.math.reduce_sum(centred * centred, dims=[-1], shape=(1, 1)))
                    with acc_dfb.wait() as total, rstd_dfb.reserve() as rstd:
                        rstd.store(ttl.math.rsqrt(total * scale + ttl.block.fill(eps, shape=(1, 1))))
                    # Pass 3: normalise, then the optional affine parameters (one kernel variant each,
                    # as the C++ kernels' compile-time switches give).
                    with rstd_dfb.wait() as rstd:
                        rstd_b = ttl.block.broadcast(rstd, dims=[-1], shape=(1, bw))
                        for _ in range(blocks):
                            if g_dfb is not None and b_dfb is not None:
                                with (
                                    x_dfb.wait() as xb,
                                    g_dfb.wait() as gb,
                                    b_dfb.wait() as bb,
                                    y_dfb.reserve() as yb,
                                ):
                                    yb.store((xb - mean_b) * rstd_b * row_bcast(gb) + row_bcast(bb))
                            elif g_dfb is not None:
                                with x_dfb.wait() as xb, g_dfb.wait() as gb, y_dfb.reserve() as yb:
                                    yb.store((xb - mean_b) * rstd_b * row_bcast(gb))
                            elif b_dfb is not None:
                                with x_dfb.wait() as xb, b_dfb.wait() as bb, y_dfb.reserve() as yb:
                                    yb.store((xb - mean_b) * rstd_b + row_bcast(bb))
                            else:
                                with x_dfb.wait() as xb, y_dfb.reserve() as yb:
                                    yb.store((xb - mean_b) * rstd_b)

        @ttl.datamovement()
        def reader():
            first = ttl.node(dims=1) * rows_per_node
            for r in range(first, min(first + rows_per_node, tile_rows)):
                for _ in range(2):  # the mean pass, then the variance pass
                    for c in range(blocks):
                        with x_dfb.reserve() as xb:
                            ttl.copy(x[r : r + 1, c * bw : (c + 1) * bw], xb).wait()
                for c in range(blocks):
                    cols = slice(c * bw, (c + 1) * bw)
                    with x_dfb.reserve() as xb:
                        tx = ttl.copy(x[r : r + 1, cols], xb)
                        if g_dfb is not None:
                            with g_dfb.reserve() as gb:
                                ttl.copy(gamma[0:1, cols], gb).wait()
                        if b_dfb is not None:
                            with b_dfb.reserve() as bb:
                                ttl.copy(beta[0:1, cols], bb).wait()
                        tx.wait()

        @ttl.datamovement()
        def writer():
            first = ttl.node(dims=1) * rows_per_node
            for r in range(first, min(first + rows_per_node, tile_rows)):
                for c in range(blocks):
                    with y_dfb.wait() as yb:
                        ttl.copy(yb, y[r : r + 1, c * bw : (c + 1) * bw]).wait()

    return layer_norm
