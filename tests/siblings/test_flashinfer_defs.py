"""FlashInfer-Bench definitions, workloads and Triton solutions validate and run on CPU
(references in torch, our solutions through the Triton interpreter) against float64 NumPy oracles."""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("FIB_CACHE_PATH", tempfile.mkdtemp(prefix="fib-cache-"))  # solution build dirs
fib = pytest.importorskip("flashinfer_bench")
torch = pytest.importorskip("torch")

from flashinfer_bench import Definition, Solution, TraceSet
from flashinfer_bench.bench.utils import gen_inputs
from flashinfer_bench.compile import BuilderRegistry
from flashinfer_bench.data import load_json_file

ROOT = Path(__file__).resolve().parents[2]
TRACESET = ROOT / "benchmarks" / "flashinfer" / "traceset"


def _traceset_module():
    spec = importlib.util.spec_from_file_location(
        "fib_traceset", ROOT / "benchmarks" / "flashinfer" / "traceset.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def oracle(name, args):
    a = [x.double().numpy() if isinstance(x, torch.Tensor) else x for x in args]
    if name == "rmsnorm_h4096":
        x, w, eps = a[0], a[1], 1e-6
    elif name == "fused_add_rmsnorm_h4096":
        x, w, eps = a[0] + a[1], a[2], 1e-6
    elif name == "rmsnorm_d4096":
        x, w, eps = a
    else:
        x, w, b, eps = a
        mu = x.mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + eps) * w + b
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w


def within_one_ulp(out, ref, dtype):
    mant = {torch.bfloat16: 7, torch.float16: 10}[dtype]
    _, e = np.frexp(np.maximum(np.abs(ref), 2.0**-14))
    bound = np.ldexp(1.0, e - 1 - mant) + 1e-6
    return float((np.abs(out.double().numpy() - ref) / bound).max())


def test_committed_traceset_is_current():
    mod = _traceset_module()
    for rel, text in mod.files().items():
        path = TRACESET / rel
        assert path.is_file(), f"{rel} missing: run python benchmarks/flashinfer/traceset.py"
        assert path.read_text() == text, f"{rel} is stale: run python benchmarks/flashinfer/traceset.py"


def test_definitions_and_solutions_validate():
    ts = TraceSet.from_path(str(TRACESET))
    assert set(ts.definitions) == {
        "rmsnorm_h4096",
        "fused_add_rmsnorm_h4096",
        "rmsnorm_d4096",
        "layernorm_d4096",
    }
    official = ts.definitions["rmsnorm_h4096"]
    assert official.op_type == "rmsnorm" and list(official.inputs) == ["hidden_states", "weight"]
    assert official.inputs["hidden_states"].dtype == "bfloat16" and "EPS = 1e-6" in official.reference
    assert ts.definitions["rmsnorm_d4096"].inputs["eps"].shape is None
    for name in ts.definitions:
        assert len(ts.workloads[name]) == 5
        assert len(ts.solutions[name]) == 1
        for w in ts.workloads[name]:
            eps = w.workload.inputs.get("eps")
            assert eps is None or (eps.type == "scalar" and eps.value > 0)
    for path in TRACESET.rglob("definitions/**/*.json"):
        load_json_file(Definition, path)
    for path in TRACESET.rglob("solutions/**/*.json"):
        sol = load_json_file(Solution, path)
        assert sol.spec.language == "triton" and sol.spec.entry_point == "main.py::run"


def test_a_definition_without_op_type_is_rejected():
    from pydantic import ValidationError

    data = _traceset_module().definitions()[2]
    data.pop("op_type")
    with pytest.raises(ValidationError):
        Definition.model_validate(data)


@pytest.mark.parametrize(
    "name", ["rmsnorm_h4096", "fused_add_rmsnorm_h4096", "rmsnorm_d4096", "layernorm_d4096"]
)
def test_reference_and_triton_solution_on_cpu(name):
    pytest.importorskip("triton")
    ts = TraceSet.from_path(str(TRACESET))
    defn = ts.definitions[name]
    workload = next(w.workload for w in ts.workloads[name] if w.workload.axes["batch_size"] == 8)
    torch.manual_seed(0)
    args = gen_inputs(defn, workload, "cpu")
    ref = oracle(name, args)
    registry = BuilderRegistry.get_instance()
    expected = registry.build_reference(defn)(*args)
    dtype = expected.dtype
    assert within_one_ulp(expected, ref, dtype) <= 1.0
    runnable = registry.build(defn, ts.solutions[name][0])
    out = torch.full_like(expected, float("nan"))
    runnable(*args, out)
    assert within_one_ulp(out, ref, dtype) <= 1.0
