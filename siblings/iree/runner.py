"""Compile the norm templates with IREE and call them with NumPy arrays.

Targets: ``llvm-cpu`` (driver ``local-task``) on any x86 host; ``cuda`` emits sm_80 PTX, which the
driver JIT-compiles on Hopper (IREE 3.13 has no sm_90 target entry).
"""

from __future__ import annotations

import functools

import numpy as np

from siblings.iree.models import NormConfig
from siblings.iree.templates import instantiate

TARGET_FLAGS = {
    "llvm-cpu": [
        "--iree-hal-target-device=local",
        "--iree-hal-local-target-device-backends=llvm-cpu",
        "--iree-llvmcpu-target-cpu=host",
    ],
    "cuda": ["--iree-hal-target-device=cuda", "--iree-cuda-target=sm_80"],
}
DRIVERS = {"llvm-cpu": "local-task", "cuda": "cuda"}
NP_DTYPES = {"f32": "float32", "f16": "float16", "bf16": "bfloat16"}


def available() -> tuple[bool, str]:
    """(True, "") when iree-base-compiler and iree-base-runtime import, else (False, why)."""
    try:
        import iree.compiler
        import iree.runtime  # noqa: F401
    except ImportError as exc:
        return False, f"IREE is not installed ({exc}); pip install 'ttnn-scaffold[iree]'"
    return True, ""


def np_dtype(dtype: str):
    if dtype == "bf16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(NP_DTYPES[dtype])


@functools.lru_cache(maxsize=64)
def compile_module(mlir: str, target: str = "llvm-cpu") -> bytes:
    """vmfb bytes for `mlir` (cached per process: each compile takes ~0.4 s)."""
    if target not in TARGET_FLAGS:
        raise ValueError(f"target must be one of {sorted(TARGET_FLAGS)}, got {target!r}")
    import iree.compiler as ireec

    return ireec.compile_str(mlir, extra_args=TARGET_FLAGS[target])


def run_config(cfg: NormConfig, *arrays: np.ndarray, dialect: str = "linalg", target: str = "llvm-cpu"):
    """Instantiate, compile and call `cfg`'s function on `arrays` (x, w[, b]); returns a NumPy array."""
    import iree.runtime as ireert

    want = np_dtype(cfg.dtype)
    for a in arrays:
        if a.dtype != want:
            raise ValueError(f"arrays must have dtype {want} for a {cfg.dtype} module, got {a.dtype}")
    vmfb = compile_module(instantiate(cfg, dialect), target)
    module = ireert.load_vm_flatbuffer(vmfb, driver=DRIVERS[target])
    return np.asarray(getattr(module, cfg.func_name)(*arrays).to_host())


def _dtype_of(x: np.ndarray) -> str:
    for name in ("f32", "f16", "bf16"):
        if x.dtype == np_dtype(name):
            return name
    raise ValueError(f"unsupported dtype {x.dtype}; use float32, float16 or bfloat16")


def rms_norm(x, w, eps=1e-6, *, weight_offset=0.0, dialect="linalg", target="llvm-cpu", dynamic=True):
    """RMSNorm of a 2-D array through IREE (dynamic batch by default)."""
    x = np.ascontiguousarray(x)
    if x.ndim != 2 or w.shape != (x.shape[1],):
        raise ValueError(f"need x of shape (M, N) and w of shape (N,), got {x.shape} and {w.shape}")
    cfg = NormConfig(
        "rms_norm", x.shape[1], _dtype_of(x), float(eps), None, None if dynamic else x.shape[0], weight_offset
    )
    return run_config(cfg, x, np.ascontiguousarray(w, dtype=x.dtype), dialect=dialect, target=target)


def layer_norm(x, w, b, eps=1e-5, *, dialect="linalg", target="llvm-cpu", dynamic=True):
    """LayerNorm of a 2-D array through IREE (dynamic batch by default)."""
    x = np.ascontiguousarray(x)
    if x.ndim != 2 or w.shape != (x.shape[1],) or b.shape != (x.shape[1],):
        raise ValueError(f"need x (M, N), w (N,), b (N,), got {x.shape}, {w.shape}, {b.shape}")
    cfg = NormConfig(
        "layer_norm", x.shape[1], _dtype_of(x), float(eps), None, None if dynamic else x.shape[0]
    )
    return run_config(
        cfg,
        x,
        np.ascontiguousarray(w, dtype=x.dtype),
        np.ascontiguousarray(b, dtype=x.dtype),
        dialect=dialect,
        target=target,
    )
