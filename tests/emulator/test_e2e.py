"""End-to-end programs on the emulator through ttnn.generic_op: exact against independent references."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
import ttnn

from tests.emulator import kernel_cache, programs
from tests.emulator import wh_oracle as W
from tests.emulator.bf16 import bits, tf32_truncate

DTYPES = {torch.bfloat16: ttnn.bfloat16, torch.float32: ttnn.float32}


@pytest.mark.parametrize(
    "shape",
    [(1, 1, 32, 32), (2, 3, 64, 96), (1, 1, 320, 64), (4, 1, 32, 2048)],
    ids=lambda s: "x".join(map(str, s)),
)
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float32], ids=["bf16", "fp32"])
def test_row_major_copy_is_exact(device, shape, dtype):
    x = torch.randn(shape).to(dtype)
    inp = ttnn.from_torch(
        x,
        dtype=DTYPES[dtype],
        layout=ttnn.ROW_MAJOR_LAYOUT,
        device=device,
        memory_config=ttnn.DRAM_MEMORY_CONFIG,
    )
    out = ttnn.allocate_tensor_on_device(
        inp.shape, DTYPES[dtype], ttnn.ROW_MAJOR_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG
    )
    result = ttnn.generic_op([inp, out], programs.rm_copy(inp, out))
    assert result is out
    assert torch.equal(ttnn.to_torch(result), x)


def test_uint32_row_major_copy_is_exact(device):
    x = torch.randint(0, 2**31 - 1, (1, 1, 64, 64), dtype=torch.int32)
    inp = ttnn.from_torch(x, dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(
        inp.shape, ttnn.uint32, ttnn.ROW_MAJOR_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG
    )
    ttnn.generic_op([inp, out], programs.rm_copy(inp, out))
    assert torch.equal(ttnn.to_torch(out).to(torch.int64), x.to(torch.int64))


@pytest.mark.parametrize("op", ["add", "mul"])
@pytest.mark.parametrize(
    "shape", [(1, 1, 32, 32), (1, 3, 96, 160), (2, 2, 256, 256)], ids=lambda s: "x".join(map(str, s))
)
def test_multicore_tiled_eltwise_binary_is_exact(device, op, shape):
    """65+ tiles over the 8x8 grid in two core groups (split_work_to_cores), compute CT args per group,
    defines select the op; expected bits from the Wormhole model (ELWADD aligns to the larger operand's 11-bit
    grid, ELWMUL rounds each HiFi4 phase into the bf16 DEST, the packer writes -0 as +0)."""
    a = torch.randn(shape).to(torch.bfloat16)
    b = torch.randn(shape).to(torch.bfloat16)
    ta = ttnn.from_torch(a, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    tb = ttnn.from_torch(b, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(
        ta.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG
    )
    defines = [("ELTWISE_OP", f"{op}_tiles"), ("ELTWISE_OP_INIT", f"{op}_init")]
    ttnn.generic_op([ta, tb, out], programs.eltwise([ta, tb], out, defines))
    expected = W.pack_bf16(W.binary(op, wide(a), wide(b)))
    np.testing.assert_array_equal(bits(ttnn.to_torch(out)), expected)


def test_fp32_copy_through_dest(device):
    """fp32 through SrcA is truncated to TF32; with UnpackToDestFp32 it reaches fp32 DEST unchanged."""
    x = torch.randn(1, 1, 64, 64, dtype=torch.float32)
    inp = ttnn.from_torch(x, dtype=ttnn.float32, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(
        inp.shape, ttnn.float32, ttnn.TILE_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG
    )
    ttnn.generic_op([inp, out], programs.eltwise([inp], out, [], fp32_dest_acc_en=True, unpack_to_dest=True))
    assert torch.equal(ttnn.to_torch(out), x)
    ttnn.generic_op([inp, out], programs.eltwise([inp], out, [], fp32_dest_acc_en=True))
    np.testing.assert_array_equal(ttnn.to_torch(out).numpy(), tf32_truncate(x.numpy()))


def test_sfpu_sqrt_within_one_bf16_ulp(device):
    x = (torch.rand(1, 1, 64, 128) * 100 + 1e-3).to(torch.bfloat16)
    inp = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(
        inp.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG
    )
    ttnn.generic_op(
        [inp, out], programs.eltwise([inp], out, [("SFPU_OP_CHAIN_0", "sqrt_tile_init(); sqrt_tile(0);")])
    )
    ulps = np.abs(
        bits(ttnn.to_torch(out)).astype(np.int32)
        - bits(torch.from_numpy(np.sqrt(x.double().numpy())).to(torch.bfloat16)).astype(np.int32)
    )
    assert ulps.max() <= 1


def test_second_launch_does_not_rebuild(device):
    import subprocess

    x = torch.randn(1, 1, 32, 64).to(torch.bfloat16)
    inp = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(
        inp.shape, ttnn.bfloat16, ttnn.ROW_MAJOR_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG
    )
    ttnn.generic_op([inp, out], programs.rm_copy(inp, out))
    calls = []
    original = subprocess.run

    def spy(cmd, *a, **k):
        if kernel_cache.is_compilation(cmd):  # g++, or clang on the wheel's API
            calls.append(cmd)
        return original(cmd, *a, **k)

    subprocess.run = spy
    try:
        ttnn.generic_op([inp, out], programs.rm_copy(inp, out))
    finally:
        subprocess.run = original
    assert calls == []
    assert torch.equal(ttnn.to_torch(out), x)


@pytest.mark.parametrize(
    "kind, op, init",
    [
        (0, "mul_tiles_bcast_cols", "mul_bcast_cols_init"),
        (1, "mul_tiles_bcast_rows", "mul_bcast_rows_init"),
        (2, "mul_tiles_bcast_scalar", "mul_bcast_scalar_init"),
    ],
    ids=["col", "row", "scalar"],
)
def test_broadcast_constant_tiles_from_the_generators(device, kind, op, init):
    """generate_bcast_{col,row,unary}_scalar write only what the broadcast reads; the rest of the tile is
    never-written L1, which the emulator must not flag. Expected bits from the Wormhole model (HiFi4 ELWMUL
    phases, each rounded into the bf16 DEST)."""
    x = torch.randn(1, 1, 64, 64).to(torch.bfloat16)
    scalar = torch.tensor([1.0 + torch.rand(1).item()]).to(torch.bfloat16)
    packed = int(bits(scalar)[0])
    inp = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(
        inp.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG
    )
    core = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(3, 3), ttnn.CoreCoord(3, 3))])
    n = inp.buffer_num_pages()
    reader_rt, writer_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    reader_rt[3][3] = [inp.buffer_address(), n, (packed << 16) | packed]
    writer_rt[3][3] = [out.buffer_address(), n, 0]
    cbs = [
        ttnn.CBDescriptor(
            total_size=2 * 2048,
            core_ranges=core,
            format_descriptors=[
                ttnn.CBFormatDescriptor(buffer_index=i, data_format=ttnn.bfloat16, page_size=2048)
            ],
        )
        for i in (0, 1, 16)
    ]
    kernels = [
        ttnn.KernelDescriptor(
            kernel_source=str(programs.KERNELS / "bcast_const_reader.cpp"),
            core_ranges=core,
            compile_time_args=ttnn.TensorAccessorArgs(inp).get_compile_time_args(),
            defines=[("BCAST_KIND", str(kind))],
            runtime_args=reader_rt,
            config=ttnn.ReaderConfigDescriptor(),
        ),
        programs.tile_writer(out, core, writer_rt),
        ttnn.KernelDescriptor(
            kernel_source=str(programs.KERNELS / "bcast_const_compute.cpp"),
            core_ranges=core,
            compile_time_args=[n],
            defines=[("BCAST_OP", op), ("BCAST_INIT", init)],
            config=ttnn.ComputeConfigDescriptor(),
        ),
    ]
    ttnn.generic_op([inp, out], ttnn.ProgramDescriptor(kernels=kernels, semaphores=[], cbs=cbs))
    expected = W.pack_bf16(W.binary("mul", wide(x), np.full(x.shape, packed << 16, np.uint32)))
    np.testing.assert_array_equal(bits(ttnn.to_torch(out)), expected)


def wide(t: torch.Tensor) -> np.ndarray:
    """bf16 tensor → uint32 fp32 bit patterns."""
    return bits(t).astype(np.uint32) << 16


SCALER_READER = r"""
#include "api/dataflow/dataflow_api.h"
#include "ttnn/cpp/ttnn/kernel/dataflow/generate_reduce_scaler.hpp"
void kernel_main() { wh_generate_reduce_scaler(16, get_arg_val<uint32_t>(0)); }
"""


def test_reduce_scaler_generator_layout(device):
    """wh_generate_reduce_scaler's tile, read back through DRAM, is the oracle's scaler tile: zero except row 0 of
    each face. (The ttnn 0.81.1 wheel ships only this generator; the older `generate_reduce_scaler` is gone.)"""
    from tests.emulator import oracles

    value = torch.tensor([torch.randn(1).item()]).to(torch.bfloat16)
    packed = int(bits(value)[0])
    out = ttnn.from_torch(
        torch.full((1, 1, 32, 32), 7.0).to(torch.bfloat16),
        dtype=ttnn.bfloat16,
        layout=ttnn.TILE_LAYOUT,
        device=device,
    )
    core = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(5, 6), ttnn.CoreCoord(5, 6))])
    reader_rt, writer_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    reader_rt[5][6] = [(packed << 16) | packed]
    writer_rt[5][6] = [out.buffer_address(), 1, 0]
    cb = ttnn.CBDescriptor(
        total_size=2048,
        core_ranges=core,
        format_descriptors=[
            ttnn.CBFormatDescriptor(buffer_index=16, data_format=ttnn.bfloat16, page_size=2048)
        ],
    )
    kernels = [
        ttnn.KernelDescriptor(
            kernel_source=SCALER_READER,
            source_type=ttnn.KernelDescriptor.SourceType.SOURCE_CODE,
            core_ranges=core,
            runtime_args=reader_rt,
            config=ttnn.ReaderConfigDescriptor(),
        ),
        programs.tile_writer(out, core, writer_rt),
    ]
    ttnn.generic_op([out, out], ttnn.ProgramDescriptor(kernels=kernels, semaphores=[], cbs=[cb]))
    expected = oracles.scaler_tile(value.float().item())
    np.testing.assert_array_equal(ttnn.to_torch(out).float().numpy().reshape(32, 32), expected)


BANK_READER = r"""
#include "api/dataflow/dataflow_api.h"
// Page i of an interleaved DRAM buffer, addressed by the formula alone: bank i % 12, offset (i / 12) * aligned.
void kernel_main() {
    const uint32_t base = get_arg_val<uint32_t>(0);
    const uint32_t n = get_arg_val<uint32_t>(1);
    constexpr uint32_t page = get_compile_time_arg_val(0);
    constexpr uint32_t aligned = get_compile_time_arg_val(1);
    for (uint32_t i = 0; i < n; ++i) {
        cb_reserve_back(0, 1);
        noc_async_read(get_noc_addr_from_bank_id<true>(i % 12, base + (i / 12) * aligned), get_write_ptr(0), page);
        noc_async_read_barrier();
        cb_push_back(0, 1);
    }
}
"""
ACCESSOR_WRITER = r"""
#include "api/dataflow/dataflow_api.h"
void kernel_main() {
    const auto dst = TensorAccessor(TensorAccessorArgs<1>(), get_arg_val<uint32_t>(0), get_compile_time_arg_val(0));
    for (uint32_t i = 0; i < get_arg_val<uint32_t>(1); ++i) {
        cb_wait_front(0, 1);
        noc_async_write(get_read_ptr(0), dst.get_noc_addr(i), get_compile_time_arg_val(0));
        noc_async_write_barrier();
        cb_pop_front(0, 1);
    }
}
"""


def test_dram_interleaving_over_12_banks(device):
    """Sticks of 100 B (not a multiple of the 32 B DRAM alignment): page i lives in bank i % 12 at
    base + (i // 12) * 128, both as the host wrote it and as a kernel addressing banks directly reads it."""
    x = torch.randn(1, 1, 30, 50).to(torch.bfloat16)
    inp = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT, device=device)
    page, aligned, n = 100, 128, 30
    assert inp.buffer_page_size() == page and inp.buffer_aligned_page_size() == aligned
    sticks = bits(x).reshape(n, 50)
    for i in range(n):
        raw = device.bank_view(i % 12, inp.buffer_address() + (i // 12) * aligned, page)
        np.testing.assert_array_equal(raw.view(np.uint16), sticks[i])
    out = ttnn.allocate_tensor_on_device(
        inp.shape, ttnn.bfloat16, ttnn.ROW_MAJOR_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG
    )
    core = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(7, 7), ttnn.CoreCoord(7, 7))])
    reader_rt, writer_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    reader_rt[7][7] = [inp.buffer_address(), n]
    writer_rt[7][7] = [out.buffer_address(), n]
    cb = ttnn.CBDescriptor(
        total_size=2 * aligned,
        core_ranges=core,
        format_descriptors=[
            ttnn.CBFormatDescriptor(buffer_index=0, data_format=ttnn.bfloat16, page_size=aligned)
        ],
    )
    kernels = [
        ttnn.KernelDescriptor(
            kernel_source=BANK_READER,
            source_type=ttnn.KernelDescriptor.SourceType.SOURCE_CODE,
            core_ranges=core,
            compile_time_args=[page, aligned],
            runtime_args=reader_rt,
            config=ttnn.ReaderConfigDescriptor(),
        ),
        ttnn.KernelDescriptor(
            kernel_source=ACCESSOR_WRITER,
            source_type=ttnn.KernelDescriptor.SourceType.SOURCE_CODE,
            core_ranges=core,
            compile_time_args=[page, *ttnn.TensorAccessorArgs(out).get_compile_time_args()],
            runtime_args=writer_rt,
            config=ttnn.WriterConfigDescriptor(),
        ),
    ]
    ttnn.generic_op([inp, out], ttnn.ProgramDescriptor(kernels=kernels, semaphores=[], cbs=[cb]))
    assert torch.equal(ttnn.to_torch(out), x)


