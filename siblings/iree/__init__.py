"""IREE siblings: MLIR templates (linalg-on-tensors and StableHLO) for both norms, compiled with
``iree-base-compiler`` and run with ``iree-base-runtime`` (extra ``iree``)."""

from siblings.iree.models import MODEL_FAMILIES, ModelFamily, NormConfig, config_for_model  # noqa: F401
from siblings.iree.templates import instantiate, linalg_module, stablehlo_module  # noqa: F401
