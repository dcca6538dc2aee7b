"""NKI siblings: RMSNorm / LayerNorm kernels in the legacy NKI language (NKI 0.1.0) and a way to run them.

``run_rms_norm`` / ``run_layer_norm`` use AWS's simulator (``nki.simulate_kernel``) when ``neuronxcc.nki``
(``neuronx-cc==2.*`` up to Neuron SDK 2.27, from AWS's Neuron package repository; PyPI only has
placeholders) is installed, and the project's NumPy interpreter otherwise. ``engine=`` forces one.
"""

from __future__ import annotations

import functools

import numpy as np


def real_nki_available() -> bool:
    try:
        import neuronxcc.nki  # noqa: F401
    except Exception:  # noqa: BLE001 - PyPI's placeholder packages raise ImportError or worse
        return False
    return True


@functools.lru_cache(maxsize=2)
def bound_kernels(engine: str = "auto"):
    """The kernels bound to `engine`: "simulator" (real NKI), "interpreter", or "auto"."""
    from siblings.nki.kernels import build

    if engine == "auto":
        engine = "simulator" if real_nki_available() else "interpreter"
    if engine == "simulator":
        if not real_nki_available():
            raise RuntimeError(
                "engine='simulator' needs AWS's neuronxcc.nki (neuronx-cc 2.x from the Neuron package "
                "repository, Neuron SDK <= 2.27); use engine='interpreter' or 'auto'"
            )
        import neuronxcc.nki.language as nl
        from neuronxcc import nki

        return engine, build(nki, nl), nki.simulate_kernel
    if engine == "interpreter":
        from siblings.nki import interpreter

        return engine, build(interpreter.nki, interpreter.language), interpreter.simulate_kernel
    raise ValueError(f"engine must be 'auto', 'simulator' or 'interpreter', got {engine!r}")


def _check_2d(x, *vecs):
    if not isinstance(x, np.ndarray) or x.ndim != 2:
        raise ValueError(f"x must be a 2-D NumPy array (rows, hidden), got {getattr(x, 'shape', type(x))}")
    for v in vecs:
        if not isinstance(v, np.ndarray) or v.shape != (x.shape[1],):
            raise ValueError(
                f"weight/bias must have shape ({x.shape[1]},), got {getattr(v, 'shape', type(v))}"
            )


def run_rms_norm(x, weight, eps=1e-6, engine="auto"):
    _check_2d(x, weight)
    _, k, simulate = bound_kernels(engine)
    return simulate(k.rms_norm_kernel, x, weight, float(eps))


def run_layer_norm(x, weight, bias, eps=1e-5, engine="auto"):
    _check_2d(x, weight, bias)
    _, k, simulate = bound_kernels(engine)
    return simulate(k.layer_norm_kernel, x, float(eps), weight, bias)
