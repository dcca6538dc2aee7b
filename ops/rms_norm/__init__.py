"""RMSNorm over the last dimension as a multi-core ``ttnn.generic_op`` (bf16/fp32, ROW_MAJOR/TILE)."""

from .rms_norm import rms_norm

__all__ = ["rms_norm"]
