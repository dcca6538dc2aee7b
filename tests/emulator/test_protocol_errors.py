"""Every hardware hang or silent corruption becomes an error naming kernel, line, core, CB and call.

More checks, with the reports of the wheel's API, are in test_v2_strict.py."""

from __future__ import annotations

import re
import time

import pytest
import torch
import ttnn

from emulator.kernel_build import KernelBuildError
from emulator.launcher import EmulatorError, EmulatorHang

CORE = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(1, 2), ttnn.CoreCoord(1, 2))])
DF = '#include "api/dataflow/dataflow_api.h"\n'
CMP = (
    '#include "api/compute/compute_kernel_hw_startup.h"\n#include "api/compute/tile_move_copy.h"\n'
    '#include "api/compute/eltwise_binary.h"\n'
)


def _kernel(src, config, args=()):
    rt = ttnn.RuntimeArgs()
    rt[1][2] = list(args)
    return ttnn.KernelDescriptor(
        kernel_source=src,
        source_type=ttnn.KernelDescriptor.SourceType.SOURCE_CODE,
        core_ranges=CORE,
        runtime_args=rt,
        config=config,
    )


def run(
    device,
    reader=None,
    writer=None,
    compute=None,
    cbs=((0, 2, 2048),),
    reader_args=(),
    total=None,
    compute_config=None,
    compute_defines=(),
):
    """One program on CORE: the given kernel bodies, and CBs given as (index, pages, page size[, format])
    (bfloat16 unless named)."""
    kernels = []
    if reader:
        kernels.append(_kernel(DF + reader, ttnn.ReaderConfigDescriptor(), reader_args))
    if writer:
        kernels.append(_kernel(DF + writer, ttnn.WriterConfigDescriptor()))
    if compute:
        kernels.append(_kernel(CMP + compute, compute_config or ttnn.ComputeConfigDescriptor()))
        kernels[-1].defines = list(compute_defines)
    descs = [
        ttnn.CBDescriptor(
            total_size=total or pages * size,
            core_ranges=CORE,
            format_descriptors=[
                ttnn.CBFormatDescriptor(
                    buffer_index=i, data_format=fmt[0] if fmt else ttnn.bfloat16, page_size=size
                )
            ],
        )
        for i, pages, size, *fmt in cbs
    ]
    x = ttnn.from_torch(
        torch.randn(1, 1, 32, 32).to(torch.bfloat16),
        dtype=ttnn.bfloat16,
        layout=ttnn.TILE_LAYOUT,
        device=device,
    )
    out = ttnn.allocate_tensor_on_device(
        x.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device, ttnn.DRAM_MEMORY_CONFIG
    )
    return ttnn.generic_op([x, out], ttnn.ProgramDescriptor(kernels=kernels, semaphores=[], cbs=descs))


def expect(exc, device, pattern, **kw):
    with pytest.raises(exc) as info:
        run(device, **kw)
    message = str(info.value)
    assert re.search(pattern, message, re.DOTALL), message
    return message


def test_missing_read_barrier(device):
    expect(
        EmulatorError,
        device,
        r"noc_async_read_barrier\(\) before cb_push_back",
        reader_args=(0,),
        reader=(
            "void kernel_main() { uint32_t a = get_arg_val<uint32_t>(0);\n"
            " InterleavedAddrGen<true> g{a, 2048};\n cb_reserve_back(0, 1);\n"
            " noc_async_read_page(0, g, get_write_ptr(0));\n cb_push_back(0, 1); }\n"
        ),
    )


def test_runtime_arg_past_the_list(device):
    expect(
        EmulatorError,
        device,
        r"runtime arg index 2 is past the 1 per-core runtime args",
        reader_args=(7,),
        reader="void kernel_main() { volatile uint32_t v = get_arg_val<uint32_t>(2); (void)v; }\n",
    )


def test_misaligned_noc_transfer(device):
    expect(
        EmulatorError,
        device,
        r"not 16-byte aligned",
        reader="void kernel_main() { cb_reserve_back(0, 1); uint32_t p = get_write_ptr(0);\n"
        " noc_async_read(get_noc_addr(p), p + 8, 64); noc_async_read_barrier(); }\n",
    )


def test_cb_total_over_l1_budget(device):
    expect(
        EmulatorError,
        device,
        r"need 1572864 B of L1 but only \d+ B are available",
        cbs=((0, 768, 2048),),
        reader="void kernel_main() {}\n",
    )


def test_poisoned_l1_is_never_sent(device):
    expect(
        EmulatorError,
        device,
        r"never written since the program started",
        reader_args=(0,),
        reader="void kernel_main() { cb_reserve_back(0, 1); cb_push_back(0, 1); }\n",
        writer="void kernel_main() { cb_wait_front(0, 1);\n"
        " noc_async_write(get_read_ptr(0), get_noc_addr(0, 0, 1u << 20), 64);\n"
        " noc_async_write_barrier(); cb_pop_front(0, 1); }\n",
    )


