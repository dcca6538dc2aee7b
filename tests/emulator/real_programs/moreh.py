"""moreh ops whose program factories ship in the wheel (moreh_sgd_program_factory.cpp,
moreh_layer_norm_program_factory.cpp), reproduced as ProgramDescriptors: rows or tiles split over the grid
column by column, the scalars as float bit patterns in runtime args, HiFi4 without fp32 DEST."""

from __future__ import annotations

import struct

import numpy as np
import torch
import ttnn

from tests.emulator import wh_oracle
from tests.emulator.real_programs import wheel

SGD = "moreh/moreh_sgd/device/kernels"
LN = "moreh/moreh_layer_norm/device/kernels"


def f32_bits(x: float) -> int:
    return struct.unpack("<I", struct.pack("<f", x))[0]


def sgd_descriptor(param, grad, param_out, momentum_out, *, lr, momentum, dampening, weight_decay):
    """First step (momentum buffer not yet initialized), not Nesterov."""
    num_tiles = param.buffer_num_pages()
    all_cores, g1, g2, n1, n2, per_core = wheel.split(param.device(), num_tiles)
    page = param.buffer_page_size()
    cbs = [wheel.cb(i, param.dtype, page, 2, all_cores) for i in (0, 1, 2, 16, 17)]
    cbs.append(wheel.cb(24, param.dtype, page, 5, all_cores))
    cbs += [wheel.cb(i, param.dtype, page, 1, all_cores) for i in (25, 26, 27, 28)]
    defines = []
    if weight_decay != 0:
        defines.append(("WEIGHT_DECAY", "1"))
    reader_defines = [*defines, ("MOMENTUM", "1")]
    reader_rt, writer_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    offset = 0
    scalars = [f32_bits(v) for v in (lr, momentum, dampening, weight_decay, 1.0)]
    for (x, y), n in per_core:
        reader_rt[x][y] = [param.buffer_address(), grad.buffer_address(), 0, n, offset, *scalars]
        writer_rt[x][y] = [param_out.buffer_address(), momentum_out.buffer_address(), n, offset]
        offset += n
    reader = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(SGD, "reader_moreh_sgd.cpp"),
        core_ranges=all_cores,
        compile_time_args=[
            *ttnn.TensorAccessorArgs(param).get_compile_time_args(),
            *ttnn.TensorAccessorArgs(grad).get_compile_time_args(),
        ],
        defines=reader_defines,
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    writer = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(SGD, "writer_moreh_sgd.cpp"),
        core_ranges=all_cores,
        compile_time_args=[
            *ttnn.TensorAccessorArgs(param_out).get_compile_time_args(),
            *ttnn.TensorAccessorArgs(momentum_out).get_compile_time_args(),
        ],
        defines=[("MOMENTUM", "1")],
        runtime_args=writer_rt,
        config=ttnn.WriterConfigDescriptor(),
    )
    computes = [
        ttnn.KernelDescriptor(
            kernel_source=wheel.op_kernel(SGD, "moreh_sgd.cpp"),
            core_ranges=group,
            compile_time_args=[n],
            defines=reader_defines,
            runtime_args=[],
            config=wheel.compute_config(),
        )
        for group, n in ((g1, n1), (g2, n2))
        if group.num_cores() > 0
    ]
    return ttnn.ProgramDescriptor(kernels=[reader, writer, *computes], semaphores=[], cbs=cbs)


