"""Kernel census: builds every device kernel the ttnn wheel ships with the emulator's build and classifies
each failure as the emulator's (a missing function, header, symbol or hardware layer) or the host's (a define,
compile-time argument, include path or binding that only the op's program factory supplies).

    .venv/bin/python scripts/kernel_census.py [--jobs 2] [--sample N] [--match SUBSTR]

Each kernel is built for its role(s) -- reader/writer (data movement) or compute, decided from its path, its
includes and its entry point -- with placeholder compile-time args (every index set to 2: a DRAM-interleaved
TensorAccessorArgs config, a valid CB id, a power of two), a placeholder for every named compile-time arg the
source reads, and, for Metal 2.0 kernels, generated bindings for the `args::`, `dfb::`, `tensor::`, `sem::` and
`scratch::` names they use. A build that fails on a host-only define is retried once with the defines tt-metal's
program factories typically pass (REDUCE_OP, SFPU_OP_CHAIN_0, ...), so that the emulator's API behind them is
exercised too. A built object is loaded (RTLD_NOW) against the runtime library, so undefined symbols count.

Writes benchmarks/results/kernel_census.{json,md}: counts per class, per op family, and every failure.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
EMULATOR_DIR = ROOT / "emulator"

# --------------------------------------------------------------------------------------------------------
# Failure classes. `emulator` marks the ones whose cause is the emulator's: the census test fails on them.
# --------------------------------------------------------------------------------------------------------
CLASSES: dict[str, tuple[bool, str]] = {
    "ok": (False, "built and loaded"),
    "emulator_missing_header": (
        True,
        "includes a header the wheel ships that the emulator's build cannot find",
    ),
    "emulator_missing_function": (
        True,
        "calls a function or names a type the wheel declares but the emulator lacks",
    ),
    "emulator_not_implemented": (True, "reaches a call the emulator marks as not implemented"),
    "emulator_missing_symbol": (True, "builds but leaves a symbol undefined when loaded against the runtime"),
    "emulator_hw_layer": (
        True,
        "reaches hardware-only code (RISC-V asm, Tensix instruction builtins) not shadowed",
    ),
    "emulator_error": (True, "a compile error inside the emulator's own headers"),
    "unclassified": (True, "a compile error no rule explains (counted against the emulator until explained)"),
    "host_define": (False, "uses a define only the op's host code passes (e.g. REDUCE_OP, SFPU_OP_CHAIN_0)"),
    "host_arg": (
        False,
        "the placeholder compile-time args are rejected by a static_assert or constant expression",
    ),
    "host_include": (
        False,
        "includes a header that is not in the wheel (the op's own include path or a generated one)",
    ),
    "host_binding": (False, "a Metal 2.0 binding the census cannot generate (needs the op's ProgramSpec)"),
    "not_in_wheel": (
        False,
        "names something no header of the wheel declares (a kernel out of step with its API)",
    ),
    "other_arch": (False, "written for another architecture (Blackhole/Quasar) than the emulated Wormhole"),
}
EMULATOR_CLASSES = frozenset(name for name, (emu, _) in CLASSES.items() if emu)

# Defines tt-metal's program factories typically pass; used only for a second attempt after a host_define
# failure (values as reduce_op_multi_core / unary / binary factories set them).
TYPICAL_DEFINES: dict[str, str] = {
    "REDUCE_OP": "PoolType::SUM",
    "REDUCE_DIM": "ReduceDim::REDUCE_ROW",
    "SFPU_OP_CHAIN_0": "exp_tile_init(); exp_tile(0);",
    "SFPU_OP_EXP_INCLUDE": "1",
    "ELTWISE_OP": "add_tiles",
    "ELTWISE_OP_TYPE": "EltwiseBinaryType::ELWADD",
    "BCAST_LLKOP": "EltwiseBinaryType::ELWADD",
    "BCAST_DIM": "BroadcastType::COL",
    "BINARY_OP": "add_tiles",
    "BINARY_OP_TYPE": "EltwiseBinaryType::ELWADD",
    "PACK_RELU": "0",
}

BINDING_NAMESPACES = ("args", "dfb", "tensor", "sem", "scratch")
_BINDING_USE = re.compile(r"\b(args|dfb|tensor|sem|scratch)::([A-Za-z_]\w*)\b")
_NAMED_CT = re.compile(r'get_named_compile_time_arg_val\(\s*"([^"]+)"\s*\)')
_LOCAL_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
_BINDING_HELPERS = {"get_token_if_present", "AccessPattern", "STRIDED", "ALL", "BLOCKED", "UNKNOWN"}

CT_PLACEHOLDERS = ((2,) * 128, (1,) * 128, (32,) * 128)


# --------------------------------------------------------------------------------------------------------
# Discovery: which files are kernels, their op family and roles.
# --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kernel:
    rel: str  # path inside the ttnn package directory
    family: str
    roles: tuple[str, ...]


def wheel_root() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("ttnn")
    if spec is None or spec.origin is None:
        raise SystemExit("the ttnn wheel is not installed")
    return Path(spec.origin).parent


def is_kernel_path(rel: str) -> bool:
    """A .cpp in a directory named like kernel(s) under ttnn/cpp, or under tt_metal's */kernels/."""
    parts = rel.split("/")
    if not rel.endswith(".cpp"):
        return False
    dirs = parts[:-1]
    if rel.startswith("ttnn/cpp/"):
        return any("kernel" in d and d != "kernel_lib" for d in dirs)
    if rel.startswith("tt_metal/"):
        return "kernels" in dirs
    return False


