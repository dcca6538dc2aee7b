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


def _family_inputs(cfg, rows, seed):
    x, w, b = inputs(rows, cfg.hidden, cfg.dtype, seed=seed)
    if cfg.weight_offset:
        w = (w.astype(np.float32) * 0.1).astype(x.dtype)  # Gemma stores the scale as 1 + w
    fam_eps = cfg.eps
    if cfg.op == "rms_norm":
        return (x, w), f64_rms(x, w, fam_eps, offset=cfg.weight_offset)
    return (x, w, b), f64_ln(x, w, b, fam_eps)


_FAMILIES = sorted(MODEL_FAMILIES)
_DTYPES = ("f32", "f16", "bf16")


def _family_case(i, model):
    return model, _DTYPES[i % 3], ("linalg", "stablehlo")[i % 2]


@pytest.mark.parametrize("model,dtype,dialect", [_family_case(i, m) for i, m in enumerate(_FAMILIES)])
def test_every_model_family_compiles_and_runs(model, dtype, dialect):
    """Each family of the table, static batch (the test form), against float64."""
    cfg = config_for_model(model, dtype, batch=3)
    text = instantiate(cfg, dialect)
    assert f"tensor<3x{cfg.hidden}x{dtype}>" in text and "?" not in text
    args, ref = _family_inputs(cfg, 3, seed=len(model))
    assert_within_one_ulp(runner.run_config(cfg, *args, dialect=dialect), ref, dtype)


@pytest.mark.parametrize("dialect", ["linalg", "stablehlo"])
def test_production_config_has_a_dynamic_batch(dialect):
    cfg = config_for_model("mistral-7b", "bf16")  # production: batch None
    assert cfg.batch is None and cfg.func_name == "mistral_7b_rms_norm" and cfg.eps == 1e-5
    text = instantiate(cfg, dialect)
    assert "func.func @mistral_7b_rms_norm(" in text and "tensor<?x4096xbf16>" in text
    for rows in (1, 5):  # one module, any batch
        args, ref = _family_inputs(cfg, rows, seed=rows)
        assert_within_one_ulp(runner.run_config(cfg, *args, dialect=dialect), ref, "bf16")


@pytest.mark.slow
@pytest.mark.parametrize("dialect", ["linalg", "stablehlo"])
@pytest.mark.parametrize("dtype", _DTYPES)
@pytest.mark.parametrize("model", _FAMILIES)
def test_model_family_matrix(model, dtype, dialect):
    """Every family x dtype x dialect, static and dynamic batch."""
    for batch in (2, None):
        cfg = config_for_model(model, dtype, batch=batch)
        args, ref = _family_inputs(cfg, 2, seed=7)
        assert_within_one_ulp(runner.run_config(cfg, *args, dialect=dialect), ref, dtype)


def test_model_table_values():
    """Hidden sizes and epsilons as in the families' Hugging Face configs."""
    expect = {
        "llama-3.1-8b": (4096, 1e-5, 0.0),
        "mistral-7b": (4096, 1e-5, 0.0),
        "qwen2.5-7b": (3584, 1e-6, 0.0),
        "gemma-2-9b": (3584, 1e-6, 1.0),
    }
    for name, (hidden, eps, offset) in expect.items():
        fam = MODEL_FAMILIES[name]
        assert (fam.hidden, fam.eps, fam.weight_offset) == (hidden, eps, offset), name


@pytest.mark.parametrize("batch", [4, None])
def test_stablehlo_uses_reduce_regions_not_custom_calls(batch):
    for op, n_reduce in (("layer_norm", 2), ("rms_norm", 1)):
        text = instantiate(NormConfig(op, 512, "bf16", 1e-5, batch=batch), "stablehlo")
        assert text.count("stablehlo.reduce(") == n_reduce
        assert text.count("reducer(") == n_reduce and text.count("stablehlo.add %ra, %rb") == n_reduce
        assert "custom_call" not in text
    # IREE's StableHLO input conversion turns the reduce region into a linalg reduction loop.
    import iree.compiler as ireec

    ir = ireec.tools.compile_str(
        text, input_type="stablehlo", extra_args=["--compile-to=input"], target_backends=["llvm-cpu"]
    ).decode()
    assert ir.count('iterator_types = ["parallel", "reduction"]') == 1 and "custom_call" not in ir


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


@pytest.mark.slow
def test_cuda_check_script_on_the_cpu(tmp_path):
    """The GPU check (python -m siblings.iree.cuda_check) end to end with the llvm-cpu target."""
    from siblings.iree import cuda_check

    assert cuda_check.main(["compile", str(tmp_path), "--target", "llvm-cpu"]) == 0
    assert len(list(tmp_path.glob("*.vmfb"))) == 12  # 2 ops x 3 dtypes x 2 dialects
    out = tmp_path / "results.json"
    rc = cuda_check.main(
        ["run", str(tmp_path), "--driver", "local-task", "--max-rows", "7", "--json", str(out)]
    )
    assert rc == 0
    import json

    assert all(r["ok"] for r in json.loads(out.read_text()))
