"""How far the finished ops' outputs move between two emulator builds (for example before and after a change
to the compute numerics): max and mean distance in units in the last place, per op and dtype, and the share
of elements that changed.

Usage:
  python benchmarks/ops_numerics_shift.py save OUT.npz      # run every case on this checkout's emulator
  python benchmarks/ops_numerics_shift.py compare A.npz B.npz [--out benchmarks/results/ops_numerics_shift]

Run `save` once per checkout (same seed, same inputs), then `compare`; writes a Markdown table and JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

SHAPES = [(1, 1, 32, 32), (1, 1, 64, 128), (2, 1, 64, 256), (1, 1, 32, 1024), (1, 1, 32, 16384)]


def _cases():
    import torch
    import ttnn
    from ttnn.operations.layer_norm_rm import layer_norm_rm
    from ttnn.operations.rms_norm import rms_norm

    def dev(t, device, dtype, layout=ttnn.ROW_MAJOR_LAYOUT):
        return ttnn.from_torch(
            t, dtype=dtype, layout=layout, device=device, memory_config=ttnn.DRAM_MEMORY_CONFIG
        )

    def ln(device, shape, gen):
        x, g, b = (
            torch.randn(s, generator=gen).to(torch.bfloat16)
            for s in (shape, (1, 1, 1, shape[-1]), (1, 1, 1, shape[-1]))
        )
        return layer_norm_rm(
            dev(x, device, ttnn.bfloat16), dev(g, device, ttnn.bfloat16), dev(b, device, ttnn.bfloat16)
        )

    def rms(dtype, layout):
        def run(device, shape, gen):
            tdt = torch.float32 if dtype == ttnn.float32 else torch.bfloat16
            x = torch.randn(shape, generator=gen).to(tdt)
            g = torch.randn((1, 1, 1, shape[-1]), generator=gen).to(tdt)
            return rms_norm(dev(x, device, dtype, layout), gamma=dev(g, device, dtype))

        return run

    return {
        "layer_norm_rm/bf16": ln,
        "rms_norm/bf16": rms(ttnn.bfloat16, ttnn.ROW_MAJOR_LAYOUT),
        "rms_norm/bf16-tile": rms(ttnn.bfloat16, ttnn.TILE_LAYOUT),
        "rms_norm/fp32": rms(ttnn.float32, ttnn.ROW_MAJOR_LAYOUT),
        "rms_norm/fp32-tile": rms(ttnn.float32, ttnn.TILE_LAYOUT),
    }


def save(path: Path) -> None:
    import torch
    import ttnn

    device = ttnn.open_device(device_id=0)
    out = {}
    try:
        for name, fn in _cases().items():
            for shape in SHAPES:
                gen = torch.Generator().manual_seed(1234)
                y = ttnn.to_torch(fn(device, shape, gen)).float().numpy()
                out[f"{name}|{'x'.join(map(str, shape))}"] = y
                print(name, shape, flush=True)
    finally:
        ttnn.close_device(device)
    np.savez(path, **out)


def _ordered(a: np.ndarray, bf16: bool) -> np.ndarray:
    """Float bits as integers in value order (adjacent representable values differ by 1; ±0 coincide)."""
    u = a.astype(np.float32).view(np.uint32).astype(np.int64)
    mag = (u & 0x7FFFFFFF) >> (16 if bf16 else 0)
    return np.where(u >> 31 == 1, -mag, mag)


def compare(a_path: Path, b_path: Path, out: Path) -> None:
    a, b = np.load(a_path), np.load(b_path)
    per_op: dict[str, dict] = {}
    for key in a.files:
        name = key.split("|")[0]
        bf16 = "bf16" in name
        d = np.abs(_ordered(a[key], bf16) - _ordered(b[key], bf16))
        s = per_op.setdefault(name, {"elements": 0, "changed": 0, "max_ulp": 0, "sum_ulp": 0, "max_abs": 0.0})
        s["max_abs"] = max(s["max_abs"], float(np.max(np.abs(a[key].astype(np.float64) - b[key]))))
        s["elements"] += d.size
        s["changed"] += int(np.count_nonzero(d))
        s["max_ulp"] = max(s["max_ulp"], int(d.max()))
        s["sum_ulp"] += int(d.sum())
    rows = [
        "| op / dtype | elements | changed | max ulp | mean ulp | max abs diff |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, s in per_op.items():
        s["mean_ulp"] = s.pop("sum_ulp") / s["elements"]
        rows.append(
            f"| {name} | {s['elements']} | {100 * s['changed'] / s['elements']:.2f} % | {s['max_ulp']} | "
            f"{s['mean_ulp']:.4f} | {s['max_abs']:.3g} |"
        )
    table = "\n".join(rows)
    print(table)
    out.parent.mkdir(parents=True, exist_ok=True)
    shapes = ", ".join("x".join(map(str, s)) for s in SHAPES)
    out.with_suffix(".md").write_text(
        f"# Ops' outputs between two emulator builds\n\nShapes: {shapes} (seed 1234). ulp of the output dtype, "
        "counted between the two values (near zero, a small absolute change spans many ulps).\n\n"
        f"{table}\n"
    )
    out.with_suffix(".json").write_text(
        json.dumps({"shapes": [list(s) for s in SHAPES], "ops": per_op}, indent=1)
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("save")
    s.add_argument("path", type=Path)
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    c.add_argument("--out", type=Path, default=Path("benchmarks/results/ops_numerics_shift"))
    args = p.parse_args()
    if args.cmd == "save":
        save(args.path)
    else:
        compare(args.a, args.b, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
