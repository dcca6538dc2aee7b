"""Op inputs that are valid tensors but bad calls (a deallocated tensor, a closed device), and data the
hardware cannot normalise (NaN/Inf, tiny rows with epsilon = 0, squares past fp32): each raises a clear
ValueError before device work, or gives the result the op's README documents; never a silent wrong answer
that the README does not name."""

from __future__ import annotations

import math

import pytest
import torch
import ttnn
from ttnn.operations.layer_norm_rm import layer_norm_rm
from ttnn.operations.rms_norm import rms_norm

from .conftest import NoDeviceWork, assert_close, make_input, to_device

OPS = ["layer_norm_rm", "rms_norm"]
W = 64


def call(op, x, **kwargs):
    return layer_norm_rm(x, **kwargs) if op == "layer_norm_rm" else rms_norm(x, **kwargs)


def reference(op, x, eps):
    xd = x.double()
    if op == "layer_norm_rm":
        return torch.nn.functional.layer_norm(xd, (x.shape[-1],), eps=eps)
    return xd / torch.sqrt(xd.pow(2).mean(-1, keepdim=True) + eps)


TORCH = {ttnn.bfloat16: torch.bfloat16, ttnn.float32: torch.float32}
DTYPES = [ttnn.bfloat16, ttnn.float32]
DTYPE_IDS = ["bf16", "fp32"]


@pytest.mark.parametrize("op", OPS)
def test_deallocated_input_is_a_value_error(device, monkeypatch, op):
    x = to_device(make_input((1, 1, 32, W), "normal", 1).to(torch.bfloat16), device)
    x.deallocate()
    with NoDeviceWork(monkeypatch), pytest.raises(ValueError, match="input_tensor was deallocated"):
        call(op, x)


def test_deallocated_gamma_is_a_value_error(device, monkeypatch):
    x = to_device(make_input((1, 1, 32, W), "normal", 2).to(torch.bfloat16), device)
    g = to_device(make_input((1, 1, 1, W), "normal", 3).to(torch.bfloat16), device)
    g.deallocate()
    with NoDeviceWork(monkeypatch), pytest.raises(ValueError, match="gamma was deallocated"):
        layer_norm_rm(x, g)
    with NoDeviceWork(monkeypatch), pytest.raises(ValueError, match="gamma was deallocated"):
        rms_norm(x, gamma=g)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("eps", [1e300, -1e-5, 3.5e38, float("inf")])
def test_epsilon_outside_fp32_is_a_value_error(device, monkeypatch, op, eps):
    x = to_device(make_input((1, 1, 32, W), "normal", 4), device, dtype=ttnn.float32)
    with NoDeviceWork(monkeypatch), pytest.raises(ValueError, match="epsilon must be finite and >= 0"):
        call(op, x, epsilon=eps)


def _rows_with(dtype, bad_row, col, value, seed):
    x = make_input((1, 1, 32, W), "normal", seed).to(TORCH[dtype])
    x[0, 0, bad_row, col] = value
    return x


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")], ids=["nan", "inf", "-inf"])
def test_layer_norm_non_finite_element_poisons_its_row_only(device, dtype, value):
    """README: a NaN or +-Inf makes its row's mean non-finite, so every output of that row is non-finite
    (bfloat16 output shows +-Inf: the packer writes NaN as Inf); every other row is exact as usual."""
    x = _rows_with(dtype, 5, 17, value, seed=6)
    y = ttnn.to_torch(layer_norm_rm(to_device(x, device, dtype=dtype))).double()
    assert not torch.isfinite(y[0, 0, 5]).any()
    others = [r for r in range(32) if r != 5]
    rtol, atol = (1e-3, 1e-2) if dtype == ttnn.float32 else (0.02, 0.1)
    assert_close(y[0, 0, others], reference("layer_norm_rm", x[0, 0, others].float(), 1e-5), rtol, atol)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")], ids=["nan", "inf", "-inf"])
