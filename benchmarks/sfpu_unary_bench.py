"""Run time of a 64-tile unary SFPU op on the emulator's wheel-API build (TTNN_EMULATOR_API=wheel): the wheel's
eltwise_sfpu.cpp with its reader/writer through ttnn.generic_op, on one core (TTNN_EMULATOR_GRID=1x1) and on
the 8x8 grid, after a warm-up launch that builds the kernels.

    .venv/bin/python benchmarks/sfpu_unary_bench.py [--repeats 3] [--ops exp,sqrt,gelu]

Each (grid, op) runs in a process of its own. Prints a table and writes benchmarks/results/sfpu_unary_bench.{json,md}.
The shadow-header emulator (v1) has no exp_tile or gelu_tile and cannot build eltwise_sfpu.cpp, so there is no
earlier time for these ops to compare with; v1's hand-written sqrt/rsqrt/recip are compared for numerics in
sfpu_standins.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHAINS = {
    "exp": ("exp_tile_init<false>();", "exp_tile<false>(0);", "SFPU_OP_EXP_INCLUDE"),
    "sqrt": ("sqrt_tile_init();", "sqrt_tile(0);", "SFPU_OP_SQRT_INCLUDE"),
    "gelu": ("gelu_tile_init<false>();", "gelu_tile<false>(0);", "SFPU_OP_GELU_INCLUDE"),
}

CHILD = r"""
import json, sys, time
import torch, ttnn
sys.path.insert(0, sys.argv[1])
from tests.emulator.real_programs import eltwise, wheel
init, func, include = json.loads(sys.argv[2])
repeats = int(sys.argv[3])
dev = ttnn.open_device(device_id=0)
x = torch.empty(256, 256).uniform_(0.5, 2).to(torch.bfloat16)  # 64 tiles
inp = wheel.to_device(x, device=dev)
out = wheel.empty(x.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, dev)
desc = lambda: eltwise.unary_descriptor(inp, out, eltwise.sfpu_chain(init, func, include))
t0 = time.perf_counter(); ttnn.generic_op([inp, out], desc()); first = time.perf_counter() - t0
times = []
for _ in range(repeats):
    t0 = time.perf_counter(); ttnn.generic_op([inp, out], desc()); times.append(time.perf_counter() - t0)
print(json.dumps({"first_s": first, "warm_s": sorted(times)[len(times) // 2]}))
"""


def run(op: str, grid: str, repeats: int) -> dict:
    env = {**os.environ, "TTNN_EMULATOR_API": "wheel", "TTNN_EMULATOR_GRID": grid}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), json.dumps(CHAINS[op]), str(repeats)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        return {
            "error": proc.stderr.strip().splitlines()[-1]
            if proc.stderr.strip()
            else f"exit {proc.returncode}"
        }
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--ops", default="exp,sqrt,gelu")
    args = ap.parse_args()
    rows = []
    for op in args.ops.split(","):
        for grid in ("1x1", "8x8"):
            r = run(op, grid, args.repeats)
            rows.append({"op": op, "grid": grid, **r})
            print(rows[-1], flush=True)
    lines = [
        "# 64-tile unary SFPU op on the emulator (wheel-API build)",
        "",
        (
            "eltwise_sfpu.cpp + the unary reader/writer via ttnn.generic_op, 256x256 bf16 (64 tiles), median of "
            f"{args.repeats} warm launches; the first launch includes building the kernels."
        ),
        "",
        "| op | grid | warm launch | first launch |",
        "|---|---|---|---|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['op']} | {r['grid']} | error: {r['error']} | |")
        else:
            lines.append(f"| {r['op']} | {r['grid']} | {r['warm_s']:.3f} s | {r['first_s']:.2f} s |")
    md = "\n".join(lines) + "\n"
    out = ROOT / "benchmarks" / "results"
    (out / "sfpu_unary_bench.json").write_text(
        json.dumps({"repeats": args.repeats, "rows": rows}, indent=1) + "\n"
    )
    (out / "sfpu_unary_bench.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
