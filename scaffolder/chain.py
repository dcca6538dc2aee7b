"""The whole chain over a spec: parse, generate, import, program descriptor, kernel builds, generated tests.

Used by ``scaffold check-specs DIR`` (``scripts/check-specs.sh``), the demo and the regeneration tests.
Steps that touch ttnn run in a subprocess with ``TTNN_SCAFFOLD_OPS_PATH`` pointing at the generated
packages, so two specs naming the same op never share a module cache:

    python -m scaffolder.chain probe OUT OP     # import, descriptor, compile; one JSON object on stdout
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("parse", "generate", "import", "descriptor", "compile", "tests")
_COUNT = re.compile(r"(\d+) (passed|failed|xfailed|xpassed|skipped|errors?|deselected)\b")


@dataclass
class SpecJob:
    spec: Path
    design: Path | None = None

    @property
    def label(self) -> str:
        return str(self.spec)


@dataclass
class StepResult:
    status: str  # ok | fail | skip | n/a (not runnable here: the emulator lacks what the kernels call)
    detail: str = ""
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class ChainResult:
    job: SpecJob
    op: str = ""
    steps: dict[str, StepResult] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(s.status == "fail" for s in self.steps.values())


def find_specs(root: Path) -> list[SpecJob]:
    """Planner ``*_spec.md`` (with a sibling ``kernel_design.md`` as its design), ``op_design.md`` (with the
    ``op_requirements.md`` beside it) and lone ``op_requirements.md`` files."""
    root = Path(root).resolve()
    if root.is_file():
        return [_job(root)]
    found = [p for p in root.rglob("*.md") if p.name == "op_design.md" or p.name.endswith("_spec.md")]
    # An op_requirements.md is read with the op_design.md beside it; alone, it is a job of its own (that
    # reports what it lacks).
    found += [p for p in root.rglob("op_requirements.md") if not p.with_name("op_design.md").is_file()]
    return [_job(p) for p in sorted(found)]


def _job(spec: Path) -> SpecJob:
    design = spec.with_name("kernel_design.md")
    if not spec.name.endswith("_spec.md") or not design.is_file():
        return SpecJob(spec)
    # "# Kernel Design: <op>" names its planner spec; otherwise it belongs to the directory's only spec.
    title = next((line for line in design.read_text(errors="replace").splitlines() if line.strip()), "")
    m = re.match(r"#\s*kernel design\s*[:\-—]\s*`?([A-Za-z_]\w*)", title, re.IGNORECASE)
    if m:
        mine = spec.name == f"{m.group(1)}_spec.md"
    else:
        mine = len(list(spec.parent.glob("*_spec.md"))) == 1
    return SpecJob(spec, design if mine else None)


def _env(out: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["TTNN_SCAFFOLD_OPS_PATH"] = os.pathsep.join(
        filter(None, [str(out), env.get("TTNN_SCAFFOLD_OPS_PATH")])
    )
    env.setdefault("LOGURU_LEVEL", "INFO")
    return env


def run_generated_tests(
    out: Path, pkg: Path, *pytest_args: str, timeout: float = 1800
) -> subprocess.CompletedProcess:
    """Run a generated package's own tests under pytest, the package importable as ``ttnn.operations.<op>``."""
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore::pytest.PytestUnknownMarkWarning",
        "--rootdir",
        str(out),
        str(pkg / "tests"),
        *pytest_args,
    ]
    return subprocess.run(
        cmd, env=_env(out), cwd=out, capture_output=True, text=True, timeout=timeout, check=False
    )


def summary_counts(stdout: str) -> dict[str, int]:
    """Counts from pytest's summary line: passed, failed, xfailed, xpassed, skipped, errors, deselected."""
    lines = [line for line in stdout.strip().splitlines() if line.strip()]
    summary = next((line for line in reversed(lines) if _COUNT.search(line) or "no tests ran" in line), "")
    counts: dict[str, int] = {}
    for n, kind in _COUNT.findall(summary):
        counts["errors" if kind.startswith("error") else kind] = int(n)
    return counts


