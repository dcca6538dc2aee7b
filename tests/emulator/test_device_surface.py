"""The ttnn device surface as the emulator provides it."""

from __future__ import annotations

import pytest
import torch
import ttnn


def test_from_torch_converts_dtype_and_tilizes(device):
    """float32 torch -> bfloat16 TILE on the device (ttnn's host path needs a cluster for this)."""
    t = torch.randn(1, 1, 32, 64)
    x = ttnn.from_torch(
        t, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device, memory_config=ttnn.DRAM_MEMORY_CONFIG
    )
    assert x.dtype == ttnn.bfloat16 and x.layout == ttnn.TILE_LAYOUT
    assert torch.equal(ttnn.to_torch(x), t.to(torch.bfloat16))


def test_tensor_queries(device):
    x = ttnn.from_torch(
        torch.randn(2, 3, 32, 96).to(torch.bfloat16),
        dtype=ttnn.bfloat16,
        layout=ttnn.ROW_MAJOR_LAYOUT,
        device=device,
    )
    assert isinstance(x, ttnn.Tensor)
    assert list(x.shape) == [2, 3, 32, 96] and list(x.padded_shape) == [2, 3, 32, 96]
    assert x.buffer_page_size() == 96 * 2 and x.buffer_num_pages() == 2 * 3 * 32
    assert x.element_size() == 2 and x.device() is device
    assert x.memory_config().buffer_type == ttnn.BufferType.DRAM
    assert x.buffer_address() % 32 == 0
    assert ttnn.TensorAccessorArgs(x).get_compile_time_args() == [2, 192]


def test_tile_tensor_pads_to_whole_tiles(device):
    t = torch.randn(1, 1, 40, 50)
    x = ttnn.from_torch(t, dtype=ttnn.float32, layout=ttnn.TILE_LAYOUT, device=device)
    assert list(x.padded_shape) == [1, 1, 64, 64] and x.buffer_num_pages() == 4
    assert torch.equal(ttnn.to_torch(x), t)


def test_grid_and_entry_points(device):
    grid = device.compute_with_storage_grid_size()
    assert (grid.x, grid.y) == (8, 8)
    assert ttnn.open_device(device_id=0) is device  # opening an open device returns it, as ttnn does
    out = ttnn.allocate_tensor_on_device(
        ttnn.Shape([1, 1, 32, 32]), ttnn.float32, ttnn.TILE_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG
    )
    assert out.buffer_page_size() == 4096


def test_unsupported_memory_config_is_refused(device):
    # DRAM and L1 interleaved are modelled; a sharded layout is refused by name, not silently interleaved.
    with pytest.raises(RuntimeError, match="DRAM and L1 interleaved tensors only"):
        ttnn.from_torch(
            torch.randn(32, 32),
            dtype=ttnn.float32,
            layout=ttnn.TILE_LAYOUT,
            device=device,
            memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG,
        )


def test_generic_op_needs_device_tensors(device):
    host = ttnn.from_torch(torch.randn(32, 32), dtype=ttnn.float32)
    with pytest.raises(RuntimeError, match="not a device tensor"):
        ttnn.generic_op([host, host], ttnn.ProgramDescriptor(kernels=[], semaphores=[], cbs=[]))


def test_create_device_is_the_same_chip(device):
    assert ttnn.CreateDevice(0) is device
    assert ttnn.CreateDevice(device_id=0).compute_with_storage_grid_size().x == 8


@pytest.mark.parametrize("layout", [ttnn.ROW_MAJOR_LAYOUT, ttnn.TILE_LAYOUT], ids=["rm", "tile"])
@pytest.mark.parametrize(
    "dtype, torch_dtype, high",
    [(ttnn.uint32, torch.uint32, 2**32), (ttnn.uint16, torch.uint16, 2**16)],
    ids=["u32", "u16"],
)
def test_unsigned_integer_tensors(device, layout, dtype, torch_dtype, high):
    """Values round-trip bit-exactly and come back with the torch dtype ttnn.to_torch gives for them."""
    x = torch.randint(0, high, (2, 40, 50), dtype=torch.int64)
    t = ttnn.from_torch(x, dtype=dtype, layout=layout, device=device, memory_config=ttnn.DRAM_MEMORY_CONFIG)
    assert t.dtype == dtype and t.element_size() == (4 if dtype == ttnn.uint32 else 2)
    assert t.memory_config() == ttnn.DRAM_MEMORY_CONFIG
    back = ttnn.to_torch(t)
    host = ttnn.to_torch(ttnn.from_torch(x, dtype=dtype, layout=layout))  # ttnn's own host path
    assert back.dtype == host.dtype == torch_dtype
    assert torch.equal(back.to(torch.int64), x)
