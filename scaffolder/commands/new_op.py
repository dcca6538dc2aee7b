"""``scaffold new-op SPEC``: a complete generic_op package from a markdown op spec."""
# ruff: noqa: B008  (typer declares options as argument defaults)

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.tree import Tree

from scaffolder.generate import generate
from scaffolder.generate.files import WriteError, conflicts, diff, write_package
from scaffolder.generate.findings import generation_findings
from scaffolder.generate.plan import build_plan
from scaffolder.spec.diagnostics import SpecError
from scaffolder.spec.parser import parse_spec

_ROOT = Path(__file__).resolve().parents[2]


def new_op(
    spec: Path = typer.Argument(..., help="Op spec: planner {op}_spec.md or op_design.md."),
    out: Path = typer.Option(_ROOT / "ops", "--out", help="Directory that receives <op>/."),
    name: str | None = typer.Option(None, "--name", help="Op name, when the spec does not give one."),
    design: Path | None = typer.Option(
        None, "--design", help="kernel_design.md supplementing a planner spec."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the file tree and a diff; write nothing."),
    force: bool = typer.Option(False, "--force", help="Overwrite files that differ."),
    strict: bool = typer.Option(
        False, "--strict", help="Write nothing and exit 1 when a phase cannot be generated as specified."
    ),
) -> None:
    """Generate <out>/<op>/: entry point, program descriptor, three kernels, tests, README, breadcrumbs."""
    console = Console()
    try:
        result = parse_spec(spec, design=design, name=name)
    except SpecError as e:
        for d in e.diagnostics:
            console.print(f"[red]{d}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    for d in result.warnings:
        console.print(f"[yellow]{d}[/yellow]", highlight=False, soft_wrap=True)
    files = generate(result, spec)
    problems = generation_findings(build_plan(result.spec))
    for d in problems:
        console.print(f"[red]{d}[/red]", highlight=False, soft_wrap=True)
    if strict and problems:
        console.print(f"[red]--strict: {len(problems)} error(s); nothing was written[/red]")
        raise typer.Exit(1)
    target = out / result.spec.name
    try:
        changes = diff(target, files)
    except OSError as e:
        console.print(
            f"[red]error: cannot read {target}: {e.strerror or e}[/red]", highlight=False, soft_wrap=True
        )
        raise typer.Exit(1) from None
    tree = Tree(f"[bold]{target}[/]")
    for rel, status, _ in changes:
        tree.add(f"{rel} [dim]({status})[/]")
    if dry_run:
        console.print(tree)
        for rel, status, d in changes:
            if d:
                console.print(d, highlight=False, markup=False)
        return
    blocked = conflicts(target, files)
    if blocked and not force:
        console.print(
            f"[red]{len(blocked)} existing file(s) would change: {', '.join(blocked)}; "
            f"use --dry-run to see the diff or --force to overwrite[/red]"
        )
        raise typer.Exit(1)
    try:
        write_package(target, files)
    except WriteError as e:
        console.print(f"[red]error: {e}; nothing was written[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    console.print(tree)
    console.print(f"[green]generated {result.spec.name} in {target}[/]")


def register(app: typer.Typer) -> None:
    app.command("new-op")(new_op)
