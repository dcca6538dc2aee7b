"""IREE templates compiled for llvm-cpu and run against float64 NumPy references."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("iree.compiler")
pytest.importorskip("iree.runtime")

from sibling_tolerance import assert_within_one_ulp

from siblings.iree import MODEL_FAMILIES, NormConfig, config_for_model, instantiate, runner


def f64_rms(x, w, eps, offset=0.0):
    x = x.astype(np.float64)
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * (offset + w.astype(np.float64))


def f64_ln(x, w, b, eps):
    x = x.astype(np.float64)
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w.astype(np.float64) + b.astype(np.float64)


def inputs(m, n, dtype, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    d = runner.np_dtype(dtype)
    x = (rng.standard_normal((m, n)) * 2.0 + shift).astype(np.float32).astype(d)
    w = rng.standard_normal(n).astype(np.float32).astype(d)
    b = rng.standard_normal(n).astype(np.float32).astype(d)
    return x, w, b


@pytest.mark.parametrize("dialect", ["linalg", "stablehlo"])
@pytest.mark.parametrize("dtype", ["f32", "f16", "bf16"])
def test_rms_norm_dynamic_batch(dialect, dtype):
    # One dynamic-batch module must serve every row count.
    for i, m in enumerate((1, 7, 33)):
        x, w, _ = inputs(m, 1000, dtype, seed=10 + i)
        y = runner.rms_norm(x, w, 1e-6, dialect=dialect)
        assert_within_one_ulp(y, f64_rms(x, w, 1e-6), dtype)


@pytest.mark.parametrize("dialect", ["linalg", "stablehlo"])
@pytest.mark.parametrize("dtype", ["f32", "bf16"])
def test_layer_norm_static_and_dynamic(dialect, dtype):
    x, w, b = inputs(9, 768, dtype, seed=3, shift=4.0)
    ref = f64_ln(x, w, b, 1e-5)
    assert_within_one_ulp(runner.layer_norm(x, w, b, 1e-5, dialect=dialect, dynamic=False), ref, dtype)
    assert_within_one_ulp(runner.layer_norm(x, w, b, 1e-5, dialect=dialect, dynamic=True), ref, dtype)


@pytest.mark.parametrize("dialect", ["linalg", "stablehlo"])
def test_gemma_offset(dialect):
    x, w, _ = inputs(4, 256, "f32", seed=5)
    y = runner.rms_norm(x, w * 0.1, 1e-6, weight_offset=1.0, dialect=dialect)
    assert_within_one_ulp(y, f64_rms(x, w * 0.1, 1e-6, offset=1.0), "f32")


def test_model_family_configs():
    cfg = config_for_model("llama-3.1-8b", "bf16")
    text = instantiate(cfg, "linalg")
    assert "func.func @llama_3_1_8b_rms_norm(" in text and "tensor<?x4096xbf16>" in text
    cfg = config_for_model("qwen2.5-7b", "f32", batch=3)
    x, w, _ = inputs(3, cfg.hidden, "f32", seed=6)
    y = runner.run_config(cfg, x, w, dialect="stablehlo")
    assert_within_one_ulp(y, f64_rms(x, w, 1e-6), "f32")
    gemma = config_for_model("gemma-2-9b", "f32", batch=2)
    x, w, _ = inputs(2, gemma.hidden, "f32", seed=7)
    assert_within_one_ulp(runner.run_config(gemma, x, w), f64_rms(x, w, 1e-6, offset=1.0), "f32")
    assert {"llama-3.1-8b", "mistral-7b", "qwen2.5-7b", "gemma-2-9b"} <= set(MODEL_FAMILIES)


def test_stablehlo_uses_reduce_regions_not_custom_calls():
    text = instantiate(NormConfig("layer_norm", 512, "bf16", 1e-5), "stablehlo")
    assert text.count("stablehlo.reduce(") == 2 and "reducer(" in text
    assert "custom_call" not in text


def test_cuda_target_compiles_without_a_gpu():
    vmfb = runner.compile_module(instantiate(NormConfig("rms_norm", 4096, "bf16"), "linalg"), "cuda")
    assert len(vmfb) > 1000


def test_bad_configs_raise():
    with pytest.raises(ValueError, match="dtype"):
        NormConfig("rms_norm", 64, "f64")
    with pytest.raises(ValueError, match="hidden"):
        NormConfig("rms_norm", 0)
    with pytest.raises(ValueError, match="unknown model"):
        config_for_model("not-a-model")
    with pytest.raises(ValueError, match="dialect"):
        instantiate(NormConfig("rms_norm", 64), "tosa")
    x, w, _ = inputs(2, 64, "f32", seed=8)
    with pytest.raises(ValueError, match="shape"):
        runner.rms_norm(x, w[:10])
