"""A registered ttnn op on an emulated tensor: the unary SFPU ops of emulator/unary_program.py run as their
factory's device program, the other element-wise ones as a labelled host torch reference (tt-metal's tests use
them for goldens), and any other op raises an error naming it; none may crash the process."""

from __future__ import annotations

import warnings

import pytest
import torch
import ttnn

from emulator import native_ops
from emulator.tensor import EmulatedTensor


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """Every test with fresh once-per-op warnings."""
    monkeypatch.setattr(native_ops, "_warned", set())


def _bf16(x: torch.Tensor) -> torch.Tensor:
    return x.to(torch.bfloat16).to(torch.float64)


def _device_tensor(x, device, layout=None):
    return ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=layout or ttnn.TILE_LAYOUT, device=device)


def test_unary_runs_labelled_once_warned(device):
    """exp runs the unary factory's program of the wheel's kernels (Wormhole's bf16 SFPU exp, within one bf16
    step of float64), with a once-per-op warning saying so."""
    x = torch.randn(2, 64, 96, dtype=torch.float64)
    t = _device_tensor(x, device)
    warning, message = native_ops.EmulatedProgramWarning, r"^ttnn.exp ran on the emulated device as its"
    with pytest.warns(warning, match=message):
        y = ttnn.exp(t)
    assert isinstance(y, EmulatedTensor) and y.dtype == ttnn.bfloat16 and y.layout == ttnn.TILE_LAYOUT
    want = _bf16(torch.exp(_bf16(x)))  # float64 exp of the stored bf16 input, stored as bf16
    got = ttnn.to_torch(y).to(torch.float64)
    assert torch.allclose(got, want, rtol=2**-7, atol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per op: a second call is silent
        ttnn.exp(t)


def test_unary_outside_the_device_programs_is_a_host_reference(device):
    """An element-wise op without a device program here (sigmoid) runs as the host reference."""
    x = torch.randn(32, 64, dtype=torch.float64)
    with pytest.warns(native_ops.HostReferenceWarning, match=r"^ttnn.sigmoid ran as a host torch reference"):
        y = ttnn.sigmoid(_device_tensor(x, device))
    want = _bf16(torch.sigmoid(_bf16(x)))
    assert torch.allclose(ttnn.to_torch(y).to(torch.float64), want, rtol=2**-7, atol=0)


@pytest.mark.parametrize(
    "op, ref",
    [
        (ttnn.add, torch.add),
        (ttnn.multiply, torch.mul),
        (ttnn.subtract, torch.sub),
        (ttnn.maximum, torch.maximum),
    ],
)
def test_binary_runs_as_a_host_reference(device, op, ref):
    a, b = torch.randn(64, 64, dtype=torch.float64), torch.randn(64, 64, dtype=torch.float64)
    with pytest.warns(native_ops.HostReferenceWarning, match=op.python_fully_qualified_name):
        y = op(_device_tensor(a, device), _device_tensor(b, device, ttnn.ROW_MAJOR_LAYOUT))
    want = _bf16(ref(_bf16(a), _bf16(b)))
    assert torch.allclose(ttnn.to_torch(y).to(torch.float64), want, rtol=2**-7, atol=1e-30)


def test_binary_with_a_scalar(device):
    a = torch.randn(32, 32, dtype=torch.float64)
    with pytest.warns(native_ops.HostReferenceWarning):
        y = ttnn.multiply(_device_tensor(a, device), 3.0)
    assert torch.allclose(ttnn.to_torch(y).to(torch.float64), _bf16(_bf16(a) * 3), rtol=2**-7, atol=0)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda t: ttnn.matmul(t, t), "ttnn.matmul"),
        (lambda t: ttnn.softmax(t, dim=-1), "ttnn.softmax"),
        (lambda t: ttnn.to_layout(t, ttnn.ROW_MAJOR_LAYOUT), "ttnn.to_layout"),
        (lambda t: ttnn.sum(t, dim=-1), "ttnn.sum"),
    ],
)
def test_other_native_ops_raise_an_error_naming_the_op(device, call, name):
    t = _device_tensor(torch.randn(32, 32), device)
    with pytest.raises(native_ops.NativeOpError, match=rf"^{name} cannot run on an emulated tensor"):
        call(t)


def test_calls_without_emulated_tensors_reach_ttnns_own_op(monkeypatch):
    """Only emulated operands are routed: a host tensor goes to the op's own binding, untouched."""
    host = ttnn.from_torch(torch.randn(32, 32), dtype=ttnn.bfloat16)
    seen = []
    monkeypatch.setattr(ttnn.exp, "function", lambda *a, **k: seen.append(a) or "from ttnn")
    assert ttnn.exp(host) == "from ttnn" and seen[0][0] is host
