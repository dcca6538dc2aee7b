"""Emulator v2 entry points: besides kernel_main(), the JIT still accepts the legacy compute form
namespace NAMESPACE { void MAIN }, where each TRISC build defines its own chlkc_unpack::unpack_main,
chlkc_math::math_main or chlkc_pack::pack_main."""

from __future__ import annotations

import pytest
import torch
import ttnn

from tests.emulator.test_v2_dataflow import copy_through_compute


@pytest.fixture(autouse=True)
def wheel_api(monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_API", "wheel")


def test_legacy_namespace_main_compute_kernel_runs(device):
    x = torch.randn((1, 1, 64, 64), dtype=torch.bfloat16)
    inp = ttnn.from_torch(x, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(inp.spec, device)
    ttnn.generic_op([inp, out], copy_through_compute(inp, out, False, kernel="v2_copy_tiles_legacy.cpp"))
    assert torch.equal(ttnn.to_torch(out), x)
