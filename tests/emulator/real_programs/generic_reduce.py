"""The generic reduce along W and along H (SUM and MAX) on the wheel's kernels, laid out as tt-metal's
reduce_op_multi_core_w / reduce_op_multi_core_h factories lay them out.

The wheel's reduction/generic kernels read their arguments through Metal 2.0 bindings only; the same reduce
ships with positional arguments under experimental/quasar/reduction/generic (reduce.cpp, a thin wrapper around
compute_kernel_lib::reduce, and the readers that fill the scaler tile with
dataflow_kernel_lib::prepare_reduce_scaler). Those run here:

- W: rows of tiles (NC*Ht) split over the grid; reader_unary_reduce_universal_start_id.cpp reads each core's
  rows tile by tile (compile-time args: the scaler's fp32 bits, then the input's TensorAccessorArgs; runtime args:
  address, tiles, first tile); compute reduces each row of Wt tiles into one tile (compile-time args Ht = rows of
  the core, Wt, NC = 1); the unary writer writes one output tile per row.
- H: columns of tiles (NC*Wt) split over the grid; reader_unary_transpose_wh_universal_input_cols_partitioned.cpp
  reads them in chunks of DEST_AUTO_LIMIT columns, row by row (compile-time args Ht, Wt, HtWt, scaler bits, Welford
  off, TensorAccessorArgs; runtime args: address, first tile of the first column, its column in the batch,
  columns); compute gets Ht and the core's column count as Wt; one output tile per column.
CBs: c_0 input (2 tiles), c_2 the bf16 scaler tile, c_3 output (2 tiles). HiFi4, 16-bit DEST, scaler 1.0.
"""

from __future__ import annotations

import numpy as np
import torch
import ttnn

from tests.emulator import wh_oracle
from tests.emulator.real_programs import wheel

QUASAR = "experimental/quasar/reduction/generic/device/kernels"
WRITER = ("eltwise/unary/device/kernels/dataflow", "writer_unary_interleaved_start_id.cpp")
ONE = 0x3F800000  # the scaler 1.0 as fp32 bits (the readers take the float's bits)
DEFINES = {
    ("sum", "w"): [("REDUCE_OP", "ckernel::PoolType::SUM"), ("REDUCE_DIM", "ckernel::ReduceDim::REDUCE_ROW")],
    ("max", "w"): [("REDUCE_OP", "ckernel::PoolType::MAX"), ("REDUCE_DIM", "ckernel::ReduceDim::REDUCE_ROW")],
    ("sum", "h"): [("REDUCE_OP", "ckernel::PoolType::SUM"), ("REDUCE_DIM", "ckernel::ReduceDim::REDUCE_COL")],
    ("max", "h"): [("REDUCE_OP", "ckernel::PoolType::MAX"), ("REDUCE_DIM", "ckernel::ReduceDim::REDUCE_COL")],
}


def _cbs(cores, dtype):
    tile = wheel.tile_bytes(dtype)
    return [
        wheel.cb(0, dtype, tile, 2, cores),
        wheel.cb(2, ttnn.bfloat16, wheel.tile_bytes(ttnn.bfloat16), 1, cores),
        wheel.cb(3, dtype, tile, 2, cores),
    ]


def _writer(out, cores, rt):
    return ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(*WRITER),
        core_ranges=cores,
        compile_time_args=[3, *ttnn.TensorAccessorArgs(out).get_compile_time_args()],
        runtime_args=rt,
        config=ttnn.WriterConfigDescriptor(),
    )


def _computes(groups, ht_of, wt_of, defines):
    return [
        ttnn.KernelDescriptor(
            kernel_source=wheel.op_kernel(QUASAR, "compute/reduce.cpp"),
            core_ranges=group,
            compile_time_args=[ht_of(n), wt_of(n), 1],
            defines=defines,
            runtime_args=[],
            config=wheel.compute_config(),
        )
        for group, n in groups
        if n > 0 and group.num_cores() > 0
    ]


def reduce_w_descriptor(inp, out, pool: str) -> ttnn.ProgramDescriptor:
    shape = inp.padded_shape
    nc = shape[0] * shape[1]
    ht, wt = shape[-2] // wheel.TILE, shape[-1] // wheel.TILE
    all_cores, g1, g2, n1, n2, per_core = wheel.split(inp.device(), nc * ht)
    reader_rt, writer_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    rows_read = 0
    for (x, y), rows in per_core:
        reader_rt[x][y] = [inp.buffer_address(), rows * wt, rows_read * wt]
        writer_rt[x][y] = [out.buffer_address(), rows, rows_read]
        rows_read += rows
    reader = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(QUASAR, "dataflow/reader_unary_reduce_universal_start_id.cpp"),
        core_ranges=all_cores,
        compile_time_args=[ONE, *ttnn.TensorAccessorArgs(inp).get_compile_time_args()],
        defines=DEFINES[(pool, "w")],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    computes = _computes([(g1, n1), (g2, n2)], lambda n: n, lambda n: wt, DEFINES[(pool, "w")])
    return ttnn.ProgramDescriptor(
        kernels=[reader, _writer(out, all_cores, writer_rt), *computes],
        semaphores=[],
        cbs=_cbs(all_cores, inp.dtype),
    )


