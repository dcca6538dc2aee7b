"""Triton kernels for RMSNorm / LayerNorm forward (optionally fused with a residual add).

Math is fp32 throughout; the output is rounded once ("fp32-then-cast", see ``siblings.reference``).
The kernels, by hidden size N:

* ``norm_rows_kernel``: a ``[ROWS, BLOCK_N]`` tile per program, the whole row in registers. Several rows
  per program keep small N (128 ... 1024) at full bandwidth.
* ``norm_split_kernel``: for rows too large for one program's registers (N > 16k), ``SPLIT`` programs
  share a row, each holding one ``CHUNK`` in registers. They exchange per-chunk statistics through
  generation-tagged slots in a small global workspace, so x is read from memory exactly once. This relies
  on the programs of one row being resident together, which holds because blocks are dispatched in launch
  order and the programs of a row are adjacent. It cannot run under the sequential CPU interpreter.
* ``norm_persist_kernel``: for large rows, a persistent grid (a few programs per SM, each looping over
  rows) makes two passes per row; the first keeps the row in L2 (``evict_last``) so that the second
  pass reads it from L2 rather than memory, and walks the row backwards so the most recently loaded
  chunks come first. With few programs per SM the rows in flight fit in L2. On the H200 it matched
  but did not beat the split kernel (its first pass has only two chunks in flight per program), so it
  is a tuning option (``norms.TUNING["large_*"]``), not a default.
* ``norm_looped_kernel``: one row per program, two passes over column chunks (x read twice). The
  interpreter-safe path for large rows.
* ``norm_pipe_kernel``: persistent and software-pipelined: exactly as many programs as are resident,
  grouped SPLIT to a row, each group looping over rows and loading the next rows before it exchanges the
  current row's statistics (double-buffered, step-tagged slots). On the H200 it lost to the split kernel
  everywhere (1.5-4.3x slower with an exchange per row: every row costs one exchange round trip of
  several µs under full memory load, and a program has too few rows' bytes in registers to cover it;
  1-7 % slower without exchange at N = 16 384), so it is a tuning option only.

The split kernel's throughput is bounded by the bytes of x its resident programs hold while they wait on
each other, which registers limit; with ``PACK`` it holds 16-bit x as 32-bit words (half the registers of
fp32 values) and unpacks them again after the exchange, which fits 1.25-2x more programs per SM.
"""

from __future__ import annotations

import triton
import triton.language as tl


@triton.jit
def _row_stats(x, mask, n_cols, IS_LN: tl.constexpr):
    """(mean, rstd-argument) of a [R, B] fp32 tile along axis 1; masked elements are zero in x."""
    if IS_LN:
        mean = tl.sum(x, axis=1) / n_cols
        xc = tl.where(mask, x - mean[:, None], 0.0)
        var = tl.sum(xc * xc, axis=1) / n_cols
    else:
        mean = tl.zeros([x.shape[0]], dtype=tl.float32)
        var = tl.sum(x * x, axis=1) / n_cols
    return mean, var