def test_rms_norm_non_finite_element_is_non_finite_in_the_output(device, dtype, value):
    """README: the element itself comes out non-finite or far above sqrt(W) (Wormhole's FPU takes an
    exponent-255 operand as an ordinary number, so x * istd may land just inside the float range), a value no
    normalised row can reach; its other elements are not meaningful. Every other row is exact as usual."""
    x = _rows_with(dtype, 9, 40, value, seed=7)
    y = ttnn.to_torch(rms_norm(to_device(x, device, dtype=dtype))).double()
    bad = float(y[0, 0, 9, 40])
    assert not math.isfinite(bad) or abs(bad) > 1e30 * math.sqrt(W), bad
    others = [r for r in range(32) if r != 9]
    rtol, atol = (1e-3, 1e-2) if dtype == ttnn.float32 else (0.01, 0.05)
    assert_close(y[0, 0, others], reference("rms_norm", x[0, 0, others].float(), 1e-6), rtol, atol)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_tiny_rows_with_zero_epsilon_are_visibly_not_normalised(device, op, dtype):
    """README: with epsilon = 0, a row whose squares underflow fp32 (|x| below ~1e-19; squares under 2^-126
    flush to zero) has a zero variance and rsqrt(0) scales it to +-Inf or to values far above sqrt(W), which
    no normalised row can reach. The default epsilon keeps these rows finite and exact."""
    x = (make_input((1, 1, 32, W), "normal", 8) * 1e-30).to(TORCH[dtype])
    y = ttnn.to_torch(call(op, to_device(x, device, dtype=dtype), epsilon=0.0)).double()
    centred = x.double() - (x.double().mean(-1, keepdim=True) if op == "layer_norm_rm" else 0)
    moved = centred != 0
    assert moved.sum() > 0.9 * x.numel()
    assert ((~torch.isfinite(y)) | (y.abs() > math.sqrt(W)))[moved].all()
    # with the default epsilon the same rows are (correctly) almost zero: epsilon dominates
    z = ttnn.to_torch(call(op, to_device(x, device, dtype=dtype))).double()
    assert torch.isfinite(z).all() and z.abs().max() < 1e-20


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_rows_within_range_are_exact(device, op, dtype):
    """README: squares stay finite in fp32 up to |x| (layer_norm_rm: |x - mean|) of about 1.8e19; rows of
    magnitude 1e18 normalise as well as unit rows."""
    x = (make_input((1, 1, 32, W), "normal", 9) * 1e18).to(TORCH[dtype])
    y = ttnn.to_torch(call(op, to_device(x, device, dtype=dtype))).double()
    rtol, atol = (1e-3, 1e-2) if dtype == ttnn.float32 else (0.02, 0.1)
    assert_close(y, reference(op, x, 1e-5 if op == "layer_norm_rm" else 1e-6), rtol, atol)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_rows_past_the_fp32_square_range_are_documented_wrong(device, op, dtype):
    """README: at |x| >= ~1.8e19 the squares overflow fp32 in DEST; the FPU then carries the overflowed sum as
    a huge finite number, so the row comes out finite but not normalised, with no flag. This pins that
    documented limitation (scale such inputs down first: both norms are scale-invariant)."""
    x = (make_input((1, 1, 32, W), "normal", 10) * 1e20).to(TORCH[dtype])
    y = ttnn.to_torch(call(op, to_device(x, device, dtype=dtype))).double()
    ref = reference(op, x, 1e-5 if op == "layer_norm_rm" else 1e-6)
    assert (y - ref).abs().max() > 0.5
    scaled = ttnn.to_torch(call(op, to_device((x.double() * 1e-20).to(TORCH[dtype]), device, dtype=dtype)))
    rtol, atol = (1e-3, 1e-2) if dtype == ttnn.float32 else (0.02, 0.1)
    assert_close(scaled, ref, rtol, atol)
