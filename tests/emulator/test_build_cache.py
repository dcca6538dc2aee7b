"""The kernel build cache is keyed by everything that affects the binary: the same inputs never rebuild, and a
changed define, compile-time arg (plain or named), compute setting or included header always does."""

from __future__ import annotations

import subprocess

import pytest
import torch
import ttnn

from emulator import kernel_build
from tests.emulator import kernel_cache, programs

KERNEL = r"""
#include "api/dataflow/dataflow_api.h"
#include "value.h"

// A mutable global: the kernel runs from one private copy per core.
uint32_t calls = 0;

void kernel_main() {
    constexpr uint32_t named = get_named_compile_time_arg_val("named");
    const uint32_t dst_addr = get_arg_val<uint32_t>(0);
    const uint32_t page = get_arg_val<uint32_t>(1);
    calls += 1;
    const auto dst = TensorAccessor(TensorAccessorArgs<0>(), dst_addr, 64);
    cb_reserve_back(0, 1);
    auto* p = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_write_ptr(0));
    for (int i = 0; i < 16; ++i) p[i] = 0;
    p[0] = VALUE;
    p[1] = EXTRA;
    p[2] = named;
    p[3] = get_compile_time_arg_val(2);
    p[4] = calls;
    noc_async_write_page(page, dst, get_write_ptr(0));
    noc_async_write_barrier();
}
"""


@pytest.fixture
def kernel_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_CACHE", str(tmp_path / "cache"))
    (tmp_path / "value.h").write_text("#define VALUE 7\n")
    (tmp_path / "kernel.cpp").write_text(KERNEL)
    return tmp_path


@pytest.fixture
def compilations(monkeypatch):
    calls = []
    original = subprocess.run

    def spy(cmd, *a, **k):
        if kernel_cache.is_compilation(cmd):
            calls.append(cmd)
        return original(cmd, *a, **k)

    monkeypatch.setattr(subprocess, "run", spy)
    return calls


def build(kernel_dir, *, extra="1", named=3, ct=5, role="writer", fidelity=4):
    # The compute config reaches the first generation's build as defines, the wheel-API build as the
    # generated chlkc_descriptors.h (what the launcher hands it for every kernel).
    compute = {
        "math_fidelity": fidelity,
        "fp32_dest_acc": False,
        "math_approx": False,
        "dst_full_sync": False,
    }
    kb = kernel_build.KernelBuild(
        source=str(kernel_dir / "kernel.cpp"),
        role=role,
        compile_time_args=(2, 64, ct),
        named_compile_time_args=(("named", named),),
        defines=(("EXTRA", extra),),
        compute_defines=(("MATH_FIDELITY", str(fidelity)),),
    )
    kb.extra.update(cbs=[], compute={**compute, "unpack_to_dest_mask": 0})
    return kernel_cache.build(kb)


def test_same_inputs_reuse_the_binary(kernel_dir, compilations):
    first = build(kernel_dir)
    assert len(compilations) == 1
    assert build(kernel_dir) == first and len(compilations) == 1


@pytest.mark.parametrize(
    "change",
    [{"extra": "2"}, {"named": 4}, {"ct": 6}, {"role": "reader"}, {"fidelity": 2}],
    ids=["define", "named_ct_arg", "ct_arg", "role", "compute_config"],
)
def test_each_input_is_part_of_the_key(kernel_dir, compilations, change):
    base = build(kernel_dir)
    other = build(kernel_dir, **change)
    assert other != base and len(compilations) == 2
    build(kernel_dir, **change)
    assert len(compilations) == 2


def test_edited_header_rebuilds_and_refreshes_per_core_copies(kernel_dir, compilations, device):
    """value.h is not an argument of the build; its content is recorded at build time and checked on every
    launch. The per-core copies of a kernel with globals follow the rebuilt binary."""
    out = ttnn.from_torch(
        torch.zeros(1, 1, 4, 16, dtype=torch.int32),
        dtype=ttnn.uint32,
        layout=ttnn.ROW_MAJOR_LAYOUT,
        device=device,
    )
    cores = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(3, 0))])
    rt = ttnn.RuntimeArgs()
    for i, (x, y) in enumerate(programs.each_core(cores)):
        rt[x][y] = [out.buffer_address(), i]
    kernel = ttnn.KernelDescriptor(
        kernel_source=str(kernel_dir / "kernel.cpp"),
        core_ranges=cores,
        compile_time_args=[*ttnn.TensorAccessorArgs(out).get_compile_time_args(), 9],
        named_compile_time_args=[("named", 5)],
        defines=[("EXTRA", "8")],
        runtime_args=rt,
        config=ttnn.WriterConfigDescriptor(),
    )
    cb = ttnn.CBDescriptor(
        total_size=64,
        core_ranges=cores,
        format_descriptors=[ttnn.CBFormatDescriptor(buffer_index=0, data_format=ttnn.uint32, page_size=64)],
    )
    program = ttnn.ProgramDescriptor(kernels=[kernel], semaphores=[], cbs=[cb])

    def rows():
        ttnn.generic_op([out, out], program)
        return ttnn.to_torch(out).to(torch.int64).reshape(4, 16)[:, :5].tolist()

    assert rows() == [[7, 8, 5, 9, 1]] * 4 and len(compilations) == 1
    assert (
        rows() == [[7, 8, 5, 9, 1]] * 4 and len(compilations) == 1
    )  # nothing rebuilt, globals fresh per launch
    (kernel_dir / "value.h").write_text("#define VALUE 70\n")
    assert rows() == [[70, 8, 5, 9, 1]] * 4 and len(compilations) == 2


def test_compiler_and_emulator_headers_are_part_of_the_key(kernel_dir, compilations, monkeypatch):
    """A different compiler makes different binaries, and the emulator's own headers are not a kernel's
    arguments: both invalidate a cached kernel."""
    from emulator import runtime_lib

    # The kernel compiler's identity (its --version) is part of the key.
    base = build(kernel_dir)
    monkeypatch.setattr(runtime_lib, "_kernel_cxx_id", "clang++ (other) 99.1")
    assert build(kernel_dir) != base and len(compilations) == 2
    monkeypatch.setattr(runtime_lib, "_kernel_cxx_id", None)
    assert build(kernel_dir) == base and len(compilations) == 2
    # The emulator's shadow of a wheel header (the NoC layer beneath dataflow_api.h) is recorded under its own
    # path among the object's dependencies, so an edit to it rebuilds the same key.
    real_read = kernel_build.Path.read_bytes

    def edited(path):
        data = real_read(path)
        shadow = path.name == "noc_nonblocking_api.h" and "hal" in path.parts
        return data + b"\n// edited" if shadow else data

    monkeypatch.setattr(kernel_build.Path, "read_bytes", edited)
    assert build(kernel_dir) == base and len(compilations) == 3


def test_missing_toolchain_is_named(monkeypatch):
    from emulator import runtime_lib

    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(
        runtime_lib.ToolchainError, match=r"'g\+\+' is not on PATH: install g\+\+ 11 or newer"
    ):
        runtime_lib.run_tool(["g++", "--version"])