def discover(root: Path) -> list[Kernel]:
    out = []
    for base in ("ttnn/cpp", "tt_metal"):
        for path in sorted((root / base).rglob("*.cpp")):
            rel = path.relative_to(root).as_posix()
            if is_kernel_path(rel):
                text = path.read_text(errors="replace")
                out.append(Kernel(rel, family_of(rel), roles_of(rel, text)))
    return out


def family_of(rel: str) -> str:
    parts = rel.split("/")
    if "operations" in parts:
        i = parts.index("operations")
        fam = parts[i + 1]
        if fam in ("experimental", "moreh") and len(parts) > i + 3:
            return f"{fam}/{parts[i + 2]}"
        return fam
    if rel.startswith("tt_metal/"):
        return "tt_metal/" + parts[1]
    return "ttnn/kernel"


_COMPUTE_INCLUDE = re.compile(
    r'#\s*include\s+[<"](?:api/compute/|compute_kernel_api|(?:ttnn/cpp/)?ttnn/kernel_lib/|ttnn/kernel/compute/|ckernel)'
)
_DM_INCLUDE = re.compile(
    r'#\s*include\s+[<"](?:api/dataflow/dataflow_api\.h|dataflow_api\.h|api/dataflow/noc\.h)'
)
_COMPUTE_ENTRY = re.compile(r"\bnamespace\s+NAMESPACE\b|\bvoid\s+MAIN\b")


def roles_of(rel: str, text: str) -> tuple[str, ...]:
    """Compute if the path, includes or entry point say so (a compute kernel may include dataflow_buffer.h);
    otherwise data movement: writer or reader by name, both when the name says neither or both."""
    parts = rel.split("/")
    name = parts[-1].lower()
    if "unified_kernels" in text or ("COMPILE_FOR_TRISC" in text and _DM_INCLUDE.search(text)):
        return ("reader", "writer", "compute")  # one source built for every RISC of the core
    compute = (
        "compute" in parts[:-1]
        or "compute" in name
        or bool(_COMPUTE_ENTRY.search(text))
        or (bool(_COMPUTE_INCLUDE.search(text)) and not _DM_INCLUDE.search(text))
    )
    if compute and "dataflow" not in parts[:-1]:
        return ("compute",)
    reader, writer = "reader" in name, "writer" in name
    if writer and not reader:
        return ("writer",)
    if reader and not writer:
        return ("reader",)
    return ("reader", "writer")


# --------------------------------------------------------------------------------------------------------
# Placeholders: named compile-time args and Metal 2.0 bindings the source reads.
# --------------------------------------------------------------------------------------------------------
def source_closure(path: Path, limit: int = 40, roots: tuple[Path, ...] = ()) -> str:
    """The kernel's text plus the text of the headers it includes by quoted path -- relative to itself or to
    one of ``roots`` (the wheel's ttnn/cpp and package directory) -- transitively, up to ``limit`` files."""
    seen: set[Path] = set()
    texts = []
    todo = [path]
    while todo and len(seen) < limit:
        p = todo.pop()
        if p in seen or not p.is_file():
            continue
        seen.add(p)
        text = p.read_text(errors="replace")
        texts.append(text)
        for inc in _LOCAL_INCLUDE.findall(text):
            for base in (p.parent, *roots):
                if (base / inc).is_file():
                    todo.append((base / inc).resolve())
                    break
    return "\n".join(texts)


def named_args(text: str) -> tuple[tuple[str, int], ...]:
    return tuple((n, 2) for n in sorted(set(_NAMED_CT.findall(text))))


