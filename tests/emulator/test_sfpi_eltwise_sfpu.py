"""The wheel's eltwise_sfpu.cpp (the kernel behind ttnn's unary ops) through ttnn.generic_op on the wheel-API
build, with the SFPU_OP_CHAIN_0 defines ttnn's unary program factory generates for each op: the wheel's own
SFPU algorithm runs on the x86 SFPI. Each op against float64 torch of the bf16 input, with the PCC tt-metal's
own unary test asks of it and the bf16-ulp bound the algorithm reaches (tests/emulator/sfpi/eltwise_ops.py).
The ops still listed there as pending are covered on DEST tiles by test_sfpi_algorithms.py."""

import pytest
import torch
import ttnn

from tests.emulator.real_programs import eltwise, wheel
from tests.emulator.sfpi.eltwise_ops import UNARY


def pcc(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(torch.corrcoef(torch.stack([a.flatten(), b.flatten()]))[0, 1])


# Each op is a compute-kernel build of its own (three TRISC compiles): two in the default run, all when slow.
DEFAULT = ("exp", "sqrt")


@pytest.mark.parametrize(
    "name", [n if n in DEFAULT else pytest.param(n, marks=pytest.mark.slow) for n in UNARY]
)
def test_unary_sfpu_op(name, device, monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_API", "wheel")
    op = UNARY[name]
    x = op.draw(64 * 64).reshape(64, 64).to(torch.bfloat16)
    inp = wheel.to_device(x, device=device)
    out = wheel.empty(x.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device)
    ttnn.generic_op([inp, out], eltwise.unary_descriptor(inp, out, op.chain(), approx=op.approx))
    got = ttnn.to_torch(out).to(torch.float64)
    want = op.ref(x.to(torch.float64))
    assert torch.isfinite(got).all()
    assert pcc(got, want) >= op.pcc
    if op.ulps is None:
        torch.testing.assert_close(got, want, rtol=1.6e-2, atol=1e-2)
    else:
        err = ((got - want).abs() / wheel.bf16_ulp(want)).max().item()
        assert err <= op.ulps, f"{name}: {err:.2f} bf16 ulps"
