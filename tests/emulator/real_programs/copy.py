"""ttnn.copy's SameMemoryConfig factory (data_movement/copy/device/copy_same_memory_config_program_factory.cpp):
interleaved page copy over every core, tiled or row-major, forwards or backwards, with eltwise_copy.cpp
converting the data format when the output dtype differs (a typecast copy)."""

from __future__ import annotations

import torch
import ttnn

from tests.emulator.real_programs import wheel

READER_TILED = "ttnn/cpp/ttnn/operations/data_movement/copy/device/kernels/reader_unary_start_id.cpp"
WRITER_TILED = "ttnn/cpp/ttnn/operations/data_movement/copy/device/kernels/writer_unary_start_id.cpp"
READER_RM = "ttnn/cpp/ttnn/kernel/dataflow/reader_unary_stick_layout_interleaved_start_id.cpp"
WRITER_RM = "ttnn/cpp/ttnn/kernel/dataflow/writer_unary_stick_layout_interleaved_start_id.cpp"
COMPUTE_COPY = "ttnn/cpp/ttnn/kernel/compute/eltwise_copy.cpp"


def descriptor(inp, out, *, backwards: bool = False) -> ttnn.ProgramDescriptor:
    device = inp.device()
    tilized = out.layout == ttnn.TILE_LAYOUT
    in_unit = inp.buffer_page_size()
    out_unit = out.buffer_page_size()
    num_units = out.buffer_num_pages()
    convert = inp.dtype != out.dtype
    all_cores, g1, g2, n1, n2, per_core = wheel.split(device, num_units)

    cbs = [wheel.cb(0, inp.dtype, inp.buffer_aligned_page_size(), 2, all_cores)]
    out_cb = 0
    if convert:
        out_cb = 16
        cbs.append(wheel.cb(16, out.dtype, out.buffer_aligned_page_size(), 2, all_cores))

    if tilized:
        reader_ct, writer_ct = [], [out_cb]
    else:
        reader_ct, writer_ct = [0, in_unit], [out_cb, out_unit]
    reader_ct += ttnn.TensorAccessorArgs(inp).get_compile_time_args()
    writer_ct += ttnn.TensorAccessorArgs(out).get_compile_time_args()
    defines = [("BACKWARDS", "1")] if backwards else []

    reader_rt, writer_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    start = num_units - 1 if backwards else 0
    for (x, y), n in per_core:
        if tilized:
            reader_rt[x][y] = [inp.buffer_address(), n, start]
            writer_rt[x][y] = [out.buffer_address(), n, start]
        else:
            reader_rt[x][y] = [inp.buffer_address(), in_unit, n, start, 1]
            writer_rt[x][y] = [out.buffer_address(), out_unit, n, start, 1]
        start += -n if backwards else n

    kernels = [
        ttnn.KernelDescriptor(
            kernel_source=wheel.kernel(READER_TILED if tilized else READER_RM),
            core_ranges=all_cores,
            compile_time_args=reader_ct,
            defines=defines,
            runtime_args=reader_rt,
            config=ttnn.ReaderConfigDescriptor(),
        ),
        ttnn.KernelDescriptor(
            kernel_source=wheel.kernel(WRITER_TILED if tilized else WRITER_RM),
            core_ranges=all_cores,
            compile_time_args=writer_ct,
            defines=defines,
            runtime_args=writer_rt,
            config=ttnn.WriterConfigDescriptor(),
        ),
    ]
    if convert:
        for group, n in ((g1, n1), (g2, n2)):
            if group.num_cores() == 0:
                continue
            kernels.append(
                ttnn.KernelDescriptor(
                    kernel_source=wheel.kernel(COMPUTE_COPY),
                    core_ranges=group,
                    compile_time_args=[n],
                    runtime_args=[],
                    config=ttnn.ComputeConfigDescriptor(),
                )
            )
    return ttnn.ProgramDescriptor(kernels=kernels, semaphores=[], cbs=cbs)


def _run(device, x, in_dtype, out_dtype, layout, backwards=False):
    inp = wheel.to_device(x, in_dtype, layout, device)
    out = wheel.empty(x.shape, out_dtype, layout, device)
    ttnn.generic_op([inp, out], descriptor(inp, out, backwards=backwards))
    return ttnn.to_torch(out)


def tiled_copy(device):
    x = torch.randn(2, 3, 96, 160).to(torch.bfloat16)
    got = _run(device, x, ttnn.bfloat16, ttnn.bfloat16, ttnn.TILE_LAYOUT)
    wheel.assert_close(got, x.double(), what="tiled copy")


def tiled_copy_backwards(device):
    x = torch.randn(1, 5, 64, 96).to(torch.bfloat16)
    got = _run(device, x, ttnn.bfloat16, ttnn.bfloat16, ttnn.TILE_LAYOUT, backwards=True)
    wheel.assert_close(got, x.double(), what="backwards tiled copy")


def row_major_copy(device):
    x = torch.randn(3, 7, 48).to(torch.bfloat16)
    got = _run(device, x, ttnn.bfloat16, ttnn.bfloat16, ttnn.ROW_MAJOR_LAYOUT)
    wheel.assert_close(got, x.double(), what="row-major copy")


def typecast_copy_bf16_to_fp32(device):
    """bf16 -> fp32 through eltwise_copy.cpp: every bf16 value is exact in fp32."""
    x = torch.randn(1, 2, 64, 128).to(torch.bfloat16)
    got = _run(device, x, ttnn.bfloat16, ttnn.float32, ttnn.TILE_LAYOUT)
    assert got.dtype == torch.float32
    wheel.assert_close(got, x.double(), what="bf16->fp32 copy")


def typecast_copy_fp32_to_bf16(device):
    """fp32 -> bf16 through eltwise_copy.cpp: the packer rounds to nearest (ties away) per element."""
    x = torch.randn(1, 1, 64, 96, dtype=torch.float32) * 3
    got = _run(device, x, ttnn.float32, ttnn.bfloat16, ttnn.TILE_LAYOUT)
    wheel.assert_close(got, x.double(), ulps=1, what="fp32->bf16 copy")
