"""Program descriptor of ``layer_norm_rm``: CB plan, work split, kernel arguments.

Work unit: one tile-row (32 sticks x W). Tile-rows are split over the whole compute grid with
``split_work_to_cores``; start row and row count are runtime args, so idle cores get a count of 0 and
return at once.

Column blocking. ``blk`` (<= 4 tiles, the fp32-DEST half-sync capacity) is the unit of every
element-wise step and of pack-untilize. ``chunk`` (a multiple of ``blk`` dividing Wt) is how many tilized
tiles of x stay in L1 at once. When the whole tile-row fits (``chunk == Wt``) x is read and tilized once
per row and reused by all three passes (mean, variance, normalize); otherwise every pass re-reads its
chunk from DRAM and the per-chunk row sums are combined by a second reduce.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import ttnn

KERNEL_DIR = Path(__file__).parent / "kernels"

# Conservative per-core L1 for CBs on Wormhole when the device cannot tell us (about 1.5 MB of L1 minus
# firmware, kernel config and allocator reservations).
DEFAULT_L1_CB_BUDGET = 1_300_000
DEST_TILES = 4  # half-sync DEST with fp32_dest_acc_en=True
TILE = 32

# CB indices (inputs 0-7, constants 8-15, outputs 16-23, intermediates 24-31).
CB_RM_IN, CB_GAMMA, CB_BETA = 0, 1, 2
CB_SCALER, CB_EPS, CB_ONES, CB_NEG_ONE, CB_MEAN_LO = 8, 9, 10, 11, 12
CB_OUT_RM = 16
CB_X, CB_SQ, CB_PART, CB_MEAN, CB_VAR, CB_ISTD, CB_T0, CB_T1 = 24, 25, 26, 27, 28, 29, 30, 31


def l1_cb_budget(device) -> int:
    """CB bytes available per core: the emulator's figure when it has one, else the WH constant."""
    try:
        from emulator.device_info import l1_cb_budget as query
    except ImportError:
        return DEFAULT_L1_CB_BUDGET
    return int(query(device))


def fp32_bits(value: float) -> int:
    return struct.unpack("<I", struct.pack("<f", value))[0]


def bf16_bits(value: float) -> int:
    """bf16 bit pattern of ``value`` rounded to nearest even (the host-side constant, not a kernel rounding)."""
    bits = fp32_bits(value)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) & 0xFFFF


@dataclass(frozen=True)
class ColumnPlan:
    Wt: int
    blk: int
    chunk: int
    cbs: tuple  # (index, pages) per CB
    tile_bytes: int

    @property
    def n_chunks(self) -> int:
        return self.Wt // self.chunk

    @property
    def l1_bytes(self) -> int:
        return sum(pages * cb_tile_bytes(index) for index, pages in self.cbs)


def cb_tile_bytes(index: int) -> int:
    return ttnn.tile_size(ttnn.float32 if index in FP32_CBS else ttnn.bfloat16)


# Row statistics (and chunk partial sums) live in fp32 CBs; everything else is bfloat16.
FP32_CBS = (CB_PART, CB_MEAN, CB_MEAN_LO, CB_VAR, CB_ISTD)


def _cb_pages(Wt: int, blk: int, chunk: int, has_gamma: bool, has_beta: bool) -> tuple:
    n_chunks = Wt // chunk
    cbs = [
        (CB_NEG_ONE, 1),
        (CB_MEAN_LO, 1),
        (CB_RM_IN, 2 * blk),
        (CB_SCALER, 1),
        (CB_EPS, 1),
        (CB_OUT_RM, 2 * blk),
        (CB_X, chunk),
        (CB_SQ, chunk),
        (CB_MEAN, 1),
        (CB_VAR, 1),
        (CB_ISTD, 1),
        (CB_T0, blk),
        (CB_T1, blk),
    ]
    if has_gamma:
        cbs.append((CB_GAMMA, 2 * blk))
    if has_beta:
        cbs.append((CB_BETA, 2 * blk))
    if n_chunks > 1:
        cbs += [(CB_ONES, 1), (CB_PART, n_chunks)]
    return tuple(cbs)


def plan_columns(W: int, tile_bytes: int, has_gamma: bool, has_beta: bool, budget: int) -> ColumnPlan:
    """Largest resident chunk that fits ``budget``; raises ValueError when even streaming cannot fit."""
    Wt = W // TILE
    blk = max(d for d in range(1, DEST_TILES + 1) if Wt % d == 0)
    for chunk in sorted((d for d in range(blk, Wt + 1, blk) if Wt % d == 0), reverse=True):
        plan = ColumnPlan(Wt, blk, chunk, _cb_pages(Wt, blk, chunk, has_gamma, has_beta), tile_bytes)
        if plan.l1_bytes <= budget:
            return plan
    smallest = ColumnPlan(Wt, blk, blk, _cb_pages(Wt, blk, blk, has_gamma, has_beta), tile_bytes)
    raise ValueError(
        f"layer_norm_rm: W={W} needs {smallest.l1_bytes} bytes of circular buffers per core even when "
        f"streamed in {blk}-tile column blocks, over the L1 budget of {budget} bytes"
    )


