"""Writing a generated package: atomic writes, a dry-run diff, no overwrite without --force."""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def format_python(files: dict[str, str]) -> dict[str, str]:
    """Run ruff's formatter over generated Python when ruff is installed; content is unchanged otherwise."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        return files
    out = dict(files)
    for name, text in files.items():
        if not name.endswith(".py"):
            continue
        proc = subprocess.run(
            [ruff, "format", "--line-length", "110", "--stdin-filename", name, "-"],
            input=text,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode == 0:
            out[name] = proc.stdout
    return out


def diff(target: Path, files: dict[str, str]) -> list[tuple[str, str, str]]:
    """(relative path, status, unified diff) for every file: new, changed or unchanged."""
    out = []
    for rel, text in sorted(files.items()):
        path = target / rel
        if not path.exists():
            out.append((rel, "new", ""))
            continue
        old = path.read_text(encoding="utf-8", errors="replace")
        if old == text:
            out.append((rel, "unchanged", ""))
            continue
        d = "".join(difflib.unified_diff(old.splitlines(True), text.splitlines(True), f"a/{rel}", f"b/{rel}"))
        out.append((rel, "changed", d))
    return out


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def conflicts(target: Path, files: dict[str, str]) -> list[str]:
    """Existing files that would change."""
    return [rel for rel, status, _ in diff(target, files) if status == "changed"]