def sgd_momentum(device):
    """buf = grad + wd * param; param_out = param - lr * buf (torch.optim.SGD's first step)."""
    lr, momentum, wd = 0.05, 0.9, 0.1
    p = torch.randn(1, 2, 64, 96).to(torch.bfloat16)
    g = torch.randn(1, 2, 64, 96).to(torch.bfloat16)
    tp, tg = wheel.to_device(p, device=device), wheel.to_device(g, device=device)
    tpo = wheel.empty(p.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device)
    tmo = wheel.empty(p.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device)
    desc = sgd_descriptor(tp, tg, tpo, tmo, lr=lr, momentum=momentum, dampening=0.0, weight_decay=wd)
    ttnn.generic_op([tp, tg, tpo, tmo], desc)
    # The reader writes each scalar tile with the top 16 bits of the float (bf16 by truncation); the compute
    # kernel chains FPU ops through bf16 CBs: t1 = param*wd, buf = grad + t1, t3 = lr*buf, out = param - t3.
    wd_b, lr_b = _bf16_trunc(wd), _bf16_trunc(lr)
    up, ug = _bits(p), _bits(g)
    t1 = _fpu("mul", up, np.full_like(up, f32_bits(wd_b)))
    buf_bits = _fpu("add", ug, t1)
    t3 = _fpu("mul", np.full_like(up, f32_bits(lr_b)), buf_bits)
    out_bits = _fpu("sub", up, t3)
    got_buf, got = ttnn.to_torch(tmo), ttnn.to_torch(tpo)
    for what, have, want in (("momentum_out", got_buf, buf_bits), ("param_out", got, out_bits)):
        off = int((_bits(have) != want).sum())
        assert off == 0, f"{what}: {off} of {want.size} elements differ from the Wormhole FPU model's bits"
    # Against float64 (with the truncated scalars): each FPU op rounds to bf16 on the grid of its larger operand.
    p64, g64 = p.double(), g.double()
    buf = g64 + wd_b * p64
    buf_bound = 2 * wheel.bf16_ulp(wd_b * p64) + 2 * wheel.bf16_ulp(g64.abs() + wd_b * p64.abs())
    assert ((got_buf.double() - buf).abs() <= buf_bound).all(), (
        f"momentum_out off by {(got_buf.double() - buf).abs().max():.3g}"
    )
    ref = p64 - lr_b * buf
    bound = 2 * wheel.bf16_ulp(p64.abs() + lr_b * buf.abs()) + 2 * wheel.bf16_ulp(lr_b * buf) + lr_b * buf_bound
    assert ((got.double() - ref).abs() <= bound).all(), f"param_out off by {(got.double() - ref).abs().max():.3g}"


def _bits(t: torch.Tensor) -> np.ndarray:
    return t.float().contiguous().numpy().view(np.uint32).ravel()


def _bf16_trunc(x: float) -> float:
    return struct.unpack("<f", struct.pack("<I", f32_bits(x) & 0xFFFF0000))[0]


def _fpu(op: str, a, b):
    """One FPU op of bf16 CB data at the kernel's HiFi4 with a 16-bit DEST, packed back to a bf16 CB (as fp32
    bits)."""
    dest = wh_oracle.binary(op, a, b, fidelity=wh_oracle.HIFI4, fp32_dest=False)
    return wh_oracle.pack_bf16(dest).astype(np.uint32) << 16


