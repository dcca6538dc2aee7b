"""``scaffold crosscheck``: backends agree on the same inputs, disagreement exits 1, missing backends
are listed as skipped with the reason."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from siblings import crosscheck as cc

SIBLINGS = ["triton", "nki", "iree", "torch"]


def available(backends):
    out = []
    for b in backends:
        mod = {"triton": "triton", "iree": "iree.runtime", "torch": "torch"}.get(b)
        if mod is None:
            out.append(b)
            continue
        try:
            __import__(mod)
            out.append(b)
        except ImportError:
            pass
    return out


@pytest.mark.parametrize("op,dtype", [("rms_norm", "bf16"), ("layer_norm", "f32"), ("rms_norm", "f16")])
def test_siblings_agree(op, dtype):
    report = cc.crosscheck(op, (5, 96), dtype, available(SIBLINGS), seed=3)
    assert report.ok, [(r.backend, r.status, r.detail, r.max_ulp) for r in report.results]
    for r in report.results:
        assert r.status == "ok"
        assert r.pcc > 0.9999 and r.max_ulp <= cc.DEFAULT_MAX_ULP[dtype]
    names = [r.backend for r in report.results]
    for a in names:
        assert report.pairwise[a][a] == 0.0


def test_missing_backend_is_skipped_with_reason(monkeypatch):
    monkeypatch.setitem(sys.modules, "ttnn", None)  # import ttnn -> ImportError
    report = cc.crosscheck("rms_norm", (32, 64), "bf16", ["ttnn", "nki"])
    ttnn = report.results[0]
    assert ttnn.status == "skipped" and "ttnn is not importable" in ttnn.detail
    assert report.results[1].status == "ok"
    assert report.ok


def test_ttnn_shape_rule_skips():
    report = cc.crosscheck("layer_norm", (3, 100), "bf16", ["ttnn"])
    assert report.results[0].status == "skipped" and "multiples of 32" in report.results[0].detail


def test_a_wrong_backend_fails(monkeypatch):
    def off_by_a_bit(inp):
        return cc.oracle(inp) * 1.05

    monkeypatch.setitem(cc.RUNNERS, "torch", off_by_a_bit)
    report = cc.crosscheck("rms_norm", (4, 64), "bf16", ["nki", "torch"])
    assert [r.status for r in report.results] == ["ok", "fail"]
    assert not report.ok


def test_compare_metrics_against_numpy():
    rng = np.random.default_rng(0)
    ref = rng.standard_normal(1000)
    out = ref + rng.standard_normal(1000) * 1e-3
    abs_err, ulp_err, corr = cc.compare(out, ref, "bf16")
    assert abs_err == pytest.approx(np.abs(out - ref).max())
    assert corr == pytest.approx(np.corrcoef(out, ref)[0, 1], rel=1e-9)
    # bf16 ulp at |ref| in [1, 2) is 2^-7; every element's error is at most max_err / (smallest ulp used).
    assert ulp_err >= abs_err / 2.0**-7 * 0.5
    assert cc.compare(np.full(3, np.nan), np.ones(3), "f32")[0] == float("inf")


def test_round_to_bf16_is_round_to_nearest_even():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    v = (np.random.default_rng(1).standard_normal(5000) * 50).astype(np.float32)
    np.testing.assert_array_equal(cc.round_to(v, "bf16"), v.astype(ml_dtypes.bfloat16).astype(np.float32))


def test_parse_shape():
    assert cc.parse_shape("4x4096") == (4, 4096)
    assert cc.parse_shape("2,32,64") == (2, 32, 64)
    with pytest.raises(ValueError, match="integers"):
        cc.parse_shape("4xabc")
    with pytest.raises(ValueError, match=">= 2"):
        cc.parse_shape("4096")


def test_cli_json_and_exit_codes(monkeypatch):
    from scaffolder.cli import app

    runner = CliRunner()
    res = runner.invoke(
        app,
        ["crosscheck", "rms_norm", "--shape", "3x64", "--dtype", "f32", "--backends", "nki,torch", "--json"],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["ok"] and [r["backend"] for r in data["results"]] == ["nki", "torch"]

    monkeypatch.setitem(cc.RUNNERS, "torch", lambda inp: cc.oracle(inp) + 0.5)
    res = runner.invoke(app, ["crosscheck", "rms_norm", "--shape", "3x64", "--backends", "nki,torch"])
    assert res.exit_code == 1
    assert "disagrees" in res.output

    res = runner.invoke(app, ["crosscheck", "softmax", "--shape", "3x64"])
    assert res.exit_code == 2 and "unknown op" in res.output
    res = runner.invoke(app, ["crosscheck", "rms_norm", "--backends", "cuda"])
    assert res.exit_code == 2 and "unknown backend" in res.output
    res = runner.invoke(app, ["crosscheck", "rms_norm", "--backends", ","])
    assert res.exit_code == 2 and "no backend" in res.output
    res = runner.invoke(app, ["crosscheck", "rms_norm", "--dtype", "f64"])
    assert res.exit_code == 2 and "unknown dtype" in res.output


def test_cli_exit_1_when_a_backend_crashes(monkeypatch):
    from scaffolder.cli import app

    def crash(inp):
        raise RuntimeError("kernel exploded")

    monkeypatch.setitem(cc.RUNNERS, "torch", crash)
    res = CliRunner().invoke(
        app, ["crosscheck", "layer_norm", "--shape", "3x64", "--backends", "nki,torch", "--json"]
    )
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert [r["status"] for r in data["results"]] == ["ok", "error"]
    assert "kernel exploded" in data["results"][1]["detail"] and not data["ok"]


def test_cli_table_lists_skips_and_pairwise_ulps(monkeypatch):
    from scaffolder.cli import app

    monkeypatch.setitem(sys.modules, "ttnn", None)
    res = CliRunner().invoke(
        app,
        ["crosscheck", "rms_norm", "--shape", "32x64", "--dtype", "f32", "--backends", "ttnn,nki,torch"],
        env={"COLUMNS": "200"},
    )
    assert res.exit_code == 0, res.output
    assert "skipped" in res.output and "ttnn is not importable" in res.output
    assert "pairwise" in res.output and " ulps " in res.output  # the title may wrap
    assert "all backends that ran agree: nki, torch" in res.output

    # Nothing ran, so nothing was checked: a distinct non-zero status, for scripts and CI.
    res = CliRunner().invoke(app, ["crosscheck", "rms_norm", "--shape", "32x64", "--backends", "ttnn"])
    assert res.exit_code == 3 and "no backend ran" in res.output
    res = CliRunner().invoke(
        app, ["crosscheck", "rms_norm", "--shape", "32x64", "--backends", "ttnn", "--json"]
    )
    assert res.exit_code == 3 and '"ran": []' in res.output


def test_json_report_fields():
    report = cc.crosscheck("rms_norm", (3, 64), "float32", ["nki", "torch", "nki"])
    data = report.to_json()
    assert data["dtype"] == "f32" and data["ran"] == ["nki", "torch"]  # alias, duplicates dropped
    assert set(data["pairwise"]) == set(data["pairwise_ulp"]) == {"nki", "torch"}
    assert data["pairwise_ulp"]["nki"]["torch"] >= 0 and data["pairwise_ulp"]["nki"]["nki"] == 0
    assert all("output" not in r for r in data["results"])
    json.dumps(data)


@pytest.mark.parametrize("alias,canonical", [("bfloat16", "bf16"), ("fp16", "f16"), ("FP32", "f32")])
def test_dtype_aliases(alias, canonical):
    assert cc.canonical_dtype(alias) == canonical
    assert cc.make_inputs("rms_norm", (2, 32), alias).dtype == canonical


def test_f32_tolerance_allows_for_fp32_statistics(monkeypatch):
    """fp32 row sums in another order (IREE's llvm-cpu reductions) are tens of ulps off at N = 4096:
    the f32 default grows with sqrt(N) and still rejects an error of bf16 size."""
    assert cc.default_max_ulp("f32", 64) == 16.0
    assert cc.default_max_ulp("f32", 4096) == 128.0
    assert cc.default_max_ulp("bf16", 4096) == 2.0
    report = cc.crosscheck("layer_norm", (4, 4096), "f32", available(["nki", "iree", "torch"]), seed=1)
    assert report.ok, [(r.backend, r.status, r.max_ulp, r.tolerance_ulp) for r in report.results]
    assert all(r.tolerance_ulp == 128.0 for r in report.results)

    def bf16_accurate(inp):
        return cc.round_to(cc.oracle(inp), "bf16").astype(np.float64)

    monkeypatch.setitem(cc.RUNNERS, "torch", bf16_accurate)
    report = cc.crosscheck("layer_norm", (4, 4096), "f32", ["torch"], seed=1)
    assert report.results[0].status == "fail"


def test_ttnn_gets_the_tensix_tolerance(monkeypatch):
    # Tensix rounds intermediates through bf16: 5 ulps pass for ttnn, but not for another backend.
    def five_ulps_off(inp):
        ref = cc.oracle(inp)
        return ref + 5 * cc._ulp(ref, inp.dtype)

    monkeypatch.setitem(cc.RUNNERS, "ttnn", five_ulps_off)
    monkeypatch.setitem(cc.RUNNERS, "torch", five_ulps_off)
    report = cc.crosscheck("rms_norm", (32, 64), "bf16", ["ttnn", "torch"])
    assert [r.status for r in report.results] == ["ok", "fail"]
    assert report.results[0].tolerance_ulp == cc.BACKEND_MAX_ULP["ttnn"]["bf16"]
    # An explicit --max-ulp applies to every backend.
    report = cc.crosscheck("rms_norm", (32, 64), "bf16", ["ttnn"], max_ulp=2.0)
    assert report.results[0].status == "fail"


@pytest.mark.slow
@pytest.mark.parametrize("op", ["rms_norm", "layer_norm"])
def test_ttnn_on_the_emulator_agrees(op):
    """The project's ttnn ops (emulator when no device) against the float64 reference."""
    report = cc.crosscheck(op, (1, 1, 64, 128), "bf16", ["ttnn", "nki"], seed=7)
    ttnn = report.results[0]
    if ttnn.status == "skipped":
        pytest.skip(ttnn.detail)
    assert ttnn.status == "ok", (ttnn.detail, ttnn.max_ulp, ttnn.pcc)
    assert ttnn.detail in ("emulator", "Tenstorrent device")


def test_siblings_and_cli_in_a_fresh_process_without_ttnn(tmp_path):
    """`import siblings` and `scaffold crosscheck` as a user runs them where `import ttnn` fails."""
    import os
    import subprocess

    blocker = tmp_path / "ttnn"
    blocker.mkdir()
    (blocker / "__init__.py").write_text('raise ImportError("No module named ttnn")\n')
    code = (
        "import sys\n"
        "import siblings, siblings.nki, siblings.iree, siblings.reference\n"
        "from siblings import crosscheck as cc\n"
        "r = cc.crosscheck('layer_norm', (32, 64), 'bf16', ['ttnn', 'nki'])\n"
        "assert r.results[0].status == 'skipped' and r.results[1].status == 'ok', r.results\n"
        "assert 'ttnn' not in sys.modules, 'a failed import left ttnn behind'\n"
        "sys.argv = ['scaffold', 'crosscheck', 'rms_norm', '--shape', '2x32x64', '--dtype', 'f32',\n"
        "            '--backends', 'ttnn,nki', '--json']\n"
        "from scaffolder.cli import app\n"
        "app()\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=str(tmp_path)),
    )
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert [(r["backend"], r["status"]) for r in data["results"]] == [("ttnn", "skipped"), ("nki", "ok")]
    assert "ttnn is not importable" in data["results"][0]["detail"]


def test_rows_too_long_for_one_sbuf_partition_skip_nki():
    report = cc.crosscheck("rms_norm", (2, 65536), "f32", ["nki"])
    nki = report.results[0]
    assert nki.status == "skipped" and "SBUF partition" in nki.detail
    assert report.ok and report.ran == []
