"""A norm kernel for large rows that holds its share of x in shared memory (Gluon, Triton's explicit-layout
language), not in registers.

The split kernel in ``kernels.py`` is bounded by the bytes of x its resident programs hold while they
wait on each other's statistics, and registers bound those bytes. Here a program copies the same
``CHUNK`` of columns of ``ROWS`` rows into shared memory with ``cp.async`` (no registers held while the
copies are in flight), together with that chunk of weight and bias, which its rows share. It reduces
each row's chunk from shared memory, exchanges chunk statistics with the other ``SPLIT`` programs of its
rows through the same generation-tagged slots as the split kernel, and normalises from shared memory
again. Shared memory (228 KB per H100/H200 multiprocessor) then holds the bytes in flight, a program
needs few registers, and the output pass waits on nothing: weight and bias are already in shared memory
(loaded from global memory there, each sub-block's load would wait behind the previous one's store, as
the compiler cannot rule out that they alias). ``SPLIT == 1`` is a whole row per program, with no
exchange.

Where registers are to spare (few programs fit in shared memory, or the launch caps registers so that one
more does), ``WB_REGS`` holds weight and bias in registers instead, loaded while x is on its way, and
shared memory holds x alone. Each row's first poll of the slots is issued ahead of its wait, so the round
trip through L2 overlaps the work before it. With ``ROW_COPIES`` each row of x is its own copy group, and
a row's chunk statistics are published as soon as that row has landed rather than after the last one.

Gluon does not run in Triton's CPU interpreter, so this path exists only on CUDA GPUs of compute
capability 8.0 or later (``cp.async``); ``norms.plan_launch`` chooses it there.
"""

from __future__ import annotations

import triton

from siblings.triton import kernels


def _gluon_ok(version: str) -> bool:
    """Gluon's API moves between releases; this kernel is written against Triton 3.6 (run there on an
    H200, and compiled with 3.8)."""
    major, minor = (int(part) for part in version.split(".")[:2])
    return (major, minor) >= (3, 6)


gluon = None
if _gluon_ok(triton.__version__):
    try:
        from triton.experimental import gluon
        from triton.experimental.gluon import language as gl
        from triton.experimental.gluon.language.nvidia.ampere import async_copy as cp
    except ImportError:  # a build without Gluon: the register-held kernels remain
        gluon = None

AVAILABLE = gluon is not None


def elements_per_copy(element_size: int) -> int:
    """Elements per thread per ``cp.async``: 16 bytes, the widest copy."""
    return 16 // element_size


