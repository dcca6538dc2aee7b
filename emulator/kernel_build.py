"""Compiles kernel sources with host g++ against the emulator's kernel API, with a content-keyed cache.

The include path puts the emulator's shadow headers first, then a small overlay of header-only pieces taken
from the installed ttnn wheel (compile-time args, TensorAccessorArgs), read at build time and never copied into
the project. Nothing else from the wheel is reachable, so a kernel that uses an API the emulator does not
implement fails here, with the header or call named, not later at run time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from emulator import build_cache, device_info, runtime_lib

KERNEL_API_DIR = Path(__file__).resolve().parent / "kernel_api"
CXXFLAGS = ["-std=c++17", "-O1", "-g0", "-fPIC", "-shared", "-w", "-fno-gnu-unique"]

# Header-only pieces of the wheel that compile unmodified on the host (relative to ttnn/tt_metal/).
WHEEL_HEADERS = {
    "api/compile_time_args.h": "hw/inc/api/compile_time_args.h",
    "api/tensor/tensor_accessor_args.h": "hw/inc/api/tensor/tensor_accessor_args.h",
    "internal/tensor/const.h": "hw/inc/internal/tensor/const.h",
    "hostdevcommon/tensor_accessor/arg_config.hpp": "hostdevcommon/api/hostdevcommon/tensor_accessor/arg_config.hpp",
    "hostdevcommon/flags.hpp": "hostdevcommon/api/hostdevcommon/flags.hpp",
}

ROLE_DEFINES = {
    "reader": ["COMPILE_FOR_BRISC", "PROCESSOR_INDEX=0"],
    "writer": ["COMPILE_FOR_NCRISC", "PROCESSOR_INDEX=1"],
    # Compute runs as one thread that performs the UNPACK, MATH and PACK parts of every call in order.
    "compute": [
        "COMPILE_FOR_TRISC=0",
        "TRISC_UNPACK",
        "TRISC_MATH",
        "TRISC_PACK",
        "UCK_CHLKC_MATH",
        "PROCESSOR_INDEX=2",
    ],
}
COMMON_DEFINES = [
    "ARCH_WORMHOLE",
    "NUM_DRAM_BANKS=12",
    "IS_NOT_POW2_NUM_DRAM_BANKS=1",
    "KERNEL_BUILD",
    "DISABLE_SFPLOADMACRO",
    "TENSIX_EMULATOR=1",
]


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


def overlay_dir() -> Path:
    """A directory exposing exactly the wheel headers in WHEEL_HEADERS, by symlink."""
    root = _wheel_root()
    tag = hashlib.sha256(str(root).encode()).hexdigest()[:10]
    out = runtime_lib.cache_dir() / f"wheel-overlay-{tag}"
    for rel, src in WHEEL_HEADERS.items():
        link = out / rel
        if not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            target = root / src
            if not target.exists():
                raise KernelBuildError(
                    f"the installed ttnn wheel lacks {src}; the emulator needs ttnn==0.81.1"
                )
            try:
                link.symlink_to(target)
            except FileExistsError:
                pass
    return out


def _api_digest() -> str:
    """Everything every kernel binary depends on besides its own inputs: flags, compiler, the emulator's kernel
    API and runtime headers, and the content of the wheel headers it reuses."""
    h = hashlib.sha256(" ".join(CXXFLAGS).encode())
    h.update(runtime_lib.compiler_id().encode())
    for base in (KERNEL_API_DIR, runtime_lib.INCLUDE_DIR):
        for path in sorted(base.rglob("*")):
            if path.is_file():
                h.update(str(path.relative_to(base)).encode())
                h.update(path.read_bytes())
    root = _wheel_root()
    h.update(str(root).encode())
    for rel, src in sorted(WHEEL_HEADERS.items()):
        h.update(rel.encode())
        try:
            h.update((root / src).read_bytes())
        except OSError:
            pass  # reported by overlay_dir() when the build needs it
    return h.hexdigest()


_API_DIGEST: str | None = None


def _flags(build: KernelBuild) -> list[str]:
    flags = [f"-D{d}" for d in COMMON_DEFINES + ROLE_DEFINES[build.role]]
    # One L1 bank per worker core: the count follows TTNN_EMULATOR_GRID (64 on the default 8x8).
    flags.append(f"-DNUM_L1_BANKS={device_info.num_l1_banks(device_info.grid_from_env())}")
    ct = ",".join(str(int(v)) for v in build.compile_time_args)
    flags.append(f"-DKERNEL_COMPILE_TIME_ARGS={ct}")
    if build.named_compile_time_args:
        pairs = ",".join(f'{{"{name}",{int(v)}}}' for name, v in build.named_compile_time_args)
        flags.append(f"-DKERNEL_COMPILE_TIME_ARG_MAP={pairs}")
    for name, value in list(build.compute_defines) + list(build.defines):
        flags.append(f"-D{name}={value}" if value != "" else f"-D{name}")
    return flags


def _key(build: KernelBuild, source_text: str) -> str:
    global _API_DIGEST
    if _API_DIGEST is None:
        _API_DIGEST = _api_digest()
    h = hashlib.sha256(_API_DIGEST.encode())
    h.update(
        json.dumps(
            [build.role, build.source if not build.inline else "", list(build.include_paths), _flags(build)]
        ).encode()
    )
    h.update(source_text.encode())
    return h.hexdigest()[:24]


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


def build(kb: KernelBuild) -> Path:
    """Returns the shared object for ``kb``, compiling it unless an identical build is cached."""
    if kb.inline:
        source_text = kb.source
    else:
        path = Path(kb.source)
        if not path.is_file():
            raise KernelBuildError(f"kernel source not found: {kb.source}")
        source_text = path.read_text()
    key = _key(kb, source_text)
    out_dir = runtime_lib.cache_dir() / "kernels"
    out_dir.mkdir(parents=True, exist_ok=True)
    so = out_dir / f"{key}.so"
    manifest = out_dir / f"{key}.deps.json"
    if build_cache.intact(so) and manifest.exists() and _deps_unchanged(manifest):
        return so

    # Build inside the cache directory: the final rename must stay on one filesystem (TMPDIR may not be).
    with tempfile.TemporaryDirectory(prefix=".build-", dir=out_dir) as tmp:
        tmpdir = Path(tmp)
        if kb.inline:
            kernel_file = tmpdir / "inline_kernel.cpp"
            kernel_file.write_text(kb.source)
        else:
            kernel_file = Path(kb.source).resolve()
        wrapper = tmpdir / "wrapper.cpp"
        wrapper.write_text(
            f'#include "emu/kernel_prelude.h"\n#include "{kernel_file}"\n#include "emu/kernel_entry.h"\n'
        )
        depfile = tmpdir / "deps.d"
        tmp_so = tmpdir / "kernel.so"
        includes = [
            KERNEL_API_DIR,
            overlay_dir(),
            runtime_lib.INCLUDE_DIR,
            kernel_file.parent,
            *map(Path, kb.include_paths),
        ]
        cmd = [
            "g++",
            *CXXFLAGS,
            "-MD",
            "-MF",
            str(depfile),
            *(f"-I{p}" for p in includes),
            *_flags(kb),
            "-o",
            str(tmp_so),
            str(wrapper),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            raise runtime_lib.missing_tool(cmd[0]) from None
        if proc.returncode != 0:
            raise KernelBuildError(explain(proc.stderr, kb))
        _record_deps(depfile, manifest, skip=[KERNEL_API_DIR, runtime_lib.INCLUDE_DIR, _wheel_root(), tmpdir])
        # A rebuild under the same key (an included header changed) makes the per-core copies and the
        # kernel-globals marker of the previous binary stale.
        for stale in [so.with_suffix(".globals"), *out_dir.glob(f"{key}.core*.so")]:
            stale.unlink(missing_ok=True)
        os.replace(tmp_so, so)
        build_cache.seal(so)
    return so


_WRITABLE = re.compile(r"^[0-9a-f]+ [bBdD] (\S+)$")
# Writable symbols every shared object has (dynamic section, GOT, the EH personality reference, CRT state) or
# that the emulator's own headers define (thread-local or never written per core): not kernel state.
_NOT_KERNEL_STATE = (
    "__",
    "_ZGV",
    "completed.",
    "_ZZN3emu",
    "_ZN3emu",
    "_ZZN10emu_",
    "_ZN10emu_",
    "DW.ref.",
    "_DYNAMIC",
    "_GLOBAL_OFFSET_TABLE_",
)
_GLOBALS_MARKER = "v2:"  # marker format; markers written by an older detection are recomputed


def kernel_globals(so: Path) -> list[str]:
    """The writable data symbols the kernel itself defines (globals and statics)."""
    out = runtime_lib.run_tool(["nm", "--defined-only", str(so)]).stdout
    names = [m.group(1) for line in out.splitlines() if (m := _WRITABLE.match(line))]
    return [n for n in names if not n.startswith(_NOT_KERNEL_STATE)]


def has_kernel_globals(so: Path) -> bool:
    """True if the kernel object defines writable data of its own (globals or statics), which hardware keeps
    per core: such a kernel needs one loaded copy per core."""
    marker = so.with_suffix(".globals")
    try:
        text = marker.read_text()
        if text.startswith(_GLOBALS_MARKER):
            return text == _GLOBALS_MARKER + "1"
    except OSError:
        pass
    own = bool(kernel_globals(so))
    marker.write_text(_GLOBALS_MARKER + ("1" if own else "0"))
    return own


def per_core_copy(so: Path, core_index: int) -> Path:
    """A private copy of ``so`` for one core (the dynamic loader shares one image per file)."""
    copy = so.with_name(f"{so.stem}.core{core_index}.so")
    if not copy.exists() or copy.stat().st_size != so.stat().st_size:  # a cut-short copy is made again
        tmp = copy.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(so.read_bytes())
        os.replace(tmp, copy)
    return copy
