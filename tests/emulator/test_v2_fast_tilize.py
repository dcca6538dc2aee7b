"""Emulator v2 fast tilize: api/compute/tilize.h's fast_tilize_* (called directly, and picked by the wheel's
compute_kernel_lib::tilize for bf16 and, in its default Fp32Mode, fp32 data) run on Wormhole's path -- the strip
through SrcA and SrcB in units of 1, 2 or 3 tiles, MOVA2D/MOVB2D into DEST, the packer -- and their output bits are
those of tests/emulator/wh_oracle.py's fast_tilize (TF32 truncation of fp32 data, the Src zero flag, the packer's
rounding) placed in tile order. Inputs are row-major tensors of random values salted with denormals, ±0, ±Inf and
NaNs; block widths cover every unit split of tilize.h (unit_dim 1, 2s, a closing 3, more than two DEST halves)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import ttnn

from emulator import chlkc_descriptors, wheel_build
from emulator.launcher import EmulatorError
from tests.emulator import wh_oracle as wh
from tests.emulator.compute_lib import salted
from tests.emulator.programs import KERNELS, each_core

WRITER = "ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels/dataflow/writer_unary_interleaved_start_id.cpp"
FMT = {ttnn.bfloat16: wh.BF16, ttnn.float32: wh.FP32}
TORCH = {ttnn.bfloat16: torch.bfloat16, ttnn.float32: torch.float32}


@pytest.fixture(autouse=True)
def wheel_api(monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_API", "wheel")


def two_cores(blocks: int):
    """Cores (0,0) and (1,0), the block rows split between them (the second may get none)."""
    cores = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(1, 0))])
    first = (blocks + 1) // 2
    one = lambda x: ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(x, 0), ttnn.CoreCoord(x, 0))])
    return cores, [(one(0), first), (one(1), blocks - first)]


def program(
    inp, out, wt, *, helper, keep_zero=False, fp32_dest=False, full_sync=False, block_wt=None, pack_before_uninit=False
):
    """The rows of `inp` (row-major, one row per page) read into CB 0; a compute kernel tilizes
    each block of 32 rows into Wt tiles of CB 16; the wheel's writer writes them into `out` (TILE layout)."""
    blocks = inp.padded_shape[-2] // 32
    cores, groups = two_cores(blocks)
    stick = inp.buffer_page_size()
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    start = 0
    for group, n in groups:
        for x, y in each_core(group):
            reader_rt[x][y] = [inp.buffer_address(), start * 32, n * 32, stick]
            writer_rt[x][y] = [out.buffer_address(), n * wt, start * wt]
            compute_rt[x][y] = [n] if helper else [n, wt, block_wt or wt]
            start += n
    reader = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "v2_fast_tilize_rows_reader.cpp"),
        core_ranges=cores,
        compile_time_args=[*ttnn.TensorAccessorArgs(inp).get_compile_time_args()],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    config = ttnn.ComputeConfigDescriptor(fp32_dest_acc_en=fp32_dest)
    config.dst_full_sync_en = full_sync
    compute = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / ("v2_fast_tilize_helper.cpp" if helper else "v2_fast_tilize.cpp")),
        core_ranges=cores,
        compile_time_args=[wt] if helper else [int(keep_zero), int(pack_before_uninit)],
        runtime_args=compute_rt,
        config=config,
    )
    writer = ttnn.KernelDescriptor(
        kernel_source=str(wheel_build.wheel_root() / WRITER),
        core_ranges=cores,
        compile_time_args=[16, *ttnn.TensorAccessorArgs(out).get_compile_time_args()],
        runtime_args=writer_rt,
        config=ttnn.WriterConfigDescriptor(),
    )
    tile = out.buffer_page_size()
    cbs = [
        ttnn.CBDescriptor(
            total_size=64 * stick,
            core_ranges=cores,
            format_descriptors=[ttnn.CBFormatDescriptor(buffer_index=0, data_format=inp.dtype, page_size=stick)],
        ),
        ttnn.CBDescriptor(
            total_size=2 * wt * tile,
            core_ranges=cores,
            format_descriptors=[ttnn.CBFormatDescriptor(buffer_index=16, data_format=out.dtype, page_size=tile)],
        ),
    ]
    return ttnn.ProgramDescriptor(kernels=[reader, compute, writer], semaphores=[], cbs=cbs)