def binding_names(text: str) -> dict[str, list[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for ns, name in _BINDING_USE.findall(text):
        if name not in _BINDING_HELPERS:
            found[ns].add(name)
    return {ns: sorted(v) for ns, v in found.items()}


def bindings_header(names: dict[str, list[str]]) -> str:
    """What the JIT's kernel_bindings_generated.h declares, one placeholder per name: args as compile-time
    values, DFBs as distinct CB ids, tensors as DRAM-interleaved accessors at distinct compile-time offsets,
    semaphores local, scratchpads one page."""
    out = ["#pragma once", "#include <cstdint>"]
    if "args" in names:
        out += ['#include "experimental/kernel_args.h"', "namespace args {"]
        out += [f"constexpr experimental::CtaVal<uint32_t> {n}{{2}};" for n in names["args"]]
        out.append("}  // namespace args")
    if "dfb" in names:
        out += ['#include "api/dataflow/dfb_binding_token.h"', "namespace dfb {"]
        out += [f"constexpr DFBBindingToken<> {n}{{{i}}};" for i, n in enumerate(names["dfb"])]
        out.append("}  // namespace dfb")
    if "tensor" in names:
        out += [
            '#include "api/tensor/tensor_accessor_args.h"',
            '#include "api/tensor/tensor_binding_token.h"',
        ]
        out.append("namespace tensor {")
        for i, n in enumerate(names["tensor"]):
            out.append(f"using {n}_t = tensor_accessor::TensorBindingToken<{i}, {4 * i}>;")
            out.append(f"constexpr {n}_t {n}{{binding_details::LLKMetadata{{}}}};")
        out.append("}  // namespace tensor")
    if "sem" in names:
        out += ['#include "api/dataflow/semaphore_binding_token.h"', "namespace sem {"]
        out += [
            f"constexpr SemaphoreBindingToken {n}{{{i}, SemScope::LOCAL_NONATOMIC}};"
            for i, n in enumerate(names["sem"])
        ]
        out.append("}  // namespace sem")
    if "scratch" in names:
        out += ['#include "api/scratchpad_binding_token.h"', "namespace scratch {"]
        out += [f"constexpr ScratchpadBindingToken {n}{{{i}, 2048}};" for i, n in enumerate(names["scratch"])]
        out.append("}  // namespace scratch")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------------------
# Classifier: compiler / loader diagnostics -> (class, detail).
# --------------------------------------------------------------------------------------------------------
_Q = "['\u2018\u2019\"]"
_DIAG = re.compile(
    r"^\s*(?:(?P<file>[^\s:][^:]*):(?P<line>\d+):(?:\d+:)?\s*)?(?P<sev>fatal error|error):\s*(?P<msg>.*)$"
)
_HEADER_NOT_FOUND = [
    re.compile(rf"{_Q}([^'\u2019\"]+){_Q} file not found"),  # clang
    re.compile(r"^([^:]+): No such file or directory"),  # gcc
]
_UNDECLARED = [
    re.compile(rf"use of undeclared identifier {_Q}([\w:]+){_Q}"),
    re.compile(rf"unknown type name {_Q}([\w:]+){_Q}"),
    re.compile(rf"no template named {_Q}([\w:]+){_Q}"),
    re.compile(rf"no member named {_Q}([\w:~]+){_Q} in (?:namespace )?{_Q}?([\w:]+)"),
    re.compile(rf"no type named {_Q}([\w:]+){_Q} in (?:namespace )?{_Q}?([\w:]+)"),
    re.compile(rf"call to undeclared function {_Q}([\w:]+){_Q}"),
    re.compile(rf"{_Q}([\w:]+){_Q} was not declared in this scope"),
    re.compile(rf"{_Q}([\w:]+){_Q} is not a member of {_Q}([\w:]+){_Q}"),
    re.compile(rf"{_Q}([\w:]+){_Q} does not name a type"),
    re.compile(rf"there are no arguments to {_Q}([\w:]+){_Q}"),
    re.compile(rf"unsupported call or name: {_Q}([\w:]+){_Q}"),  # the emulator builder's own summary
]
_UNDEFINED_SYMBOL = re.compile(r"undefined symbol: (\S+)")
_NOT_A_NAMESPACE = re.compile(rf"{_Q}(\w+){_Q} is not a class, namespace, or enumeration")
_NOT_IMPLEMENTED = re.compile(r"emulator: (.+?) is not implemented")
_STATIC = re.compile(
    r"static assert|static_assert|constant expression|constexpr|division by zero|array is too large|"
    r"Index out of range|non-type template argument|exceeds|negative size|out of bounds|in a constant"
)
_HW = re.compile(
    r"invalid instruction|unknown register|invalid output constraint|invalid input constraint|"
    r"__builtin_rvtt|unrecognized instruction|unknown token in expression|invalid operand for instruction|"
    r"\bTTI_|\bINSTRUCTION_WORD\b|couldn't allocate|inline assembly|invalid token in expression"
)
_OTHER_ARCH = re.compile(r"ARCH_BLACKHOLE|ARCH_QUASAR|blackhole|quasar", re.IGNORECASE)
_MACRO_LIKE = re.compile(r"^[A-Z][A-Z0-9_]*$")
# A message naming the emulator's own declarations (e.g. its non-constexpr stand-in for a constexpr call).
_EMULATOR_NAME = re.compile(r"\bemu::|\bemu_\w+")


@dataclass
class WheelIndex:
    """What the wheel's headers provide: file suffixes, `#define`d macros and every identifier they mention."""

    files: frozenset[str]
    macros: frozenset[str]
    words: frozenset[str]

    def has_header(self, header: str) -> bool:
        return bool(self.header_paths(header))

    def header_paths(self, header: str) -> list[str]:
        header = header.lstrip("./")
        return [f for f in self.files if f == header or f.endswith("/" + header)]

    def is_op_private(self, header: str) -> bool:
        """A bare file name that only ops' own kernel directories ship: the op's include path finds it (e.g. a
        kernel including a helper of a sibling kernel directory), not the JIT's."""
        if "/" in header.strip("./"):
            return False
        paths = self.header_paths(header)
        return bool(paths) and all("kernels" in f.split("/")[:-1] for f in paths)


@cache
def wheel_index(root: str | None = None) -> WheelIndex:
    base = Path(root) if root else wheel_root()
    files, macros, words = set(), set(), set()
    define = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)", re.MULTILINE)
    word = re.compile(r"\b[A-Za-z_]\w*\b")
    for sub in ("tt_metal", "ttnn/cpp"):
        for path in (base / sub).rglob("*"):
            if path.suffix not in (".h", ".hpp", ".inl", ".cpp") or not path.is_file():
                continue
            files.add(path.relative_to(base).as_posix())
            if path.suffix == ".cpp":
                continue  # kernels use names; only headers declare them
            text = path.read_text(errors="replace")
            # A define in an op's own kernel helpers (device/kernels/**, e.g. sdpa's compute_common.hpp defining
            # REDUCE_OP) is that op's, not the API's: other kernels get such names from their program factory.
            if "kernels" not in path.relative_to(base).parts:
                macros.update(define.findall(text))
            words.update(word.findall(text))
    return WheelIndex(frozenset(files), frozenset(macros), frozenset(words))


@dataclass
class Diagnosis:
    cls: str
    detail: str
    location: str = ""


def _errors(diagnostics: str) -> list[tuple[str, str, str]]:
    """(file, line, message) for every error line, in order."""
    out = []
    for raw in diagnostics.splitlines():
        m = _DIAG.match(raw)
        if m:
            out.append((m.group("file") or "", m.group("line") or "", m.group("msg").strip()))
        elif (u := _UNDEFINED_SYMBOL.search(raw)) is not None:
            out.append(("", "", f"undefined symbol: {u.group(1)}"))
    return out


def _in_emulator(file: str, emulator_dirs: tuple[str, ...]) -> bool:
    """Inside the emulator's own sources, by absolute path or by the repository-relative one a report keeps."""
    return bool(file) and (
        file.startswith("emulator/")
        or any(file.startswith(d) or f"/{d.strip('/')}/" in file for d in emulator_dirs)
    )


def classify_error(
    file: str, msg: str, index: WheelIndex, emulator_dirs: tuple[str, ...] = (str(EMULATOR_DIR),)
) -> Diagnosis:
    """One error line -> its class. The rules, in order:
    - an undefined symbol at load, a 'not implemented' marker, Tensix/RISC-V-only code: the emulator's;
    - a header not found: the emulator's if the wheel ships it (other than as a helper of some op's kernel
      directory, included by bare name), else the host's (op include path);
    - an undeclared name: a Metal 2.0 binding namespace -> host_binding; a macro-like name the wheel never
      #defines -> host_define; a name the wheel's headers mention -> the emulator's; else not_in_wheel;
    - a failed static_assert or constant expression outside the emulator's headers: the placeholder args;
    - anything else inside the emulator's own headers, or naming its declarations: emulator_error;
      otherwise unclassified."""
    loc = f"{file}" if file else ""
    if (u := _UNDEFINED_SYMBOL.search(msg)) is not None:
        return Diagnosis("emulator_missing_symbol", u.group(1), loc)
    if (n := _NOT_IMPLEMENTED.search(msg)) is not None:
        return Diagnosis("emulator_not_implemented", n.group(1), loc)
    for pat in _HEADER_NOT_FOUND:
        if (h := pat.search(msg)) is not None:
            header = h.group(1).strip()
            if index.has_header(header) and not index.is_op_private(header):
                return Diagnosis("emulator_missing_header", header, loc)
            if _OTHER_ARCH.search(header):
                return Diagnosis("other_arch", header, loc)
            return Diagnosis("host_include", header, loc)
    if (b := _NOT_A_NAMESPACE.search(msg)) is not None and b.group(1) in (*BINDING_NAMESPACES, "pipe"):
        return Diagnosis("host_binding", f"{b.group(1)}::", loc)
    for pat in _UNDECLARED:
        if (d := pat.search(msg)) is not None:
            name = d.group(1)
            scope = d.group(2) if (d.lastindex or 0) >= 2 else ""
            leaf = name.split("::")[-1]
            head = name.split("::")[0] if "::" in name else scope.split("::")[-1]
            if head in BINDING_NAMESPACES or leaf == "get_token_if_present":
                return Diagnosis("host_binding", f"{head}::{leaf}" if head else leaf, loc)
            if leaf in ("get_vararg", "get_common_vararg"):  # Metal 2.0's generated kernel_args_generated.h
                return Diagnosis("host_binding", leaf, loc)
            if leaf == "get_named_compile_time_arg_val":  # no named arg found to give it a placeholder
                return Diagnosis("host_arg", "named compile-time args the census could not discover", loc)
            if _MACRO_LIKE.match(leaf) and leaf not in index.macros:
                return Diagnosis("host_define", leaf, loc)
            if leaf in index.words:
                full = f"{scope}::{leaf}" if scope and "::" not in name else name
                return Diagnosis("emulator_missing_function", full, loc)
            return Diagnosis("not_in_wheel", name, loc)
    if _HW.search(msg):
        return Diagnosis("emulator_hw_layer", msg[:160], loc)
    if _in_emulator(file, emulator_dirs) or _EMULATOR_NAME.search(msg):
        return Diagnosis("emulator_error", msg[:160], loc)
    if (
        msg.startswith(("#error", '"'))
        or "#error" in msg
        or ("static assert" in msg and "must be defined" in msg)
    ):
        if _OTHER_ARCH.search(msg):
            return Diagnosis("other_arch", msg[:160], loc)
        return Diagnosis("host_define", msg[:160], loc)
    if _STATIC.search(msg):
        return Diagnosis("host_arg", msg[:160], loc)
    return Diagnosis("unclassified", msg[:160], loc)


def for_kernel(rel: str, d: Diagnosis) -> Diagnosis:
    """Kernels under experimental/quasar/ are written for Quasar: an error no rule explains there is the
    architecture's (its DataflowBuffer is a template, Wormhole's is not), not the emulator's."""
    if d.cls == "unclassified" and "/quasar/" in rel:
        return Diagnosis("other_arch", d.detail, d.location)
    return d


def first_errors(diagnostics: str, n: int = 8) -> str:
    """The first ``n`` error lines (what classify reads), or the last line when there is none."""
    lines = [
        raw.strip() for raw in diagnostics.splitlines() if _DIAG.match(raw) or _UNDEFINED_SYMBOL.search(raw)
    ]
    if not lines and diagnostics.strip():
        lines = diagnostics.strip().splitlines()[-1:]
    return "\n".join(line[:400] for line in lines[:n])


def classify(
    diagnostics: str, index: WheelIndex, emulator_dirs: tuple[str, ...] = (str(EMULATOR_DIR),)
) -> Diagnosis:
    """A failed build's diagnostics -> the class of its first error (later ones are usually its cascade), with
    an emulator class found among the others taking precedence over a host one only when the first error is
    unclassified."""
    errors = _errors(diagnostics)
    if not errors:
        return Diagnosis(
            "unclassified", diagnostics.strip().splitlines()[-1][:160] if diagnostics.strip() else ""
        )
    diags = [classify_error(f, m, index, emulator_dirs) for f, _line, m in errors]
    first = diags[0]
    if first.cls == "unclassified":
        for d in diags[1:]:
            if d.cls != "unclassified":
                return d
    return first


# --------------------------------------------------------------------------------------------------------
# Running one kernel.
# --------------------------------------------------------------------------------------------------------
@dataclass
class RoleResult:
    role: str
    cls: str
    detail: str = ""
    location: str = ""
    attempt: str = "placeholder args"
    seconds: float = 0.0
    errors: str = ""  # the first error lines of the last attempt, for --reclassify


@dataclass
class KernelResult:
    rel: str
    family: str
    roles: list[RoleResult] = field(default_factory=list)

    @property
    def cls(self) -> str:
        """The kernel's class: its first emulator-caused role failure, else its first failure, else ok."""
        bad = [r for r in self.roles if r.cls != "ok"]
        emu = [r for r in bad if r.cls in EMULATOR_CLASSES]
        return (emu or bad or self.roles)[0].cls


_RUNTIME_LOADED = False


def _load_check(objects: list[Path]) -> str | None:
    """dlopen every object with RTLD_NOW against the runtime library; the loader's message on failure."""
    global _RUNTIME_LOADED
    from emulator import runtime_lib

    if not _RUNTIME_LOADED:
        ctypes.CDLL(str(runtime_lib.library_path()), mode=ctypes.RTLD_GLOBAL)
        _RUNTIME_LOADED = True
    for obj in objects:
        try:
            handle = ctypes.CDLL(str(obj), mode=os.RTLD_NOW | os.RTLD_LOCAL)
        except OSError as exc:
            return str(exc)
        import _ctypes

        _ctypes.dlclose(handle._handle)
    return None


# Placeholder CB table for the generated chlkc descriptors: every CB a bf16 (Float16_b) tile.
PLACEHOLDER_CBS = tuple((i, 5, 2048) for i in range(32))
PLACEHOLDER_COMPUTE = {
    "math_fidelity": 4,
    "fp32_dest_acc": False,
    "math_approx": False,
    "dst_full_sync": False,
}


def _attempt(kernel_path: Path, role: str, ct: tuple[int, ...], named, defines, header: str | None):
    """Every RISC build of one kernel against the wheel's own headers; returns (objects or None, diagnostics)."""
    from emulator import wheel_build

    if header is not None:
        source = f'{header}\n#include "{kernel_path}"\n'
        inline = True
    else:
        source, inline = str(kernel_path), False
    kb = wheel_build.KernelBuild(
        source=source,
        role=role,
        compile_time_args=ct,
        named_compile_time_args=named,
        defines=tuple(defines.items()),
        include_paths=(str(kernel_path.parent),),
        compute_defines=(
            (("MATH_FIDELITY", "4"), ("DST_ACCUM_MODE", "false"), ("APPROX", "false"), ("DST_SYNC_MODE", "0"))
            if role == "compute"
            else ()
        ),
        inline=inline,
        extra={"cbs": PLACEHOLDER_CBS, "compute": PLACEHOLDER_COMPUTE},
    )
    try:
        return [path for _risc, path in wheel_build.build(kb)], ""
    except wheel_build.KernelBuildError as exc:
        return None, getattr(exc, "stderr", None) or str(exc)


def run_kernel(kernel: Kernel, root: str) -> KernelResult:
    path = Path(root) / kernel.rel
    text = source_closure(path, roots=(Path(root) / "ttnn" / "cpp", Path(root)))
    named = named_args(text)
    names = binding_names(text)
    header = bindings_header(names) if names else None
    index = wheel_index(root)
    result = KernelResult(kernel.rel, kernel.family)
    for role in kernel.roles:
        t0 = time.perf_counter()
        attempts = [(ct, {}, "placeholder args") for ct in CT_PLACEHOLDERS]
        rr = None
        tried_defines = False
        i = 0
        while i < len(attempts):
            ct, defines, label = attempts[i]
            i += 1
            objects, diag = _attempt(path, role, ct, named, defines, header)
            if objects is not None:
                problem = _load_check(objects)
                if problem is None:
                    rr = RoleResult(role, "ok", attempt=label)
                    break
                diag = problem
            d = for_kernel(kernel.rel, classify(diag, index))
            rr = RoleResult(role, d.cls, d.detail, d.location, label, errors=first_errors(diag))
            if d.cls == "host_define" and not tried_defines:
                tried_defines = True
                attempts.insert(i, (ct, TYPICAL_DEFINES, "placeholder args + typical defines"))
                continue
            if d.cls != "host_arg":
                break
        rr.seconds = round(time.perf_counter() - t0, 2)
        result.roles.append(rr)
    return result


def _worker_init(cache_dir: str | None) -> None:
    if cache_dir:
        os.environ["TTNN_EMULATOR_CACHE"] = cache_dir
    sys.path.insert(0, str(ROOT))
    os.nice(5)


def stratified_sample(kernels: list[Kernel], n: int) -> list[Kernel]:
    """At least one kernel of every (top-level op family, compute or data movement) stratum, the rest in
    proportion; the pick within a stratum is by a hash of the path, so the sample is stable across runs and
    machines."""
    strata: dict[tuple[str, str], list[Kernel]] = defaultdict(list)
    for k in kernels:
        strata[(k.family.split("/")[0], "compute" if "compute" in k.roles else "dataflow")].append(k)
    for v in strata.values():
        v.sort(key=lambda k: hashlib.sha256(k.rel.encode()).hexdigest())
    picked = [v[0] for v in strata.values()]
    total = len(kernels)
    quota = {key: max(1, round(n * len(v) / total)) for key, v in strata.items()}
    for key, v in strata.items():
        picked.extend(v[1 : quota[key]])
    chosen = {k.rel for k in picked}
    rest = sorted(
        (k for k in kernels if k.rel not in chosen), key=lambda k: hashlib.sha256(k.rel.encode()).hexdigest()
    )
    picked.extend(rest[: max(0, n - len(picked))])
    return sorted(picked, key=lambda k: k.rel)


# --------------------------------------------------------------------------------------------------------
# Report.
# --------------------------------------------------------------------------------------------------------
def summarise(results: list[KernelResult]) -> dict:
    per_class = Counter(r.cls for r in results)
    per_family: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        per_family[r.family][r.cls] += 1
    details: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        for rr in r.roles:
            if rr.cls != "ok":
                details[rr.cls][rr.detail] += 1
    return {
        "kernels": len(results),
        "builds": sum(len(r.roles) for r in results),
        "per_class": dict(per_class.most_common()),
        "emulator_caused": sum(v for k, v in per_class.items() if k in EMULATOR_CLASSES),
        "per_family": {f: dict(c.most_common()) for f, c in sorted(per_family.items())},
        "top_causes": {cls: c.most_common(25) for cls, c in details.items()},
    }


_BUILD_DIR = re.compile(r"/\S*/(?:build-|emu-kernel-)[^/\s]+/")
_SO_DIR = re.compile(r"/\S+/(?=[^/\s]+\.so\b)")  # where the build cache keeps a loaded object


def portable(text: str, wheel: Path | None = None) -> str:
    """A report's text without this machine's paths: the wheel's files by their path inside the wheel
    (ttnn/cpp/..., tt_metal/...), ours by their path in the repository, generated build files as <build>/,
    built objects as <cache>/."""
    wheel = wheel or wheel_root()
    text = text.replace(str(wheel) + "/", "").replace(str(ROOT) + "/", "")
    return _SO_DIR.sub("<cache>/", _BUILD_DIR.sub("<build>/", text))


def write_reports(
    results: list[KernelResult], meta: dict, out_dir: Path, stem: str = "kernel_census"
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    wheel = wheel_root()
    for r in results:
        for rr in r.roles:
            rr.detail, rr.location, rr.errors = (
                portable(t, wheel) for t in (rr.detail, rr.location, rr.errors)
            )
    summary = summarise(results)
    doc = {
        **meta,
        "classes": {k: {"emulator_caused": e, "meaning": m} for k, (e, m) in CLASSES.items()},
        "summary": summary,
        "kernels": [
            {"path": r.rel, "family": r.family, "class": r.cls, "roles": [asdict(x) for x in r.roles]}
            for r in results
        ],
    }
    (out_dir / f"{stem}.json").write_text(json.dumps(doc, indent=1) + "\n")
    lines = [
        "# Kernel census",
        "",
        (
            f"Every device kernel in the ttnn {meta.get('ttnn_version', '')} wheel built with the emulator "
            f"against the wheel's own kernel API, {summary['kernels']} kernels, {summary['builds']} role "
            f"builds, {meta.get('seconds', 0):.0f} s on {meta.get('jobs')} jobs. Command: `{meta.get('command')}`, emulator at `{meta.get('emulator_commit')}`."
        ),
        "",
        f"**Emulator-caused failures: {summary['emulator_caused']}** of {summary['kernels']} kernels.",
        "",
    ]
    selected = meta.get("selection", {}).get("kernels", summary["kernels"])
    if selected > summary["kernels"]:
        lines += [f"**Partial report: {summary['kernels']} of the {selected} selected kernels so far.**", ""]
    lines += [
        "| class | kernels | emulator's? | meaning |",
        "|---|---:|---|---|",
    ]
    for cls, (emu, meaning) in CLASSES.items():
        n = summary["per_class"].get(cls, 0)
        if n:
            lines.append(f"| {cls} | {n} | {'yes' if emu else 'no'} | {meaning} |")
    lines += ["", "## Per op family", ""]
    cols = [c for c in CLASSES if any(c in fam for fam in summary["per_family"].values())]
    lines.append("| family | " + " | ".join(cols) + " |")
    lines.append("|---|" + "---:|" * len(cols))
    for fam, counts in summary["per_family"].items():
        lines.append(f"| {fam} | " + " | ".join(str(counts.get(c, "")) for c in cols) + " |")
    lines += ["", "## Most frequent causes per class", ""]
    for cls, items in summary["top_causes"].items():
        lines.append(f"### {cls}")
        lines.append("")
        lines.extend(f"- `{d}` ({n})" for d, n in items)
        lines.append("")
    lines += ["## Every emulator-caused failure", ""]
    for r in results:
        for rr in r.roles:
            if rr.cls in EMULATOR_CLASSES:
                lines.append(f"- `{r.rel}` ({rr.role}): {rr.cls}: `{rr.detail}`")
    (out_dir / f"{stem}.md").write_text("\n".join(lines) + "\n")


def _meta(args, argv, t0: float, selected: int) -> dict:
    import importlib.metadata

    return {
        "jobs": args.jobs,
        "seconds": round(time.perf_counter() - t0, 1),
        "ttnn_version": importlib.metadata.version("ttnn"),
        "command": "scripts/kernel_census.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "selection": {"sample": args.sample, "match": args.match, "kernels": selected},
        "emulator_commit": _commit(),
    }


def _commit() -> str | None:
    """The emulator's git commit (a snapshot run records it through CENSUS_COMMIT)."""
    import subprocess

    if os.environ.get("CENSUS_COMMIT"):
        return os.environ["CENSUS_COMMIT"]
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "emulator"], capture_output=True, text=True, check=False
    )
    return (head + ("+uncommitted emulator changes" if dirty.stdout.strip() else "")) or None


