"""Run FlashInfer-Bench 0.1.2 on the project's trace set (needs a CUDA GPU) and export traces.json.

    python benchmarks/flashinfer/run_bench.py --out DIR [--definitions rmsnorm_h4096 ...]

The committed trace set (benchmarks/flashinfer/traceset) is copied to DIR/traceset, so traces are
appended there, never into the repository. Writes DIR/traces.json (every trace, one JSON list) and
prints one line per trace. FlashInfer-Bench's runner spawns worker processes that re-import this file,
so the work must stay under ``if __name__ == "__main__"`` (run it as a script, with a timeout).

Latencies are FlashInfer-Bench's: the mean of host-launched calls between CUDA events with an L2 flush
before each, so they include Python and launch overhead (tens of µs); benchmarks/gpu_norms.py measures
kernel time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def export_traces(root: Path, path: Path) -> list[dict]:
    from flashinfer_bench import TraceSet

    ts = TraceSet.from_path(str(root))
    traces = [t.model_dump(mode="json") for lst in ts.traces.values() for t in lst]
    path.write_text(json.dumps(traces, indent=1))
    return traces


def summary_lines(traces: list[dict]) -> list[str]:
    lines = [
        "| definition | batch | solution | status | latency ms | reference ms | speedup | max abs err |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in traces:
        ev = t.get("evaluation") or {}
        perf = ev.get("performance") or {}
        corr = ev.get("correctness") or {}
        lines.append(
            f"| {t['definition']} | {t['workload']['axes'].get('batch_size')} | {t.get('solution')} | "
            f"{ev.get('status')} | {perf.get('latency_ms', float('nan')):.4f} | "
            f"{perf.get('reference_latency_ms', float('nan')):.4f} | {perf.get('speedup_factor', float('nan')):.2f} | "
            f"{corr.get('max_absolute_error')} |"
        )
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--out", type=Path, required=True, help="directory for the trace set copy and traces.json"
    )
    ap.add_argument("--definitions", nargs="*", default=None, help="definition names (default: all)")
    ap.add_argument("--iterations", type=int, default=50)
    args = ap.parse_args()

    import torch
    from flashinfer_bench import Benchmark, BenchmarkConfig, TraceSet

    if not torch.cuda.is_available():
        print(
            "FlashInfer-Bench needs a CUDA GPU; use tests/siblings/test_flashinfer_defs.py on CPU",
            file=sys.stderr,
        )
        return 2
    root = args.out / "traceset"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(HERE / "traceset", root)
    bench = Benchmark(
        TraceSet.from_path(str(root)),
        BenchmarkConfig(definitions=args.definitions, iterations=args.iterations),
    )
    try:
        bench.run_all(dump_traces=True)
    finally:
        bench.close()
    traces = export_traces(root, args.out / "traces.json")
    table = "\n".join(summary_lines([t for t in traces if t.get("evaluation")]))
    (args.out / "flashinfer_summary.md").write_text(table + "\n")
    print(table)
    bad = [t for t in traces if t.get("evaluation") and t["evaluation"]["status"] != "PASSED"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
