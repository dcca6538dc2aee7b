"""The main demo: scaffold an op from a spec, run it on the Tensix emulator, and show what was checked.

    bash scripts/demo.sh          (or: .venv/bin/python -m scaffolder.demo)

1. ``scaffold new-op`` turns specs/rms_norm_spec.md into a fresh generic_op package in a temporary directory.
2. The generated op runs on the emulated Wormhole (unmodified C++ kernels built by host g++) and is compared
   with torch; the package's own generated tests run under pytest.
3. The finished ops (layer_norm_rm, rms_norm) run on a few shapes against torch.
4. A kernel with a hardware bug (reader and writer waiting on each other) shows the emulator's triage report.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scaffolder.chain import run_generated_tests

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("LOGURU_LEVEL", "INFO")  # ttnn's import-time config dump is noise here


def _pcc(a, b) -> float:
    a, b = a.double().flatten(), b.double().flatten()
    a, b = a - a.mean(), b - b.mean()
    return float((a @ b) / (a.norm() * b.norm() + 1e-30))


def _check(name, got, expected, rtol, atol):
    import torch

    diff = (got.float() - expected.float()).abs()
    ok = bool(torch.allclose(got.float(), expected.float(), rtol=rtol, atol=atol))
    return [
        name,
        f"{diff.max().item():.4f}",
        f"{_pcc(got, expected):.6f}",
        f"rtol {rtol} atol {atol}",
        "[green]pass[/]" if ok else "[red]FAIL[/]",
    ], ok


def main() -> int:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.rule("[bold]ttnn-scaffold demo: spec -> generic_op package -> Tensix emulator")
    work = Path(tempfile.mkdtemp(prefix="ttnn-scaffold-demo-"))
    spec = ROOT / "specs" / "rms_norm_spec.md"
    op = "demo_rms_norm"
    scaffold = [sys.executable, "-m", "scaffolder.cli"]

    t0 = time.perf_counter()
    gen = subprocess.run(
        [*scaffold, "new-op", str(spec), "--out", str(work), "--name", op],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    console.print(gen.stdout.rstrip())
    if gen.returncode != 0:
        console.print(f"[red]scaffold new-op failed[/]\n{gen.stderr}")
        return 1
    console.print(
        f"[green]scaffolded[/] {op} from {spec.relative_to(ROOT)} in {time.perf_counter() - t0:.1f} s"
    )

    os.environ["TTNN_SCAFFOLD_OPS_PATH"] = str(work)
    import importlib

    import torch
    import ttnn

    device = ttnn.open_device(device_id=0)
    grid = device.compute_with_storage_grid_size()
    console.print(
        f"device: {device} ({'emulated' if getattr(ttnn, 'EMULATED', False) else 'hardware'}), "
        f"grid {grid.x}x{grid.y}"
    )

    rows, all_ok = [], True
    generated = getattr(importlib.import_module(f"ttnn.operations.{op}"), op)
    torch.manual_seed(0)
    x = torch.randn(1, 2, 64, 256)
    tx = ttnn.from_torch(
        x.to(torch.bfloat16), dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT, device=device
    )
    t0 = time.perf_counter()
    out = ttnn.to_torch(generated(tx))
    ref = (x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)).to(torch.bfloat16)
    row, ok = _check(
        f"generated {op} 1x2x64x256 bf16 RM ({time.perf_counter() - t0:.2f} s)", out, ref, 0.01, 0.05
    )
    rows.append(row)
    all_ok &= ok

    from ttnn.operations.layer_norm_rm import layer_norm_rm
    from ttnn.operations.rms_norm import rms_norm

    for shape in [(1, 1, 32, 1024), (2, 3, 128, 256)]:
        x = torch.randn(shape)
        g = torch.randn(1, 1, 1, shape[-1])
        b = torch.randn(1, 1, 1, shape[-1])

        def to_dev(t):
            return ttnn.from_torch(
                t.to(torch.bfloat16), dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT, device=device
            )

        xb, gb, bb = x.to(torch.bfloat16).float(), g.to(torch.bfloat16).float(), b.to(torch.bfloat16).float()
        ln = torch.nn.functional.layer_norm(xb, shape[-1:], gb.flatten(), bb.flatten(), 1e-5).to(
            torch.bfloat16
        )
        row, ok = _check(
            f"layer_norm_rm {'x'.join(map(str, shape))} bf16 + gamma/beta",
            ttnn.to_torch(layer_norm_rm(to_dev(x), to_dev(g), to_dev(b))),
            ln,
            0.02,
            0.1,
        )
        rows.append(row)
        all_ok &= ok
        tx = ttnn.from_torch(x, dtype=ttnn.float32, layout=ttnn.TILE_LAYOUT, device=device)
        tg = ttnn.from_torch(g, dtype=ttnn.float32, layout=ttnn.ROW_MAJOR_LAYOUT, device=device)
        rms = x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * g
        row, ok = _check(
            f"rms_norm {'x'.join(map(str, shape))} fp32 TILE + gamma",
            ttnn.to_torch(rms_norm(tx, gamma=tg)),
            rms,
            0.001,
            0.01,
        )
        rows.append(row)
        all_ok &= ok

    table = Table(title="Ops on the emulator vs torch (fp32 reference, cast to the output dtype)")
    for col in ("run", "max |err|", "PCC", "tolerance", "verdict"):
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    console.print(table)

    console.rule("generated package's own tests")
    res = run_generated_tests(work, work / op)
    console.print(res.stdout.strip().splitlines()[-1] if res.stdout.strip() else res.stderr[-2000:])
    all_ok &= res.returncode == 0

    console.rule("strictness: a kernel pair that would hang the chip")
    core = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(0, 0))])
    src = '#include "api/dataflow/dataflow_api.h"\nvoid kernel_main() {\n  cb_wait_front(CB, 1);\n}\n'
    kernels = [
        ttnn.KernelDescriptor(
            kernel_source=src,
            source_type=ttnn.KernelDescriptor.SourceType.SOURCE_CODE,
            core_ranges=core,
            defines=[("CB", cb)],
            config=cfg,
        )
        for cb, cfg in (("16", ttnn.ReaderConfigDescriptor()), ("0", ttnn.WriterConfigDescriptor()))
    ]
    cbs = [
        ttnn.CBDescriptor(
            total_size=4096,
            core_ranges=core,
            format_descriptors=[
                ttnn.CBFormatDescriptor(buffer_index=i, data_format=ttnn.bfloat16, page_size=2048)
            ],
        )
        for i in (0, 16)
    ]
    t = ttnn.from_torch(torch.randn(32, 32).to(torch.bfloat16), layout=ttnn.TILE_LAYOUT, device=device)
    try:
        ttnn.generic_op([t, t], ttnn.ProgramDescriptor(kernels=kernels, semaphores=[], cbs=cbs))
        console.print("[red]expected a deadlock report[/]")
        all_ok = False
    except RuntimeError as e:
        console.print(str(e), markup=False, highlight=False)
    ttnn.close_device(device)

    console.rule("[green]all checks passed" if all_ok else "[red]some checks failed")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
