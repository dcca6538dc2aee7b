"""compute_kernel_config: every field of ttnn.WormholeComputeKernelConfig changes what runs, and the
changes show in the results as the FPU/SFPU numerics predict (against float64 torch)."""

from __future__ import annotations

import importlib

import pytest
import torch
import ttnn
from ttnn.operations.layer_norm_rm import layer_norm_rm
from ttnn.operations.rms_norm import rms_norm

from .conftest import assert_close, make_input, to_device

lnpd = importlib.import_module("ttnn.operations.layer_norm_rm.layer_norm_rm_program_descriptor")
rmspd = importlib.import_module("ttnn.operations.rms_norm.rms_norm_program_descriptor")


def config(**fields):
    base = {"math_fidelity": ttnn.MathFidelity.HiFi4, "fp32_dest_acc_en": True, "math_approx_mode": False}
    base.update(fields)
    return ttnn.WormholeComputeKernelConfig(**base)


def ln_case(device, shape=(1, 1, 64, 256), seed=0):
    x = make_input(shape, "normal", seed).to(torch.bfloat16)
    g = make_input((1, 1, 1, shape[-1]), "normal", seed + 1).to(torch.bfloat16)
    tx, tg = to_device(x, device), to_device(g, device)
    ref = torch.nn.functional.layer_norm(x.double(), (shape[-1],), g.double().reshape(-1), None, 1e-5)

    def call(cfg=None):
        return ttnn.to_torch(layer_norm_rm(tx, tg, compute_kernel_config=cfg)).double()

    return call, ref


def rms_case(device, shape, seed=0):
    x = make_input(shape, "normal", seed).to(torch.bfloat16)
    tx = to_device(x, device)
    xd = x.double()
    ref = xd / torch.sqrt(xd.pow(2).mean(-1, keepdim=True) + 1e-6)

    def call(cfg=None):
        return ttnn.to_torch(rms_norm(tx, compute_kernel_config=cfg)).double()

    return call, ref


def test_defaults_are_hifi4_fp32_dest_exact_half_sync(device):
    """None and the explicit default config run the same program and give identical results; an Invalid
    fidelity (a WormholeComputeKernelConfig's own default) means HiFi4."""
    call, _ = ln_case(device, seed=1)
    default = call()
    assert torch.equal(default, call(config()))
    assert torch.equal(default, call(config(math_fidelity=ttnn.MathFidelity.Invalid)))
    settings = lnpd.ComputeSettings.resolve(None, ttnn.bfloat16)
    assert (settings.math_fidelity, settings.fp32_dest_acc_en, settings.math_approx_mode) == (
        ttnn.MathFidelity.HiFi4,
        True,
        False,
    )
    assert settings.dst_full_sync_en is False and settings.dest_tiles == 4


@pytest.mark.parametrize("fidelity", [ttnn.MathFidelity.LoFi, ttnn.MathFidelity.HiFi2])
def test_math_fidelity(device, fidelity):
    """Fewer fidelity phases drop low mantissa bits of every product (LoFi keeps 5 bits of SrcA and 7 of
    SrcB: a relative error below 2^-5 + 2^-7 per product), so the result moves away from float64 by more than
    HiFi4's, but stays within that product bound."""
    call, ref = ln_case(device, seed=2)
    hifi4, lower = call(), call(config(math_fidelity=fidelity))
    assert not torch.equal(hifi4, lower)
    err4, err_low = (hifi4 - ref).abs(), (lower - ref).abs()
    assert err_low.mean() > 2 * err4.mean()
    bound = 2**-5 + 2**-7 if fidelity == ttnn.MathFidelity.LoFi else 2**-7 + 2**-9
    # two products (x*istd, *gamma) and the reduce's products: 3 product errors on the worst element
    assert (err_low <= 3 * bound * ref.abs() + 0.1).all()


