"""NKI kernels through the project's NumPy interpreter, against float64 references, plus the
interpreter's NKI rule checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sibling_tolerance import assert_within_one_ulp

from siblings import nki as sn
from siblings.nki import interpreter as it

nl = it.language


def dtype_of(name):
    if name == "bf16":
        ml_dtypes = pytest.importorskip("ml_dtypes")
        return ml_dtypes.bfloat16
    return {"f32": np.float32, "f16": np.float16}[name]


def data(m, n, dtype, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    d = dtype_of(dtype)
    x = (rng.standard_normal((m, n)) * 1.5 + shift).astype(np.float32).astype(d)
    return (
        x,
        rng.standard_normal(n).astype(np.float32).astype(d),
        rng.standard_normal(n).astype(np.float32).astype(d),
    )


def f64_rms(x, w, eps):
    x = x.astype(np.float64)
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w.astype(np.float64)


def f64_ln(x, w, b, eps):
    x = x.astype(np.float64)
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + eps) * w.astype(
        np.float64
    ) + b.astype(np.float64)


@pytest.mark.parametrize("dtype", ["f32", "f16", "bf16"])
@pytest.mark.parametrize("shape", [(5, 64), (128, 256), (300, 1000)])
def test_rms_norm_kernel(dtype, shape):
    x, w, _ = data(*shape, dtype, seed=1)
    y = sn.run_rms_norm(x, w, 1e-6, engine="interpreter")
    assert y.dtype == x.dtype
    assert_within_one_ulp(y, f64_rms(x, w, 1e-6), dtype)


@pytest.mark.parametrize("dtype", ["f32", "bf16"])
@pytest.mark.parametrize("shape", [(3, 96), (257, 512)])
def test_layer_norm_kernel(dtype, shape):
    x, w, b = data(*shape, dtype, seed=2, shift=5.0)
    y = sn.run_layer_norm(x, w, b, 1e-5, engine="interpreter")
    assert_within_one_ulp(y, f64_ln(x, w, b, 1e-5), dtype)


def test_epsilon_is_applied():
    # Rows of tiny values: without eps the result would be O(1); with eps = 1 it is ~x.
    x = (np.random.default_rng(3).standard_normal((4, 32)) * 1e-3).astype(np.float32)
    w = np.ones(32, np.float32)
    y = sn.run_rms_norm(x, w, 1.0, engine="interpreter")
    assert_within_one_ulp(y, f64_rms(x, w, 1.0), "f32")
    assert np.abs(y).max() < 1e-2


def test_bf16_rounding_matches_ml_dtypes():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    v = (np.random.default_rng(4).standard_normal(10000) * 100).astype(np.float32)
    expect = v.astype(ml_dtypes.bfloat16).astype(np.float32)
    np.testing.assert_array_equal(it._round(v, "bfloat16"), expect)


def test_sbuf_partition_capacity_is_enforced():
    x, w, _ = data(2, 65536, "f32", seed=5)  # (1, 65536) fp32 = 256 KiB > 192 KiB per partition
    with pytest.raises(it.NKIError, match="bytes per partition"):
        sn.run_rms_norm(x, w, engine="interpreter")


def test_partition_dim_limit():
    @it.jit
    def k(a):
        t = nl.load(a[nl.arange(256)[:, None], nl.arange(4)[None, :]])
        return t

    with pytest.raises(it.NKIError, match="partition dim 256"):
        k(np.random.default_rng(6).standard_normal((256, 4)).astype(np.float32))


def test_unmasked_out_of_range_load_is_rejected():
    @it.jit
    def k(a):
        out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
        ip, iy = nl.arange(128)[:, None], nl.arange(a.shape[1])[None, :]
        for i in nl.affine_range(math.ceil(a.shape[0] / 128)):
            nl.store(out[i * 128 + ip, iy], nl.load(a[i * 128 + ip, iy]))
        return out

    with pytest.raises(it.NKIError, match="outside the tensor"):
        k(np.random.default_rng(7).standard_normal((130, 8)).astype(np.float32))


def test_storing_undefined_data_is_rejected():
    @it.jit
    def k(a):
        out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
        ip, iy = nl.arange(128)[:, None], nl.arange(a.shape[1])[None, :]
        t = nl.load(a[ip, iy], mask=(ip < a.shape[0] - 1))  # one row short
        nl.store(out[ip, iy], nl.multiply(t, 2.0), mask=(ip < a.shape[0]))
        return out

    with pytest.raises(it.NKIError, match="undefined data"):
        k(np.random.default_rng(8).standard_normal((10, 8)).astype(np.float32))


def test_buffer_rules():
    a = np.random.default_rng(9).standard_normal((4, 8)).astype(np.float32)

    @it.jit
    def compute_on_hbm(t):
        return nl.square(t)

    with pytest.raises(it.NKIError, match="nl.load"):
        compute_on_hbm(a)

    @it.jit
    def sbuf_output(t):
        return nl.load(t[nl.arange(4)[:, None], nl.arange(8)[None, :]])

    with pytest.raises(it.NKIError, match="shared_hbm"):
        sbuf_output(a)

    @it.jit
    def partition_reduce(t):
        return nl.sum(nl.load(t[nl.arange(4)[:, None], nl.arange(8)[None, :]]), axis=0)

    with pytest.raises(it.NKIError, match="partition axis"):
        partition_reduce(a)

    with pytest.raises(it.NKIError, match="psum"):
        nl.ndarray((128, 1024), dtype=nl.float32, buffer=nl.psum)


def test_dtype_promotion_rules():
    t = it.Tile(np.ones((2, 4), np.float32), "bfloat16")
    assert (t * 0.5).dtype == "float32"  # a Python float is fp32
    assert (t / 4).dtype == "bfloat16"  # a Python int keeps the tile dtype
    assert nl.add(t, it.Tile(np.ones((2, 4)), "float16")).dtype == "float32"


def test_bad_arguments():
    x, w, _ = data(4, 16, "f32", seed=10)
    with pytest.raises(ValueError, match="shape"):
        sn.run_rms_norm(x, w[:3], engine="interpreter")
    with pytest.raises(ValueError, match="engine"):
        sn.run_rms_norm(x, w, engine="hardware")
