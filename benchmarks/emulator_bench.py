"""Emulator speed on v2 (kernels built against the wheel's own headers) beside the first generation's recorded
times (its own kernel API, which v2 replaces): compute-kernel build cold and warm, a 4096x4096 bf16 eltwise op's
run time, and the shipped ops' warm call time.

    .venv/bin/python benchmarks/emulator_bench.py [--size 4096] [--repeats 3]

v2 is measured in a process of its own with an empty build cache (cold builds are cold); the "before" column is
read from the previous benchmarks/results/emulator_bench.json and written back unchanged. Every row also
reports CPU seconds (this process's threads plus the compilers it ran), which a machine loaded by other work
does not inflate the way it does wall time. Prints a table and writes benchmarks/results/emulator_bench.{json,md}. A measurement a path cannot
make yet is reported with the error that stopped it, never as a time.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PATHS = {"shadow": "before: emulator kernel API (recorded)", "wheel": "v2: wheel headers"}
RECORDED = (
    "shadow"  # the first generation's column: measured while it existed, kept from the previous results
)
BUDGETS = {
    "compute kernel build, cold": "<= 10 s",
    "compute kernel build, warm": "0 (cache hit)",
    "wheel compute kernel build, cold": "<= 10 s",
    "wheel compute kernel build, warm": "0 (cache hit)",
    "wheel SFPU kernel build, cold": "<= 10 s",
    "wheel SFPU kernel build, warm": "0 (cache hit)",
}


def _cpu() -> float:
    """CPU seconds of this process (the emulated cores' threads) and its waited-for children (compilers)."""
    return sum(
        u.ru_utime + u.ru_stime
        for u in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )


def timed(fn, repeats=1):
    """(median wall seconds, median CPU seconds)."""
    times, cpus = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), _cpu()
        fn()
        times.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
    return statistics.median(times), statistics.median(cpus)


def _clean(msg: str) -> str:
    """An error message without this machine's paths: the wheel's files by their path in the wheel, ours by
    their path in the repository."""
    import importlib.util

    spec = importlib.util.find_spec("ttnn")
    if spec is not None and spec.origin is not None:
        msg = msg.replace(str(Path(spec.origin).parent) + "/", "ttnn-wheel:")
    return " ".join(msg.replace(str(ROOT) + "/", "").split())


class Rows:
    """(what, seconds or None, note); a failed measurement keeps its error as the note."""

    def __init__(self):
        self.rows: list[dict] = []

    def measure(self, what, fn, repeats=1, note=""):
        try:
            secs, cpu_secs = timed(fn, repeats)
            self.rows.append(
                {"what": what, "seconds": round(secs, 4), "cpu_seconds": round(cpu_secs, 3), "note": note}
            )
            return secs
        except Exception as exc:  # noqa: BLE001 -- recorded as this path's result, never as a time
            msg = _clean(str(exc))[:300]
            self.rows.append({"what": what, "seconds": None, "note": f"{type(exc).__name__}: {msg}"})
            return None