def test_fp32_dest_acc_en_off(device):
    """A 16-bit DEST rounds every partial row sum to bf16: the mean of squares over a 4096-wide row picks up
    errors that fp32 accumulation does not, and DEST holds 8 tiles per half, so blk grows to 8."""
    call, ref = rms_case(device, (1, 1, 64, 4096), seed=3)
    fp32_acc, bf16_acc = call(), call(config(fp32_dest_acc_en=False))
    assert not torch.equal(fp32_acc, bf16_acc)
    assert (bf16_acc - ref).abs().mean() > 1.5 * (fp32_acc - ref).abs().mean()
    assert_close(bf16_acc, ref, 0.05, 0.1)  # still a normalisation, just a coarser one
    settings = rmspd.ComputeSettings.resolve(config(fp32_dest_acc_en=False), ttnn.bfloat16)
    assert settings.dest_tiles == 8
    assert (
        rmspd.plan_columns(4096, 2048, False, False, rmspd.DEFAULT_L1_CB_BUDGET, settings.dest_tiles).blk == 8
    )


def test_math_approx_mode(device):
    """The approximate rsqrt is a different SFPU algorithm: results change, within its ~1% error."""
    call, ref = rms_case(device, (1, 1, 64, 256), seed=4)
    exact, approx = call(), call(config(math_approx_mode=True))
    assert not torch.equal(exact, approx)
    assert_close(approx, ref, 0.02, 0.05)


@pytest.mark.parametrize("op", ["layer_norm_rm", "rms_norm"])
def test_dst_full_sync_en(device, op):
    """Full-sync DEST doubles the tiles a block may use (blk 8 instead of 4 for Wt = 8); the arithmetic of each
    element is the same, so the result is bit-identical to half-sync."""
    shape = (1, 1, 64, 256)
    call, _ = ln_case(device, shape, seed=5) if op == "layer_norm_rm" else rms_case(device, shape, seed=5)
    full = config(dst_full_sync_en=True)
    pd = lnpd if op == "layer_norm_rm" else rmspd
    settings = pd.ComputeSettings.resolve(full, ttnn.bfloat16)
    assert settings.dest_tiles == 8
    assert pd.plan_columns(256, 2048, False, False, pd.DEFAULT_L1_CB_BUDGET, settings.dest_tiles).blk == 8
    assert torch.equal(call(), call(full))


def test_descriptor_carries_the_config(device):
    x = to_device(make_input((1, 1, 64, 128), "normal", 6).to(torch.bfloat16), device)
    out = to_device(torch.zeros(1, 1, 64, 128, dtype=torch.bfloat16), device)
    cfg = config(math_fidelity=ttnn.MathFidelity.HiFi2, math_approx_mode=True, dst_full_sync_en=True)
    for pd, desc in (
        (lnpd, lambda s: lnpd.create_program_descriptor(x, None, None, out, epsilon=1e-5, settings=s)),
        (rmspd, lambda s: rmspd.create_program_descriptor(x, None, out, epsilon=1e-6, settings=s)),
    ):
        got = desc(pd.ComputeSettings.resolve(cfg, ttnn.bfloat16)).kernels[2].config
        assert got.math_fidelity == ttnn.MathFidelity.HiFi2
        assert got.math_approx_mode is True and got.dst_full_sync_en is True and got.fp32_dest_acc_en is True


@pytest.mark.parametrize("op", ["layer_norm_rm", "rms_norm"])
def test_throttle_level(device, op):
    """The default (NO_THROTTLE) runs the same program as no config; any throttle level is refused before
    device work, naming the field: it only reaches the matmul LLK, which these kernels never issue."""
    call, _ = ln_case(device, seed=7) if op == "layer_norm_rm" else rms_case(device, (1, 1, 64, 128), seed=7)
    assert torch.equal(call(), call(config(throttle_level=ttnn.ThrottleLevel.NO_THROTTLE)))
    for level in (ttnn.ThrottleLevel.LEVEL_1, ttnn.ThrottleLevel.LEVEL_5):
        with pytest.raises(ValueError, match=r"throttle_level=.*LEVEL_\d.*not supported.*NO_THROTTLE"):
            call(config(throttle_level=level))
