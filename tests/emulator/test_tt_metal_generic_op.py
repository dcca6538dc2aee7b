"""tt-metal's own generic_op test (tests/ttnn/unit_tests/operations/debug/test_generic_op.py, test_eltwise_exp),
reproduced case for case on the emulator: the same parametrization (1, 12, 64 and 128 tiles), the same
descriptors built the same way (split_work_to_cores over an 8x8 grid, one core group, CBs of two bf16 tiles,
TensorAccessorArgs compile-time args, start-tile runtime args), kernels named by the same tt-metal-relative
paths, the same golden (ttnn.exp on the device input tensor) and the same assertion (torch.allclose at its
default tolerances, i.e. the same bf16 values).

One difference, forced by what the wheel ships: the test's compute kernel lives in tt-metal's test tree
(tests/tt_metal/tt_metal/test_kernels/compute/eltwise_sfpu.cpp), which the wheel does not install. The wheel's
copy of that kernel, ttnn/cpp/ttnn/operations/examples/example/device/kernels/compute/eltwise_sfpu.cpp, takes
the same compile-time args (block count, block size) and SFPU_OP_CHAIN_0 and packs to CB c_2 instead of
c_16, so the output CB index here is 2.

The golden goes through ttnn.exp on an emulated tensor. On silicon that is the unary factory's program, the
same SFPU exp, and allclose at its default tolerance asks for the same bits: Wormhole's bf16 exp is not
correctly rounded (about one element in five lands one bf16 step from float64's rounding), so no host
reference could pass it. On the wheel-API build emulator/native_ops.py runs ttnn.exp as that program of the
wheel's kernels (with a warning naming the op); the output is also checked against float64 exp, the
independent reference."""

from __future__ import annotations

import pytest
import torch
import ttnn

from emulator import native_ops
from tests.emulator.real_programs import wheel

READER = (
    "ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels/dataflow/reader_unary_interleaved_start_id.cpp"
)
WRITER = (
    "ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels/dataflow/writer_unary_interleaved_start_id.cpp"
)
COMPUTE = "ttnn/cpp/ttnn/operations/examples/example/device/kernels/compute/eltwise_sfpu.cpp"
OUT_CB = 2  # the wheel's eltwise_sfpu.cpp packs to c_2 (tt-metal's test-tree copy to c_16)


def eltwise_exp_program(input_tensor, output_tensor, num_tiles):
    """The descriptors of test_eltwise_exp, built as it builds them."""
    max_core = ttnn.CoreCoord(7, 7)
    all_cores = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(0, 0), max_core)])
    (_, core_grid, core_group_1, core_group_2, work_per_core1, _) = ttnn.split_work_to_cores(
        all_cores, num_tiles
    )
    assert len(core_group_2.ranges()) == 0  # the compute kernel takes its tile count at compile time

    cb_page_size = 2 * 1024
    cbs = [
        ttnn.CBDescriptor(
            total_size=2 * cb_page_size,
            core_ranges=core_grid,
            format_descriptors=[
                ttnn.CBFormatDescriptor(buffer_index=index, data_format=ttnn.bfloat16, page_size=cb_page_size)
            ],
        )
        for index in (0, OUT_CB)
    ]

    reader_rt_args, writer_rt_args = ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    current_tile = 0
    for core_range in core_group_1.ranges():
        for x in range(core_range.start.x, core_range.end.x + 1):
            for y in range(core_range.start.y, core_range.end.y + 1):
                reader_rt_args[x][y] = [input_tensor.buffer_address(), work_per_core1, current_tile]
                writer_rt_args[x][y] = [output_tensor.buffer_address(), work_per_core1, current_tile]
                current_tile += work_per_core1

    reader = ttnn.KernelDescriptor(
        kernel_source=READER,
        source_type=ttnn.KernelDescriptor.SourceType.FILE_PATH,
        core_ranges=core_grid,
        compile_time_args=ttnn.TensorAccessorArgs(input_tensor).get_compile_time_args(),
        runtime_args=reader_rt_args,
        config=ttnn.ReaderConfigDescriptor(),
    )
    writer = ttnn.KernelDescriptor(
        kernel_source=WRITER,
        source_type=ttnn.KernelDescriptor.SourceType.FILE_PATH,
        core_ranges=core_grid,
        compile_time_args=[OUT_CB, *ttnn.TensorAccessorArgs(output_tensor).get_compile_time_args()],
        runtime_args=writer_rt_args,
        config=ttnn.WriterConfigDescriptor(),
    )
    compute = ttnn.KernelDescriptor(
        kernel_source=COMPUTE,
        core_ranges=core_grid,
        compile_time_args=[work_per_core1, 1],
        defines=[("SFPU_OP_EXP_INCLUDE", "1"), ("SFPU_OP_CHAIN_0", "exp_tile_init(); exp_tile(0);")],
        runtime_args=[],
        config=ttnn.ComputeConfigDescriptor(),
    )
    return ttnn.ProgramDescriptor(kernels=[reader, writer, compute], semaphores=[], cbs=cbs)


@pytest.mark.parametrize("num_tiles", [1, 12, 64, 128])
def test_eltwise_exp(device, num_tiles, monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_API", "wheel")
    monkeypatch.setattr(native_ops, "_warned", set())
    shape = [1, num_tiles, 32, 32]
    data = torch.rand(shape).to(torch.bfloat16)
    input_tensor = ttnn.from_torch(
        data,
        dtype=ttnn.bfloat16,
        layout=ttnn.TILE_LAYOUT,
        device=device,
        memory_config=ttnn.DRAM_MEMORY_CONFIG,
    )
    output_tensor = ttnn.allocate_tensor_on_device(
        ttnn.Shape(shape), ttnn.bfloat16, ttnn.TILE_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG
    )

    output = ttnn.generic_op(
        [input_tensor, output_tensor], eltwise_exp_program(input_tensor, output_tensor, num_tiles)
    )
    with pytest.warns(native_ops.EmulatedProgramWarning, match="^ttnn.exp ran on the emulated device"):
        golden = ttnn.exp(input_tensor)

    torch_golden = ttnn.to_torch(golden)
    torch_output = ttnn.to_torch(output)
    assert torch.allclose(torch_golden, torch_output)
    wheel.assert_close(torch_output, torch.exp(data.double()), ulps=1, what="exp")
