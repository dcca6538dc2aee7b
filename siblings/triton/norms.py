"""Host wrappers for the Triton norm kernels: shape checks, launch configuration, outputs.

Casting mode "fp32-then-cast": x (and residual) are widened to fp32, statistics, weight (``1 + w`` for
Gemma), and bias are applied in fp32, and y is rounded once to ``out_dtype`` (default: x's dtype).
Weight and bias may have a different dtype from x (e.g. fp32 weights with bf16 activations).

On CPU tensors the kernels run in Triton's interpreter (set ``TRITON_INTERPRET=1`` before triton is
imported); there the row-splitting kernel is replaced by the two-pass looped kernel, because the
interpreter runs programs one after another and a cross-program wait would never finish.
"""

from __future__ import annotations

import os
from typing import NamedTuple

import torch

from siblings.triton import decode, kernels, staged
from siblings.triton.launch import launch

SUPPORTED_DTYPES = (torch.float32, torch.float16, torch.bfloat16)

# Launch tunables, keyed by element size where it matters (measured on an H200; see
# benchmarks/gpu_norms.py --tune, and --candidates for the per-size entries at the end). max_row_block: the largest row one program keeps in registers before
# the row is split across programs; split_chunk / split_warps: the share of a row each program of the
# split kernel holds.
TUNING = {
    "max_row_block": {4: 16384, 2: 16384},
    # Small rows: [elements per program, warps] of the multi-row tile, per op (0 warps: heuristic).
    "tile_rms": {4: [2048, 4], 2: [2048, 4]},
    "tile_ln": {4: [8192, 16], 2: [2048, 4]},
    "split_chunk": {4: 8192, 2: 32768},
    "split_warps": {4: 4, 2: 16},
    "split_preload": {4: False, 2: True},
    "row_warps_max": {4: 16, 2: 16},
    # Warps for few-row (decode) launches, where latency rather than bandwidth decides; 0: heuristic.
    # RMSNorm, and LayerNorm (two dependent reductions, so its best count can differ).
    "decode_warps": {4: 8, 2: 8},
    "decode_warps_ln": {4: 8, 2: 8},
    # LayerNorm at those launches of two or more rows (one per program): statistics from one reduction
    # tree (decode.py) instead of the row tile's two; a single row keeps the row tile, which was ahead
    # there by ~0.02 µs in CUDA-graph replays.
    "decode_tree_ln": {4: True, 2: True},
    "preload_max_per_thread": 16,
    # Per hidden size (next power of two), for launches of >= TILE_MIN_PROGRAMS programs (bandwidth-bound;
    # decode-size launches keep the rules above): {block_n: [rows per program, warps]}, optionally a
    # third entry forcing the weight/bias preload on or off.
    "tiles_rms": {4: {16384: [2, 16]}, 2: {16384: [1, 8]}},
    "tiles_ln": {
        4: {16384: [2, 32]},
        2: {512: [16, 8], 4096: [2, 8], 16384: ["staged", 2048, 2, 4, 1, 0, 1]},
    },
    # A tile entry may instead be ["pipe", ...] or ["staged", ...] as below (one chunk per row when
    # chunk >= block_n).
    # Large rows (block_n > max_row_block), per hidden size (the nearest listed size applies):
    # ["split"] (the row-split kernel with split_chunk / split_warps / split_preload),
    # ["split", chunk, warps, preload(, 16-bit x held as words)], ["persist", programs per SM, chunk,
    # warps, cache hints], or
    # ["pipe", chunk, warps, hold weight/bias in registers, rows loaded ahead, programs-per-SM cap], or
    # ["staged", chunk, warps, rows(, weight/bias in registers(, register cap(, a copy group per row)))]
    # (staged.py: a program holds one chunk of `rows` rows in shared memory, and that chunk of weight and
    # bias in shared memory or in registers; no residual).
    # The shared-memory kernel won every large-row shape (gpu_norms_candidates_5/_6.json: 2-4 rows per
    # program); weight and bias in registers where registers are to spare (_7.json), a register cap
    # where one more program per multiprocessor then fits (_8/_9.json), and a copy group per row where it
    # was ahead in both sweeps that had it (_10/_11.json; not fp32 LayerNorm).
    "large_rms": {
        4: {65536: ["staged", 4096, 4, 2, 1, 0, 1], 262144: ["staged", 4096, 4, 2, 1, 0, 1]},
        2: {65536: ["staged", 4096, 4, 4, 1, 0, 1], 262144: ["staged", 4096, 4, 4, 1, 0, 1]},
    },
    "large_ln": {
        4: {65536: ["staged", 4096, 4, 4, 1], 262144: ["staged", 4096, 4, 4, 1]},
        2: {65536: ["staged", 2048, 2, 4, 1, 96, 1], 262144: ["staged", 4096, 4, 4, 1, 96, 1]},
    },
    # Where the shared-memory kernel does not apply (a fused residual, unaligned rows, no Gluon): the
    # split kernel, as tuned before it (bf16: x held as 32-bit words, without weight preload).
    "large_split_rms": {
        4: {65536: ["split", 8192, 4, True], 262144: ["split"]},
        2: {65536: ["split", 8192, 4, False, True], 262144: ["split", 4096, 2, False, True]},
    },
    "large_split_ln": {
        4: {65536: ["split"], 262144: ["split", 16384, 8, True]},
        2: {65536: ["split", 16384, 8, False, True], 262144: ["split", 8192, 4, False, True]},
    },
}


