"""matmul's multi-core factory: output tiles split over the grid (column-major), each core reading the A row
and B column of each of its output tiles with reader_bmm_8bank_output_tiles_partitioned.cpp, accumulating Kt
tiles in DEST with bmm.cpp (compile-time args B=1, Mt=1, Kt, Nt=tiles per core), written by
writer_unary_interleaved_start_id.cpp; a B with batch 1 is broadcast over A's batch (bcast_B)."""

from __future__ import annotations

import torch
import ttnn

from tests.emulator import wh_oracle
from tests.emulator.real_programs import wheel

MATMUL = "matmul/device/kernels"
UNARY = "eltwise/unary/device/kernels"
NAMED_CBS = [("cb_in0", 0), ("cb_in1", 1), ("cb_out", 16)]


def bmm_descriptor(a, b, out) -> ttnn.ProgramDescriptor:
    ash, bsh = a.padded_shape, b.padded_shape
    batch = 1
    for d in list(ash)[:-2]:
        batch *= d
    b_batch = 1
    for d in list(bsh)[:-2]:
        b_batch *= d
    mt, kt, nt = ash[-2] // wheel.TILE, ash[-1] // wheel.TILE, bsh[-1] // wheel.TILE
    bcast_b = int(b_batch == 1)
    total = batch * mt * nt
    all_cores, g1, g2, n1, n2, per_core = wheel.split(a.device(), total)
    reader_rt, writer_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    done = 0
    for (x, y), n in per_core:
        reader_rt[x][y] = [
            a.buffer_address(),
            b.buffer_address(),
            mt,
            kt,
            nt,
            mt * kt,
            kt * nt,
            batch,
            bcast_b,
            done,
            n,
            mt * nt,
        ]
        writer_rt[x][y] = [out.buffer_address(), n, done]
        done += n
    last_ktile_w = a.shape[-1] % wheel.TILE
    reader = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(MATMUL, "dataflow/reader_bmm_8bank_output_tiles_partitioned.cpp"),
        core_ranges=all_cores,
        compile_time_args=[
            last_ktile_w,
            0,
            *ttnn.TensorAccessorArgs(a).get_compile_time_args(),
            *ttnn.TensorAccessorArgs(b).get_compile_time_args(),
        ],
        named_compile_time_args=NAMED_CBS[:2],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    writer = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(UNARY, "dataflow/writer_unary_interleaved_start_id.cpp"),
        core_ranges=all_cores,
        compile_time_args=[16, *ttnn.TensorAccessorArgs(out).get_compile_time_args()],
        runtime_args=writer_rt,
        config=ttnn.WriterConfigDescriptor(),
    )
    computes = [
        ttnn.KernelDescriptor(
            kernel_source=wheel.op_kernel(MATMUL, "compute/bmm.cpp"),
            core_ranges=group,
            compile_time_args=[1, 1, kt, n],
            named_compile_time_args=NAMED_CBS,
            runtime_args=[],
            config=wheel.compute_config(),
        )
        for group, n in ((g1, n1), (g2, n2))
        if group.num_cores() > 0
    ]
    cbs = [
        wheel.cb(0, a.dtype, a.buffer_page_size(), 2, all_cores),
        wheel.cb(1, b.dtype, b.buffer_page_size(), 2, all_cores),
        wheel.cb(16, out.dtype, out.buffer_page_size(), 2, all_cores),
    ]
    return ttnn.ProgramDescriptor(kernels=[reader, writer, *computes], semaphores=[], cbs=cbs)


def _bmm(device, xa, xb):
    a = wheel.to_device(xa, device=device)
    b = wheel.to_device(xb, device=device)
    out_shape = (*xa.shape[:-1], xb.shape[-1])
    out = wheel.empty(out_shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device)
    ttnn.generic_op([a, b, out], bmm_descriptor(a, b, out))
    return ttnn.to_torch(out)


def _check(got, xa, xb, what):
    """bmm.cpp accumulates Kt tiles in a bf16 DEST (fp32_dest_acc_en off, HiFi4): every tile product is one MVMUL
    per inner face and fidelity phase, each rounded into DEST, so the output must carry the bits of the Wormhole
    FPU model (wh_oracle) exactly. Against float64, each of those 8·Kt roundings may cost up to two bf16 ulp of
    the largest partial sum (bounded by |A|·|B|), and the pack one more."""
    a, b = xa.double(), xb.double()
    ref = a @ b
    kt = a.shape[-1] // wheel.TILE
    bound = (2 * 8 * kt + 1) * wheel.bf16_ulp(a.abs() @ b.abs())
    worst = float(((got.double() - ref).abs() - bound).max())
    assert worst <= 0, f"{what}: error exceeds the accumulation bound by {worst:.3g}"
    ua = xa.float().contiguous().numpy().view("uint32")
    ub = xb.expand(xa.shape[0], *xb.shape[1:]).float().contiguous().numpy().view("uint32")
    have = got.float().contiguous().numpy().view("uint32") >> 16
    t = wheel.TILE
    off = 0
    for n in range(ua.shape[0]):
        for i in range(0, ua.shape[1], t):
            for j in range(0, ub.shape[2], t):
                dest = None
                for k in range(0, ua.shape[2], t):
                    dest = wh_oracle.matmul(
                        ua[n, i : i + t, k : k + t], ub[n, k : k + t, j : j + t], fidelity=wh_oracle.HIFI4, dst=dest
                    )
                off += int((wh_oracle.pack_bf16(dest) != have[n, i : i + t, j : j + t]).sum())
    assert off == 0, f"{what}: {off} of {have.size} elements differ from the Wormhole FPU model's bits"


def bmm_broadcast_batch(device):
    """A [3, 64, 96] @ B [1, 96, 128]: B broadcast over A's batch, 3*2*4 = 24 output tiles on 24 cores."""
    xa, xb = torch.randn(3, 64, 96).to(torch.bfloat16), torch.randn(1, 96, 128).to(torch.bfloat16)
    _check(_bmm(device, xa, xb), xa, xb, "bmm with broadcast batch")


def bmm_batched(device):
    """A [2, 96, 64] @ B [2, 64, 160]: one B per batch, 30 output tiles."""
    xa, xb = torch.randn(2, 96, 64).to(torch.bfloat16), torch.randn(2, 64, 160).to(torch.bfloat16)
    _check(_bmm(device, xa, xb), xa, xb, "batched bmm")
