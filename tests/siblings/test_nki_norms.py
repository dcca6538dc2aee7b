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


def _hbm(shape=(4, 8), dtype=np.float32):
    return np.random.default_rng(6).standard_normal(shape).astype(dtype)


def _idx(p, f):
    return nl.arange(p)[:, None], nl.arange(f)[None, :]


def _tile(shape=(4, 8), dtype="float32"):
    return it.Tile(np.ones(shape, np.float32), dtype)


def _copy_kernel(rows_per_tile=128, mask_load=True, mask_store=True):
    """Copies a in 128-row tiles; the masks can be left off to break the bounds rules."""

    @it.jit
    def k(a):
        out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
        ip, iy = _idx(rows_per_tile, a.shape[1])
        for i in nl.affine_range(math.ceil(a.shape[0] / rows_per_tile)):
            rows = i * rows_per_tile + ip
            t = nl.load(a[rows, iy], mask=(rows < a.shape[0]) if mask_load else None)
            nl.store(out[rows, iy], t, mask=(rows < a.shape[0]) if mask_store else None)
        return out

    return k


def _out_of_range_store(a):
    # The load is masked, the store is not: the last tile writes past the tensor's rows.
    return _copy_kernel(mask_store=False)(a)


def _store_unwritten(a):
    @it.jit
    def k(t):
        out = nl.ndarray(t.shape, dtype=t.dtype, buffer=nl.shared_hbm)
        scratch = nl.ndarray(t.shape, dtype=nl.float32, buffer=nl.sbuf)  # never written
        nl.store(out[_idx(*t.shape)], scratch)
        return out

    return k(a)


def _store_masked_out(a):
    @it.jit
    def k(t):
        out = nl.ndarray(t.shape, dtype=t.dtype, buffer=nl.shared_hbm)
        ip, iy = _idx(128, t.shape[1])
        x = nl.load(t[ip, iy], mask=(ip < t.shape[0] - 1))  # one row short
        nl.store(out[ip, iy], nl.multiply(x, 2.0), mask=(ip < t.shape[0]))
        return out

    return k(a)


def _output_in(buffer):
    def run(a):
        @it.jit
        def k(t):
            out = nl.ndarray(t.shape, dtype=t.dtype, buffer=buffer)
            nl.store(out[_idx(*t.shape)], nl.load(t[_idx(*t.shape)]))
            return out

        return k(a)

    return run


def _load_from_tile(a):
    return nl.load(_tile())


def _load_from_numpy(a):
    return nl.load(a)


def _store_into_tile(a):
    return nl.store(_tile(), _tile())


def _store_hbm_value(a):
    hbm = it.HBMTensor(a, "float32")
    return nl.store(hbm[_idx(4, 8)], hbm)


def _store_shape_mismatch(a):
    hbm = it.HBMTensor(a, "float32")
    return nl.store(hbm[_idx(4, 8)], _tile((4, 3)))


