"""The emulator's DRAM tile pages carry exactly the bytes ttnn's own host tilize produces (face order)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import ttnn

from emulator.tile_layout import tilize, untilize


def ttnn_host_tile_bytes(x: torch.Tensor, dtype) -> np.ndarray:
    """Raw storage of a host TILE tensor built by ttnn itself."""
    host = ttnn.from_torch(x, dtype=dtype, layout=ttnn.TILE_LAYOUT)
    shard = host.host_buffer().get_shard(ttnn.MeshCoordinate(0, 0))
    return np.asarray(shard.__array__()).view(np.uint8).ravel()


@pytest.mark.parametrize("shape", [(1, 1, 32, 32), (2, 1, 64, 96), (1, 3, 96, 32)], ids=str)
@pytest.mark.parametrize("dtype", [ttnn.float32, ttnn.bfloat16], ids=["fp32", "bf16"])
def test_tilize_matches_ttnn_host_tilize(shape, dtype):
    x = torch.randn(shape)
    if dtype == ttnn.bfloat16:
        x = x.to(torch.bfloat16)
        raw = x.view(torch.int16).numpy().view(np.uint16)
    else:
        raw = x.numpy().view(np.uint32)
    ours = tilize(raw).view(np.uint8).ravel()
    np.testing.assert_array_equal(ours, ttnn_host_tile_bytes(x, dtype))
    np.testing.assert_array_equal(untilize(tilize(raw), raw.shape), raw)


def test_device_pages_match_ttnn_host_tilize(device):
    x = torch.randn(1, 2, 64, 64)
    dev = ttnn.from_torch(x, dtype=ttnn.float32, layout=ttnn.TILE_LAYOUT, device=device)
    pages = dev.device().read_pages(
        dev.buffer_address(), dev.buffer_num_pages(), dev.buffer_page_size(), dev.buffer_aligned_page_size()
    )
    np.testing.assert_array_equal(pages.ravel(), ttnn_host_tile_bytes(x, ttnn.float32))


def test_element_position_formula():
    """Element (r, c) of a tile sits at ((r // 16) * 2 + c // 16) * 256 + (r % 16) * 16 + c % 16."""
    tile = np.arange(1024, dtype=np.uint32).reshape(1, 1, 32, 32)
    flat = tilize(tile).ravel()
    for r in range(32):
        for c in range(32):
            assert flat[((r // 16) * 2 + c // 16) * 256 + (r % 16) * 16 + c % 16] == r * 32 + c
