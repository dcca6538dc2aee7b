"""Generated packages: layout, lint, signature, validation before device work, CLI safety."""

import inspect
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from scaffolder.cli import app

CASES = [
    ("planner/layer_norm_rm_spec.md", ["--design", "planner/kernel_design.md"], "layer_norm_rm"),
    ("architect/layer_norm_rm/op_design.md", ["--name", "ln_arch"], "ln_arch"),
    ("design/rms_norm/op_design.md", ["--name", "rms_gen"], "rms_gen"),
    ("architect/tilize/op_design.md", [], "tilize_rm"),
]


def _generate(fixtures, tmp_path, spec, extra):
    extra = [str(fixtures / e) if e.endswith(".md") else e for e in extra]
    res = CliRunner().invoke(app, ["new-op", str(fixtures / spec), "--out", str(tmp_path), *extra])
    assert res.exit_code == 0, res.output
    return res


@pytest.mark.parametrize("spec, extra, op", CASES, ids=[c[2] for c in CASES])
def test_package_layout_and_lint(fixtures, tmp_path, spec, extra, op):
    _generate(fixtures, tmp_path, spec, extra)
    pkg = tmp_path / op
    expected = {
        "__init__.py",
        f"{op}.py",
        f"{op}_program_descriptor.py",
        f"kernels/{op}_reader.cpp",
        f"kernels/{op}_compute.cpp",
        f"kernels/{op}_writer.cpp",
        f"tests/test_{op}.py",
        "README.md",
        "agent_logs/scaffolder_breadcrumbs.jsonl",
    }
    got = {str(p.relative_to(pkg)) for p in pkg.rglob("*") if p.is_file()}
    assert got == expected
    ruff = Path(sys.executable).with_name("ruff")
    if ruff.exists():
        lint = subprocess.run(
            [str(ruff), "check", "--line-length", "110", str(pkg)],
            capture_output=True,
            check=False,
            text=True,
        )
        assert lint.returncode == 0, lint.stdout
    for kernel in (pkg / "kernels").glob("*.cpp"):
        text = kernel.read_text()
        assert "void kernel_main()" in text and "kernel_lib" not in text and "\t" not in text
    crumbs = (pkg / "agent_logs/scaffolder_breadcrumbs.jsonl").read_text().splitlines()
    import json

    events = [json.loads(line)["event"] for line in crumbs]
    assert events[0] == "start" and events[-1] == "complete"
    assert {"input_parse", "cb_config", "work_distribution", "file_created", "cb_audit"} <= set(events)


def test_signature_and_validation(fixtures, tmp_path, import_generated):
    import ttnn

    _generate(fixtures, tmp_path, *CASES[0][:2])
    mod = import_generated(tmp_path, "layer_norm_rm")
    sig = inspect.signature(mod.layer_norm_rm)
    assert [(p.name, p.kind.name, p.default) for p in sig.parameters.values()] == [
        ("input_tensor", "POSITIONAL_OR_KEYWORD", inspect.Parameter.empty),
        ("gamma", "POSITIONAL_OR_KEYWORD", None),
        ("beta", "POSITIONAL_OR_KEYWORD", None),
        ("epsilon", "KEYWORD_ONLY", 1e-5),
    ]

    # Host-side stand-ins: validation must reject these from metadata alone, before any device work.
    def tensor(shape, dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT):
        return SimpleNamespace(shape=shape, dtype=dtype, layout=layout)

    with pytest.raises(ValueError, match="input must be bfloat16"):
        mod.layer_norm_rm(tensor((1, 1, 32, 64), dtype=ttnn.float32))
    with pytest.raises(ValueError, match="input must be ROW_MAJOR"):
        mod.layer_norm_rm(tensor((1, 1, 32, 64), layout=ttnn.TILE_LAYOUT))
    with pytest.raises(ValueError, match="H must be a multiple of 32"):
        mod.layer_norm_rm(tensor((1, 1, 48, 64)))
    with pytest.raises(ValueError, match="rank >= 2"):
        mod.layer_norm_rm(tensor((64,)))
    with pytest.raises(ValueError, match="gamma last dim must equal input W"):
        mod.layer_norm_rm(tensor((1, 1, 32, 64)), tensor((1, 1, 1, 32)))


