"""The emulator's hand-written SFPU stand-ins (emulator/runtime/src/compute/numerics.cpp: sqrt, rsqrt, recip)
against the wheel's own algorithms on the x86 SFPI (the Wormhole SFPU's multiply-add and DEST stores), on the
inputs the shipped norms give rsqrt (a row's mean square or variance plus eps) and on wide random ranges.

    .venv/bin/python benchmarks/sfpu_standins.py [--n 16384] [--seed N]

Prints a table and writes benchmarks/results/sfpu_standins.{json,md}: the fraction of results bit-identical,
the largest difference in ulps of the DEST format, and a few inputs where they differ. This is what changes in
rms_norm / layer_norm_rm outputs when the stand-ins give way to the real algorithms.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.emulator.sfpi import build as harness
from tests.emulator.sfpi import ops

RUNTIME = ROOT / "emulator" / "runtime"
OPS = {"sqrt": 0, "rsqrt": 1, "recip": 2}


# The stand-ins exported by name, compiled with the runtime's numerics.cpp only.
SHIM = """
#include "emu/compute/numerics.h"
extern "C" void standin_sfpu(const float* in, float* out, int n, int op, int fp32_dest) {
    using namespace emu::compute;
    for (int i = 0; i < n; ++i)
        out[i] = op == 0 ? sfpu_sqrt(in[i], false, false, fp32_dest) : op == 1 ? sfpu_rsqrt(in[i], false, false, fp32_dest)
                                                                      : sfpu_recip(in[i], false, fp32_dest);
}
"""


def standin_lib(tmp: Path) -> ctypes.CDLL:
    out = tmp / "libstandins.so"
    shim = tmp / "standins.cpp"
    shim.write_text(SHIM)
    srcs = [RUNTIME / "src" / "compute" / "numerics.cpp", shim]
    cmd = [
        "g++",
        "-std=c++20",
        "-O2",
        "-fPIC",
        "-shared",
        f"-I{RUNTIME / 'include'}",
        "-o",
        str(out),
        *map(str, srcs),
    ]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return ctypes.CDLL(str(out))


def standin(lib, x: np.ndarray, op: str, fp32: bool) -> np.ndarray:
    x = np.ascontiguousarray(x, np.float32)
    out = np.empty_like(x)
    fp = ctypes.POINTER(ctypes.c_float)
    lib.standin_sfpu(x.ctypes.data_as(fp), out.ctypes.data_as(fp), len(x), OPS[op], int(fp32))
    return out


def wheel(exe, x: np.ndarray, op: str) -> np.ndarray:
    out = np.empty(x.size, np.float32)
    for i in range(0, x.size, 1024):
        tiles = np.zeros((4, 1024), np.uint32)
        chunk = x[i : i + 1024].view(np.uint32)
        tiles[0, : chunk.size] = chunk
        out[i : i + chunk.size] = (
            harness.run(exe, f"unary:{op}", tiles).reshape(4, 1024)[0, : chunk.size].view(np.float32)
        )
    return out


def inputs(rng, n: int, fp32: bool) -> dict[str, np.ndarray]:
    w = 2048  # row width of the norms' inputs
    rows = rng.standard_normal((n // 64, w)).astype(np.float64) * rng.uniform(0.1, 10, (n // 64, 1))
    ms = (rows**2).mean(axis=1)
    var = rows.var(axis=1)
    norm = np.concatenate([ms, var])
    norm = np.resize(norm + 1e-5, n)
    sets = {
        "norm inputs (mean square / variance + 1e-5)": norm,
        "log-uniform [1e-6, 1e6]": np.exp(rng.uniform(np.log(1e-6), np.log(1e6), n)),
    }
    return {k: ops.from_dest(ops.to_dest(v, fp32)).astype(np.float32) for k, v in sets.items()}


def ulp_diff(a: np.ndarray, b: np.ndarray, fp32: bool) -> np.ndarray:
    ia, ib = a.view(np.int32).astype(np.int64), b.view(np.int32).astype(np.int64)
    d = np.abs(ia - ib)
    return d if fp32 else d >> 16


def compare(n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        lib = standin_lib(Path(tmp))
        for fp32 in (True, False):
            exe = harness.build(Path(tmp), fp32=fp32, approx=False)
            for label, x in inputs(rng, n, fp32).items():
                for op in OPS:
                    xs = np.abs(x) if op != "recip" else x
                    a, b = standin(lib, xs, op, fp32), wheel(exe, xs, op)
                    same = a.view(np.uint32) == b.view(np.uint32)
                    d = ulp_diff(a, b, fp32)
                    worst = np.argsort(-d)[:3]
                    rows.append(
                        {
                            "dest": "fp32" if fp32 else "bf16",
                            "inputs": label,
                            "op": op,
                            "bit_identical": float(same.mean()),
                            "max_ulp": int(d.max()),
                            "examples": [[float(xs[i]), float(a[i]), float(b[i])] for i in worst if d[i]],
                        }
                    )
    return rows


def markdown(rows: list[dict], n: int, seed: int) -> str:
    lines = [
        "# SFPU stand-ins vs the wheel's algorithms",
        "",
        f"{n} inputs per row, seed {seed}. Stand-in: emulator/runtime/src/compute/numerics.cpp (IEEE fmaf); wheel: the",
        "ckernel_sfpu algorithm on the x86 SFPI (Wormhole multiply-add, DEST stores). Ulps of the DEST format.",
        "",
        "| DEST | inputs | op | bit-identical | max ulp | example (x, stand-in, wheel) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        ex = "; ".join(f"{x:.6g} -> {a:.9g} / {b:.9g}" for x, a, b in r["examples"][:1]) or "-"
        lines.append(
            f"| {r['dest']} | {r['inputs']} | {r['op']} | {100 * r['bit_identical']:.2f} % | {r['max_ulp']} | {ex} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=16384)
    ap.add_argument("--seed", type=int, default=20261207)
    args = ap.parse_args()
    rows = compare(args.n, args.seed)
    md = markdown(rows, args.n, args.seed)
    out = ROOT / "benchmarks" / "results"
    (out / "sfpu_standins.json").write_text(
        json.dumps({"n": args.n, "seed": args.seed, "rows": rows}, indent=1) + "\n"
    )
    (out / "sfpu_standins.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
