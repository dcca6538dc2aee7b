"""Shared fixtures and helpers for the finished ops' tests (run on the host emulator or a device)."""

from __future__ import annotations

import importlib
import os
import secrets
import subprocess
import threading
from pathlib import Path

import pytest
import torch
import ttnn


@pytest.fixture(scope="module")
def device():
    dev = ttnn.open_device(device_id=0)
    yield dev
    ttnn.close_device(dev)


SEED_ENV = "OPS_TEST_SEED"
# Fresh inputs on every run: a test's seeds are offsets from this run's base seed. A failing test names
# it, and OPS_TEST_SEED=<seed> reruns with the same inputs.
BASE_SEED = int(os.environ.get(SEED_ENV) or secrets.randbits(30))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        report.sections.append(("random inputs", f"{SEED_ENV}={BASE_SEED} reproduces this run's inputs"))


def make_input(shape, dist: str, seed: int) -> torch.Tensor:
    """Float32 data of a named distribution (never constant), from this run's base seed plus `seed`."""
    gen = torch.Generator().manual_seed(BASE_SEED + seed)
    if dist == "normal":
        return torch.randn(shape, generator=gen)
    if dist == "uniform":
        return torch.rand(shape, generator=gen) * 2 - 1
    if dist == "tiny":
        return torch.randn(shape, generator=gen) * 0.01
    if dist == "large":
        return torch.randn(shape, generator=gen) * 10
    if dist == "positive":
        return torch.rand(shape, generator=gen) * 4 + 0.1
    if dist == "negative":
        return -(torch.rand(shape, generator=gen) * 4 + 0.1)
    if dist == "offset":  # mean far from zero relative to the spread
        return torch.randn(shape, generator=gen) + 8
    if dist == "far_offset":  # a bf16 mean would be off by ~0.25 std here
        return torch.randn(shape, generator=gen) + 100
    raise ValueError(dist)


def to_device(t: torch.Tensor, device, dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT):
    return ttnn.from_torch(
        t, dtype=dtype, layout=layout, device=device, memory_config=ttnn.DRAM_MEMORY_CONFIG
    )


def l1_tensor(t: torch.Tensor, device, dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT):
    """A device tensor interleaved over the L1 banks."""
    return ttnn.from_torch(t, dtype=dtype, layout=layout, device=device, memory_config=ttnn.L1_MEMORY_CONFIG)


def assert_covers_every_row_once(core_assignment, grid) -> None:
    """A descriptor's per-core (x, y, start, count) list: every core listed, each tile-row exactly once,
    counts differing by at most one, and idle cores only when there are fewer rows than cores."""
    n_cores = grid.x * grid.y
    for rows in (1, n_cores - 1, n_cores, n_cores + 36, 3 * n_cores + 5):
        cores = core_assignment(grid, rows)
        assert len(cores) == n_cores
        covered = [r for _, _, start, n in cores for r in range(start, start + n)]
        assert sorted(covered) == list(range(rows))
        counts = [n for *_, n in cores]
        assert max(counts) - min(c for c in counts if c) <= 1
        assert sum(1 for c in counts if c) == min(rows, n_cores)


def pcc(a: torch.Tensor, b: torch.Tensor) -> float:
    a = a.double().flatten() - a.double().mean()
    b = b.double().flatten() - b.double().mean()
    denom = a.norm() * b.norm()
    return 1.0 if denom == 0 else float((a @ b) / denom)


def assert_close(actual: torch.Tensor, expected: torch.Tensor, rtol: float, atol: float) -> None:
    actual, expected = actual.float(), expected.float()
    assert actual.shape == expected.shape
    assert torch.isfinite(actual).all(), "output has non-finite values"
    diff = (actual - expected).abs()
    bad = diff > atol + rtol * expected.abs()
    if bad.any():
        idx = int(torch.argmax((diff - atol - rtol * expected.abs()).flatten()))
        raise AssertionError(
            f"{int(bad.sum())}/{bad.numel()} elements out of tolerance (rtol={rtol}, atol={atol}); "
            f"worst at flat index {idx}: got {actual.flatten()[idx].item()}, "
            f"expected {expected.flatten()[idx].item()}; max abs diff {diff.max().item():.4g}"
        )


# The entry-point modules the ops really run (ttnn.operations.<op> is loaded from ops/<op> by the import hook).
ENTRY_MODULES = ("ttnn.operations.layer_norm_rm.layer_norm_rm", "ttnn.operations.rms_norm.rms_norm")


class NoDeviceWork:
    """Context manager: any output allocation, program build or launch inside fails the test."""

    def __init__(self, monkeypatch):
        self._mp = monkeypatch

    def __enter__(self):
        def forbidden(*args, **kwargs):
            raise AssertionError("device work started before validation rejected the input")

        self._mp.setattr(ttnn, "allocate_tensor_on_device", forbidden)
        self._mp.setattr(ttnn, "generic_op", forbidden)
        self._mp.setattr(ttnn, "ProgramDescriptor", forbidden)
        for name in ENTRY_MODULES:
            self._mp.setattr(importlib.import_module(name), "create_program_descriptor", forbidden)
        return self

    def __exit__(self, *exc):
        self._mp.undo()
        return False


class NoHostLayoutConversion:
    """Context manager: any ttnn layout conversion (tilize/untilize on the host or as a separate op) fails."""

    NAMES = ("to_layout", "tilize", "untilize", "tilize_with_val_padding", "untilize_with_unpadding")

    def __init__(self, monkeypatch):
        self._mp = monkeypatch

    def __enter__(self):
        def forbidden(*args, **kwargs):
            raise AssertionError("the op converted a layout outside its kernels")

        for name in self.NAMES:
            if hasattr(ttnn, name):
                self._mp.setattr(ttnn, name, forbidden)
        return self

    def __exit__(self, *exc):
        self._mp.undo()
        return False


class CompileCounter:
    """Counts the emulator's kernel builds and the host compiler runs among them (inactive off the emulator).

    ``builds`` counts every kernel a launch asked for; ``compiles`` those that ran the compiler (a cache miss). A
    compute kernel is three TRISC builds; its UNPACK build stands for the kernel here.
    """

    def __init__(self, monkeypatch):
        try:
            from emulator import wheel_build
        except ImportError:
            wheel_build = None
        self.active = wheel_build is not None and ttnn.generic_op.__module__.startswith("emulator")
        self.builds = 0
        self.compiles = 0
        lock = threading.Lock()  # the launcher builds a program's kernels on a thread pool
        if not self.active:
            return
        real_run = subprocess.run

        def counting_run(cmd, *args, **kwargs):
            name = Path(str(cmd[0])).name if cmd else ""
            is_compiler = name.endswith(("g++", "c++")) or name.startswith("clang++")
            later_trisc = any(
                str(a).startswith(("-DCOMPILE_FOR_TRISC=1", "-DCOMPILE_FOR_TRISC=2")) for a in cmd
            )
            if is_compiler and "-o" in cmd and not later_trisc:
                with lock:
                    self.compiles += 1
            return real_run(cmd, *args, **kwargs)

        def counting(build):
            def counted(kb, *args, **kwargs):
                with lock:
                    self.builds += 1
                return build(kb, *args, **kwargs)

            return counted

        monkeypatch.setattr(subprocess, "run", counting_run)
        monkeypatch.setattr(wheel_build, "build", counting(wheel_build.build))

    def reset(self) -> None:
        self.builds = self.compiles = 0
