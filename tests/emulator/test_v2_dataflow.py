"""Emulator v2 data movement: the wheel's own unary reader and writer kernels (dataflow_api.h, Noc, DataflowBuffer,
TensorAccessor, all unmodified) move a tiled DRAM tensor through a CB on every core, on BRISC and NCRISC threads
whose CB counters are the emulated stream registers and whose NoC traffic goes through command buffers."""

from __future__ import annotations

import pytest
import torch
import ttnn

from emulator import wheel_build
from emulator.launcher import EmulatorError, EmulatorHang
from tests.emulator.programs import KERNELS, each_core, split

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


def compute_config(fp32_dest_acc_en: bool, unpack_to_dest_fp32: bool):
    config = ttnn.ComputeConfigDescriptor(fp32_dest_acc_en=fp32_dest_acc_en)
    if unpack_to_dest_fp32:
        modes = [ttnn.UnpackToDestMode.Default] * 32
        modes[0] = ttnn.UnpackToDestMode.UnpackToDestFp32
        config.unpack_to_dest_mode = modes
    return config


def copy_through_compute(
    inp, out, fp32_dest_acc_en: bool, unpack_to_dest_fp32: bool = False, kernel: str = "v2_copy_tiles.cpp"
):
    """The wheel's reader and writer around a compute kernel that copies tile by tile (CB 0 -> DEST -> CB 16)."""
    device = inp.device()
    page = inp.buffer_page_size()
    all_cores, groups = split(device, inp.buffer_num_pages())
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    start = 0
    for group, n in groups:
        for x, y in each_core(group):
            reader_rt[x][y] = [inp.buffer_address(), n, start]
            writer_rt[x][y] = [out.buffer_address(), n, start]
            compute_rt[x][y] = [n]
            start += n
    root = wheel_build.wheel_root() / UNARY
    cbs = [
        ttnn.CBDescriptor(
            total_size=2 * page,
            core_ranges=all_cores,
            format_descriptors=[
                ttnn.CBFormatDescriptor(buffer_index=i, data_format=inp.dtype, page_size=page)
            ],
        )
        for i in (0, 16)
    ]
    reader = ttnn.KernelDescriptor(
        kernel_source=str(root / "reader_unary_interleaved_start_id.cpp"),
        core_ranges=all_cores,
        compile_time_args=[*ttnn.TensorAccessorArgs(inp).get_compile_time_args()],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    compute = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / kernel),
        core_ranges=all_cores,
        runtime_args=compute_rt,
        config=compute_config(fp32_dest_acc_en, unpack_to_dest_fp32),
    )
    writer = ttnn.KernelDescriptor(
        kernel_source=str(root / "writer_unary_interleaved_start_id.cpp"),
        core_ranges=all_cores,
        compile_time_args=[16, *ttnn.TensorAccessorArgs(out).get_compile_time_args()],
        runtime_args=writer_rt,
        config=ttnn.WriterConfigDescriptor(),
    )
    return ttnn.ProgramDescriptor(kernels=[reader, compute, writer], semaphores=[], cbs=cbs)


