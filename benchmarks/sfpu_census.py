"""Census of the wheel's SFPU-using compute kernels on the wheel-API build: does any of them fail for a reason
of the emulator's SFPU layer (the x86 SFPI, the llk_sfpu entry layer, or a ckernel_sfpu_*.h algorithm that
does not compile against them)?

    .venv/bin/python benchmarks/sfpu_census.py [--jobs 2] [--match SUBSTR] [--resume] [--report-only]

eltwise_sfpu.cpp is checked once more with every SFPU_OP_*_INCLUDE of its split includes switched on (every
unary SFPU API header at once). A kernel uses the SFPU when it includes an SFPU compute API (api/compute/eltwise_unary/*, compute_kernel_api.h,
a *_sfpu*.h header, ...). Each is checked for syntax in all three TRISC builds (UNPACK, MATH, PACK: each
build includes the SFPU headers) with the census's placeholder arguments, the defines ttnn's program
factories typically pass, and no error limit, so that an SFPU error is seen even behind an earlier one.
Every error is attributed by the file it is reported in: 'sfpu' for the emulator's SFPI and llk_sfpu layers
and the wheel's SFPU algorithm and entry headers, 'other' for the rest (the FPU LLK layer, data movement,
a define only the op's host code passes). Writes benchmarks/results/sfpu_census.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["TTNN_EMULATOR_API"] = "wheel"

from emulator import device_info, runtime_lib, wheel_build
from scripts import kernel_census as census

SFPU_INCLUDE = re.compile(
    r'#include\s+"(api/compute/(eltwise_unary/[^"]+|compute_kernel_api\.h|[^"]*sfpu[^"]*|[^"]*binary_[^"]*\.h'
    r'|logsigmoid\.h|mask\.h|xlogy\.h|atan2\.h|gcd\.h|lcm\.h|nextafter\.h))"'
)
# Where an error is reported decides whose it is.
SFPU_FILES = re.compile(
    r"(emulator/hal/sfpi/|emulator/hal/llk/llk_sfpu/|/sfpu/ckernel_sfpu_|/llk_sfpu/|ckernel_sfpu\.h"
    r"|llk_math_eltwise_(unary|binary|ternary)_sfpu|/sfpi[^/]*\.h)"
)
ERROR = re.compile(r"^(\S+?):(\d+):\d+: (?:fatal )?error: (.*)$")


def sfpu_kernels(match: str) -> list[census.Kernel]:
    root = census.wheel_root()
    out = []
    for k in census.discover(root):
        if "compute" not in k.roles or match not in k.rel:
            continue
        text = census.source_closure(root / k.rel, roots=(root / "ttnn" / "cpp", root))
        if SFPU_INCLUDE.search(text):
            out.append(k)
    return out


def every_split_include() -> dict[str, str]:
    """eltwise_sfpu.cpp's split includes all switched on: every unary SFPU API header the factory can pull."""
    text = (census.wheel_root() / SPLIT_INCLUDES).read_text()
    return {name: "1" for name in re.findall(r"#if(?:def)?\s+(SFPU_OP_\w+_INCLUDE)", text)}


SPLIT_INCLUDES = "tt_metal/hw/inc/api/compute/eltwise_unary/sfpu_split_includes.h"
UNARY_KERNEL = "ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels/compute/eltwise_sfpu.cpp"


def check(job: tuple[str, str]) -> dict:
    """Syntax-checks the three TRISC builds of one kernel; returns its errors attributed to sfpu/other."""
    rel, label = job
    extra = every_split_include() if label == "every split include" else {}
    root = census.wheel_root()
    path = root / rel
    text = census.source_closure(path, roots=(root / "ttnn" / "cpp", root))
    names = census.binding_names(text)
    header = census.bindings_header(names) if names else None
    source, inline = (f'{header}\n#include "{path}"\n', True) if header else (str(path), False)
    kb = wheel_build.KernelBuild(
        source=source,
        role="compute",
        compile_time_args=census.CT_PLACEHOLDERS[0],
        named_compile_time_args=census.named_args(text),
        defines=tuple({**census.TYPICAL_DEFINES, **extra}.items()),
        include_paths=(str(path.parent),),
        compute_defines=(
            ("MATH_FIDELITY", "4"),
            ("DST_ACCUM_MODE", "false"),
            ("APPROX", "false"),
            ("DST_SYNC_MODE", "0"),
        ),
        inline=inline,
        extra={"cbs": census.PLACEHOLDER_CBS, "compute": census.PLACEHOLDER_COMPUTE},
    )
    errors = []
    with tempfile.TemporaryDirectory(prefix="sfpu-census-") as tmp:
        for target in wheel_build.TRISC_TARGETS:
            build = Path(tmp) / target.name
            build.mkdir()
            for name, body in wheel_build.generated_files(kb, target, 0).items():
                (build / name).write_text(body)
            cmd = [
                *runtime_lib.kernel_compiler(),
                *wheel_build.CXXFLAGS,
                "-fsyntax-only",
                "-ferror-limit=0",
                f"-ivfsoverlay{wheel_build.vfs_overlay()}",
                f"-I{build}",
                *(f"-I{p}" for p in wheel_build.include_dirs(kb, True)),
                *wheel_build._flags(kb, target, 0, device_info.DEFAULT_GRID),
                str(build / "emu_kernel.cpp"),
            ]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            for line in proc.stderr.splitlines():
                m = ERROR.match(line)
                if m:
                    file = census.portable(m.group(1), root)
                    errors.append(
                        {
                            "build": target.name,
                            "at": f"{file}:{m.group(2)}",
                            "error": m.group(3),
                        }
                    )
    return {"kernel": rel + (f" ({label})" if label else ""), "errors": errors}


