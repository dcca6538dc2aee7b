"""The wheel's eltwise_sfpu.cpp (the kernel behind ttnn's unary ops) through ttnn.generic_op on the wheel-API
build, with the SFPU_OP_CHAIN_0 defines ttnn's unary program factory generates for each op: the wheel's own
SFPU algorithm runs on the x86 SFPI. Each op against float64 torch of the bf16 input: PCC >= 0.999 (0.99 for
approximate modes) as tt-metal's unary tests check, and the bf16-ulp bound the algorithm reaches. (The ops
ttnn reaches through compute_kernel_api.h -- log, sigmoid, tanh, silu, abs, square -- and relu (whose header names APPROX
in the PACK build too) are covered on DEST tiles
by test_sfpi_algorithms.py: that header pulls the unpack/pack LLK internals the wheel-API build shadows at the
llk_api level instead.)"""

import pytest
import torch
import ttnn

from tests.emulator.real_programs import eltwise, wheel

# op: (init, func, split-include define, input sampler, float64 reference, max bf16 ulps, approx mode)
OPS = {
    "exp": (
        "exp_tile_init<false>();",
        "exp_tile<false>(0);",
        "SFPU_OP_EXP_INCLUDE",
        lambda n: torch.empty(n).uniform_(-8, 8),
        torch.exp,
        2,
        False,
    ),
    "exp_approx": (
        "exp_tile_init<true>();",
        "exp_tile<true>(0);",
        "SFPU_OP_EXP_INCLUDE",
        lambda n: torch.empty(n).uniform_(-8, 8),
        torch.exp,
        8,
        True,
    ),
    "gelu": (
        "gelu_tile_init<false>();",
        "gelu_tile<false>(0);",
        "SFPU_OP_GELU_INCLUDE",
        lambda n: torch.empty(n).uniform_(-5, 5),
        torch.nn.functional.gelu,
        None,
        False,
    ),
    "recip": (
        "recip_tile_init();",
        "recip_tile(0);",
        "SFPU_OP_RECIP_INCLUDE",
        lambda n: torch.empty(n).uniform_(0.01, 100) * (torch.randint(0, 2, (n,)) * 2 - 1),
        torch.reciprocal,
        2,
        False,
    ),
    "sqrt": (
        "sqrt_tile_init();",
        "sqrt_tile(0);",
        "SFPU_OP_SQRT_INCLUDE",
        lambda n: torch.empty(n).uniform_(0, 100),
        torch.sqrt,
        2,
        False,
    ),
    "rsqrt": (
        "rsqrt_tile_init();",
        "rsqrt_tile(0);",
        "SFPU_OP_RSQRT_INCLUDE",
        lambda n: torch.empty(n).uniform_(0.01, 100),
        torch.rsqrt,
        2,
        False,
    ),
    "neg": (
        "negative_tile_init();",
        "negative_tile(0);",
        "SFPU_OP_NEG_INCLUDE",
        lambda n: torch.empty(n).uniform_(-10, 10),
        torch.neg,
        0,
        False,
    ),
    "erf": (
        "erf_tile_init<false>();",
        "erf_tile<false>(0);",
        "SFPU_OP_ERF_ERFC_INCLUDE",
        lambda n: torch.empty(n).uniform_(-3, 3),
        torch.erf,
        3,
        False,
    ),
}


def pcc(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(torch.corrcoef(torch.stack([a.flatten(), b.flatten()]))[0, 1])


# Each op is a compute-kernel build of its own (three TRISC compiles): two in the default run, all when slow.
DEFAULT = ("exp", "sqrt")


@pytest.mark.parametrize(
    "name", [n if n in DEFAULT else pytest.param(n, marks=pytest.mark.slow) for n in OPS]
)
def test_unary_sfpu_op(name, device, monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_API", "wheel")
    init, func, include, draw, ref, ulps, approx = OPS[name]
    x = draw(64 * 64).reshape(64, 64).to(torch.bfloat16)
    inp = wheel.to_device(x, device=device)
    out = wheel.empty(x.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device)
    ttnn.generic_op(
        [inp, out], eltwise.unary_descriptor(inp, out, eltwise.sfpu_chain(init, func, include), approx=approx)
    )
    got = ttnn.to_torch(out).to(torch.float64)
    want = ref(x.to(torch.float64))
    assert torch.isfinite(got).all()
    assert pcc(got, want) >= (0.99 if approx else 0.999)
    if ulps is None:
        torch.testing.assert_close(got, want, rtol=1.6e-2, atol=1e-2)
    else:
        err = ((got - want).abs() / wheel.bf16_ulp(want)).max().item()
        assert err <= ulps, f"{name}: {err:.2f} bf16 ulps"
