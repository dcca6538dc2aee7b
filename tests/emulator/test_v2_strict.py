"""Emulator v2 (the wheel's device headers, unmodified): L1-interleaved tensors through the firmware's L1 bank
tables (TensorAccessor / get_noc_addr_from_bank_id), on the default grid and an overridden one; runtime-arg indices
past their list; hangs and livelocks named by kernel line, core and RISC; and every strictness check of the first
generation, each violated by a kernel written against the wheel's own API (and passed by its corrected form), each
report naming the kernel file and line, core, RISC, CB and call."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import ttnn

from emulator import device_info
from emulator.launcher import EmulatorError, EmulatorHang
from tests.emulator import programs
from tests.emulator.programs import KERNELS
from tests.emulator.test_v2_dataflow import copy_program


@pytest.fixture(autouse=True)
def wheel_api(monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_API", "wheel")


def _round_trip(device, shape):
    """DRAM -> L1-interleaved -> DRAM with the wheel's unary reader/writer, checked bit for bit."""
    x = torch.randn(shape, dtype=torch.bfloat16)
    x.view(-1)[:4] = torch.tensor([0.0, -0.0, float("inf"), -float("inf")], dtype=torch.bfloat16)
    src = ttnn.from_torch(x, layout=ttnn.TILE_LAYOUT, device=device)
    l1 = ttnn.allocate_tensor_on_device(
        ttnn.TensorSpec(list(shape), ttnn.bfloat16, ttnn.TILE_LAYOUT, buffer_type=ttnn.BufferType.L1), device
    )
    assert l1.memory_config().buffer_type == ttnn.BufferType.L1
    ttnn.generic_op([src, l1], copy_program(src, l1, 2))
    # The L1 tensor as the host reads it back through the allocator's bank layout, independent of the kernels.
    assert torch.equal(ttnn.to_torch(l1).view(torch.int16), x.view(torch.int16))
    back = ttnn.allocate_tensor_on_device(src.spec, device)
    ttnn.generic_op([l1, back], copy_program(l1, back, 2))
    assert torch.equal(ttnn.to_torch(back).view(torch.int16), x.view(torch.int16))


@pytest.mark.parametrize("shape", [(1, 1, 32, 64), (2, 3, 96, 160), (1, 1, 256, 640)])
def test_l1_interleaved_round_trip(device, shape):
    _round_trip(device, shape)


GRID_PROBE = """
import torch, ttnn
from tests.emulator.test_v2_strict import _round_trip
torch.manual_seed(int(__import__("sys").argv[1]))
dev = ttnn.open_device(device_id=0)
grid = dev.compute_with_storage_grid_size()
assert (grid.x, grid.y) == (4, 3), (grid.x, grid.y)
_round_trip(dev, (1, 1, 96, 160))  # 15 pages wrap the 12 banks
ttnn.close_device(dev)
print("round trip ok")
"""


def test_l1_interleaved_round_trip_on_overridden_grid(_seed):
    """A 4x3 grid has 12 L1 banks, not 64: page p lands on bank p % 12 (where the host's allocator reads it) only
    if the kernels' NUM_L1_BANKS and bank tables say 12. The grid is fixed per process, hence a fresh one."""
    env = {**os.environ, "TTNN_EMULATOR_GRID": "4x3", "TTNN_EMULATOR_API": "wheel"}
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-c", GRID_PROBE, str(_seed)],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0 and "round trip ok" in proc.stdout, proc.stderr[-3000:]


def _arg_program(common: bool, index: int, n_args: int):
    core = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(1, 2), ttnn.CoreCoord(1, 2))])
    rt = ttnn.RuntimeArgs()
    rt[1][2] = [] if common else list(range(7, 7 + n_args))
    kernel = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "v2_arg_past_list.cpp"),
        core_ranges=core,
        compile_time_args=[int(common), index],
        runtime_args=rt,
        common_runtime_args=list(range(7, 7 + n_args)) if common else [],
        config=ttnn.WriterConfigDescriptor(),
    )
    sem = ttnn.SemaphoreDescriptor(id=0, core_ranges=core, initial_value=0)
    return ttnn.ProgramDescriptor(kernels=[kernel], semaphores=[sem], cbs=[])


@pytest.mark.parametrize("common", [False, True])
@pytest.mark.parametrize("index, n_args", [(1, 1), (2, 1), (0, 0), (341, 3)])
def test_runtime_arg_past_the_list(device, common, index, n_args):
    """The wheel's get_arg_val / get_common_arg_val index the arg array unchecked: one past the list is reported
    with the list, index, kernel line, core and RISC instead of reading whatever lies beyond."""
    t = ttnn.from_torch(torch.zeros(32, 32, dtype=torch.bfloat16), layout=ttnn.TILE_LAYOUT, device=device)
    call = "get_common_arg_val" if common else "get_arg_val"
    what = "common" if common else "per-core"
    with pytest.raises(EmulatorError) as info:
        ttnn.generic_op([t, t], _arg_program(common, index, n_args))
    msg = str(info.value)
    assert f"{call}: {what} runtime arg index {index} is past the {n_args} {what} runtime args" in msg, msg
    assert "v2_arg_past_list.cpp on core (1,2) ncrisc" in msg, msg
    line = 10 if common else 12
    assert f"at v2_arg_past_list.cpp:{line}" in msg, msg