def test_cb_counters_wrap_at_16_bits(device):
    """70,000 pages through a 3-page CB in pushes of 1 and 2 (landing exactly on the FIFO end each lap): the
    16-bit received/acked registers wrap and the occupancy arithmetic stays right."""
    core = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(0, 1), ttnn.CoreCoord(0, 1))])
    producer = (
        '#include "api/dataflow/dataflow_api.h"\nvoid kernel_main() {\n'
        " for (uint32_t lap = 0; lap < 70000 / 3; ++lap) { cb_reserve_back(0, 1); cb_push_back(0, 1);\n"
        "  cb_reserve_back(0, 2); cb_push_back(0, 2); } }\n"
    )
    consumer = (
        '#include "api/dataflow/dataflow_api.h"\nvoid kernel_main() {\n'
        " for (uint32_t lap = 0; lap < 70000 / 3; ++lap) { cb_wait_front(0, 2); cb_pop_front(0, 2);\n"
        "  cb_wait_front(0, 1); cb_pop_front(0, 1); } }\n"
    )
    kernels = [
        ttnn.KernelDescriptor(
            kernel_source=src,
            source_type=ttnn.KernelDescriptor.SourceType.SOURCE_CODE,
            core_ranges=core,
            config=cfg,
        )
        for src, cfg in ((producer, ttnn.ReaderConfigDescriptor()), (consumer, ttnn.WriterConfigDescriptor()))
    ]
    cb = ttnn.CBDescriptor(
        total_size=3 * 32,
        core_ranges=core,
        format_descriptors=[ttnn.CBFormatDescriptor(buffer_index=0, data_format=ttnn.bfloat16, page_size=32)],
    )
    x = ttnn.from_torch(torch.zeros(1, 1, 32, 32).to(torch.bfloat16), dtype=ttnn.bfloat16, device=device)
    start = time.perf_counter()
    ttnn.generic_op([x, x], ttnn.ProgramDescriptor(kernels=kernels, semaphores=[], cbs=[cb]))
    assert time.perf_counter() - start < 20


