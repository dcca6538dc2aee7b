"""The LLK API surface the emulator's compute layer must supply, and how much of it emulator/hal/llk/ does.

Enumerates every llk_* function the wheel's llk_api/ and llk_io/ headers define (with its template parameters and
signature) that the wheel's compute API (tt_metal/hw/inc/api/compute/**) or the compute_kernel_lib helpers
(ttnn/cpp/ttnn/kernel_lib/**) call, splits FPU/LLK functions from the llk_sfpu entry points, and marks each as
defined or not by a header under emulator/hal/llk/.

Usage: python benchmarks/llk_coverage.py [--out benchmarks/results/llk_coverage]
Writes a Markdown table and JSON."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
METAL = "tt_metal/hw/ckernels/wormhole_b0/metal"
CALLERS = ("tt_metal/hw/inc/api/compute", "ttnn/cpp/ttnn/kernel_lib")
NAME = re.compile(r"\bllk_[A-Za-z0-9_]+\b")
# A definition: optional template header, a return type, the name, its parameter list, then a body.
DEFINITION = re.compile(
    r"(template\s*<(?P<tpl>(?:[^<>]|<[^<>]*>)*)>\s*)?(?:inline\s+|ALWI\s+|static\s+|FORCE_INLINE\s+)*"
    r"(?P<ret>[A-Za-z_][\w:<>]*\s+)(?P<name>llk_[A-Za-z0-9_]+)\s*\((?P<args>[^;{]*?)\)\s*(?:const\s*)?\{",
    re.DOTALL,
)


def wheel_root() -> Path:
    import ttnn

    return Path(ttnn.__file__).resolve().parent


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return re.sub(r"//[^\n]*", "", text)


def definitions(paths) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for path in paths:
        text = _strip_comments(path.read_text(errors="replace"))
        for m in DEFINITION.finditer(text):
            entry = out.setdefault(m["name"], {"header": path.name, "overloads": []})
            sig = " ".join(f"{m['ret'].strip()} {m['name']}({m['args']})".split())
            tpl = " ".join((m["tpl"] or "").split())
            entry["overloads"].append({"template": tpl, "signature": sig})
    return out


def callers(root: Path) -> dict[str, list[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for base in CALLERS:
        for path in sorted((root / base).rglob("*")):
            if path.suffix in (".h", ".hpp", ".inl") and path.is_file():
                for name in set(NAME.findall(_strip_comments(path.read_text(errors="replace")))):
                    out[name].add(str(path.relative_to(root)))
    return {k: sorted(v) for k, v in out.items()}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "llk_coverage")
    args = p.parse_args()
    root = wheel_root()
    headers = sorted((root / METAL / "llk_api").rglob("*.h")) + sorted((root / METAL / "llk_io").rglob("*.h"))
    wheel = definitions(headers)
    ours = definitions(sorted((ROOT / "emulator" / "hal" / "llk").rglob("*.h")))
    called = callers(root)
    rows, data = [], {}
    for name in sorted(set(wheel) & set(called)):
        w = wheel[name]
        sfpu = "sfpu" in name or "llk_sfpu" in w["header"]
        area = "llk_sfpu (SFPU)" if sfpu else "FPU / LLK"
        data[name] = {**w, "area": area, "called_from": called[name], "emulator": name in ours}
        tpl = "; ".join(sorted({o["template"] for o in w["overloads"] if o["template"]})) or "–"
        rows.append(
            f"| `{name}` | {w['header']} | {area} | {len(called[name])} | {'yes' if name in ours else 'no'} "
            f"| {tpl.replace('|', '/')} |"
        )
    total = len(data)
    fpu = [n for n, d in data.items() if d["area"] == "FPU / LLK"]
    done = [n for n in fpu if data[n]["emulator"]]
    sfpu_done = [n for n, d in data.items() if d["area"] != "FPU / LLK" and d["emulator"]]
    summary = (
        f"{total} llk functions called by the compute API and kernel_lib: {len(fpu)} FPU/LLK "
        f"({len(done)} defined by the headers under emulator/hal/llk when this ran), {total - len(fpu)} llk_sfpu "
        f"({len(sfpu_done)} defined)."
    )
    print(summary)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(
        "# LLK API surface of the compute layer\n\n" + summary + "\n\n"
        "| function | wheel header | area | callers | emulator | template parameters |\n"
        "|---|---|---|---:|---|---|\n" + "\n".join(rows) + "\n"
    )
    args.out.with_suffix(".json").write_text(json.dumps({"summary": summary, "functions": data}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