def test_last_runtime_arg_is_read(device):
    """The last argument of each list sits just before the guard page and still reads without a fault."""
    t = ttnn.from_torch(torch.zeros(32, 32, dtype=torch.bfloat16), layout=ttnn.TILE_LAYOUT, device=device)
    for common in (False, True):
        ttnn.generic_op([t, t], _arg_program(common, 4, 5))


SPIN_PROBE = """
import torch, ttnn
from tests.emulator.programs import KERNELS
dev = ttnn.open_device(device_id=0)
core = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(1, 2), ttnn.CoreCoord(1, 2))])
rt = ttnn.RuntimeArgs()
rt[1][2] = [7]
kernel = ttnn.KernelDescriptor(
    kernel_source=str(KERNELS / "v2_spin_on_arg.cpp"), core_ranges=core, runtime_args=rt,
    config=ttnn.ReaderConfigDescriptor())
t = ttnn.from_torch(torch.zeros(32, 32, dtype=torch.bfloat16), layout=ttnn.TILE_LAYOUT, device=dev)
ttnn.generic_op([t, t], ttnn.ProgramDescriptor(kernels=[kernel], semaphores=[], cbs=[]))
print("returned")
"""


def test_pure_spin_is_a_livelock_naming_the_kernel_line():
    """A loop that only re-reads an L1 word never enters the emulator: the watchdog signals the thread and names
    the kernel line it spins at. Such a thread cannot be unwound, so the process ends (exit 124) after the report;
    hence a process of its own."""
    env = {**os.environ, "TTNN_EMULATOR_API": "wheel", "TTNN_EMULATOR_TIMEOUT": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", SPIN_PROBE],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
        timeout=600,
    )
    assert proc.returncode == 124 and "returned" not in proc.stdout, proc.stderr[-3000:]
    assert "EMULATOR HANG: no progress for 1 s" in proc.stderr
    assert (
        "brisc" in proc.stderr
        and "v2_spin_on_arg.cpp on core (1,2): spinning at v2_spin_on_arg.cpp:7" in (proc.stderr)
    ), proc.stderr[-3000:]


def test_semaphore_nobody_sets_is_reported_with_its_line(device):
    """noc_semaphore_wait polls through the emulator: the hang report names the kernel line and the wheel call."""
    core = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(1, 2), ttnn.CoreCoord(1, 2))])
    kernel = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "v2_spin_on_semaphore.cpp"),
        core_ranges=core,
        runtime_args=ttnn.RuntimeArgs(),
        config=ttnn.ReaderConfigDescriptor(),
    )
    sem = ttnn.SemaphoreDescriptor(id=0, core_ranges=core, initial_value=0)
    t = ttnn.from_torch(torch.zeros(32, 32, dtype=torch.bfloat16), layout=ttnn.TILE_LAYOUT, device=device)
    with pytest.raises(EmulatorHang) as info:
        ttnn.generic_op([t, t], ttnn.ProgramDescriptor(kernels=[kernel], semaphores=[sem], cbs=[]))
    msg = str(info.value)
    assert "v2_spin_on_semaphore.cpp on core (1,2): waiting at v2_spin_on_semaphore.cpp:6" in msg, msg
    assert "in noc_semaphore_wait" in msg, msg


@pytest.mark.parametrize(
    "mode, expected",
    [
        (0, r"CB 0.*3 pages pushed and not popped exceed the CB's 2 pages"),
        (1, r"CB 0.*pages popped run 1 ahead of pages pushed"),
    ],
)
def test_cb_counters_out_of_protocol(device, mode, expected):
    """A push past the reservation or a pop of pages never pushed is reported at the next poll of the CB's
    counters, with the kernel line of that poll, the core and the CB."""
    core = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(1, 2), ttnn.CoreCoord(1, 2))])
    kernel = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "v2_cb_misuse.cpp"),
        core_ranges=core,
        compile_time_args=[mode],
        runtime_args=ttnn.RuntimeArgs(),
        config=ttnn.ReaderConfigDescriptor(),
    )
    cb = ttnn.CBDescriptor(
        total_size=2 * 2048,
        core_ranges=core,
        format_descriptors=[
            ttnn.CBFormatDescriptor(buffer_index=0, data_format=ttnn.bfloat16, page_size=2048)
        ],
    )
    t = ttnn.from_torch(torch.zeros(32, 32, dtype=torch.bfloat16), layout=ttnn.TILE_LAYOUT, device=device)
    with pytest.raises(EmulatorError, match=expected) as info:
        ttnn.generic_op([t, t], ttnn.ProgramDescriptor(kernels=[kernel], semaphores=[], cbs=[cb]))
    msg = str(info.value)
    line = 11 if mode == 0 else 14
    assert (
        f"v2_cb_misuse.cpp:{line} [reader (BRISC), core (1,2)] cb counters on CB 0 (in cb_reserve_back" in msg
    ), msg