def _generate(job: SpecJob, out: Path) -> tuple[StepResult, StepResult, str, str]:
    """``scaffold new-op`` into ``out``: the parse step (problems with file and line), the generate step, the
    op's name, and what the kernels call that the emulator cannot build ("" when it can build them all)."""
    from typer.testing import CliRunner

    from scaffolder.cli import app
    from scaffolder.generate import sfpu
    from scaffolder.generate.findings import emulator_gaps
    from scaffolder.generate.plan import build_plan
    from scaffolder.spec.diagnostics import SpecError
    from scaffolder.spec.parser import parse_spec

    try:
        result = parse_spec(job.spec, design=job.design)
    except SpecError as e:
        return StepResult("fail", "\n".join(map(str, e.diagnostics))), StepResult("skip"), "", ""
    except Exception:  # noqa: BLE001  (a crash is a parser bug; report it, keep checking other specs)
        return StepResult("fail", "parser crashed:\n" + traceback.format_exc()), StepResult("skip"), "", ""
    gaps = ", ".join(
        f"{sfpu.api_name(op)}_tile (phase {p.index} {p.name})"
        for p, op in emulator_gaps(build_plan(result.spec))
    )
    warnings = len(result.warnings)
    parse = StepResult(
        "ok", f"{result.spec.format}, {warnings} warning(s)" if warnings else result.spec.format
    )
    args = ["new-op", str(job.spec), "--out", str(out), "--force"]
    if job.design:
        args += ["--design", str(job.design)]
    res = CliRunner().invoke(app, args)
    if res.exit_code != 0 or res.exception is not None:
        detail = res.output[-3000:]
        if res.exception is not None and not isinstance(res.exception, SystemExit):
            detail += "".join(traceback.format_exception(res.exception))[-3000:]
        return parse, StepResult("fail", detail), result.spec.name, gaps
    return parse, StepResult("ok"), result.spec.name, gaps


def _probe(out: Path, op: str, timeout: float) -> dict[str, StepResult]:
    cmd = [sys.executable, "-m", "scaffolder.chain", "probe", str(out), op]
    try:
        proc = subprocess.run(
            cmd, env=_env(out), cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"import": StepResult("fail", f"probe timed out after {timeout:.0f} s")}
    line = next((ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith("{")), None)
    if line is None:
        return {"import": StepResult("fail", (proc.stdout + proc.stderr)[-3000:])}
    return {k: StepResult(**v) for k, v in json.loads(line).items()}


