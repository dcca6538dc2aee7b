"""ttnn's unary SFPU ops as their device program: the unary factory's layout of the wheel's own kernels.

On silicon `ttnn.exp(t)` runs eltwise_sfpu.cpp between the interleaved start-id reader and writer, its tiles
split over the grid by split_work_to_cores, the op spliced in as SFPU_OP_CHAIN_0. On the wheel-API build the
emulator runs that same program, so a native op's result is the device's bits (tt-metal's tests compare a
generic_op program against such an op with allclose at its default, bit-tight tolerance: only the device's own
SFPU algorithm passes that, not a correctly rounded host reference)."""

from __future__ import annotations

from emulator import wheel_build

UNARY_KERNELS = "ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels"

# op -> (include define, SFPU chain with {approx} for fast_and_approximate_mode, the op's default for it),
# as unary_op_utils spells them for the wheel's compute API.
SFPU_OPS: dict[str, tuple[str, str, bool]] = {
    "exp": ("SFPU_OP_EXP_INCLUDE", "exp_tile_init<{approx}u>(); exp_tile<{approx}u>(0);", False),
    "gelu": ("SFPU_OP_GELU_INCLUDE", "gelu_tile_init<{approx}u>(); gelu_tile<{approx}u>(0);", True),
    "erf": ("SFPU_OP_ERF_ERFC_INCLUDE", "erf_tile_init<{approx}u>(); erf_tile<{approx}u>(0);", False),
    "sqrt": ("SFPU_OP_SQRT_INCLUDE", "sqrt_tile_init(); sqrt_tile(0);", False),
    "rsqrt": ("SFPU_OP_RSQRT_INCLUDE", "rsqrt_tile_init(); rsqrt_tile(0);", False),
    "reciprocal": ("SFPU_OP_RECIP_INCLUDE", "recip_tile_init(); recip_tile(0);", False),
    "neg": ("SFPU_OP_NEG_INCLUDE", "negative_tile_init(); negative_tile(0);", False),
}
# Keyword arguments the program honours; any other one sends the call to the host reference.
KWARGS = frozenset(["fast_and_approximate_mode", "memory_config"])


def runs(ttnn, short: str, tensor, kwargs) -> bool:
    """Whether `short`(tensor, **kwargs) is one this program covers: a bf16 tiled interleaved DRAM tensor."""
    return (
        short in SFPU_OPS
        and set(kwargs) <= KWARGS
        and tensor.dtype == ttnn.bfloat16
        and tensor.layout == ttnn.TILE_LAYOUT
        and tensor.memory_config() == ttnn.DRAM_MEMORY_CONFIG
        and kwargs.get("memory_config") in (None, ttnn.DRAM_MEMORY_CONFIG)
    )


def _cores_in_order(num_cores: int, grid) -> list[tuple[int, int]]:
    # grid_to_cores, column by column (the factory's row_major = false)
    return [(i // grid.y, i % grid.y) for i in range(num_cores)]


def run(ttnn, short: str, tensor, kwargs):
    include, chain, approx_default = SFPU_OPS[short]
    approx = bool(kwargs.get("fast_and_approximate_mode", approx_default))
    device = tensor.device()
    out = ttnn.allocate_tensor_on_device(
        ttnn.Shape(list(tensor.shape)), ttnn.bfloat16, ttnn.TILE_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG
    )
    kernels_dir = wheel_build.wheel_root() / UNARY_KERNELS
    grid = device.compute_with_storage_grid_size()
    num_tiles = tensor.buffer_num_pages()
    num_cores, all_cores, g1, _g2, n1, n2 = ttnn.split_work_to_cores(grid, num_tiles)
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    start = 0
    for i, (x, y) in enumerate(_cores_in_order(num_cores, grid)):
        n = n1 if i < g1.num_cores() else n2
        reader_rt[x][y] = [tensor.buffer_address(), n, start]
        writer_rt[x][y] = [out.buffer_address(), n, start]
        compute_rt[x][y] = [n]
        start += n
    page = tensor.buffer_page_size()
    cbs = [
        ttnn.CBDescriptor(
            total_size=2 * page,
            core_ranges=all_cores,
            format_descriptors=[
                ttnn.CBFormatDescriptor(buffer_index=index, data_format=ttnn.bfloat16, page_size=page)
            ],
        )
        for index in (0, 2)
    ]
    compute_config = ttnn.ComputeConfigDescriptor()
    compute_config.math_fidelity = ttnn.MathFidelity.HiFi4
    kernels = [
        ttnn.KernelDescriptor(
            kernel_source=str(kernels_dir / "dataflow/reader_unary_interleaved_start_id.cpp"),
            core_ranges=all_cores,
            compile_time_args=ttnn.TensorAccessorArgs(tensor).get_compile_time_args(),
            runtime_args=reader_rt,
            config=ttnn.ReaderConfigDescriptor(),
        ),
        ttnn.KernelDescriptor(
            kernel_source=str(kernels_dir / "dataflow/writer_unary_interleaved_start_id.cpp"),
            core_ranges=all_cores,
            compile_time_args=[2, *ttnn.TensorAccessorArgs(out).get_compile_time_args()],
            runtime_args=writer_rt,
            config=ttnn.WriterConfigDescriptor(),
        ),
        ttnn.KernelDescriptor(
            kernel_source=str(kernels_dir / "compute/eltwise_sfpu.cpp"),
            core_ranges=all_cores,
            defines=[
                ("SFPU_OP_CHAIN_0", chain.format(approx=int(approx))),
                (include, "1"),
                ("INP_FLOAT", "1"),
            ],
            runtime_args=compute_rt,
            config=compute_config,
        ),
    ]
    return ttnn.generic_op([tensor, out], ttnn.ProgramDescriptor(kernels=kernels, semaphores=[], cbs=cbs))