def reclassify(doc: dict, index: WheelIndex) -> list[KernelResult]:
    """A report's kernels with every failure classified again from its stored error lines (no rebuild)."""
    results = []
    for k in doc["kernels"]:
        roles = []
        for r in k["roles"]:
            rr = RoleResult(**r)
            if rr.cls != "ok" and rr.errors:
                d = for_kernel(k["path"], classify(rr.errors, index))
                rr.cls, rr.detail, rr.location = d.cls, d.detail, d.location
            roles.append(rr)
        results.append(KernelResult(k["path"], k["family"], roles))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--sample", type=int, default=0, help="a stratified sample of N kernels instead of all"
    )
    parser.add_argument("--match", default="", help="only kernels whose path contains this")
    parser.add_argument("--cache", default=None, help="TTNN_EMULATOR_CACHE for the builds")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--stem", default="kernel_census")
    parser.add_argument("--reclassify", type=Path, help="classify a report's stored errors again, no builds")
    args = parser.parse_args(argv)
    if args.reclassify:
        doc = json.loads(args.reclassify.read_text())
        meta = {k: doc[k] for k in ("jobs", "seconds", "ttnn_version", "command", "selection") if k in doc}
        meta["emulator_commit"] = doc.get("emulator_commit")
        write_reports(reclassify(doc, wheel_index()), meta, args.out, args.stem)
        return 0

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    root = wheel_root()
    kernels = [k for k in discover(root) if args.match in k.rel]
    if args.sample:
        kernels = stratified_sample(kernels, args.sample)
    _worker_init(args.cache)
    from emulator import runtime_lib

    runtime_lib.library_path()  # build the runtime once, before the workers need it
    wheel_index(str(root))
    t0 = time.perf_counter()
    results: list[KernelResult] = []
    counts: Counter = Counter()
    columns = (
        TextColumn("[bold]census"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("ok {task.fields[ok]}  host {task.fields[host]}  emulator {task.fields[emu]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with (
        Progress(*columns) as progress,
        ProcessPoolExecutor(max_workers=args.jobs, initializer=_worker_init, initargs=(args.cache,)) as pool,
    ):
        task = progress.add_task("census", total=len(kernels), ok=0, host=0, emu=0)
        # Hash order, not path order: a partial report (interrupted, or read mid-run) is a fair sample of all.
        order = sorted(kernels, key=lambda k: hashlib.sha256(k.rel.encode()).hexdigest())
        futures = {pool.submit(run_kernel, k, str(root)): k for k in order}
        for fut in as_completed(futures):
            k = futures[fut]
            try:
                r = fut.result()
            except Exception as exc:  # noqa: BLE001 -- a crash of the builder itself is the emulator's, never a pass
                r = KernelResult(
                    k.rel, k.family, [RoleResult(role, "emulator_error", repr(exc)[:160]) for role in k.roles]
                )
            results.append(r)
            if len(results) % 50 == 0 and len(results) < len(
                kernels
            ):  # a partial report survives an interrupt
                write_reports(
                    sorted(results, key=lambda r: r.rel),
                    _meta(args, argv, t0, len(kernels)),
                    args.out,
                    args.stem,
                )
            c = r.cls
            counts["ok" if c == "ok" else "emu" if c in EMULATOR_CLASSES else "host"] += 1
            progress.update(task, advance=1, ok=counts["ok"], host=counts["host"], emu=counts["emu"])
    results.sort(key=lambda r: r.rel)
    meta = _meta(args, argv, t0, len(kernels))
    write_reports(results, meta, args.out, args.stem)
    summary = summarise(results)
    print(json.dumps({"per_class": summary["per_class"], "emulator_caused": summary["emulator_caused"]}))
    print(f"wrote {args.out / (args.stem + '.json')} and .md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