def check_spec(
    job: SpecJob, out: Path, *, tests: bool = True, pytest_args=(), timeout: float = 1800
) -> ChainResult:
    """Every step of the chain for one spec, generating into ``out``; a failed step skips the later ones."""
    res = ChainResult(job)
    parse, gen, res.op, gaps = _generate(job, out)
    res.steps["parse"], res.steps["generate"] = parse, gen
    if gen.status == "ok" and gaps:
        # Right for hardware, but the emulator's kernel API lacks a call the compute kernel makes: the
        # package is generated and imported, its kernels cannot build here, which is no failure of the spec.
        why = f"not runnable here: the emulator does not implement {gaps}"
        res.steps.update(_probe(out, res.op, timeout))
        if res.steps.get("descriptor", StepResult("skip")).status == "ok":
            res.steps["compile"] = StepResult("n/a", why)
            if tests:
                res.steps["tests"] = StepResult("n/a", why)
        for step in STEPS:
            if tests or step != "tests":
                res.steps.setdefault(step, StepResult("skip"))
        return res
    if gen.status == "ok":
        res.steps.update(_probe(out, res.op, timeout))
    if tests and all(res.steps.get(s, StepResult("skip")).status == "ok" for s in STEPS[:5]):
        try:
            proc = run_generated_tests(
                out, out / res.op, "-m", "not slow", "-rfE", *pytest_args, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            res.steps["tests"] = StepResult("fail", f"tests timed out after {timeout:.0f} s")
        else:
            counts = summary_counts(proc.stdout)
            bad = counts.get("failed", 0) + counts.get("errors", 0)
            ok = proc.returncode in (0, 5) and not bad and counts
            detail = "" if ok else (proc.stdout[-4000:] + proc.stderr[-2000:])
            res.steps["tests"] = StepResult("ok" if ok else "fail", detail, counts)
    for step in STEPS:
        if tests or step != "tests":
            res.steps.setdefault(step, StepResult("skip"))
    return res


# ---------------------------------------------------------------- the probe (runs in a subprocess)


class _Captured(Exception):
    """Raised in place of generic_op once the program descriptor is built."""

    def __init__(self, io_tensors, program):
        super().__init__("captured")
        self.io_tensors, self.program = io_tensors, program


def _first_case(test_mod) -> tuple:
    """The first plain (unmarked) shape of the generated test matrix, else the first shape."""
    plain = [s for s in test_mod.SHAPES if type(s) is tuple]  # pytest.param is a tuple subclass
    shape = plain[0] if plain else test_mod.SHAPES[0].values[0]
    return tuple(shape)


def _capture(test_mod, device, shape, dtype, layout, with_optional):
    import ttnn

    def fake_generic_op(io_tensors, program):
        raise _Captured(io_tensors, program)

    saved = ttnn.generic_op
    ttnn.generic_op = fake_generic_op
    try:
        test_mod._run(device, shape, dtype, layout, with_optional)
    except _Captured as c:
        return c.program
    finally:
        ttnn.generic_op = saved
    raise RuntimeError("the op returned without calling ttnn.generic_op")


def _compile(program) -> list[str]:
    """Build every kernel of a program descriptor as the emulator's launcher does (against the wheel's own
    headers, every RISC build of it: a compute kernel's three TRISCs); returns the roles built."""
    from emulator import launcher, wheel_build

    roles = []
    for kernel in program.kernels:
        kb, noc = launcher.kernel_build_of(kernel)
        kb.extra.update(launcher.descriptor_inputs(program, kernel.config))
        wheel_build.build(kb, noc)
        roles.append(kb.role)
    return roles


def probe(out: Path, op: str) -> dict[str, dict]:
    """Import the generated package, build its program descriptor against ttnn's own classes on the
    (emulated) device for each dtype and layout of its test matrix, and compile all three kernels."""
    import importlib
    import importlib.util

    steps: dict[str, dict] = {}

    def fail(step: str) -> dict[str, dict]:
        steps[step] = {"status": "fail", "detail": traceback.format_exc()[-4000:]}
        return steps

    try:
        mod = importlib.import_module(f"ttnn.operations.{op}")
        where = Path(mod.__file__).resolve().parent
        if where != (out / op).resolve():
            raise ImportError(f"ttnn.operations.{op} resolved to {where}, not the generated package")
        getattr(mod, op)
        test_file = out / op / "tests" / f"test_{op}.py"
        spec = importlib.util.spec_from_file_location(f"_generated_test_{op}", test_file)
        test_mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(test_mod)
    except Exception:  # noqa: BLE001
        return fail("import")
    steps["import"] = {"status": "ok"}
    import ttnn

    device = ttnn.open_device(device_id=0)
    try:
        shape = _first_case(test_mod)
        programs = []
        try:
            for dtype in test_mod.DTYPES:
                for layout in test_mod.LAYOUTS:
                    # Optional tensors are compile-time switches: both kernel variants must build.
                    for with_optional in (False, True):
                        program = _capture(test_mod, device, shape, dtype, layout, with_optional)
                        if not isinstance(program, ttnn.ProgramDescriptor):
                            raise TypeError(
                                f"generic_op got {type(program).__name__}, not a ttnn.ProgramDescriptor"
                            )
                        programs.append((f"{dtype}/{layout}{'/optional' if with_optional else ''}", program))
        except Exception:  # noqa: BLE001
            return fail("descriptor")
        n = {len(p.kernels) for _, p in programs}
        steps["descriptor"] = {"status": "ok", "detail": f"{shape}: {', '.join(k for k, _ in programs)}"}
        try:
            built = set()
            for _, program in programs:
                built |= set(_compile(program))
            missing = {"reader", "writer", "compute"} - built
            if missing or n != {3}:
                raise RuntimeError(f"kernels per program {sorted(n)}, roles missing: {sorted(missing)}")
        except Exception:  # noqa: BLE001
            return fail("compile")
        steps["compile"] = {"status": "ok", "detail": f"{len(programs)} program(s)"}
    finally:
        ttnn.close_device(device)
    return steps


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "probe":
        os.environ.setdefault("LOGURU_LEVEL", "INFO")
        result = probe(Path(argv[1]), argv[2])
        print(json.dumps(result))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