def plan_for(input_tensor, gamma, beta) -> ColumnPlan:
    """The column plan of these tensors on their device; ValueError when the CBs cannot fit its L1."""
    return plan_columns(
        input_tensor.shape[-1],
        ttnn.tile_size(ttnn.bfloat16),
        gamma is not None,
        beta is not None,
        l1_cb_budget(input_tensor.device()),
    )


def core_assignment(grid, num_rows: int):
    """[(core, start_row, n_rows)] for every core of the grid; cores without work get n_rows = 0."""
    _, _, group_1, group_2, per_core_1, per_core_2 = ttnn.split_work_to_cores(grid, num_rows)
    counts = {}
    for group, per_core in ((group_1, per_core_1), (group_2, per_core_2)):
        for rng in group.ranges():
            for y in range(rng.start.y, rng.end.y + 1):
                for x in range(rng.start.x, rng.end.x + 1):
                    counts[(x, y)] = per_core
    out, start = [], 0
    for y in range(grid.y):
        for x in range(grid.x):
            n = counts.get((x, y), 0)
            out.append((x, y, start if n else 0, n))
            start += n
    return out


def create_program_descriptor(input_tensor, gamma, beta, output_tensor, *, epsilon: float):
    shape = list(input_tensor.shape)
    W = shape[-1]
    num_rows = 1
    for d in shape[:-1]:
        num_rows *= d
    num_tile_rows = num_rows // TILE
    dtype = ttnn.bfloat16
    elem_bytes = 2
    has_gamma, has_beta = gamma is not None, beta is not None

    device = input_tensor.device()
    plan = plan_for(input_tensor, gamma, beta)

    grid = device.compute_with_storage_grid_size()
    all_cores = ttnn.CoreRangeSet(
        [ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(grid.x - 1, grid.y - 1))]
    )

    cbs = []
    for index, pages in plan.cbs:
        cb_dtype = ttnn.float32 if index in FP32_CBS else dtype
        page = ttnn.tile_size(cb_dtype)
        cbs.append(
            ttnn.CBDescriptor(
                total_size=pages * page,
                core_ranges=all_cores,
                format_descriptors=[
                    ttnn.CBFormatDescriptor(buffer_index=index, data_format=cb_dtype, page_size=page)
                ],
            )
        )

    # Optional tensors keep their accessor slot: the input's words stand in when absent.
    in_args = ttnn.TensorAccessorArgs(input_tensor).get_compile_time_args()
    gamma_args = ttnn.TensorAccessorArgs(gamma).get_compile_time_args() if has_gamma else in_args
    beta_args = ttnn.TensorAccessorArgs(beta).get_compile_time_args() if has_beta else in_args
    reader_ct = [plan.Wt, plan.blk, plan.chunk, int(has_gamma), int(has_beta), elem_bytes]
    reader_ct += list(in_args) + list(gamma_args) + list(beta_args)
    writer_ct = [plan.Wt, plan.blk, elem_bytes] + list(
        ttnn.TensorAccessorArgs(output_tensor).get_compile_time_args()
    )
    compute_ct = [plan.Wt, plan.blk, plan.chunk, int(has_gamma), int(has_beta)]

    scaler_bits = bf16_bits(1.0 / W)
    eps_bits = bf16_bits(epsilon)
    src = input_tensor.buffer_address()
    g_addr = gamma.buffer_address() if has_gamma else 0
    b_addr = beta.buffer_address() if has_beta else 0
    dst = output_tensor.buffer_address()

    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    for x, y, start, n in core_assignment(grid, num_tile_rows):
        reader_rt[x][y] = [src, g_addr, b_addr, start, n, scaler_bits, eps_bits]
        writer_rt[x][y] = [dst, start, n]
        compute_rt[x][y] = [n]

    reader = ttnn.KernelDescriptor(
        kernel_source=str(KERNEL_DIR / "layer_norm_rm_reader.cpp"),
        core_ranges=all_cores,
        compile_time_args=reader_ct,
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    writer = ttnn.KernelDescriptor(
        kernel_source=str(KERNEL_DIR / "layer_norm_rm_writer.cpp"),
        core_ranges=all_cores,
        compile_time_args=writer_ct,
        runtime_args=writer_rt,
        config=ttnn.WriterConfigDescriptor(),
    )
    # HiFi4: every multiply (x*istd, *gamma) uses all mantissa bits. fp32 DEST: the row sums accumulate
    # Wt*32 terms and must not round to bf16 at every step.
    config = ttnn.ComputeConfigDescriptor(
        math_fidelity=ttnn.MathFidelity.HiFi4,
        math_approx_mode=False,
        fp32_dest_acc_en=True,
        dst_full_sync_en=False,
    )
    # The mean is copied into DEST exactly (not through the truncating SrcA) to split off its low part.
    modes = [ttnn.UnpackToDestMode.Default] * 32
    modes[CB_MEAN] = ttnn.UnpackToDestMode.UnpackToDestFp32
    config.unpack_to_dest_mode = modes
    compute = ttnn.KernelDescriptor(
        kernel_source=str(KERNEL_DIR / "layer_norm_rm_compute.cpp"),
        core_ranges=all_cores,
        compile_time_args=compute_ct,
        runtime_args=compute_rt,
        config=config,
    )
    return ttnn.ProgramDescriptor(kernels=[reader, writer, compute], semaphores=[], cbs=cbs)