# ---- strictness checks with inline kernels against the wheel's API --------------------------------------------------
CORE = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(1, 2), ttnn.CoreCoord(1, 2))])
DF = '#include "api/dataflow/dataflow_api.h"\n'
CMP = (
    '#include "api/compute/compute_kernel_hw_startup.h"\n#include "api/compute/tile_move_copy.h"\n'
    '#include "api/compute/eltwise_binary.h"\n'
)
READER = "reader (BRISC), core (1,2)]"
WRITER = "writer (NCRISC), core (1,2)]"


def _inline(src, config, args=()):
    rt = ttnn.RuntimeArgs()
    rt[1][2] = list(args)
    return ttnn.KernelDescriptor(
        kernel_source=src,
        source_type=ttnn.KernelDescriptor.SourceType.SOURCE_CODE,
        core_ranges=CORE,
        runtime_args=rt,
        config=config,
    )


def run(device, reader=None, writer=None, compute=None, cbs=((0, 2, 2048),), compute_config=None):
    """One program on core (1,2): the kernel bodies given (the reader gets the DRAM input's address as runtime arg 0,
    the writer the output's) and CBs as (index, pages, page size[, format])."""
    x = ttnn.from_torch(
        torch.randn(1, 1, 32, 32, dtype=torch.bfloat16), layout=ttnn.TILE_LAYOUT, device=device
    )
    out = ttnn.allocate_tensor_on_device(x.spec, device)
    kernels = []
    if reader:
        kernels.append(_inline(DF + reader, ttnn.ReaderConfigDescriptor(), [x.buffer_address()]))
    if writer:
        kernels.append(_inline(DF + writer, ttnn.WriterConfigDescriptor(), [out.buffer_address()]))
    if compute:
        kernels.append(_inline(CMP + compute, compute_config or ttnn.ComputeConfigDescriptor()))
    descs = [
        ttnn.CBDescriptor(
            total_size=pages * size,
            core_ranges=CORE,
            format_descriptors=[
                ttnn.CBFormatDescriptor(
                    buffer_index=i, data_format=fmt[0] if fmt else ttnn.bfloat16, page_size=size
                )
            ],
        )
        for i, pages, size, *fmt in cbs
    ]
    ttnn.generic_op([x, out], ttnn.ProgramDescriptor(kernels=kernels, semaphores=[], cbs=descs))
    return x, out


def expect(device, exc, pattern, *named, **kw):
    """The op fails with `exc`, its report matching `pattern` and containing each of `named`."""
    with pytest.raises(exc) as info:
        run(device, **kw)
    msg = str(info.value)
    assert re.search(pattern, msg, re.DOTALL), msg
    for field in named:
        assert field in msg, f"{field!r} not in:\n{msg}"
    return msg


# A page of CB 0 filled by the reader's own stores, then pushed; and the writer that sends it and pops it.
FILL = (
    "void kernel_main() {\n"  # 2
    "    cb_reserve_back(0, 1);\n"  # 3
    "    auto* p = reinterpret_cast<volatile uint32_t*>(get_write_ptr(0));\n"  # 4
    "    for (int i = 0; i < 512; ++i) p[i] = 0x3f803f80u;\n"  # 5
    "    cb_push_back(0, 1);\n"  # 6
    "}\n"
)
SEND = (
    "void kernel_main() {\n"  # 2
    "    const uint64_t dst = get_noc_addr_from_bank_id<true>(0, get_arg_val<uint32_t>(0));\n"  # 3
    "    cb_wait_front(0, 1);\n"  # 4
    "    noc_async_write(get_read_ptr(0), dst, 2048);\n"  # 5
    "    noc_async_write_barrier();\n"  # 6
    "    cb_pop_front(0, 1);\n"  # 7
    "}\n"
)
# The reader's DRAM page 0 into CB 0.
READ_HEAD = (
    "void kernel_main() {\n"  # 2
    "    const uint64_t src = get_noc_addr_from_bank_id<true>(0, get_arg_val<uint32_t>(0));\n"  # 3
    "    cb_reserve_back(0, 1);\n"  # 4
    "    const uint32_t p = get_write_ptr(0);\n"  # 5
)


def test_correct_reader_and_writer_pass(device):
    """The protocol followed: the page arrives intact."""
    x, out = run(device, reader=FILL, writer=SEND)
    assert torch.equal(ttnn.to_torch(out).view(torch.int32), torch.full((1, 1, 32, 16), 0x3F803F80))
    x, out = run(
        device,
        reader=READ_HEAD
        + "    noc_async_read(src, p, 2048);\n    noc_async_read_barrier();\n    cb_push_back(0, 1);\n}\n",
        writer=SEND,
    )
    assert torch.equal(ttnn.to_torch(out).view(torch.int16), ttnn.to_torch(x).view(torch.int16))


