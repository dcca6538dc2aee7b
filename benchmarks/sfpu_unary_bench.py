"""Run time of a 64-tile unary SFPU op on the emulator, on one core (TTNN_EMULATOR_GRID=1x1) and on the 8x8 grid,
before and after the SFPU became the wheel's own algorithms.

    .venv/bin/python benchmarks/sfpu_unary_bench.py [--repeats 3] [--ops exp,sqrt,gelu] [--same-ops sqrt,rsqrt,recip]

Two tables:
- same kernels: the emulator tests' eltwise program (tests/emulator/kernels/eltwise_compute.cpp with an
  SFPU_OP_CHAIN_0 define) for the ops the first generation had a hand-written stand-in for. "before" is the first
  generation (shadow headers, one compute thread, stand-in SFPU); "after" is the wheel's API (three TRISC builds,
  the ckernel_sfpu algorithm on the x86 SFPI). The first generation is gone from the emulator, so its rows are kept
  from the JSON of the run that measured them (`measured` says when).
- the wheel's eltwise_sfpu.cpp with its reader/writer (what ttnn's unary ops run), for ops the stand-ins never had.

Each (grid, op, generation) runs in a process of its own, after a warm-up launch that builds the kernels; times are
the median of the warm launches, wall and CPU (all threads of the process). Writes
benchmarks/results/sfpu_unary_bench.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

WHEEL_CHAINS = {
    "exp": ("exp_tile_init<false>();", "exp_tile<false>(0);", "SFPU_OP_EXP_INCLUDE"),
    "sqrt": ("sqrt_tile_init();", "sqrt_tile(0);", "SFPU_OP_SQRT_INCLUDE"),
    "gelu": ("gelu_tile_init<false>();", "gelu_tile<false>(0);", "SFPU_OP_GELU_INCLUDE"),
}
SAME_CHAINS = {
    "sqrt": "sqrt_tile_init(); sqrt_tile(0);",
    "rsqrt": "rsqrt_tile_init(); rsqrt_tile(0);",
    "recip": "recip_tile_init(); recip_tile(0);",
}

_TIMER = r"""
import json, statistics, sys, time
import torch, ttnn
sys.path.insert(0, sys.argv[1])
repeats = int(sys.argv[3])
dev = ttnn.open_device(device_id=0)
x = torch.empty(256, 256).uniform_(0.5, 2).to(torch.bfloat16)  # 64 tiles
def timed(launch):
    t0 = time.perf_counter(); launch(); first = time.perf_counter() - t0
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        launch()
        wall.append(time.perf_counter() - t0); cpu.append(time.process_time() - c0)
    return {"first_s": first, "warm_s": statistics.median(wall), "warm_cpu_s": statistics.median(cpu)}
"""

WHEEL_CHILD = (
    _TIMER
    + r"""
from tests.emulator.real_programs import eltwise, wheel
init, func, include = json.loads(sys.argv[2])
inp = wheel.to_device(x, device=dev)
out = wheel.empty(x.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, dev)
print(json.dumps(timed(lambda: ttnn.generic_op([inp, out], eltwise.unary_descriptor(inp, out, eltwise.sfpu_chain(init, func, include))))))
"""
)

SAME_CHILD = (
    _TIMER
    + r"""
from tests.emulator import programs
chain = json.loads(sys.argv[2])
inp = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=dev)
out = ttnn.allocate_tensor_on_device(inp.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, dev, ttnn.DRAM_MEMORY_CONFIG)
print(json.dumps(timed(lambda: ttnn.generic_op([inp, out], programs.eltwise([inp], out, [("SFPU_OP_CHAIN_0", chain)])))))
"""
)


def run(child: str, arg: str, grid: str, repeats: int, env_extra: dict) -> dict:
    env = {**os.environ, "TTNN_EMULATOR_GRID": grid, **env_extra}
    proc = subprocess.run(
        [sys.executable, "-c", child, str(ROOT), arg, str(repeats)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _cell(r: dict | None) -> str:
    if r is None:
        return "not measured |"
    if "error" in r:
        return f"error: {r['error']} |"
    return f"{r['warm_s']:.3f} s / {r['warm_cpu_s']:.2f} CPU s | {r['first_s']:.2f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--ops", default="exp,sqrt,gelu", help="ops through the wheel's eltwise_sfpu.cpp")
    ap.add_argument("--same-ops", default="sqrt,rsqrt,recip", help="ops with a first-generation stand-in")
    args = ap.parse_args()
    old = {}
    if (RESULTS / "sfpu_unary_bench.json").exists():
        saved = json.loads((RESULTS / "sfpu_unary_bench.json").read_text())
        old = {(r["op"], r["grid"]): r for r in saved.get("before", [])}
    before, after, wheel_rows = [], [], []
    for op in filter(None, args.same_ops.split(",")):
        for grid in ("1x1", "8x8"):
            chain = json.dumps(SAME_CHAINS[op])
            b = old.get((op, grid))
            a = {
                "op": op,
                "grid": grid,
                **run(SAME_CHILD, chain, grid, args.repeats, {"TTNN_EMULATOR_API": "wheel"}),
            }
            if b is not None:
                before.append(b)
            after.append(a)
            print("before", b, "\nafter ", a, flush=True)
    for op in filter(None, args.ops.split(",")):
        for grid in ("1x1", "8x8"):
            r = {
                "op": op,
                "grid": grid,
                **run(
                    WHEEL_CHILD,
                    json.dumps(WHEEL_CHAINS[op]),
                    grid,
                    args.repeats,
                    {"TTNN_EMULATOR_API": "wheel"},
                ),
            }
            wheel_rows.append(r)
            print(r, flush=True)

    lines = [
        "# 64-tile unary SFPU op on the emulator, before/after the wheel's SFPU algorithms",
        "",
        f"256x256 bf16 (64 tiles), median of {args.repeats} warm launches (wall / CPU of all threads); the first launch",
        "includes building the kernels. Same kernels: tests/emulator/kernels/eltwise_compute.cpp + tile reader/writer.",
        "",
        "| op | grid | before: stand-in (warm) | before: first | after: wheel algorithm (warm) | after: first | measured (before) |",
        "|---|---|---|---|---|---|---|",
    ]
    b_by = {(r["op"], r["grid"]): r for r in before}
    for a in after:
        b = b_by.get((a["op"], a["grid"]))
        lines.append(
            f"| {a['op']} | {a['grid']} | {_cell(b)} | {_cell(a)} | {b.get('measured', '') if b else ''} |"
        )
    lines += [
        "",
        "The wheel's eltwise_sfpu.cpp (what ttnn's unary ops run) for ops the stand-ins never had:",
        "",
        "| op | grid | warm | first |",
        "|---|---|---|---|",
    ]
    lines += [f"| {r['op']} | {r['grid']} | {_cell(r)} |" for r in wheel_rows]
    md = "\n".join(lines) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sfpu_unary_bench.json").write_text(
        json.dumps({"repeats": args.repeats, "before": before, "after": after, "wheel": wheel_rows}, indent=1)
        + "\n"
    )
    (RESULTS / "sfpu_unary_bench.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
