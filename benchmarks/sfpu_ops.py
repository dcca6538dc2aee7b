"""Accuracy of the wheel's SFPU algorithms as the emulator runs them (x86 SFPI, Wormhole SFPU numerics): each op
through the llk_api/llk_sfpu init/call macros the compute API uses, on DEST tiles of fresh random inputs, for
fp32 and 16-bit DEST, precise and approximate (APPROX) mode, against float64 torch of the same DEST inputs.

    .venv/bin/python benchmarks/sfpu_ops.py [--tiles 8] [--seed N]

Prints a table and writes benchmarks/results/sfpu_ops.{json,md}: max and mean error in bf16 ulps (the bf16
spacing at the reference value) and the PCC tt-metal's unary tests check (>= 0.999).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.emulator.sfpi import build as harness
from tests.emulator.sfpi import ops

MODES = [(True, False), (False, False), (True, True), (False, True)]


def mode_name(fp32: bool, approx: bool) -> str:
    return f"{'fp32' if fp32 else 'bf16'} DEST, {'approx' if approx else 'precise'}"


def measure(tiles: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fp32, approx in MODES:
            exe = harness.build(Path(tmp), fp32=fp32, approx=approx)
            for name in [*ops.OPS, *ops.BINARY_OPS]:
                got, want = zip(*(ops.run_op(exe, harness, name, fp32, rng) for _ in range(tiles)))
                got, want = np.concatenate(got), np.concatenate(want)
                ulps = ops.bf16_ulps(got, want)
                results.setdefault(name, {})[mode_name(fp32, approx)] = {
                    "max_bf16_ulp": float(ulps.max()),
                    "mean_bf16_ulp": float(ulps.mean()),
                    "pcc": float(np.corrcoef(got, want)[0, 1]),
                    "values": int(got.size),
                }
    return results


def markdown(results: dict, tiles: int, seed: int) -> str:
    modes = [mode_name(*m) for m in MODES]
    lines = [
        "# SFPU ops on the emulator: error vs float64 torch",
        "",
        f"The wheel's ckernel_sfpu algorithms on the x86 SFPI, {tiles} tiles (1024 values each) per cell, seed {seed}.",
        "Each cell: max / mean error in bf16 ulps at the reference value, and PCC. Inputs per op: tests/emulator/sfpi/ops.py.",
        "",
        "| op | " + " | ".join(modes) + " |",
        "|---|" + "---|" * len(modes),
    ]
    for name, per_mode in results.items():
        cells = [
            f"{c['max_bf16_ulp']:.3g} / {c['mean_bf16_ulp']:.3g} (PCC {c['pcc']:.5f})"
            for c in (per_mode[m] for m in modes)
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tiles", type=int, default=8)
    ap.add_argument("--seed", type=int, default=20261207)
    args = ap.parse_args()
    results = measure(args.tiles, args.seed)
    md = markdown(results, args.tiles, args.seed)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "sfpu_ops.json").write_text(
        json.dumps({"tiles": args.tiles, "seed": args.seed, "ops": results}, indent=1) + "\n"
    )
    (out / "sfpu_ops.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
