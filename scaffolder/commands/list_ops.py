"""``scaffold list``: the ops under ``ops/`` and the specs under ``specs/``."""
# ruff: noqa: B008  (typer declares options as argument defaults)

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from scaffolder.spec.diagnostics import SpecError
from scaffolder.spec.parser import parse_spec

_ROOT = Path(__file__).resolve().parents[2]


def list_ops(
    ops_dir: Path = typer.Option(_ROOT / "ops", "--ops", help="Directory holding op packages."),
    specs_dir: Path = typer.Option(_ROOT / "specs", "--specs", help="Directory holding op specs."),
) -> None:
    """Show op packages and specs, with each spec's format and whether it parses."""
    console = Console()
    ops = Table(title=f"ops ({ops_dir})")
    for col in ("op", "kernels", "tests"):
        ops.add_column(col)
    for d in (
        sorted(p for p in ops_dir.glob("*") if (p / "__init__.py").is_file()) if ops_dir.is_dir() else []
    ):
        kernels = sorted(k.name for k in (d / "kernels").glob("*.cpp")) if (d / "kernels").is_dir() else []
        tests = sorted(t.name for t in d.rglob("test_*.py"))
        ops.add_row(d.name, ", ".join(kernels) or "-", ", ".join(tests) or "-")
    console.print(ops)
    specs = Table(title=f"specs ({specs_dir})")
    for col in ("spec", "op", "format", "status"):
        specs.add_column(col)
    for f in sorted(specs_dir.rglob("*.md")) if specs_dir.is_dir() else []:
        try:
            r = parse_spec(f)
            status = f"[green]ok[/] ({len(r.warnings)} warning(s))"
            specs.add_row(str(f.relative_to(specs_dir)), r.spec.name, r.spec.format, status)
        except SpecError as e:
            specs.add_row(str(f.relative_to(specs_dir)), "-", "-", f"[red]{len(e.diagnostics)} error(s)[/]")
    console.print(specs)


def register(app: typer.Typer) -> None:
    app.command("list")(list_ops)
