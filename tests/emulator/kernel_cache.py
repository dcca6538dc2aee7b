"""The kernel build the launcher uses (the first generation's, or the wheel-API build under
``TTNN_EMULATOR_API=wheel``), seen the way the cache tests need it: how to build, where objects land, and
which subprocess calls are kernel compilations."""

from __future__ import annotations

from pathlib import Path

from emulator import kernel_build, launcher, runtime_lib, wheel_build


def build(kb: kernel_build.KernelBuild) -> tuple[Path, ...]:
    """Every object of ``kb`` (one per RISC build on the wheel-API build, one on the first generation)."""
    if launcher.wheel_api():
        return tuple(so for _, so in wheel_build.build(kb))
    return (kernel_build.build(kb),)


def objects_dir(cache: Path) -> Path:
    """Where kernel objects land under the cache root ``cache``."""
    return cache / ("kernels-wheel" if launcher.wheel_api() else "kernels")


def is_compilation(cmd) -> bool:
    """A kernel compilation by the build in use (not a `--version` probe)."""
    if not cmd or "-o" not in cmd:
        return False
    compiler = runtime_lib.kernel_compiler() if launcher.wheel_api() else ["g++"]
    return list(cmd[: len(compiler)]) == list(compiler)