def test_deadlock_names_each_kernel_line_call_core_risc_and_cb(device):
    """The writer waits on CB 16, which nothing fills; the reader fills CB 0 and then waits for space no one frees.
    The op ends at once (not at the livelock timeout) with each thread's kernel line, wheel call, core, RISC, CB."""
    x = torch.randn((1, 1, 256, 1024), dtype=torch.bfloat16)  # 4 tiles per core: more than CB 0's 2 pages
    inp = ttnn.from_torch(x, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(inp.spec, device)
    program = copy_through_compute(inp, out, False)
    program.kernels = [program.kernels[0], program.kernels[2]]  # no compute kernel
    with pytest.raises(EmulatorHang) as err:
        ttnn.generic_op([inp, out], program)
    report = str(err.value)
    assert "deadlock" in report
    reader = next(ln for ln in report.splitlines() if "reader_unary_interleaved_start_id.cpp on core" in ln)
    writer = next(ln for ln in report.splitlines() if "writer_unary_interleaved_start_id.cpp on core" in ln)
    assert "brisc" in reader and "cb_reserve_back" in reader and "on CB 0" in reader
    assert "ncrisc" in writer and "cb_wait_front" in writer and "on CB 16" in writer
    src = (
        (wheel_build.wheel_root() / UNARY / "reader_unary_interleaved_start_id.cpp").read_text().splitlines()
    )
    line = int(reader.split("reader_unary_interleaved_start_id.cpp:")[1].split(",")[0])
    assert "reserve_back" in src[line - 1]


@pytest.mark.parametrize("receivers", [1, 5])
def test_multicast_and_semaphore_handshake(device, receivers):
    """Core (0,0) multicasts a DRAM tile into CB 0 of cores (1..n, 0) once each has incremented its semaphore by NoC
    atomic, then multicasts a valid flag behind the data; each receiver writes what it got to its own output page.
    ProgramDescriptor semaphores, get_semaphore, multicast writes and semaphore sets, atomics and barriers."""
    x = torch.randn((1, 1, 32, 32), dtype=torch.bfloat16)
    inp = ttnn.from_torch(x, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.from_torch(
        torch.zeros((1, 1, 32, 32 * receivers), dtype=torch.bfloat16), layout=ttnn.TILE_LAYOUT, device=device
    )
    page = inp.buffer_page_size()
    sender = ttnn.CoreCoord(0, 0)
    rect = ttnn.CoreRange(ttnn.CoreCoord(1, 0), ttnn.CoreCoord(receivers, 0))
    everyone = ttnn.CoreRangeSet([ttnn.CoreRange(sender, ttnn.CoreCoord(receivers, 0))])
    start = device.worker_core_from_logical_core(rect.start)
    end = device.worker_core_from_logical_core(rect.end)
    me = device.worker_core_from_logical_core(sender)
    sender_rt, receiver_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    sender_rt[0][0] = [inp.buffer_address(), start.x, start.y, end.x, end.y, receivers]
    for i in range(receivers):
        receiver_rt[i + 1][0] = [out.buffer_address(), me.x, me.y, i]
    cb = ttnn.CBDescriptor(
        total_size=page,
        core_ranges=everyone,
        format_descriptors=[ttnn.CBFormatDescriptor(buffer_index=0, data_format=inp.dtype, page_size=page)],
    )
    kernels = [
        ttnn.KernelDescriptor(
            kernel_source=str(KERNELS / "v2_mcast_sender.cpp"),
            core_ranges=ttnn.CoreRangeSet([ttnn.CoreRange(sender, sender)]),
            compile_time_args=[0, 1, *ttnn.TensorAccessorArgs(inp).get_compile_time_args()],
            runtime_args=sender_rt,
            config=ttnn.ReaderConfigDescriptor(),
        ),
        ttnn.KernelDescriptor(
            kernel_source=str(KERNELS / "v2_mcast_receiver.cpp"),
            core_ranges=ttnn.CoreRangeSet([rect]),
            compile_time_args=[0, 1, *ttnn.TensorAccessorArgs(out).get_compile_time_args()],
            runtime_args=receiver_rt,
            config=ttnn.ReaderConfigDescriptor(),
        ),
    ]
    semaphores = [ttnn.SemaphoreDescriptor(id=i, core_ranges=everyone, initial_value=0) for i in (0, 1)]
    ttnn.generic_op([inp, out], ttnn.ProgramDescriptor(kernels=kernels, semaphores=semaphores, cbs=[cb]))
    got = ttnn.to_torch(out)
    for i in range(receivers):
        assert torch.equal(got[..., 32 * i : 32 * (i + 1)], x), f"receiver {i}"


def test_kernel_returning_with_a_read_in_flight_is_an_error(device):
    x = torch.randn((1, 1, 32, 32), dtype=torch.bfloat16)
    inp = ttnn.from_torch(x, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(inp.spec, device)
    core = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(0, 0))])
    rt = ttnn.RuntimeArgs()
    rt[0][0] = [inp.buffer_address()]
    page = inp.buffer_page_size()
    program = ttnn.ProgramDescriptor(
        kernels=[
            ttnn.KernelDescriptor(
                kernel_source=str(KERNELS / "v2_read_without_barrier.cpp"),
                core_ranges=core,
                compile_time_args=[*ttnn.TensorAccessorArgs(inp).get_compile_time_args()],
                runtime_args=rt,
                config=ttnn.ReaderConfigDescriptor(),
            )
        ],
        semaphores=[],
        cbs=[
            ttnn.CBDescriptor(
                total_size=page,
                core_ranges=core,
                format_descriptors=[
                    ttnn.CBFormatDescriptor(buffer_index=0, data_format=inp.dtype, page_size=page)
                ],
            )
        ],
    )
    with pytest.raises(EmulatorError, match=r"v2_read_without_barrier\.cpp.*core \(0,0\).*still in flight"):
        ttnn.generic_op([inp, out], program)
