"""L1-interleaved tensors: the emulated n150 bank layout, ttnn's memory-config calls, and both ops reading
and writing L1 with the CB budget shrunk by every L1 buffer (CBs and L1 buffers cannot overlap)."""

from __future__ import annotations

import gc
import importlib

import numpy as np
import pytest
import torch
import ttnn
from ttnn.operations.layer_norm_rm import layer_norm_rm
from ttnn.operations.rms_norm import rms_norm

from .conftest import NoDeviceWork, assert_close, l1_tensor, make_input, to_device

emulated = pytest.mark.skipif(
    not getattr(ttnn, "EMULATED", False), reason="bank layout read through the emulator"
)
lnpd = importlib.import_module("ttnn.operations.layer_norm_rm.layer_norm_rm_program_descriptor")
rmspd = importlib.import_module("ttnn.operations.rms_norm.rms_norm_program_descriptor")

# n150 facts (tt-metal's L1 banking allocator): one bank per worker core of the 8x8 compute grid, pages
# aligned to 16 B in a bank, allocations in multiples of 32 B taken top-down from the end of L1.
WORKER_L1 = 1_499_136


def _ln_reference(x, gamma=None, beta=None, eps=1e-5):
    W = x.shape[-1]
    g = gamma.double().reshape(W) if gamma is not None else None
    b = beta.double().reshape(W) if beta is not None else None
    return torch.nn.functional.layer_norm(x.double(), (W,), g, b, eps)


