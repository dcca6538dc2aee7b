"""rms_norm against torch (fp32 math, cast to the input dtype), per the op's API contract."""

from __future__ import annotations

import importlib
import struct

import numpy as np
import pytest
import torch
import ttnn
from ttnn.operations.rms_norm import rms_norm

from .conftest import (
    CompileCounter,
    NoDeviceWork,
    NoHostLayoutConversion,
    assert_close,
    assert_covers_every_row_once,
    make_input,
    pcc,
    to_device,
)

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


@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("dist", ["normal", "uniform", "tiny", "large", "positive", "negative", "far_offset"])
def test_distributions(device, dist, dtype, layout):
    actual, expected = run(device, (1, 1, 64, 256), dtype, layout, dist=dist, seed=5)
    check(actual, expected, dtype, tiny=dist == "tiny")


@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("eps", [1e-5, 1e-3, 0.1])
def test_epsilon(device, eps, dtype, layout):
    # Tiny inputs make mean(x^2) comparable to eps, so each eps gives visibly different outputs.
    actual, expected = run(device, (1, 1, 32, 128), dtype, layout, dist="tiny", eps=eps, seed=7)
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
def test_layout_conversion_only_in_kernels(device, monkeypatch, dtype, layout):
    """The output keeps the input's layout, and no tilize/untilize/to_layout runs outside the kernels."""
    x = make_input((2, 1, 64, 128), "normal", 23).to(TORCH_DTYPE[dtype])
    g = make_input((1, 1, 1, 128), "normal", 24).to(TORCH_DTYPE[dtype])
    tx, tg = to_device(x, device, dtype=dtype, layout=layout), to_device(g, device, dtype=dtype)
    with NoHostLayoutConversion(monkeypatch):
        out = rms_norm(tx, gamma=tg)
    assert out.layout == layout and out.dtype == dtype
    check(ttnn.to_torch(out), reference(x, g), dtype)


@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_column_streaming(device, monkeypatch, dtype, layout):
    """A budget too small for the whole tile-row forces several chunks per row (re-read per pass)."""
    W, tile_bytes = 256, ttnn.tile_size(dtype)
    tile_layout = layout == TILE
    budget = rmspd.plan_columns(W, tile_bytes, True, tile_layout, rmspd.DEFAULT_L1_CB_BUDGET).l1_bytes - 1
    monkeypatch.setattr(rmspd, "l1_cb_budget", lambda dev, extra=0: budget)
    assert rmspd.plan_columns(W, tile_bytes, True, tile_layout, budget).n_chunks > 1
    actual, expected = run(device, (1, 2, 64, W), dtype, layout, seed=17)
    check(actual, expected, dtype)


def test_over_budget_raises_before_launch(device, monkeypatch):
    monkeypatch.setattr(rmspd, "l1_cb_budget", lambda dev, extra=0: 8 * 4096)
    x = to_device(make_input((1, 1, 32, 1024), "normal", 1), device, dtype=ttnn.float32)
    with NoDeviceWork(monkeypatch), pytest.raises(ValueError, match="L1 budget"):
        rms_norm(x)


def test_width_beyond_l1_raises_before_device_work(device, monkeypatch):
    """The device's own budget: the narrowest float32 W whose CBs cannot fit even streamed is refused before
    anything is allocated."""
    budget = rmspd.l1_cb_budget(device)

    def fits(W):
        try:
            rmspd.plan_columns(W, 4096, False, True, budget)
        except ValueError:
            return False
        return True

    W = next(W for W in range(8192 + 32, 65536, 32) if not fits(W))
    x = to_device(make_input((1, 1, 32, W), "normal", 1), device, dtype=ttnn.float32, layout=TILE)
    with NoDeviceWork(monkeypatch), pytest.raises(ValueError, match=f"W={W} needs .* L1 budget of {budget}"):
        rms_norm(x)


def test_fp32_descriptor_keeps_fp32(device):
    """float32 input: every CB is float32, DEST accumulates in fp32 at HiFi4, scaler and epsilon are fp32."""
    x = to_device(make_input((1, 1, 64, 256), "normal", 0), device, dtype=ttnn.float32, layout=TILE)
    g = to_device(make_input((1, 1, 1, 256), "normal", 1), device, dtype=ttnn.float32)
    out = to_device(torch.zeros(1, 1, 64, 256), device, dtype=ttnn.float32, layout=TILE)
    desc = rmspd.create_program_descriptor(x, g, out, epsilon=1e-6)
    for cb in desc.cbs:
        for fmt in cb.format_descriptors:
            assert fmt.page_size == ttnn.tile_size(ttnn.float32)
            assert fmt.data_format_as_uint8 == 0  # tt::DataFormat::Float32
    config = desc.kernels[2].config
    assert config.fp32_dest_acc_en and config.math_fidelity == ttnn.MathFidelity.HiFi4
    scaler_bits, eps_bits = desc.kernels[0].runtime_args[0][0][4:6]
    assert abs(struct.unpack("<f", struct.pack("<I", scaler_bits))[0] - 1 / 256) < 1e-9
    assert abs(struct.unpack("<f", struct.pack("<I", eps_bits))[0] - 1e-6) < 1e-6 * 2**-10


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