def test_two_threads_moving_one_pointer(device):
    expect(
        EmulatorError,
        device,
        r"two threads move the write pointer",
        reader="void kernel_main() { cb_reserve_back(0, 1); cb_push_back(0, 1); }\n",
        writer="void kernel_main() { cb_reserve_back(0, 1); cb_push_back(0, 1); }\n",
    )


TWO_IN = ((0, 2, 2048), (1, 2, 2048), (16, 2, 2048))
FEED = (
    "void kernel_main() { for (uint32_t cb = 0; cb < 2; ++cb) { cb_reserve_back(cb, 1);\n"
    " auto* p = reinterpret_cast<volatile uint32_t*>(get_write_ptr(cb));\n"
    " for (int i = 0; i < 512; ++i) p[i] = 0x3f803f80u; cb_push_back(cb, 1); } }\n"
)


def test_fpu_op_without_its_init(device):
    expect(
        EmulatorError,
        device,
        r"add_tiles",
        cbs=TWO_IN,
        reader=FEED,
        compute="void kernel_main() { compute_kernel_hw_startup(0, 1, 16); mul_init(0, 1);\n"
        " cb_wait_front(0, 1); cb_wait_front(1, 1); tile_regs_acquire(); add_tiles(0, 1, 0, 0, 0); }\n",
    )


def test_format_change_without_reconfig(device):
    expect(
        EmulatorError,
        device,
        r"CB 1 holds Float32 data but the SrcA unpacker is configured for Float16_b.*reconfig_data_format_srca",
        reader="void kernel_main() { cb_reserve_back(0, 1); auto* p = reinterpret_cast<volatile uint32_t*>(\n"
        " get_write_ptr(0)); for (int i = 0; i < 512; ++i) p[i] = 0x3f803f80u; cb_push_back(0, 1);\n"
        " cb_reserve_back(1, 1); auto* q = reinterpret_cast<volatile uint32_t*>(get_write_ptr(1));\n"
        " for (int i = 0; i < 1024; ++i) q[i] = 0x3f800000u; cb_push_back(1, 1); }\n",
        compute="void kernel_main() { compute_kernel_hw_startup(0, 16); copy_init(0);\n"
        " cb_wait_front(1, 1); tile_regs_acquire(); copy_tile(1, 0, 0); }\n",
        cbs=((0, 2, 2048), (1, 2, 4096, ttnn.float32), (16, 2, 2048)),
    )


@pytest.mark.parametrize("call", ["enable_fp32_dest_acc();", "set_fp32_dest_acc<true>();"])
def test_switching_the_dest_width_mid_kernel_is_refused_by_name(device, call):
    """DEST keeps the compute config's width; a kernel switching it stops naming the call instead of running at
    the wrong width. Asking for the width in force (set_fp32_dest_acc<false> on a 16-bit DEST) is a no-op."""
    body = (
        '#include "api/compute/reduce.h"\nvoid kernel_main() { compute_kernel_hw_startup(0, 16); '
        + call
        + " }\n"
    )
    expect(
        EmulatorError, device, r"enable_fp32_dest_acc.*switching DEST between 16-bit and fp32", compute=body
    )
    run(
        device,
        compute='#include "api/compute/reduce.h"\n'
        "void kernel_main() { compute_kernel_hw_startup(0, 16); set_fp32_dest_acc<false>(); }\n",
    )


def test_unmodelled_reduce_fails_at_build_time_by_name(device):
    """A reduce the emulator does not model (MIN) stops the build, naming the kernel and what is missing."""
    with pytest.raises(KernelBuildError) as info:
        run(
            device,
            compute='#include "api/compute/reduce.h"\n'
            "void kernel_main() { reduce_init<PoolType::MIN, ReduceDim::REDUCE_ROW>(0, 1, 16); }\n",
        )
    msg = str(info.value)
    assert "kernel <inline kernel> (compute) failed to compile" in msg, msg
    assert "reduce MIN is not modelled" in msg, msg


# ---- NoC barriers ------------------------------------------------------------------------------------------------
READ_TILE = (
    "void kernel_main() { uint32_t a = get_arg_val<uint32_t>(0);\n"
    " InterleavedAddrGen<true> g{a, 2048};\n cb_reserve_back(0, 1); uint32_t p = get_write_ptr(0);\n"
)