def test_reserve_beyond_capacity(device):
    expect(
        device,
        EmulatorError,
        r"waits for more free pages than the CB holds \(2 pages of 2048 B, all free\)",
        f"<inline kernel>:3 [{READER} cb_reserve_back on CB 0",
        "circular buffers of core (1,2)",
        reader="void kernel_main() {\n    cb_reserve_back(0, 3);\n}\n",
    )


def test_reserve_of_the_whole_cb_passes(device):
    run(device, reader="void kernel_main() {\n    cb_reserve_back(0, 2);\n    cb_push_back(0, 2);\n}\n")


def test_wait_beyond_capacity(device):
    expect(
        device,
        EmulatorError,
        r"waits for more pages than the CB holds \(2 pages of 2048 B, all filled\)",
        f"<inline kernel>:3 [{WRITER} cb_wait_front on CB 0",
        reader="void kernel_main() {\n    cb_reserve_back(0, 2);\n    cb_push_back(0, 2);\n}\n",
        writer="void kernel_main() {\n    cb_wait_front(0, 3);\n}\n",
    )


PUSH_TWICE = "void kernel_main() {\n    for (int i = 0; i < 2; ++i) {\n        cb_reserve_back(0, N);\n        cb_push_back(0, N);\n    }\n}\n"
POP_TWICE = "void kernel_main() {\n    for (int i = 0; i < 2; ++i) {\n        cb_wait_front(0, N);\n        cb_pop_front(0, N);\n    }\n}\n"


def test_push_past_the_fifo_end(device):
    """Two pushes of 2 pages on a 3-page CB: the second moves the write pointer past the FIFO end."""
    expect(
        device,
        EmulatorError,
        r"moves the write pointer past the FIFO end without landing on it",
        f"<inline kernel>:5 [{READER} ASSERT on CB 0 (in cb_push_back",
        cbs=((0, 3, 2048),),
        reader=PUSH_TWICE.replace("N", "2"),
        writer=POP_TWICE.replace("2", "4").replace("N", "1"),
    )


def test_pop_past_the_fifo_end(device):
    expect(
        device,
        EmulatorError,
        r"moves the read pointer past the FIFO end without landing on it",
        f"<inline kernel>:5 [{WRITER} ASSERT on CB 0 (in cb_pop_front",
        cbs=((0, 3, 2048),),
        reader="void kernel_main() {\n    for (int i = 0; i < 4; ++i) {\n        cb_reserve_back(0, 1);\n"
        "        cb_push_back(0, 1);\n    }\n}\n",
        writer=POP_TWICE.replace("N", "2"),
    )


def test_pushes_landing_on_the_fifo_end_pass(device):
    run(device, cbs=((0, 4, 2048),), reader=PUSH_TWICE.replace("N", "2"), writer=POP_TWICE.replace("N", "2"))


def test_push_before_the_read_barrier(device):
    """The page is pushed while the read filling it is in flight; the barrier comes too late."""
    expect(
        device,
        EmulatorError,
        r"cb_push_back on CB 0.*pushes pages that a noc_async_read \(issued at <inline kernel>:6, in noc_async_read"
        r".*is still filling; call noc_async_read_barrier\(\) before cb_push_back",
        f"<inline kernel>:8 [{READER}",
        reader=READ_HEAD
        + "    noc_async_read(src, p, 2048);\n    cb_push_back(0, 1);\n    noc_async_read_barrier();\n}\n",
    )


def test_pop_before_the_write_barrier(device):
    """The page is popped (free for the producer to refill) while the write sending it is in flight."""
    expect(
        device,
        EmulatorError,
        r"cb_pop_front on CB 0.*pops pages that a noc_async_write \(issued at <inline kernel>:5, in noc_async_write"
        r".*is still sending; call noc_async_write_barrier\(\)",
        f"<inline kernel>:7 [{WRITER}",
        reader=FILL,
        writer=SEND.replace(
            "    noc_async_write_barrier();\n    cb_pop_front(0, 1);\n",
            "    cb_pop_front(0, 1);\n    noc_async_write_barrier();\n",
        ),
    )


def test_sending_what_a_read_still_fills(device):
    expect(
        device,
        EmulatorError,
        r"sends L1 that a noc_async_read \(issued at <inline kernel>:6, in noc_async_read.*is still filling",
        f"<inline kernel>:7 [{READER} noc_async_write (in noc_async_write",
        reader=READ_HEAD + "    noc_async_read(src, p, 2048);\n    noc_async_write(p, src, 2048);\n"
        "    noc_async_write_barrier();\n}\n",
    )


def test_reading_into_what_a_write_still_sends(device):
    expect(
        device,
        EmulatorError,
        r"reads into L1 that a noc_async_write \(issued at <inline kernel>:7, in noc_async_write.*is still sending",
        f"<inline kernel>:8 [{READER} noc_async_read (in noc_async_read",
        reader=READ_HEAD
        + "    for (int i = 0; i < 512; ++i) reinterpret_cast<volatile uint32_t*>(p)[i] = i;\n"
        "    noc_async_write(p, src, 2048);\n    noc_async_read(src, p, 2048);\n    noc_async_read_barrier();\n"
        "    noc_async_write_barrier();\n}\n",
    )


