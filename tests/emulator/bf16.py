"""Reference bfloat16 conversions written from the ISA facts (tensix-semantics §2.7), independent of the
emulator's C++: the packer and 16-bit DEST round to nearest with ties away from zero; unpacking fp32 into the
19-bit source registers truncates the low 13 mantissa bits."""

from __future__ import annotations

import numpy as np
import torch


def round_ties_away(x: np.ndarray) -> np.ndarray:
    """float32 -> bf16 bits (uint16): add half an ulp to the magnitude, then truncate."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    return ((bits + 0x8000) >> 16).astype(np.uint16)


def tf32_truncate(x: np.ndarray) -> np.ndarray:
    bits = np.asarray(x, dtype=np.float32).view(np.uint32)
    return (bits & np.uint32(0xFFFFE000)).view(np.float32)


def bits(t: torch.Tensor) -> np.ndarray:
    """Raw bf16 bits of a torch bfloat16 tensor."""
    return t.contiguous().view(torch.int16).numpy().view(np.uint16)
