"""Emulator v2 data movement: the wheel's own unary reader and writer kernels (dataflow_api.h, Noc, DataflowBuffer,
TensorAccessor, all unmodified) move a tiled DRAM tensor through a CB on every core, on BRISC and NCRISC threads
whose CB counters are the emulated stream registers and whose NoC traffic goes through command buffers."""

from __future__ import annotations

import pytest
import torch
import ttnn

from emulator import wheel_build
from tests.emulator.programs import each_core, split

UNARY = "ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels/dataflow"


@pytest.fixture(autouse=True)
def wheel_api(monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_API", "wheel")


def copy_program(inp, out, cb_pages: int):
    device = inp.device()
    pages = inp.buffer_num_pages()
    page = inp.buffer_page_size()
    all_cores, groups = split(device, pages)
    reader_rt, writer_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    start = 0
    for group, n in groups:
        for x, y in each_core(group):
            reader_rt[x][y] = [inp.buffer_address(), n, start]
            writer_rt[x][y] = [out.buffer_address(), n, start]
            start += n
    root = wheel_build.wheel_root() / UNARY
    cb = ttnn.CBDescriptor(
        total_size=cb_pages * page,
        core_ranges=all_cores,
        format_descriptors=[ttnn.CBFormatDescriptor(buffer_index=0, data_format=inp.dtype, page_size=page)],
    )
    reader = ttnn.KernelDescriptor(
        kernel_source=str(root / "reader_unary_interleaved_start_id.cpp"),
        core_ranges=all_cores,
        compile_time_args=[*ttnn.TensorAccessorArgs(inp).get_compile_time_args()],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    writer = ttnn.KernelDescriptor(
        kernel_source=str(root / "writer_unary_interleaved_start_id.cpp"),
        core_ranges=all_cores,
        compile_time_args=[0, *ttnn.TensorAccessorArgs(out).get_compile_time_args()],
        runtime_args=writer_rt,
        config=ttnn.WriterConfigDescriptor(),
    )
    return ttnn.ProgramDescriptor(kernels=[reader, writer], semaphores=[], cbs=[cb])


@pytest.mark.parametrize(
    "shape, cb_pages", [((1, 1, 32, 64), 2), ((2, 3, 96, 160), 1), ((1, 1, 256, 512), 4)]
)
def test_wheel_unary_reader_writer_copy(device, shape, cb_pages):
    x = torch.randn(shape, dtype=torch.bfloat16)
    x.view(-1)[:4] = torch.tensor([0.0, -0.0, float("inf"), -float("inf")], dtype=torch.bfloat16)
    inp = ttnn.from_torch(x, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(inp.spec, device)
    ttnn.generic_op([inp, out], copy_program(inp, out, cb_pages))
    got = ttnn.to_torch(out)
    assert torch.equal(got.view(torch.int16), x.view(torch.int16))