@pytest.mark.parametrize(
    "body, kind, barrier, line",
    [
        ("    noc_async_read(src, p, 2048);\n", "noc_async_read", "noc_async_read_barrier()", 6),
        (
            (
                "    for (int i = 0; i < 512; ++i) reinterpret_cast<volatile uint32_t*>(p)[i] = i;\n"
                "    noc_async_write(p, src, 2048);\n"
            ),
            "noc_async_write",
            "noc_async_write_barrier()",
            7,
        ),
    ],
)
def test_kernel_ending_with_transfers_in_flight(device, body, kind, barrier, line):
    expect(
        device,
        EmulatorError,
        rf"kernel end: the kernel returned with 1 {kind}\(s\) still in flight \(issued at <inline kernel>:{line}, "
        rf"in {kind}.*and no {re.escape(barrier)} after them",
        f"<inline kernel> [{READER}",
        reader=READ_HEAD + body + "}\n",
    )


@pytest.mark.parametrize(
    "transfer, pattern",
    [
        (
            "noc_async_read(get_noc_addr(p), p + 8, 64)",
            r"noc_async_read.*: L1 address 0x[0-9a-f]+8 is not 16-byte",
        ),
        (
            "noc_async_write(p + 8, get_noc_addr(p), 64)",
            r"noc_async_write.*: L1 address 0x[0-9a-f]+8 is not 16-byte",
        ),
        (
            "noc_async_read(src + 16, p, 64)",
            r"noc_async_read.*: DRAM address 0x[0-9a-f]+ is not 32-byte aligned",
        ),
    ],
)
def test_misaligned_noc_transfer(device, transfer, pattern):
    expect(
        device,
        EmulatorError,
        pattern,
        f"<inline kernel>:7 [{READER}",
        reader=READ_HEAD
        + "    for (int i = 0; i < 512; ++i) reinterpret_cast<volatile uint32_t*>(p)[i] = i;\n"
        f"    {transfer};\n    noc_async_read_barrier();\n    noc_async_write_barrier();\n}}\n",
    )


def test_sending_never_written_l1(device):
    """The reader pushes a page it never filled; the writer sends it out."""
    expect(
        device,
        EmulatorError,
        r"noc_async_write.*sends 2048 bytes from L1 0x[0-9a-f]+ that was never written since the program started "
        r"\(poisoned at byte 0\).*\(issued at <inline kernel>:5, in noc_async_write",
        f"<inline kernel>:6 [{WRITER}",
        reader="void kernel_main() {\n    cb_reserve_back(0, 1);\n    cb_push_back(0, 1);\n}\n",
        writer=SEND,
    )


def test_cb_total_over_the_l1_budget(device):
    expect(
        device,
        EmulatorError,
        r"circular buffers on core \(1,2\) need 1572864 B of L1 but only \d+ B are available.*\[c_0: 1572864 B\]",
        cbs=((0, 768, 2048),),
        reader="void kernel_main() {}\n",
    )


def test_deadlock_names_every_thread_line_and_cb(device):
    msg = expect(
        device,
        EmulatorHang,
        r"deadlock: every kernel thread is waiting",
        "brisc <inline kernel> on core (1,2): waiting at <inline kernel>:3, in cb_wait_front",
        "ncrisc <inline kernel> on core (1,2): waiting at <inline kernel>:3, in cb_wait_front",
        "CB 0: 2 pages x 2048 B Float16_b; received 0, acked 0 (0 in FIFO)",
        "CB 16: 2 pages x 2048 B Float16_b; received 0, acked 0 (0 in FIFO)",
        cbs=((0, 2, 2048), (16, 2, 2048)),
        reader="void kernel_main() {\n    cb_wait_front(16, 1);\n}\n",
        writer="void kernel_main() {\n    cb_wait_front(0, 1);\n}\n",
    )
    assert "on CB 16" in msg and "on CB 0" in msg


# ---- faults in kernel code name the faulting line -------------------------------------------------------------------
@pytest.mark.parametrize(
    "body, line, what",
    [
        (
            (
                "void kernel_main() {\n    uint32_t a = get_arg_val<uint32_t>(0) * 0;\n"
                "    *reinterpret_cast<volatile uint32_t*>(uintptr_t(a)) = 1;\n}\n"
            ),
            4,
            r"SIGSEGV in kernel code at address 0 \(a null pointer dereference\)",
        ),
        (
            (
                "uint32_t depth(volatile uint32_t n) {\n    volatile uint8_t frame[512];\n"
                "    frame[n % 512] = uint8_t(n);\n    return depth(n + 1) + frame[0];\n}\n"
                "void kernel_main() { depth(get_arg_val<uint32_t>(0)); }\n"
            ),
            None,
            r"stack overflow",
        ),
        (
            (
                "void kernel_main() {\n    cb_reserve_back(0, 1);\n"
                "    uint32_t past = get_arg_val<uint32_t>(0) * 0 + (6u << 20);\n"
                "    *reinterpret_cast<volatile uint32_t*>(get_write_ptr(0) + past) = 42;\n}\n"
            ),
            5,
            r"B past the end of core \(1,2\)'s 1499136 B L1",
        ),
    ],
    ids=["null", "recursion", "past_l1"],
)
def test_fault_names_the_faulting_line(device, body, line, what):
    msg = expect(device, EmulatorError, what, f"[{WRITER} kernel code: SIG", writer=body)
    if line is not None:
        assert f"<inline kernel>:{line} [{WRITER}" in msg, msg
    else:
        assert re.search(r"<inline kernel>:\d+ \[writer", msg), msg
    # The device stays usable.
    run(device, reader=FILL, writer=SEND)


