"""Emulator wall time of the finished ops across shapes, and their per-core L1 use.

Usage: python benchmarks/ops_emulator.py [--quick] [--cold] [--baseline OLD.json] [--out benchmarks/results]

For every (op, variant, shape) it times the first call in the process and the median of the following
calls, and checks each output against torch so that a fast wrong answer cannot pass as a result. With --cold
the emulator's build cache starts empty, so `first` includes compiling that variant's kernels (shapes that
share compile-time args reuse them). The L1 table is the CB total per core that each op's descriptor plans
at W = 1024, 4096 and 8192 (with gamma/beta) against the device's CB budget. With --baseline (an earlier
run's ops_emulator.json) the table also compares warm times and L1 bytes with that run. Writes
ops_emulator.{md,json}."""

from __future__ import annotations

import argparse
import atexit
import importlib
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

# --cold must take effect before ttnn (and with it the emulator) is imported.
if "--cold" in sys.argv:
    os.environ["TTNN_EMULATOR_CACHE"] = tempfile.mkdtemp(prefix="ops-bench-cache-")
    atexit.register(shutil.rmtree, os.environ["TTNN_EMULATOR_CACHE"], ignore_errors=True)

import torch
import ttnn
from ttnn.operations.layer_norm_rm import layer_norm_rm
from ttnn.operations.rms_norm import rms_norm

LNPD = importlib.import_module("ttnn.operations.layer_norm_rm.layer_norm_rm_program_descriptor")
RMSPD = importlib.import_module("ttnn.operations.rms_norm.rms_norm_program_descriptor")

SHAPES = [
    (1, 1, 32, 32),
    (1, 1, 64, 128),
    (4, 2, 64, 64),
    (1, 1, 32, 1024),
    (1, 1, 256, 256),
    (1, 1, 512, 512),
    (1, 1, 32, 4096),
    (1, 1, 4096, 32),
    (1, 1, 1024, 1024),
    (1, 1, 32, 8192),
    (1, 1, 32, 16384),  # past L1: every op streams the row in column chunks
]
QUICK_SHAPES = SHAPES[:6]


def _dev(t, device, dtype, layout=ttnn.ROW_MAJOR_LAYOUT):
    return ttnn.from_torch(
        t, dtype=dtype, layout=layout, device=device, memory_config=ttnn.DRAM_MEMORY_CONFIG
    )


def _case_layer_norm(dtype, memory_config=None):
    def make(device, shape):
        tdt = torch.float32 if dtype == ttnn.float32 else torch.bfloat16
        x = torch.randn(shape).to(tdt)
        g = torch.randn((1, 1, 1, shape[-1])).to(tdt)
        b = torch.randn((1, 1, 1, shape[-1])).to(tdt)
        args = (_dev(x, device, dtype), _dev(g, device, dtype), _dev(b, device, dtype))
        ref = torch.nn.functional.layer_norm(
            x.double(), (shape[-1],), g.double().flatten(), b.double().flatten(), 1e-5
        )
        tol = (0.001, 0.01) if dtype == ttnn.float32 else (0.02, 0.1)
        return (lambda: layer_norm_rm(*args, memory_config=memory_config)), ref, tol

    return make


def _case_rms(dtype, layout):
    def make(device, shape):
        tdt = torch.float32 if dtype == ttnn.float32 else torch.bfloat16
        x = torch.randn(shape).to(tdt)
        g = torch.randn((1, 1, 1, shape[-1])).to(tdt)
        tx, tg = _dev(x, device, dtype, layout), _dev(g, device, dtype)
        xf = x.float()
        ref = xf / torch.sqrt(xf.pow(2).mean(-1, keepdim=True) + 1e-6) * g.float().flatten()
        tol = (0.001, 0.01) if dtype == ttnn.float32 else (0.01, 0.05)
        return (lambda: rms_norm(tx, gamma=tg)), ref, tol

    return make


VARIANTS = [
    ("layer_norm_rm", "bf16 RM, gamma+beta", _case_layer_norm(ttnn.bfloat16)),
    ("layer_norm_rm", "bf16 RM, gamma+beta, L1 out", _case_layer_norm(ttnn.bfloat16, ttnn.L1_MEMORY_CONFIG)),
    ("layer_norm_rm", "fp32 RM, gamma+beta", _case_layer_norm(ttnn.float32)),
    ("rms_norm", "bf16 RM, gamma", _case_rms(ttnn.bfloat16, ttnn.ROW_MAJOR_LAYOUT)),
    ("rms_norm", "bf16 TILE, gamma", _case_rms(ttnn.bfloat16, ttnn.TILE_LAYOUT)),
    ("rms_norm", "fp32 RM, gamma", _case_rms(ttnn.float32, ttnn.ROW_MAJOR_LAYOUT)),
    ("rms_norm", "fp32 TILE, gamma", _case_rms(ttnn.float32, ttnn.TILE_LAYOUT)),
]


def time_case(device, make, shape, repeats):
    call, ref, (rtol, atol) = make(device, shape)
    t0 = time.perf_counter()
    out = call()
    first = time.perf_counter() - t0
    got = ttnn.to_torch(out).float()
    expected = ref.to(torch.bfloat16 if out.dtype == ttnn.bfloat16 else torch.float32).float()
    ok = bool(torch.allclose(got, expected, rtol=rtol, atol=atol))
    warm = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        warm.append(time.perf_counter() - t0)
    return first, statistics.median(warm), ok