@pytest.mark.parametrize(
    "dtype, layout", [(ttnn.float32, RM), (ttnn.bfloat16, TILE)], ids=["fp32-rm", "bf16-tile"]
)
def test_second_call_does_not_rebuild(device, monkeypatch, tmp_path, dtype, layout):
    """Same shapes, new data and epsilon: the first call compiles the three kernels into an empty build cache,
    the second compiles nothing."""
    shape = (1, 1, 64, 96)

    def call(seed, eps):
        x = to_device(
            make_input(shape, "normal", seed).to(TORCH_DTYPE[dtype]), device, dtype=dtype, layout=layout
        )
        g = to_device(
            make_input((1, 1, 1, 96), "normal", seed + 1).to(TORCH_DTYPE[dtype]), device, dtype=dtype
        )
        return rms_norm(x, gamma=g, epsilon=eps)

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
    assert_covers_every_row_once(rmspd.core_assignment, device.compute_with_storage_grid_size())


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
    row = make_input((1, 1, 1, 64), "normal", 1)
    good_rm = to_device(x.to(torch.bfloat16), device)
    good_tile = to_device(x.to(torch.bfloat16), device, layout=TILE)
    fp32_tile = to_device(x, device, dtype=ttnn.float32, layout=TILE)
    g_narrow = to_device(make_input((1, 1, 1, 32), "normal", 1).to(torch.bfloat16), device)
    g_narrow_fp32 = to_device(make_input((1, 1, 1, 32), "normal", 1), device, dtype=ttnn.float32)
    g_tile = to_device(make_input((1, 1, 1, 64), "normal", 1).to(torch.bfloat16), device, layout=TILE)
    g_fp32 = to_device(row, device, dtype=ttnn.float32)
    g_rows = to_device(make_input((1, 1, 2, 64), "normal", 1).to(torch.bfloat16), device)
    g_host = ttnn.from_torch(row.to(torch.bfloat16), dtype=ttnn.bfloat16, layout=RM)
    return {
        "rank1": ((to_device(make_input((64,), "normal", 3).to(torch.bfloat16), device),), {}, "rank"),
        "rank0": ((to_device(torch.tensor(1.5).to(torch.bfloat16), device),), {}, "rank"),
        "rank0_host": ((ttnn.from_torch(torch.tensor(1.5)),), {}, "rank"),
        "gamma_width_rm": ((good_rm,), {"gamma": g_narrow}, "gamma last dim"),
        "gamma_width_tile": ((good_tile,), {"gamma": g_narrow}, "gamma last dim"),
        "gamma_width_fp32_tile": ((fp32_tile,), {"gamma": g_narrow_fp32}, "gamma last dim"),
        "gamma_tile_layout": ((good_tile,), {"gamma": g_tile}, "gamma must be ROW_MAJOR"),
        "gamma_dtype": ((good_rm,), {"gamma": g_fp32}, "dtype"),
        "gamma_not_one_row": ((good_rm,), {"gamma": g_rows}, r"gamma must have shape \(1, 1, 1, W\)"),
        "gamma_on_host": ((good_rm,), {"gamma": g_host}, "gamma must be on a device"),
        "gamma_torch": ((good_rm,), {"gamma": row.to(torch.bfloat16)}, "gamma must be a ttnn.Tensor"),
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
        "h_not_multiple_of_32": (
            (to_device(make_input((1, 1, 40, 64), "normal", 4), device, dtype=ttnn.float32),),
            {},
            "multiples of 32",
        ),
        "input_on_host": (
            (ttnn.from_torch(x.to(torch.bfloat16), dtype=ttnn.bfloat16, layout=TILE),),
            {},
            "input_tensor must be on a device",
        ),
        "sharded_output": (
            (good_rm,),
            {"memory_config": ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG},
            "L1 interleaved",
        ),
        "other_device": ((good_rm,), {"device": object()}, "not the input's device"),
        "epsilon_past_fp32": ((good_rm,), {"epsilon": 1e300}, "epsilon must be finite"),
        "packer_l1_acc": (
            (good_rm,),
            {"compute_kernel_config": ttnn.WormholeComputeKernelConfig(packer_l1_acc=True)},
            "packer_l1_acc",
        ),
        "fp32_without_fp32_dest": (
            (to_device(x, device, dtype=ttnn.float32),),
            {"compute_kernel_config": ttnn.WormholeComputeKernelConfig(fp32_dest_acc_en=False)},
            "fp32_dest_acc_en=True",
        ),
        "negative_epsilon": ((good_rm,), {"epsilon": -1.0}, "epsilon"),
        "nan_epsilon": ((good_rm,), {"epsilon": float("nan")}, "epsilon"),
        "inf_epsilon": ((good_rm,), {"epsilon": float("inf")}, "epsilon"),
        "string_epsilon": ((good_rm,), {"epsilon": "1e-6"}, "epsilon must be a float"),
        "not_a_tensor": ((x,), {}, "ttnn.Tensor"),
    }


CASES = [
    "rank1",
    "rank0",
    "rank0_host",
    "gamma_width_rm",
    "gamma_width_tile",
    "gamma_width_fp32_tile",
    "gamma_tile_layout",
    "gamma_dtype",
    "gamma_not_one_row",
    "gamma_on_host",
    "gamma_torch",
    "int_input",
    "w_not_multiple_of_32",
    "h_not_multiple_of_32",
    "input_on_host",
    "sharded_output",
    "other_device",
    "epsilon_past_fp32",
    "packer_l1_acc",
    "fp32_without_fp32_dest",
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
        rms_norm(*args, **kwargs)


def test_numpy_epsilon(device):
    """Any real number is an epsilon (numpy scalars included)."""
    x = make_input((1, 1, 32, 64), "tiny", 21)
    out = rms_norm(to_device(x, device, dtype=ttnn.float32, layout=TILE), epsilon=np.float32(1e-3))
    check(ttnn.to_torch(out), reference(x, None, float(np.float32(1e-3))), ttnn.float32)
