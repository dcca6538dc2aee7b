"""The real programs of catalog.py: every RUNNABLE one against float64 torch, and for all of them (RUNNABLE and
PENDING) that their descriptors name only kernels of the installed wheel."""

from __future__ import annotations

from pathlib import Path

import pytest
import ttnn

from tests.emulator.real_programs import wheel
from tests.emulator.real_programs.catalog import PENDING, PROGRAMS, RUNNABLE


class _Captured(Exception):
    def __init__(self, descriptor):
        self.descriptor = descriptor


def test_catalog_has_at_least_20_programs_each_runnable_or_pending():
    assert len(PROGRAMS) >= 20
    assert set(RUNNABLE) | set(PENDING) == set(PROGRAMS)
    assert not set(RUNNABLE) & set(PENDING)


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_program_runs_only_wheel_kernels(name, device, monkeypatch):
    """Builds the program's descriptor (stopping at generic_op) and checks every kernel is a file of the
    installed wheel (site-packages/ttnn), never a copy of ours."""

    def capture(io_tensors, descriptor):
        raise _Captured(descriptor)

    monkeypatch.setattr(ttnn, "generic_op", capture)
    with pytest.raises(_Captured) as caught:
        PROGRAMS[name](device)
    wheel_dir = wheel.package_dir().resolve()
    kernels = list(caught.value.descriptor.kernels)
    assert kernels, name
    for k in kernels:
        path = Path(k.kernel_source).resolve()
        assert path.is_relative_to(wheel_dir), f"{name}: {path} is not a kernel of the installed wheel"
        assert path.is_file()


if RUNNABLE:

    @pytest.mark.parametrize("name", RUNNABLE)
    def test_real_program(name, device, monkeypatch):
        monkeypatch.setenv("TTNN_EMULATOR_API", "wheel")
        PROGRAMS[name](device)