@emulated
def test_l1_bank_layout(device):
    """Page i of an L1 tensor sits in bank i % 64 (bank b on core b in row-major order) at the buffer address
    plus (i // 64) aligned pages, the page size rounded up to 16 B; buffers are placed top-down."""
    gc.collect()  # tensors of earlier tests release their L1
    assert device.lowest_l1_address() == WORKER_L1
    grid = device.compute_with_storage_grid_size()
    banks = grid.x * grid.y
    x = make_input((3, 50, 40), "normal", 1)  # 150 pages of 160 B (fp32) or 80 B (bf16)
    t = l1_tensor(x, device, dtype=ttnn.float32)
    assert t.memory_config() == ttnn.L1_MEMORY_CONFIG
    assert t.buffer_address() == WORKER_L1 - 3 * 160  # ceil(150 / 64) = 3 pages per bank, from the top
    pages = x.reshape(150, 40).numpy()
    for i in (0, 1, banks - 1, banks, 149):
        raw = device.bank_view(i % banks, t.buffer_address() + (i // banks) * 160, 160, is_dram=False)
        np.testing.assert_array_equal(raw.view(np.float32), pages[i])
    u = l1_tensor(x.to(torch.bfloat16), device)  # 80-B pages stay 80 B (16-B alignment, not DRAM's 32)
    assert u.buffer_aligned_page_size() == 80 and t.buffer_aligned_page_size() == 160
    assert u.buffer_address() == t.buffer_address() - 256  # 3 * 80 = 240 B, reserved in 32-B granules
    assert device.lowest_l1_address() == u.buffer_address()
    t.deallocate()
    u.deallocate()
    assert device.lowest_l1_address() == WORKER_L1


def test_from_torch_to_memory_config_round_trip(device):
    x = make_input((2, 64, 96), "normal", 2)
    for dtype, layout in ((ttnn.bfloat16, ttnn.ROW_MAJOR_LAYOUT), (ttnn.float32, ttnn.TILE_LAYOUT)):
        t = l1_tensor(x, device, dtype=dtype, layout=layout)
        expected = x.to(torch.bfloat16 if dtype == ttnn.bfloat16 else torch.float32)
        assert t.memory_config().buffer_type == ttnn.BufferType.L1
        assert torch.equal(ttnn.to_torch(t), expected)
        d = ttnn.to_memory_config(t, ttnn.DRAM_MEMORY_CONFIG)
        assert d.memory_config() == ttnn.DRAM_MEMORY_CONFIG and torch.equal(ttnn.to_torch(d), expected)
        back = ttnn.to_memory_config(d, ttnn.L1_MEMORY_CONFIG)
        assert back.memory_config() == ttnn.L1_MEMORY_CONFIG and torch.equal(ttnn.to_torch(back), expected)
        assert ttnn.to_memory_config(back, ttnn.L1_MEMORY_CONFIG) is back


@pytest.mark.parametrize("where", ["l1_in_l1_out", "dram_in_l1_out", "l1_in_dram_out"])
def test_layer_norm_l1(device, where):
    x = make_input((2, 1, 64, 256), "normal", 3).to(torch.bfloat16)
    g = make_input((1, 1, 1, 256), "normal", 4).to(torch.bfloat16)
    b = make_input((1, 1, 1, 256), "normal", 5).to(torch.bfloat16)
    put = l1_tensor if where.startswith("l1_in") else to_device
    out_config = ttnn.L1_MEMORY_CONFIG if where.endswith("l1_out") else ttnn.DRAM_MEMORY_CONFIG
    out = layer_norm_rm(put(x, device), put(g, device), put(b, device), memory_config=out_config)
    assert out.memory_config() == out_config
    assert_close(ttnn.to_torch(out), _ln_reference(x, g, b).to(torch.bfloat16), 0.02, 0.1)


def test_output_defaults_to_the_input_memory_config(device):
    x = make_input((1, 1, 32, 128), "normal", 6).to(torch.bfloat16)
    assert layer_norm_rm(l1_tensor(x, device)).memory_config() == ttnn.L1_MEMORY_CONFIG
    assert rms_norm(to_device(x, device)).memory_config() == ttnn.DRAM_MEMORY_CONFIG


@pytest.mark.parametrize("dtype", [ttnn.bfloat16, ttnn.float32], ids=["bf16", "fp32"])
@pytest.mark.parametrize("layout", [ttnn.ROW_MAJOR_LAYOUT, ttnn.TILE_LAYOUT], ids=["rm", "tile"])
def test_rms_norm_l1(device, dtype, layout):
    tdt = torch.float32 if dtype == ttnn.float32 else torch.bfloat16
    x = make_input((1, 2, 64, 128), "normal", 7).to(tdt)
    g = make_input((1, 1, 1, 128), "normal", 8).to(tdt)
    out = rms_norm(
        l1_tensor(x, device, dtype=dtype, layout=layout),
        gamma=l1_tensor(g, device, dtype=dtype),
        memory_config=ttnn.L1_MEMORY_CONFIG,
    )
    assert out.memory_config() == ttnn.L1_MEMORY_CONFIG and out.layout == layout
    xd = x.double()
    ref = xd / torch.sqrt(xd.pow(2).mean(-1, keepdim=True) + 1e-6) * g.double().reshape(128)
    rtol, atol = (0.001, 0.01) if dtype == ttnn.float32 else (0.01, 0.05)
    assert_close(ttnn.to_torch(out), ref.to(tdt), rtol, atol)


def test_l1_output_share_is_taken_from_the_cb_budget(device):
    """An L1 output's per-core share (ceil(pages / 64) 16-B aligned pages, rounded to 32 B) comes off the CB
    budget before the plan is made."""
    x = to_device(make_input((1, 1, 64 * 64, 1024), "normal", 9).to(torch.bfloat16), device)
    share = lnpd.output_l1_bytes_per_bank(x, ttnn.L1_MEMORY_CONFIG)
    assert share == 64 * 2048  # 4096 pages of 2048 B over 64 banks
    assert lnpd.output_l1_bytes_per_bank(x, ttnn.DRAM_MEMORY_CONFIG) == 0
    assert rmspd.output_l1_bytes_per_bank(x, ttnn.L1_MEMORY_CONFIG) == share
    full = lnpd.l1_cb_budget(device)
    assert lnpd.l1_cb_budget(device, share) == full - share


@emulated
def test_l1_tensors_shrink_the_budget_and_the_plan_streams(device):
    """A resident W=8192 row (1.15 MB of CBs) no longer fits once an L1 tensor holds 600 KB of every core:
    the plan streams in chunks and the result is still right."""
    filler = ttnn.allocate_tensor_on_device(
        ttnn.Shape([64 * 75, 4096]), ttnn.bfloat16, ttnn.ROW_MAJOR_LAYOUT, device, ttnn.L1_MEMORY_CONFIG
    )
    try:
        budget = lnpd.l1_cb_budget(device)
        assert budget == filler.buffer_address() - (WORKER_L1 - 1_396_736)
        x = make_input((1, 1, 32, 8192), "normal", 10).to(torch.bfloat16)
        tx = to_device(x, device)
        plan = lnpd.plan_for(tx, None, None)
        assert plan.n_chunks > 1 and plan.l1_bytes <= budget
        assert_close(ttnn.to_torch(layer_norm_rm(tx)), _ln_reference(x).to(torch.bfloat16), 0.02, 0.1)
    finally:
        filler.deallocate()


@emulated
def test_emulator_refuses_cbs_that_overlap_l1_tensors(device, monkeypatch):
    """The op's own check is bypassed: the program's CBs would run into an L1 tensor, and the emulator stops
    the launch with the L1 range named (tt-metal refuses the same program)."""
    filler = ttnn.allocate_tensor_on_device(
        ttnn.Shape([64 * 75, 4096]), ttnn.bfloat16, ttnn.ROW_MAJOR_LAYOUT, device, ttnn.L1_MEMORY_CONFIG
    )
    try:
        monkeypatch.setattr(lnpd, "l1_cb_budget", lambda dev, extra=0: lnpd.DEFAULT_L1_CB_BUDGET)
        x = to_device(make_input((1, 1, 32, 8192), "normal", 11).to(torch.bfloat16), device)
        with pytest.raises(Exception, match="L1-interleaved tensors occupy"):
            layer_norm_rm(x)
    finally:
        filler.deallocate()


@emulated
def test_l1_output_that_cannot_fit_is_refused_before_device_work(device, monkeypatch):
    """With 1.2 MB of every core held by an L1 tensor, a W=4096 row still streams into the rest when its
    output goes to DRAM, but an L1 output's 128 KB share leaves too little: ValueError, nothing allocated."""
    filler = ttnn.allocate_tensor_on_device(
        ttnn.Shape([64 * 146, 4096]), ttnn.bfloat16, ttnn.ROW_MAJOR_LAYOUT, device, ttnn.L1_MEMORY_CONFIG
    )
    try:
        x = to_device(make_input((1, 1, 1024, 4096), "normal", 12).to(torch.bfloat16), device)
        assert lnpd.output_l1_bytes_per_bank(x, ttnn.L1_MEMORY_CONFIG) == 16 * 8192
        assert lnpd.plan_for(x, None, None).n_chunks > 1  # a DRAM output fits, streamed
        with NoDeviceWork(monkeypatch), pytest.raises(ValueError, match="L1 budget"):
            layer_norm_rm(x, memory_config=ttnn.L1_MEMORY_CONFIG)
    finally:
        filler.deallocate()
