"""Emulator v2 (the wheel's device headers, unmodified): L1-interleaved tensors through the firmware's L1 bank
tables (TensorAccessor / get_noc_addr_from_bank_id), on the default grid and an overridden one; runtime-arg indices
past their list; hangs and livelocks named by kernel line, core and RISC."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import ttnn

from emulator.launcher import EmulatorError, EmulatorHang
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
    assert f"at v2_cb_misuse.cpp:{line}, in cb_reserve_back" in msg, msg
    assert "core (1,2)" in msg, msg