if AVAILABLE:

    @gluon.jit
    def _stage(
        smem,
        base,
        stride,
        n_lines,
        start,
        n_cols,
        LINES: gl.constexpr,
        NSUB: gl.constexpr,
        SUB: gl.constexpr,
        layout: gl.constexpr,
    ):
        """Start copying LINES / NSUB lines (rows of `stride` elements from `base`; those from n_lines on
        are skipped), columns [start, start + NSUB * SUB) of each, into smem[LINES, SUB] with one async
        copy: issued as a single operation, its 16-byte pieces go out back to back (copies into separate
        sub-buffers get a barrier each)."""
        j = gl.arange(0, LINES, layout=gl.SliceLayout(1, layout))
        offs = gl.arange(0, SUB, layout=gl.SliceLayout(0, layout))
        line = j // NSUB
        cols = start + (j % NSUB) * SUB
        ptrs = base + (line.to(gl.int64) * stride + cols)[:, None] + offs[None, :]
        mask = (line < n_lines)[:, None] & (cols[:, None] + offs[None, :] < n_cols)
        cp.async_copy_global_to_shared(smem, ptrs, mask=mask)

    @gluon.jit
    def norm_staged_kernel(
        x_ptr,
        w_ptr,
        b_ptr,
        y_ptr,
        slots_ptr,
        n_rows,
        n_vecs,
        vec_stride_x,
        vec_stride_y,
        eps,
        w_offset,
        IS_LN: gl.constexpr,
        HAS_W: gl.constexpr,
        HAS_B: gl.constexpr,
        SPLIT: gl.constexpr,
        CHUNK: gl.constexpr,
        ROWS: gl.constexpr,
        VEC: gl.constexpr,
        NUM_WARPS: gl.constexpr,
        WB_REGS: gl.constexpr,
        ROW_COPIES: gl.constexpr,
    ):
        # grid = (SPLIT, cdiv(n_rows, ROWS)): the programs sharing rows have adjacent ids (see
        # kernels.norm_split_kernel for why they are then resident together, and for the slot protocol,
        # which this kernel shares). Rows past the end exchange zeros and store nothing; the host sizes
        # the slots for whole groups of ROWS.
        # Width and row strides come in units of VEC (the host checks that they are whole copies), so that
        # the compiler sees every copy as a whole, aligned 16 bytes.
        n_cols = n_vecs * VEC
        stride_x = vec_stride_x * VEC
        stride_y = vec_stride_y * VEC
        SUB: gl.constexpr = VEC * 32 * NUM_WARPS  # one 16-byte copy per thread
        NSUB: gl.constexpr = CHUNK // SUB
        gl.static_assert(NSUB * SUB == CHUNK, "CHUNK must be a multiple of VEC * 32 * NUM_WARPS")
        layout: gl.constexpr = gl.BlockedLayout([VEC], [32], [NUM_WARPS], [0])
        tile_layout: gl.constexpr = gl.BlockedLayout([1, VEC], [1, 32], [1, NUM_WARPS], [1, 0])
        # Each thread reads back exactly the bytes it copied, in 16-byte runs: no bank conflicts, no swizzle.
        # Buffers are written whole as [lines, SUB] tiles and read back either whole (tiles) or a sub-block
        # at a time, through a view of the same row-major bytes whose rows are 1-D.
        smem_layout: gl.constexpr = gl.SwizzledSharedLayout(vec=1, per_phase=1, max_phase=1, order=[1, 0])
        row_layout: gl.constexpr = gl.SwizzledSharedLayout(vec=1, per_phase=1, max_phase=1, order=[0])
        xs = gl.allocate_shared_memory(x_ptr.dtype.element_ty, [ROWS * NSUB, SUB], smem_layout)

        part = gl.program_id(0)
        row0 = gl.program_id(1) * ROWS
        start = part * CHUNK
        offs = gl.arange(0, SUB, layout=layout)
        sub = gl.arange(0, NSUB, layout=gl.SliceLayout(1, tile_layout))
        lane = gl.arange(0, SUB, layout=gl.SliceLayout(0, tile_layout))
        tile_cols = start + sub[:, None] * SUB + lane[None, :]  # the chunk as [NSUB, SUB]
        x_first = x_ptr + row0.to(gl.int64) * stride_x
        if ROW_COPIES:
            # A copy group per row, so that each row's statistics go out as soon as that row has landed.
            for r in gl.static_range(ROWS):
                x_row = x_first + r * stride_x
                _stage(
                    xs.slice(r * NSUB, NSUB),
                    x_row,
                    stride_x,
                    n_rows - row0 - r,
                    start,
                    n_cols,
                    NSUB,
                    NSUB,
                    SUB,
                    tile_layout,
                )
                cp.commit_group()
        else:
            _stage(xs, x_first, stride_x, n_rows - row0, start, n_cols, ROWS * NSUB, NSUB, SUB, tile_layout)
            cp.commit_group()
        if WB_REGS:
            # Weight and bias in registers for the program's life, loaded while x is on its way: shared
            # memory holds x alone, so more programs fit where registers are to spare.
            if HAS_W:
                w_tile = (
                    gl.load(w_ptr + tile_cols, mask=tile_cols < n_cols, other=0.0).to(gl.float32) + w_offset
                )
            if HAS_B:
                b_tile = gl.load(b_ptr + tile_cols, mask=tile_cols < n_cols, other=0.0).to(gl.float32)
        else:
            if HAS_W:
                ws = gl.allocate_shared_memory(w_ptr.dtype.element_ty, [NSUB, SUB], smem_layout)
                _stage(ws, w_ptr, 0, 1, start, n_cols, NSUB, NSUB, SUB, tile_layout)
            if HAS_B:
                bs = gl.allocate_shared_memory(b_ptr.dtype.element_ty, [NSUB, SUB], smem_layout)
                _stage(bs, b_ptr, 0, 1, start, n_cols, NSUB, NSUB, SUB, tile_layout)
            cp.commit_group()
            if HAS_W:
                ws = ws._reinterpret(w_ptr.dtype.element_ty, [NSUB, SUB], row_layout)
            if HAS_B:
                bs = bs._reinterpret(b_ptr.dtype.element_ty, [NSUB, SUB], row_layout)
        x_rows = xs._reinterpret(x_ptr.dtype.element_ty, [ROWS * NSUB, SUB], row_layout)

        if SPLIT > 1:
            # Every slot of a row holds the generation of the last launch; this one publishes the next.
            # The split kernel's slot helpers (kernels._pack, _poll_slots, _await_slots) serve here too.
            slot_layout: gl.constexpr = gl.BlockedLayout([1], [32], [NUM_WARPS], [0])
            row_ids = row0 + gl.arange(0, ROWS, layout=slot_layout)
            gens = gl.load(slots_ptr + (row_ids.to(gl.int64) * SPLIT + part) * 2, cache_modifier=".cg") >> 32
            gens = gens.to(gl.int32) + 1
        count = gl.minimum(n_cols - start, CHUNK).to(gl.float32)
        if not ROW_COPIES:
            if WB_REGS:
                cp.wait_group(0)
            else:
                cp.wait_group(1)  # x has arrived; weight and bias may still be on their way

        # Chunk statistics of every row. Masked-off elements were copied as zeros.
        for r in gl.static_range(ROWS):
            if ROW_COPIES:
                # Row r has landed once only the later rows' groups (and weight and bias's) are out.
                cp.wait_group(ROWS - 1 - r + (0 if WB_REGS else 1))
            if IS_LN and WB_REGS:
                # The row's chunk as one register tile (registers are to spare here): one pass over
                # shared memory, two over registers.
                x = xs.slice(r * NSUB, NSUB).load(tile_layout).to(gl.float32)
                local_mean = gl.sum(gl.sum(x, axis=0), axis=0) / count
                xc = gl.where(tile_cols < n_cols, x - local_mean, 0.0)
                local_m2 = gl.sum(gl.sum(xc * xc, axis=0), axis=0)
            else:
                # Lane-wise over sub-blocks first, so that each quantity needs one cross-thread reduction.
                acc = gl.zeros([SUB], gl.float32, layout)
                for i in range(NSUB):
                    x = x_rows.index(r * NSUB + i).load(layout).to(gl.float32)
                    if IS_LN:
                        acc += x
                    else:
                        acc += x * x
                if IS_LN:
                    local_mean = gl.sum(acc, axis=0) / count
                    acc = gl.zeros([SUB], gl.float32, layout)
                    for i in range(NSUB):
                        x = x_rows.index(r * NSUB + i).load(layout).to(gl.float32)
                        xc = gl.where(start + i * SUB + offs < n_cols, x - local_mean, 0.0)
                        acc += xc * xc
                local_m2 = gl.sum(acc, axis=0)
            if SPLIT > 1:
                gen = gl.sum(gl.where(row_ids == row0 + r, gens, 0), axis=0)
                my_slot = slots_ptr + ((row0 + r).to(gl.int64) * SPLIT + part) * 2
                if IS_LN:
                    gl.store(my_slot + 1, kernels._pack(gen, local_mean))
                gl.store(my_slot, kernels._pack(gen, local_m2))
            else:
                # One chunk is the whole row, so its statistics are the row's. They stay in registers for
                # the output pass, which is why a whole-row program takes one row (plan_launch sees to it).
                gl.static_assert(ROWS == 1, "a whole row per program takes one row")
                if IS_LN:
                    mean = local_mean
                else:
                    mean = 0.0
                var = local_m2 / n_cols

        if SPLIT > 1:
            parts = gl.arange(0, triton.next_power_of_2(SPLIT), layout=slot_layout)
            part_ok = parts < SPLIT
            row_slots = slots_ptr + (row0.to(gl.int64) * SPLIT + parts) * 2
            # Each row's first poll goes out ahead of its wait: row 0's before the wait for weight and
            # bias, every later row's before the previous row's output pass, which hides its round trip.
            words = kernels._poll_slots(row_slots, part_ok, IS_LN)
        cp.wait_group(0)
        for r in gl.static_range(ROWS):
            row = row0 + r
            if SPLIT > 1:
                gen = gl.sum(gl.where(row_ids == row, gens, 0), axis=0)
                ptrs = row_slots + r * SPLIT * 2
                w_m2, w_mean = words
                todo = part_ok & ~kernels._slots_ready(w_m2, w_mean, gen, IS_LN)
                w_m2, w_mean, _ = kernels._await_slots(ptrs, todo, part_ok, gen, w_m2, w_mean, IS_LN)
                mean, var = kernels._stats_from_words(w_m2, w_mean, parts, n_cols, IS_LN, SPLIT, CHUNK)
                if r + 1 < ROWS:
                    words = kernels._poll_slots(ptrs + SPLIT * 2, part_ok, IS_LN)
            rstd = 1.0 / gl.sqrt(var + eps)
            y_row = y_ptr + row.to(gl.int64) * stride_y
            if WB_REGS:
                y = (xs.slice(r * NSUB, NSUB).load(tile_layout).to(gl.float32) - mean) * rstd
                if HAS_W:
                    y = y * w_tile
                if HAS_B:
                    y = y + b_tile
                y_mask = (tile_cols < n_cols) & (row < n_rows)
                gl.store(y_row + tile_cols, y.to(y_ptr.dtype.element_ty), mask=y_mask)
            else:
                for i in range(NSUB):
                    cols = start + i * SUB + offs
                    y = (x_rows.index(r * NSUB + i).load(layout).to(gl.float32) - mean) * rstd
                    if HAS_W:
                        y = y * (ws.index(i).load(layout).to(gl.float32) + w_offset)
                    if HAS_B:
                        y = y + bs.index(i).load(layout).to(gl.float32)
                    gl.store(
                        y_row + cols, y.to(y_ptr.dtype.element_ty), mask=(cols < n_cols) & (row < n_rows)
                    )