def run(device, rng, dtype, out_dtype, wt, blocks=2, **kw):
    """(output bits, input bits), both (H, W) uint32 fp32 patterns, of one fast tilize of fresh salted rows."""
    shape = (1, 1, 32 * blocks, 32 * wt)
    x = torch.from_numpy(salted(rng, shape, FMT[dtype]).view(np.float32).copy()).to(TORCH[dtype])
    inp = ttnn.from_torch(x, dtype=dtype, layout=ttnn.ROW_MAJOR_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(
        ttnn.TensorSpec(shape, out_dtype, ttnn.TILE_LAYOUT, buffer_type=ttnn.BufferType.DRAM), device
    )
    ttnn.generic_op([inp, out], program(inp, out, wt, **kw))
    got = ttnn.to_torch(out).float().numpy().view(np.uint32).reshape(shape[-2:])
    return got, x.float().numpy().view(np.uint32).reshape(shape[-2:])


def expected(u, dtype, out_dtype, fp32_dest, keep_zero=False):
    return wh.fast_tilize(u, FMT[dtype], fp32_dest, FMT[out_dtype], keep_zero).reshape(u.shape)


# Block widths: 1 (unit_dim 1), 2, 3 (one unit of 3), 5 (2 + 3), 8/4 (one full DEST half), 9, 11, 17 and 20
# (several DEST halves, the last two balanced, a closing 3); the slow cases add the rest.
@pytest.mark.parametrize(
    "dtype, out_dtype, fp32_dest, widths",
    [
        pytest.param(ttnn.bfloat16, ttnn.bfloat16, False, (1, 5, 20), id="bf16-dest16"),
        pytest.param(ttnn.bfloat16, ttnn.bfloat16, True, (3, 9), id="bf16-dest32"),
        pytest.param(ttnn.float32, ttnn.float32, True, (2, 9), id="fp32-tf32-to-fp32"),
        pytest.param(ttnn.float32, ttnn.bfloat16, True, (7,), id="fp32-tf32-to-bf16"),
        pytest.param(ttnn.float32, ttnn.float32, False, (6,), id="fp32-bf16-dest16"),
        pytest.param(ttnn.bfloat16, ttnn.bfloat16, False, (2, 3, 8, 11, 17), id="bf16-dest16-more", marks=pytest.mark.slow),
        pytest.param(ttnn.bfloat16, ttnn.bfloat16, True, (1, 4, 5, 12), id="bf16-dest32-more", marks=pytest.mark.slow),
        pytest.param(ttnn.float32, ttnn.float32, True, (1, 3, 4, 5, 10), id="fp32-tf32-more", marks=pytest.mark.slow),
        pytest.param(ttnn.float32, ttnn.bfloat16, False, (1, 3, 16), id="fp32-bf16-to-bf16", marks=pytest.mark.slow),
    ],
)
def test_fast_tilize_is_bit_exact(device, rng, dtype, out_dtype, fp32_dest, widths):
    """fast_tilize_init/block/uninit, one kernel build over several block widths (Wt is a runtime argument): fp32
    data is TF32 in the source registers and DEST with fp32 DEST accumulation (NaNs whose payload sits in the low 13
    bits become Inf), bf16 otherwise; exponent-0 data (±0, denormals) becomes +0 in the moves; the packer rounds."""
    for wt in widths:
        got, u = run(device, rng, dtype, out_dtype, wt, helper=False, fp32_dest=fp32_dest)
        want = expected(u, dtype, out_dtype, fp32_dest)
        np.testing.assert_array_equal(got, want, err_msg=f"Wt={wt}")


def test_fast_tilize_keeps_denormals_after_copy_init(device, rng):
    """copy_init sets the Src zero flag, which fast_tilize_init leaves alone: TF32 denormals and −0 then reach an
    fp32 output, where after compute_kernel_hw_startup alone they are +0 (the previous test)."""
    got, u = run(device, rng, ttnn.float32, ttnn.float32, 5, helper=False, fp32_dest=True, keep_zero=True)
    want = expected(u, ttnn.float32, ttnn.float32, True, keep_zero=True)
    np.testing.assert_array_equal(got, want)
    small = (u & 0x7F800000) == 0
    assert np.any((want != 0) & small), "the salted input holds denormals or −0 that survive"


@pytest.mark.parametrize(
    "dtype, fp32_dest, wt",
    [
        pytest.param(ttnn.bfloat16, False, 5, id="bf16-Wt5"),
        pytest.param(ttnn.float32, True, 9, id="fp32-tf32-Wt9"),
        pytest.param(ttnn.bfloat16, True, 1, id="bf16-dest32-Wt1", marks=pytest.mark.slow),
        pytest.param(ttnn.bfloat16, False, 20, id="bf16-Wt20", marks=pytest.mark.slow),
        pytest.param(ttnn.float32, False, 2, id="fp32-bf16-Wt2", marks=pytest.mark.slow),
    ],
)
def test_compute_kernel_lib_tilize_takes_fast_tilize(device, rng, dtype, fp32_dest, wt):
    """compute_kernel_lib::tilize<Wt, in, out>(blocks, rows) from the wheel's tilize_helpers.hpp on row-sized
    pages: bf16 and fp32 inputs into a bf16 output take fast tilize (fp32 truncated to TF32 with an fp32 DEST)."""
    got, u = run(device, rng, dtype, ttnn.bfloat16, wt, helper=True, fp32_dest=fp32_dest)
    np.testing.assert_array_equal(got, expected(u, dtype, ttnn.bfloat16, fp32_dest))


def test_fast_tilize_of_fp32_is_tf32_not_exact(device, rng):
    """The oracle's fp32 case is not the identity: the same salted data packed as fp32 loses its low 13 mantissa
    bits (so the bit-exact tests above see the truncation, not a copy)."""
    got, u = run(device, rng, ttnn.float32, ttnn.float32, 2, helper=False, fp32_dest=True)
    finite = (u & 0x7F800000) != 0
    assert np.any(got[finite] != u[finite]) and np.all((got[finite] & 0x1FFF) == 0)


def test_fast_tilize_in_full_sync_fails_naming_the_call(device, rng):
    """tt-llk's fast tilize splits each DEST half into top and bottom faces: with dst_full_sync_en the op fails
    naming the call instead of returning what the hardware would scramble."""
    with pytest.raises(EmulatorError, match=r"fast_tilize_init.*SyncHalf"):
        run(device, rng, ttnn.bfloat16, ttnn.bfloat16, 2, helper=False, full_sync=True)


def test_fast_tilize_block_of_another_width_fails_naming_the_call(device, rng):
    """fast_tilize_init programs the unpackers' tile descriptors for the strip width it is given; a block naming
    another width would read rows at the wrong stride, so the op fails naming the call and both widths."""
    with pytest.raises(EmulatorError, match=r"llk_unpack_fast_tilize_block \(fast_tilize_block\).*full_dim 2.*4 tiles"):
        run(device, rng, ttnn.bfloat16, ttnn.bfloat16, 4, blocks=1, helper=False, block_wt=2)


def test_pack_tile_before_fast_tilize_uninit_fails_naming_the_call(device, rng):
    """fast_tilize_init reprograms the packer (its MOP, address mods and DEST offsets) until fast_tilize_uninit; a
    pack_tile in between would pack with them, so the op fails naming the call."""
    with pytest.raises(EmulatorError, match=r"llk_pack \(pack_tile\).*fast_tilize_uninit"):
        run(device, rng, ttnn.bfloat16, ttnn.bfloat16, 2, blocks=1, helper=False, pack_before_uninit=True)


def test_pack_src_format_follows_the_jit():
    """The chlkc descriptor's pack format for a bf16 CB under fp32 DEST accumulation is Float16_b, as tt-metal's
    JIT gives it (fast tilize's packer reads DEST at 32 bits only for an input CB packed from Float32)."""
    fp32, bf16 = chlkc_descriptors.FLOAT32, chlkc_descriptors.FLOAT16_B
    assert chlkc_descriptors.pack_src(bf16, True, chlkc_descriptors.TF32) == bf16
    assert chlkc_descriptors.pack_src(fp32, True, chlkc_descriptors.TF32) == fp32
    assert chlkc_descriptors.pack_src(fp32, False, bf16) == bf16
