"""rms_norm against torch (fp32 math, cast to the input dtype), per the op's API contract."""

from __future__ import annotations

import importlib

import pytest
import torch
import ttnn
from ttnn.operations.rms_norm import rms_norm

from .conftest import CompileCounter, NoDeviceWork, assert_close, make_input, pcc, to_device

# The module the op really uses (ttnn.operations.<op> is loaded from ops/<op> by the import hook).
rmspd = importlib.import_module("ttnn.operations.rms_norm.rms_norm_program_descriptor")

TOL = {
    ttnn.bfloat16: (0.01, 0.05),
    ttnn.float32: (0.001, 0.01),
}
TINY_TOL_BF16 = (0.02, 0.10)
TORCH_DTYPE = {ttnn.bfloat16: torch.bfloat16, ttnn.float32: torch.float32}
RM, TILE = ttnn.ROW_MAJOR_LAYOUT, ttnn.TILE_LAYOUT


def reference(x, gamma=None, eps=1e-6):
    xf = x.float()
    y = xf / torch.sqrt(xf.pow(2).mean(dim=-1, keepdim=True) + eps)
    if gamma is not None:
        y = y * gamma.float().reshape(x.shape[-1])
    return y.to(x.dtype)


def run(device, shape, dtype=ttnn.bfloat16, layout=RM, with_gamma=True, dist="normal", eps=None, seed=0):
    x = make_input(shape, dist, seed).to(TORCH_DTYPE[dtype])
    W = shape[-1]
    gamma = make_input((1, 1, 1, W), "normal", seed + 1).to(TORCH_DTYPE[dtype]) if with_gamma else None
    kwargs = {}
    if gamma is not None:
        kwargs["gamma"] = to_device(gamma, device, dtype=dtype, layout=RM)
    if eps is not None:
        kwargs["epsilon"] = eps
    out = rms_norm(to_device(x, device, dtype=dtype, layout=layout), **kwargs)
    assert out.dtype == dtype and out.layout == layout
    assert list(out.shape) == list(shape)
    return ttnn.to_torch(out), reference(x, gamma, 1e-6 if eps is None else eps)


def check(actual, expected, dtype, tiny=False):
    rtol, atol = TINY_TOL_BF16 if (tiny and dtype == ttnn.bfloat16) else TOL[dtype]
    assert_close(actual, expected, rtol, atol)
    if dtype == ttnn.bfloat16:
        assert pcc(actual, expected) >= 0.999


SHAPES = {
    "minimal": (1, 1, 32, 32),
    "multi_tile": (1, 1, 64, 128),
    "non_square": (1, 1, 32, 256),
    "multi_batch": (4, 2, 64, 64),
    "remainder_w5": (1, 1, 96, 160),
    "w3_channels": (2, 3, 32, 96),
    "wide_1024": (1, 1, 32, 1024),
    "tall_512": (1, 1, 512, 32),
    "square_256": (1, 1, 256, 256),
    "rank2": (64, 64),
}

SLOW_SHAPES = {
    "wide_4096": (1, 1, 32, 4096),
    "tall_4096": (1, 1, 4096, 32),
    "square_1024": (1, 1, 1024, 1024),
    "wide_8192": (1, 1, 32, 8192),
    "wide_16384_streamed": (1, 1, 64, 16384),
}

DTYPES = [ttnn.bfloat16, ttnn.float32]
DTYPE_IDS = ["bf16", "fp32"]
LAYOUTS = [RM, TILE]
LAYOUT_IDS = ["rm", "tile"]


@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", list(SHAPES.values()), ids=list(SHAPES))
def test_shapes(device, shape, dtype, layout):
    actual, expected = run(device, shape, dtype, layout)
    check(actual, expected, dtype)


@pytest.mark.slow
@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", list(SLOW_SHAPES.values()), ids=list(SLOW_SHAPES))
def test_large_shapes(device, shape, dtype, layout):
    actual, expected = run(device, shape, dtype, layout)
    check(actual, expected, dtype)


