"""Builds kernels against the ttnn wheel's own device headers, as tt-metal's JIT
does for Wormhole B0, with the emulator's shadows of the lowest hardware layers first on the include path.

A data-movement kernel is one build (BRISC or NCRISC); a compute kernel is three, one per TRISC, each with its
``TRISC_UNPACK`` / ``TRISC_MATH`` / ``TRISC_PACK`` prolog and the generated ``chlkc_descriptors.h``. Every build
is a shared object cached by content: the generated files, the flags, the compiler and every header the
compiler reached (its ``-MD`` list, hashed).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from emulator import build_cache, chlkc_descriptors, device_info, kernel_build, runtime_lib
from emulator.kernel_build import KernelBuild, KernelBuildError

HAL_DIR = Path(__file__).resolve().parent / "hal"
# Our shadows, first: the lowest layers (registers, NoC interface, LLK, SFPI); everything above is the wheel's.
HAL_INCLUDES = ("common", "dataflow", "llk", "sfpi")
CXXFLAGS = [
    "-std=c++20",
    "-O1",
    "-gline-tables-only",  # a hang or violation names the kernel line by symbolizing the thread's stack
    "-fno-optimize-sibling-calls",  # ... so a call the kernel makes last keeps the kernel's frame on the stack
    "-fPIC",
    "-shared",
    "-w",
    "-Wno-error=missing-template-arg-list-after-template-kw",
    "-fms-extensions",  # the wheel casts L1 pointers to uint32_t, which needs no fix-up: L1 lies below 4 GiB
]
# Where tt-metal's JIT finds headers for a Wormhole Tensix core (tt_metal/jit_build, hal/tt-1xx/wormhole),
# relative to the wheel's package root (which holds ttnn/cpp and tt_metal).
WHEEL_INCLUDES = (
    "",
    "ttnn",
    "ttnn/cpp",
    "tt_metal",
    "tt_metal/hw/inc",
    "tt_metal/hostdevcommon/api",
    "tt_metal/api",
    "tt_metal/hw/ckernels/wormhole_b0/metal/common",
    "tt_metal/hw/ckernels/wormhole_b0/metal/llk_io",
    "tt_metal/hw/inc/internal/tt-1xx",
    "tt_metal/hw/inc/internal/tt-1xx/wormhole",
    "tt_metal/hw/inc/internal/tt-1xx/wormhole/wormhole_b0_defines",
    "tt_metal/hw/inc/internal/tt-1xx/wormhole/noc",
    "tt_metal/tt-llk/tt_llk_wormhole_b0/common/inc",
    "tt_metal/tt-llk/tt_llk_wormhole_b0/llk_lib",
    "tt_metal/tt-llk/common",
    "tt_metal/tt-llk/tools/include",
)
COMPUTE_INCLUDES = (
    "tt_metal/hw/ckernels/wormhole_b0/metal/llk_api",
    "tt_metal/hw/ckernels/wormhole_b0/metal/llk_api/llk_sfpu",
    "tt_metal/tt-llk/tt_llk_wormhole_b0/common/inc/sfpu",
)
FIRMWARE_INCLUDE = "tt_metal/hw/firmware/src/tt-1xx"
# Wheel headers replaced by ours wherever they are included from. The include path alone cannot do it: a quoted
# include finds a sibling of the including file first, so these are mapped in clang's virtual file system.
SHADOWS = {
    "tt_metal/hw/inc/internal/tt-1xx/risc_common.h": "common/internal/tt-1xx/risc_common.h",
    "tt_metal/hw/inc/internal/tt-1xx/cache.h": "common/internal/tt-1xx/cache.h",
    "tt_metal/hw/inc/internal/tt-1xx/wormhole/stream_io_map.h": "common/stream_io_map.h",
    "tt_metal/hw/inc/internal/tt-1xx/wormhole/noc_nonblocking_api.h": "dataflow/noc_nonblocking_api.h",
    "tt_metal/hw/inc/api/dataflow/buf_rw_note.h": "dataflow/api/dataflow/buf_rw_note.h",
    "tt_metal/hw/inc/internal/debug/assert_common.h": "common/internal/debug/assert_common.h",
}


def shadows() -> dict[Path, Path]:
    """Wheel header -> our replacement: SHADOWS, plus every header of hal/llk that has a namesake in the compute
    include directories (a shadow that wraps the wheel's file with #include_next is left to the include path)."""
    root = wheel_root()
    out = {root / w: HAL_DIR / ours for w, ours in SHADOWS.items()}
    dirs = [root / d for d in (*WHEEL_INCLUDES, *COMPUTE_INCLUDES)]
    for ours in sorted((HAL_DIR / "llk").rglob("*.h")):
        if "#include_next" in ours.read_text():
            continue
        rel = ours.relative_to(HAL_DIR / "llk")
        # hal/llk/llk_sfpu/ (the SFPU entry layer) also replaces its namesakes in tt-llk's llk_lib and common/inc.
        names = [rel, Path(ours.name)] if rel.parts[0] == "llk_sfpu" else [rel]
        for d in dirs:
            for name in names:
                if (d / name).is_file():
                    out[d / name] = ours
    return out


def vfs_overlay() -> Path:
    """clang's -ivfsoverlay file mapping each shadowed wheel header onto ours (written once per content)."""
    entries = [
        {"type": "file", "name": str(w), "external-contents": str(ours)}
        for w, ours in sorted(shadows().items())
    ]
    text = json.dumps({"version": 0, "case-sensitive": "true", "roots": entries}, indent=1)
    path = runtime_lib.cache_dir() / f"shadows-{hashlib.sha256(text.encode()).hexdigest()[:12]}.json"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    return path


_HAL_DIGEST: str | None = None


def hal_digest() -> str:
    """Content of the emulator's shadows and runtime headers: the compiler may report a shadowed header under the
    wheel's name, so they are part of every key rather than only of the -MD list."""
    global _HAL_DIGEST
    if _HAL_DIGEST is None:
        h = hashlib.sha256()
        for base in (HAL_DIR, runtime_lib.INCLUDE_DIR):
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    h.update(str(path.relative_to(base)).encode())
                    h.update(path.read_bytes())
        _HAL_DIGEST = h.hexdigest()
    return _HAL_DIGEST


@dataclass(frozen=True)
class Target:
    """One RISC's build of a kernel."""

    risc: int  # 0 BRISC, 1 NCRISC, 2..4 TRISC0..2 (tt-metal's processor index)
    name: str
    defines: tuple[str, ...]


DM_TARGETS = {
    "reader": Target(0, "brisc", ("COMPILE_FOR_BRISC", "PROCESSOR_INDEX=0")),
    "writer": Target(1, "ncrisc", ("COMPILE_FOR_NCRISC", "PROCESSOR_INDEX=1")),
}
TRISC_TARGETS = (
    Target(
        2,
        "trisc0",
        ("UCK_CHLKC_UNPACK", "NAMESPACE=chlkc_unpack", "COMPILE_FOR_TRISC=0", "PROCESSOR_INDEX=2"),
    ),
    Target(
        3, "trisc1", ("UCK_CHLKC_MATH", "NAMESPACE=chlkc_math", "COMPILE_FOR_TRISC=1", "PROCESSOR_INDEX=3")
    ),
    Target(
        4, "trisc2", ("UCK_CHLKC_PACK", "NAMESPACE=chlkc_pack", "COMPILE_FOR_TRISC=2", "PROCESSOR_INDEX=4")
    ),
)
TRISC_PROLOG = {2: "TRISC_UNPACK", 3: "TRISC_MATH", 4: "TRISC_PACK"}
TRISC_LEGACY_MAIN = {2: "unpack_main", 3: "math_main", 4: "pack_main"}
CHLKC_SOURCE = {2: "chlkc_unpack.cpp", 3: "chlkc_math.cpp", 4: "chlkc_pack.cpp"}


def wheel_root() -> Path:
    """The ttnn package root: the JIT's ``TT_METAL_HOME`` equivalent (holds ``tt_metal/`` and ``ttnn/cpp``)."""
    return kernel_build._wheel_root().parent


def common_defines(grid: tuple[int, int]) -> list[str]:
    """JIT defines shared by every Tensix build on Wormhole (arch, firmware, bank counts)."""
    banks = device_info.NUM_DRAM_BANKS
    l1_banks = grid[0] * grid[1]  # one L1 bank per worker core
    return [
        "ARCH_WORMHOLE",
        "TENSIX_FIRMWARE",
        "LOCAL_MEM_EN=0",
        "KERNEL_BUILD",
        "PROGRAMMABLE_CORE_TYPE=0",
        f"NUM_DRAM_BANKS={banks}",
        f"NUM_L1_BANKS={l1_banks}",
        f"IS_NOT_POW2_NUM_DRAM_BANKS={int(banks & (banks - 1) != 0)}",
        f"IS_NOT_POW2_NUM_L1_BANKS={int(l1_banks & (l1_banks - 1) != 0)}",
        f"LOG_BASE_2_OF_NUM_DRAM_BANKS={banks.bit_length() - 1}",
        f"LOG_BASE_2_OF_NUM_L1_BANKS={l1_banks.bit_length() - 1}",
        "PCIE_NOC_X=0",
        "PCIE_NOC_Y=0",
        "DISPATCH_MESSAGE_ADDR=0",
        "TENSIX_EMULATOR=1",
    ]


def include_dirs(kb: KernelBuild, compute: bool) -> list[Path]:
    root = wheel_root()
    dirs = [HAL_DIR / d for d in HAL_INCLUDES]
    dirs.append(runtime_lib.INCLUDE_DIR)
    dirs += [root / d for d in WHEEL_INCLUDES]
    if compute:
        dirs += [root / d for d in COMPUTE_INCLUDES]
    dirs.append(root / FIRMWARE_INCLUDE)
    if not kb.inline:
        dirs.append(Path(kb.source).resolve().parent)
    dirs += map(Path, kb.include_paths)
    return dirs


def _kernel_include(kb: KernelBuild) -> str:
    if kb.inline:
        # Reports name an inline kernel's own lines.
        return '#line 1 "<inline kernel>"\n' + kb.source + "\n"
    return f'#include "{Path(kb.source).resolve()}"\n'


def _defines_generated(kb: KernelBuild) -> str:
    return "".join(f"#define {name} {value}\n" for name, value in kb.defines)


def _arg_flags(kb: KernelBuild) -> list[str]:
    flags = ["-DKERNEL_COMPILE_TIME_ARGS=" + ",".join(str(int(v)) for v in kb.compile_time_args)]
    if kb.named_compile_time_args:
        pairs = ",".join(f'{{"{name}",{int(v)}}}' for name, v in kb.named_compile_time_args)
        flags.append(f"-DKERNEL_COMPILE_TIME_ARG_MAP={pairs}")
    return flags


def generated_files(kb: KernelBuild, target: Target, noc: int) -> dict[str, str]:
    """The files the JIT would generate for this build, plus the emulator's entry point."""
    files = {"defines_generated.h": _defines_generated(kb)}
    # Every build gets the CB formats: dataflow_api.h offers get_tile_size/get_dataformat to data-movement
    # kernels only when it finds this header (DATA_FORMATS_DEFINED), as the JIT generates it for every kernel.
    files["chlkc_descriptors.h"] = chlkc_descriptors.render(kb.extra.get("cbs", ()), kb.extra.get("compute"))
    entry_decls = "void kernel_main() __attribute__((weak));\n"
    if target.risc >= 2:
        for risc, name in CHLKC_SOURCE.items():
            files[name] = f'#define {TRISC_PROLOG[risc]}\n#include "defines_generated.h"\n' + _kernel_include(
                kb
            )
        legacy = TRISC_LEGACY_MAIN[target.risc]
        entry_decls += f"namespace NAMESPACE {{ void {legacy}() __attribute__((weak)); }}\n"
        body = (
            '#include "emu_firmware.h"\n#include "ckernel.h"\n#include "chlkc_descriptors.h"\n'
            + entry_decls
            + '#include "chlkc_list.h"\n'
            + 'extern "C" void emu_kernel_entry() {\n'
            + "    if (kernel_main) { run_kernel(); return; }\n"
            + f"    if (NAMESPACE::{legacy}) {{ NAMESPACE::{legacy}(); return; }}\n"
            + "    emu_no_entry_point();\n}\n"
        )
    else:
        files["kernel_includes.hpp"] = _kernel_include(kb)
        body = (
            '#include "emu_firmware.h"\n'
            + entry_decls
            + '#include "defines_generated.h"\n#include "kernel_includes.hpp"\n'
            + 'extern "C" void emu_kernel_entry() {\n'
            + "    if (kernel_main) { kernel_main(); return; }\n"
            + "    emu_no_entry_point();\n}\n"
        )
    files["emu_kernel.cpp"] = body
    return files


def _flags(kb: KernelBuild, target: Target, noc: int, grid: tuple[int, int]) -> list[str]:
    defines = common_defines(grid) + list(target.defines)
    prelude = []
    if target.risc >= 2:
        # TRISCs issue Tensix instructions (TTI_*) to the emulated thread; SFPLOADMACRO is off, as ttsim runs.
        prelude = ["-include", "emu_tensix_prelude.h"]
        defines.append("DISABLE_SFPLOADMACRO")
    else:
        defines += [f"NOC_INDEX={noc}", "NOC_MODE=0"]  # DM_DEDICATED_NOC
        # Kernel defines reach data-movement builds on the command line (process_defines_at_compile).
        defines += [f"{n}={v}" if v != "" else n for n, v in kb.defines]
    return prelude + [f"-D{d}" for d in defines] + _arg_flags(kb)


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(json.dumps(p, sort_keys=True, default=str).encode())
    return h.hexdigest()[:24]


def targets(kb: KernelBuild) -> tuple[Target, ...]:
    return TRISC_TARGETS if kb.role == "compute" else (DM_TARGETS[kb.role],)


def build(
    kb: KernelBuild, noc: int = 0, grid: tuple[int, int] = device_info.DEFAULT_GRID
) -> list[tuple[int, Path]]:
    """The shared object of every RISC build of ``kb`` as ``(risc, path)``, compiling only what is not cached."""
    if not kb.inline and not Path(kb.source).is_file():
        raise KernelBuildError(f"kernel source not found: {kb.source}")
    todo = targets(kb)
    if len(todo) == 1:
        return [(todo[0].risc, _build_one(kb, todo[0], noc, grid))]
    # The three TRISC builds of a compute kernel are independent compiler runs.
    with ThreadPoolExecutor(max_workers=len(todo)) as pool:
        return list(zip((t.risc for t in todo), pool.map(lambda t: _build_one(kb, t, noc, grid), todo)))


def _build_one(kb: KernelBuild, target: Target, noc: int, grid: tuple[int, int]) -> Path:
    files = generated_files(kb, target, noc)
    compute = target.risc >= 2
    includes = include_dirs(kb, compute)
    flags = _flags(kb, target, noc, grid)
    cxx = runtime_lib.kernel_compiler()
    source_text = kb.source if kb.inline else Path(kb.source).read_text()
    key = _digest(
        "wheel-v1",
        runtime_lib.kernel_compiler_id(),
        CXXFLAGS,
        flags,
        [str(p) for p in includes],
        files,
        source_text,
        target.name,
    )
    out_dir = runtime_lib.cache_dir() / "kernels-wheel"
    out_dir.mkdir(parents=True, exist_ok=True)
    so = out_dir / f"{key}.{target.name}.so"
    manifest = so.with_suffix(".deps.json")
    # A damaged object (cut short, overwritten) fails its seal and is rebuilt rather than loaded (SIGBUS).
    if build_cache.intact(so) and manifest.exists() and kernel_build._deps_unchanged(manifest):
        return so
    # The build directory sits in the cache so that the finished object is renamed into place atomically.
    with tempfile.TemporaryDirectory(prefix="build-", dir=out_dir) as tmp:
        tmpdir = Path(tmp)
        for name, text in files.items():
            (tmpdir / name).write_text(text)
        tmp_so = tmpdir / "kernel.so"
        depfile = tmpdir / "deps.d"
        cmd = [
            *cxx,
            *CXXFLAGS,
            "-MD",
            "-MF",
            str(depfile),
            f"-ivfsoverlay{vfs_overlay()}",
            f"-I{tmpdir}",
            *(f"-I{p}" for p in includes),
            *flags,
            "-o",
            str(tmp_so),
            str(tmpdir / "emu_kernel.cpp"),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise KernelBuildError(explain(proc.stderr, kb, target))
        kernel_build._record_deps(depfile, manifest, skip=[tmpdir])
        for stale in so.parent.glob(f"{so.stem}.core*.so"):
            stale.unlink(missing_ok=True)
        os.replace(tmp_so, so)
        build_cache.seal(so)
    return so


def explain(stderr: str, kb: KernelBuild, target: Target) -> str:
    """clang's errors, led by the kernel, its RISC build and what the emulator lacks."""
    head, _, rest = kernel_build.explain(stderr, kb).partition("\n")
    return f"{head} [{target.name} build against the ttnn wheel's headers]\n{rest}"
