"""The wheel's eltwise_sfpu.cpp (the kernel behind ttnn's unary ops) through ttnn.generic_op on the wheel-API
build, with the SFPU_OP_CHAIN_0 defines ttnn's unary program factory generates for each op: the wheel's own
SFPU algorithm runs on the x86 SFPI. Each op against float64 torch of the bf16 input, with the PCC tt-metal's
own unary test asks of it and the bf16-ulp bound the algorithm reaches (tests/emulator/sfpi/eltwise_ops.py);
edge values as the hardware treats them (denormals are zero to the SFPU, the packer writes NaN as Inf)."""

import pytest
import torch
import ttnn

from tests.emulator.real_programs import eltwise, wheel
from tests.emulator.sfpi.eltwise_ops import UNARY


def pcc(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(torch.corrcoef(torch.stack([a.flatten(), b.flatten()]))[0, 1])


def run(device, name: str, x: torch.Tensor) -> torch.Tensor:
    """UNARY[name] of the bf16 tensor x through eltwise_sfpu.cpp; the output as float64."""
    op = UNARY[name]
    inp = wheel.to_device(x, device=device)
    out = wheel.empty(x.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device)
    ttnn.generic_op([inp, out], eltwise.unary_descriptor(inp, out, op.chain(), approx=op.approx))
    return ttnn.to_torch(out).to(torch.float64)


# Each op is a compute-kernel build of its own (three TRISC compiles): two in the default run, all when slow.
DEFAULT = ("exp", "sqrt", "log")


@pytest.mark.parametrize(
    "name", [n if n in DEFAULT else pytest.param(n, marks=pytest.mark.slow) for n in UNARY]
)
def test_unary_sfpu_op(name, device, monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_API", "wheel")
    op = UNARY[name]
    x = op.draw(64 * 64).reshape(64, 64).to(torch.bfloat16)
    got = run(device, name, x)
    want = op.ref(x.to(torch.float64))
    assert torch.isfinite(got).all()
    assert pcc(got, want) >= op.pcc
    if op.ulps is None:
        torch.testing.assert_close(got, want, rtol=1.6e-2, atol=1e-2)
    else:
        err = ((got - want).abs() / wheel.bf16_ulp(want)).max().item()
        assert err <= op.ulps, f"{name}: {err:.2f} bf16 ulps"


INF = float("inf")
# op: [(input, output)] -- the output as the bf16 output tensor holds it.
EDGES = {
    # log of a negative number or -inf is NaN, which the packer writes as +Inf (tt-metal's test_unary.py
    # leaves negative inputs out of its bfloat16 log test for that reason); a denormal input is zero to the
    # SFPU, so its log is -inf like log(0).
    "log": [(0.0, -INF), (-0.0, -INF), (INF, INF), (1.0, 0.0), (-10.0, INF), (-INF, INF), (1e-39, -INF)],
    "relu": [(-0.0, 0.0), (-INF, 0.0), (INF, INF), (3e38, 3e38), (-1e-30, 0.0)],
    "abs": [(-0.0, 0.0), (-INF, INF), (-3e38, 3e38), (-1e-30, 1e-30)],
}


@pytest.mark.parametrize(
    "name", [n if n == "log" else pytest.param(n, marks=pytest.mark.slow) for n in EDGES]
)
def test_unary_sfpu_edge_values(name, device, monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_API", "wheel")
    ins, outs = zip(*EDGES[name])
    x = UNARY[name].draw(32 * 32).reshape(32, 32)
    x.view(-1)[: len(ins)] = torch.tensor(ins)
    x = x.to(torch.bfloat16)
    got = run(device, name, x).view(-1)[: len(ins)]
    want = torch.tensor(outs, dtype=torch.bfloat16).to(torch.float64)
    assert torch.equal(got, want), f"{name}: inputs {ins} gave {got.tolist()}, want {want.tolist()}"
