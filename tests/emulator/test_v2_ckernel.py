"""Emulator v2: the ckernel-level primitives beneath tt-llk (emulator/hal/llk/ckernel.h, emu_tensix_insn.h) --
mailboxes between BRISC and the TRISCs, the configuration space the TRISCs share and the instructions that write
it, Tensix semaphores and mutexes -- with the hardware's effect, observed through what the PACK thread writes."""

from __future__ import annotations

import random

import pytest
import torch
import ttnn

from emulator.launcher import EmulatorError
from tests.emulator.programs import KERNELS

X, Y = 2, 1  # a core off the origin, so that its logical coordinates are seen
ONE_CORE = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(X, Y), ttnn.CoreCoord(X, Y))])
WRITER = "ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels/dataflow/writer_unary_interleaved_start_id.cpp"


@pytest.fixture(autouse=True)
def wheel_api(monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_API", "wheel")


def program(out, compute_kernel: str, value: int):
    from emulator import wheel_build

    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    reader_rt[X][Y] = [value]
    writer_rt[X][Y] = [out.buffer_address(), 1, 0]
    compute_rt[X][Y] = []
    reader = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "v2_ckernel_reader.cpp"),
        core_ranges=ONE_CORE,
        compile_time_args=[],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    compute = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / compute_kernel),
        core_ranges=ONE_CORE,
        compile_time_args=[],
        runtime_args=compute_rt,
        config=ttnn.ComputeConfigDescriptor(),
    )
    writer = ttnn.KernelDescriptor(
        kernel_source=str(wheel_build.wheel_root() / WRITER),
        core_ranges=ONE_CORE,
        compile_time_args=[16, *ttnn.TensorAccessorArgs(out).get_compile_time_args()],
        runtime_args=writer_rt,
        config=ttnn.WriterConfigDescriptor(),
    )
    page = out.buffer_page_size()
    cb = ttnn.CBDescriptor(
        total_size=2 * page,
        core_ranges=ONE_CORE,
        format_descriptors=[ttnn.CBFormatDescriptor(buffer_index=16, data_format=out.dtype, page_size=page)],
    )
    return ttnn.ProgramDescriptor(kernels=[reader, compute, writer], semaphores=[], cbs=[cb])


def word_tile(device):
    """One fp32 tile as a page of 1024 words (the values below are no NaN patterns, so the bits come back)."""
    like = ttnn.from_torch(torch.zeros((1, 1, 32, 32)), dtype=ttnn.float32, layout=ttnn.TILE_LAYOUT, device=device)
    return ttnn.allocate_tensor_on_device(like.spec, device)


def test_mailboxes_config_space_semaphores_and_mutexes(device):
    value = random.randrange(1 << 30)
    unused, out = word_tile(device), word_tile(device)
    ttnn.generic_op([unused, out], program(out, "v2_ckernel_primitives.cpp", value))
    words = ttnn.to_torch(out).flatten().view(torch.int32).to(torch.int64) & 0xFFFFFFFF
    # Row 0 of the tile's first face holds the first words PACK wrote.
    assert words[0].item() == value + 1  # BRISC -> UNPACK -> PACK mailboxes
    assert words[1].item() == 0x5A  # cfg_reg_rmw_tensix by UNPACK, read by MATH after the semaphore
    assert words[2].item() == 0xABCD1234  # SETDMAREG halves, then WRCFG into the shared config
    assert words[3].item() == 12  # MATH's own GPR: 7 + 5 by ADDDMAREG
    assert words[4].item() == 0xC0FFEE  # init_prng_seed's config word
    assert words[5].item() >> 16 == 0x1234  # REG2FLOP: 16 bits of the GPR into bytes 2..3 of a THCON word
    assert words[6].item() == X and words[7].item() == Y  # my_logical_x_ / my_relative_y_
    assert not words[8:].any()


def test_a_mop_reaching_the_emulated_tensix_is_named(device):
    unused, out = word_tile(device), word_tile(device)
    with pytest.raises(EmulatorError, match=r"MOP \(0x01830000\) on TRISC1, issued by a wheel LLK call"):
        ttnn.generic_op([unused, out], program(out, "v2_ckernel_mop.cpp", 1))
