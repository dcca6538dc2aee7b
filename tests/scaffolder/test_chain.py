"""The whole-chain check (``scaffold check-specs``, ``scripts/check-specs.sh``): spec discovery, pytest
summaries, and one spec driven through every step."""

import importlib.util
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffolder.chain import SpecJob, check_spec, find_specs, summary_counts
from scaffolder.cli import app

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "specs"

needs_emulator = pytest.mark.skipif(
    importlib.util.find_spec("emulator.launcher") is None, reason="the emulator launcher is not available"
)


def test_find_specs_pairs_planner_specs_with_their_kernel_design(tmp_path):
    for rel in ("a/a_spec.md", "a/kernel_design.md", "b/op_design.md", "b/kernel_design.md", "c/notes.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("# x\n")
    jobs = {str(j.spec.relative_to(tmp_path.resolve())): j.design for j in find_specs(tmp_path)}
    assert set(jobs) == {"a/a_spec.md", "b/op_design.md"}
    assert jobs["a/a_spec.md"].name == "kernel_design.md"
    assert jobs["b/op_design.md"] is None  # an architect design is self-contained


def test_a_kernel_design_pairs_with_the_spec_it_names(tmp_path):
    (tmp_path / "x_spec.md").write_text("# x\n")
    (tmp_path / "y_spec.md").write_text("# y\n")
    (tmp_path / "kernel_design.md").write_text("# Kernel Design: y\n")
    jobs = {j.spec.name: j.design for j in find_specs(tmp_path)}
    assert jobs["x_spec.md"] is None and jobs["y_spec.md"].name == "kernel_design.md"


@pytest.mark.parametrize(
    "stdout, counts",
    [
        ("..x\n3 passed, 2 xfailed in 4.10s\n", {"passed": 3, "xfailed": 2}),
        (
            "F\n1 failed, 1 passed, 1 xpassed, 2 errors in 1s",
            {"failed": 1, "passed": 1, "xpassed": 1, "errors": 2},
        ),
        ("\nno tests ran in 0.01s\n", {}),
    ],
)
def test_pytest_summary_counts(stdout, counts):
    assert summary_counts(stdout) == counts


def test_unusable_spec_fails_the_parse_step_with_file_and_line(tmp_path):
    res = check_spec(SpecJob(FIXTURES / "broken" / "missing_cbs_spec.md"), tmp_path, tests=False)
    assert res.failed and res.steps["parse"].status == "fail"
    assert (
        "missing_cbs_spec.md:" in res.steps["parse"].detail and "Traceback" not in res.steps["parse"].detail
    )
    assert all(res.steps[s].status == "skip" for s in ("generate", "import", "descriptor", "compile"))


@needs_emulator
def test_check_specs_runs_every_step(tmp_path):
    """A directory holding one spec: parse, generate, import, descriptor, kernel builds and generated tests."""
    specs = tmp_path / "specs" / "tilize_rm"
    specs.mkdir(parents=True)
    shutil.copy(FIXTURES / "architect" / "tilize" / "op_design.md", specs / "op_design.md")
    res = CliRunner().invoke(
        app,
        [
            "check-specs",
            str(tmp_path / "specs"),
            "--out",
            str(tmp_path / "out"),
            "--pytest-arg",
            "-k=1x1x32x32",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "all 1 spec(s) passed every step" in res.output
    assert (tmp_path / "out").is_dir()


@pytest.mark.slow
@needs_emulator
def test_every_fixture_spec_passes_every_step(tmp_path):
    """The project's fixture specs, as check-specs sees a directory of them: nothing fails, compute that
    the phase templates cannot express is xfail."""
    specs = tmp_path / "specs"
    shutil.copytree(FIXTURES, specs, ignore=shutil.ignore_patterns("broken"))
    res = CliRunner().invoke(app, ["check-specs", str(specs), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output[-6000:]
    # row_softmax's exp_tile is declared by the wheel's kernel API the emulator builds against: it runs too.
    assert f"all {len(find_specs(specs))} spec(s) passed every step" in res.output
    assert "not runnable here" not in res.output


@needs_emulator
def test_a_kernel_call_the_emulator_lacks_is_not_runnable_here_not_a_failure(tmp_path, monkeypatch):
    """A spec whose compute kernel calls an SFPU op the emulator's kernel API does not declare (exp, made
    missing here: the wheel's headers declare every op a phase can name) is generated, imported and given its
    program descriptor; its kernel builds and tests are 'not runnable here', and check-specs does not fail on it."""
    from scaffolder.generate import sfpu

    monkeypatch.setattr(sfpu, "emulator_builds", lambda op: op != "exp")
    res = check_spec(SpecJob(FIXTURES / "phases" / "row_softmax_spec.md"), tmp_path)
    assert not res.failed, {k: (v.status, v.detail[-500:]) for k, v in res.steps.items()}
    assert [res.steps[s].status for s in ("parse", "generate", "import", "descriptor")] == ["ok"] * 4
    assert res.steps["compile"].status == res.steps["tests"].status == "n/a"
    assert "not runnable here" in res.steps["compile"].detail and "exp_tile" in res.steps["compile"].detail
