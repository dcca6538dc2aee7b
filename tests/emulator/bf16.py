"""Reference conversions written from the ISA facts (tensix-semantics §2.7), independent of the emulator's
C++: unpacking fp32 into the 19-bit source registers truncates the low 13 mantissa bits. The packer's bf16
rounding is ``wh_oracle.pack_bf16``."""

from __future__ import annotations

import numpy as np
import torch


def tf32_truncate(x: np.ndarray) -> np.ndarray:
    bits = np.asarray(x, dtype=np.float32).view(np.uint32)
    return (bits & np.uint32(0xFFFFE000)).view(np.float32)


def bits(t: torch.Tensor) -> np.ndarray:
    """Raw bf16 bits of a torch bfloat16 tensor."""
    return t.contiguous().view(torch.int16).numpy().view(np.uint16)
