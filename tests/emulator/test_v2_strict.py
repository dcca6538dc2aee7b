"""Emulator v2 (the wheel's device headers, unmodified): L1-interleaved tensors through the firmware's L1 bank
tables, read by the wheel's TensorAccessor / get_noc_addr_from_bank_id, on the default grid and on an overridden
one (the bank count follows the grid)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import ttnn

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
