"""FlashInfer-Bench 0.1.2, the parts that run without a GPU: the definitions the issue names, the
benchmark command's CPU behaviour, and the traces.json export (on the committed H200 traces)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("FIB_CACHE_PATH", tempfile.mkdtemp(prefix="fib-cache-"))
pytest.importorskip("flashinfer_bench")
torch = pytest.importorskip("torch")

from flashinfer_bench import Definition, Trace, TraceSet

ROOT = Path(__file__).resolve().parents[2]
FIB = ROOT / "benchmarks" / "flashinfer"


def _run_bench_module():
    spec = importlib.util.spec_from_file_location("fib_run_bench", FIB / "run_bench.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def traceset():
    return TraceSet.from_path(str(FIB / "traceset"))


def test_rmsnorm_h4096_is_the_official_definition(traceset):
    d = traceset.definitions["rmsnorm_h4096"]
    assert d.op_type == "rmsnorm"
    assert d.axes["batch_size"].type == "var"
    assert d.axes["hidden_size"].type == "const" and d.axes["hidden_size"].value == 4096
    assert list(d.inputs) == ["hidden_states", "weight"] and list(d.outputs) == ["output"]
    assert {s.dtype.value for s in [*d.inputs.values(), *d.outputs.values()]} == {"bfloat16"}
    assert "EPS = 1e-6" in d.reference and "eps" not in d.inputs  # eps fixed, as in the official set


def test_fp16_variant_takes_eps_as_an_input(traceset):
    d = traceset.definitions["rmsnorm_d4096"]
    assert d.axes["batch_size"].type == "var" and d.axes["hidden_size"].value == 4096
    assert d.inputs["x"].dtype.value == "float16" and d.outputs["out"].dtype.value == "float16"
    eps = d.inputs["eps"]
    assert eps.shape is None and eps.dtype.value == "float32"  # a scalar input
    for w in traceset.workloads["rmsnorm_d4096"]:
        assert w.workload.inputs["eps"].type == "scalar" and w.workload.inputs["eps"].value == 1e-6
    Definition.model_validate(json.loads(d.model_dump_json()))  # round-trips through the schema


def test_run_command_needs_a_gpu_and_says_so(tmp_path):
    if torch.cuda.is_available():
        pytest.skip("a GPU is present: the command would run the benchmark")
    res = subprocess.run(
        [sys.executable, str(FIB / "run_bench.py"), "--out", str(tmp_path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2 and "needs a CUDA GPU" in res.stderr
    assert not (tmp_path / "traces.json").exists()


def test_committed_traces_json_is_valid_and_passed(traceset):
    data = json.loads((FIB / "results" / "traces.json").read_text())
    traces = [Trace.model_validate(t) for t in data]
    assert {t.definition for t in traces} == set(traceset.definitions)
    for t in traces:
        assert t.evaluation is not None and t.evaluation.status.value == "PASSED", t.definition
        assert t.solution in {s.name for s in traceset.solutions[t.definition]}


def test_traces_json_export(tmp_path):
    """run_bench.export_traces: traces appended to a trace set come back as one JSON list."""
    root = tmp_path / "traceset"
    shutil.copytree(FIB / "traceset", root)
    committed = json.loads((FIB / "results" / "traces.json").read_text())
    picked = [
        next(t for t in committed if t["definition"] == name) for name in ("rmsnorm_h4096", "rmsnorm_d4096")
    ]
    ts = TraceSet.from_path(str(root))
    ts.add_traces([Trace.model_validate(t) for t in picked])

    out = tmp_path / "traces.json"
    exported = _run_bench_module().export_traces(root, out)
    assert json.loads(out.read_text()) == exported
    assert sorted(t["definition"] for t in exported) == ["rmsnorm_d4096", "rmsnorm_h4096"]
    for t in exported:
        Trace.model_validate(t)
        assert t["evaluation"]["status"] == "PASSED"
    table = _run_bench_module().summary_lines(exported)
    assert len(table) == 2 + len(exported) and "PASSED" in table[-1]
