"""The unary SFPU ops of ttnn as its unary program factory hands them to eltwise_sfpu.cpp: the
SFPU_OP_CHAIN_0 init/function defines and the split-include define (unary_op_utils: get_op_init_and_func,
get_macro_definition), the inputs to draw, the float64 reference, and the tolerance tt-metal's own test of
the op uses (tests/ttnn/unit_tests/operations/eltwise/test_unary.py: PCC 0.9998 for exp, 0.9996 for gelu,
0.999 for sigmoid, the default 0.9999 otherwise; 0.99 in approximate mode). `ulps` is the emulator's
tighter bound in bf16 ulps at the reference (None: gelu, whose error is absolute near its zero crossing).
Shared by tests/emulator/test_sfpi_eltwise_sfpu.py and benchmarks/sfpu_generic_op.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class UnaryOp:
    init: str
    func: str
    include: str
    draw: Callable[[int], torch.Tensor]
    ref: Callable[[torch.Tensor], torch.Tensor]
    pcc: float = 0.9999
    ulps: float | None = 2
    approx: bool = False

    def chain(self) -> list[tuple[str, str]]:
        return [
            ("SFPU_OP_CHAIN_0", "SFPU_OP_CHAIN_0_INIT_0 SFPU_OP_CHAIN_0_FUNC_0"),
            ("SFPU_OP_CHAIN_0_INIT_0", self.init),
            ("SFPU_OP_CHAIN_0_FUNC_0", self.func),
            (self.include, "1"),
        ]


def uniform(lo: float, hi: float) -> Callable[[int], torch.Tensor]:
    return lambda n: torch.empty(n).uniform_(lo, hi)


def signed(lo: float, hi: float) -> Callable[[int], torch.Tensor]:
    return lambda n: torch.empty(n).uniform_(lo, hi) * (torch.randint(0, 2, (n,)) * 2 - 1)


KERNEL_API = (
    "SFPU_OP_COMPUTE_KERNEL_API_INCLUDE"  # the factory's include for ops declared in compute_kernel_api.h
)

UNARY = {
    "exp": UnaryOp(
        "exp_tile_init<0u>();", "exp_tile<0u>(0);", "SFPU_OP_EXP_INCLUDE", uniform(-8, 8), torch.exp, 0.9998
    ),
    "exp_approx": UnaryOp(
        "exp_tile_init<1u>();",
        "exp_tile<1u>(0);",
        "SFPU_OP_EXP_INCLUDE",
        uniform(-8, 8),
        torch.exp,
        0.99,
        8,
        True,
    ),
    "gelu": UnaryOp(
        "gelu_tile_init<0u>();",
        "gelu_tile<0u>(0);",
        "SFPU_OP_GELU_INCLUDE",
        uniform(-5, 5),
        torch.nn.functional.gelu,
        0.9996,
        None,
    ),
    "recip": UnaryOp(
        "recip_tile_init();", "recip_tile(0);", "SFPU_OP_RECIP_INCLUDE", signed(0.01, 100), torch.reciprocal
    ),
    "sqrt": UnaryOp(
        "sqrt_tile_init();", "sqrt_tile(0);", "SFPU_OP_SQRT_INCLUDE", uniform(0, 100), torch.sqrt
    ),
    "rsqrt": UnaryOp(
        "rsqrt_tile_init();", "rsqrt_tile(0);", "SFPU_OP_RSQRT_INCLUDE", uniform(0.01, 100), torch.rsqrt
    ),
    "neg": UnaryOp(
        "negative_tile_init();",
        "negative_tile(0);",
        "SFPU_OP_NEG_INCLUDE",
        uniform(-10, 10),
        torch.neg,
        ulps=0,
    ),
    "erf": UnaryOp(
        "erf_tile_init<0u>();",
        "erf_tile<0u>(0);",
        "SFPU_OP_ERF_ERFC_INCLUDE",
        uniform(-3, 3),
        torch.erf,
        ulps=3,
    ),
    "log": UnaryOp("log_tile_init<0u>();", "log_tile<0u>(0);", KERNEL_API, uniform(0.01, 100), torch.log),
    "sigmoid": UnaryOp(
        "sigmoid_tile_init();", "sigmoid_tile(0);", KERNEL_API, uniform(-8, 8), torch.sigmoid, 0.999
    ),
    "tanh": UnaryOp("tanh_tile_init<0u>();", "tanh_tile<0u>(0);", KERNEL_API, uniform(-4, 4), torch.tanh),
    "silu": UnaryOp(
        "silu_tile_init();", "silu_tile(0);", KERNEL_API, uniform(-6, 6), torch.nn.functional.silu
    ),
    "abs": UnaryOp("abs_tile_init();", "abs_tile(0);", KERNEL_API, uniform(-10, 10), torch.abs, ulps=0),
    "square": UnaryOp(
        "square_tile_init();", "square_tile(0);", KERNEL_API, uniform(-10, 10), torch.square, ulps=1
    ),
    "relu": UnaryOp(
        "relu_tile_init();",
        "relu_tile(0);",
        "SFPU_OP_RELU_FAMILY_INCLUDE",
        uniform(-10, 10),
        torch.relu,
        ulps=0,
    ),
}
