"""``scaffold check SPEC``: audits a spec before any code exists; exit 1 on a violation."""
# ruff: noqa: B008  (typer declares options as argument defaults)

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from scaffolder.audit import run_audits
from scaffolder.spec.diagnostics import SpecError
from scaffolder.spec.parser import parse_spec

_STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red"}


def check(
    spec: Path = typer.Argument(..., help="Op spec (planner {op}_spec.md or op_design.md)."),
    design: Path | None = typer.Option(
        None, "--design", help="kernel_design.md supplementing a planner spec."
    ),
    show_ok: bool = typer.Option(True, "--show-ok/--failures-only", help="List passing checks too."),
) -> None:
    """Audit CB balance, L1 budget, DEST capacity, reduce-scaler format and broadcast regions."""
    console = Console()
    try:
        result = parse_spec(spec, design=design)
    except SpecError as e:
        for d in e.diagnostics:
            console.print(f"[red]{d}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    for d in result.warnings:
        console.print(f"[yellow]{d}[/yellow]", highlight=False, soft_wrap=True)
    findings = run_audits(result.spec)
    table = Table(title=f"scaffold check: {result.spec.name} ({result.spec.format} spec)")
    for col in ("audit", "subject", "status", "detail"):
        table.add_column(col)
    for f in findings:
        if show_ok or f.status != "ok":
            table.add_row(f.audit, f.subject, f"[{_STYLE[f.status]}]{f.status}[/]", f.detail)
    console.print(table)
    failed = [f for f in findings if f.failed]
    if failed:
        console.print(f"[bold red]{len(failed)} violation(s)[/]")
        raise typer.Exit(1)
    console.print("[green]no violations[/]")


def register(app: typer.Typer) -> None:
    app.command("check")(check)
