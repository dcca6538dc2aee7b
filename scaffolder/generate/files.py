"""Writing a generated package: whole or not at all, a dry-run diff, no overwrite without --force."""

from __future__ import annotations

import difflib
import errno
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


class WriteError(Exception):
    """The package could not be written; nothing was changed (one line, for the user)."""


_STAGE = ".{name}.scaffold-{pid}-"  # a package being written, by the process with that pid
_OLD = ".{name}.scaffold-old-{pid}"  # the previous package while a replacement moves in


def write_package(target: Path, files: dict[str, str]) -> None:
    """Write `files` (relative path -> text) as the package directory `target`, whole or not at all.

    Everything is written into a staging directory next to `target` and then renamed into place, so a full
    disk, an error or a kill leaves either the old package or the new one, never a mix. An existing package is
    copied into the stage first: files the generator does not write, and every file's mode, are kept. New
    files get the usual 0666 & ~umask. A stage left by a killed run is removed here.
    """
    parent = target.parent
    stage = None
    try:
        if parent.exists() and not parent.is_dir():
            raise WriteError(f"--out {parent} is a file, not a directory")
        if target.exists() and not target.is_dir():
            raise WriteError(f"{target} exists and is not a directory; move it away or choose another --out")
        parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(parent, target.name)
        stage = Path(tempfile.mkdtemp(dir=parent, prefix=_STAGE.format(name=target.name, pid=os.getpid())))
        if target.is_dir():
            shutil.copytree(target, stage, symlinks=True, dirs_exist_ok=True)
        else:
            stage.chmod(0o777 & ~_umask())
        for rel, text in files.items():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:  # truncating keeps an existing file's mode
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
        _move_into_place(stage, target)
        stage = None
    except OSError as e:
        raise WriteError(
            f"cannot write {target}: {e.strerror or e}" + (f" ({e.filename})" if e.filename else "")
        )
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)


def _move_into_place(stage: Path, target: Path) -> None:
    if not target.exists():
        os.rename(stage, target)  # fails, leaving target alone, if another run created it meanwhile
        return
    if _exchange(stage, target):
        shutil.rmtree(stage)  # now holds the previous package
        return
    old = target.parent / _OLD.format(name=target.name, pid=os.getpid())
    os.rename(target, old)
    try:
        os.rename(stage, target)
    except OSError:
        os.rename(old, target)
        raise
    shutil.rmtree(old)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    if sys.platform != "linux":
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _remove_stale(parent: Path, name: str) -> None:
    """Stages of runs that were killed (their pid is gone) are removed; a previous package that a killed run
    had moved aside goes back into place."""
    prefix = f".{name}.scaffold-"
    for path in parent.glob(f"{prefix}*"):
        rest = path.name[len(prefix) :]
        moved_aside = rest.startswith("old-")
        pid = rest.removeprefix("old-").split("-")[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        if moved_aside and not (parent / name).exists():
            os.rename(path, parent / name)
        else:
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def conflicts(target: Path, files: dict[str, str]) -> list[str]:
    """Existing files that would change."""
    return [rel for rel, status, _ in diff(target, files) if status == "changed"]
