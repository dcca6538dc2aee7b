"""The launcher's kernel build (clang against the wheel's headers, one object per RISC build), seen the way the
cache tests need it: how to build, where objects land, and which subprocess calls are kernel compilations."""

from __future__ import annotations

from pathlib import Path

from emulator import kernel_build, runtime_lib, wheel_build


def build(kb: kernel_build.KernelBuild) -> tuple[Path, ...]:
    """Every object of ``kb``: one per RISC build (three for a compute kernel)."""
    return tuple(so for _, so in wheel_build.build(kb))


def objects_dir(cache: Path) -> Path:
    """Where kernel objects land under the cache root ``cache``."""
    return cache / "kernels-wheel"


def is_compilation(cmd) -> bool:
    """A kernel compilation (not a `--version` probe)."""
    if not cmd or "-o" not in cmd:
        return False
    compiler = runtime_lib.kernel_compiler()
    return list(cmd[: len(compiler)]) == list(compiler)
