"""The TT-Lang sibling in ``scaffold crosscheck`` and next to the ttnn ops on the emulator: same inputs,
float64 oracle, skips with a reason, and agreement with the C++ kernels within one output ulp wherever
those are themselves within rounding of float64."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest
from sibling_tolerance import ulp

from siblings import crosscheck as cc
from siblings import ttlang

needs_ttlang = pytest.mark.skipif(not ttlang.available()[0], reason=ttlang.available()[1])
SEED = int(os.environ.get("TTLANG_TEST_SEED", np.random.SeedSequence().entropy % 2**32))


@pytest.fixture(autouse=True)
def _print_seed():
    print(f"inputs drawn with TTLANG_TEST_SEED={SEED}")  # shown with a failure's captured output


@needs_ttlang
@pytest.mark.parametrize(
    "op,shape,dtype", [("rms_norm", (3, 40, 128), "bf16"), ("layer_norm", (64, 256), "f32")]
)
def test_crosscheck_runs_ttlang(op, shape, dtype):
    report = cc.crosscheck(op, shape, dtype, ["ttlang", "torch"], seed=SEED)
    assert report.ok, [(r.backend, r.status, r.detail, r.max_ulp) for r in report.results]
    tl = report.results[0]
    assert (tl.backend, tl.status, tl.detail) == ("ttlang", "ok", "tt-lang-sim")
    # bf16: fp32 throughout, rounded once; f32: the fp32 row statistics add a few ulps.
    bound = 1.0 if dtype == "bf16" else 8.0
    assert tl.max_ulp <= bound and tl.pcc > 0.99999
    assert report.pairwise_ulp["ttlang"]["torch"] <= bound


def test_crosscheck_skips_ttlang_with_a_reason(monkeypatch):
    report = cc.crosscheck("layer_norm", (4, 100), "bf16", ["ttlang", "torch"])
    assert report.results[0].status == "skipped" and "multiple of 32" in report.results[0].detail
    report = cc.crosscheck("rms_norm", (4, 64), "f16", ["ttlang", "torch"])
    assert report.results[0].status == "skipped" and "not float16" in report.results[0].detail
    monkeypatch.setitem(sys.modules, "ttl", None)  # as if the extra were not installed
    report = cc.crosscheck("rms_norm", (4, 64), "bf16", ["ttlang", "torch"])
    ttl = report.results[0]
    assert (
        ttl.status == "skipped" and "tt-lang-sim is not installed" in ttl.detail and "[ttlang]" in ttl.detail
    )
    assert report.ok and report.ran == ["torch"]


def assert_agrees_with_ttnn(op: str, shape: tuple[int, ...]):
    """|ttlang - ttnn| <= 1 bf16 ulp of the float64 result, except where ttnn is the one further from
    float64: the C++ kernels keep every CB in the input format, so bf16 statistics and products are
    rounded on the way, while TT-Lang on the simulator computes in fp32 and rounds once; the excess is
    ttnn's own rounding, never TT-Lang's."""
    inp = cc.make_inputs(op, shape, "bf16", seed=SEED)
    ref = cc.oracle(inp)
    try:
        tt = cc.run_ttnn(inp)
    except cc.Skip as exc:
        pytest.skip(str(exc))
    tl = cc.run_ttlang(inp)
    u = ulp(ref, "bf16")
    assert (np.abs(tl - ref) <= u).all(), "TT-Lang is more than one ulp from float64"
    apart = np.abs(tl - tt) > u
    ttnn_worse = np.abs(tt - ref) > np.abs(tl - ref)
    assert (ttnn_worse | ~apart).all(), (
        f"{int((apart & ~ttnn_worse).sum())} elements differ by more than one ulp where ttnn is the closer"
    )
    # Recorded for the report: how often the two differ at all, and by more than one ulp.
    print(f"{op} {shape}: differ {np.mean(tl != tt):.1%}, by > 1 ulp {np.mean(apart):.2%}")


@needs_ttlang
@pytest.mark.parametrize("op,shape", [("rms_norm", (2, 32, 4096)), ("layer_norm", (1, 1, 64, 4096))])
def test_agrees_with_the_ttnn_ops_on_the_emulator(op, shape):
    assert_agrees_with_ttnn(op, shape)


@needs_ttlang
@pytest.mark.slow
@pytest.mark.parametrize("op,shape", [("rms_norm", (1, 1, 96, 8192)), ("layer_norm", (1, 2, 32, 8192))])
def test_agrees_with_the_ttnn_ops_at_8192(op, shape):
    assert_agrees_with_ttnn(op, shape)


@needs_ttlang
@pytest.mark.slow
def test_cli_lists_six_backends_all_ok():
    scaffold = os.path.join(os.path.dirname(sys.executable), "scaffold")
    res = subprocess.run(
        [scaffold, "crosscheck", "rms_norm", "--shape", "2x32x4096", "--dtype", "bf16"],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=900,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    rows = dict(re.findall(r"^│ (\w+)\s+│ (\w+)\s+│", res.stdout, re.MULTILINE))
    assert rows == {b: "ok" for b in ("ttnn", "triton", "nki", "iree", "ttlang", "torch")}, res.stdout
    assert "all backends that ran agree: ttnn, triton, nki, iree, ttlang, torch" in res.stdout
