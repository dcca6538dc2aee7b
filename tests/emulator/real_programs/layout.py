"""Layout programs on the wheel's kernels:
- pack_untilize: untilize's codegen factory, main split (untilize/codegen/untilize_codegen_program_factory.cpp):
  reader_tile_interleaved_unified.cpp (named args seq_id/cb_id/batch/src_page_pitch), compute_untilize.cpp
  (pack_untilize_block over blocks of up to 8 bf16 tiles), writer_untilize_interleaved.cpp; tile rows split
  row-wise over the grid, CBs double-buffered per tile row (its DoubleBoth plan);
- transpose_wh: transpose_wh.cpp fed column-major by reader_unary_transpose_wh_interleaved.cpp, on one core,
  the tiles written in order by writer_unary_interleaved_start_id.cpp."""

from __future__ import annotations

import torch
import ttnn

from tests.emulator.real_programs import wheel

CODEGEN = "data_movement/untilize/codegen/kernels"
TRANSPOSE = "data_movement/transpose/device/kernels"
UNARY = "eltwise/unary/device/kernels"


def pack_untilize_descriptor(inp, out) -> ttnn.ProgramDescriptor:
    shape = inp.padded_shape
    wt = shape[-1] // wheel.TILE
    nc = 1
    for d in list(shape)[:-2]:
        nc *= d
    total_rows = nc * shape[-2] // wheel.TILE
    fp32 = inp.dtype == ttnn.float32
    max_bct = 4 if fp32 else 8
    all_cores, g1, g2, n1, n2, per_core = wheel.split(inp.device(), total_rows, row_wise=True)
    row_bytes = wt * wheel.TILE * out.element_size()
    page = inp.buffer_aligned_page_size()
    cbs = [wheel.cb(0, inp.dtype, page, 2 * wt, all_cores), wheel.cb(16, out.dtype, page, 2 * wt, all_cores)]
    reader_rt, writer_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    assigned = 0
    for (x, y), n in per_core:
        n = min(n, total_rows - assigned)
        reader_rt[x][y] = [inp.buffer_address(), n * wt, assigned * wt]
        writer_rt[x][y] = [out.buffer_address(), n, assigned * wheel.TILE, row_bytes, 0, 0, 0]
        assigned += n
    reader = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(CODEGEN, "reader_tile_interleaved_unified.cpp"),
        core_ranges=all_cores,
        compile_time_args=ttnn.TensorAccessorArgs(inp).get_compile_time_args(),
        named_compile_time_args=[("seq_id", 0), ("cb_id", 0), ("batch", wt), ("src_page_pitch", 0)],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    writer = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(CODEGEN, "writer_untilize_interleaved.cpp"),
        core_ranges=all_cores,
        compile_time_args=[16, row_bytes, *ttnn.TensorAccessorArgs(out).get_compile_time_args(), wt],
        runtime_args=writer_rt,
        config=ttnn.WriterConfigDescriptor(),
    )
    config = wheel.compute_config(fp32_dest_acc_en=fp32)
    if fp32:
        # Float32 would pass through the 19-bit SrcA (TF32); untilize's factories unpack it straight to the 32-bit
        # DEST (UnpackToDestFp32 on the input CB) so that every bit survives.
        modes = [ttnn.UnpackToDestMode.Default] * 32
        modes[0] = ttnn.UnpackToDestMode.UnpackToDestFp32
        config.unpack_to_dest_mode = modes
    computes = [
        ttnn.KernelDescriptor(
            kernel_source=wheel.op_kernel(CODEGEN, "compute_untilize.cpp"),
            core_ranges=group,
            compile_time_args=[n, wt, 0, 16, max_bct],
            runtime_args=[],
            config=config,
        )
        for group, n in ((g1, n1), (g2, n2))
        if group.num_cores() > 0
    ]
    return ttnn.ProgramDescriptor(kernels=[reader, writer, *computes], semaphores=[], cbs=cbs)


def _untilize(device, x, dtype):
    inp = wheel.to_device(x, dtype, ttnn.TILE_LAYOUT, device)
    out = wheel.empty(x.shape, dtype, ttnn.ROW_MAJOR_LAYOUT, device)
    ttnn.generic_op([inp, out], pack_untilize_descriptor(inp, out))
    return ttnn.to_torch(out)


def pack_untilize_bf16(device):
    """Width 12 tiles: pack_untilize in blocks of 6 (the largest divisor of 12 up to 8)."""
    x = torch.randn(2, 96, 384).to(torch.bfloat16)
    wheel.assert_close(_untilize(device, x, ttnn.bfloat16), x.double(), what="pack_untilize bf16")


def pack_untilize_fp32(device):
    """fp32 with fp32 DEST and the input unpacked straight to DEST: blocks of up to 4 tiles, values exact."""
    x = torch.randn(1, 1, 64, 160, dtype=torch.float32)
    wheel.assert_close(_untilize(device, x, ttnn.float32), x.double(), what="pack_untilize fp32")


def transpose_wh_descriptor(inp, out) -> ttnn.ProgramDescriptor:
    shape = inp.padded_shape
    n = shape[0] * shape[1]
    ht, wt = shape[2] // wheel.TILE, shape[3] // wheel.TILE
    total = n * ht * wt
    core = wheel.core_range(0, 0, 0, 0)
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    reader_rt[0][0] = [inp.buffer_address(), n, ht, wt, ht * wt]
    writer_rt[0][0] = [out.buffer_address(), total, 0]
    compute_rt[0][0] = [total]
    reader = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(TRANSPOSE, "dataflow/reader_unary_transpose_wh_interleaved.cpp"),
        core_ranges=core,
        compile_time_args=ttnn.TensorAccessorArgs(inp).get_compile_time_args(),
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    writer = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(UNARY, "dataflow/writer_unary_interleaved_start_id.cpp"),
        core_ranges=core,
        compile_time_args=[16, *ttnn.TensorAccessorArgs(out).get_compile_time_args()],
        runtime_args=writer_rt,
        config=ttnn.WriterConfigDescriptor(),
    )
    compute = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(TRANSPOSE, "compute/transpose_wh.cpp"),
        core_ranges=core,
        runtime_args=compute_rt,
        config=wheel.compute_config(),
    )
    cbs = [
        wheel.cb(0, inp.dtype, inp.buffer_page_size(), 2, core),
        wheel.cb(16, out.dtype, out.buffer_page_size(), 2, core),
    ]
    return ttnn.ProgramDescriptor(kernels=[reader, writer, compute], semaphores=[], cbs=cbs)


def transpose_wh(device):
    x = torch.randn(2, 1, 64, 96).to(torch.bfloat16)
    inp = wheel.to_device(x, device=device)
    out = wheel.empty((2, 1, 96, 64), ttnn.bfloat16, ttnn.TILE_LAYOUT, device)
    ttnn.generic_op([inp, out], transpose_wh_descriptor(inp, out))
    wheel.assert_close(ttnn.to_torch(out), x.double().transpose(-1, -2), what="transpose_wh")
