"""When the emulator replaces ttnn's device entry points: automatically without a Tenstorrent device, forced on
or off by TTNN_EMULATOR, and never on a machine with hardware unless forced."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from emulator import activation

ROOT = Path(__file__).resolve().parents[2]
OPS = sorted(p.parent.name for p in (ROOT / "ops").glob("*/__init__.py"))


@pytest.mark.parametrize(
    "value, hardware, expected",
    [
        ("", False, True),
        ("", True, False),
        ("1", True, True),
        ("on", True, True),
        ("true", False, True),
        ("0", False, False),
        ("off", False, False),
        ("false", True, False),
    ],
)
def test_wanted(monkeypatch, value, hardware, expected):
    monkeypatch.setenv(activation.ENV, value)
    monkeypatch.delenv(activation.SIMULATOR_ENV, raising=False)
    monkeypatch.setattr(activation, "hardware_present", lambda: hardware)
    assert activation.wanted() is expected


@pytest.mark.parametrize("value, expected", [("", False), ("1", True), ("0", False)])
def test_tt_metal_simulator_keeps_the_automatic_activation_off(monkeypatch, value, expected):
    """A user running tt-metal's simulator (ttsim) gets ttsim; only TTNN_EMULATOR=1 still forces the emulator."""
    monkeypatch.setenv(activation.ENV, value)
    monkeypatch.setenv(activation.SIMULATOR_ENV, "/opt/ttsim/libttsim.so")
    monkeypatch.setattr(activation, "hardware_present", lambda: False)
    assert activation.wanted() is expected


def test_nothing_is_patched_when_hardware_is_present(monkeypatch):
    monkeypatch.delenv(activation.ENV, raising=False)
    monkeypatch.setattr(activation, "hardware_present", lambda: True)
    fake = types.SimpleNamespace(open_device=object(), generic_op=object())
    before = dict(vars(fake))
    assert activation.activate_if_needed(fake) is False
    assert vars(fake) == before


def test_hardware_is_detected_by_its_device_nodes(monkeypatch):
    monkeypatch.setattr(
        activation.glob, "glob", lambda pattern: ["/dev/tenstorrent/0"] if "tenstorrent" in pattern else []
    )
    assert activation.hardware_present()
    monkeypatch.setattr(activation.glob, "glob", lambda pattern: [])
    assert not activation.hardware_present()


PROBE = """
import importlib, sys
import ttnn
print("emulated", getattr(ttnn, "EMULATED", False), ttnn.open_device.__module__)
for op in sys.argv[1:]:  # from ttnn.operations.<op> import <op>, with no other import first
    fn = getattr(importlib.import_module("ttnn.operations." + op), op)
    print("op", op, callable(fn))
import ttnn.operations.normalization as own  # ttnn's own modules are not hidden by the ops
print("own", own.__file__.startswith(ttnn.__path__[0]))
if getattr(ttnn, "EMULATED", False):
    dev = ttnn.CreateDevice(0)
    grid = dev.compute_with_storage_grid_size()
    print("grid", grid.x, grid.y)
    ttnn.close_device(dev)
"""


def probe(**env):
    """A fresh interpreter that only imports ttnn: the hook installed with the package does the rest."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("TTNN_EMULATOR")}
    full.update(env)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *OPS],
        capture_output=True,
        text=True,
        env=full,
        cwd="/",
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope="module")
def forced_on():
    return probe(TTNN_EMULATOR="1", TTNN_EMULATOR_GRID="4x3")


def test_forced_off_leaves_ttnn_untouched():
    out = probe(TTNN_EMULATOR="0")
    assert "emulated False ttnn." in out and "grid" not in out


def test_forced_on_with_a_configured_grid(forced_on):
    assert "emulated True emulator.patch" in forced_on
    assert "grid 4 3" in forced_on


def test_every_op_imports_from_ttnn_operations_in_a_fresh_interpreter(forced_on):
    assert OPS and all(f"op {op} True" in forced_on for op in OPS), forced_on
    assert "own True" in forced_on