@triton.jit
def norm_rows_kernel(
    x_ptr,
    res_ptr,
    w_ptr,
    b_ptr,
    y_ptr,
    res_out_ptr,
    n_rows,
    n_cols,
    stride_x,
    stride_res,
    stride_y,
    stride_res_out,
    eps,
    w_offset,
    IS_LN: tl.constexpr,
    HAS_W: tl.constexpr,
    HAS_B: tl.constexpr,
    HAS_RES: tl.constexpr,
    ROWS: tl.constexpr,
    BLOCK_N: tl.constexpr,
    PRELOAD_WB: tl.constexpr,
):
    rows = tl.program_id(0) * ROWS + tl.arange(0, ROWS)
    cols = tl.arange(0, BLOCK_N)
    row_ok = rows < n_rows
    mask = row_ok[:, None] & (cols[None, :] < n_cols)
    rows64 = rows.to(tl.int64)
    x = tl.load(x_ptr + rows64[:, None] * stride_x + cols[None, :], mask=mask, other=0.0).to(tl.float32)
    if HAS_RES:
        r = tl.load(res_ptr + rows64[:, None] * stride_res + cols[None, :], mask=mask, other=0.0)
        x = x + r.to(tl.float32)
        tl.store(
            res_out_ptr + rows64[:, None] * stride_res_out + cols[None, :],
            x.to(res_out_ptr.dtype.element_ty),
            mask=mask,
        )
    # For small tiles, weight and bias are loaded before the reductions so their latency overlaps x's
    # (decode shapes are latency-bound); for large tiles that would cost registers and spill.
    if PRELOAD_WB:
        if HAS_W:
            w = tl.load(w_ptr + cols, mask=cols < n_cols, other=0.0).to(tl.float32)
        if HAS_B:
            b = tl.load(b_ptr + cols, mask=cols < n_cols, other=0.0).to(tl.float32)
    mean, var = _row_stats(x, mask, n_cols, IS_LN)
    if PRELOAD_WB:
        # Small (decode) tiles are latency-bound: the hardware reciprocal square root (a few fp32 ulps,
        # far below one output rounding) keeps an IEEE sqrt and divide off their critical path.
        rstd = tl.rsqrt(var + eps)
    else:
        rstd = 1.0 / tl.sqrt(var + eps)
    y = (x - mean[:, None]) * rstd[:, None]
    if HAS_W:
        if not PRELOAD_WB:
            w = tl.load(w_ptr + cols, mask=cols < n_cols, other=0.0).to(tl.float32)
        y = y * (w + w_offset)[None, :]
    if HAS_B:
        if not PRELOAD_WB:
            b = tl.load(b_ptr + cols, mask=cols < n_cols, other=0.0).to(tl.float32)
        y = y + b[None, :]
    tl.store(y_ptr + rows64[:, None] * stride_y + cols[None, :], y.to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def _combine_stats(counts, means, m2s, n_cols, IS_LN: tl.constexpr):
    """(mean, var) of a row from per-part (count, mean, M2) vectors, by Chan's formula for LayerNorm; for
    RMSNorm the M2 entries are sums of squares, means and counts are unused and the mean is 0."""
    if IS_LN:
        mean = tl.sum(counts * means, axis=0) / n_cols
        d = means - mean
        var = (tl.sum(m2s, axis=0) + tl.sum(counts * d * d, axis=0)) / n_cols
    else:
        mean = 0.0
        var = tl.sum(m2s, axis=0) / n_cols
    return mean, var


@triton.jit
def _pack(gen, value):
    """A 64-bit slot word: generation in the high half, the fp32 value's bits in the low half."""
    lo = value.to(tl.int32, bitcast=True).to(tl.uint32, bitcast=True).to(tl.int64)
    return (gen.to(tl.int64) << 32) | lo


@triton.jit
def _slots_ready(w_m2, w_mean, tag, IS_LN: tl.constexpr):
    """Which parts of a poll have published with `tag` (RMSNorm has no mean word)."""
    ready = (w_m2 >> 32).to(tl.int32) == tag
    if IS_LN:
        ready = ready & ((w_mean >> 32).to(tl.int32) == tag)
    return ready


@triton.jit
def _poll_slots(ptrs, mask, IS_LN: tl.constexpr):
    """One load of the slot pairs in `mask` (ptrs[p] = M2 word, ptrs[p] + 1 = mean word); RMSNorm has no
    mean word, and the second result repeats the first."""
    w_m2 = tl.load(ptrs, mask=mask, other=0, volatile=True)
    w_mean = w_m2
    if IS_LN:
        w_mean = tl.load(ptrs + 1, mask=mask, other=0, volatile=True)
    return w_m2, w_mean


@triton.jit
def _await_slots(ptrs, todo, part_ok, tag, w_m2, w_mean, IS_LN: tl.constexpr):
    """Poll the slot pairs (ptrs[p] = M2 word, ptrs[p] + 1 = mean word) of the parts in `todo` until
    every part has published with `tag`; returns the words and the final count of missing parts (0).
    A part that has published keeps its words until the next launch, so each poll re-loads only the
    parts still missing."""
    pending = tl.sum(todo.to(tl.int32), axis=0)
    while pending > 0:
        new_m2, new_mean = _poll_slots(ptrs, todo, IS_LN)
        w_m2 = tl.where(todo, new_m2, w_m2)
        w_mean = tl.where(todo, new_mean, w_mean)
        todo = part_ok & ~_slots_ready(w_m2, w_mean, tag, IS_LN)
        pending = tl.sum(todo.to(tl.int32), axis=0)
    return w_m2, w_mean, pending


@triton.jit
def _stats_from_words(
    w_m2, w_mean, parts, n_cols, IS_LN: tl.constexpr, SPLIT: tl.constexpr, CHUNK: tl.constexpr
):
    """(mean, var) of a row from a complete poll of its slots."""
    part_ok = parts < SPLIT
    m2s = tl.where(part_ok, w_m2.to(tl.int32).to(tl.float32, bitcast=True), 0.0)
    means = tl.where(part_ok, w_mean.to(tl.int32).to(tl.float32, bitcast=True), 0.0)
    counts = tl.where(part_ok, tl.minimum(n_cols - parts * CHUNK, CHUNK), 0).to(tl.float32)
    return _combine_stats(counts, means, m2s, n_cols, IS_LN)


@triton.jit
def _await_row_stats(ptrs, parts, tag, n_cols, IS_LN: tl.constexpr, SPLIT: tl.constexpr, CHUNK: tl.constexpr):
    """Poll a row's SPLIT slot pairs (ptrs[p] = M2 word, ptrs[p] + 1 = mean word, parts = arange over
    the next power of two of SPLIT) until every part has published with `tag`, then combine the chunk
    statistics (Chan's formula for LayerNorm). Returns (mean, var, pending); pending is 0, which the
    compiler cannot prove, so a caller may use it as an offset that forces a re-load instead of keeping
    values alive through the wait. Its pieces (_poll_slots, _slots_ready, _await_slots, _stats_from_words)
    serve the Gluon kernel in staged.py too, whose tensors carry explicit layouts: every tensor in them
    derives from their arguments, so it takes their layout."""
    part_ok = parts < SPLIT
    zero = parts.to(tl.int64) * 0
    # Every part is polled at least once, so a slot left from an old launch is never taken as current.
    w_m2, w_mean, pending = _await_slots(ptrs, part_ok, part_ok, tag, zero, zero, IS_LN)
    mean, var = _stats_from_words(w_m2, w_mean, parts, n_cols, IS_LN, SPLIT, CHUNK)
    return mean, var, pending


@triton.jit
def _unpack_row(v, dtype: tl.constexpr, PACK: tl.constexpr):
    """fp32 values of a loaded chunk; with PACK, v holds pairs of 16-bit values in 32-bit words."""
    if PACK:
        lo = v.to(tl.int16).to(dtype, bitcast=True).to(tl.float32)
        hi = (v >> 16).to(tl.int16).to(dtype, bitcast=True).to(tl.float32)
        return tl.reshape(tl.join(lo, hi), [v.shape[0] * 2])
    else:
        return v.to(tl.float32)


@triton.jit
def norm_split_kernel(
    x_ptr,
    res_ptr,
    w_ptr,
    b_ptr,
    y_ptr,
    res_out_ptr,
    slots_ptr,
    n_cols,
    stride_x,
    stride_res,
    stride_y,
    stride_res_out,
    eps,
    w_offset,
    IS_LN: tl.constexpr,
    HAS_W: tl.constexpr,
    HAS_B: tl.constexpr,
    HAS_RES: tl.constexpr,
    SPLIT: tl.constexpr,
    CHUNK: tl.constexpr,
    PRELOAD_WB: tl.constexpr,
    PACK: tl.constexpr = False,
):
    # grid = (SPLIT, n_rows): the programs sharing a row have adjacent ids. Each program publishes its
    # chunk statistics in its own 64-bit slot words tagged with a generation number, and polls the
    # row's slots until all carry the current generation: the data arrives with the poll, with no
    # counters or resets. Every launch moves all slots of a row from generation g to g + 1, so g is
    # read from the program's own slot (written by the previous launch).
    part = tl.program_id(0)
    row = tl.program_id(1).to(tl.int64)
    my_slot = slots_ptr + (row * SPLIT + part) * 2
    gen = (tl.load(my_slot, cache_modifier=".cg") >> 32).to(tl.int32) + 1
    cols = part * CHUNK + tl.arange(0, CHUNK)
    mask = cols < n_cols
    if PACK:
        # 16-bit x (no residual) is held through the exchange as 32-bit words, half the registers of
        # its fp32 values, so more programs fit per multiprocessor; it is unpacked again afterwards.
        words = part * (CHUNK // 2) + tl.arange(0, CHUNK // 2)
        xw_ptr = x_ptr.to(tl.pointer_type(tl.int32), bitcast=True)
        xw = tl.load(xw_ptr + row * (stride_x // 2) + words, mask=words < n_cols // 2, other=0)
        x = _unpack_row(xw, x_ptr.dtype.element_ty, True)
    else:
        x = tl.load(x_ptr + row * stride_x + cols, mask=mask, other=0.0).to(tl.float32)
    if HAS_RES:
        r = tl.load(res_ptr + row * stride_res + cols, mask=mask, other=0.0).to(tl.float32)
        x = x + r
        tl.store(res_out_ptr + row * stride_res_out + cols, x.to(res_out_ptr.dtype.element_ty), mask=mask)

    # Local statistics of this chunk: (sum of squares) or (mean, centred M2) for Chan's combination.
    count = tl.minimum(n_cols - part * CHUNK, CHUNK).to(tl.float32)
    if IS_LN:
        local_mean = tl.sum(x, axis=0) / count
        if PACK:
            # Unpack again for the centred pass (the offset is 0 unless the mean is NaN, when the row's
            # output is NaN either way), so the fp32 values need not stay alive across the reduction.
            x = _unpack_row(xw + (local_mean != local_mean).to(tl.int32), x_ptr.dtype.element_ty, True)  # noqa: PLR0124
        xc = tl.where(mask, x - local_mean, 0.0)
        local_m2 = tl.sum(xc * xc, axis=0)
        tl.store(my_slot + 1, _pack(gen, local_mean))
    else:
        local_m2 = tl.sum(x * x, axis=0)
    tl.store(my_slot, _pack(gen, local_m2))
    # Optionally fetch weight/bias (in their storage dtype) while the other programs catch up.
    if PRELOAD_WB:
        if HAS_W:
            w_raw = tl.load(w_ptr + cols, mask=mask, other=0.0)
        if HAS_B:
            b_raw = tl.load(b_ptr + cols, mask=mask, other=0.0)

    parts = tl.arange(0, triton.next_power_of_2(SPLIT))
    mean, var, pending = _await_row_stats(
        slots_ptr + (row * SPLIT + parts) * 2, parts, gen, n_cols, IS_LN, SPLIT, CHUNK
    )
    if PACK:
        # The words are unpacked anew (pending is 0) rather than the fp32 values of the statistics
        # phase being kept alive through the wait.
        x = _unpack_row(xw + pending, x_ptr.dtype.element_ty, True)

    rstd = 1.0 / tl.sqrt(var + eps)
    y = (x - mean) * rstd
    if HAS_W:
        if not PRELOAD_WB:
            w_raw = tl.load(w_ptr + cols, mask=mask, other=0.0)
        y = y * (w_raw.to(tl.float32) + w_offset)
    if HAS_B:
        if not PRELOAD_WB:
            b_raw = tl.load(b_ptr + cols, mask=mask, other=0.0)
        y = y + b_raw.to(tl.float32)
    tl.store(y_ptr + row * stride_y + cols, y.to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def norm_persist_kernel(
    x_ptr,
    res_ptr,
    w_ptr,
    b_ptr,
    y_ptr,
    res_out_ptr,
    n_rows,
    n_cols,
    stride_x,
    stride_res,
    stride_y,
    stride_res_out,
    eps,
    w_offset,
    IS_LN: tl.constexpr,
    HAS_W: tl.constexpr,
    HAS_B: tl.constexpr,
    HAS_RES: tl.constexpr,
    CHUNK: tl.constexpr,
    XE1: tl.constexpr = "evict_last",
    XE2: tl.constexpr = "evict_first",
):
    # grid = (programs,), fewer than rows: program p handles rows p, p + programs, ...
    offs = tl.arange(0, CHUNK)
    n_full = n_cols // CHUNK
    n_chunks = tl.cdiv(n_cols, CHUNK)
    for row_i in range(tl.program_id(0), n_rows, tl.num_programs(0)):
        row = tl.cast(row_i, tl.int64)
        xrow = x_ptr + row * stride_x
        rrow = res_ptr + row * stride_res
        # Pass 1: per-lane statistics, accumulated elementwise so that a row costs one reduction at
        # its end. LayerNorm keeps a per-lane running (mean, M2) (Welford; every valid lane has seen
        # the same number of chunks, so the update needs only a scalar reciprocal). The next chunk is
        # loaded before the current one is used, so two chunks are in flight.
        acc = tl.zeros([CHUNK], dtype=tl.float32)
        m = tl.zeros([CHUNK], dtype=tl.float32)
        x_next = tl.load(xrow + offs, mask=offs < n_cols, other=0.0, eviction_policy=XE1)
        if HAS_RES:
            r_next = tl.load(rrow + offs, mask=offs < n_cols, other=0.0, eviction_policy=XE1)
        for i in range(n_chunks):
            cols = i * CHUNK + offs
            mask = cols < n_cols
            x = x_next.to(tl.float32)
            if HAS_RES:
                x = x + r_next.to(tl.float32)
            nxt = cols + CHUNK
            x_next = tl.load(xrow + nxt, mask=nxt < n_cols, other=0.0, eviction_policy=XE1)
            if HAS_RES:
                r_next = tl.load(rrow + nxt, mask=nxt < n_cols, other=0.0, eviction_policy=XE1)
                tl.store(
                    res_out_ptr + row * stride_res_out + cols, x.to(res_out_ptr.dtype.element_ty), mask=mask
                )
            if IS_LN:
                inv = 1.0 / tl.cast(i + 1, tl.float32)
                d = x - m
                m = m + tl.where(mask, d * inv, 0.0)
                acc = acc + tl.where(mask, d * (x - m), 0.0)
            else:
                acc = acc + x * x
        # Combine the lanes: lane counts are n_full, plus one for lanes of a partial chunk.
        cnt = (n_full + tl.where(offs < n_cols - n_full * CHUNK, 1, 0)).to(tl.float32)
        mean, var = _combine_stats(cnt, m, acc, n_cols, IS_LN)
        rstd = 1.0 / tl.sqrt(var + eps)
        # Pass 2, last chunk first: those were loaded most recently and are likeliest still in L2.
        for j in range(n_chunks):
            cols = (n_chunks - 1 - j) * CHUNK + offs
            mask = cols < n_cols
            x = tl.load(xrow + cols, mask=mask, other=0.0, eviction_policy=XE2).to(tl.float32)
            if HAS_RES:
                x = x + tl.load(rrow + cols, mask=mask, other=0.0, eviction_policy=XE2).to(tl.float32)
            y = (x - mean) * rstd
            if HAS_W:
                w = tl.load(w_ptr + cols, mask=mask, other=0.0, eviction_policy="evict_last").to(tl.float32)
                y = y * (w + w_offset)
            if HAS_B:
                b = tl.load(b_ptr + cols, mask=mask, other=0.0, eviction_policy="evict_last").to(tl.float32)
                y = y + b
            tl.store(y_ptr + row * stride_y + cols, y.to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def norm_looped_kernel(
    x_ptr,
    res_ptr,
    w_ptr,
    b_ptr,
    y_ptr,
    res_out_ptr,
    n_cols,
    stride_x,
    stride_res,
    stride_y,
    stride_res_out,
    eps,
    w_offset,
    IS_LN: tl.constexpr,
    HAS_W: tl.constexpr,
    HAS_B: tl.constexpr,
    HAS_RES: tl.constexpr,
    CHUNK: tl.constexpr,
):
    row = tl.program_id(0).to(tl.int64)
    offs = tl.arange(0, CHUNK)
    # Pass 1: statistics, combining chunk (mean, M2) pairs with Chan's formula for LayerNorm.
    mean = 0.0
    m2 = 0.0
    seen = 0.0
    for start in range(0, n_cols, CHUNK):
        cols = start + offs
        mask = cols < n_cols
        x = tl.load(x_ptr + row * stride_x + cols, mask=mask, other=0.0).to(tl.float32)
        if HAS_RES:
            r = tl.load(res_ptr + row * stride_res + cols, mask=mask, other=0.0).to(tl.float32)
            x = x + r
            tl.store(res_out_ptr + row * stride_res_out + cols, x.to(res_out_ptr.dtype.element_ty), mask=mask)
        cnt = tl.minimum(n_cols - start, CHUNK).to(tl.float32)
        if IS_LN:
            c_mean = tl.sum(x, axis=0) / cnt
            xc = tl.where(mask, x - c_mean, 0.0)
            c_m2 = tl.sum(xc * xc, axis=0)
            total = seen + cnt
            delta = c_mean - mean
            mean = mean + delta * (cnt / total)
            m2 = m2 + c_m2 + delta * delta * (seen * cnt / total)
            seen = total
        else:
            m2 = m2 + tl.sum(x * x, axis=0)
    rstd = 1.0 / tl.sqrt(m2 / n_cols + eps)
    if not IS_LN:
        mean = 0.0
    # Pass 2: normalise. The fused sum is recomputed from x and residual so that it stays unrounded.
    for start in range(0, n_cols, CHUNK):
        cols = start + offs
        mask = cols < n_cols
        x = tl.load(x_ptr + row * stride_x + cols, mask=mask, other=0.0).to(tl.float32)
        if HAS_RES:
            x = x + tl.load(res_ptr + row * stride_res + cols, mask=mask, other=0.0).to(tl.float32)
        y = (x - mean) * rstd
        if HAS_W:
            w = tl.load(w_ptr + cols, mask=mask, other=0.0).to(tl.float32)
            y = y * (w + w_offset)
        if HAS_B:
            b = tl.load(b_ptr + cols, mask=mask, other=0.0).to(tl.float32)
            y = y + b
        tl.store(y_ptr + row * stride_y + cols, y.to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def norm_pipe_kernel(
    x_ptr,
    res_ptr,
    w_ptr,
    b_ptr,
    y_ptr,
    res_out_ptr,
    slots_ptr,
    n_rows,
    n_cols,
    stride_x,
    stride_res,
    stride_y,
    stride_res_out,
    eps,
    w_offset,
    IS_LN: tl.constexpr,
    HAS_W: tl.constexpr,
    HAS_B: tl.constexpr,
    HAS_RES: tl.constexpr,
    SPLIT: tl.constexpr,
    CHUNK: tl.constexpr,
    HOLD_WB: tl.constexpr,
    DEPTH: tl.constexpr,
    PACK: tl.constexpr = False,
):
    # Persistent and software-pipelined. grid = (groups * SPLIT,), every program resident at once (the
    # host sizes the grid from the compiled kernel's occupancy). Group g = pid // SPLIT handles rows
    # g, g + groups, ...; its part p = pid % SPLIT always holds columns [p * CHUNK, (p + 1) * CHUNK), so
    # weight and bias can stay in registers (HOLD_WB). The loads of the row DEPTH iterations ahead are
    # issued before the current row's statistics are reduced and exchanged, so memory stays busy while a
    # program waits on its siblings. SPLIT == 1 needs no exchange (the whole row is one chunk).
    #
    # Exchange (SPLIT > 1): at step s a part publishes its chunk statistics in slot[g][s % 2][p] as
    # 64-bit words tagged with s, then polls the group's slots of that parity until all carry tag s.
    # A part can only reach step s + 2 (same parity) once every sibling has published s + 1, i.e. has
    # finished polling step s, so the two parities never overwrite a slot still being read. Steps run on
    # across launches: the first step is one past the newest tag in the program's own two slots, which
    # its siblings, having identical slot histories, read identically (CUDA-graph replays stay correct).
    pid = tl.program_id(0)
    n_groups = tl.num_programs(0) // SPLIT
    group = pid // SPLIT
    part = pid % SPLIT
    cols = part * CHUNK + tl.arange(0, CHUNK)
    mask = cols < n_cols
    if HOLD_WB:
        if HAS_W:
            w_raw = tl.load(w_ptr + cols, mask=mask, other=0.0)
        if HAS_B:
            b_raw = tl.load(b_ptr + cols, mask=mask, other=0.0)
    if SPLIT > 1:
        count = tl.minimum(n_cols - part * CHUNK, CHUNK).to(tl.float32)
        own = slots_ptr + (group * 2 * SPLIT + part) * 2
        t0 = (tl.load(own, cache_modifier=".cg") >> 32).to(tl.int32)
        t1 = (tl.load(own + SPLIT * 2, cache_modifier=".cg") >> 32).to(tl.int32)
        step = tl.where(t0 - t1 > 0, t0, t1)  # newest tag, also across a 32-bit wrap
        parts = tl.arange(0, triton.next_power_of_2(SPLIT))

    # Rows ahead are loaded as whole 32-bit words when x (and the residual) are 16-bit (PACK): a loop-
    # carried tensor of 16-bit values is unpacked right after its load, which would wait for the load
    # in the same iteration; words are only unpacked when the row is used.
    if PACK:
        HALF: tl.constexpr = CHUNK // 2
        ahead_offs = part * HALF + tl.arange(0, HALF)
        ahead_mask = ahead_offs < n_cols // 2
        xa_ptr = x_ptr.to(tl.pointer_type(tl.int32), bitcast=True)
        ra_ptr = res_ptr.to(tl.pointer_type(tl.int32), bitcast=True)
        xa_stride = stride_x // 2
        ra_stride = stride_res // 2
    else:
        ahead_offs = cols
        ahead_mask = mask
        xa_ptr = x_ptr
        ra_ptr = res_ptr
        xa_stride = stride_x
        ra_stride = stride_res

    # Prologue: the first DEPTH rows of this group.
    r0 = group.to(tl.int64)
    x_n1 = tl.load(xa_ptr + r0 * xa_stride + ahead_offs, mask=ahead_mask, other=0)
    if HAS_RES:
        r_n1 = tl.load(ra_ptr + r0 * ra_stride + ahead_offs, mask=ahead_mask, other=0)
    if DEPTH == 2:
        r1 = group + n_groups
        m1 = ahead_mask & (r1 < n_rows)
        x_n2 = tl.load(xa_ptr + r1.to(tl.int64) * xa_stride + ahead_offs, mask=m1, other=0)
        if HAS_RES:
            r_n2 = tl.load(ra_ptr + r1.to(tl.int64) * ra_stride + ahead_offs, mask=m1, other=0)

    for row_i in range(group, n_rows, n_groups):
        row = tl.cast(row_i, tl.int64)
        x = _unpack_row(x_n1, x_ptr.dtype.element_ty, PACK)
        if HAS_RES:
            x = x + _unpack_row(r_n1, res_ptr.dtype.element_ty, PACK)
        # Issue the loads of the row DEPTH steps ahead before anything waits.
        ahead = row_i + DEPTH * n_groups
        amask = ahead_mask & (ahead < n_rows)
        a64 = ahead.to(tl.int64)
        if DEPTH == 2:
            x_n1 = x_n2
            x_n2 = tl.load(xa_ptr + a64 * xa_stride + ahead_offs, mask=amask, other=0)
            if HAS_RES:
                r_n1 = r_n2
                r_n2 = tl.load(ra_ptr + a64 * ra_stride + ahead_offs, mask=amask, other=0)
        else:
            x_n1 = tl.load(xa_ptr + a64 * xa_stride + ahead_offs, mask=amask, other=0)
            if HAS_RES:
                r_n1 = tl.load(ra_ptr + a64 * ra_stride + ahead_offs, mask=amask, other=0)
        if HAS_RES:
            tl.store(res_out_ptr + row * stride_res_out + cols, x.to(res_out_ptr.dtype.element_ty), mask=mask)

        if SPLIT == 1:
            if IS_LN:
                mean = tl.sum(x, axis=0) / n_cols
                xc = tl.where(mask, x - mean, 0.0)
                var = tl.sum(xc * xc, axis=0) / n_cols
            else:
                mean = 0.0
                var = tl.sum(x * x, axis=0) / n_cols
        else:
            step = step + 1
            base = slots_ptr + (group * 2 + (step & 1)) * (SPLIT * 2)
            if IS_LN:
                local_mean = tl.sum(x, axis=0) / count
                xc = tl.where(mask, x - local_mean, 0.0)
                local_m2 = tl.sum(xc * xc, axis=0)
                tl.store(base + part * 2 + 1, _pack(step, local_mean))
            else:
                local_m2 = tl.sum(x * x, axis=0)
            tl.store(base + part * 2, _pack(step, local_m2))
            mean, var, _ = _await_row_stats(base + parts * 2, parts, step, n_cols, IS_LN, SPLIT, CHUNK)

        rstd = 1.0 / tl.sqrt(var + eps)
        y = (x - mean) * rstd
        if HAS_W:
            if not HOLD_WB:
                w_raw = tl.load(w_ptr + cols, mask=mask, other=0.0)
            y = y * (w_raw.to(tl.float32) + w_offset)
        if HAS_B:
            if not HOLD_WB:
                b_raw = tl.load(b_ptr + cols, mask=mask, other=0.0)
            y = y + b_raw.to(tl.float32)
        tl.store(y_ptr + row * stride_y + cols, y.to(y_ptr.dtype.element_ty), mask=mask)
