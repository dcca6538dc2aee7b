"""Emulator v2 compute: kernels written against the wheel's own compute API (api/compute/*.h, unmodified) run as
three TRISC threads over the emulator's LLK layer, and their output bits are Wormhole's, as the NumPy model of
the FPU (tests/emulator/wh_oracle.py, written from the hardware's rules) gives them: unpack truncation, the
FPU's element-wise arithmetic and broadcasts, every fidelity phase of a multiply, the packer's rounding."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import ttnn

from emulator import wheel_build
from emulator.launcher import EmulatorError
from tests.emulator import wh_oracle as wh
from tests.emulator.compute_lib import salted
from tests.emulator.programs import KERNELS, each_core

UNARY = "ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels/dataflow"
OPS = {"add": 0, "sub": 1, "mul": 2}
BCASTS = {"none": 0, "col": 1, "row": 2, "scalar": 3}
FIDELITY = {
    wh.LOFI: ttnn.MathFidelity.LoFi,
    wh.HIFI2: ttnn.MathFidelity.HiFi2,
    wh.HIFI3: ttnn.MathFidelity.HiFi3,
    wh.HIFI4: ttnn.MathFidelity.HiFi4,
}


@pytest.fixture(autouse=True)
def wheel_api(monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_API", "wheel")


def tiles(x: torch.Tensor) -> np.ndarray:
    """(..., H, W) -> (n, 32, 32) uint32 fp32 bit patterns, tile by tile in row-major tile order."""
    u = x.float().numpy().view(np.uint32)
    h, w = u.shape[-2:]
    return u.reshape(-1, h // 32, 32, w // 32, 32).transpose(0, 1, 3, 2, 4).reshape(-1, 32, 32)


def untiles(t: np.ndarray, shape) -> np.ndarray:
    h, w = shape[-2:]
    return t.reshape(-1, h // 32, w // 32, 32, 32).transpose(0, 1, 3, 2, 4).reshape(shape)


def packed(dest: np.ndarray, dtype, fp32_dest: bool) -> np.ndarray:
    """DEST bits -> the bits the packer writes, widened to uint32 (bf16 in the top half)."""
    if dtype == ttnn.bfloat16:
        return wh.pack_bf16(dest).astype(np.uint32) << 16
    return wh.pack_fp32(dest, fp32_dest)


def out_bits(out) -> np.ndarray:
    return ttnn.to_torch(out).float().numpy().view(np.uint32)


def writer(out, cores, rt):
    return ttnn.KernelDescriptor(
        kernel_source=str(wheel_build.wheel_root() / UNARY / "writer_unary_interleaved_start_id.cpp"),
        core_ranges=cores,
        compile_time_args=[16, *ttnn.TensorAccessorArgs(out).get_compile_time_args()],
        runtime_args=rt,
        config=ttnn.WriterConfigDescriptor(),
    )


def cb(index, tensor, cores, pages=2):
    page = tensor.buffer_page_size()
    return ttnn.CBDescriptor(
        total_size=pages * page,
        core_ranges=cores,
        format_descriptors=[
            ttnn.CBFormatDescriptor(buffer_index=index, data_format=tensor.dtype, page_size=page)
        ],
    )


def two_cores(units: int):
    """Cores (0,0) and (1,0), the units split between them: every hand-off of a multi-core program, with few kernel
    objects loaded (each core loads its own copy of each of the five RISCs' kernels)."""
    cores = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(1, 0))])
    first = (units + 1) // 2
    groups = [(ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(0, 0))]), first)]
    groups.append(
        (ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(1, 0), ttnn.CoreCoord(1, 0))]), units - first)
    )
    return cores, groups


def binary_program(a, b, out, op, bcast, row, fidelity, fp32_dest, skip_init=False):
    all_cores, groups = two_cores(a.buffer_num_pages())
    b_one = b.buffer_num_pages() == 1
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    start = 0
    for group, n in groups:
        for x, y in each_core(group):
            reader_rt[x][y] = [a.buffer_address(), b.buffer_address(), n, start, int(b_one)]
            writer_rt[x][y] = [out.buffer_address(), n, start]
            compute_rt[x][y] = [n]
            start += n
    reader = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "v2_reader_two_inputs.cpp"),
        core_ranges=all_cores,
        compile_time_args=[
            *ttnn.TensorAccessorArgs(a).get_compile_time_args(),
            *ttnn.TensorAccessorArgs(b).get_compile_time_args(),
        ],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    compute = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "v2_binary_tiles.cpp"),
        core_ranges=all_cores,
        compile_time_args=[OPS[op], BCASTS[bcast], row, int(skip_init)],
        runtime_args=compute_rt,
        config=ttnn.ComputeConfigDescriptor(math_fidelity=FIDELITY[fidelity], fp32_dest_acc_en=fp32_dest),
    )
    cbs = [cb(0, a, all_cores), cb(1, b, all_cores), cb(16, out, all_cores)]
    return ttnn.ProgramDescriptor(
        kernels=[reader, compute, writer(out, all_cores, writer_rt)], semaphores=[], cbs=cbs
    )