RULES = [
    # (rule, what breaks it, error message pattern)
    (
        "partition dim <= 128 (load)",
        lambda a: _copy_kernel(rows_per_tile=256)(_hbm((256, 4))),
        "partition dim 256",
    ),
    (
        "partition dim <= 128 (allocation)",
        lambda a: nl.ndarray((129, 4), nl.float32, buffer=nl.sbuf),
        "pmax = 128",
    ),
    ("partition dim <= 128 (broadcast)", lambda a: _tile((1, 8)).broadcast_to((256, 8)), "partition dim 256"),
    (
        "psum bank per partition",
        lambda a: nl.ndarray((128, 1024), nl.float32, buffer=nl.psum),
        "psum partition holds",
    ),
    ("on-chip tiles are >= 2-D", lambda a: nl.ndarray((128,), nl.float32, buffer=nl.sbuf), ">= 2 dims"),
    ("nl.load reads HBM, not a tile", _load_from_tile, "nl.load reads HBM"),
    ("nl.load needs an HBM tensor", _load_from_numpy, "needs an HBM tensor"),
    ("nl.store writes HBM, not a tile", _store_into_tile, "nl.store writes HBM"),
    ("nl.store's value is an on-chip tile", _store_hbm_value, "must be an on-chip tile"),
    ("nl.store value matches the pattern", _store_shape_mismatch, "does not match the store pattern"),
    ("compute ops take on-chip tiles", lambda a: nl.square(it.HBMTensor(a, "float32")), "nl.load the HBM"),
    ("Python operators on HBM tensors", lambda a: it.HBMTensor(a, "float32") * 2.0, "nl.load the HBM"),
    ("element-wise ops need a tile", lambda a: nl.add(1.0, 2.0), "at least one tile"),
    ("outputs in shared_hbm (sbuf)", lambda a: it.jit(lambda t: nl.load(t[_idx(4, 8)]))(a), "shared_hbm"),
    ("outputs in shared_hbm (private_hbm)", _output_in("private_hbm"), "shared_hbm"),
    (
        "unmasked load inside the tensor",
        lambda a: _copy_kernel(mask_load=False)(_hbm((130, 8))),
        "nl.load reads index 130",
    ),
    (
        "unmasked store inside the tensor",
        lambda a: _out_of_range_store(_hbm((130, 8))),
        "nl.store writes index 130",
    ),
    ("no store of masked-out data", _store_masked_out, "undefined data"),
    ("no store of unwritten data", _store_unwritten, "undefined data"),
    (
        "2-D index expressions",
        lambda a: nl.load(it.HBMTensor(a, "float32")[nl.arange(4), nl.arange(8)]),
        "1-D nl.arange",
    ),
    (
        "one index per tensor dim",
        lambda a: nl.load(it.HBMTensor(a, "float32")[nl.arange(4)[:, None]]),
        "index has 1 dims",
    ),
    (
        "mask broadcasts to the tile",
        lambda a: nl.load(it.HBMTensor(a, "float32")[_idx(4, 8)], mask=np.ones((3, 8), bool)),
        "does not broadcast",
    ),
    ("reduce free axes only", lambda a: nl.sum(_tile(), axis=0), "partition axis"),
    ("reduce trailing free axes", lambda a: nl.sum(_tile((4, 2, 3)), axis=[1]), "trailing free axes"),
    ("reduction keeps >= 2 dims", lambda a: nl.sum(_tile(), axis=[1]), "keepdims=True"),
    (
        "masked reductions unsupported",
        lambda a: nl.sum(_tile(), axis=[1], keepdims=True, mask=np.ones((4, 8), bool)),
        "masked reductions",
    ),
    (
        "float dtypes only (arguments)",
        lambda a: it.simulate_kernel(lambda t: t, a.astype(np.int32)),
        "float32, float16 or bfloat16",
    ),
    (
        "float dtypes only (allocations)",
        lambda a: nl.ndarray((4, 8), "int32", buffer=nl.sbuf),
        "unsupported dtype",
    ),
    ("HBM reshape keeps the size", lambda a: it.HBMTensor(a, "float32").reshape((3, 8)), "cannot reshape"),
    ("known buffers only", lambda a: nl.ndarray((4, 8), nl.float32, buffer="l2"), "unknown buffer"),
    ("broadcast_to follows numpy rules", lambda a: _tile((2, 8)).broadcast_to((4, 8)), "cannot broadcast"),
]


@pytest.mark.parametrize("rule,action,message", RULES, ids=[r[0] for r in RULES])
def test_interpreter_rejects(rule, action, message):
    with pytest.raises(it.NKIError, match=message):
        action(_hbm())


def test_reduction_without_keepdims_drops_the_axes():
    t = _tile((4, 2, 3))
    assert nl.sum(t, axis=[2]).shape == (4, 2)
    assert nl.mean(t, axis=[2], keepdims=True).shape == (4, 2, 1)
    assert nl.sum(_tile(), axis=[1], keepdims=True).shape == (4, 1)


def test_masked_copy_of_a_ragged_tensor():
    a = _hbm((130, 8))
    np.testing.assert_array_equal(_copy_kernel()(a), a)


def test_kernels_follow_the_interpreted_subset():
    """The shipped kernels use keepdims on their reductions and masks on every load/store."""
    import inspect

    from siblings.nki import kernels

    src = inspect.getsource(kernels.build)
    for call in ("nl.sum(", "nl.mean("):
        for line in (ln for ln in src.splitlines() if call in ln):
            assert "keepdims=True" in line, line
    for call in ("nl.load(a_tensor", "nl.store("):
        for line in (ln for ln in src.splitlines() if call in ln):
            assert "mask=(rows < num_rows)" in line, line


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


def test_auto_engine_and_simulator_without_neuronxcc():
    if sn.real_nki_available():
        pytest.skip("AWS's neuronxcc.nki is installed")
    assert sn.bound_kernels("auto")[0] == "interpreter"
    with pytest.raises(RuntimeError, match="neuronx-cc 2.x"):
        sn.run_rms_norm(*data(4, 16, "f32", seed=11)[:2], engine="simulator")
