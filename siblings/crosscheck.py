"""Cross-check one norm across backends: the same random inputs through a float64 reference and every
available implementation (ttnn, Triton, NKI, IREE, TT-Lang, torch), with per-backend and pairwise error metrics.

Backends that cannot run here are reported as skipped with the reason; none of them is imported until
it is asked for, so this module needs neither ttnn nor triton nor IREE nor tt-lang-sim.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict, dataclass, field

import numpy as np

from siblings import reference

OPS = {"rms_norm": "rms_norm", "layer_norm": "layer_norm", "layer_norm_rm": "layer_norm"}
DTYPES = ("bf16", "f16", "f32")
DTYPE_ALIASES = {
    "bfloat16": "bf16",
    "fp16": "f16",
    "float16": "f16",
    "half": "f16",
    "fp32": "f32",
    "float32": "f32",
    "float": "f32",
}
ALL_BACKENDS = ("ttnn", "triton", "nki", "iree", "ttlang", "torch")
MANTISSA = {"f32": 23, "f16": 10, "bf16": 7}
DEFAULT_EPS = {"rms_norm": 1e-6, "layer_norm": 1e-5}
# Default tolerance: one rounding to the output dtype plus one for backends whose hardware rounds
# differently (the Triton interpreter truncates to bf16; Tensix packs bf16 from a wider DEST).
# In f32 the row statistics dominate instead: a sequential fp32 sum of N terms carries a relative error
# that grows like sqrt(N) ulps (IREE's llvm-cpu reductions show ~0.3-0.5 sqrt(N)), so the f32 default
# is max(16, 2 sqrt(N)) ulps; see default_max_ulp.
DEFAULT_MAX_ULP = {"bf16": 2.0, "f16": 2.0, "f32": 16.0}
DEFAULT_MIN_PCC = 0.999
# Tensix rounds every FPU result to the 16-bit DEST format (several bf16 roundings per norm) and feeds
# fp32 operands to the FPU as TF32 (10-bit mantissa, truncated): ttnn's tolerance is scaled to that.
BACKEND_MAX_ULP = {"ttnn": {"bf16": 8.0, "f32": 8.0 * 2**13}}


def canonical_dtype(dtype: str) -> str:
    """ "bf16" / "f16" / "f32" from those names or their common aliases (fp32, float16, bfloat16, ...)."""
    d = str(dtype).strip().lower()
    d = DTYPE_ALIASES.get(d, d)
    if d not in DTYPES:
        raise ValueError(
            f"unknown dtype {dtype!r}; choose from {', '.join(DTYPES)} (or {', '.join(DTYPE_ALIASES)})"
        )
    return d


def default_max_ulp(dtype: str, hidden: int) -> float:
    """The default tolerance in output-dtype ulps for a row length of `hidden`."""
    if dtype == "f32":
        return max(DEFAULT_MAX_ULP["f32"], float(np.ceil(2.0 * np.sqrt(hidden))))
    return DEFAULT_MAX_ULP[dtype]


def short_error(exc: BaseException, limit: int = 240) -> str:
    """One line of an exception message: C++ backtraces from native libraries are cut off."""
    text = str(exc).split("backtrace:")[0]
    text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    text = f"{type(exc).__name__}: {text}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Skip(Exception):
    """The backend cannot run here (not installed, no device, unsupported shape or dtype)."""


@dataclass
class Inputs:
    op: str
    dtype: str
    eps: float
    x: np.ndarray  # float32 arrays holding dtype-representable values
    w: np.ndarray
    b: np.ndarray | None


@dataclass
class BackendResult:
    backend: str
    status: str  # "ok" | "fail" | "skipped" | "error"
    detail: str = ""
    max_abs_err: float | None = None
    max_ulp: float | None = None
    pcc: float | None = None
    tolerance_ulp: float | None = None
    output: np.ndarray | None = field(default=None, repr=False)


def round_to(values: np.ndarray, dtype: str) -> np.ndarray:
    """Round to `dtype` with round-to-nearest-even; returns float32."""
    v = np.asarray(values, np.float32)
    if dtype == "f32":
        return v
    if dtype == "f16":
        return v.astype(np.float16).astype(np.float32)
    bits = v.view(np.uint32).astype(np.uint64)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).astype(np.uint32).view(np.float32)


def make_inputs(
    op: str, shape: tuple[int, ...], dtype: str, eps: float | None = None, seed: int = 0
) -> Inputs:
    if op not in OPS:
        raise ValueError(f"unknown op {op!r}; choose from {', '.join(OPS)}")
    dtype = canonical_dtype(dtype)
    if len(shape) < 2 or any(d <= 0 for d in shape):
        raise ValueError(f"shape must have >= 2 positive dims (rows..., hidden), got {shape}")
    op = OPS[op]
    rng = np.random.default_rng(seed)
    n = shape[-1]
    x = round_to(rng.standard_normal(shape).astype(np.float32), dtype)
    w = round_to(rng.standard_normal(n).astype(np.float32), dtype)
    b = round_to(rng.standard_normal(n).astype(np.float32), dtype) if op == "layer_norm" else None
    return Inputs(op, dtype, DEFAULT_EPS[op] if eps is None else float(eps), x, w, b)


def oracle(inp: Inputs) -> np.ndarray:
    if inp.op == "rms_norm":
        return reference.rms_norm(inp.x, inp.w, inp.eps)
    return reference.layer_norm(inp.x, inp.w, inp.b, inp.eps)


def _ulp(ref: np.ndarray, dtype: str) -> np.ndarray:
    """Output-dtype spacing at max(|ref|, mean |ref|): near-zero outputs that come from cancellation
    (LayerNorm's bias, fp32 statistics) are judged on the scale of the typical output, not their own."""
    _, exp = np.frexp(np.maximum(np.abs(ref), max(float(np.abs(ref).mean()), 2.0**-14)))
    return np.ldexp(1.0, exp - 1 - MANTISSA[dtype])


def pcc(a: np.ndarray, b: np.ndarray) -> float:
    a = a.ravel().astype(np.float64)
    b = b.ravel().astype(np.float64)
    if np.array_equal(a, b):
        return 1.0
    sa, sb = a.std(), b.std()
    if sa == 0 or sb == 0:
        return 0.0
    return float(np.mean((a - a.mean()) * (b - b.mean())) / (sa * sb))


def compare(out: np.ndarray, ref: np.ndarray, dtype: str) -> tuple[float, float, float]:
    """(max abs error, max error in output-dtype ulps of the reference, PCC)."""
    out = np.asarray(out, np.float64)
    if out.shape != ref.shape:
        raise ValueError(f"output shape {out.shape} != reference shape {ref.shape}")
    if not np.isfinite(out).all():
        return float("inf"), float("inf"), 0.0
    err = np.abs(out - ref)
    return float(err.max()), float((err / _ulp(ref, dtype)).max()), pcc(out, ref)


# ----------------------------------------------------------------------------------------------------
# Backends: each takes Inputs and returns the output as a float64 array of the input's shape.


def _torch_dtype(dtype: str):
    import torch

    return {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32}[dtype]


def run_torch(inp: Inputs) -> np.ndarray:
    try:
        import torch
        import torch.nn.functional as F
    except ImportError as exc:
        raise Skip(f"torch is not installed ({exc})") from exc
    td = _torch_dtype(inp.dtype)
    x, w = torch.from_numpy(inp.x).to(td), torch.from_numpy(inp.w).to(td)
    n = (inp.x.shape[-1],)
    if inp.op == "rms_norm":
        y = F.rms_norm(x.float(), n, w.float(), inp.eps)
    else:
        y = F.layer_norm(x.float(), n, w.float(), torch.from_numpy(inp.b).to(td).float(), inp.eps)
    return y.to(td).double().numpy()


def run_triton(inp: Inputs) -> np.ndarray:
    try:
        import torch
    except ImportError as exc:
        raise Skip(f"torch is not installed ({exc})") from exc
    gpu = torch.cuda.is_available()
    if not gpu:
        if "triton" in sys.modules and os.environ.get("TRITON_INTERPRET", "0") in ("", "0"):
            raise Skip("no GPU, and triton was imported before TRITON_INTERPRET=1 could be set")
        os.environ["TRITON_INTERPRET"] = "1"
    try:
        import siblings.triton as st
    except ImportError as exc:
        raise Skip(f"triton is not installed ({exc}); pip install 'ttnn-scaffold[triton]'") from exc
    td = _torch_dtype(inp.dtype)
    dev = "cuda" if gpu else "cpu"
    x = torch.from_numpy(inp.x).to(td).to(dev)
    w = torch.from_numpy(inp.w).to(td).to(dev)
    if inp.op == "rms_norm":
        y = st.rms_norm(x, w, inp.eps)
    else:
        y = st.layer_norm(x, w, torch.from_numpy(inp.b).to(td).to(dev), inp.eps)
    return y.double().cpu().numpy()


def _np_dtype(dtype: str):
    if dtype == "bf16":
        try:
            import ml_dtypes
        except ImportError as exc:
            raise Skip("bf16 arrays need ml_dtypes (pip install ml_dtypes)") from exc
        return ml_dtypes.bfloat16
    return {"f16": np.float16, "f32": np.float32}[dtype]


def run_nki(inp: Inputs) -> np.ndarray:
    from siblings import nki

    d = _np_dtype(inp.dtype)
    x2 = inp.x.reshape(-1, inp.x.shape[-1]).astype(d)
    try:
        if inp.op == "rms_norm":
            y = nki.run_rms_norm(x2, inp.w.astype(d), inp.eps)
        else:
            y = nki.run_layer_norm(x2, inp.w.astype(d), inp.b.astype(d), inp.eps)
    except ValueError as exc:
        if "bytes per partition" in str(exc):
            raise Skip(f"row does not fit one SBUF partition: {exc}") from exc
        raise
    return np.asarray(y).astype(np.float64).reshape(inp.x.shape)


def run_iree(inp: Inputs) -> np.ndarray:
    from siblings.iree import runner

    ok, why = runner.available()
    if not ok:
        raise Skip(why)
    d = _np_dtype(inp.dtype)
    x2 = inp.x.reshape(-1, inp.x.shape[-1]).astype(d)
    if inp.op == "rms_norm":
        y = runner.rms_norm(x2, inp.w.astype(d), inp.eps)
    else:
        y = runner.layer_norm(x2, inp.w.astype(d), inp.b.astype(d), inp.eps)
    return np.asarray(y).astype(np.float64).reshape(inp.x.shape)


def run_ttnn(inp: Inputs) -> np.ndarray:
    """The project's ttnn ops (on the emulator or a Tenstorrent device); contract: 4-D, H, W % 32 == 0."""
    shape = inp.x.shape
    if shape[-1] % 32 or shape[-2] % 32:
        raise Skip(f"ttnn ops need H and W multiples of 32, got shape {shape}")
    if inp.op == "layer_norm" and inp.dtype != "bf16":
        raise Skip("layer_norm_rm takes bfloat16 only")
    if inp.dtype == "f16":
        raise Skip("the ttnn ops take bfloat16 or float32, not float16")
    try:
        import torch
        import ttnn
    except Exception as exc:
        raise Skip(f"ttnn is not importable ({short_error(exc)})") from exc
    try:
        if inp.op == "rms_norm":
            from ttnn.operations.rms_norm import rms_norm as op
        else:
            from ttnn.operations.layer_norm_rm import layer_norm_rm as op
    except Exception as exc:
        raise Skip(f"the ttnn op is not importable ({short_error(exc)})") from exc
    try:
        device = ttnn.open_device(device_id=0)
    except Exception as exc:
        raise Skip(f"no ttnn device could be opened ({short_error(exc)})") from exc
    _ENGINE["ttnn"] = "emulator" if getattr(ttnn, "EMULATED", False) else "Tenstorrent device"
    try:
        td = _torch_dtype(inp.dtype)
        tdt = ttnn.bfloat16 if inp.dtype == "bf16" else ttnn.float32
        x4 = torch.from_numpy(inp.x).to(td).reshape((1,) * (4 - len(shape)) + shape)
        w4 = torch.from_numpy(inp.w).to(td).reshape(1, 1, 1, -1)

        def dev(t):
            return ttnn.from_torch(t, dtype=tdt, layout=ttnn.ROW_MAJOR_LAYOUT, device=device)

        if inp.op == "rms_norm":
            y = op(dev(x4), gamma=dev(w4), epsilon=inp.eps)
        else:
            b4 = torch.from_numpy(inp.b).to(td).reshape(1, 1, 1, -1)
            y = op(dev(x4), dev(w4), dev(b4), epsilon=inp.eps)
        return ttnn.to_torch(y).double().reshape(shape).numpy()
    finally:
        ttnn.close_device(device)


def run_ttlang(inp: Inputs) -> np.ndarray:
    """The TT-Lang kernels on tt-lang-sim (a worker process of its own); contract: W % 32 == 0."""
    from siblings import ttlang

    ok, why = ttlang.available()
    if not ok:
        raise Skip(why)
    if inp.x.shape[-1] % 32:
        raise Skip(f"the TT-Lang norms reduce whole tiles: W must be a multiple of 32, got {inp.x.shape[-1]}")
    if inp.dtype == "f16":
        raise Skip("the TT-Lang norms take bfloat16 or float32, not float16")
    import torch

    td = _torch_dtype(inp.dtype)
    x, w = torch.from_numpy(inp.x).to(td), torch.from_numpy(inp.w).to(td)
    if inp.op == "rms_norm":
        y = ttlang.rms_norm(x, w, epsilon=inp.eps)
    else:
        y = ttlang.layer_norm(x, w, torch.from_numpy(inp.b).to(td), epsilon=inp.eps)
    return y.double().numpy()


# Where a backend ran, when only the run itself can tell (ttnn: the emulator or a device).
_ENGINE: dict[str, str] = {}

RUNNERS = {
    "ttnn": run_ttnn,
    "triton": run_triton,
    "nki": run_nki,
    "iree": run_iree,
    "ttlang": run_ttlang,
    "torch": run_torch,
}


def describe_engine(name: str) -> str:
    """Where a backend runs, for the report."""
    if name == "triton":
        try:
            import torch

            return "GPU" if torch.cuda.is_available() else "CPU interpreter"
        except ImportError:
            return ""
    if name == "nki":
        from siblings import nki

        return "AWS simulator" if nki.real_nki_available() else "NumPy interpreter"
    if name == "iree":
        return "llvm-cpu"
    if name == "ttnn":
        return _ENGINE.get("ttnn", "emulator or device")
    if name == "ttlang":
        return "tt-lang-sim"
    return "CPU"


@dataclass
class Report:
    op: str
    shape: tuple[int, ...]
    dtype: str
    eps: float
    seed: int
    max_ulp: float
    min_pcc: float
    results: list[BackendResult]
    pairwise: dict[str, dict[str, float]]  # max |a - b|
    pairwise_ulp: dict[str, dict[str, float]] = field(default_factory=dict)  # the same in ulps of ref

    @property
    def ok(self) -> bool:
        return all(r.status in ("ok", "skipped") for r in self.results)

    @property
    def ran(self) -> list[str]:
        """Backends that produced an output (ok or fail)."""
        return [r.backend for r in self.results if r.status in ("ok", "fail")]

    def to_json(self) -> dict:
        d = asdict(self)
        for r in d["results"]:
            r.pop("output", None)
        d["ok"] = self.ok
        d["ran"] = self.ran
        d["shape"] = list(self.shape)
        return d


def crosscheck(
    op: str,
    shape: tuple[int, ...],
    dtype: str,
    backends=ALL_BACKENDS,
    *,
    eps=None,
    seed=0,
    max_ulp: float | None = None,
    min_pcc: float = DEFAULT_MIN_PCC,
) -> Report:
    backends = list(dict.fromkeys(backends))  # each once, in the order given
    unknown = [b for b in backends if b not in RUNNERS]
    if unknown:
        raise ValueError(f"unknown backend(s) {', '.join(unknown)}; choose from {', '.join(RUNNERS)}")
    if not backends:
        raise ValueError(f"no backend given; choose from {', '.join(RUNNERS)}")
    inp = make_inputs(op, shape, dtype, eps, seed)
    dtype = inp.dtype
    ref = oracle(inp)
    tol = default_max_ulp(dtype, shape[-1]) if max_ulp is None else max_ulp
    results = []
    for name in backends:
        try:
            out = RUNNERS[name](inp)
        except Skip as exc:
            results.append(BackendResult(name, "skipped", str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - a crash in one backend must not hide the others
            results.append(BackendResult(name, "error", short_error(exc)))
            continue
        abs_err, ulp_err, corr = compare(out, ref, dtype)
        btol = tol if max_ulp is not None else max(tol, BACKEND_MAX_ULP.get(name, {}).get(dtype, tol))
        good = ulp_err <= btol and corr >= min_pcc
        results.append(
            BackendResult(
                name, "ok" if good else "fail", describe_engine(name), abs_err, ulp_err, corr, btol, out
            )
        )
    ran = [r for r in results if r.output is not None]
    ulp = _ulp(ref, dtype)
    pairwise: dict[str, dict[str, float]] = {}
    pairwise_ulp: dict[str, dict[str, float]] = {}
    for a in ran:
        pairwise[a.backend], pairwise_ulp[a.backend] = {}, {}
        for b in ran:
            diff = np.abs(a.output - b.output)
            pairwise[a.backend][b.backend] = float(diff.max())
            pairwise_ulp[a.backend][b.backend] = float((diff / ulp).max())
    return Report(inp.op, tuple(shape), dtype, inp.eps, seed, tol, min_pcc, results, pairwise, pairwise_ulp)


def parse_shape(text: str) -> tuple[int, ...]:
    """ "4x4096", "2,32,4096" or "2 32 4096" -> a tuple of ints."""
    parts = [p for p in text.replace("x", ",").replace("X", ",").replace(" ", ",").split(",") if p]
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"shape must be integers like 4x4096 or 2,32,4096, got {text!r}") from None
    if len(shape) < 2 or any(d <= 0 for d in shape):
        raise ValueError(f"shape must have >= 2 positive dims (rows..., hidden), got {text!r}")
    return shape