# A store at a distance chosen at run time (arg 0) past the end of a 512 KiB CB 0 (arg 1 == 0) or below the start of
# the core's L1 (arg 1 == 1): at least 32 MiB of guard pages surround every core's L1, so each faults at its line.
STRAY_CB_BYTES = 512 * 1024  # ends 0.6 MB into L1, so 1 MiB past it is already past L1
STRAY = (
    "void kernel_main() {\n"  # 2
    "    cb_reserve_back(0, 1);\n"  # 3
    "    const uint32_t distance = get_arg_val<uint32_t>(0), below = get_arg_val<uint32_t>(1);\n"  # 4
    "    const uint32_t cb = get_write_ptr(0);\n"  # 5
    f"    const uint32_t at = below ? cb - {device_info.L1_CB_BASE}u - distance : cb + {STRAY_CB_BYTES}u + distance;\n"
    "    *reinterpret_cast<volatile uint32_t*>(at) = 42;\n"  # 7
    "}\n"
)


def _stray(device, distance: int, below: bool):
    x = ttnn.from_torch(
        torch.zeros(1, 1, 32, 32, dtype=torch.bfloat16), layout=ttnn.TILE_LAYOUT, device=device
    )
    kernel = _inline(DF + STRAY, ttnn.WriterConfigDescriptor(), [distance % 2**32, int(below)])
    cb = ttnn.CBDescriptor(
        total_size=STRAY_CB_BYTES,
        core_ranges=CORE,
        format_descriptors=[
            ttnn.CBFormatDescriptor(buffer_index=0, data_format=ttnn.bfloat16, page_size=2048)
        ],
    )
    ttnn.generic_op([x, x], ttnn.ProgramDescriptor(kernels=[kernel], semaphores=[], cbs=[cb]))


@pytest.mark.parametrize("mib", [1, 8, 17, 31.9])
@pytest.mark.parametrize("below", [False, True], ids=["past_cb", "below_l1"])
def test_stray_store_fault_names_its_line(device, mib, below):
    distance = int(mib * (1 << 20)) // 4 * 4
    with pytest.raises(EmulatorError) as e:
        _stray(device, distance, below)
    msg = str(e.value)
    assert f"<inline kernel>:7 [{WRITER} kernel code: SIGSEGV" in msg, msg
    if below:
        assert f"({distance} B before the start of core (1,2)'s L1" in msg, msg
    else:
        past = device_info.L1_CB_BASE + STRAY_CB_BYTES + distance - device_info.WORKER_L1_SIZE
        assert f"({past} B past the end of core (1,2)'s {device_info.WORKER_L1_SIZE} B L1" in msg, msg
    # The device stays usable: the same kernel storing to the CB's last word runs.
    _stray(device, -4, False)


def test_two_threads_moving_one_pointer(device):
    expect(
        device,
        EmulatorError,
        r"two threads move the write pointer of this CB \(already (reader \(BRISC\)|writer \(NCRISC\)) <inline kernel>\)",
        "cb_reserve_back on CB 0",
        "<inline kernel>:3 [",
        reader="void kernel_main() {\n    cb_reserve_back(0, 1);\n    cb_push_back(0, 1);\n}\n",
        writer="void kernel_main() {\n    cb_reserve_back(0, 1);\n    cb_push_back(0, 1);\n}\n",
    )


def test_polling_a_cb_nobody_fills_is_a_hang(device):
    """A kernel polling cb_pages_available_at_front in its own loop is reported with the line of its loop."""
    expect(
        device,
        EmulatorHang,
        r"deadlock: every kernel thread is waiting",
        "brisc <inline kernel> on core (1,2): waiting at <inline kernel>:3, in cb_pages_available_at_front",
        "CB 0: 2 pages x 2048 B Float16_b; received 0, acked 0 (0 in FIFO)",
        reader="void kernel_main() {\n    while (!cb_pages_available_at_front(0, 1)) {\n    }\n}\n",
    )