def run_binary(
    device,
    rng,
    op,
    bcast,
    *,
    dtype=ttnn.bfloat16,
    fidelity=wh.HIFI4,
    fp32_dest=False,
    row=0,
    shape=(1, 2, 64, 96),
    b_tiles=None,
):
    fmt = wh.BF16 if dtype == ttnn.bfloat16 else wh.FP32
    tdtype = torch.bfloat16 if dtype == ttnn.bfloat16 else torch.float32
    b_shape = shape if b_tiles is None else (1, 1, 32, 32)
    ua, ub = salted(rng, shape, fmt), salted(rng, b_shape, fmt)
    xa = torch.from_numpy(ua.view(np.float32).copy()).to(tdtype)
    xb = torch.from_numpy(ub.view(np.float32).copy()).to(tdtype)
    a = ttnn.from_torch(xa, dtype=dtype, layout=ttnn.TILE_LAYOUT, device=device)
    b = ttnn.from_torch(xb, dtype=dtype, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(a.spec, device)
    ttnn.generic_op([a, b, out], binary_program(a, b, out, op, bcast, row, fidelity, fp32_dest))
    ta, tb = tiles(xa), tiles(xb)
    want = np.stack(
        [
            wh.binary(
                op,
                ta[i],
                tb[0 if len(tb) == 1 else i],
                fmt_a=fmt,
                fmt_b=fmt,
                fidelity=fidelity,
                fp32_dest=fp32_dest,
                bcast=bcast,
                row=row,
            )
            for i in range(len(ta))
        ]
    )
    return out_bits(out), untiles(packed(want, dtype, fp32_dest), shape)


@pytest.mark.parametrize(
    "op, bcast, row",
    [
        ("add", "none", 0),
        ("sub", "col", 0),
        ("mul", "row", 17),
        ("add", "scalar", 0),
        pytest.param("mul", "none", 0, marks=pytest.mark.slow),
        pytest.param("sub", "none", 0, marks=pytest.mark.slow),
        pytest.param("add", "col", 0, marks=pytest.mark.slow),
        pytest.param("mul", "col", 0, marks=pytest.mark.slow),
        pytest.param("add", "row", 0, marks=pytest.mark.slow),
        pytest.param("sub", "row", 5, marks=pytest.mark.slow),
        pytest.param("sub", "scalar", 0, marks=pytest.mark.slow),
        pytest.param("mul", "scalar", 0, marks=pytest.mark.slow),
    ],
)
def test_binary_with_broadcast_is_bit_exact(device, rng, op, bcast, row):
    got, want = run_binary(device, rng, op, bcast, row=row, b_tiles=None if bcast == "none" else 1)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "op, dtype, fidelity, fp32_dest",
    [
        ("mul", ttnn.bfloat16, wh.LOFI, False),
        ("mul", ttnn.float32, wh.HIFI3, True),
        ("sub", ttnn.float32, wh.HIFI4, False),
        pytest.param("mul", ttnn.bfloat16, wh.HIFI2, False, marks=pytest.mark.slow),
        pytest.param("mul", ttnn.bfloat16, wh.HIFI4, True, marks=pytest.mark.slow),
        pytest.param("add", ttnn.float32, wh.HIFI4, True, marks=pytest.mark.slow),
    ],
)
def test_binary_formats_and_fidelity_are_bit_exact(device, rng, op, dtype, fidelity, fp32_dest):
    """Fidelity phases each round into DEST; fp32 data unpacks to TF32 (fp32 DEST) or bf16 (denormals flushed)."""
    got, want = run_binary(device, rng, op, "none", dtype=dtype, fidelity=fidelity, fp32_dest=fp32_dest)
    np.testing.assert_array_equal(got, want)