def _init() -> None:
    os.environ["TTNN_EMULATOR_API"] = "wheel"
    sys.path.insert(0, str(ROOT))
    os.nice(5)


def owner(at: str, error: str) -> str:
    """Whose error: 'host' for a kernel's own static_assert on its compute configuration (e.g. fp32 DEST,
    which only the op's factory sets), 'sfpu' for one reported in the SFPU layer, else 'other'."""
    if error.startswith("static assertion failed") and not at.startswith("emulator/"):
        return "host"
    return "sfpu" if SFPU_FILES.search(at) else "other"


RESULTS = ROOT / "benchmarks" / "results"


def save_partial(results: list[dict], command: str) -> None:
    """The results so far, so that an interrupted census can --resume (and says it is incomplete)."""
    doc = {"command": command, "complete": False, "results": results}
    (RESULTS / "sfpu_census.json").write_text(json.dumps(doc, indent=1) + "\n")


def report(results: list[dict], command: str, seconds: int, complete: bool = True) -> str:
    for r in results:
        for e in r["errors"]:
            e["error"] = census.portable(e["error"])  # no machine paths in the report
            e["owner"] = owner(e["at"], e["error"])
    ok = [r for r in results if not r["errors"]]
    sfpu = [r for r in results if any(e["owner"] == "sfpu" for e in r["errors"])]
    host = [r for r in results if r not in sfpu and any(e["owner"] == "host" for e in r["errors"])]
    other = Counter()
    for r in results:
        for e in {(e["at"], e["error"]) for e in r["errors"] if e["owner"] == "other"}:
            other[e] += 1
    doc = {
        "command": command,
        "complete": complete,
        "seconds": seconds,
        "kernels": len(results),
        "clean": len(ok),
        "with_sfpu_errors": len(sfpu),
        "with_host_config_asserts": len(host),
        "results": results,
    }
    out = RESULTS
    (out / "sfpu_census.json").write_text(json.dumps(doc, indent=1) + "\n")
    lines = [
        "# SFPU-using compute kernels of the wheel on the wheel-API build",
        "",
        *([] if complete else ["**An interrupted run: the kernels checked so far.**", ""]),
        (
            f"`{command}`: {len(results)} kernel builds (syntax of all three TRISC builds, census placeholders + "
            f"typical defines, {seconds} s): {len(ok)} without any error, {len(sfpu)} with an error in the SFPU "
            f"layer, {len(host)} stopped only by their own static_assert on a compute configuration the "
            "placeholders do not give (e.g. fp32 DEST)."
        ),
        "",
        "## Errors in the SFPU layer",
        "",
    ]
    lines += [
        f"- {r['kernel']}: "
        + "; ".join(f"{e['at']}: {e['error']}" for e in r["errors"] if e["owner"] == "sfpu")
        for r in sfpu
    ] or ["none"]
    lines += ["", "## Kernels that assert a compute configuration", ""]
    lines += [
        f"- {r['kernel']}: " + min(e["error"] for e in r["errors"] if e["owner"] == "host") for r in host
    ] or ["none"]
    lines += ["", "## Other errors (not the SFPU's), by how many kernels show them", ""]
    lines += [f"- {n} x {at}: {err}" for (at, err), n in other.most_common(25)] or ["none"]
    md = "\n".join(lines) + "\n"
    (out / "sfpu_census.md").write_text(md)
    return md


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--match", default="")
    ap.add_argument("--report-only", action="store_true", help="rewrite the report from sfpu_census.json")
    ap.add_argument(
        "--resume", action="store_true", help="keep the kernels an interrupted run already checked"
    )
    args = ap.parse_args()
    command = "benchmarks/sfpu_census.py" + (f" --match {args.match}" if args.match else "")
    stored = RESULTS / "sfpu_census.json"
    if args.report_only:
        doc = json.loads(stored.read_text())
        print(report(doc["results"], doc["command"], doc.get("seconds", 0), doc.get("complete", True)))
        return
    t0 = time.perf_counter()
    kernels = sfpu_kernels(args.match)
    print(f"{len(kernels)} SFPU-using compute kernels", flush=True)
    jobs = [(k.rel, "") for k in kernels]
    if any(k.rel == UNARY_KERNEL for k in kernels):
        jobs.append((UNARY_KERNEL, "every split include"))
    results = json.loads(stored.read_text())["results"] if args.resume and stored.exists() else []
    done = {r["kernel"] for r in results}
    todo = [j for j in jobs if j[0] + (f" ({j[1]})" if j[1] else "") not in done]
    with ProcessPoolExecutor(args.jobs, initializer=_init) as pool:
        for i, r in enumerate(pool.map(check, todo), len(jobs) - len(todo) + 1):
            results.append(r)
            save_partial(results, command)
            owners = Counter(owner(e["at"], e["error"]) for e in r["errors"])
            print(f"[{i}/{len(jobs)}] {r['kernel']}: {dict(owners) or 'ok'}", flush=True)
    print(report(results, command, round(time.perf_counter() - t0)))


if __name__ == "__main__":
    main()
