"""Row-major LayerNorm over the last dimension as a multi-core ``ttnn.generic_op``."""

from .layer_norm_rm import layer_norm_rm

__all__ = ["layer_norm_rm"]
