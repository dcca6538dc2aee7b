import importlib
import os
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def _drop(op: str) -> None:
    for name in [m for m in sys.modules if m.startswith(f"ttnn.operations.{op}")]:
        del sys.modules[name]


def _import_generated(out: Path, op: str):
    """`ttnn.operations.<op>` imported from the package generated under `out`, not ops/<op> or a package
    an earlier test generated; afterwards the name resolves as before (the module imports eagerly)."""
    saved = os.environ.get("TTNN_SCAFFOLD_OPS_PATH", "")
    os.environ["TTNN_SCAFFOLD_OPS_PATH"] = str(out)
    try:
        _drop(op)
        return importlib.import_module(f"ttnn.operations.{op}")
    finally:
        os.environ["TTNN_SCAFFOLD_OPS_PATH"] = saved
        _drop(op)


@pytest.fixture
def import_generated():
    return _import_generated