# Row-tile overrides apply from this many programs up (about eight per SM on an H200).
TILE_MIN_PROGRAMS = 1024


class LaunchPlan(NamedTuple):
    """How one call is launched; exposed so tests and the benchmark can name the path taken. (A named
    tuple: built on every call, where a frozen dataclass costs a few µs of host time.)"""

    path: str  # "rows" | "row_tree" | "split" | "persist" | "pipe" | "staged" | "looped"
    rows_per_program: int
    block: int
    split: int
    num_warps: int
    hints: bool = False  # persist: L2 eviction hints
    per_sm: float = 0.0  # persist: programs per multiprocessor; pipe: a cap on them (0: occupancy)
    preload: bool | None = None  # rows / split: load weight and bias before the statistics (None: rule)
    hold: bool = False  # pipe, staged: weight and bias stay in registers across rows
    depth: int = 1  # pipe: rows loaded ahead of the one being normalised
    pack: bool = False  # split: hold 16-bit x as 32-bit words through the exchange (no residual)
    max_regs: int = 0  # staged: register cap per thread (0: the compiler's choice)
    row_copies: bool = False  # staged: a copy group per row, each row's statistics as soon as it lands


def _cdiv(a: int, b: int) -> int:
    return -(-a // b)


def _next_pow2(n: int) -> int:
    """triton.next_power_of_2 without its constexpr-function wrapper (about 2 µs a call on the host)."""
    return 1 << (n - 1).bit_length() if n > 1 else 1


def _by_size(table: dict, block_n: int):
    """The entry of a {block_n: value} table for this size: exact, else the nearest in log2 (None if
    empty). Keys may be strings when the table came from JSON."""
    if not table:
        return None
    keyed = {int(k): v for k, v in table.items()}
    if block_n in keyed:
        return keyed[block_n]
    near = min(keyed, key=lambda k: (abs(k.bit_length() - block_n.bit_length()), k))
    return keyed[near]


def _pipe_plan(entry, n_cols: int) -> LaunchPlan:
    """["pipe", chunk, warps, hold weight/bias, depth, programs-per-SM cap (0: occupancy)]."""
    _, chunk, warps, hold, depth, cap = (list(entry) + [1, 1, 0])[:6]
    chunk = min(int(chunk), _next_pow2(n_cols))
    split = _cdiv(n_cols, chunk)
    return LaunchPlan(
        "pipe", 1, chunk, split, int(warps), per_sm=float(cap), hold=bool(hold), depth=int(depth)
    )


def _staged_plan(entry, n_cols: int, size: int) -> LaunchPlan:
    """["staged", chunk, warps, rows, weight/bias in registers, register cap, a copy group per row]: a
    chunk is at least one 16-byte copy per thread; a program whose chunk is the whole row takes one row."""
    _, chunk, warps, *optional = entry
    defaults = [1, 0, 0, 0]  # rows, weight/bias in registers, register cap, a copy group per row
    rows, hold, max_regs, row_copies = list(optional)[:4] + defaults[len(optional) :]
    warps, rows = int(warps), int(rows)
    if rows < 1 or rows & (rows - 1):
        raise ValueError(f"staged entry {entry}: rows per program must be a power of two")
    least = staged.elements_per_copy(size) * 32 * warps
    chunk = min(max(int(chunk), least), max(_next_pow2(n_cols), least))
    split = _cdiv(n_cols, chunk)
    return LaunchPlan(
        "staged",
        rows if split > 1 else 1,
        chunk,
        split,
        warps,
        hold=bool(hold),
        max_regs=int(max_regs),
        row_copies=bool(row_copies),
    )


def _preload_fits(elements: int, warps: int) -> bool:
    """Whether a tile of this many elements may load weight and bias before its statistics (registers)."""
    return elements <= TUNING["preload_max_per_thread"] * 32 * warps


def _interpreting() -> bool:
    return os.environ.get("TRITON_INTERPRET", "0") not in ("", "0")


def _split_disabled() -> bool:
    return os.environ.get("SIBLINGS_TRITON_NO_SPLIT", "0") not in ("", "0")


def _pipe_ok(on_gpu: bool) -> bool:
    """Kernels whose programs wait on each other (or that assume co-residence) need a real GPU."""
    return on_gpu and not _interpreting() and not _split_disabled()


def _staged_ok(on_gpu: bool) -> bool:
    """The shared-memory kernel is Gluon with cp.async: a real GPU, Triton with Gluon."""
    return staged.AVAILABLE and _pipe_ok(on_gpu)


def plan_launch(
    n_rows: int,
    n_cols: int,
    dtype: torch.dtype,
    on_gpu: bool,
    is_ln: bool = False,
    allow_staged: bool = True,
) -> LaunchPlan:
    """The launch for an [n_rows, n_cols] input. ``allow_staged=False`` skips "staged" entries (the
    caller's tensors do not suit that kernel) in favour of what would apply without them."""
    size = 4 if dtype == torch.float32 else 2
    block_n = _next_pow2(n_cols)
    if block_n <= TUNING["max_row_block"][size]:
        tile_elems, tile_warps = TUNING["tile_ln" if is_ln else "tile_rms"][size]
        rows = max(1, min(64, tile_elems // block_n))
        # Don't starve the GPU of programs on short inputs.
        rows = min(rows, _next_pow2(max(1, n_rows)))
        elems = rows * block_n
        warps = min(
            4 if elems < 2048 else 8 if elems < 8192 else 16 if elems < 32768 else 32,
            TUNING["row_warps_max"][size],
        )
        if rows > 1 and tile_warps:
            warps = tile_warps
        preload = None
        tiles = {int(k): v for k, v in TUNING["tiles_ln" if is_ln else "tiles_rms"][size].items()}
        tile = tiles.get(block_n)
        # Measured on large inputs; on short ones more rows per program would starve the GPU.
        if tile and tile[0] == "pipe":
            if n_rows >= TILE_MIN_PROGRAMS and _pipe_ok(on_gpu):
                return _pipe_plan(tile, n_cols)
        elif tile and tile[0] == "staged":
            if n_rows >= TILE_MIN_PROGRAMS and allow_staged and _staged_ok(on_gpu):
                return _staged_plan(tile, n_cols, size)
        elif tile and _cdiv(n_rows, tile[0]) >= TILE_MIN_PROGRAMS:
            rows, warps = tile[0], tile[1]
            preload = bool(tile[2]) if len(tile) > 2 else None
        decode = TUNING["decode_warps_ln" if is_ln else "decode_warps"][size]
        if n_rows <= 64 and decode:
            warps = decode
            if block_n >= 1024:
                rows = 1  # a few rows: one per program, so that they run in parallel
                # Weight and bias are loaded up front, so only rows that the preload rule allows. The
                # interpreter folds a custom reduction left to right, not as a tree: GPU only.
                tree = n_rows > 1 and _preload_fits(block_n, warps)
                if is_ln and tree and TUNING["decode_tree_ln"][size] and on_gpu and not _interpreting():
                    return LaunchPlan("row_tree", 1, block_n, 1, warps)
        return LaunchPlan("rows", rows, block_n, 1, warps, preload=preload)
    chunk = TUNING["split_chunk"][size]
    if _pipe_ok(on_gpu):
        large = _by_size(TUNING["large_ln" if is_ln else "large_rms"][size], block_n)
        if large and large[0] == "pipe":
            return _pipe_plan(large, n_cols)
        if large and large[0] == "staged":
            if allow_staged and _staged_ok(on_gpu):
                return _staged_plan(large, n_cols, size)
            large = _by_size(TUNING["large_split_ln" if is_ln else "large_split_rms"][size], block_n)
        if large and large[0] == "persist":
            _, per_sm, p_chunk, p_warps, hints = large
            return LaunchPlan("persist", 1, p_chunk, 1, p_warps, hints=bool(hints), per_sm=float(per_sm))
        warps, preload = TUNING["split_warps"][size], TUNING["split_preload"][size]
        pack = False
        if large and len(large) >= 4:
            _, chunk, warps, preload, pack = (list(large) + [False])[:5]
        split = _cdiv(n_cols, chunk)
        return LaunchPlan("split", 1, chunk, split, warps, preload=bool(preload), pack=bool(pack))
    return LaunchPlan("looped", 1, min(chunk, 4096), 1, 8)


_SM_COUNT: dict = {}


def _sm_count(device: torch.device) -> int:
    if device.type != "cuda":
        return 4  # the interpreter: any small grid exercises the row loop
    if device not in _SM_COUNT:
        _SM_COUNT[device] = torch.cuda.get_device_properties(device).multi_processor_count
    return _SM_COUNT[device]


_SLOTS: dict[tuple, torch.Tensor] = {}
_RESIDENT: dict[tuple, int] = {}
RESOURCES: dict[tuple, dict] = {}  # what the occupancy was derived from, for the benchmark's records


def _resident_per_sm(kernel, args: tuple, kwargs: dict, device: torch.device) -> int:
    """How many programs of this compiled kernel fit on one multiprocessor at once (registers, shared
    memory, threads; at most 32), from the compiled kernel's resource use. The pipe kernel's programs
    wait on each other, so its grid must never exceed this times the multiprocessor count."""
    if device.type != "cuda":
        return 1

    def spec(a):  # what Triton specialises a launch on, roughly: dtypes, and 1 / multiples of 16
        if isinstance(a, torch.Tensor):
            return str(a.dtype)
        if isinstance(a, int):
            return (a == 1, a % 16 == 0)
        return type(a).__name__

    key = (device, tuple(spec(a) for a in args), tuple(sorted(kwargs.items())))
    if key not in _RESIDENT:
        num_warps = kwargs.get("num_warps", 4)
        props = torch.cuda.get_device_properties(device)
        try:
            compiled = kernel.warmup(*args, grid=(1,), **kwargs)
            compiled._init_handles()
            n_regs = int(compiled.n_regs)
            shared = int(compiled.metadata.shared)
        except Exception:  # noqa: BLE001 - unknown resource use: one program per SM always fits
            _RESIDENT[key] = 1
            return 1
        # Registers are allocated per warp in units of 256.
        regs_per_warp = max(256, -(-n_regs * 32 // 256) * 256)
        by_regs = props.regs_per_multiprocessor // regs_per_warp // num_warps
        by_threads = props.max_threads_per_multi_processor // (32 * num_warps)
        smem_sm = getattr(props, "shared_memory_per_multiprocessor", 0) or 0
        by_smem = smem_sm // (shared + 1024) if shared and smem_sm else 32
        _RESIDENT[key] = max(1, min(by_regs, by_threads, by_smem, 32))
        RESOURCES[key] = {"regs": n_regs, "shared": shared, "per_sm": _RESIDENT[key]}
    return _RESIDENT[key]


def _pipe_slots(groups: int, split: int, device: torch.device) -> torch.Tensor:
    """The pipe kernel's exchange slots [group][parity][part][word], per (device, stream, split).

    Every part of a group has the same slot history (each step writes all of them), which is what lets
    the kernel continue its step count from its own slots; a new buffer starts at tag 0 everywhere.
    """
    key = ("pipe", device, torch.cuda.current_stream(device).cuda_stream, split)
    buf = _SLOTS.get(key)
    if buf is None or buf.shape[0] < groups:
        buf = torch.zeros((max(groups, 1024), 2, split, 2), dtype=torch.int64, device=device)
        _SLOTS[key] = buf
    return buf


def _split_slots(n_rows: int, split: int, device: torch.device) -> torch.Tensor:
    """The split kernel's statistics slots, one buffer per (device, stream, split).

    The slots of a row always hold one generation number, which each launch advances by one; a buffer
    shared between splits or between concurrently running streams would mix generations, hence the key.
    A new buffer starts at generation 0 everywhere.
    """
    key = (device, torch.cuda.current_stream(device).cuda_stream, split)
    buf = _SLOTS.get(key)
    if buf is None or buf.shape[0] < n_rows:
        buf = torch.zeros((max(n_rows, 1024), split, 2), dtype=torch.int64, device=device)
        _SLOTS[key] = buf
    return buf


def _check(name: str, t: torch.Tensor | None, n_cols: int, vector: bool):
    if t is None:
        return
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
    if t.dtype not in SUPPORTED_DTYPES:
        raise ValueError(f"{name} has dtype {t.dtype}; supported: float32, float16, bfloat16")
    if vector and (t.dim() != 1 or t.shape[0] != n_cols):
        raise ValueError(
            f"{name} must have shape ({n_cols},) to match the last dim of x, got {tuple(t.shape)}"
        )


def _rows(t: torch.Tensor, n_cols: int) -> torch.Tensor:
    t2 = t if t.dim() == 2 else t.reshape(-1, n_cols)
    return t2 if t2.stride(-1) == 1 else t2.contiguous()


def _words_ok(x2: torch.Tensor, res2: torch.Tensor | None, n_cols: int) -> bool:
    """Whether 16-bit rows can be read as whole 32-bit words (even width, aligned rows)."""
    return n_cols % 2 == 0 and all(
        t.element_size() == 2 and t.stride(0) % 2 == 0 and t.data_ptr() % 4 == 0
        for t in (x2, res2)
        if t is not None
    )


def _staged_fits(x2: torch.Tensor, res2: torch.Tensor | None, w, b, n_cols: int) -> bool:
    """Whether the shared-memory kernel takes these rows: no residual (it stages x alone), a device with
    cp.async, rows that are whole 16-byte copies (aligned start and stride, width a multiple of the
    copy), and weight and bias that start 16-byte aligned."""
    vec = staged.elements_per_copy(x2.element_size())
    return (
        res2 is None
        and torch.cuda.get_device_capability(x2.device)[0] >= 8
        and n_cols % vec == 0
        and x2.stride(0) % vec == 0
        and x2.data_ptr() % 16 == 0
        and all(t is None or t.data_ptr() % 16 == 0 for t in (w, b))
    )


def _norm(x, weight, bias, residual, eps, w_offset, is_ln, out_dtype, residual_dtype, out=None):
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if x.dim() < 1 or x.shape[-1] == 0:
        raise ValueError(f"x must have a non-empty last dimension, got shape {tuple(x.shape)}")
    if not eps >= 0:
        raise ValueError(f"eps must be >= 0, got {eps}")
    n_cols = x.shape[-1]
    _check("x", x, n_cols, vector=False)
    _check("weight", weight, n_cols, vector=True)
    _check("bias", bias, n_cols, vector=True)
    _check("residual", residual, n_cols, vector=False)
    if residual is not None and residual.shape != x.shape:
        raise ValueError(f"residual shape {tuple(residual.shape)} != x shape {tuple(x.shape)}")
    for t in (weight, bias, residual):
        if t is not None and t.device != x.device:
            raise ValueError(f"all tensors must be on {x.device}, got one on {t.device}")
    out_dtype = out_dtype or x.dtype
    if out_dtype not in SUPPORTED_DTYPES:
        raise ValueError(f"out_dtype {out_dtype} is not supported")

    x2 = _rows(x, n_cols)
    n_rows = x2.shape[0]
    if out is not None:
        # Destination-passing style (FlashInfer-Bench solutions): write straight into the caller's tensor.
        if (
            out.shape != x.shape
            or out.dtype != out_dtype
            or out.device != x.device
            or not out.is_contiguous()
        ):
            raise ValueError(
                f"out must be a contiguous {out_dtype} tensor of shape {tuple(x.shape)} on {x.device}, "
                f"got {out.dtype} {tuple(out.shape)} on {out.device}"
            )
        y = out.view(n_rows, n_cols)
    else:
        y = torch.empty((n_rows, n_cols), dtype=out_dtype, device=x.device)
    res2 = res_out = None
    if residual is not None:
        res2 = _rows(residual, n_cols)
        res_out = torch.empty((n_rows, n_cols), dtype=residual_dtype or residual.dtype, device=x.device)
    if n_rows == 0:
        y = y.reshape(x.shape)
        return (y, res_out.reshape(x.shape)) if residual is not None else y

    # Unused pointer arguments get x; the constexpr flags keep them untouched.
    args = (
        x2,
        res2 if res2 is not None else x2,
        weight if weight is not None else x2,
        bias if bias is not None else x2,
        y,
        res_out if res_out is not None else y,
    )
    strides = (
        x2.stride(0),
        res2.stride(0) if res2 is not None else 0,
        y.stride(0),
        res_out.stride(0) if res_out is not None else 0,
    )
    flags = {
        "IS_LN": is_ln,
        "HAS_W": weight is not None,
        "HAS_B": bias is not None,
        "HAS_RES": residual is not None,
    }
    plan = plan_launch(n_rows, n_cols, x.dtype, on_gpu=x.is_cuda, is_ln=is_ln)
    if plan.path == "staged" and not _staged_fits(x2, res2, weight, bias, n_cols):
        plan = plan_launch(n_rows, n_cols, x.dtype, on_gpu=x.is_cuda, is_ln=is_ln, allow_staged=False)
        if plan.path == "staged":  # the kernel would ignore the residual or misread the rows
            raise RuntimeError("plan_launch(allow_staged=False) returned a staged plan")
    if plan.path == "rows":
        grid = (_cdiv(n_rows, plan.rows_per_program),)
        launch(
            kernels.norm_rows_kernel,
            grid,
            *args,
            n_rows,
            n_cols,
            *strides,
            float(eps),
            float(w_offset),
            **flags,
            ROWS=plan.rows_per_program,
            BLOCK_N=plan.block,
            num_warps=plan.num_warps,
            PRELOAD_WB=plan.preload
            if plan.preload is not None
            else _preload_fits(plan.rows_per_program * plan.block, plan.num_warps),
        )
    elif plan.path == "row_tree":
        launch(
            decode.layer_norm_row_kernel,
            (n_rows,),
            x2,
            args[2],
            args[3],
            y,
            n_cols,
            x2.stride(0),
            y.stride(0),
            float(eps),
            HAS_W=weight is not None,
            HAS_B=bias is not None,
            BLOCK_N=plan.block,
            VEC=staged.elements_per_copy(x2.element_size()),
            num_warps=plan.num_warps,
        )
    elif plan.path == "persist":
        programs = max(1, min(n_rows, round(plan.per_sm * _sm_count(x.device))))
        launch(
            kernels.norm_persist_kernel,
            (programs,),
            *args,
            n_rows,
            n_cols,
            *strides,
            float(eps),
            float(w_offset),
            **flags,
            CHUNK=plan.block,
            num_warps=plan.num_warps,
            XE1="evict_last" if plan.hints else "",
            XE2="evict_first" if plan.hints else "",
        )
    elif plan.path == "pipe":
        # 16-bit rows are loaded ahead as 32-bit words (see the kernel).
        pack = _words_ok(x2, res2, n_cols)
        kw = dict(
            flags,
            SPLIT=plan.split,
            CHUNK=plan.block,
            HOLD_WB=plan.hold,
            DEPTH=plan.depth,
            PACK=pack,
            num_warps=plan.num_warps,
        )
        scalars = (n_rows, n_cols, *strides, float(eps), float(w_offset))
        slots = _pipe_slots(1, plan.split, x.device) if plan.split > 1 else y
        per_sm = _resident_per_sm(kernels.norm_pipe_kernel, (*args, slots, *scalars), kw, x.device)
        if plan.per_sm:
            per_sm = min(per_sm, int(plan.per_sm))
        groups = min(n_rows, per_sm * _sm_count(x.device) // plan.split)
        if groups < 1:
            raise RuntimeError(f"pipe: {plan.split} programs per row do not fit on the device at once")
        if plan.split > 1:
            slots = _pipe_slots(groups, plan.split, x.device)
        launch(kernels.norm_pipe_kernel, (groups * plan.split,), *args, slots, *scalars, **kw)
    elif plan.path == "staged":
        # The same slots as the split kernel (both move every slot of a row on by one generation), for
        # whole groups of rows.
        groups = _cdiv(n_rows, plan.rows_per_program)
        slots = _split_slots(groups * plan.rows_per_program, plan.split, x.device) if plan.split > 1 else y
        vec = staged.elements_per_copy(x2.element_size())
        launch(
            staged.norm_staged_kernel,
            (plan.split, groups),
            x2,
            args[2],
            args[3],
            y,
            slots,
            n_rows,
            n_cols // vec,
            x2.stride(0) // vec,
            y.stride(0) // vec,
            float(eps),
            float(w_offset),
            IS_LN=is_ln,
            HAS_W=weight is not None,
            HAS_B=bias is not None,
            SPLIT=plan.split,
            CHUNK=plan.block,
            ROWS=plan.rows_per_program,
            VEC=vec,
            NUM_WARPS=plan.num_warps,
            WB_REGS=plan.hold,
            ROW_COPIES=plan.row_copies,
            num_warps=plan.num_warps,
            **({"maxnreg": plan.max_regs} if plan.max_regs else {}),
        )
    elif plan.path == "split":
        slots = _split_slots(n_rows, plan.split, x.device)
        launch(
            kernels.norm_split_kernel,
            (plan.split, n_rows),
            *args,
            slots,
            n_cols,
            *strides,
            float(eps),
            float(w_offset),
            **flags,
            SPLIT=plan.split,
            CHUNK=plan.block,
            num_warps=plan.num_warps,
            PRELOAD_WB=plan.preload,
            PACK=plan.pack and res2 is None and _words_ok(x2, None, n_cols),
        )
    else:
        launch(
            kernels.norm_looped_kernel,
            (n_rows,),
            *args,
            n_cols,
            *strides,
            float(eps),
            float(w_offset),
            **flags,
            CHUNK=plan.block,
            num_warps=plan.num_warps,
        )
    if x.dim() != 2:
        y = y.reshape(x.shape)
        res_out = res_out.reshape(x.shape) if residual is not None else None
    return (y, res_out) if residual is not None else y


def rms_norm(x, weight=None, eps: float = 1e-6, *, out_dtype=None, out=None):
    """RMSNorm over the last dim: x * rsqrt(mean(x^2) + eps) * weight."""
    return _norm(x, weight, None, None, eps, 0.0, False, out_dtype, None, out)


def gemma_rms_norm(x, weight, eps: float = 1e-6, *, out_dtype=None):
    """Gemma's RMSNorm: the weight is stored as an offset from one, y = x_hat * (1 + weight)."""
    if weight is None:
        raise ValueError("gemma_rms_norm needs a weight (the (1 + w) scale)")
    return _norm(x, weight, None, None, eps, 1.0, False, out_dtype, None)


def fused_add_rms_norm(
    x,
    residual,
    weight=None,
    eps: float = 1e-6,
    *,
    weight_offset: float = 0.0,
    out_dtype=None,
    residual_dtype=None,
    out=None,
):
    """h = x + residual (in fp32); returns (rms_norm(h), h rounded to the residual dtype).

    The norm uses the unrounded fp32 sum, like the FlashInfer-Bench reference.
    """
    if residual is None:
        raise ValueError("fused_add_rms_norm needs a residual tensor")
    return _norm(x, weight, None, residual, eps, weight_offset, False, out_dtype, residual_dtype, out)


def layer_norm(x, weight=None, bias=None, eps: float = 1e-5, *, out_dtype=None, out=None):
    """LayerNorm over the last dim with population variance: (x - mean) * rsqrt(var + eps) * w + b."""
    return _norm(x, weight, bias, None, eps, 0.0, True, out_dtype, None, out)
