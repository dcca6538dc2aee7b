"""What one kernel build is (``KernelBuild``), and the pieces of a build every RISC target shares: the
dependency manifest that decides a cached object is still current, the compiler-error explanation, and the
per-core copies of a loaded object. emulator/wheel_build.py compiles kernels against the wheel's own headers.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path


class KernelBuildError(RuntimeError):
    """A kernel failed to compile; the message names the kernel, the line and any unsupported API."""


@dataclass(frozen=True)
class KernelBuild:
    """Everything that affects one kernel binary."""

    source: str  # file path, or inline C++ when ``inline`` is set
    role: str  # reader | writer | compute
    compile_time_args: tuple[int, ...] = ()
    named_compile_time_args: tuple[tuple[str, int], ...] = ()
    defines: tuple[tuple[str, str], ...] = ()
    include_paths: tuple[str, ...] = ()
    compute_defines: tuple[tuple[str, str], ...] = ()
    inline: bool = False
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def display_name(self) -> str:
        return "<inline kernel>" if self.inline else self.source


def _wheel_root() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("ttnn")
    if spec is None or spec.origin is None:
        raise KernelBuildError("the ttnn wheel is not installed; the emulator reuses its header-only pieces")
    return Path(spec.origin).parent / "tt_metal"


def _deps_unchanged(manifest: Path) -> bool:
    try:
        deps = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return False
    for path, digest in deps.items():
        try:
            if hashlib.sha256(Path(path).read_bytes()).hexdigest() != digest:
                return False
        except OSError:
            return False
    return True


def _record_deps(depfile: Path, manifest: Path, skip: list[Path]) -> None:
    text = depfile.read_text().replace("\\\n", " ")
    paths = text.split(":", 1)[1].split() if ":" in text else []
    deps = {}
    for p in paths:
        path = Path(p).resolve()
        if any(str(path).startswith(str(s)) for s in skip) or not path.exists():
            continue
        deps[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest.write_text(json.dumps(deps, indent=0))


_Q = "['\u2018\u2019]"  # g++ quotes names with ' or with typographic quotes, by locale
_UNDECLARED = re.compile(
    rf"error: (?:there are no arguments to )?{_Q}([A-Za-z_][\w:]*){_Q} "
    rf"(?:was not declared in this scope|is not a member of|that depend on a template parameter)"
)
_MISSING_HEADER = re.compile(r"fatal error: ([^:]+): No such file or directory")
_NOT_IMPLEMENTED = re.compile(r"static assertion failed: emulator: (.+?) is not implemented")
_NO_MATCH = re.compile(rf"error: no matching function for call to {_Q}([A-Za-z_][\w:]*)")


def explain(stderr: str, build: KernelBuild) -> str:
    """Turns g++'s output into a message that names the kernel and what the emulator lacks."""
    lines = [f"kernel {build.display_name} ({build.role}) failed to compile for the emulator"]
    missing = sorted(set(_MISSING_HEADER.findall(stderr)))
    for header in missing:
        lines.append(f"  unsupported include: {header} is not implemented by the emulator's kernel API")
    for name in sorted(set(_UNDECLARED.findall(stderr))):
        lines.append(
            f"  unsupported call or name: '{name}' is not part of the emulator's kernel API (or is a typo)"
        )
    for name in sorted(set(_NOT_IMPLEMENTED.findall(stderr))):
        lines.append(f"  unsupported call: {name} is not implemented by the emulator")
    for name in sorted(set(_NO_MATCH.findall(stderr))):
        lines.append(f"  no overload of '{name}' matches these arguments in the emulator's kernel API")
    errors = [ln for ln in stderr.splitlines() if "error" in ln][:12]
    lines.append("compiler errors:")
    lines.extend("  " + ln for ln in errors)
    return "\n".join(lines)


def per_core_copy(so: Path, core_index: int) -> Path:
    """A private copy of ``so`` for one core (the dynamic loader shares one image per file)."""
    copy = so.with_name(f"{so.stem}.core{core_index}.so")
    if not copy.exists() or copy.stat().st_size != so.stat().st_size:  # a cut-short copy is made again
        tmp = copy.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(so.read_bytes())
        os.replace(tmp, copy)
    return copy
