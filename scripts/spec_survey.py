"""How far the scaffolder gets on a directory of real op specs: each one scaffolded and run through the chain.

    .venv/bin/python scripts/spec_survey.py DIR [--manifest FILE] [--no-tests] [--out KEEP] [--name NAME]
                                                [--only OP_DIR ...]

DIR holds specs as tt-metal's op pipeline wrote them (planner ``*_spec.md`` with its ``kernel_design.md``,
``op_design.md`` with its ``op_requirements.md``), one directory per op. The optional manifest is a TSV of
``dir<TAB>file<TAB>source path<TAB>commit`` lines naming where each file came from; the table carries it.

For each spec: its format, whether ``new-op`` generated a package, every error-level generation finding (what
the templates cannot express, an SFPU op the default emulator lacks, a missing reference), the chain's steps
(import, program descriptor, kernel builds) and the generated tests' pytest counts. Prints a table and writes
``benchmarks/results/<name>.{md,json}`` (default name ``spec_survey``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scaffolder.chain import STEPS, check_spec, find_specs  # noqa: E402
from scaffolder.generate.findings import generation_findings  # noqa: E402
from scaffolder.generate.plan import build_plan  # noqa: E402
from scaffolder.spec.diagnostics import SpecError  # noqa: E402
from scaffolder.spec.parser import parse_spec  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def manifest_of(path: Path | None) -> dict[str, tuple[str, str]]:
    """(op dir, file) -> (source path, commit)."""
    out: dict[str, tuple[str, str]] = {}
    if path is None or not path.is_file():
        return out
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        d, f, src, commit = (line.split("\t") + ["", "", "", ""])[:4]
        out[f"{d}/{f}"] = (src, commit)
    return out


def findings_of(job) -> tuple[str, list[str], list[str]]:
    """(format, phase kinds, error-level generation findings) of one spec; parse errors as findings."""
    try:
        result = parse_spec(job.spec, design=job.design)
    except SpecError as e:
        return "-", [], [f"parse: {d.message}" for d in e.diagnostics][:6]
    except Exception as e:  # noqa: BLE001  (a parser crash is a finding of its own)
        return "-", [], [f"parser crashed: {type(e).__name__}: {e}"]
    kinds = [p.kind for p in result.spec.phases]
    try:
        found = generation_findings(build_plan(result.spec))
    except Exception as e:  # noqa: BLE001
        return result.spec.format, kinds, [f"planner crashed: {type(e).__name__}: {e}"]
    return result.spec.format, kinds, [d.message for d in found if d.severity == "error"]


def first_failure(res) -> str:
    for step in STEPS:
        s = res.steps.get(step)
        if s is not None and s.status == "fail":
            lines = [ln for ln in s.detail.strip().splitlines() if ln.strip()]
            failed = [ln for ln in lines if ln.startswith(("FAILED", "ERROR"))]
            if step == "tests" and failed:
                first = failed[0].split("::")[-1]
                return f"tests: {len(failed)} failing, first {first[:200]}"
            tail = next(
                (ln for ln in reversed(lines) if re.search(r"Error|error|FAILED|failed", ln)),
                lines[-1] if lines else "",
            )
            return f"{step}: {tail.strip()[:240]}"
    return ""


def survey(
    root: Path, out: Path, *, tests: bool, manifest: dict, name: str, only: list[str] | None = None
) -> list[dict]:
    """Every spec under root, or (`only`) the specs of those op directories, replacing their rows in the
    results already written."""
    rows = []
    jobs = find_specs(root)
    if only:
        jobs = [j for j in jobs if j.spec.relative_to(root.resolve()).parts[0] in only]
        previous = RESULTS / f"{name}.json"
        if previous.is_file():
            redo = {str(j.spec.relative_to(root.resolve())) for j in jobs}
            rows = [r for r in json.loads(previous.read_text()) if r["spec"] not in redo]
    for k, job in enumerate(jobs):
        rel = job.spec.relative_to(root.resolve())
        src, commit = manifest.get(str(rel), ("", ""))
        t0 = time.perf_counter()
        fmt, kinds, problems = findings_of(job)
        where = out / f"{k:02d}_{job.spec.parent.name}"
        where.mkdir(parents=True, exist_ok=True)
        res = check_spec(job, where, tests=tests, timeout=1800)
        tcounts = res.steps["tests"].counts if "tests" in res.steps else {}
        row = {
            "spec": str(rel),
            "design": job.design.name if job.design else "",
            "source": src,
            "commit": commit,
            "format": fmt,
            "op": res.op,
            "phases": kinds,
            "steps": {s: r.status for s, r in res.steps.items()},
            "tests": tcounts,
            "unsupported": problems,
            "failure": first_failure(res),
            "seconds": round(time.perf_counter() - t0, 1),
        }
        rows.append(row)
        rows.sort(key=lambda r: r["spec"])
        write(rows, root.name, name)  # after every spec: a long survey leaves a table however far it got
        print(
            f"[{k + 1}/{len(jobs)}] {rel}: generate={row['steps'].get('generate')} "
            f"tests={tcounts or row['steps'].get('tests')} {row['failure'][:120]}",
            flush=True,
        )
    return rows


def _kinds(kinds: list[str]) -> str:
    seen: dict[str, int] = {}
    for k in kinds:
        seen[k] = seen.get(k, 0) + 1
    return ", ".join(f"{k}×{n}" if n > 1 else k for k, n in seen.items()) or "-"


def markdown(rows: list[dict], root_label: str) -> str:
    def counts(r):
        t = r["tests"]
        if not t:
            return r["steps"].get("tests", "-")
        return " / ".join(str(t.get(k, 0)) for k in ("passed", "failed", "skipped")) + (
            f" (+{t['xfailed']} xfailed)" if t.get("xfailed") else ""
        )

    gen_ok = sum(r["steps"].get("generate") == "ok" for r in rows)
    built = sum(r["steps"].get("compile") == "ok" for r in rows)
    clean = sum(
        bool(r["tests"]) and r["steps"].get("tests") == "ok" and not r["tests"].get("xfailed") for r in rows
    )
    lines = [
        "# Real op specs through the scaffolder",
        "",
        f"`scripts/spec_survey.py {root_label}`: each spec tt-metal's op pipeline wrote, scaffolded with "
        "`new-op` and run through `check-specs`' chain (import, program descriptor, kernel builds on the "
        "emulator, the generated tests, slow cases excluded).",
        "",
        f"{len(rows)} specs: {gen_ok} generated, {built} built all kernels, "
        f"{clean} passed every generated test with nothing xfailed.",
        "",
        "| spec | source @ commit | format | phases | generated | kernels built | tests passed / failed / skipped | unsupported (generation errors) | first failing step |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        spec = r["spec"] + (f" + {r['design']}" if r["design"] else "")
        src = f"`{r['source']}` @ {r['commit'][:8]}" if r["source"] else "-"
        uns = "; ".join(u.replace("|", "\\|")[:160] for u in r["unsupported"]) or "-"
        fail = (r["failure"] or "-").replace("|", "\\|")
        lines.append(
            f"| {spec} | {src} | {r['format']} | {_kinds(r['phases'])} | {r['steps'].get('generate')} "
            f"| {r['steps'].get('compile')} | {counts(r)} | {uns} | {fail} |"
        )
    return "\n".join(lines) + "\n"


def write(rows: list[dict], root_label: str, name: str) -> str:
    RESULTS.mkdir(parents=True, exist_ok=True)
    md = markdown(rows, root_label)
    (RESULTS / f"{name}.md").write_text(md)
    (RESULTS / f"{name}.json").write_text(json.dumps(rows, indent=1) + "\n")
    return md


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root", type=Path)
    ap.add_argument("--manifest", type=Path, default=None, help="TSV: dir, file, source path, commit")
    ap.add_argument("--no-tests", action="store_true")
    ap.add_argument("--out", type=Path, default=None, help="keep the generated packages here")
    ap.add_argument("--name", default="spec_survey", help="results file stem under benchmarks/results/")
    ap.add_argument("--only", nargs="+", metavar="OP_DIR", help="re-survey these op directories only")
    args = ap.parse_args()
    manifest = manifest_of(args.manifest or args.root / "MANIFEST.tsv")
    out = (args.out or Path(tempfile.mkdtemp(prefix="spec-survey-"))).resolve()
    rows = survey(args.root, out, tests=not args.no_tests, manifest=manifest, name=args.name, only=args.only)
    print(write(rows, args.root.name, args.name))
    print(f"generated packages: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