def reduce_h_descriptor(inp, out, pool: str) -> ttnn.ProgramDescriptor:
    shape = inp.padded_shape
    nc = shape[0] * shape[1]
    ht, wt = shape[-2] // wheel.TILE, shape[-1] // wheel.TILE
    all_cores, g1, g2, n1, n2, per_core = wheel.split(inp.device(), nc * wt)
    reader_rt, writer_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    cols_read = 0
    for (x, y), cols in per_core:
        first_tile = (cols_read // wt) * ht * wt + cols_read % wt
        reader_rt[x][y] = [inp.buffer_address(), first_tile, cols_read % wt, cols]
        writer_rt[x][y] = [out.buffer_address(), cols, cols_read]
        cols_read += cols
    defines = DEFINES[(pool, "h")]
    reader = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(
            QUASAR, "dataflow/reader_unary_transpose_wh_universal_input_cols_partitioned.cpp"
        ),
        core_ranges=all_cores,
        compile_time_args=[ht, wt, ht * wt, ONE, 0, *ttnn.TensorAccessorArgs(inp).get_compile_time_args()],
        # The reader sizes its column chunks by DEST_AUTO_LIMIT, as compute does: it needs the DEST config.
        defines=[*defines, ("ENABLE_FP32_DEST_ACC", "0"), ("DST_SYNC_FULL", "0")],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    computes = _computes([(g1, n1), (g2, n2)], lambda n: ht, lambda n: n, defines)
    return ttnn.ProgramDescriptor(
        kernels=[reader, _writer(out, all_cores, writer_rt), *computes],
        semaphores=[],
        cbs=_cbs(all_cores, inp.dtype),
    )


def _oracle(x: torch.Tensor, pool: str, dim: str) -> np.ndarray:
    """The output's bf16 bits (row results in column 0 for W, column results in row 0 for H) as the Wormhole
    model computes them: reduce_tile per input tile accumulating in one bf16 DEST tile, HiFi4, scaler 1.0, then
    packed."""
    u = x.float().contiguous().numpy().view("uint32")
    u = u.reshape(-1, x.shape[-2], x.shape[-1])
    ones = np.full((32, 32), ONE, np.uint32)
    n, h, w = u.shape
    tiles = lambda b, r, c: u[b, r * 32 : (r + 1) * 32, c * 32 : (c + 1) * 32]
    if dim == "w":
        want = np.zeros((n, h), np.uint32)
        for b in range(n):
            for r in range(h // 32):
                d = None
                for c in range(w // 32):
                    d = wh_oracle.reduce(pool, "row", tiles(b, r, c), ones, dst=d, had=d is not None)
                want[b, r * 32 : (r + 1) * 32] = wh_oracle.pack_bf16(d)[:, 0]
        return want
    want = np.zeros((n, w), np.uint32)
    for b in range(n):
        for c in range(w // 32):
            d = None
            for r in range(h // 32):
                d = wh_oracle.reduce(pool, "col", tiles(b, r, c), ones, dst=d, had=d is not None)
            want[b, c * 32 : (c + 1) * 32] = wh_oracle.pack_bf16(d)[0, :]
    return want


def _run(device, pool: str, dim: str):
    torch.manual_seed(0)
    x = torch.randn(2, 1, 96, 320).to(torch.bfloat16)  # NC 2, Ht 3, Wt 10
    inp = wheel.to_device(x, device=device)
    n, c, h, w = x.shape
    out_shape = (n, c, h, 32) if dim == "w" else (n, c, 32, w)
    out = wheel.empty(out_shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device)
    build = reduce_w_descriptor if dim == "w" else reduce_h_descriptor
    ttnn.generic_op([inp, out], build(inp, out, pool))
    got = ttnn.to_torch(out)
    got = got[..., 0] if dim == "w" else got[..., 0, :]
    axis = -1 if dim == "w" else -2
    x64 = x.double()
    what = f"reduce {pool} along {dim.upper()}"
    if pool == "max":
        # A maximum of bf16 values is one of them: exact.
        wheel.assert_close(got, x64.amax(axis), what=what)
    else:
        # A 16-bit DEST rounds each tile's partial sums per face and fidelity phase (see hc_sum_reduce).
        largest = x64.abs().amax(axis)
        wheel.assert_close(got, x64.sum(axis), ulps=1, atol=24 * wheel.bf16_ulp(largest), what=what)
    have = got.float().contiguous().numpy().view("uint32").reshape(n * c, -1) >> 16
    off = int((have != _oracle(x, pool, dim)).sum())
    assert off == 0, f"{what}: {off} of {have.size} elements differ from the Wormhole model's bits"


def reduce_w_sum(device):
    _run(device, "sum", "w")


def reduce_w_max(device):
    _run(device, "max", "w")


def reduce_h_sum(device):
    _run(device, "sum", "h")


def reduce_h_max(device):
    _run(device, "max", "h")