def test_keyword_only_from_design(fixtures, tmp_path, import_generated):
    _generate(fixtures, tmp_path, *CASES[2][:2])
    mod = import_generated(tmp_path, "rms_gen")
    sig = inspect.signature(mod.rms_gen)
    assert [(p.name, p.kind.name) for p in sig.parameters.values()] == [
        ("input_tensor", "POSITIONAL_OR_KEYWORD"),
        ("gamma", "KEYWORD_ONLY"),
        ("epsilon", "KEYWORD_ONLY"),
    ]
    assert sig.parameters["epsilon"].default == 1e-6


def test_generated_tests_name_missing_phases(fixtures, tmp_path):
    _generate(fixtures, tmp_path, *CASES[1][:2])
    text = (tmp_path / "ln_arch/tests/test_ln_arch.py").read_text()
    assert "MISSING_PHASES" in text and "reduce_mean" in text
    assert "def test_stage_data_pipeline" in text and "def test_stage_affine" in text
    readme = (tmp_path / "ln_arch/README.md").read_text()
    assert "reduce_mean" in readme and "Left to write" in readme
    tilize = _generate(fixtures, tmp_path, *CASES[3][:2])
    assert tilize.exit_code == 0
    assert "MISSING_PHASES" not in (tmp_path / "tilize_rm/tests/test_tilize_rm.py").read_text()


def test_reduce_spec_with_other_output_shape(fixtures, tmp_path):
    """A planner spec whose CB table sizes pages as 'Wt tiles * tile_size' and whose output is narrower."""
    _generate(fixtures, tmp_path, "planner/reduce_mean_w_rm_spec.md", [])
    pkg = tmp_path / "reduce_mean_w_rm"
    desc = (pkg / "reduce_mean_w_rm_program_descriptor.py").read_text()
    assert "(2, 1, ttnn.tile_size(ttnn.bfloat16), ttnn.bfloat16)," in desc  # the scaler CB
    tests = (pkg / "tests/test_reduce_mean_w_rm.py").read_text()
    assert "output shape [N, C, H, 32]" in tests and "compute phases (the spec lists none)" in tests
    assert "output_mem_config: ttnn.MemoryConfig | None = None" in (pkg / "reduce_mean_w_rm.py").read_text()


def test_dry_run_and_force(fixtures, tmp_path):
    runner = CliRunner()
    spec = str(fixtures / "architect/tilize/op_design.md")
    dry = runner.invoke(app, ["new-op", spec, "--out", str(tmp_path), "--dry-run"])
    assert dry.exit_code == 0 and "tilize_rm.py (new)" in dry.output and not (tmp_path / "tilize_rm").exists()
    assert runner.invoke(app, ["new-op", spec, "--out", str(tmp_path)]).exit_code == 0
    target = tmp_path / "tilize_rm/README.md"
    target.write_text("hand edit\n")
    blocked = runner.invoke(app, ["new-op", spec, "--out", str(tmp_path)])
    assert blocked.exit_code == 1 and target.read_text() == "hand edit\n"
    diff = runner.invoke(app, ["new-op", spec, "--out", str(tmp_path), "--dry-run"])
    assert "-hand edit" in diff.output
    assert runner.invoke(app, ["new-op", spec, "--out", str(tmp_path), "--force"]).exit_code == 0
    assert target.read_text().startswith("# tilize_rm")


def test_list(fixtures, tmp_path):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs/x_spec.md").write_text((fixtures / "architect/tilize/op_design.md").read_text())
    _generate(fixtures, tmp_path / "ops", *CASES[3][:2])
    res = CliRunner().invoke(
        app, ["list", "--ops", str(tmp_path / "ops"), "--specs", str(tmp_path / "specs")]
    )
    assert res.exit_code == 0 and "tilize_rm" in res.output and "x_spec.md" in res.output
