"""Kernel entry forms and per-core kernel state."""

from __future__ import annotations

import torch
import ttnn

from tests.emulator import programs

GLOBALS_WRITER = r"""
#include "api/dataflow/dataflow_api.h"

// Mutable kernel state: on hardware every core has its own copy in its own L1.
uint32_t launches = 0;
static uint32_t total_pages;

void kernel_main() {
    const uint32_t dst_addr = get_arg_val<uint32_t>(0);
    const uint32_t page = get_arg_val<uint32_t>(1);
    launches += 1;
    total_pages += page;
    constexpr auto args = TensorAccessorArgs<0>();
    const auto dst = TensorAccessor(args, dst_addr, 64);
    cb_reserve_back(0, 1);
    auto* p = reinterpret_cast<volatile uint32_t*>(get_write_ptr(0));
    for (int i = 0; i < 16; ++i) p[i] = (i == 0) ? launches : (i == 1 ? total_pages : page);
    noc_async_write(get_write_ptr(0), get_noc_addr(page, dst), 64);
    noc_async_write_barrier();
}
"""


def test_kernel_globals_are_private_to_each_core(device):
    out = ttnn.from_torch(
        torch.zeros(1, 1, 64, 16, dtype=torch.int32),
        dtype=ttnn.uint32,
        layout=ttnn.ROW_MAJOR_LAYOUT,
        device=device,
    )
    cores = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(7, 7))])
    rt = ttnn.RuntimeArgs()
    for i, (x, y) in enumerate(programs.each_core(cores)):
        rt[x][y] = [out.buffer_address(), i]
    kernel = ttnn.KernelDescriptor(
        kernel_source=GLOBALS_WRITER,
        source_type=ttnn.KernelDescriptor.SourceType.SOURCE_CODE,
        core_ranges=cores,
        compile_time_args=ttnn.TensorAccessorArgs(out).get_compile_time_args(),
        runtime_args=rt,
        config=ttnn.WriterConfigDescriptor(),
    )
    cb = ttnn.CBDescriptor(
        total_size=64,
        core_ranges=cores,
        format_descriptors=[ttnn.CBFormatDescriptor(buffer_index=0, data_format=ttnn.uint32, page_size=64)],
    )
    program = ttnn.ProgramDescriptor(kernels=[kernel], semaphores=[], cbs=[cb])
    for _ in range(2):  # a second launch starts from fresh globals too, as a reloaded kernel does
        ttnn.generic_op([out, out], program)
        rows = ttnn.to_torch(out).reshape(64, 16)
        assert rows[:, 0].tolist() == [1] * 64
        assert rows[:, 1].tolist() == list(range(64))
        assert rows[:, 2].tolist() == list(range(64))


LEGACY_COMPUTE = r"""
#include "api/compute/common.h"
#include "api/compute/tile_move_copy.h"

namespace NAMESPACE {
void MAIN {
    constexpr uint32_t n = get_compile_time_arg_val(0);
    compute_kernel_hw_startup(tt::CBIndex::c_0, tt::CBIndex::c_16);
    copy_init(tt::CBIndex::c_0);
    for (uint32_t t = 0; t < n; ++t) {
        cb_wait_front(tt::CBIndex::c_0, 1);
        cb_reserve_back(tt::CBIndex::c_16, 1);
        tile_regs_acquire();
        copy_tile(tt::CBIndex::c_0, 0, 0);
        tile_regs_commit();
        tile_regs_wait();
        pack_tile(0, tt::CBIndex::c_16);
        tile_regs_release();
        cb_push_back(tt::CBIndex::c_16, 1);
        cb_pop_front(tt::CBIndex::c_0, 1);
    }
}
}  // namespace NAMESPACE
"""


def test_legacy_namespace_main_compute_kernel(device):
    x = torch.randn(1, 1, 64, 96).to(torch.bfloat16)
    inp = ttnn.from_torch(x, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.allocate_tensor_on_device(
        inp.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG
    )
    program = programs.eltwise([inp], out, [])
    for kernel in program.kernels:
        if type(kernel.config).__name__ == "ComputeConfigDescriptor":
            kernel.kernel_source = LEGACY_COMPUTE
            kernel.source_type = ttnn.KernelDescriptor.SourceType.SOURCE_CODE
    ttnn.generic_op([inp, out], program)
    assert torch.equal(ttnn.to_torch(out), x)
