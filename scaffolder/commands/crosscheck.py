"""``scaffold crosscheck``: run one norm through every available backend and compare with float64."""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys

import typer
from rich.console import Console
from rich.table import Table


def _fmt(v, spec=".3g"):
    if v is None:
        return "-"
    if isinstance(v, float) and math.isinf(v):
        return "inf"
    return format(v, spec)


def _ulps(v) -> str:
    return _fmt(v, ".0f" if v is not None and math.isfinite(v) and v >= 100 else ".2g")


@contextlib.contextmanager
def _stdout_to_stderr():
    """Send everything written to fd 1 (native libraries log there) to stderr, keeping stdout for JSON."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _check_tolerance_args(eps: float | None, max_ulp: float | None, min_pcc: float) -> None:
    """Out-of-range tolerances are usage errors (exit 2), never a disagreement: NaN compares false with
    everything, so it would otherwise fail (or pass) every backend."""
    if eps is not None and not (math.isfinite(eps) and eps >= 0):
        raise typer.BadParameter(f"{eps!r} is not a finite epsilon >= 0", param_hint="'--eps'")
    if max_ulp is not None and not (math.isfinite(max_ulp) and max_ulp >= 0):
        raise typer.BadParameter(f"{max_ulp!r} is not a finite number of ulps >= 0", param_hint="'--max-ulp'")
    if not (math.isfinite(min_pcc) and -1 <= min_pcc <= 1):
        raise typer.BadParameter(f"{min_pcc!r} is not a correlation in [-1, 1]", param_hint="'--min-pcc'")


def crosscheck_cmd(
    op: str = typer.Argument(..., help="rms_norm, layer_norm (or layer_norm_rm, the ttnn op's name)."),
    shape: str = typer.Option(
        "4x4096", "--shape", help="Input shape, e.g. 4x4096 or 2,64,1024 (last dim = hidden)."
    ),
    dtype: str = typer.Option(
        "bf16", "--dtype", help="bf16, f16 or f32 (also bfloat16, fp16, float16, fp32, float32)."
    ),
    backends: str = typer.Option(
        "ttnn,triton,nki,iree,ttlang,torch",
        "--backends",
        help="Comma-separated subset of ttnn,triton,nki,iree,ttlang,torch.",
    ),
    eps: float = typer.Option(
        None, "--eps", help="Epsilon (default 1e-6 for rms_norm, 1e-5 for layer_norm)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the random inputs."),
    max_ulp: float = typer.Option(
        None,
        "--max-ulp",
        help="Tolerance in output-dtype ulps of max(|ref|, mean|ref|) for every backend "
        "(default 2 for bf16/f16 and max(16, 2 sqrt(hidden)) for f32; ttnn 8 for bf16 and "
        "8 TF32 ulps for f32).",
    ),
    min_pcc: float = typer.Option(0.999, "--min-pcc", help="Minimum Pearson correlation with the reference."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON instead of tables."),
) -> None:
    """Same random inputs through a float64 reference and each backend; exit 1 when one disagrees.

    Exit status: 0 every backend that ran agrees with the reference (skipped ones are listed with the
    reason), 1 a backend disagrees beyond tolerance or fails, 2 bad arguments, 3 no backend ran (every
    one was skipped, so nothing was checked).
    """
    _check_tolerance_args(eps, max_ulp, min_pcc)
    from siblings import crosscheck as cc

    try:
        with _stdout_to_stderr() if as_json else contextlib.nullcontext():
            report = cc.crosscheck(
                op,
                cc.parse_shape(shape),
                dtype,
                [b.strip() for b in backends.split(",") if b.strip()],
                eps=eps,
                seed=seed,
                max_ulp=max_ulp,
                min_pcc=min_pcc,
            )
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    else:
        console = Console()
        t = Table(
            title=f"{report.op} {'x'.join(map(str, report.shape))} {report.dtype} eps={report.eps:g} "
            f"vs float64 (PCC >= {report.min_pcc})"
        )
        for col in ("backend", "status", "max abs err", "max ulp", "tol ulp", "PCC", "runs on / reason"):
            t.add_column(col)
        colour = {"ok": "green", "fail": "red", "error": "red", "skipped": "yellow"}
        for r in report.results:
            t.add_row(
                r.backend,
                f"[{colour[r.status]}]{r.status}[/]",
                _fmt(r.max_abs_err),
                _fmt(r.max_ulp, ".2f"),
                _fmt(r.tolerance_ulp, "g"),
                _fmt(r.pcc, ".6f"),
                r.detail,
            )
        console.print(t)
        if len(report.pairwise) > 1:
            names = list(report.pairwise)
            p = Table(title=f"pairwise agreement: max |a - b| (in {report.dtype} ulps of the reference)")
            p.add_column("")
            for n in names:
                p.add_column(n)
            for a in names:
                p.add_row(
                    a,
                    *[
                        f"{_fmt(report.pairwise[a][b])} ({_ulps(report.pairwise_ulp[a][b])})"
                        if a != b
                        else "-"
                        for b in names
                    ],
                )
            console.print(p)
        if not report.ok:
            bad = [r.backend for r in report.results if r.status in ("fail", "error")]
            console.print(f"[red]disagrees or failed: {', '.join(bad)}[/]")
        elif report.ran:
            console.print(f"[green]all backends that ran agree: {', '.join(report.ran)}[/]")
        else:
            console.print("[yellow]no backend ran: every one was skipped (see the reasons above)[/]")
    if not report.ok:
        raise typer.Exit(1)
    if not report.ran:
        raise typer.Exit(3)


def register(app: typer.Typer) -> None:
    app.command("crosscheck")(crosscheck_cmd)
