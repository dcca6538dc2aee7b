"""Emulator speed: kernel build time (cold cache and warm) and the run time of a 4096x4096 bf16 tiled op.

    .venv/bin/python benchmarks/emulator_bench.py [--size 4096] [--repeats 3]

Prints a table and writes benchmarks/results/emulator_bench.json.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn, repeats=1):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "emulator_bench.json")
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="emu-bench-cache-")  # cold builds: an empty cache, removed at exit
    atexit.register(shutil.rmtree, cache, ignore_errors=True)
    os.environ["TTNN_EMULATOR_CACHE"] = cache

    import torch
    import ttnn
    from rich.console import Console
    from rich.table import Table

    from emulator import kernel_build, runtime_lib
    from tests.emulator import programs

    rows = []
    t_runtime = timed(runtime_lib.library_path)
    rows.append(("runtime library build (cold)", t_runtime, ""))
    device = ttnn.open_device(device_id=0)
    n = args.size
    a = torch.randn(1, 1, n, n).to(torch.bfloat16)
    b = torch.randn(1, 1, n, n).to(torch.bfloat16)
    ta = ttnn.from_torch(a, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    tb = ttnn.from_torch(b, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(
        ta.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG
    )
    tiles = ta.buffer_num_pages()

    def program(op):
        return programs.eltwise(
            [ta, tb], out, [("ELTWISE_OP", f"{op}_tiles"), ("ELTWISE_OP_INIT", f"{op}_init")]
        )

    pd = program("add")
    builds = [
        kernel_build.KernelBuild(
            source=str(programs.KERNELS / "eltwise_compute.cpp"),
            role="compute",
            compile_time_args=(tiles // 64,),
            defines=(("ELTWISE_OP", "mul_tiles"), ("ELTWISE_OP_INIT", "mul_init")),
        )
    ]
    t_cold = timed(lambda: kernel_build.build(builds[0]))
    t_warm = timed(lambda: kernel_build.build(builds[0]), repeats=20)
    rows.append(("compute kernel build, cold cache", t_cold, "g++ -O1 of one TU"))
    rows.append(("compute kernel build, warm cache", t_warm, "hash + dependency check"))
    t_first = timed(lambda: ttnn.generic_op([ta, tb, out], pd))
    rows.append((f"{n}x{n} bf16 add, first launch", t_first, "includes building 3-4 kernels"))
    t_run = timed(lambda: ttnn.generic_op([ta, tb, out], pd), repeats=args.repeats)
    rows.append(
        (
            f"{n}x{n} bf16 add, warm launch",
            t_run,
            f"{tiles} tiles on 64 cores, {t_run / tiles * 1e6:.1f} us/tile",
        )
    )
    t_up = timed(lambda: ttnn.from_torch(a, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device))
    rows.append((f"{n}x{n} bf16 upload (from_torch, TILE)", t_up, ""))
    t_down = timed(lambda: ttnn.to_torch(out))
    rows.append((f"{n}x{n} bf16 download (to_torch)", t_down, ""))
    ttnn.close_device(device)

    table = Table(title="Tensix emulator: build and run times")
    table.add_column("what")
    table.add_column("seconds", justify="right")
    table.add_column("note")
    for what, secs, note in rows:
        table.add_row(what, f"{secs:.3f}", note)
    Console().print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "size": n,
                "tiles": tiles,
                "cpus": os.cpu_count(),
                "rows": [{"what": w, "seconds": round(s, 4), "note": nt} for w, s, nt in rows],
            },
            indent=2,
        )
        + "\n"
    )
    out = args.out.resolve()
    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
