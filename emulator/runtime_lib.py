"""Builds (once, cached by source hash) and loads ``libtensix_emu.so``, the emulator's C++ runtime.

Every ``runtime/src/**/*.cpp`` goes into the one library; kernels compiled by ``emulator.kernel_build`` link
against it at ``dlopen`` time, so it is loaded with ``RTLD_GLOBAL``.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from emulator import build_cache

RUNTIME_DIR = Path(__file__).resolve().parent / "runtime"
INCLUDE_DIR = RUNTIME_DIR / "include"
CXXFLAGS = ["-std=c++20", "-O2", "-g", "-fPIC", "-shared", "-pthread", "-Wall", "-Wno-unused-function"]

_lock = threading.Lock()
_lib: ctypes.CDLL | None = None


def cache_dir() -> Path:
    """Where built objects live: ``$TTNN_EMULATOR_CACHE`` or ``~/.cache/ttnn-scaffold/emulator``."""
    root = os.environ.get("TTNN_EMULATOR_CACHE") or Path.home() / ".cache" / "ttnn-scaffold" / "emulator"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


_compiler: str | None = None


class ToolchainError(RuntimeError):
    """The host toolchain the emulator builds kernels with (g++, nm) is missing."""


def missing_tool(tool: str) -> ToolchainError:
    return ToolchainError(
        f"the Tensix emulator compiles kernels with the host toolchain, and '{tool}' is not on "
        "PATH: install g++ 11 or newer with binutils (Debian/Ubuntu: apt-get install g++)"
    )


def run_tool(cmd: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise missing_tool(cmd[0]) from None


def compiler_id() -> str:
    """The host compiler's identity (``g++ --version``): a different compiler makes different binaries."""
    global _compiler
    if _compiler is None:
        # Popen rather than run: callers count compiler runs through subprocess.run, and this is not a build.
        try:
            with subprocess.Popen(
                ["g++", "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
            ) as proc:
                _compiler = proc.communicate()[0].strip()
        except FileNotFoundError:
            _compiler = "g++ not found"
    return _compiler


# The wheel's device-side headers need C++20 that g++ 12 rejects (``static_assert(false)`` in templates that are
# never instantiated), so kernels built against them use clang >= 17.
KERNEL_CXX_ENV = "TTNN_EMULATOR_CXX"
_KERNEL_CXX_CANDIDATES = ("clang++-19", "clang++-20", "clang++-18", "clang++-17", "clang++")
MIN_CLANG = 17
_kernel_cxx: list[str] | None = None


def _clang_major(cmd: list[str]) -> int:
    try:
        with subprocess.Popen(
            [*cmd, "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        ) as proc:
            out = proc.communicate()[0]
    except OSError:
        return 0
    m = re.search(r"clang version (\d+)", out)
    return int(m.group(1)) if m else 0


def kernel_compiler() -> list[str]:
    """The command that compiles kernels against the wheel's headers: ``$TTNN_EMULATOR_CXX``, else the newest
    clang++ (>= 17) on PATH, else the clang that PyPI's ``ziglang`` bundles (``python -m ziglang c++``)."""
    global _kernel_cxx
    if _kernel_cxx is None:
        override = os.environ.get(KERNEL_CXX_ENV)
        if override:
            _kernel_cxx = override.split()
            return _kernel_cxx
        for name in _KERNEL_CXX_CANDIDATES:
            path = shutil.which(name)
            if path and _clang_major([path]) >= MIN_CLANG:
                _kernel_cxx = [path]
                return _kernel_cxx
        zig = [sys.executable, "-m", "ziglang", "c++"]
        if importlib.util.find_spec("ziglang") is not None and _clang_major(zig) >= MIN_CLANG:
            _kernel_cxx = zig
            return _kernel_cxx
        raise ToolchainError(
            f"the Tensix emulator builds kernels against the ttnn wheel's headers with clang {MIN_CLANG} or newer, "
            "and none is on PATH: install clang-19 (Debian/Ubuntu: apt-get install clang-19), or without root "
            f"'pip install ziglang', or point {KERNEL_CXX_ENV} at a clang++"
        )
    return _kernel_cxx


_kernel_cxx_id: str | None = None


def kernel_compiler_id() -> str:
    """Identity of the kernel compiler (its ``--version``), part of every v2 kernel's cache key."""
    global _kernel_cxx_id
    if _kernel_cxx_id is None:
        cmd = kernel_compiler()
        with subprocess.Popen(
            [*cmd, "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        ) as p:
            _kernel_cxx_id = " ".join(cmd) + "\n" + p.communicate()[0].strip()
    return _kernel_cxx_id


def _sources() -> list[Path]:
    return sorted((RUNTIME_DIR / "src").rglob("*.cpp"))


def _digest() -> str:
    h = hashlib.sha256(" ".join(CXXFLAGS).encode())
    h.update(compiler_id().encode())
    for path in _sources() + sorted(INCLUDE_DIR.rglob("*.h")) + sorted((RUNTIME_DIR / "src").rglob("*.h")):
        h.update(str(path.relative_to(RUNTIME_DIR)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _compile(source: Path, headers_digest: str) -> Path:
    """One object per source, cached by the source, the headers and the flags (so edits rebuild one file)."""
    h = hashlib.sha256(headers_digest.encode())
    h.update(source.read_bytes())
    obj = cache_dir() / "runtime-objects" / f"{source.stem}-{h.hexdigest()[:16]}.o"
    if not build_cache.intact(obj):
        obj.parent.mkdir(parents=True, exist_ok=True)
        tmp = obj.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        flags = [f for f in CXXFLAGS if f != "-shared"]
        cmd = ["g++", *flags, f"-I{INCLUDE_DIR}", f"-I{source.parent}", "-c", "-o", str(tmp), str(source)]
        proc = run_tool(cmd)
        if proc.returncode != 0:
            raise RuntimeError(f"building the emulator runtime failed in {source.name}:\n{proc.stderr}")
        tmp.replace(obj)
        build_cache.seal(obj)
    return obj


def library_path() -> Path:
    """Path of the built runtime library, building it first if the sources changed."""
    out = cache_dir() / f"libtensix_emu-{_digest()}.so"
    if not build_cache.intact(out):
        headers = hashlib.sha256(" ".join(CXXFLAGS).encode())
        headers.update(compiler_id().encode())
        for path in sorted(INCLUDE_DIR.rglob("*.h")) + sorted((RUNTIME_DIR / "src").rglob("*.h")):
            headers.update(path.read_bytes())
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            objects = list(pool.map(lambda src: _compile(src, headers.hexdigest()), _sources()))
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        proc = run_tool(["g++", "-shared", "-pthread", "-o", str(tmp), *map(str, objects)])
        if proc.returncode != 0:
            raise RuntimeError(f"linking the emulator runtime failed:\n{proc.stderr}")
        tmp.replace(out)
        build_cache.seal(out)
    return out


def load() -> ctypes.CDLL:
    """The process-wide runtime library (RTLD_GLOBAL, so kernel objects resolve against it)."""
    global _lib
    with _lock:
        if _lib is None:
            _lib = ctypes.CDLL(str(library_path()), mode=ctypes.RTLD_GLOBAL)
        return _lib
