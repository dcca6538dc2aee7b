"""The TT-Lang norms on tt-lang-sim against the float64 oracles: 2-D to 4-D shapes, W from one tile to
8192, tile-rows that do not divide over the nodes, partial tile-rows, every affine variant, bf16 and
fp32, edge rows; and the process isolation the simulator needs."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from sibling_tolerance import assert_within_one_ulp

from siblings import reference, ttlang

torch = pytest.importorskip("torch")
if not ttlang.available()[0]:
    pytest.skip(ttlang.available()[1], allow_module_level=True)

SEED = int(os.environ.get("TTLANG_TEST_SEED", np.random.SeedSequence().entropy % 2**32))
TORCH = {"bf16": torch.bfloat16, "f32": torch.float32}


@pytest.fixture(autouse=True)
def _print_seed():
    print(f"inputs drawn with TTLANG_TEST_SEED={SEED}")  # shown with a failure's captured output


# (shape, grid): W = 32, 4096, 8192; 5 tile-rows over 4 nodes, 7 over 6, 2 over 64 (idle nodes),
# 40 rows (a partial tile-row), 2-D, 3-D and 4-D.
CASES = [
    ((64, 32), (8, 8)),
    ((5 * 32, 96), (2, 2)),
    ((1, 7, 32, 64), (2, 3)),
    ((40, 128), (1, 2)),
    ((2, 32, 4096), (8, 8)),
    ((32, 8192), (8, 8)),
    ((1, 3, 32, 8192), (2, 2)),
]
RMS_VARIANTS = ["none", "gamma"]
LN_VARIANTS = ["none", "gamma", "beta", "gamma+beta"]


def draw(shape, dtype, seed, scale=1.0, offset=0.0):
    rng = np.random.default_rng(seed)
    td = TORCH[dtype]
    x = torch.from_numpy(rng.standard_normal(shape).astype(np.float32) * scale + offset).to(td)
    g = torch.from_numpy(rng.standard_normal(shape[-1]).astype(np.float32)).to(td)
    b = torch.from_numpy(rng.standard_normal(shape[-1]).astype(np.float32)).to(td)
    return x, g, b


def f64(t):
    return None if t is None else t.double().numpy()


def check_rms(x, gamma, dtype, grid=ttlang.DEFAULT_GRID, eps=1e-6):
    y = ttlang.rms_norm(x, gamma, epsilon=eps, grid=grid)
    assert y.dtype == x.dtype and y.shape == x.shape
    ref = reference.rms_norm(f64(x), f64(gamma), eps)
    assert_within_one_ulp(y.double().numpy(), ref, dtype)
    return y


def check_ln(x, gamma, beta, dtype, grid=ttlang.DEFAULT_GRID, eps=1e-5):
    y = ttlang.layer_norm(x, gamma, beta, epsilon=eps, grid=grid)
    assert y.dtype == x.dtype and y.shape == x.shape
    assert_within_one_ulp(y.double().numpy(), reference.layer_norm(f64(x), f64(gamma), f64(beta), eps), dtype)
    return y


@pytest.mark.parametrize("variant", RMS_VARIANTS)
@pytest.mark.parametrize("shape,grid", CASES)
def test_rms_norm_bf16(shape, grid, variant):
    x, g, _ = draw(shape, "bf16", SEED)
    check_rms(x, g if variant == "gamma" else None, "bf16", grid)


@pytest.mark.parametrize("variant", LN_VARIANTS)
@pytest.mark.parametrize("shape,grid", CASES)
def test_layer_norm_bf16(shape, grid, variant):
    x, g, b = draw(shape, "bf16", SEED)
    check_ln(x, g if "gamma" in variant else None, b if "beta" in variant else None, "bf16", grid)


@pytest.mark.parametrize("shape,grid", [CASES[1], CASES[2], CASES[5]])
def test_both_norms_fp32(shape, grid):
    x, g, b = draw(shape, "f32", SEED)
    check_rms(x, g, "f32", grid)
    check_ln(x, g, b, "f32", grid)
    check_ln(x, None, None, "f32", grid)


def test_edge_rows():
    """A zero row (rms: 0 * rsqrt(eps) = 0), a constant row (layer norm: exactly beta), tiny and huge
    scales, and a large offset with unit spread."""
    x, g, b = draw((3, 32, 256), "f32", SEED)
    x[0, :32] = 0.0
    x[1, :32] = 3.25
    x[2] = x[2] * 1e-3
    y = check_rms(x, g, "f32", grid=(2, 2))
    assert torch.equal(y[0, :32], torch.zeros(32, 256))
    y = check_ln(x, g, b, "f32", grid=(2, 2))
    assert torch.equal(y[1, :32], b.expand(32, 256))
    xb, gb, bb = (t.to(torch.bfloat16) for t in (x * 1e4, g, b))
    check_rms(xb, gb, "bf16", grid=(2, 2))
    y = check_ln(xb, gb, bb, "bf16", grid=(2, 2))
    assert torch.equal(y[1, :32], bb.expand(32, 256))


def test_layer_norm_variance_is_two_pass():
    """Rows at 1000 +- 1 in fp32: the mean's own fp32 rounding (~1000 * 2^-24 per add) bounds the error
    near 1e-4; the one-pass E[x^2] - mean^2 would cancel 1e6 against 1e6 and miss by tens of percent."""
    x, g, b = draw((64, 256), "f32", SEED, offset=1000.0)
    y = ttlang.layer_norm(x, g, b, grid=(2, 1)).double().numpy()
    err = np.abs(y - reference.layer_norm(f64(x), f64(g), f64(b), 1e-5)).max()
    assert err < 2e-3, f"max error {err:.3g} (seed {SEED})"


def test_epsilon_is_the_one_given():
    x, _, _ = draw((32, 64), "f32", SEED, scale=1e-3)
    for eps in (1e-6, 1e-2):
        check_rms(x, None, "f32", eps=eps)
        check_ln(x, None, None, "f32", eps=eps)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: ttlang.rms_norm(torch.ones(32, 48)), "multiple of 32"),
        (lambda: ttlang.rms_norm(torch.ones(32, 64, dtype=torch.float16)), "bfloat16 or float32"),
        (lambda: ttlang.rms_norm(torch.ones(64)), "2-D to 4-D"),
        (lambda: ttlang.rms_norm(torch.ones(1, 1, 1, 1, 64)), "2-D to 4-D"),
        (lambda: ttlang.rms_norm(torch.ones(0, 64)), "empty"),
        (lambda: ttlang.rms_norm(np.ones((32, 64), np.float32)), "torch.Tensor"),
        (lambda: ttlang.rms_norm(torch.ones(32, 64), torch.ones(32)), "gamma must hold W = 64"),
        (lambda: ttlang.layer_norm(torch.ones(32, 64), None, torch.ones(64, dtype=torch.bfloat16)), "beta"),
        (lambda: ttlang.layer_norm(torch.ones(32, 64), epsilon=float("nan")), "epsilon"),
        (lambda: ttlang.rms_norm(torch.ones(32, 64), epsilon=-1.0), "epsilon"),
        (lambda: ttlang.rms_norm(torch.ones(32, 64), grid=(0, 4)), "grid"),
    ],
)
def test_bad_input_is_a_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_the_simulator_never_loads_in_the_callers_process():
    """Importing ttl.sim rebinds torch.bfloat16 to float32, and the real ttnn breaks the simulator's
    tensor indexing: the simulator lives in the worker process, the caller keeps both intact."""
    x, g, _ = draw((32, 64), "bf16", SEED)
    check_rms(x, g, "bf16")
    assert not any(m == "ttl" or m.startswith("ttl.") for m in sys.modules)
    assert torch.bfloat16 is not torch.float32 and torch.ones(1, dtype=torch.bfloat16).element_size() == 2
    code = (
        "import sys, siblings, siblings.ttlang, siblings.crosscheck\n"
        "assert not [m for m in sys.modules if m == 'ttl' or m.startswith(('ttl.', 'ttnn'))], sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
