"""Shared fixtures and helpers for the finished ops' tests (run on the host emulator or a device)."""

from __future__ import annotations

import pytest
import torch
import ttnn


@pytest.fixture(scope="module")
def device():
    dev = ttnn.open_device(device_id=0)
    yield dev
    ttnn.close_device(dev)


def make_input(shape, dist: str, seed: int) -> torch.Tensor:
    """Seeded float32 data of a named distribution (never constant)."""
    gen = torch.Generator().manual_seed(seed)
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


class NoDeviceWork:
    """Context manager: any output allocation or program launch inside fails the test."""

    def __init__(self, monkeypatch):
        self._mp = monkeypatch

    def __enter__(self):
        def forbidden(*args, **kwargs):
            raise AssertionError("device work started before validation rejected the input")

        self._mp.setattr(ttnn, "allocate_tensor_on_device", forbidden)
        self._mp.setattr(ttnn, "generic_op", forbidden)
        return self

    def __exit__(self, *exc):
        self._mp.undo()
        return False


class CompileCounter:
    """Counts host compiler runs of the emulator's kernel builder (None when the emulator is not in use)."""

    def __init__(self, monkeypatch):
        try:
            from emulator import kernel_build
        except ImportError:
            kernel_build = None
        self.active = kernel_build is not None and ttnn.generic_op.__module__.startswith("emulator")
        self.compiles = 0
        if self.active:
            real_run = kernel_build.subprocess.run

            def counting_run(cmd, *args, **kwargs):
                if cmd and str(cmd[0]).endswith(("g++", "c++", "clang++")):
                    self.compiles += 1
                return real_run(cmd, *args, **kwargs)

            monkeypatch.setattr(kernel_build.subprocess, "run", counting_run)
