"""Which op names a package can have: `ttnn.operations.<name>` must import, and every generated file name
(`<name>_program_descriptor.py`, `kernels/<name>_compute.cpp`, ...) must be a legal file name."""

from __future__ import annotations

import functools
import importlib.util
import keyword
import re
from pathlib import Path

MAX_LENGTH = 64  # generated file names add up to 22 characters; 64 keeps every path readable
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


@functools.cache
def ttnn_operation_modules() -> frozenset[str]:
    """ttnn's own `ttnn.operations` modules, found without importing ttnn. ttnn's modules take priority over
    ops packages, so an op of the same name could never be imported."""
    found = importlib.util.find_spec("ttnn")
    names: set[str] = set()
    for base in (found.submodule_search_locations or []) if found else []:
        ops = Path(base) / "operations"
        if ops.is_dir():
            names.update(p.stem for p in ops.iterdir() if p.suffix == ".py" or (p / "__init__.py").is_file())
    names.discard("__init__")
    return frozenset(names)


def name_problem(name: str) -> str | None:
    """Why `name` cannot name an op package, or None when it can."""
    if not _IDENTIFIER.match(name):
        return f"op name {name!r} is not a Python identifier (lower_snake_case: a-z, 0-9, _)"
    if keyword.iskeyword(name):
        return f"op name {name!r} is a Python keyword; `import ttnn.operations.{name}` would not parse"
    if len(name) > MAX_LENGTH:
        return f"op name is {len(name)} characters long; at most {MAX_LENGTH} are allowed"
    if name in ttnn_operation_modules():
        return f"op name {name!r} shadows ttnn's own module ttnn.operations.{name}; choose another name"
    return None