def measure(size: int, repeats: int) -> list[dict]:
    import torch
    import ttnn

    from emulator import device_info, runtime_lib, wheel_build
    from tests.emulator import programs
    from tests.emulator.real_programs import eltwise as wheel_eltwise
    from tests.emulator.real_programs import wheel

    rows = Rows()
    build = wheel_build.build
    rows.measure("runtime library build, cold", runtime_lib.library_path)

    compute = {"math_fidelity": 4, "fp32_dest_acc": False, "math_approx": False, "dst_full_sync": False}
    cbs = tuple((i, 5, 2048) for i in (0, 1, 2, 16))
    ours = wheel_build.KernelBuild(
        source=str(programs.KERNELS / "eltwise_compute.cpp"),
        role="compute",
        compile_time_args=(256,),
        defines=(("ELTWISE_OP", "mul_tiles"), ("ELTWISE_OP_INIT", "mul_init")),
        extra={"cbs": cbs, "compute": compute},
    )
    rows.measure("compute kernel build, cold", lambda: build(ours), note="tests' eltwise_compute.cpp (mul)")
    rows.measure("compute kernel build, warm", lambda: build(ours), repeats=20, note="same kernel, cached")
    real = wheel_build.KernelBuild(
        source=wheel.op_kernel(wheel_eltwise.BINARY, "compute/eltwise_binary_kernel.cpp"),
        role="compute",
        defines=(("ELTWISE_OP", "add_tiles"), ("ELTWISE_OP_TYPE", "EltwiseBinaryType::ELWADD")),
        extra={"cbs": cbs, "compute": compute},
    )
    rows.measure(
        "wheel compute kernel build, cold",
        lambda: build(real),
        note="eltwise_binary_kernel.cpp (add): three TRISC builds in parallel",
    )
    rows.measure("wheel compute kernel build, warm", lambda: build(real), repeats=20)
    # Where a cold build's time goes: each TRISC build alone (a define no other row uses keeps it cold).
    alone = dataclasses.replace(real, defines=(*real.defines, ("EMU_BENCH_ALONE", "1")))
    for target in wheel_build.TRISC_TARGETS:
        rows.measure(
            f"wheel compute kernel build, cold, {target.name} alone",
            lambda t=target: wheel_build._build_one(alone, t, 0, device_info.DEFAULT_GRID),
        )
    sfpu = wheel_build.KernelBuild(
        source=wheel.op_kernel(wheel_eltwise.UNARY, "compute/eltwise_sfpu.cpp"),
        role="compute",
        defines=tuple(wheel_eltwise.sfpu_chain("exp_tile_init();", "exp_tile(0);", "SFPU_OP_EXP_INCLUDE")),
        extra={"cbs": cbs, "compute": compute},
    )
    rows.measure(
        "wheel SFPU kernel build, cold",
        lambda: build(sfpu),
        note="eltwise_sfpu.cpp (exp): three TRISC builds in parallel",
    )
    rows.measure("wheel SFPU kernel build, warm", lambda: build(sfpu), repeats=20)

    try:
        device = ttnn.open_device(device_id=0)
    except Exception as exc:  # noqa: BLE001 -- the runs below need a device; the build rows above stand
        rows.rows.append(
            {
                "what": "open the emulated device",
                "seconds": None,
                "note": f"{type(exc).__name__}: {_clean(str(exc))}",
            }
        )
        return rows.rows
    n = size
    a = torch.randn(1, 1, n, n).to(torch.bfloat16)
    b = torch.randn(1, 1, n, n).to(torch.bfloat16)
    ta = ttnn.from_torch(a, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    tb = ttnn.from_torch(b, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(
        ta.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG
    )
    tiles = ta.buffer_num_pages()
    ref = (a.double() + b.double()).to(torch.bfloat16)

    def run_checked(pd):
        ttnn.generic_op([ta, tb, out], pd)
        got = ttnn.to_torch(out)
        if not torch.allclose(got.double(), ref.double(), rtol=2**-7, atol=0):
            raise AssertionError("wrong result")

    for label, make in (
        (
            "tests' kernels",
            lambda: programs.eltwise(
                [ta, tb], out, [("ELTWISE_OP", "add_tiles"), ("ELTWISE_OP_INIT", "add_init")]
            ),
        ),
        (
            "wheel's binary kernels",
            lambda: wheel_eltwise.binary_descriptor(ta, tb, out, "add_tiles", "EltwiseBinaryType::ELWADD"),
        ),
    ):
        try:
            pd = make()
        except Exception as exc:  # noqa: BLE001
            rows.rows.append(
                {
                    "what": f"{n}x{n} bf16 add ({label}), first launch",
                    "seconds": None,
                    "note": _clean(str(exc)),
                }
            )
            continue
        first = rows.measure(
            f"{n}x{n} bf16 add ({label}), first launch",
            lambda pd=pd: run_checked(pd),
            note="builds its kernels; result checked",
        )
        if first is not None:
            rows.measure(
                f"{n}x{n} bf16 add ({label}), warm launch",
                lambda pd=pd: ttnn.generic_op([ta, tb, out], pd),
                repeats=repeats,
                note=f"{tiles} tiles on 64 cores",
            )

    from ttnn.operations.layer_norm_rm import layer_norm_rm
    from ttnn.operations.rms_norm import rms_norm

    x = torch.randn(1, 1, 256, 1024).to(torch.bfloat16)
    tx = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT, device=device)
    for name, op in (("layer_norm_rm", layer_norm_rm), ("rms_norm", rms_norm)):
        if rows.measure(f"{name} 256x1024 bf16, first call", lambda op=op: op(tx)) is not None:
            rows.measure(f"{name} 256x1024 bf16, warm call", lambda op=op: op(tx), repeats=repeats)
    ttnn.close_device(device)
    return rows.rows


def recorded(results: Path) -> list[dict]:
    """The first generation's rows from the previous results, if they hold them."""
    try:
        return json.loads((results / "emulator_bench.json").read_text())["paths"][RECORDED]
    except (OSError, ValueError, KeyError):
        return []


def run_v2(size: int, repeats: int) -> list[dict]:
    cache = tempfile.mkdtemp(prefix="emu-bench-cache-")
    # TTNN_EMULATOR_API=wheel selects v2 wherever an older emulator still defaults to its first generation.
    env = dict(os.environ, TTNN_EMULATOR_CACHE=cache, TTNN_EMULATOR_API="wheel")
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = Path(f.name)
    try:
        cmd = [sys.executable, __file__, "--measure", "--size", str(size), "--repeats", str(repeats)]
        proc = subprocess.run([*cmd, "--json", str(out)], env=env, cwd=ROOT, check=False)
        if proc.returncode != 0 or not out.stat().st_size:
            return [{"what": "(whole run)", "seconds": None, "note": f"exited {proc.returncode}"}]
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)
        shutil.rmtree(cache, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        args.json.write_text(json.dumps(measure(args.size, args.repeats)))
        return

    from rich.console import Console
    from rich.table import Table

    before = recorded(args.out)
    load_before = os.getloadavg()[0]
    results = {RECORDED: before} if before else {}
    results["wheel"] = run_v2(args.size, args.repeats)
    paths = list(results)
    load_after = os.getloadavg()[0]
    whats = []
    for rows in reversed(list(results.values())):  # v2's list (the fullest) sets the order
        whats += [r["what"] for r in rows if r["what"] not in whats]
    cell = {(p, r["what"]): r for p, rows in results.items() for r in rows}

    def fmt(r):
        if r is None:
            return "-"
        if r["seconds"] is None:
            return "fails"
        cpu = f" (cpu {r['cpu_seconds']:.2f})" if "cpu_seconds" in r else ""
        return f"{r['seconds']:.3f}{cpu}"

    table = Table(title=f"Tensix emulator: build and run times (seconds, {os.cpu_count()} CPUs)")
    table.add_column("what")
    for p in paths:
        table.add_column(PATHS.get(p, p), justify="right")
    table.add_column("budget")
    md = [
        "| what | " + " | ".join(PATHS.get(p, p) for p in paths) + " | budget |",
        "|---|" + "---:|" * len(paths) + "---|",
    ]
    for w in whats:
        vals = [fmt(cell.get((p, w))) for p in paths]
        table.add_row(w, *vals, BUDGETS.get(w, ""))
        md.append(f"| {w} | " + " | ".join(vals) + f" | {BUDGETS.get(w, '')} |")
    Console().print(table)
    notes = [
        f"- {PATHS.get(p, p)}, {r['what']}: {r['note']}"
        for p, rows in results.items()
        for r in rows
        if r["seconds"] is None and p != RECORDED
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    header = [
        "# Emulator build and run times, v2 (wheel headers) beside the first generation's recorded times",
        "",
        (
            f"`benchmarks/emulator_bench.py --size {args.size} --repeats {args.repeats}` on {os.cpu_count()} CPUs "
            f"({platform.machine()}), v2 in its own process with an empty build cache; the before column is the "
            "first generation's (its own kernel API, which v2 replaces) as recorded in the previous results. Warm launch and "
            "warm call are medians; (cpu N) is the median CPU seconds of the emulator process and the compilers it "
            "ran, the work of a step whatever else runs on the machine. The machine's 1-minute load average was "
            f"{load_before:.1f} before and {load_after:.1f} after: other work shared the CPUs."
        ),
        "",
    ]
    tail = ["", "Measurements a path could not make:", "", *notes] if notes else []
    (args.out / "emulator_bench.md").write_text("\n".join(header + md + tail) + "\n")
    (args.out / "emulator_bench.json").write_text(
        json.dumps(
            {"size": args.size, "cpus": os.cpu_count(), "load": [load_before, load_after], "paths": results},
            indent=2,
        )
        + "\n"
    )
    for line in notes:
        print(line)
    print(f"wrote {args.out / 'emulator_bench.md'} and emulator_bench.json")


if __name__ == "__main__":
    main()