# ---- compute: the LLK layer's checks, reported with the kernel line and the TRISC -------------------------------
TWO_IN = ((0, 2, 2048), (1, 2, 2048), (16, 2, 2048))
FEED = (
    "void kernel_main() {\n    for (uint32_t cb = 0; cb < 2; ++cb) {\n        cb_reserve_back(cb, 1);\n"
    "        auto* p = reinterpret_cast<volatile uint32_t*>(get_write_ptr(cb));\n"
    "        for (int i = 0; i < 512; ++i) p[i] = 0x3f803f80u;\n        cb_push_back(cb, 1);\n    }\n}\n"
)
DRAIN = "void kernel_main() {\n    cb_wait_front(16, 1);\n    cb_pop_front(16, 1);\n}\n"
COPY = (
    "void kernel_main() {\n"  # 4 (after the three includes)
    "    compute_kernel_hw_startup(0, 16);\n"  # 5
    "    copy_tile_init(0);\n"  # 6
    "    cb_wait_front(0, 1);\n"  # 7
    "    cb_reserve_back(16, 1);\n"  # 8
    "    tile_regs_acquire();\n"  # 9
    "    copy_tile(0, 0, IDX);\n"  # 10
    "    tile_regs_commit();\n"  # 11
    "    tile_regs_wait();\n"  # 12
    "    pack_tile(IDX, 16);\n"  # 13
    "    tile_regs_release();\n"  # 14
    "    cb_push_back(16, 1);\n"  # 15
    "    cb_pop_front(0, 1);\n"  # 16
    "}\n"
)


def test_correct_compute_copy_passes(device):
    send16 = SEND.replace("cb_wait_front(0", "cb_wait_front(16").replace("get_read_ptr(0", "get_read_ptr(16")
    _, out = run(
        device,
        reader=FEED,
        writer=send16.replace("cb_pop_front(0", "cb_pop_front(16"),
        compute=COPY.replace("IDX", "7"),
        cbs=TWO_IN,
    )
    assert torch.equal(ttnn.to_torch(out).view(torch.int32), torch.full((1, 1, 32, 16), 0x3F803F80))


@pytest.mark.parametrize(
    "edit, pattern, line, trisc",
    [
        ({"IDX": "8"}, r"DEST index 8 is past the 8 tiles of one DEST section", 10, "TRISC1, math"),
        (
            {"    tile_regs_wait();\n": "", "IDX": "0"},
            r"packs DEST outside tile_regs_wait",
            12,
            "TRISC2, pack",
        ),
        (
            {"copy_tile(0, 0, IDX)": "copy_tile(0, 1, 0)", "IDX": "0"},
            (
                r"reads tile 1 of the CB's front, but "
                r"cb_wait_front made only 1 tile\(s\) available there"
            ),
            10,
            "TRISC0, unpack",
        ),
    ],
    ids=["dest_capacity", "pack_without_wait", "read_beyond_the_wait"],
)
def test_compute_protocol(device, edit, pattern, line, trisc):
    compute = COPY
    for old, new in edit.items():
        compute = compute.replace(old, new)
    expect(
        device,
        EmulatorError,
        pattern,
        f"<inline kernel>:{line} [compute ({trisc}), core (1,2)]",
        reader=FEED,
        writer=DRAIN,
        compute=compute,
        cbs=TWO_IN,
    )


def test_fpu_op_without_its_init(device):
    expect(
        device,
        EmulatorError,
        r"without its own init",
        "<inline kernel>:10 [compute (TRISC1, math), core (1,2)]",
        reader=FEED,
        compute="void kernel_main() {\n    compute_kernel_hw_startup(0, 1, 16);\n    mul_init(0, 1);\n"
        "    cb_wait_front(0, 1);\n    cb_wait_front(1, 1);\n    tile_regs_acquire();\n    add_tiles(0, 1, 0, 0, 0);\n}\n",
        cbs=TWO_IN,
    )


@pytest.mark.parametrize(
    "case, line, trisc, call, what",
    [
        (4, 27, "TRISC1, math", "(add_tiles)", "writes DEST outside tile_regs_acquire ... tile_regs_commit"),
        (8, None, "TRISC1, math", "tile_regs_acquire (in tile_regs_acquire", "DEST is already acquired"),
        (9, 49, "TRISC2, pack", "tile_regs_release (in tile_regs_release", "releases DEST without tile_regs_wait"),
    ],
    ids=["math_without_acquire", "acquire_twice", "release_without_wait"],
)
def test_dest_hand_off_out_of_order(device, case, line, trisc, call, what):
    """The DEST hand-off between MATH and PACK out of order, in the compute harness kernel's error cases: each
    stops the op naming the kernel file, line, TRISC, core and call."""
    tile = torch.full((1024,), 0x3F80, dtype=torch.int16).numpy().tobytes()
    cbs = {0: (ttnn.bfloat16, 1, tile), 1: (ttnn.bfloat16, 1, tile), 16: (ttnn.bfloat16, 1, None)}
    src = KERNELS / "compute_protocol_errors.cpp"
    with pytest.raises(EmulatorError) as info:
        programs.compute_alone(device, src, [], cbs, defines=[("ERROR_CASE", str(case))])
    msg = str(info.value)
    where = f"{src}:{line}" if line else f"{src}"  # the second of two adjacent acquires: no line in the report yet
    assert f"{where} [compute ({trisc}), core (0,0)]" in msg and call in msg and what in msg, msg


