"""The project's own specs regenerate complete packages (into a temporary directory)."""

import importlib
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffolder.cli import app

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = {
    "layer_norm_rm": [
        ("input_tensor", "POSITIONAL_OR_KEYWORD", inspect.Parameter.empty),
        ("gamma", "POSITIONAL_OR_KEYWORD", None),
        ("beta", "POSITIONAL_OR_KEYWORD", None),
        ("epsilon", "KEYWORD_ONLY", 1e-5),
    ],
    "rms_norm": [
        ("input_tensor", "POSITIONAL_OR_KEYWORD", inspect.Parameter.empty),
        ("gamma", "KEYWORD_ONLY", None),
        ("epsilon", "KEYWORD_ONLY", 1e-6),
    ],
}


def _regen(op, out):
    spec = ROOT / "specs" / f"{op}_spec.md"
    if not spec.exists():
        pytest.skip(f"{spec.name} not written yet")
    res = CliRunner().invoke(app, ["new-op", str(spec), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out / op


@pytest.mark.parametrize("op", sorted(CONTRACTS))
def test_regenerated_package_matches_contract(op, tmp_path):
    pkg = _regen(op, tmp_path)
    ruff = Path(sys.executable).with_name("ruff")
    if ruff.exists():
        lint = subprocess.run(
            [str(ruff), "check", "--line-length", "110", str(pkg)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert lint.returncode == 0, lint.stdout
    saved = os.environ.get("TTNN_SCAFFOLD_OPS_PATH", "")
    os.environ["TTNN_SCAFFOLD_OPS_PATH"] = str(tmp_path)
    try:
        for name in [m for m in sys.modules if m.startswith(f"ttnn.operations.{op}")]:
            del sys.modules[name]
        mod = importlib.import_module(f"ttnn.operations.{op}")
        assert Path(mod.__file__).parent == pkg  # the regenerated package, not ops/<op>
        sig = inspect.signature(getattr(mod, op))
        got = [(p.name, p.kind.name, p.default) for p in sig.parameters.values()]
        assert got == CONTRACTS[op]
    finally:
        os.environ["TTNN_SCAFFOLD_OPS_PATH"] = saved
        for name in [m for m in sys.modules if m.startswith(f"ttnn.operations.{op}")]:
            del sys.modules[name]


def _emulator_ready() -> bool:
    return importlib.util.find_spec("emulator.launcher") is not None


@pytest.mark.slow
@pytest.mark.skipif(not _emulator_ready(), reason="the emulator launcher is not available")
@pytest.mark.parametrize("op", sorted(CONTRACTS))
def test_regenerated_package_tests_run_on_emulator(op, tmp_path):
    pkg = _regen(op, tmp_path)
    env = dict(os.environ, TTNN_SCAFFOLD_OPS_PATH=str(tmp_path))
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", str(pkg / "tests")],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert res.returncode == 0, res.stdout[-4000:]