def layer_norm_descriptor(inp, gamma, beta, out, mean, rstd, eps: float) -> ttnn.ProgramDescriptor:
    """normalized_dims = 1 (the last dim), the small algorithm (a whole row of tiles resident in L1)."""
    shape, logical = inp.padded_shape, inp.shape
    num_inner = shape[-1] // wheel.TILE
    num_outer = inp.buffer_num_pages() // num_inner
    origin_h, origin_w = logical[-2], logical[-1]
    mask_w = origin_w % wheel.TILE or wheel.TILE
    block = max(d for d in (4, 3, 2, 1) if num_inner % d == 0)
    all_cores, g1, g2, n1, n2, per_core = wheel.split(inp.device(), num_outer)
    page = inp.buffer_page_size()
    dt = inp.dtype
    plan = [(0, num_inner), (1, 1), (2, 1), (3, 2 * block), (4, 2 * block), (16, 2 * block), (17, 1), (18, 1)]
    plan += [(24, 1), (25, num_inner), (26, 1), (27, 1), (28, 1), (29, 1), (30, 2 * block), (31, 2)]
    cbs = [wheel.cb(i, dt, page, n, all_cores) for i, n in plan]
    reader_defines = [("GAMMA_HAS_VALUE", "1"), ("BETA_HAS_VALUE", "1")]
    if origin_w % wheel.TILE:
        reader_defines.append(("DO_MASK_W", "1"))
        cbs.append(wheel.cb(6, dt, page, 1, all_cores))
    compute_defines = [("REDUCE_OP", "PoolType::AVG"), ("REDUCE_DIM", "ReduceDim::REDUCE_ROW")]
    reader_rt, writer_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    offset = 0
    for (x, y), n in per_core:
        reader_rt[x][y] = [
            inp.buffer_address(),
            gamma.buffer_address(),
            beta.buffer_address(),
            n,
            num_inner,
            offset,
            f32_bits(1.0 / origin_w),
            f32_bits(eps),
            wheel.TILE,
            mask_w,
        ]
        writer_rt[x][y] = [
            out.buffer_address(),
            mean.buffer_address(),
            rstd.buffer_address(),
            n,
            num_inner,
            offset,
            mean.shape[-2],
            mean.shape[-1],
            1,
        ]
        offset += n * num_inner
    reader = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(LN, "reader_moreh_layer_norm_small.cpp"),
        core_ranges=all_cores,
        compile_time_args=[
            block,
            *(a for t in (inp, gamma, beta) for a in ttnn.TensorAccessorArgs(t).get_compile_time_args()),
        ],
        defines=reader_defines,
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    writer = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(LN, "writer_moreh_layer_norm.cpp"),
        core_ranges=all_cores,
        compile_time_args=[
            1,
            1,
            block,
            *(a for t in (out, mean, rstd) for a in ttnn.TensorAccessorArgs(t).get_compile_time_args()),
        ],
        runtime_args=writer_rt,
        config=ttnn.WriterConfigDescriptor(),
    )
    computes = [
        ttnn.KernelDescriptor(
            kernel_source=wheel.op_kernel(LN, "moreh_layer_norm_small_kernel.cpp"),
            core_ranges=group,
            compile_time_args=[n, origin_h, origin_w, num_inner, block, 1, 1, 1, 1, 1, 0],
            defines=compute_defines,
            runtime_args=[],
            config=wheel.compute_config(),
        )
        for group, n in ((g1, n1), (g2, n2))
        if group.num_cores() > 0
    ]
    return ttnn.ProgramDescriptor(kernels=[reader, writer, *computes], semaphores=[], cbs=cbs)


def layer_norm_small(device):
    """Layer norm over the last dim (W = 128, 4 tiles per row) with gamma and beta, mean and rstd written."""
    eps = 1e-5
    x = (torch.randn(2, 64, 128) * 2 + 0.5).to(torch.bfloat16)
    gam = (torch.rand(1, 128) + 0.5).to(torch.bfloat16)
    bet = torch.randn(1, 128).to(torch.bfloat16)
    ti, tg, tb = (wheel.to_device(t, device=device) for t in (x, gam, bet))
    to = wheel.empty(x.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device)
    tm = wheel.empty((2, 64, 1), ttnn.bfloat16, ttnn.TILE_LAYOUT, device)
    tr = wheel.empty((2, 64, 1), ttnn.bfloat16, ttnn.TILE_LAYOUT, device)
    ttnn.generic_op([ti, tg, tb, tm, tr, to], layer_norm_descriptor(ti, tg, tb, to, tm, tr, eps))
    x64 = x.double()
    mu = x64.mean(-1, keepdim=True)
    var = x64.var(-1, unbiased=False, keepdim=True)
    rs = 1 / torch.sqrt(var + eps)
    y = (x64 - mu) * rs * gam.double() + bet.double()
    # bf16 intermediates (x - mean, its square, the row sums, rsqrt): about 1 % of the output's scale.
    wheel.assert_close(ttnn.to_torch(tm), mu, ulps=2, atol=0.01, what="mean")
    wheel.assert_close(ttnn.to_torch(tr), rs, ulps=4, atol=0.0, what="rstd")
    wheel.assert_close(ttnn.to_torch(to), y, ulps=2, atol=0.03, what="layer_norm output")
