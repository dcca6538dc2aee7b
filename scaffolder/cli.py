"""The ``scaffold`` command line: one sub-command per module in ``scaffolder.commands``."""

from __future__ import annotations

import importlib
import os
import pkgutil

# ttnn logs its whole config at DEBUG level on import; keep command output to what the command says.
os.environ.setdefault("LOGURU_LEVEL", "INFO")

import typer

import scaffolder.commands as _commands

app = typer.Typer(
    name="scaffold",
    help="Generate, check, emulate and cross-check ttnn generic_op packages.",
    no_args_is_help=True,
    add_completion=False,
)

# Each command module exposes ``register(app)``; new commands need no edit here.
for _info in sorted(pkgutil.iter_modules(_commands.__path__), key=lambda m: m.name):
    importlib.import_module(f"{_commands.__name__}.{_info.name}").register(app)


if __name__ == "__main__":
    app()