def test_binary_op_without_its_init_names_call_and_risc(device, rng):
    """add_tiles after compute_kernel_hw_startup but without add_init: the MATH thread stops naming the call."""
    x = torch.randn((1, 1, 32, 32), dtype=torch.bfloat16)
    a = ttnn.from_torch(x, layout=ttnn.TILE_LAYOUT, device=device)
    b = ttnn.from_torch(x, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(a.spec, device)
    program = binary_program(a, b, out, "add", "none", 0, wh.HIFI4, False, skip_init=True)
    with pytest.raises(
        EmulatorError,
        match=r"v2_binary_tiles\.cpp.*llk_math_eltwise_binary<ELWADD> \(add_tiles\).*without its own init",
    ):
        ttnn.generic_op([a, b, out], program)


@pytest.mark.parametrize(
    "dtype, fp32_dest, unpack_to_dest",
    [
        (ttnn.bfloat16, False, False),
        (ttnn.bfloat16, True, False),
        (ttnn.float32, True, True),
        (ttnn.float32, False, False),
        (ttnn.float32, True, False),
    ],
)
def test_copy_tile_pack_tile_are_bit_exact(device, rng, dtype, fp32_dest, unpack_to_dest):
    """copy_tile / pack_tile through the three TRISCs: the unpacker's truncation, the datacopy (an ELWADD with zero
    into an fp32 DEST), the packer's rounding and flush (-0 and denormals packed to bf16 become +0); fp32 unpacked
    straight into an fp32 DEST keeps all 32 bits."""
    from tests.emulator.test_v2_dataflow import copy_through_compute

    fmt = wh.BF16 if dtype == ttnn.bfloat16 else wh.FP32
    tdtype = torch.bfloat16 if dtype == ttnn.bfloat16 else torch.float32
    shape = (1, 2, 64, 96)
    x = torch.from_numpy(salted(rng, shape, fmt).view(np.float32).copy()).to(tdtype)
    inp = ttnn.from_torch(x, dtype=dtype, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(inp.spec, device)
    ttnn.generic_op([inp, out], copy_through_compute(inp, out, fp32_dest, unpack_to_dest))
    u = tiles(x)
    dest = u if unpack_to_dest else wh.datacopy(u, fmt, fp32_dest)
    np.testing.assert_array_equal(out_bits(out), untiles(packed(dest, dtype, fp32_dest), shape))


POOLS = {"sum": 0, "max": 2}
DIMS = {"row": 0, "col": 1, "scalar": 2}
KEPT = {
    "row": (slice(None), slice(0, 1)),
    "col": (slice(0, 1), slice(None)),
    "scalar": (slice(0, 1), slice(0, 1)),
}


def reduce_program(a, s, out, pool, dim, per_out, fidelity, fp32_dest):
    n = a.buffer_num_pages()
    all_cores, groups = two_cores(n // per_out)
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    start = 0
    for group, k in groups:
        for x, y in each_core(group):
            reader_rt[x][y] = [a.buffer_address(), s.buffer_address(), k * per_out, start * per_out, 1]
            writer_rt[x][y] = [out.buffer_address(), k, start]
            compute_rt[x][y] = [k * per_out]
            start += k
    reader = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "v2_reader_two_inputs.cpp"),
        core_ranges=all_cores,
        compile_time_args=[
            *ttnn.TensorAccessorArgs(a).get_compile_time_args(),
            *ttnn.TensorAccessorArgs(s).get_compile_time_args(),
        ],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    compute = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "v2_reduce_tiles.cpp"),
        core_ranges=all_cores,
        compile_time_args=[POOLS[pool], DIMS[dim], per_out],
        runtime_args=compute_rt,
        config=ttnn.ComputeConfigDescriptor(math_fidelity=FIDELITY[fidelity], fp32_dest_acc_en=fp32_dest),
    )
    cbs = [cb(0, a, all_cores), cb(1, s, all_cores), cb(16, out, all_cores)]
    return ttnn.ProgramDescriptor(
        kernels=[reader, compute, writer(out, all_cores, writer_rt)], semaphores=[], cbs=cbs
    )


