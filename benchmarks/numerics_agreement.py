"""Per case (operation × formats × fidelity × DEST width), the fraction of output elements the emulator's FPU
numerics get bit-identical to the Wormhole model (tests/emulator/wh_oracle.py), on random tiles salted with ties,
denormals, ±0, ±Inf, NaN and huge exponent gaps, and next to it the fraction a correctly rounded float64
reference would get (how far silicon is from IEEE arithmetic).

Usage: python benchmarks/numerics_agreement.py [--tiles 8] [--out benchmarks/results/numerics_agreement]
Writes a Markdown table and JSON."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.emulator import compute_lib as C
from tests.emulator import wh_oracle as W

FIDS = {"LoFi": 0, "HiFi2": 2, "HiFi3": 3, "HiFi4": 4}


def ieee(values: np.ndarray, fp32_dest: bool) -> np.ndarray:
    """float64 results rounded once to the DEST format (nearest even), as bits."""
    f = values.astype(np.float32)
    u = f.view(np.uint32)
    if fp32_dest:
        return u
    return ((u + np.uint32(0x7FFF) + ((u >> 16) & 1)) & np.uint32(0xFFFF0000)).astype(np.uint32)


def f64(u):
    return np.asarray(u, np.uint32).view(np.float32).astype(np.float64)


def cases():
    for fmt in ("bf16", "fp32"):
        for fp32_dest in (False, True):
            for op in ("add", "sub"):
                yield (
                    f"{op} {fmt} {'fp32' if fp32_dest else 'bf16'}-DEST",
                    {"kind": "binary", "op": op, "fmt": fmt, "fp32_dest": fp32_dest, "fid": 4},
                )
            for fid_name, fid in FIDS.items():
                d = "fp32" if fp32_dest else "bf16"
                yield (
                    f"mul {fmt} {fid_name} {d}-DEST",
                    {"kind": "binary", "op": "mul", "fmt": fmt, "fp32_dest": fp32_dest, "fid": fid},
                )
                yield (
                    f"matmul {fmt} {fid_name} {d}-DEST",
                    {"kind": "matmul", "fmt": fmt, "fp32_dest": fp32_dest, "fid": fid},
                )
                for dim in ("row", "col", "scalar"):
                    yield (
                        f"reduce sum {dim} {fmt} {fid_name} {d}-DEST",
                        {
                            "kind": "reduce",
                            "pool": "sum",
                            "dim": dim,
                            "fmt": fmt,
                            "fp32_dest": fp32_dest,
                            "fid": fid,
                        },
                    )
            for dim in ("row", "col", "scalar"):
                d = "fp32" if fp32_dest else "bf16"
                yield (
                    f"reduce max {dim} {fmt} {d}-DEST",
                    {
                        "kind": "reduce",
                        "pool": "max",
                        "dim": dim,
                        "fmt": fmt,
                        "fp32_dest": fp32_dest,
                        "fid": 4,
                    },
                )
            d = "fp32" if fp32_dest else "bf16"
            yield f"transpose_wh {fmt} {d}-DEST", {"kind": "transpose", "fmt": fmt, "fp32_dest": fp32_dest}
            yield f"copy {fmt} {d}-DEST", {"kind": "copy", "fmt": fmt, "fp32_dest": fp32_dest}


def scaler() -> np.ndarray:
    t = np.zeros((32, 32), np.uint32)
    t[0, :] = t[16, :] = np.float32(1 / 32).view(np.uint32)
    return t


def run_case(lib, rng, c, tiles):
    same = ideal = total = 0
    fp32 = c["fp32_dest"]
    for _ in range(tiles):
        a = C.salted(rng, (32, 32), c["fmt"])
        b = C.salted(rng, (32, 32), c["fmt"])
        if c["kind"] == "binary":
            kw = {"fmt_a": c["fmt"], "fmt_b": c["fmt"], "fidelity": c["fid"], "fp32_dest": fp32}
            got, want = C.binary(lib, c["op"], a, b, **kw), W.binary(c["op"], a, b, **kw)
            x, y = f64(W.unpack(a, c["fmt"], fp32)), f64(W.unpack(b, c["fmt"], fp32))
            ref = {"add": x + y, "sub": x - y, "mul": x * y}[c["op"]]
            mask = np.ones(got.shape, bool)
        elif c["kind"] == "matmul":
            kw = {"fmt": c["fmt"], "fidelity": c["fid"], "fp32_dest": fp32}
            got, want = C.matmul(lib, a, b, **kw), W.matmul(a, b, **kw)
            with np.errstate(all="ignore"):
                ref = f64(W.unpack(a, c["fmt"], fp32)) @ f64(W.unpack(b, c["fmt"], fp32))
            mask = np.ones(got.shape, bool)
        elif c["kind"] == "reduce":
            kw = {"fmt": c["fmt"], "fidelity": c["fid"], "fp32_dest": fp32}
            s = scaler() if c["pool"] == "sum" else np.where(scaler() > 0, np.float32(1).view(np.uint32), 0)
            got = C.reduce(lib, c["pool"], c["dim"], a, s, **kw)
            want = W.reduce(c["pool"], c["dim"], a, s, **kw)
            x = f64(W.unpack(a, c["fmt"], fp32))
            mask = np.zeros((32, 32), bool)
            mask[{"row": (slice(None), 0), "col": (0, slice(None)), "scalar": (0, 0)}[c["dim"]]] = True
            with np.errstate(all="ignore"):
                if c["pool"] == "max":
                    r = {"row": x.max(1)[:, None], "col": x.max(0)[None, :], "scalar": x.max()}[c["dim"]]
                else:
                    r = {
                        "row": x.sum(1)[:, None] / 32,
                        "col": x.sum(0)[None, :] / 32,
                        "scalar": x.sum() / 1024,
                    }[c["dim"]]
            ref = np.broadcast_to(r, (32, 32))
        else:
            fn = C.transpose if c["kind"] == "transpose" else C.datacopy
            got = fn(lib, a, c["fmt"], fp32).reshape(32, 32)
            want = (W.transpose_wh if c["kind"] == "transpose" else W.datacopy)(a, c["fmt"], fp32).reshape(
                32, 32
            )
            src = a.T if c["kind"] == "transpose" else a
            exact = (
                c["kind"] == "transpose" and c["fmt"] == "fp32" and fp32
            )  # straight to DEST, transposed there
            ref = f64(src) if exact else f64(W.unpack(src, c["fmt"], fp32))
            mask = np.ones((32, 32), bool)
        with np.errstate(all="ignore"):
            ideal_bits = ieee(np.asarray(ref, np.float64), fp32)
        same += int(np.count_nonzero((got == want) & mask))
        ideal += int(np.count_nonzero((ideal_bits == want) & mask))
        total += int(mask.sum())
    return same / total, ideal / total


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tiles", type=int, default=8)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "numerics_agreement")
    args = p.parse_args()
    lib = C.build(Path(tempfile.mkdtemp(prefix="numerics-")))
    rng = np.random.default_rng(args.seed)
    results = {}
    rows = ["| case | emulator = model | float64 rounded once = model |", "|---|---:|---:|"]
    for name, c in cases():
        emu, ideal = run_case(lib, rng, c, args.tiles)
        results[name] = {"emulator": emu, "ieee_once": ideal}
        rows.append(f"| {name} | {100 * emu:.2f} % | {100 * ideal:.2f} % |")
        print(rows[-1], flush=True)
    n_exact = sum(r["emulator"] == 1.0 for r in results.values())
    summary = (
        f"{n_exact} of {len(results)} cases bit-identical on every element ({args.tiles} salted tiles each)."
    )
    print(summary)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(
        "# FPU numerics: emulator vs the Wormhole model\n\n"
        "Inputs: random normals scaled by 2^±8, 5 % special values (±0, ±Inf, NaN, denormals, ties), 5 % values "
        "2^±(40..120) away. Reduce uses the 1/32 scaler (sum) or 1.0 (max); only the reduced row/column/corner "
        "counts. The last column is a float64 reference rounded once to the DEST format (nearest even).\n\n"
        + "\n".join(rows)
        + f"\n\n{summary}\n"
    )
    args.out.with_suffix(".json").write_text(
        json.dumps({"tiles": args.tiles, "seed": args.seed, "cases": results}, indent=1)
    )
    return 0 if n_exact == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
