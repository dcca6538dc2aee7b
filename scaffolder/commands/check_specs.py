"""``scaffold check-specs DIR``: the whole chain over every spec under a directory; exit 1 if any step fails.

For each planner ``*_spec.md`` (with a sibling ``kernel_design.md`` as its design) and each ``op_design.md``:
parse, ``new-op`` into a scratch directory, import the package, build its program descriptor against
ttnn's classes on the emulated device, compile its three kernels, run its generated tests.
"""
# ruff: noqa: B008  (typer declares options as argument defaults)

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from scaffolder.chain import STEPS, ChainResult, check_spec, find_specs

_STYLE = {"ok": "green", "fail": "bold red", "skip": "dim", "n/a": "yellow"}


def _cell(res: ChainResult, step: str) -> str:
    s = res.steps[step]
    if step == "tests" and s.counts:
        parts = [
            f"{s.counts[k]} {k}"
            for k in ("passed", "xfailed", "xpassed", "failed", "errors", "skipped")
            if s.counts.get(k)
        ]
        return f"[{_STYLE[s.status]}]{', '.join(parts)}[/]"
    return f"[{_STYLE[s.status]}]{'not runnable here' if s.status == 'n/a' else s.status}[/]"


def check_specs(
    root: Path = typer.Argument(..., help="Directory searched for specs (or one spec file)."),
    out: Path | None = typer.Option(
        None, "--out", help="Keep the generated packages here (default: scratch)."
    ),
    tests: bool = typer.Option(True, "--tests/--no-tests", help="Run each package's generated tests."),
    timeout: float = typer.Option(
        1800, "--timeout", help="Seconds allowed per spec for the probe and tests."
    ),
    pytest_args: list[str] = typer.Option([], "--pytest-arg", help="Extra pytest argument (repeatable)."),
) -> None:
    """Parse, generate, import, build the descriptor, compile and test every spec under ROOT."""
    console = Console(width=None if sys.stdout.isatty() else 200)
    if not root.exists():
        console.print(f"[red]error: {root} does not exist[/]", highlight=False)
        raise typer.Exit(2)
    jobs = find_specs(root)
    if not jobs:
        console.print(f"[red]no *_spec.md or op_design.md under {root}[/]")
        raise typer.Exit(1)
    base = (Path(tempfile.mkdtemp(prefix="check-specs-")) if out is None else out).resolve()
    results = []
    for k, job in enumerate(jobs):
        where = base / f"{k:02d}_{job.spec.parent.name}_{job.spec.stem}"
        where.mkdir(parents=True, exist_ok=True)
        with console.status(f"[{k + 1}/{len(jobs)}] {job.label}"):
            res = check_spec(job, where, tests=tests, pytest_args=pytest_args, timeout=timeout)
        results.append(res)
        console.print(
            f"[{k + 1}/{len(jobs)}] {job.label}: " + ("[red]FAIL[/]" if res.failed else "[green]ok[/]")
        )
    table = Table(title=f"scaffold check-specs {root}")
    table.add_column("spec")
    table.add_column("op")
    for step in STEPS if tests else STEPS[:-1]:
        table.add_column(step)
    for res in results:
        try:
            label = str(res.job.spec.relative_to(root.parent if root.is_file() else root))
        except ValueError:
            label = str(res.job.spec)
        if res.job.design:
            label += f" + {res.job.design.name}"
        table.add_row(label, res.op or "-", *[_cell(res, s) for s in (STEPS if tests else STEPS[:-1])])
    for res in results:
        for step, s in res.steps.items():
            if s.status == "fail":
                console.rule(f"[red]{res.job.label}: {step}")
                console.print(s.detail.rstrip(), markup=False, highlight=False)
    for res in results:
        why = next((s.detail for s in res.steps.values() if s.status == "n/a"), None)
        if why:
            console.print(f"{res.job.label}: {why}", markup=False, highlight=False)
    console.print(table)
    console.print(f"generated packages: {base}")
    failed = [r for r in results if r.failed]
    if failed:
        console.print(f"[bold red]{len(failed)} of {len(results)} spec(s) failed a step[/]")
        raise typer.Exit(1)
    idle = [r for r in results if any(s.status == "n/a" for s in r.steps.values())]
    if idle:
        console.print(
            f"[green]{len(results) - len(idle)} spec(s) passed every step[/], "
            f"[yellow]{len(idle)} not runnable here[/] (generated for hardware; the emulator lacks a call)"
        )
        return
    console.print(f"[green]all {len(results)} spec(s) passed every step[/]")


def register(app: typer.Typer) -> None:
    app.command("check-specs")(check_specs)