@pytest.mark.parametrize("dtype", [ttnn.bfloat16, ttnn.float32], ids=["bf16", "fp32"])
def test_compute_alone_feeds_every_cb_and_returns_the_pushed_pages(device, rng, dtype):
    """programs.compute_alone (the one-core runner of compute-kernel unit tests): a copy kernel's output is
    its input bit for bit (fp32 through UnpackToDestFp32 and an fp32 DEST), pages in push order, with an
    unread CB filled beside the one the kernel reads."""
    n = 3
    words = rng.integers(0, 1 << 32, size=n * 1024, dtype=np.uint64).astype(np.uint32)
    exponent = (words >> 23) & 0xFF
    words = np.where((exponent == 0) | (exponent == 255), words ^ (1 << 30), words)  # finite, normal
    if dtype == ttnn.bfloat16:
        data = (words >> 16).astype(np.uint16).tobytes()
    else:
        data = words.tobytes()
    page = len(data) // n
    got = programs.compute_alone(
        device,
        str(programs.KERNELS / "v2_copy_tiles.cpp"),
        [],
        {0: (dtype, n, data), 1: (dtype, 1, data[:page]), 16: (dtype, n, None)},
        runtime_args=[n],
        fp32_dest=dtype == ttnn.float32,
        unpack_to_dest_mask=1 if dtype == ttnn.float32 else 0,
    )
    assert got == data
