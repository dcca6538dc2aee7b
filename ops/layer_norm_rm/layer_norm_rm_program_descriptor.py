"""Program descriptor of ``layer_norm_rm``: CB plan, work split, kernel arguments.

Work unit: one tile-row (32 sticks x W). Tile-rows are split over the whole compute grid with
``split_work_to_cores``; start row and row count are runtime args, so idle cores get a count of 0 and
return at once.

Data CBs take the input's format (bfloat16 or float32); the row statistics are always float32.

Column blocking. ``blk`` (at most the DEST capacity of the compute config: 4 tiles with fp32 DEST in
half-sync) is the unit of every element-wise step and of pack-untilize. ``chunk`` (a multiple of ``blk`` dividing Wt) is how many tilized
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
DEST_TILES = 4  # half-sync DEST with fp32_dest_acc_en=True (the default compute config)
MAX_BLK = 8  # widest pack_untilize block
TILE = 32
# Interleaved L1 buffers: pages aligned to 16 B in each bank, and the allocator reserves multiples of 32 B.
L1_PAGE_ALIGNMENT, L1_ALLOC_GRANULE = 16, 32

# CB indices (inputs 0-7, constants 8-15, outputs 16-23, intermediates 24-31).
CB_RM_IN, CB_GAMMA, CB_BETA = 0, 1, 2
CB_SCALER, CB_EPS, CB_ONES, CB_NEG_ONE, CB_MEAN_LO, CB_LO, CB_NEG_HALF = 8, 9, 10, 11, 12, 13, 14
CB_OUT_RM = 16
CB_X, CB_SQ, CB_PART, CB_MEAN, CB_VAR, CB_ISTD, CB_T0, CB_T1 = 24, 25, 26, 27, 28, 29, 30, 31


def l1_cb_budget(device, extra_l1_bytes: int = 0) -> int:
    """CB bytes available per core, less ``extra_l1_bytes`` per core that an L1 output will take: the
    emulator's figure (which also counts the L1 tensors already allocated) when it has one, else the WH
    constant."""
    try:
        from emulator.device_info import l1_cb_budget as query
    except ImportError:
        return DEFAULT_L1_CB_BUDGET - extra_l1_bytes
    return int(query(device, extra_l1_bytes))


def output_l1_bytes_per_bank(input_tensor, memory_config) -> int:
    """Bytes per core an interleaved L1 output of the input's spec takes (0 for a DRAM output): one L1 bank
    per worker core, ceil(pages / banks) aligned pages in each."""
    if memory_config.buffer_type != ttnn.BufferType.L1:
        return 0
    shape = list(input_tensor.shape)
    pages = 1
    for d in shape[:-1]:
        pages *= d
    page = shape[-1] * (4 if input_tensor.dtype == ttnn.float32 else 2)
    grid = input_tensor.device().compute_with_storage_grid_size()
    aligned = -(-page // L1_PAGE_ALIGNMENT) * L1_PAGE_ALIGNMENT
    per_bank = -(-pages // (grid.x * grid.y)) * aligned
    return max(-(-per_bank // L1_ALLOC_GRANULE) * L1_ALLOC_GRANULE, L1_ALLOC_GRANULE)


@dataclass(frozen=True)
class ComputeSettings:
    """The compute config the kernels run with, resolved from a ttnn.WormholeComputeKernelConfig."""

    math_fidelity: object = ttnn.MathFidelity.HiFi4
    fp32_dest_acc_en: bool = True
    math_approx_mode: bool = False
    dst_full_sync_en: bool = False

    @property
    def dest_tiles(self) -> int:
        """Tiles DEST holds per sync half (all of it with dst_full_sync_en): 16 bf16 or 8 fp32 in all."""
        tiles = 8 if self.fp32_dest_acc_en else 16
        return tiles if self.dst_full_sync_en else tiles // 2

    @staticmethod
    def max_finite(dtype) -> float:
        """Largest finite value of a tile word of ``dtype`` (the epsilon tile's format)."""
        return 3.4028234663852886e38 if dtype == ttnn.float32 else 3.3895313892515355e38

    @classmethod
    def resolve(cls, config, dtype) -> ComputeSettings:
        """Defaults (None): HiFi4, fp32 DEST, exact rsqrt, half-sync. Raises ValueError for what the kernels
        cannot do."""
        if config is None:
            return cls()
        if not isinstance(config, ttnn.WormholeComputeKernelConfig):
            raise ValueError(  # noqa: TRY004 (contract: ValueError)
                f"compute_kernel_config must be a ttnn.WormholeComputeKernelConfig, got {type(config).__name__}"
            )
        if config.packer_l1_acc:
            raise ValueError(
                "packer_l1_acc=True is not supported: the kernels accumulate every row sum in DEST and pack "
                "each result once, so there is no partial result for the packer to accumulate in L1"
            )
        if config.throttle_level != ttnn.ThrottleLevel.NO_THROTTLE:
            raise ValueError(
                f"throttle_level={config.throttle_level} is not supported: throttling slows the FPU's matmul "
                "instructions (a template argument of the matmul LLK), which these kernels do not issue, and a "
                "generic_op's ComputeConfigDescriptor has no field to carry it; leave it at "
                "ttnn.ThrottleLevel.NO_THROTTLE"
            )
        if dtype == ttnn.float32 and not config.fp32_dest_acc_en:
            raise ValueError(
                "float32 input needs fp32_dest_acc_en=True: the kernels unpack float32 CBs straight into DEST "
                "(UnpackToDestFp32, which needs DEST in 32-bit mode) and split each operand into the part the "
                "FPU reads and an exact remainder, which only a 32-bit DEST holds"
            )
        fidelity = config.math_fidelity
        if fidelity == ttnn.MathFidelity.Invalid:
            fidelity = ttnn.MathFidelity.HiFi4
        return cls(
            fidelity,
            bool(config.fp32_dest_acc_en),
            bool(config.math_approx_mode),
            bool(config.dst_full_sync_en),
        )


def fp32_bits(value: float) -> int:
    return struct.unpack("<I", struct.pack("<f", value))[0]


def fp32_rounded_bits(value: float, mantissa_bits: int) -> int:
    """fp32 bits of ``value`` rounded to nearest with ``mantissa_bits`` stored mantissa bits, so the FPU's
    truncating unpack (10 bits in SrcB, 9 usable in SrcA at HiFi4) reads it exactly."""
    drop = 23 - mantissa_bits
    bits = fp32_bits(value) + (1 << (drop - 1))
    return bits & ~((1 << drop) - 1) & 0xFFFFFFFF


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
        return sum(pages * cb_tile_bytes(index, self.tile_bytes) for index, pages in self.cbs)


def cb_tile_bytes(index: int, tile_bytes: int = 2048) -> int:
    """Page size of CB ``index`` when the data CBs have ``tile_bytes`` pages."""
    return ttnn.tile_size(ttnn.float32) if index in FP32_CBS else tile_bytes


# Row statistics (and chunk partial sums) live in fp32 CBs; everything else has the input's format.
FP32_CBS = (CB_PART, CB_MEAN, CB_MEAN_LO, CB_VAR, CB_ISTD)


def cb_dtype(index: int, dtype):
    return ttnn.float32 if index in FP32_CBS else dtype


def _cb_pages(Wt: int, blk: int, chunk: int, has_gamma: bool, has_beta: bool, fp32: bool = False) -> tuple:
    n_chunks = Wt // chunk
    cbs = [
        (CB_NEG_ONE, 1),
        (CB_NEG_HALF, 1),
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
    if fp32:
        cbs.append((CB_LO, blk))
    return tuple(cbs)


def plan_columns(
    W: int, tile_bytes: int, has_gamma: bool, has_beta: bool, budget: int, dest_tiles: int = DEST_TILES
) -> ColumnPlan:
    """Largest resident chunk that fits ``budget``; raises ValueError when even streaming cannot fit."""
    Wt = W // TILE
    fp32 = tile_bytes == ttnn.tile_size(ttnn.float32)
    blk = max(d for d in range(1, min(dest_tiles, MAX_BLK) + 1) if Wt % d == 0)
    for chunk in sorted((d for d in range(blk, Wt + 1, blk) if Wt % d == 0), reverse=True):
        plan = ColumnPlan(Wt, blk, chunk, _cb_pages(Wt, blk, chunk, has_gamma, has_beta, fp32), tile_bytes)
        if plan.l1_bytes <= budget:
            return plan
    smallest = ColumnPlan(Wt, blk, blk, _cb_pages(Wt, blk, blk, has_gamma, has_beta, fp32), tile_bytes)
    raise ValueError(
        f"layer_norm_rm: W={W} needs {smallest.l1_bytes} bytes of circular buffers per core even when "
        f"streamed in {blk}-tile column blocks, over the L1 budget of {budget} bytes"
    )


def plan_for(input_tensor, gamma, beta, settings=None, extra_l1_bytes: int = 0) -> ColumnPlan:
    """The column plan of these tensors on their device; ValueError when the CBs cannot fit its L1 (less
    ``extra_l1_bytes`` per core for an L1 output still to be allocated)."""
    settings = settings or ComputeSettings()
    return plan_columns(
        input_tensor.shape[-1],
        ttnn.tile_size(input_tensor.dtype),
        gamma is not None,
        beta is not None,
        l1_cb_budget(input_tensor.device(), extra_l1_bytes),
        settings.dest_tiles,
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


def create_program_descriptor(input_tensor, gamma, beta, output_tensor, *, epsilon: float, settings=None):
    settings = settings or ComputeSettings()
    shape = list(input_tensor.shape)
    W = shape[-1]
    num_rows = 1
    for d in shape[:-1]:
        num_rows *= d
    num_tile_rows = num_rows // TILE
    dtype = input_tensor.dtype
    fp32 = dtype == ttnn.float32
    elem_bytes = 4 if fp32 else 2
    has_gamma, has_beta = gamma is not None, beta is not None

    device = input_tensor.device()
    plan = plan_for(input_tensor, gamma, beta, settings)

    grid = device.compute_with_storage_grid_size()
    all_cores = ttnn.CoreRangeSet(
        [ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(grid.x - 1, grid.y - 1))]
    )

    cbs = []
    for index, pages in plan.cbs:
        fmt = cb_dtype(index, dtype)
        page = ttnn.tile_size(fmt)
        cbs.append(
            ttnn.CBDescriptor(
                total_size=pages * page,
                core_ranges=all_cores,
                format_descriptors=[
                    ttnn.CBFormatDescriptor(buffer_index=index, data_format=fmt, page_size=page)
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
    compute_ct = [plan.Wt, plan.blk, plan.chunk, int(has_gamma), int(has_beta), int(fp32)]

    if fp32:
        scaler_bits = fp32_rounded_bits(1.0 / W, 9)  # the reduce reads its scaler through SrcA
        eps_bits = fp32_rounded_bits(epsilon, 10)  # SrcB of the scalar-broadcast add
    else:
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
    # Defaults: HiFi4, every multiply (x*istd, *gamma) uses all mantissa bits; fp32 DEST, the row sums
    # accumulate Wt*32 terms and must not round to bf16 at every step.
    config = ttnn.ComputeConfigDescriptor(
        math_fidelity=settings.math_fidelity,
        math_approx_mode=settings.math_approx_mode,
        fp32_dest_acc_en=settings.fp32_dest_acc_en,
        dst_full_sync_en=settings.dst_full_sync_en,
    )
    # The mean is copied into DEST exactly (not through the truncating SrcA) to split off its low part;
    # float32 data (tilize, the operand splits, pack-untilize) goes straight into DEST the same way.
    # (Unpacking to DEST as fp32 needs DEST in 32-bit mode; with a 16-bit DEST the copies round.)
    if settings.fp32_dest_acc_en:
        modes = [ttnn.UnpackToDestMode.Default] * 32
        for cb in (CB_MEAN, CB_RM_IN, CB_X, CB_T0, CB_T1) if fp32 else (CB_MEAN,):
            modes[cb] = ttnn.UnpackToDestMode.UnpackToDestFp32
        config.unpack_to_dest_mode = modes
    compute = ttnn.KernelDescriptor(
        kernel_source=str(KERNEL_DIR / "layer_norm_rm_compute.cpp"),
        core_ranges=all_cores,
        compile_time_args=compute_ct,
        runtime_args=compute_rt,
        config=config,
    )
    return ttnn.ProgramDescriptor(kernels=[reader, writer, compute], semaphores=[], cbs=cbs)
