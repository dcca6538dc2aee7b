"""Integrity of built objects in the emulator's cache.

A shared object cut short (a full disk, a killed copy, a damaged cache) still passes `exists()`, and loading
it maps pages past the end of the file: the process dies with SIGBUS on every later run. Each object is
sealed with a sidecar holding its size and SHA-256 once it is complete; an object whose seal is missing or
does not match is rebuilt instead of loaded.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def _seal_path(path: Path) -> Path:
    return path.with_name(path.name + ".sum")


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def seal(path: Path) -> None:
    """Record `path`'s size and digest (written beside it, atomically)."""
    seal_path = _seal_path(path)
    tmp = seal_path.with_name(f"{seal_path.name}.{os.getpid()}.tmp")
    tmp.write_text(f"{path.stat().st_size} {_digest(path)}\n")
    os.replace(tmp, seal_path)


def intact(path: Path) -> bool:
    """True when `path` exists and matches its seal."""
    try:
        size, digest = _seal_path(path).read_text().split()
        return path.stat().st_size == int(size) and _digest(path) == digest
    except (OSError, ValueError):
        return False
