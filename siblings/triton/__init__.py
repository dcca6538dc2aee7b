"""Triton RMSNorm / LayerNorm (GPU, or CPU through ``TRITON_INTERPRET=1``).

Importing this package imports torch and triton; callers that must work without them import it lazily
(``siblings.backends`` does).
"""

from siblings.triton.norms import (  # noqa: F401
    LaunchPlan,
    fused_add_rms_norm,
    gemma_rms_norm,
    layer_norm,
    plan_launch,
    rms_norm,
)
