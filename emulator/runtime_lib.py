"""Builds (once, cached by source hash) and loads ``libtensix_emu.so``, the emulator's C++ runtime.

Every ``runtime/src/**/*.cpp`` goes into the one library; kernels compiled by ``emulator.kernel_build`` link
against it at ``dlopen`` time, so it is loaded with ``RTLD_GLOBAL``.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import threading
from pathlib import Path

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


def _sources() -> list[Path]:
    return sorted((RUNTIME_DIR / "src").rglob("*.cpp"))


def _digest() -> str:
    h = hashlib.sha256(" ".join(CXXFLAGS).encode())
    for path in _sources() + sorted(INCLUDE_DIR.rglob("*.h")):
        h.update(str(path.relative_to(RUNTIME_DIR)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def library_path() -> Path:
    """Path of the built runtime library, building it first if the sources changed."""
    out = cache_dir() / f"libtensix_emu-{_digest()}.so"
    if not out.exists():
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        cmd = ["g++", *CXXFLAGS, f"-I{INCLUDE_DIR}", "-o", str(tmp), *map(str, _sources())]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"building the emulator runtime failed:\n{proc.stderr}")
        tmp.replace(out)
    return out


def load() -> ctypes.CDLL:
    """The process-wide runtime library (RTLD_GLOBAL, so kernel objects resolve against it)."""
    global _lib
    with _lock:
        if _lib is None:
            _lib = ctypes.CDLL(str(library_path()), mode=ctypes.RTLD_GLOBAL)
        return _lib
