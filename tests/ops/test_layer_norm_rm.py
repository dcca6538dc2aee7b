"""layer_norm_rm against torch (fp32 math, rounded to bfloat16), per the op's API contract."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch
import ttnn
from ttnn.operations.layer_norm_rm import layer_norm_rm

from .conftest import (
    CompileCounter,
    NoDeviceWork,
    NoHostLayoutConversion,
    assert_close,
    assert_covers_every_row_once,
    make_input,
    to_device,
)

# The module the op really uses (ttnn.operations.<op> is loaded from ops/<op> by the import hook).
lnpd = importlib.import_module("ttnn.operations.layer_norm_rm.layer_norm_rm_program_descriptor")

RTOL, ATOL = 0.02, 0.1
TINY_RTOL, TINY_ATOL = 0.05, 0.15


def reference(x, gamma=None, beta=None, eps=1e-5):
    W = x.shape[-1]
    g = gamma.float().reshape(W) if gamma is not None else None
    b = beta.float().reshape(W) if beta is not None else None
    return torch.nn.functional.layer_norm(x.float(), (W,), g, b, eps).to(torch.bfloat16)


def run(device, shape, affine="gamma_beta", dist="normal", eps=None, seed=0):
    x = make_input(shape, dist, seed).to(torch.bfloat16)
    W = shape[-1]
    gamma = make_input((1, 1, 1, W), "normal", seed + 1).to(torch.bfloat16) if "gamma" in affine else None
    beta = make_input((1, 1, 1, W), "normal", seed + 2).to(torch.bfloat16) if "beta" in affine else None
    args = [to_device(x, device)]
    if gamma is not None or beta is not None:
        args.append(to_device(gamma, device) if gamma is not None else None)
    if beta is not None:
        args.append(to_device(beta, device))
    kwargs = {} if eps is None else {"epsilon": eps}
    out = layer_norm_rm(*args, **kwargs)
    assert out.dtype == ttnn.bfloat16 and out.layout == ttnn.ROW_MAJOR_LAYOUT
    assert list(out.shape) == list(shape)
    expected = reference(x, gamma, beta, 1e-5 if eps is None else eps)
    return ttnn.to_torch(out), expected


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
    "rank3": (3, 32, 128),
    "rank5": (2, 1, 2, 32, 64),
    "uneven_split": (2, 5, 320, 64),  # 100 tile-rows on 64 cores: 36 cores take 2, 28 take 1
}

SLOW_SHAPES = {
    "wide_4096": (1, 1, 32, 4096),
    "tall_4096": (1, 1, 4096, 32),
    "square_1024": (1, 1, 1024, 1024),
    "wide_8192": (1, 1, 32, 8192),
    "wide_16384_streamed": (1, 1, 64, 16384),
    "batch_2048": (2, 2, 64, 2048),
}


@pytest.mark.parametrize("shape", list(SHAPES.values()), ids=list(SHAPES))
def test_shapes(device, shape):
    actual, expected = run(device, shape)
    assert_close(actual, expected, RTOL, ATOL)


@pytest.mark.slow
@pytest.mark.parametrize("shape", list(SLOW_SHAPES.values()), ids=list(SLOW_SHAPES))
def test_large_shapes(device, shape):
    actual, expected = run(device, shape)
    assert_close(actual, expected, RTOL, ATOL)


@pytest.mark.parametrize("affine", ["none", "gamma", "beta", "gamma_beta"])
def test_affine(device, affine):
    actual, expected = run(device, (1, 2, 64, 128), affine=affine, seed=3)
    assert_close(actual, expected, RTOL, ATOL)


@pytest.mark.parametrize(
    "dist", ["normal", "uniform", "tiny", "large", "positive", "negative", "offset", "far_offset"]
)
def test_distributions(device, dist):
    actual, expected = run(device, (1, 1, 64, 256), dist=dist, seed=5)
    rtol, atol = (TINY_RTOL, TINY_ATOL) if dist == "tiny" else (RTOL, ATOL)
    assert_close(actual, expected, rtol, atol)


@pytest.mark.parametrize("eps", [1e-6, 1e-3, 0.1, 1.0])
def test_epsilon(device, eps):
    # Tiny inputs make var comparable to eps, so each eps gives visibly different outputs.
    actual, expected = run(device, (1, 1, 32, 128), dist="tiny", eps=eps, seed=7)
    assert_close(actual, expected, TINY_RTOL, TINY_ATOL)


def test_call_forms(device):
    """Contract call forms: positional gamma/beta, keyword gamma/beta, keyword-only epsilon."""
    x = make_input((1, 1, 32, 64), "normal", 11).to(torch.bfloat16)
    g = make_input((1, 1, 1, 64), "normal", 12).to(torch.bfloat16)
    b = make_input((1, 1, 1, 64), "normal", 13).to(torch.bfloat16)
    tx, tg, tb = to_device(x, device), to_device(g, device), to_device(b, device)
    assert_close(ttnn.to_torch(layer_norm_rm(tx, gamma=tg, beta=tb)), reference(x, g, b), RTOL, ATOL)
    assert_close(ttnn.to_torch(layer_norm_rm(tx, tg, tb, epsilon=1e-2)), reference(x, g, b, 1e-2), RTOL, ATOL)
    with pytest.raises(TypeError):
        layer_norm_rm(tx, tg, tb, 1e-2)  # epsilon is keyword-only


def test_layout_conversion_only_in_kernels(device, monkeypatch):
    """Row-major in, row-major out, and no tilize/untilize/to_layout outside the kernels."""
    x = make_input((2, 1, 64, 128), "normal", 23).to(torch.bfloat16)
    g = make_input((1, 1, 1, 128), "normal", 24).to(torch.bfloat16)
    tx, tg = to_device(x, device), to_device(g, device)
    with NoHostLayoutConversion(monkeypatch):
        out = layer_norm_rm(tx, tg)
    assert out.layout == ttnn.ROW_MAJOR_LAYOUT
    assert_close(ttnn.to_torch(out), reference(x, g), RTOL, ATOL)


@pytest.mark.parametrize("affine", ["none", "gamma_beta"])
@pytest.mark.parametrize("W", [256, 384, 800])
def test_column_streaming(device, monkeypatch, W, affine):
    """A budget too small for the whole tile-row forces several chunks per row (re-read per pass)."""
    flags = ("gamma" in affine, "beta" in affine)
    budget = lnpd.plan_columns(W, 2048, *flags, lnpd.DEFAULT_L1_CB_BUDGET).l1_bytes - 1
    monkeypatch.setattr(lnpd, "l1_cb_budget", lambda dev, extra=0: budget)
    assert lnpd.plan_columns(W, 2048, *flags, budget).n_chunks > 1
    actual, expected = run(device, (1, 2, 64, W), affine=affine, seed=17)
    assert_close(actual, expected, RTOL, ATOL)


def test_over_budget_raises_before_launch(device, monkeypatch):
    monkeypatch.setattr(lnpd, "l1_cb_budget", lambda dev, extra=0: 16 * 2048)
    x = to_device(make_input((1, 1, 32, 1024), "normal", 1).to(torch.bfloat16), device)
    with NoDeviceWork(monkeypatch), pytest.raises(ValueError, match="L1 budget"):
        layer_norm_rm(x)


def test_width_beyond_l1_raises_before_device_work(device, monkeypatch):
    """The device's own budget: the narrowest W whose CBs cannot fit even streamed (a prime tile count past
    8192, so the chunks are single tiles) is refused before anything is allocated."""
    budget = lnpd.l1_cb_budget(device)

    def fits(W):
        try:
            lnpd.plan_columns(W, 2048, False, False, budget)
        except ValueError:
            return False
        return True

    W = next(W for W in range(8192 + 32, 65536, 32) if not fits(W))
    x = to_device(make_input((1, 1, 32, W), "normal", 1).to(torch.bfloat16), device)
    with NoDeviceWork(monkeypatch), pytest.raises(ValueError, match=f"W={W} needs .* L1 budget of {budget}"):
        layer_norm_rm(x)


def test_same_program_for_new_epsilon_and_tensors(device):
    """Epsilon and addresses are runtime args: the program hash (the cache key) does not change."""
    shape = (1, 1, 64, 128)
    hashes = set()
    for seed, eps in ((1, 1e-5), (2, 1e-2)):
        x = to_device(make_input(shape, "normal", seed).to(torch.bfloat16), device)
        g = to_device(make_input((1, 1, 1, 128), "normal", seed).to(torch.bfloat16), device)
        out = to_device(torch.zeros(shape, dtype=torch.bfloat16), device)
        desc = lnpd.create_program_descriptor(x, g, None, out, epsilon=eps)
        hashes.add(ttnn.compute_program_descriptor_hash(desc))
    assert len(hashes) == 1


def test_second_call_does_not_rebuild(device, monkeypatch, tmp_path):
    """Same shapes, new data and epsilon: the first call compiles the three kernels into an empty build cache,
    the second compiles nothing."""
    shape = (1, 1, 64, 96)

    def call(seed, eps):
        x = to_device(make_input(shape, "normal", seed).to(torch.bfloat16), device)
        g = to_device(make_input((1, 1, 1, 96), "normal", seed + 1).to(torch.bfloat16), device)
        return layer_norm_rm(x, g, None, epsilon=eps)

    counter = CompileCounter(monkeypatch)
    if not counter.active:
        pytest.skip("kernel builds are only observable on the emulator")
    monkeypatch.setenv("TTNN_EMULATOR_CACHE", str(tmp_path))
    call(1, 1e-5)
    assert (counter.builds, counter.compiles) == (3, 3)
    counter.reset()
    call(2, 1e-2)
    assert (counter.builds, counter.compiles) == (3, 0)


def test_core_assignment_covers_every_row_once(device):
    """split_work_to_cores over the whole grid: consecutive rows per core, each row once, idle cores 0."""
    assert_covers_every_row_once(lnpd.core_assignment, device.compute_with_storage_grid_size())


def test_plan_l1_use():
    """Whole tile-rows stay resident up to W=8192 in bf16 and fit the budget."""
    for W in (1024, 4096, 8192):
        plan = lnpd.plan_columns(W, 2048, True, True, lnpd.DEFAULT_L1_CB_BUDGET)
        assert plan.n_chunks == 1 and plan.l1_bytes <= lnpd.DEFAULT_L1_CB_BUDGET
        assert plan.blk <= lnpd.DEST_TILES and plan.Wt % plan.blk == 0


# ---- validation: every case raises before any device work ----


def _bad_inputs(device):
    x = make_input((1, 1, 32, 64), "normal", 0)
    good = to_device(x.to(torch.bfloat16), device)
    row = make_input((1, 1, 1, 64), "normal", 2)
    g_narrow = to_device(make_input((1, 1, 1, 32), "normal", 1).to(torch.bfloat16), device)
    g_fp32 = to_device(row, device, dtype=ttnn.float32)
    g_tile = to_device(
        make_input((1, 1, 32, 64), "normal", 1).to(torch.bfloat16), device, layout=ttnn.TILE_LAYOUT
    )
    g_rows = to_device(make_input((1, 1, 2, 64), "normal", 1).to(torch.bfloat16), device)
    g_host = ttnn.from_torch(row.to(torch.bfloat16), dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT)
    return {
        "int_input": ((to_device(x.to(torch.int32), device, dtype=ttnn.int32),), {}, "bfloat16 or float32"),
        "tile_input": ((to_device(x.to(torch.bfloat16), device, layout=ttnn.TILE_LAYOUT),), {}, "ROW_MAJOR"),
        "gamma_width": ((good, g_narrow), {}, "gamma last dim"),
        "beta_width": ((good, None, g_narrow), {}, "beta last dim"),
        "gamma_width_keyword": ((good,), {"gamma": g_narrow}, "gamma last dim"),
        "gamma_float32": ((good, g_fp32), {}, "gamma must have the input's dtype"),
        "beta_float32": ((good, None, g_fp32), {}, "beta must have the input's dtype"),
        "gamma_tile_layout": ((good, g_tile), {}, "gamma must be ROW_MAJOR"),
        "gamma_not_one_row": ((good, g_rows), {}, r"gamma must have shape \(1, 1, 1, W\)"),
        "gamma_on_host": ((good, g_host), {}, "gamma must be on a device"),
        "gamma_torch": ((good, row.to(torch.bfloat16)), {}, "gamma must be a ttnn.Tensor"),
        "rank1": ((to_device(make_input((64,), "normal", 3).to(torch.bfloat16), device),), {}, "rank"),
        "rank0": ((to_device(torch.tensor(1.5).to(torch.bfloat16), device),), {}, "rank"),
        "w_not_multiple_of_32": (
            (to_device(make_input((1, 1, 32, 48), "normal", 4).to(torch.bfloat16), device),),
            {},
            "multiples of 32",
        ),
        "h_not_multiple_of_32": (
            (to_device(make_input((1, 1, 40, 64), "normal", 4).to(torch.bfloat16), device),),
            {},
            "multiples of 32",
        ),
        "input_on_host": (
            (ttnn.from_torch(x.to(torch.bfloat16), dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT),),
            {},
            "input_tensor must be on a device",
        ),
        "sharded_output": (
            (good,),
            {"memory_config": ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG},
            "L1 interleaved",
        ),
        "memory_config_not_a_config": ((good,), {"memory_config": "L1"}, "ttnn.MemoryConfig"),
        "other_device": ((good,), {"device": object()}, "not the input's device"),
        "epsilon_past_fp32": ((good,), {"epsilon": 1e300}, "epsilon must be finite"),
        "epsilon_past_bf16": ((good,), {"epsilon": 3.4e38}, "largest DataType.BFLOAT16"),
        "packer_l1_acc": (
            (good,),
            {"compute_kernel_config": ttnn.WormholeComputeKernelConfig(packer_l1_acc=True)},
            "packer_l1_acc",
        ),
        "fp32_without_fp32_dest": (
            (to_device(x, device, dtype=ttnn.float32),),
            {"compute_kernel_config": ttnn.WormholeComputeKernelConfig(fp32_dest_acc_en=False)},
            "fp32_dest_acc_en=True",
        ),
        "grayskull_style_config": (
            (good,),
            {"compute_kernel_config": {"math_fidelity": "HiFi4"}},
            "WormholeCompute",
        ),
        "negative_epsilon": ((good,), {"epsilon": -1.0}, "epsilon"),
        "nan_epsilon": ((good,), {"epsilon": float("nan")}, "epsilon"),
        "inf_epsilon": ((good,), {"epsilon": float("inf")}, "epsilon"),
        "string_epsilon": ((good,), {"epsilon": "1e-5"}, "epsilon must be a float"),
        "not_a_tensor": ((x,), {}, "ttnn.Tensor"),
    }


CASES = [
    "int_input",
    "tile_input",
    "gamma_width",
    "beta_width",
    "gamma_width_keyword",
    "gamma_float32",
    "beta_float32",
    "gamma_tile_layout",
    "gamma_not_one_row",
    "gamma_on_host",
    "gamma_torch",
    "rank1",
    "rank0",
    "w_not_multiple_of_32",
    "h_not_multiple_of_32",
    "input_on_host",
    "sharded_output",
    "memory_config_not_a_config",
    "other_device",
    "epsilon_past_fp32",
    "epsilon_past_bf16",
    "packer_l1_acc",
    "fp32_without_fp32_dest",
    "grayskull_style_config",
    "negative_epsilon",
    "nan_epsilon",
    "inf_epsilon",
    "string_epsilon",
    "not_a_tensor",
]


@pytest.mark.parametrize("case", CASES)
def test_validation(device, monkeypatch, case):
    args, kwargs, message = _bad_inputs(device)[case]
    with NoDeviceWork(monkeypatch), pytest.raises(ValueError, match=message):
        layer_norm_rm(*args, **kwargs)


def test_numpy_epsilon(device):
    """Any real number is an epsilon (numpy scalars included)."""
    x = make_input((1, 1, 32, 64), "tiny", 21).to(torch.bfloat16)
    out = layer_norm_rm(to_device(x, device), epsilon=np.float32(1e-3))
    assert_close(ttnn.to_torch(out), reference(x, eps=1e-3), TINY_RTOL, TINY_ATOL)


# ---- float32 end to end, against float64 torch ----

FP32_RTOL, FP32_ATOL = 1e-3, 1e-2


def run_fp32(device, shape, affine="gamma_beta", dist="normal", seed=0, eps=1e-5):
    x = make_input(shape, dist, seed)
    W = shape[-1]
    gamma = make_input((1, 1, 1, W), "normal", seed + 1) if "gamma" in affine else None
    beta = make_input((1, 1, 1, W), "normal", seed + 2) if "beta" in affine else None

    def dev(t):
        return to_device(t, device, dtype=ttnn.float32) if t is not None else None

    out = layer_norm_rm(dev(x), dev(gamma), dev(beta), epsilon=eps)
    assert out.dtype == ttnn.float32 and out.layout == ttnn.ROW_MAJOR_LAYOUT
    g = gamma.double().reshape(W) if gamma is not None else None
    b = beta.double().reshape(W) if beta is not None else None
    return ttnn.to_torch(out), torch.nn.functional.layer_norm(x.double(), (W,), g, b, eps)


@pytest.mark.parametrize("affine", ["none", "gamma_beta"])
@pytest.mark.parametrize("shape", list(SHAPES.values()), ids=list(SHAPES))
def test_float32_shapes(device, shape, affine):
    actual, expected = run_fp32(device, shape, affine, seed=31)
    assert_close(actual, expected, FP32_RTOL, FP32_ATOL)


@pytest.mark.slow
@pytest.mark.parametrize("affine", ["none", "gamma_beta"])
@pytest.mark.parametrize("shape", list(SLOW_SHAPES.values()), ids=list(SLOW_SHAPES))
def test_float32_large_shapes(device, shape, affine):
    """Up to W = 16384; float32 rows of W = 8192 and more stream in column chunks at the default budget."""
    actual, expected = run_fp32(device, shape, affine, seed=33)
    assert_close(actual, expected, FP32_RTOL, FP32_ATOL)


def test_float32_wide_rows_stream():
    budget = lnpd.DEFAULT_L1_CB_BUDGET
    assert lnpd.plan_columns(4096, 4096, True, True, budget).n_chunks == 1
    assert lnpd.plan_columns(8192, 4096, True, True, budget).n_chunks == 2


@pytest.mark.parametrize("affine", ["gamma", "beta"])
def test_float32_affine(device, affine):
    actual, expected = run_fp32(device, (1, 2, 64, 128), affine, seed=35)
    assert_close(actual, expected, FP32_RTOL, FP32_ATOL)


@pytest.mark.parametrize("dist", ["uniform", "tiny", "large", "positive", "negative"])
def test_float32_distributions(device, dist):
    actual, expected = run_fp32(device, (1, 1, 64, 256), "gamma_beta", dist, seed=37)
    assert_close(actual, expected, FP32_RTOL, FP32_ATOL)


@pytest.mark.parametrize("dist", ["offset", "far_offset"])
def test_float32_offset_rows_follow_the_mean_truncation_bound(device, dist):
    """README: the float32 mean is a reduce of x as SrcB reads it (10 mantissa bits, truncated), so it may be
    off by up to 2^-10 of the mean of |x|, and the output by that times istd * |gamma| on top of the float32
    tolerance (randn + 8: up to ~0.008 * |gamma|; randn + 100: ~0.1 * |gamma|)."""
    W = 256
    x = make_input((1, 1, 64, W), dist, 43)
    g = make_input((1, 1, 1, W), "normal", 44)
    out = layer_norm_rm(to_device(x, device, dtype=ttnn.float32), to_device(g, device, dtype=ttnn.float32))
    xd = x.double()
    expected = torch.nn.functional.layer_norm(xd, (W,), g.double().reshape(W), None, 1e-5)
    istd = 1 / torch.sqrt(xd.var(-1, unbiased=False, keepdim=True) + 1e-5)
    bound = 2**-10 * xd.abs().mean(-1, keepdim=True) * istd * g.double().reshape(W).abs()
    err = (ttnn.to_torch(out).double() - expected).abs()
    assert (err <= bound + FP32_ATOL + FP32_RTOL * expected.abs()).all()


@pytest.mark.parametrize("W", [384, 800])
def test_float32_column_streaming(device, monkeypatch, W):
    budget = lnpd.plan_columns(W, 4096, True, True, lnpd.DEFAULT_L1_CB_BUDGET).l1_bytes - 1
    monkeypatch.setattr(lnpd, "l1_cb_budget", lambda dev, extra=0: budget)
    assert lnpd.plan_columns(W, 4096, True, True, budget).n_chunks > 1
    actual, expected = run_fp32(device, (1, 2, 64, W), "gamma_beta", seed=39)
    assert_close(actual, expected, FP32_RTOL, FP32_ATOL)


def test_float32_descriptor(device):
    """float32 data CBs, fp32 statistics, the operand-remainder CB and the exact-unpack CBs."""
    x = to_device(make_input((1, 1, 64, 128), "normal", 41), device, dtype=ttnn.float32)
    out = to_device(torch.zeros(1, 1, 64, 128), device, dtype=ttnn.float32)
    g = to_device(make_input((1, 1, 1, 128), "normal", 42), device, dtype=ttnn.float32)
    desc = lnpd.create_program_descriptor(x, g, g, out, epsilon=1e-5)
    pages = {int(f.buffer_index): int(f.page_size) for cb in desc.cbs for f in cb.format_descriptors}
    assert set(pages.values()) == {ttnn.tile_size(ttnn.float32)} and lnpd.CB_LO in pages
    modes = desc.kernels[2].config.unpack_to_dest_mode
    fp32_modes = {i for i, m in enumerate(modes) if m == ttnn.UnpackToDestMode.UnpackToDestFp32}
    assert fp32_modes == {lnpd.CB_RM_IN, lnpd.CB_X, lnpd.CB_MEAN, lnpd.CB_T0, lnpd.CB_T1}
    assert list(desc.kernels[2].compile_time_args)[5] == 1
