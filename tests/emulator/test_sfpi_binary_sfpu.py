"""The wheel's eltwise_binary_sfpu_kernel.cpp (the kernel behind ttnn's binary ops on the SFPU path) through
ttnn.generic_op on the wheel-API build, with the BINOP_INIT / BINARY_SFPU_OP defines binary_op_utils::
get_defines_fp32 generates: both operands unpacked straight into an fp32 DEST, the wheel's own
ckernel_sfpu_binary.h algorithm run on the x86 SFPI. Against float64 torch of the inputs, with the tolerance
tt-metal's test_binary_fp32.py uses for each op (allclose rtol 1e-5 for add/sub/rsub/mul, 1e-6 for div,
PCC >= 0.99 for pow), on fresh random inputs and, for div, the edge values that test checks."""

import pytest
import torch
import ttnn

from tests.emulator.real_programs import wheel
from tests.emulator.sfpi import programs

INF = float("inf")


def _signed(lo, hi):
    return lambda n: torch.empty(n).uniform_(lo, hi) * (torch.randint(0, 2, (n,)) * 2 - 1)


# op: (draw a, draw b, float64 reference, rtol) -- rtol None: checked by PCC as tt-metal checks pow.
OPS = {
    "add": (_signed(1e-3, 1e3), _signed(1e-3, 1e3), torch.add, 1e-5),
    "sub": (_signed(1e-3, 1e3), _signed(1e-3, 1e3), torch.sub, 1e-5),
    "rsub": (_signed(1e-3, 1e3), _signed(1e-3, 1e3), lambda a, b: b - a, 1e-5),
    "mul": (_signed(1e-3, 1e3), _signed(1e-3, 1e3), torch.mul, 1e-5),
    "div": (_signed(1e-3, 1e3), _signed(1e-2, 1e2), torch.div, 1e-6),
    "power": (
        lambda n: torch.empty(n).uniform_(0.1, 5),
        lambda n: torch.empty(n).uniform_(-3, 3),
        torch.pow,
        None,
    ),
}
DEFAULT = ("div",)  # each op is a compute-kernel build of its own: the rest run in the slow suite


def pcc(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(torch.corrcoef(torch.stack([a.flatten(), b.flatten()]))[0, 1])


@pytest.fixture(autouse=True)
def _wheel_api(monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_API", "wheel")


@pytest.mark.parametrize("op", [o if o in DEFAULT else pytest.param(o, marks=pytest.mark.slow) for o in OPS])
def test_binary_sfpu_fp32(op, device):
    draw_a, draw_b, ref, rtol = OPS[op]
    xa, xb = draw_a(64 * 96).reshape(64, 96), draw_b(64 * 96).reshape(64, 96)
    got = programs.run_binary_sfpu(device, xa, xb, op).to(torch.float64)
    want = ref(xa.to(torch.float64), xb.to(torch.float64))
    assert torch.isfinite(got).all()
    if rtol is None:
        assert pcc(got, want) >= 0.99
        # pow is exp(b * log(a)) on the SFPU: far inside a bf16 ulp on these inputs
        assert ((got - want).abs() / wheel.bf16_ulp(want)).max() <= 0.01
    else:
        torch.testing.assert_close(got, want, rtol=rtol, atol=1e-10)


def test_div_fp32_edge_values(device):
    """x / 0 is a signed infinity and 0 / 0 NaN on the fp32 tile path, as tt-metal's test_div_fp32 expects;
    a denormal operand is zero to the SFPU (so 1e-38 / 1e-3 is +0) and an overflowing quotient is +inf."""
    a = torch.tensor([1.00030171126, -3, 16, -5, 14, -12, 0, 0, 1, 15, INF, -INF, 1e-38, 3e38, 2, 7])
    b = torch.tensor([2, 3, -4, -5, 0, 0, 0, 1, 0, 10, 2, 3, 1e-3, 0.5, INF, -0.0])
    xa, xb = torch.ones(32, 32), torch.ones(32, 32)
    xa.view(-1)[: a.numel()], xb.view(-1)[: b.numel()] = a, b
    got = programs.run_binary_sfpu(device, xa, xb, "div").view(-1)
    head = got[: a.numel()].to(torch.float64)
    want = a.to(torch.float64) / b.to(torch.float64)
    want[12], want[13] = 0.0, INF  # flushed denormal dividend; quotient past the float range
    torch.testing.assert_close(head, want, rtol=1e-6, atol=1e-10, equal_nan=True)
    assert torch.equal(got[a.numel() :], torch.ones(1024 - a.numel()))


@pytest.mark.slow
@pytest.mark.parametrize("op", ["div", "power"])
def test_binary_sfpu_bf16(op, device):
    """bf16 operands through a 16-bit DEST, PCC >= 0.999 as tt-metal's test_pow asks. div is within one bf16
    rounding of float64; pow on a 16-bit DEST is the wheel's _sfpu_binary_power_21f_ (a cubic log2, then
    exp_21f), whose relative error grows with |pow * log2(base)|: under 1.5% on these inputs (measured
    up to 0.97%, 2.4 bf16 ulps)."""
    draw_a, draw_b, ref, _rtol = OPS[op]
    xa = draw_a(64 * 64).reshape(64, 64).to(torch.bfloat16)
    xb = draw_b(64 * 64).reshape(64, 64).to(torch.bfloat16)
    got = programs.run_binary_sfpu(device, xa, xb, op, ttnn.bfloat16).to(torch.float64)
    want = ref(xa.to(torch.float64), xb.to(torch.float64))
    assert pcc(got, want) >= 0.999
    if op == "power":
        assert ((got - want).abs() / want.abs()).max() < 0.015
    else:
        wheel.assert_close(got, want, ulps=1, what=op)
