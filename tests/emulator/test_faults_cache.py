"""A damaged build cache is rebuilt, never loaded (a cut-short shared object dies with SIGBUS when loaded), and
builds work when the cache and TMPDIR are on different filesystems."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import ttnn

from emulator import build_cache, kernel_build, runtime_lib, wheel_build
from tests.emulator import kernel_cache, programs

KERNEL = r"""
#include "api/dataflow/dataflow_api.h"

uint32_t calls = 0;  // a mutable global: one private copy of the object per core

void kernel_main() {
    const uint32_t dst_addr = get_arg_val<uint32_t>(0);
    const uint32_t page = get_arg_val<uint32_t>(1);
    calls += 1;
    const auto dst = TensorAccessor(TensorAccessorArgs<0>(), dst_addr, 64);
    cb_reserve_back(0, 1);
    auto* p = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_write_ptr(0));
    for (int i = 0; i < 16; ++i) p[i] = 0;
    p[0] = 40 + page;
    p[1] = calls;
    noc_async_write_page(page, dst, get_write_ptr(0));
    noc_async_write_barrier();
}
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_CACHE", str(tmp_path / "cache"))
    (tmp_path / "kernel.cpp").write_text(KERNEL)
    return tmp_path / "cache"


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


def _run(device, kernel_path: Path) -> list[list[int]]:
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
        kernel_source=str(kernel_path),
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
    ttnn.generic_op([out, out], ttnn.ProgramDescriptor(kernels=[kernel], semaphores=[], cbs=[cb]))
    return ttnn.to_torch(out).to(torch.int64).reshape(4, 16)[:, :2].tolist()


EXPECTED = [[40, 1], [41, 1], [42, 1], [43, 1]]


def _truncate(path: Path, keep: float = 0.4) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def test_truncated_kernel_object_is_rebuilt(cache, compilations, device):
    assert _run(device, cache.parent / "kernel.cpp") == EXPECTED and len(compilations) == 1
    (so,) = [p for p in kernel_cache.objects_dir(cache).glob("*.so") if ".core" not in p.name]
    size = so.stat().st_size
    _truncate(so)
    assert _run(device, cache.parent / "kernel.cpp") == EXPECTED  # loading the cut-short object: SIGBUS
    assert len(compilations) == 2 and so.stat().st_size == size and build_cache.intact(so)


def test_truncated_per_core_copy_is_made_again(cache, compilations, device):
    assert _run(device, cache.parent / "kernel.cpp") == EXPECTED
    copies = sorted(kernel_cache.objects_dir(cache).glob("*.core*.so"))
    assert len(copies) == 4
    _truncate(copies[2])
    assert _run(device, cache.parent / "kernel.cpp") == EXPECTED and len(compilations) == 1
    assert copies[2].stat().st_size == copies[0].stat().st_size


def test_object_without_a_seal_is_rebuilt(cache, compilations):
    kb = kernel_build.KernelBuild(source=KERNEL, role="writer", inline=True, compile_time_args=(2, 64))
    (so,) = kernel_cache.build(kb)
    so.with_name(so.name + ".sum").unlink()  # a build killed between the rename and the seal
    assert kernel_cache.build(kb) == (so,) and len(compilations) == 2 and build_cache.intact(so)


def test_cache_and_tmpdir_on_different_filesystems(cache, compilations, monkeypatch, tmp_path):
    """A rename between two filesystems fails with EXDEV; every rename a build makes stays in the cache."""
    other_fs = tmp_path / "other-fs"
    other_fs.mkdir()
    monkeypatch.setenv("TMPDIR", str(other_fs))
    monkeypatch.setattr(wheel_build.tempfile, "tempdir", None)  # re-read TMPDIR
    real_replace = os.replace

    def replace(src, dst):
        if Path(src).resolve().is_relative_to(other_fs) != Path(dst).resolve().is_relative_to(other_fs):
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(src), None, str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    kb = kernel_build.KernelBuild(source=KERNEL, role="writer", inline=True, compile_time_args=(2, 64))
    (so,) = kernel_cache.build(kb)
    objects = kernel_cache.objects_dir(cache)
    assert so.parent == objects and build_cache.intact(so) and len(compilations) == 1
    assert not list(other_fs.iterdir()) and not [p for p in objects.iterdir() if p.is_dir()]


def test_truncated_runtime_library_is_relinked(tmp_path, monkeypatch):
    """The runtime library of this checkout, copied into a fresh cache with its objects and cut short, is
    linked again (from the intact objects) and then loads."""
    built = runtime_lib.library_path()
    cache = tmp_path / "cache"
    (cache / "runtime-objects").mkdir(parents=True)
    for path in [built, built.with_name(built.name + ".sum")]:
        shutil.copy2(path, cache / path.name)
    for obj in (built.parent / "runtime-objects").glob("*.o"):
        if build_cache.intact(obj):
            shutil.copy2(obj, cache / "runtime-objects" / obj.name)
            shutil.copy2(obj.with_name(obj.name + ".sum"), cache / "runtime-objects" / (obj.name + ".sum"))
    lib = cache / built.name
    _truncate(lib)
    monkeypatch.setenv("TTNN_EMULATOR_CACHE", str(cache))
    assert runtime_lib.library_path() == lib and build_cache.intact(lib)
    load = subprocess.run(
        [sys.executable, "-c", f"import ctypes; ctypes.CDLL({str(lib)!r}, mode=ctypes.RTLD_GLOBAL)"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert load.returncode == 0, load.stderr
