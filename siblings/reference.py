"""Float64 NumPy oracles for the norms, written from the textbook definitions.

Casting mode of every sibling in this package ("fp32-then-cast"): inputs are widened, the statistics,
the weight (and Gemma's ``1 + w``) and the bias are applied in wide precision, and the result is rounded
once to the output dtype. These oracles do the same in float64, so a kernel that follows the mode is
within one output-dtype ulp of ``oracle(...)`` rounded to that dtype.
"""

from __future__ import annotations

import numpy as np


def _f64(a):
    return None if a is None else np.asarray(a, dtype=np.float64)


def rms_norm(x, weight=None, eps: float = 1e-6, *, weight_offset: float = 0.0) -> np.ndarray:
    """y = x / sqrt(mean(x^2) + eps) * (weight_offset + weight) over the last axis."""
    x = _f64(x)
    y = x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)
    if weight is not None:
        y = y * (weight_offset + _f64(weight))
    return y


def layer_norm(x, weight=None, bias=None, eps: float = 1e-5) -> np.ndarray:
    """y = (x - mean) / sqrt(var + eps) * weight + bias; population variance over the last axis."""
    x = _f64(x)
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps)
    if weight is not None:
        y = y * _f64(weight)
    if bias is not None:
        y = y + _f64(bias)
    return y


def fused_add_rms_norm(x, residual, weight=None, eps: float = 1e-6, *, weight_offset: float = 0.0):
    """Returns (rms_norm(x + residual), x + residual): the pre-norm residual stream update."""
    h = _f64(x) + _f64(residual)
    return rms_norm(h, weight, eps, weight_offset=weight_offset), h


def rms_norm_no_eps_weight(x, weight) -> np.ndarray:
    """The AWS RMSNorm tutorial's math: x * rsqrt(mean(x^2)) * weight (no epsilon)."""
    return rms_norm(x, weight, eps=0.0)