@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_without_gamma(device, dtype, layout):
    actual, expected = run(device, (2, 1, 64, 128), dtype, layout, with_gamma=False, seed=3)
    check(actual, expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("dist", ["normal", "uniform", "tiny", "large", "positive", "negative", "far_offset"])
def test_distributions(device, dist, dtype):
    actual, expected = run(device, (1, 1, 64, 256), dtype, RM, dist=dist, seed=5)
    check(actual, expected, dtype, tiny=dist == "tiny")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("eps", [1e-5, 1e-3, 0.1])
def test_epsilon(device, eps, dtype):
    # Tiny inputs make mean(x^2) comparable to eps, so each eps gives visibly different outputs.
    actual, expected = run(device, (1, 1, 32, 128), dtype, TILE, dist="tiny", eps=eps, seed=7)
    check(actual, expected, dtype, tiny=True)


def test_call_forms(device):
    """Contract: gamma and epsilon are keyword-only."""
    x = make_input((1, 1, 32, 64), "normal", 11).to(torch.bfloat16)
    g = make_input((1, 1, 1, 64), "normal", 12).to(torch.bfloat16)
    tx, tg = to_device(x, device), to_device(g, device)
    check(ttnn.to_torch(rms_norm(tx, epsilon=1e-2)), reference(x, None, 1e-2), ttnn.bfloat16)
    check(ttnn.to_torch(rms_norm(tx, gamma=tg, epsilon=1e-2)), reference(x, g, 1e-2), ttnn.bfloat16)
    with pytest.raises(TypeError):
        rms_norm(tx, tg)


@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_column_streaming(device, monkeypatch, dtype, layout):
    """A budget too small for the whole tile-row forces several chunks per row (re-read per pass)."""
    W, tile_bytes = 256, ttnn.tile_size(dtype)
    tile_layout = layout == TILE
    budget = rmspd.plan_columns(W, tile_bytes, True, tile_layout, rmspd.DEFAULT_L1_CB_BUDGET).l1_bytes - 1
    monkeypatch.setattr(rmspd, "l1_cb_budget", lambda dev: budget)
    assert rmspd.plan_columns(W, tile_bytes, True, tile_layout, budget).n_chunks > 1
    actual, expected = run(device, (1, 2, 64, W), dtype, layout, seed=17)
    check(actual, expected, dtype)


def test_over_budget_raises_before_launch(device, monkeypatch):
    monkeypatch.setattr(rmspd, "l1_cb_budget", lambda dev: 8 * 4096)
    x = to_device(make_input((1, 1, 32, 1024), "normal", 1), device, dtype=ttnn.float32)
    monkeypatch.setattr(ttnn, "generic_op", lambda *a, **k: pytest.fail("launched an over-budget program"))
    with pytest.raises(ValueError, match="L1 budget"):
        rms_norm(x)


def test_same_program_for_new_epsilon_and_tensors(device):
    """Epsilon and addresses are runtime args: the program hash (the cache key) does not change."""
    shape = (1, 1, 64, 128)
    hashes = set()
    for seed, eps in ((1, 1e-6), (2, 1e-2)):
        x = to_device(make_input(shape, "normal", seed), device, dtype=ttnn.float32, layout=TILE)
        g = to_device(make_input((1, 1, 1, 128), "normal", seed), device, dtype=ttnn.float32)
        out = to_device(torch.zeros(shape), device, dtype=ttnn.float32, layout=TILE)
        desc = rmspd.create_program_descriptor(x, g, out, epsilon=eps)
        hashes.add(ttnn.compute_program_descriptor_hash(desc))
    assert len(hashes) == 1


def test_second_call_does_not_rebuild(device, monkeypatch):
    """Same shapes, new data and epsilon: the kernels are not compiled again."""
    shape = (1, 1, 64, 96)

    def call(seed, eps):
        x = to_device(make_input(shape, "normal", seed), device, dtype=ttnn.float32)
        g = to_device(make_input((1, 1, 1, 96), "normal", seed + 1), device, dtype=ttnn.float32)
        return rms_norm(x, gamma=g, epsilon=eps)

    call(1, 1e-5)
    counter = CompileCounter(monkeypatch)
    if not counter.active:
        pytest.skip("kernel builds are only observable on the emulator")
    call(2, 1e-2)
    assert counter.compiles == 0


def test_plan_l1_use():
    """bf16 rows stay resident up to W=8192; fp32 at W=8192 streams two chunks; all fit the budget."""
    budget = rmspd.DEFAULT_L1_CB_BUDGET
    for W in (1024, 4096, 8192):
        for tile_bytes in (2048, 4096):
            plan = rmspd.plan_columns(W, tile_bytes, True, False, budget)
            assert plan.l1_bytes <= budget and plan.blk <= rmspd.DEST_TILES
    assert rmspd.plan_columns(8192, 2048, True, False, budget).n_chunks == 1
    assert rmspd.plan_columns(8192, 4096, True, False, budget).n_chunks == 2


# ---- validation: every case raises before any device work ----


def _bad_inputs(device):
    x = make_input((1, 1, 32, 64), "normal", 0)
    good_rm = to_device(x.to(torch.bfloat16), device)
    good_tile = to_device(x.to(torch.bfloat16), device, layout=TILE)
    g_narrow = to_device(make_input((1, 1, 1, 32), "normal", 1).to(torch.bfloat16), device)
    g_tile = to_device(make_input((1, 1, 32, 64), "normal", 1).to(torch.bfloat16), device, layout=TILE)
    g_fp32 = to_device(make_input((1, 1, 1, 64), "normal", 1), device, dtype=ttnn.float32)
    return {
        "rank1": ((to_device(make_input((64,), "normal", 3).to(torch.bfloat16), device),), {}, "rank"),
        "rank0": ((ttnn.from_torch(torch.tensor(1.5)),), {}, "rank"),
        "gamma_width_rm": ((good_rm,), {"gamma": g_narrow}, "gamma last dim"),
        "gamma_width_tile": ((good_tile,), {"gamma": g_narrow}, "gamma last dim"),
        "gamma_tile_layout": ((good_tile,), {"gamma": g_tile}, "gamma must"),
        "gamma_dtype": ((good_rm,), {"gamma": g_fp32}, "dtype"),
        "int_input": (
            (to_device(torch.randint(0, 9, (1, 1, 32, 64), dtype=torch.int32), device, dtype=ttnn.int32),),
            {},
            "bfloat16 or float32",
        ),
        "w_not_multiple_of_32": (
            (to_device(make_input((1, 1, 32, 48), "normal", 4).to(torch.bfloat16), device),),
            {},
            "multiples of 32",
        ),
        "negative_epsilon": ((good_rm,), {"epsilon": -1.0}, "epsilon"),
        "not_a_tensor": ((x,), {}, "ttnn.Tensor"),
    }


CASES = [
    "rank1",
    "rank0",
    "gamma_width_rm",
    "gamma_width_tile",
    "gamma_tile_layout",
    "gamma_dtype",
    "int_input",
    "w_not_multiple_of_32",
    "negative_epsilon",
    "not_a_tensor",
]


@pytest.mark.parametrize("case", CASES)
def test_validation(device, monkeypatch, case):
    args, kwargs, message = _bad_inputs(device)[case]
    with NoDeviceWork(monkeypatch), pytest.raises(ValueError, match=message):
        rms_norm(*args, **kwargs)
