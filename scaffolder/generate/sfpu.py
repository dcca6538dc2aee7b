"""SFPU unary ops a phase can name, with the header and calls of the 0.81.1 kernel API that run each on a
DEST tile, and whether this project's emulator implements them yet."""

from __future__ import annotations

import functools
import re
from pathlib import Path

_KERNEL_LIB = "api/compute/compute_kernel_api.h"
# op -> (header, the op's API name): `<name>_tile_init()` then `<name>_tile(idst)`.
SFPU_OPS: dict[str, tuple[str, str]] = {
    "rsqrt": ("api/compute/eltwise_unary/rsqrt.h", "rsqrt"),
    "sqrt": ("api/compute/eltwise_unary/sqrt.h", "sqrt"),
    "recip": ("api/compute/eltwise_unary/recip.h", "recip"),
    "exp": ("api/compute/eltwise_unary/exp.h", "exp"),
    "gelu": ("api/compute/eltwise_unary/gelu.h", "gelu"),
    "relu": ("api/compute/eltwise_unary/relu.h", "relu"),
    "neg": ("api/compute/eltwise_unary/negative.h", "negative"),
    "atan": ("api/compute/eltwise_unary/trigonometry.h", "atan"),
    "log": (_KERNEL_LIB, "log"),
    "sigmoid": (_KERNEL_LIB, "sigmoid"),
    "tanh": (_KERNEL_LIB, "tanh"),
    "silu": (_KERNEL_LIB, "silu"),
    "abs": (_KERNEL_LIB, "abs"),
}
SFPU_NAMES = tuple(SFPU_OPS)
_EMULATOR_API = Path(__file__).resolve().parents[2] / "emulator" / "kernel_api"


def api_name(op: str) -> str:
    return SFPU_OPS[op][1]


def header(op: str) -> str:
    return SFPU_OPS[op][0]


@functools.cache
def emulator_builds(op: str) -> bool:
    """Whether the emulator's kernel API declares `<name>_tile` (a kernel calling it builds there)."""
    path = _EMULATOR_API / header(op)
    if not path.is_file():
        return False
    return re.search(rf"\b{api_name(op)}_tile\s*\(", path.read_text(errors="replace")) is not None


def post_op_of(text: str) -> str | None:
    """The SFPU op a binary or reduce phase applies to its result in DEST (`... then rsqrt`), if any."""
    low = text.lower()
    return next((s for s in SFPU_NAMES if re.search(rf"\b{s}(_tile)?\b", low)), None)
