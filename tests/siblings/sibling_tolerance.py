"""One-ulp tolerance in the output dtype, for kernels that round once (fp32-then-cast)."""

from __future__ import annotations

import numpy as np

MANTISSA = {"f32": 23, "f16": 10, "bf16": 7}


def ulp(ref: np.ndarray, dtype: str) -> np.ndarray:
    _, exp = np.frexp(np.maximum(np.abs(ref), 2.0**-14))
    return np.ldexp(1.0, exp - 1 - MANTISSA[dtype])


def assert_within_one_ulp(out, ref, dtype: str, fp32_ulps: float = 8.0):
    out = np.asarray(out).astype(np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    assert out.shape == ref.shape, (out.shape, ref.shape)
    assert np.isfinite(out).all()
    bound = ulp(ref, dtype) + 1e-6
    if dtype == "f32":
        # fp32 statistics carry a few ulps of max|y| (summation order), which matters near y = 0.
        bound = ulp(ref, dtype) * fp32_ulps + 2.0**-23 * 32 * np.abs(ref).max()
    worst = float((np.abs(out - ref) / bound).max())
    assert worst <= 1.0, f"max error {np.abs(out - ref).max():.3g} is {worst:.2f}x the one-ulp bound"