@pytest.mark.slow
@pytest.mark.parametrize(
    "fp32_dest, full_sync, capacity, section",
    [
        (True, False, 4, "fp32 DEST, half sync"),
        (False, True, 16, "16-bit DEST, full sync"),
        (True, True, 8, "fp32 DEST, full sync"),
    ],
)
def test_dest_capacity_follows_the_compute_config(device, fp32_dest, full_sync, capacity, section):
    """Usable DEST tiles: 8 (SyncHalf) or 16 (SyncFull) 16-bit slots, half of them with fp32_dest_acc_en: the last one
    copies and packs, the next is reported."""
    config = ttnn.ComputeConfigDescriptor()
    config.fp32_dest_acc_en = fp32_dest
    config.dst_full_sync_en = full_sync
    run(
        device,
        reader=FEED,
        writer=DRAIN,
        compute=COPY.replace("IDX", str(capacity - 1)),
        cbs=TWO_IN,
        compute_config=config,
    )
    expect(
        device,
        EmulatorError,
        rf"DEST index {capacity} is past the {capacity} tiles of one DEST section \({section}\)",
        "<inline kernel>:10 [compute (TRISC1, math), core (1,2)]",
        reader=FEED,
        writer=DRAIN,
        compute=COPY.replace("IDX", str(capacity)),
        cbs=TWO_IN,
        compute_config=config,
    )


def test_push_with_the_read_never_waited_for(device):
    """The reader pushes a page its read is still filling and returns without any barrier."""
    expect(
        device,
        EmulatorError,
        r"cb_push_back on CB 0.*pushes pages that a noc_async_read \(issued at <inline kernel>:6, in noc_async_read",
        f"<inline kernel> [{READER}",
        reader=READ_HEAD + "    noc_async_read(src, p, 2048);\n    cb_push_back(0, 1);\n}\n",
    )


# ---- runtime arguments through their addresses ----------------------------------------------------------------------
ARGS_WRITER = r"""
#include "api/dataflow/dataflow_api.h"
void kernel_main() {
    auto* a = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_arg_addr(0));
    auto* c = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_common_arg_addr(0));
    const auto dst = TensorAccessor(TensorAccessorArgs<0>(), a[0], 64);
    cb_reserve_back(0, 1);
    auto* p = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_write_ptr(0));
    for (int i = 0; i < 16; ++i) p[i] = i < 3 ? a[i] : (i < 5 ? c[i - 3] : get_common_arg_val<uint32_t>(1) + i);
    noc_async_write_page(get_arg_val<uint32_t>(3), dst, get_write_ptr(0));
    noc_async_write_barrier();
}
"""


def test_runtime_args_by_address_and_common_args(device):
    """get_arg_addr / get_common_arg_addr point at the lists get_arg_val / get_common_arg_val read."""
    out = ttnn.from_torch(
        torch.zeros(1, 1, 2, 16, dtype=torch.int32),
        dtype=ttnn.uint32,
        layout=ttnn.ROW_MAJOR_LAYOUT,
        device=device,
    )
    rt = ttnn.RuntimeArgs()
    rt[1][2] = [out.buffer_address(), 11, 22, 1]
    kernel = ttnn.KernelDescriptor(
        kernel_source=ARGS_WRITER,
        source_type=ttnn.KernelDescriptor.SourceType.SOURCE_CODE,
        core_ranges=CORE,
        compile_time_args=ttnn.TensorAccessorArgs(out).get_compile_time_args(),
        runtime_args=rt,
        common_runtime_args=[33, 44],
        config=ttnn.WriterConfigDescriptor(),
    )
    cb = ttnn.CBDescriptor(
        total_size=64,
        core_ranges=CORE,
        format_descriptors=[ttnn.CBFormatDescriptor(buffer_index=0, data_format=ttnn.uint32, page_size=64)],
    )
    ttnn.generic_op([out, out], ttnn.ProgramDescriptor(kernels=[kernel], semaphores=[], cbs=[cb]))
    row = ttnn.to_torch(out).to(torch.int64)[0, 0, 1].tolist()
    assert row == [out.buffer_address(), 11, 22, 33, 44] + [44 + i for i in range(5, 16)]


@pytest.mark.parametrize(
    "transfer, pattern",
    [
        (
            "noc_async_read(get_noc_addr(20, 20, p), p, 64)",
            r"NoC address 0x[0-9a-f]+ names no worker core of the grid",
        ),
        ("noc_async_read(src + (1u << 30), p, 64)", r"DRAM range 0x[0-9a-f]+\+64 is past the bank end"),
        (
            "noc_async_write(p, get_noc_addr(2, 3, 1499136 - 32), 64)",
            r"L1 range 0x[0-9a-f]+\+64 runs past the end of L1",
        ),
    ],
    ids=["no_such_core", "past_the_dram_bank", "past_remote_l1"],
)
def test_noc_address_out_of_range(device, transfer, pattern):
    expect(
        device,
        EmulatorError,
        pattern,
        f"<inline kernel>:7 [{READER}",
        reader=READ_HEAD
        + "    for (int i = 0; i < 512; ++i) reinterpret_cast<volatile uint32_t*>(p)[i] = i;\n"
        f"    {transfer};\n    noc_async_read_barrier();\n    noc_async_write_barrier();\n}}\n",
    )