@pytest.mark.parametrize(
    "pool, dim, per_out, fidelity, fp32_dest",
    [
        ("sum", "row", 3, wh.HIFI4, False),
        ("sum", "col", 2, wh.LOFI, True),
        ("max", "row", 2, wh.HIFI4, False),
        ("max", "col", 3, wh.HIFI4, True),
        pytest.param("sum", "scalar", 2, wh.HIFI2, False, marks=pytest.mark.slow),
        pytest.param("max", "scalar", 3, wh.HIFI4, False, marks=pytest.mark.slow),
    ],
)
def test_reduce_with_scaler_is_bit_exact(device, rng, pool, dim, per_out, fidelity, fp32_dest):
    """reduce_tile over `per_out` tiles into one DEST tile (the later ones accumulate), the scaler tile's row 0 of
    each face weighting the sum (max needs 1.0); the packer's edge mask leaves only the reduced column, row or
    corner."""
    shape = (1, 1, 64, 32 * per_out * 2)  # 4 output tiles
    u = salted(rng, shape, wh.BF16)
    if pool == "max":
        us = np.full((1, 1, 32, 32), 0x3F800000, np.uint32)
    else:
        us = rng.standard_normal((1, 1, 32, 32)).astype(np.float32).view(np.uint32) & np.uint32(0xFFFF0000)
    x = torch.from_numpy(u.view(np.float32).copy()).to(torch.bfloat16)
    xs = torch.from_numpy(us.view(np.float32).copy()).to(torch.bfloat16)
    a = ttnn.from_torch(x, layout=ttnn.TILE_LAYOUT, device=device)
    s = ttnn.from_torch(xs, layout=ttnn.TILE_LAYOUT, device=device)
    out_shape = (1, 1, 64, 64)
    out = ttnn.allocate_tensor_on_device(ttnn.TensorSpec(out_shape, ttnn.bfloat16, ttnn.TILE_LAYOUT), device)
    ttnn.generic_op([a, s, out], reduce_program(a, s, out, pool, dim, per_out, fidelity, fp32_dest))
    ta, ts = tiles(x), tiles(xs)[0]
    want = []
    for o in range(len(ta) // per_out):
        d = None
        for k in range(per_out):
            d = wh.reduce(
                pool, dim, ta[o * per_out + k], ts, fidelity=fidelity, fp32_dest=fp32_dest, dst=d, had=k > 0
            )
        kept = np.zeros_like(d)
        kept[KEPT[dim]] = d[KEPT[dim]]
        want.append(kept)
    np.testing.assert_array_equal(
        out_bits(out), untiles(packed(np.stack(want), ttnn.bfloat16, fp32_dest), out_shape)
    )


@pytest.mark.parametrize(
    "op, reuse", [("sub", 1), ("sub", 2), ("mul", 1), pytest.param("add", 2, marks=pytest.mark.slow)]
)
def test_binary_dest_reuse_is_bit_exact(device, rng, op, reuse):
    """copy_tile of A into DEST, then {op}_reuse_dest_tiles with B: DEST_TO_SRCA computes DEST op B, DEST_TO_SRCB
    computes B op DEST (the order shows in sub)."""
    shape = (1, 1, 64, 64)
    ua, ub = salted(rng, shape), salted(rng, shape)
    xa = torch.from_numpy(ua.view(np.float32).copy()).to(torch.bfloat16)
    xb = torch.from_numpy(ub.view(np.float32).copy()).to(torch.bfloat16)
    a = ttnn.from_torch(xa, layout=ttnn.TILE_LAYOUT, device=device)
    b = ttnn.from_torch(xb, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(a.spec, device)
    program = binary_program(a, b, out, op, "none", 0, wh.HIFI4, False)
    program.kernels[1].kernel_source = str(KERNELS / "v2_binary_dest_reuse.cpp")
    program.kernels[1].compile_time_args = [OPS[op], reuse]
    ttnn.generic_op([a, b, out], program)
    ta, tb = tiles(xa), tiles(xb)
    want = []
    for i in range(len(ta)):
        dest = wh.datacopy(ta[i], wh.BF16, False)
        first, second = (dest, tb[i]) if reuse == 1 else (tb[i], dest)
        want.append(wh.binary(op, first, second, fidelity=wh.HIFI4))
    np.testing.assert_array_equal(out_bits(out), untiles(packed(np.stack(want), ttnn.bfloat16, False), shape))


def face_storage(t: np.ndarray) -> np.ndarray:
    """32×32 row-major tile -> its 1024 datums in L1 storage (face) order."""
    return t.reshape(2, 16, 2, 16).transpose(0, 2, 1, 3).reshape(1024)


@pytest.mark.parametrize("wt, fp32_dest", [(4, False), (2, True)])
def test_pack_untilize_block_writes_row_major_rows(device, rng, wt, fp32_dest):
    """pack_untilize_block: a block row of Wt tiles lands in Wt CB pages as 32 rows of Wt·32 datums, each datum
    through the datacopy and the packer's rounding. The output pages are written out as they are, so the tiled
    output tensor's raw pages are the strip."""
    shape = (1, 1, 96, 32 * wt)
    u = salted(rng, shape)
    x = torch.from_numpy(u.view(np.float32).copy()).to(torch.bfloat16)
    inp = ttnn.from_torch(x, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(inp.spec, device)
    all_cores, groups = two_cores(shape[2] // 32)
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    start = 0
    for group, rows in groups:
        for cx, cy in each_core(group):
            reader_rt[cx][cy] = [inp.buffer_address(), rows * wt, start * wt]
            writer_rt[cx][cy] = [out.buffer_address(), rows * wt, start * wt]
            compute_rt[cx][cy] = [rows]
            start += rows
    root = wheel_build.wheel_root() / UNARY
    reader = ttnn.KernelDescriptor(
        kernel_source=str(root / "reader_unary_interleaved_start_id.cpp"),
        core_ranges=all_cores,
        compile_time_args=[*ttnn.TensorAccessorArgs(inp).get_compile_time_args()],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    compute = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "v2_pack_untilize.cpp"),
        core_ranges=all_cores,
        compile_time_args=[wt],
        runtime_args=compute_rt,
        config=ttnn.ComputeConfigDescriptor(fp32_dest_acc_en=fp32_dest),
    )
    cbs = [cb(0, inp, all_cores, wt), cb(16, out, all_cores, wt)]
    program = ttnn.ProgramDescriptor(
        kernels=[reader, compute, writer(out, all_cores, writer_rt)], semaphores=[], cbs=cbs
    )
    ttnn.generic_op([inp, out], program)
    raw = np.stack([face_storage(t) for t in tiles(ttnn.to_torch(out))])  # the output pages as written
    strips = raw.reshape(-1, 32, 32 * wt)  # each block row: Wt pages = 32 rows of Wt·32 datums
    rows = x.float().numpy().view(np.uint32).reshape(-1, 32, 32 * wt)
    want = packed(wh.datacopy(rows, wh.BF16, fp32_dest), ttnn.bfloat16, fp32_dest)
    np.testing.assert_array_equal(strips, want)


@pytest.mark.parametrize(
    "dtype, fp32_dest, unpack_to_dest",
    [
        pytest.param(ttnn.bfloat16, False, False, marks=pytest.mark.slow),
        (ttnn.float32, True, True),
        pytest.param(ttnn.float32, True, False, marks=pytest.mark.slow),
    ],
)
def test_transpose_tile_is_bit_exact(device, rng, dtype, fp32_dest, unpack_to_dest):
    """transpose_tile (transpose_wh): fp32 unpacked straight into an fp32 DEST is transposed there, all 32 bits kept;
    otherwise the unpacker transposes into SrcA and the datacopy follows."""
    from tests.emulator.test_v2_dataflow import copy_through_compute

    fmt = wh.BF16 if dtype == ttnn.bfloat16 else wh.FP32
    tdtype = torch.bfloat16 if dtype == ttnn.bfloat16 else torch.float32
    shape = (1, 1, 64, 96)
    x = torch.from_numpy(salted(rng, shape, fmt).view(np.float32).copy()).to(tdtype)
    inp = ttnn.from_torch(x, dtype=dtype, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(inp.spec, device)
    program = copy_through_compute(inp, out, fp32_dest, unpack_to_dest, kernel="v2_transpose_tiles.cpp")
    ttnn.generic_op([inp, out], program)
    want = np.stack(
        [
            wh.transpose_wh(t, fmt, fp32_dest and unpack_to_dest)
            if unpack_to_dest
            else wh.datacopy(t.T.copy(), fmt, fp32_dest)
            for t in tiles(x)
        ]
    )
    np.testing.assert_array_equal(out_bits(out), untiles(packed(want, dtype, fp32_dest), shape))


def matmul_program(a, b, out, kt, nt, rt, ct, transpose, block_form, fidelity, fp32_dest):
    blocks = a.buffer_num_pages() // (rt * kt)
    all_cores, groups = two_cores(blocks)
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    start = 0
    for group, n in groups:
        for x, y in each_core(group):
            reader_rt[x][y] = [a.buffer_address(), b.buffer_address(), n, start, rt, kt, nt]
            writer_rt[x][y] = [out.buffer_address(), n * rt * nt, start * rt * nt]
            compute_rt[x][y] = [n]
            start += n
    reader = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "v2_reader_matmul.cpp"),
        core_ranges=all_cores,
        compile_time_args=[
            *ttnn.TensorAccessorArgs(a).get_compile_time_args(),
            *ttnn.TensorAccessorArgs(b).get_compile_time_args(),
        ],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    compute = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "v2_matmul_block.cpp"),
        core_ranges=all_cores,
        compile_time_args=[kt, nt, rt, ct, int(transpose), int(block_form)],
        runtime_args=compute_rt,
        config=ttnn.ComputeConfigDescriptor(math_fidelity=FIDELITY[fidelity], fp32_dest_acc_en=fp32_dest),
    )
    cbs = [cb(0, a, all_cores, rt * kt), cb(1, b, all_cores, kt * nt), cb(16, out, all_cores, rt * ct)]
    return ttnn.ProgramDescriptor(
        kernels=[reader, compute, writer(out, all_cores, writer_rt)], semaphores=[], cbs=cbs
    )


def run_matmul(device, rng, *, dtype, fidelity, fp32_dest, rt, ct, transpose=False, block_form=True, mt=4, kt=3):
    """C = A · B (B's tiles each transposed with `transpose`) through matmul_block or matmul_tiles; returns the
    output pages as written and the oracle's, in the kernel's order (block row, column block, r·ct + c)."""
    nt = 2 * ct
    fmt = wh.BF16 if dtype == ttnn.bfloat16 else wh.FP32
    tdtype = torch.bfloat16 if dtype == ttnn.bfloat16 else torch.float32
    ua, ub = salted(rng, (1, 1, 32 * mt, 32 * kt), fmt), salted(rng, (1, 1, 32 * kt, 32 * nt), fmt)
    xa = torch.from_numpy(ua.view(np.float32).copy()).to(tdtype)
    xb = torch.from_numpy(ub.view(np.float32).copy()).to(tdtype)
    a = ttnn.from_torch(xa, dtype=dtype, layout=ttnn.TILE_LAYOUT, device=device)
    b = ttnn.from_torch(xb, dtype=dtype, layout=ttnn.TILE_LAYOUT, device=device)
    out_shape = (1, 1, 32 * mt, 32 * nt)
    out = ttnn.allocate_tensor_on_device(ttnn.TensorSpec(out_shape, dtype, ttnn.TILE_LAYOUT), device)
    program = matmul_program(a, b, out, kt, nt, rt, ct, transpose, block_form, fidelity, fp32_dest)
    ttnn.generic_op([a, b, out], program)
    ta, tb = tiles(xa).reshape(mt, kt, 32, 32), tiles(xb).reshape(kt, nt, 32, 32)
    if transpose:
        tb = tb.transpose(0, 1, 3, 2)
    want = []
    for blk in range(mt // rt):
        for c0 in range(0, nt, ct):
            for r in range(rt):
                for c in range(ct):
                    d = None
                    for k in range(kt):
                        d = wh.matmul(
                            ta[blk * rt + r, k], tb[k, c0 + c], fmt=fmt, fidelity=fidelity, fp32_dest=fp32_dest, dst=d
                        )
                    want.append(d)
    return tiles(ttnn.to_torch(out)), packed(np.stack(want), dtype, fp32_dest)


@pytest.mark.parametrize(
    "dtype, fidelity, fp32_dest, rt, ct, transpose, block_form",
    [
        (ttnn.bfloat16, wh.HIFI4, False, 2, 2, False, True),
        (ttnn.bfloat16, wh.LOFI, False, 1, 1, False, False),
        (ttnn.float32, wh.HIFI4, True, 1, 2, False, True),
        (ttnn.bfloat16, wh.HIFI2, False, 2, 1, True, True),
        pytest.param(ttnn.bfloat16, wh.HIFI3, False, 1, 2, False, False, marks=pytest.mark.slow),
        pytest.param(ttnn.bfloat16, wh.HIFI4, True, 2, 2, False, True, marks=pytest.mark.slow),
        pytest.param(ttnn.float32, wh.HIFI2, True, 2, 1, True, False, marks=pytest.mark.slow),
        pytest.param(ttnn.float32, wh.LOFI, False, 1, 1, False, True, marks=pytest.mark.slow),
    ],
)
def test_matmul_is_bit_exact(device, rng, dtype, fidelity, fp32_dest, rt, ct, transpose, block_form):
    """matmul_block (rt × ct output tiles per call, in0 tiles r·Kt apart) and matmul_tiles accumulate Kt products in
    DEST: one MVMUL per output face, inner face and fidelity phase, each rounding into DEST; in0 through SrcB, in1
    through SrcA (TF32 for fp32 data into an fp32 DEST), in1's tiles transposed with `transpose`."""
    got, want = run_matmul(
        device, rng, dtype=dtype, fidelity=fidelity, fp32_dest=fp32_dest, rt=rt, ct=ct, transpose=transpose,
        block_form=block_form,
    )
    np.testing.assert_array_equal(got, want)


def layout_program(inp, out, wt, untilize, fp32_dest, unpack_to_dest):
    """Reader and writer copy pages as they are; the compute kernel tilizes or untilizes each block row of Wt."""
    from tests.emulator.test_v2_dataflow import compute_config

    all_cores, groups = two_cores(inp.padded_shape[-2] // 32)
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    start = 0
    for group, rows in groups:
        for cx, cy in each_core(group):
            reader_rt[cx][cy] = [inp.buffer_address(), rows * wt, start * wt]
            writer_rt[cx][cy] = [out.buffer_address(), rows * wt, start * wt]
            compute_rt[cx][cy] = [rows]
            start += rows
    reader = ttnn.KernelDescriptor(
        kernel_source=str(wheel_build.wheel_root() / UNARY / "reader_unary_interleaved_start_id.cpp"),
        core_ranges=all_cores,
        compile_time_args=[*ttnn.TensorAccessorArgs(inp).get_compile_time_args()],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    compute = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "v2_tilize_untilize.cpp"),
        core_ranges=all_cores,
        compile_time_args=[wt, int(untilize)],
        runtime_args=compute_rt,
        config=compute_config(fp32_dest, unpack_to_dest),
    )
    cbs = [cb(0, inp, all_cores, wt), cb(16, out, all_cores, wt)]
    return ttnn.ProgramDescriptor(
        kernels=[reader, compute, writer(out, all_cores, writer_rt)], semaphores=[], cbs=cbs
    )


@pytest.mark.parametrize(
    "untilize, dtype, fp32_dest, unpack_to_dest",
    [
        (False, ttnn.bfloat16, False, False),
        (True, ttnn.bfloat16, False, False),
        (False, ttnn.float32, True, True),
        (True, ttnn.float32, True, False),
        pytest.param(True, ttnn.float32, True, True, marks=pytest.mark.slow),
        pytest.param(False, ttnn.float32, False, False, marks=pytest.mark.slow),
    ],
)
def test_tilize_and_untilize_unpack_are_bit_exact(device, rng, untilize, dtype, fp32_dest, unpack_to_dest):
    """tilize_block reads each 32-row strip of Wt pages as row-major rows and writes Wt tiles; the unpack-based
    untilize_block does the reverse. The pages travel as they are (a tiled tensor's raw pages stand for the strip),
    each datum through the unpacker's conversion, the datacopy and the packer's rounding."""
    wt = 3
    fmt = wh.BF16 if dtype == ttnn.bfloat16 else wh.FP32
    tdtype = torch.bfloat16 if dtype == ttnn.bfloat16 else torch.float32
    shape = (1, 1, 96, 32 * wt)
    x = torch.from_numpy(salted(rng, shape, fmt).view(np.float32).copy()).to(tdtype)
    inp = ttnn.from_torch(x, dtype=dtype, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(inp.spec, device)
    ttnn.generic_op([inp, out], layout_program(inp, out, wt, untilize, fp32_dest, unpack_to_dest))
    pages = np.stack([face_storage(t) for t in tiles(x)])  # the input pages as stored
    got = np.stack([face_storage(t) for t in tiles(ttnn.to_torch(out))])  # the output pages as written
    strips = pages.reshape(-1, 32, 32 * wt)
    if untilize:  # page order -> row-major strip, written 1024 datums per page
        rows = np.stack([np.concatenate([t.reshape(32, 32) for t in tiles(x)[b * wt : (b + 1) * wt]], axis=1) for b in range(len(strips))])
        want_raw = rows.reshape(-1, 1024)
    else:  # strip columns -> tiles in face order
        want_raw = np.stack([face_storage(s[:, t * 32 : (t + 1) * 32]) for s in strips for t in range(wt)])
    dest = want_raw if unpack_to_dest and fp32_dest else wh.datacopy(want_raw, fmt, fp32_dest)
    np.testing.assert_array_equal(got, packed(dest, dtype, fp32_dest))


# ---- format reconfiguration ------------------------------------------------------------------------------------------
# The reader fills CB 0 with one bf16 page and CB 1 with one fp32 page of 1.0; CB 16 is bf16, CB 17 fp32.
FILL_BF16_AND_FP32 = (
    "void kernel_main() {\n"
    "    cb_reserve_back(0, 1);\n"
    "    auto* p = reinterpret_cast<volatile uint32_t*>(get_write_ptr(0));\n"
    "    for (int i = 0; i < 512; ++i) p[i] = 0x3f803f80u;\n"
    "    cb_push_back(0, 1);\n"
    "    cb_reserve_back(1, 1);\n"
    "    auto* q = reinterpret_cast<volatile uint32_t*>(get_write_ptr(1));\n"
    "    for (int i = 0; i < 1024; ++i) q[i] = 0x3f800000u;\n"
    "    cb_push_back(1, 1);\n"
    "}\n"
)
MIXED_CBS = ((0, 2, 2048), (1, 2, 4096, ttnn.float32), (16, 2, 2048), (17, 2, 4096, ttnn.float32))


def copy_and_pack(src_cb: int, out_cb: int, reconfig: str = "") -> str:
    """copy_tile of CB src_cb's front into DEST and pack_tile into out_cb, the unpacker and packer configured for
    CB 0 and CB 16 by compute_kernel_hw_startup; `reconfig` runs before the copy."""
    return (
        '#include "api/compute/reconfig_data_format.h"\n#include "api/compute/pack.h"\n'
        "void kernel_main() {\n"
        "    compute_kernel_hw_startup(0, 16);\n"
        f"    {reconfig}\n"
        f"    copy_init({src_cb});\n"
        f"    cb_wait_front({src_cb}, 1);\n"
        "    tile_regs_acquire();\n"
        f"    copy_tile({src_cb}, 0, 0);\n"
        "    tile_regs_commit();\n"
        "    tile_regs_wait();\n"
        f"    cb_reserve_back({out_cb}, 1);\n"
        f"    pack_tile(0, {out_cb});\n"
        f"    cb_push_back({out_cb}, 1);\n"
        "    tile_regs_release();\n"
        f"    cb_pop_front({src_cb}, 1);\n"
        "}\n"
    )


@pytest.mark.parametrize(
    "src_cb, out_cb, reconfig, pattern",
    [
        (
            1,
            16,
            "",
            r"llk_unpack_A.*CB 1 holds Float32 data but the SrcA unpacker is configured for Float16_b \(set from CB 0\)"
            r".*reconfig_data_format_srca\(1\)",
        ),
        (
            0,
            17,
            "",
            r"llk_pack \(pack_tile\).*CB 17 holds Float32 data but the packer is configured for Float16_b \(set from "
            r"CB 16\).*pack_reconfig_data_format\(17\)",
        ),
        (
            1,
            16,
            "reconfig_data_format_srca(0, 16);",  # old and new CB formats alike: the LLK changes nothing
            r"CB 1 holds Float32 data but the SrcA unpacker is configured for Float16_b",
        ),
    ],
)
def test_format_change_without_reconfig_is_named(device, src_cb, out_cb, reconfig, pattern):
    """Unpacking or packing a CB whose data format differs from the one the unpacker/packer was configured for: the
    hardware would reinterpret the bytes, the emulator stops naming the call, CB, kernel, core and RISC."""
    from tests.emulator.test_v2_strict import expect

    msg = expect(
        device, EmulatorError, pattern, reader=FILL_BF16_AND_FP32, compute=copy_and_pack(src_cb, out_cb, reconfig),
        cbs=MIXED_CBS,
    )
    assert re.search(r"<inline kernel>:\d+ \[compute \(TRISC[02], (un)?pack\), core \(1,2\)\]", msg), msg


@pytest.mark.parametrize(
    "src_cb, out_cb, reconfig",
    [
        (1, 16, "reconfig_data_format_srca(1);"),
        (0, 17, "pack_reconfig_data_format(17);"),
        (1, 17, "reconfig_data_format_srca(0, 1); pack_reconfig_data_format(16, 17);"),
    ],
)
def test_format_change_with_reconfig_runs(device, src_cb, out_cb, reconfig):
    """The same copies with the reconfiguration they need run to the end."""
    from tests.emulator.test_v2_strict import run

    run(device, reader=FILL_BF16_AND_FP32, compute=copy_and_pack(src_cb, out_cb, reconfig), cbs=MIXED_CBS)


@pytest.mark.parametrize(
    "bcast, dtype, fp32_dest, unpack_to_dest",
    [
        ("col", ttnn.bfloat16, False, False),
        ("row", ttnn.bfloat16, False, False),
        ("scalar", ttnn.bfloat16, True, False),
        ("row", ttnn.float32, True, False),
        ("col", ttnn.float32, True, True),
        pytest.param("scalar", ttnn.float32, False, False, marks=pytest.mark.slow),
        pytest.param("col", ttnn.float32, True, False, marks=pytest.mark.slow),
    ],
)
def test_unary_bcast_is_bit_exact(device, rng, bcast, dtype, fp32_dest, unpack_to_dest):
    """unary_bcast: the tile unpacked to SrcB, its column 0 / row 0 / first datum spread over DEST -- ROW by MOVB2D
    (the SrcB bits: bf16, or TF32 for fp32 data into an fp32 DEST), COL and SCALAR by an ELWADD onto zero (denormals
    and -0 to +0, NaN to Inf); fp32 unpacked straight to an fp32 DEST broadcasts all 32 bits."""
    from tests.emulator.test_v2_dataflow import copy_through_compute

    fmt = wh.BF16 if dtype == ttnn.bfloat16 else wh.FP32
    tdtype = torch.bfloat16 if dtype == ttnn.bfloat16 else torch.float32
    shape = (1, 1, 64, 96)
    x = torch.from_numpy(salted(rng, shape, fmt).view(np.float32).copy()).to(tdtype)
    inp = ttnn.from_torch(x, dtype=dtype, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(inp.spec, device)
    program = copy_through_compute(inp, out, fp32_dest, unpack_to_dest, kernel="v2_unary_bcast.cpp")
    compute = next(k for k in program.kernels if k.kernel_source.endswith("v2_unary_bcast.cpp"))
    compute.compile_time_args = [BCASTS[bcast]]
    ttnn.generic_op([inp, out], program)
    want = []
    for t in tiles(x):
        if unpack_to_dest and fp32_dest:
            want.append(wh.broadcast_b(t, bcast))
            continue
        src = wh.broadcast_b(wh.unpack(t, fmt, fp32_dest), bcast)
        if bcast == "row":  # MOVB2D: the SrcB bits (bf16 unless SrcB holds TF32 for an fp32 DEST)
            want.append(src & np.uint32(0xFFFFE000 if fp32_dest and fmt == wh.FP32 else 0xFFFF0000))
        else:  # ELWADD of the datum onto a zero SrcA
            want.append(wh.elwadd(np.zeros_like(src), src, np.zeros_like(src), fp32_dest))
    np.testing.assert_array_equal(out_bits(out), untiles(packed(np.stack(want), dtype, fp32_dest), shape))