def l1_table(budget: int):
    rows = []
    for W in (1024, 4096, 8192):
        for dtype_name, tile_bytes in (("bf16", 2048), ("fp32", 4096)):
            ln = LNPD.plan_columns(W, tile_bytes, True, True, budget)
            rows.append(("layer_norm_rm", f"{dtype_name} RM", W, ln.l1_bytes, ln.chunk, ln.n_chunks))
        for dtype_name, tile_bytes in (("bf16", 2048), ("fp32", 4096)):
            for layout_name, tile_layout in (("RM", False), ("TILE", True)):
                p = RMSPD.plan_columns(W, tile_bytes, True, tile_layout, budget)
                rows.append(("rms_norm", f"{dtype_name} {layout_name}", W, p.l1_bytes, p.chunk, p.n_chunks))
    return rows


def compare(old: dict, name: str, timings: list, l1: list) -> list[str]:
    """Before/after tables against an earlier run: warm time per common (op, variant, shape), L1 per plan."""
    before = {(t["op"], t["variant"], tuple(t["shape"])): t["warm_s"] for t in old["timings"]}
    lines = [
        "",
        "## Before / after",
        "",
        (
            f"Against the baseline run `{name}` ({old['meta']['cpus']} CPUs; timings on a shared host move with "
            "its load): warm call time of the cases both runs have, and CB bytes per core."
        ),
        "",
        "| op | variant | shape | warm before (s) | warm after (s) |",
        "|---|---|---|---|---|",
    ]
    for t in timings:
        key = (t["op"], t["variant"], tuple(t["shape"]))
        if key in before:
            lines.append(f"| {key[0]} | {key[1]} | {key[2]} | {before[key]:.2f} | {t['warm_s']:.2f} |")
    old_l1 = {(r["op"], r["variant"], r["W"]): r["l1_bytes"] for r in old["l1"]}
    lines += ["", "| op | variant | W | CB bytes before | CB bytes after |", "|---|---|---|---|---|"]
    for op, variant, W, nbytes, _, _ in l1:
        was = old_l1.get((op, variant, W))
        lines.append(
            f"| {op} | {variant} | {W} | {f'{was:,}' if was is not None else '(not supported)'} | {nbytes:,} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small shapes only")
    parser.add_argument("--cold", action="store_true", help="start with an empty kernel build cache")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--baseline", type=Path, help="an earlier run's ops_emulator.json to compare with")
    args = parser.parse_args()
    shapes = QUICK_SHAPES if args.quick else SHAPES

    torch.manual_seed(0)
    device = ttnn.open_device(device_id=0)
    # The budget the ops plan against on this device (both ops query it the same way).
    budget = LNPD.l1_cb_budget(device)
    timings = []
    try:
        for op, variant, make in VARIANTS:
            for shape in shapes:
                first, warm, ok = time_case(device, make, shape, args.repeats)
                timings.append(
                    {
                        "op": op,
                        "variant": variant,
                        "shape": list(shape),
                        "first_s": round(first, 3),
                        "warm_s": round(warm, 3),
                        "correct": ok,
                    }
                )
                print(
                    f"{op:14s} {variant:20s} {shape!s:22s} first {first:7.2f} s  warm {warm:7.2f} s  "
                    f"{'ok' if ok else 'WRONG'}",
                    flush=True,
                )
    finally:
        ttnn.close_device(device)

    l1 = l1_table(budget)
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "cold_cache": args.cold,
        "repeats": args.repeats,
        "l1_cb_budget": budget,
    }
    (args.out / "ops_emulator.json").write_text(
        json.dumps(
            {
                "meta": meta,
                "timings": timings,
                "l1": [dict(zip(("op", "variant", "W", "l1_bytes", "chunk", "n_chunks"), r)) for r in l1],
            },
            indent=1,
        )
        + "\n"
    )
    cold_note = " and includes compiling any kernel variant not built before in this run" if args.cold else ""
    intro = (
        f"{meta['cpus']} CPUs, Python {meta['python']}, "
        f"{'empty' if args.cold else 'warm'} kernel build cache at start. `first` is the first call in the "
        f"process{cold_note}; `warm` is the median of {args.repeats} further calls with the same shapes "
        "(no compilation). The grid is the emulated 8x8 Wormhole; the emulator runs all cores on the host CPUs."
    )
    lines = [
        "# Finished ops on the host emulator",
        "",
        intro,
        "",
        "| op | variant | shape | first (s) | warm (s) | matches torch |",
        "|---|---|---|---|---|---|",
    ]
    for t in timings:
        lines.append(
            f"| {t['op']} | {t['variant']} | {tuple(t['shape'])} | {t['first_s']:.2f} | {t['warm_s']:.2f} | "
            f"{'yes' if t['correct'] else 'NO'} |"
        )
    lines += [
        "",
        "## Per-core L1 used by circular buffers",
        "",
        f"With gamma (and beta), as each op plans it on this device: CB budget {budget:,} B per core. "
        f"At the conservative fallback budget ({LNPD.DEFAULT_L1_CB_BUDGET:,} B, used where the device gives "
        "no figure) the plans are "
        + ("the same." if l1 == l1_table(LNPD.DEFAULT_L1_CB_BUDGET) else "different; see the specs."),
        "",
        "| op | variant | W | CB bytes per core | chunk (tiles) | chunks per row |",
        "|---|---|---|---|---|---|",
    ]
    for op, variant, W, nbytes, chunk, n in l1:
        lines.append(f"| {op} | {variant} | {W} | {nbytes:,} | {chunk} | {n} |")
    if args.baseline:
        lines += compare(json.loads(args.baseline.read_text()), args.baseline.name, timings, l1)
    (args.out / "ops_emulator.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
