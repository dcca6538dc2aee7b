"""IREE's CUDA target on a GPU: compile on any host, run where the GPU is.

    python -m siblings.iree.cuda_check compile DIR   # needs iree-base-compiler; no GPU
    python -m siblings.iree.cuda_check run DIR [--json FILE]   # needs iree-base-runtime and a CUDA GPU

``compile`` writes dynamic-batch sm_80 modules (the driver JIT-compiles the PTX for newer GPUs) for both
norms in f32/f16/bf16 and both dialects; ``run`` executes them with the ``cuda`` driver on seeded inputs,
checks every output against a float64 reference (one output ulp; 64 for f32: sequential f32 sums over N = 4096), and times each module
(median of host-timed synchronous calls, host copies included: a correctness check, not a benchmark).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from siblings import reference
from siblings.iree.models import NormConfig

CASES = [
    (op, dtype, dialect, rows)
    for op in ("rms_norm", "layer_norm")
    for dtype in ("f32", "f16", "bf16")
    for dialect in ("linalg", "stablehlo")
    for rows in (7, 4096)
]
HIDDEN = 4096
MANTISSA = {"f32": 23, "f16": 10, "bf16": 7}


def _name(op, dtype, dialect, rows):
    return f"{op}_{dtype}_{dialect}_{rows}"


def _inputs(op, dtype, rows, seed):
    """Seeded inputs and the float64 reference (made where the check runs: they are large)."""
    from siblings.iree.runner import np_dtype

    rng = np.random.default_rng(seed)
    d = np_dtype(dtype)
    x = rng.standard_normal((rows, HIDDEN)).astype(np.float32).astype(d)
    w = rng.standard_normal(HIDDEN).astype(np.float32).astype(d)
    if op == "rms_norm":
        return [x, w], reference.rms_norm(x.astype(np.float64), w.astype(np.float64), 1e-6)
    b = rng.standard_normal(HIDDEN).astype(np.float32).astype(d)
    return [x, w, b], reference.layer_norm(
        x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), 1e-5
    )


def compile_all(out: Path, target: str = "cuda") -> None:
    from siblings.iree.runner import compile_module
    from siblings.iree.templates import instantiate

    out.mkdir(parents=True, exist_ok=True)
    for op, dtype, dialect, rows in CASES:
        if rows != CASES[0][3]:
            continue  # one dynamic-batch module serves every row count
        cfg = NormConfig(op, HIDDEN, dtype, 1e-6 if op == "rms_norm" else 1e-5, name=op)
        (out / f"{op}_{dtype}_{dialect}.vmfb").write_bytes(compile_module(instantiate(cfg, dialect), target))


def run_all(src: Path, driver: str = "cuda", rows_limit: int | None = None) -> list[dict]:
    import iree.runtime as ireert

    results = []
    for i, (op, dtype, dialect, rows) in enumerate(CASES):
        if rows_limit and rows > rows_limit:
            continue
        args, ref = _inputs(op, dtype, rows, seed=i)
        module = ireert.load_vm_flatbuffer((src / f"{op}_{dtype}_{dialect}.vmfb").read_bytes(), driver=driver)
        fn = getattr(module, op)
        y = np.asarray(fn(*args).to_host()).astype(np.float64)
        _, e = np.frexp(np.maximum(np.abs(ref), np.abs(ref).mean()))
        ulps = float((np.abs(y - ref) / np.ldexp(1.0, e - 1 - MANTISSA[dtype])).max())
        times = []
        for _ in range(20):
            t = time.perf_counter()
            fn(*args).to_host()
            times.append(time.perf_counter() - t)
        us = float(np.median(times) * 1e6)
        moved = (2 * rows * HIDDEN + HIDDEN * (1 if op == "rms_norm" else 2)) * (4 if dtype == "f32" else 2)
        results.append(
            {
                "case": _name(op, dtype, dialect, rows),
                "max_abs_err": float(np.abs(y - ref).max()),
                "max_ulp": ulps,
                "ok": ulps <= (64 if dtype == "f32" else 1.0),
                "median_us_with_host_copies": us,
                "gbps_with_host_copies": moved / us / 1e3,
            }
        )
        print(json.dumps(results[-1]), flush=True)
    return results


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=["compile", "run"])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--json", type=Path, help="write the run results here")
    ap.add_argument("--target", default="cuda", help="compile target (llvm-cpu to try the check on a CPU)")
    ap.add_argument("--driver", default="cuda", help="runtime driver (local-task with an llvm-cpu build)")
    ap.add_argument("--max-rows", type=int, default=None, help="skip the cases with more rows")
    args = ap.parse_args(argv)
    if args.step == "compile":
        compile_all(args.dir, args.target)
        return 0
    results = run_all(args.dir, args.driver, args.max_rows)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
