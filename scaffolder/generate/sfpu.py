"""SFPU unary ops a phase can name, with the header and calls of the 0.81.1 kernel API that run each on a
DEST tile, and whether the kernel API the emulator builds against (the ttnn wheel's own headers) declares them."""

from __future__ import annotations

import functools
import importlib.util
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


def api_name(op: str) -> str:
    return SFPU_OPS[op][1]


def header(op: str) -> str:
    return SFPU_OPS[op][0]


def _wheel_headers() -> Path | None:
    """The wheel's device-side headers (``tt_metal/hw/inc``, holding ``api/compute/**``), found without importing
    ttnn; None without the wheel."""
    found = importlib.util.find_spec("ttnn")
    if found is None or found.origin is None:
        return None
    return Path(found.origin).resolve().parent / "tt_metal" / "hw" / "inc"


@functools.cache
def emulator_builds(op: str) -> bool:
    """Whether the wheel's header for ``op`` declares `<name>_tile`: the emulator compiles kernels against the
    wheel's own kernel API, so a kernel calling it builds there."""
    headers = _wheel_headers()
    path = headers / header(op) if headers else None
    if path is None or not path.is_file():
        return False
    return re.search(rf"\b{api_name(op)}_tile\s*\(", path.read_text(errors="replace")) is not None


def post_op_of(text: str) -> str | None:
    """The SFPU op a binary or reduce phase applies to its result in DEST (`... then rsqrt`), if any."""
    low = text.lower()
    return next((s for s in SFPU_NAMES if re.search(rf"\b{s}(_tile)?\b", low)), None)
