"""Reductions on the wheel's kernels, laid out as their factories lay them out.

- hc_sum_reduce (experimental/ssm/hc_sum_reduce, multi_core_ssm_1d_sum_reduce): a sum along W over groups of
  32 columns. Per input tile the compute kernel transposes it (c_0 -> c_24), reduces its columns with
  PoolType::SUM / REDUCE_COL through the reader's scaler tile of 1.0 (c_2) into a 1x32 row (c_25); the writer
  gathers 32 such rows face by face over a NoC loopback into one tile (c_26), which compute transposes back into
  the output (c_16). Output blocks of 32 input tiles split column-major over the grid; HiFi4, 16-bit DEST.

The generic reduce along W and H is in generic_reduce.py."""

from __future__ import annotations

import numpy as np
import torch
import ttnn

from tests.emulator import wh_oracle
from tests.emulator.real_programs import wheel

SSM = "experimental/ssm/hc_sum_reduce/device/kernels"
LATENT = 32  # tiles per output block: one output column per 32 input columns


def hc_sum_reduce_descriptor(inp, out) -> ttnn.ProgramDescriptor:
    shape = inp.padded_shape
    ht, wt = shape[-2] // wheel.TILE, shape[-1] // wheel.TILE
    blocks = shape[-1] // (wheel.TILE * LATENT)
    all_cores, _g1, _g2, _n1, _n2, per_core = wheel.split(inp.device(), blocks)
    tile = wheel.tile_bytes(ttnn.bfloat16)
    cbs = [
        wheel.cb(index, ttnn.bfloat16, tile, 2, all_cores)
        for index in (0, 2, 24, 25, 26, 16)  # input, scaler, transposed, reduced, gathered, output
    ]
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    written = 0
    for (x, y), n in per_core:
        reader_rt[x][y] = [inp.buffer_address(), n * LATENT, written * LATENT, ht, wt]
        writer_rt[x][y] = [out.buffer_address(), n, written, ht, wt // LATENT]
        compute_rt[x][y] = [n, ht]
        written += n
    reader = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(SSM, "reader_ssm_1d_sum_reduce.cpp"),
        core_ranges=all_cores,
        compile_time_args=ttnn.TensorAccessorArgs(inp).get_compile_time_args(),
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    writer = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(SSM, "writer_ssm_1d_sum_reduce.cpp"),
        core_ranges=all_cores,
        compile_time_args=[25, 26, 16, *ttnn.TensorAccessorArgs(out).get_compile_time_args()],
        runtime_args=writer_rt,
        config=ttnn.WriterConfigDescriptor(),
    )
    compute = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(SSM, "ssm_1d_sum_reduce.cpp"),
        core_ranges=all_cores,
        compile_time_args=[0, 2, 24, 25, 26, 16],
        runtime_args=compute_rt,
        config=wheel.compute_config(),
    )
    return ttnn.ProgramDescriptor(kernels=[reader, writer, compute], semaphores=[], cbs=cbs)


def _wormhole_model(x: torch.Tensor) -> np.ndarray:
    """The output's bf16 bits as the Wormhole model (wh_oracle) computes them: each input tile transposed through
    a bf16 DEST and packed, its columns summed by reduce col with a scaler of 1.0 at HiFi4 into a bf16 DEST, the
    row packed; output column j of a block holds the row sums of its j-th input tile."""
    u = x.float().contiguous().numpy().view("uint32").reshape(-1, x.shape[-2], x.shape[-1])
    ones = np.full((32, 32), 0x3F800000, np.uint32)
    n, h, w = u.shape
    want = np.zeros((n, h, w // LATENT), np.uint32)
    for b in range(n):
        for r in range(0, h, wheel.TILE):
            for t in range(w // wheel.TILE):
                tile = u[b, r : r + wheel.TILE, t * wheel.TILE : (t + 1) * wheel.TILE]
                transposed = wh_oracle.pack_bf16(wh_oracle.transpose_wh(tile, wh_oracle.BF16, False))
                dest = wh_oracle.reduce(
                    "sum", "col", transposed.astype(np.uint32) << 16, ones, fidelity=wh_oracle.HIFI4
                )
                want[b, r : r + wheel.TILE, t] = wh_oracle.pack_bf16(dest)[0]
    return want


def hc_sum_reduce(device):
    """out[..., h, j] = sum of in[..., h, 32j .. 32j+31]: 64 rows, 4096 columns -> 128 (four blocks)."""
    x = torch.randn(1, 1, 64, 4096).to(torch.bfloat16)
    inp = wheel.to_device(x, device=device)
    out = wheel.empty((1, 1, 64, 4096 // LATENT), ttnn.bfloat16, ttnn.TILE_LAYOUT, device)
    ttnn.generic_op([inp, out], hc_sum_reduce_descriptor(inp, out))
    got = ttnn.to_torch(out)
    groups = x.double().reshape(1, 1, 64, 4096 // LATENT, LATENT)
    # A 16-bit DEST rounds the partial sums per face and per HiFi4 phase (eight roundings at up to a few times
    # the largest term): measured up to 14 bf16 steps of the largest term, bounded here by 24.
    largest = groups.abs().amax(-1)
    wheel.assert_close(got, groups.sum(-1), ulps=1, atol=24 * wheel.bf16_ulp(largest), what="hc_sum_reduce")
    have = got.float().contiguous().numpy().view("uint32").reshape(1, 64, -1) >> 16
    off = int((have != _wormhole_model(x)).sum())
    assert off == 0, f"hc_sum_reduce: {off} of {have.size} elements differ from the Wormhole model's bits"