def test_kernel_ending_with_writes_in_flight(device):
    """No noc_async_write_barrier before the kernel returns: the program can end before the data lands."""
    msg = expect(
        EmulatorError,
        device,
        r"returned with 1 noc_async_write\(s\) still in flight",
        reader_args=(0,),
        reader=READ_TILE + " noc_async_read_page(0, g, p); noc_async_read_barrier();\n"
        " noc_async_write_page(0, g, p); }\n",
    )
    assert "<inline kernel>:6" in msg and "core (1,2)" in msg and "noc_async_write_barrier()" in msg


def test_kernel_ending_with_reads_in_flight(device):
    expect(
        EmulatorError,
        device,
        r"returned with 1 noc_async_read\(s\) still in flight.*noc_async_read_barrier",
        reader_args=(0,),
        reader=READ_TILE + " noc_async_read_page(0, g, p); }\n",
    )


# ---- hangs -------------------------------------------------------------------------------------------------------
def test_deadlock_is_reported_within_a_second(device):
    """Every thread of a core blocked: the op ends at once (no timeout involved), whatever the watchdog setting.
    Timed on the second launch, whose kernels are already built."""
    for launch in range(2):
        start = time.perf_counter()
        expect(
            EmulatorHang,
            device,
            r"deadlock( on core \(1,2\)|: every kernel thread is waiting).*on core \(1,2\).*CB 16: 2 pages",
            cbs=((0, 2, 2048), (16, 2, 2048)),
            reader="void kernel_main() { cb_reserve_back(16, 1); cb_push_back(16, 1); cb_wait_front(0, 1); }\n",
            writer="void kernel_main() { cb_wait_front(16, 2); }\n",
        )
    assert time.perf_counter() - start < 1.0


# ---- runtime arguments through pointers ---------------------------------------------------------------------------
ARGS_WRITER = r"""
#include "api/dataflow/dataflow_api.h"
void kernel_main() {
    auto* a = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_arg_addr(0));
    auto* c = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_common_arg_addr(0));
    const auto dst = TensorAccessor(TensorAccessorArgs<0>(), a[0], 64);
    cb_reserve_back(0, 1);
    auto* p = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_write_ptr(0));
    for (int i = 0; i < 16; ++i) p[i] = i < 3 ? a[i] : (i < 5 ? c[i - 3] : get_common_arg_val<uint32_t>(1) + i);
    noc_async_write_page(get_arg_val<uint32_t>(3), dst, get_write_ptr(0));
    noc_async_write_barrier();
#ifdef PAST_THE_END
    volatile uint32_t past = *reinterpret_cast<volatile uint32_t*>(get_arg_addr(PAST_THE_END));
    (void)past;
#endif
}
"""


def _args_program(out, defines=()):
    rt = ttnn.RuntimeArgs()
    rt[1][2] = [out.buffer_address(), 11, 22, 1]
    kernel = ttnn.KernelDescriptor(
        kernel_source=ARGS_WRITER,
        source_type=ttnn.KernelDescriptor.SourceType.SOURCE_CODE,
        core_ranges=CORE,
        compile_time_args=ttnn.TensorAccessorArgs(out).get_compile_time_args(),
        defines=list(defines),
        runtime_args=rt,
        common_runtime_args=[33, 44],
        config=ttnn.WriterConfigDescriptor(),
    )
    cb = ttnn.CBDescriptor(
        total_size=64,
        core_ranges=CORE,
        format_descriptors=[ttnn.CBFormatDescriptor(buffer_index=0, data_format=ttnn.uint32, page_size=64)],
    )
    return ttnn.ProgramDescriptor(kernels=[kernel], semaphores=[], cbs=[cb])


def test_runtime_args_by_address_and_common_args(device):
    out = ttnn.from_torch(
        torch.zeros(1, 1, 2, 16, dtype=torch.int32),
        dtype=ttnn.uint32,
        layout=ttnn.ROW_MAJOR_LAYOUT,
        device=device,
    )
    ttnn.generic_op([out, out], _args_program(out))
    row = ttnn.to_torch(out).to(torch.int64)[0, 0, 1].tolist()
    assert row == [out.buffer_address(), 11, 22, 33, 44] + [44 + i for i in range(5, 16)]


def test_arg_address_past_the_list(device):
    out = ttnn.from_torch(
        torch.zeros(1, 1, 2, 16, dtype=torch.int32),
        dtype=ttnn.uint32,
        layout=ttnn.ROW_MAJOR_LAYOUT,
        device=device,
    )
    with pytest.raises(EmulatorError) as info:
        ttnn.generic_op([out, out], _args_program(out, [("PAST_THE_END", "5")]))
    msg = str(info.value)
    # The read through the pointer faults on the guard page after the list, at its line.
    assert "<inline kernel> on core (1,2) ncrisc:" in msg, msg
    assert (
        "per-core runtime arg index 5 is past the 4 per-core runtime args (at <inline kernel>:13)" in msg
    ), msg
