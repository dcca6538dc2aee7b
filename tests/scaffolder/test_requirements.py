"""op_requirements.md beside its op_design.md: the reference the tests compare against, the signature and
parameter ranges of the entry point, the Phase 0 shapes and PCC gate; and an entry point that states the
spec's checks (typed defaults, rank, ranges) as ValueErrors."""

import importlib.util
import inspect
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffolder.chain import run_generated_tests, summary_counts
from scaffolder.cli import app
from scaffolder.spec.diagnostics import SpecError
from scaffolder.spec.parser import parse_spec

PAIR = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "requirements" / "row_center"
needs_emulator = pytest.mark.skipif(
    importlib.util.find_spec("emulator.launcher") is None, reason="the emulator launcher is not available"
)


def test_either_file_of_the_pair_reads_as_one_spec():
    a, b = parse_spec(PAIR / "op_requirements.md").spec, parse_spec(PAIR / "op_design.md").spec
    for spec in (a, b):
        assert spec.path.endswith("op_design.md") and spec.requirements_path.endswith("op_requirements.md")
        assert spec.reference_fn == "row_center_reference" and "x.mean(dim=dim" in spec.reference_code
        assert [(p.name, p.keyword_only, p.default, p.valid_range) for p in spec.parameters] == [
            ("x", False, None, "bfloat16, TILE_LAYOUT, rank 4"),
            ("dim", True, "-1", "{-1}"),
        ]
        assert spec.test_shapes == [(1, 1, 32, 32), (1, 1, 64, 256), (2, 3, 32, 96)]  # Phase 0's, no defaults
        assert spec.tolerance.pcc == 0.999
    assert [(p.kind, p.broadcast) for p in a.phases] == [("reduce", "NONE"), ("binary", "COL")]


def test_requirements_alone_is_a_clear_error(tmp_path):
    shutil.copy(PAIR / "op_requirements.md", tmp_path / "op_requirements.md")
    with pytest.raises(SpecError) as e:
        parse_spec(tmp_path / "op_requirements.md")
    assert "op_requirements.md:1: error:" in str(e.value) and "op_design.md" in str(e.value)
    res = CliRunner().invoke(app, ["new-op", str(tmp_path / "op_requirements.md"), "--out", str(tmp_path)])
    assert res.exit_code == 2 and not (tmp_path / "row_center").exists()


SPEC = """# Knob Spec Functional Specification

## Overview
- **Operation Name**: knob_spec

## API Specification

### Parameters
| Parameter | Type | Required | Valid Range | Default | Description |
|-----------|------|----------|-------------|---------|-------------|
| input_tensor | Tensor | Yes | 4D | - | input |
| dim | int | No | {-1, -2} | -1 | reduced dimension |
| keepdim | bool | No | {False, True} | True | keep it |
| scale | float | No | finite, > 0 | 1.0 | scale |
| ratio | float | No | (0, 1] | 0.5 | ratio |

### Input Tensor Requirements
| Property | Requirement | Error Message Hint |
|----------|-------------|-------------------|
| Layout | TILE | "knob_spec needs TILE input" |
| Dtype | BFLOAT16 | "knob_spec needs bfloat16" |

### Circular Buffer Requirements
| CB ID | Name | Purpose | Capacity | Producer | Consumer | Lifetime |
|-------|------|---------|----------|----------|----------|----------|
| c_0 | cb_in | Input | 2 tiles | Reader | Compute | Block |
| c_16 | cb_out | Output | 2 tiles | Compute | Writer | Block |
"""


def test_entry_point_types_defaults_and_ranges(tmp_path, import_generated):
    spec = tmp_path / "knob_spec_spec.md"
    spec.write_text(SPEC)
    res = CliRunner().invoke(app, ["new-op", str(spec), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    mod = import_generated(tmp_path, "knob_spec")
    params = inspect.signature(mod.knob_spec).parameters
    assert (
        params["keepdim"].default is True and params["dim"].default == -1 and params["scale"].default == 1.0
    )
    validate = mod.knob_spec.__globals__["_validate"]

    class Fake:  # what _validate reads of a tensor
        def __init__(self, shape):
            import ttnn

            self.shape, self.dtype, self.layout = shape, ttnn.bfloat16, ttnn.TILE_LAYOUT

    ok = {"dim": -1, "scale": 1.0, "ratio": 0.5}
    validate(Fake((1, 1, 32, 32)), **ok)
    cases = [
        ((1, 32, 32), ok, "input must have rank 4"),
        ((1, 1, 32, 32), dict(ok, dim=0), "dim must be one of -1, -2, got 0"),
        ((1, 1, 32, 32), dict(ok, scale=float("inf")), "scale must be finite, > 0"),
        ((1, 1, 32, 32), dict(ok, scale=0.0), "scale must be finite, > 0"),
        ((1, 1, 32, 32), dict(ok, ratio=0.0), r"ratio must be \(0, 1\]"),
        ((1, 1, 32, 32), dict(ok, ratio=1.5), r"ratio must be \(0, 1\]"),
    ]
    for shape, kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            validate(Fake(shape), **kwargs)
    test = (tmp_path / "knob_spec" / "tests" / "test_knob_spec.py").read_text()
    assert "def test_rejects_dim_out_of_range" in test and "dim=-3)" in test
    assert "def test_rejects_ratio_out_of_range" in test and "ratio=0)" in test


@needs_emulator
def test_generated_pair_passes_on_the_emulator(tmp_path):
    """The generated row_center (REDUCE_ROW mean, COL-broadcast subtract) against the spec's own reference,
    with the range check's rejection test."""
    res = CliRunner().invoke(app, ["new-op", str(PAIR / "op_design.md"), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    test = (tmp_path / "row_center" / "tests" / "test_row_center.py").read_text()
    assert "return row_center_reference(x, -1)" in test
    run = run_generated_tests(tmp_path, tmp_path / "row_center", "-k", "1x1x64x256 or 2x3x32x96 or rejects")
    counts = summary_counts(run.stdout)
    assert run.returncode == 0 and counts.get("passed", 0) >= 7, run.stdout[-3000:]
    assert not counts.get("xfailed") and not counts.get("failed"), counts


def test_check_specs_finds_the_pair_once_and_a_lone_requirements_file(tmp_path):
    from scaffolder.chain import find_specs

    assert [j.spec.name for j in find_specs(PAIR)] == ["op_design.md"]
    shutil.copy(PAIR / "op_requirements.md", tmp_path / "op_requirements.md")
    assert [j.spec.name for j in find_specs(tmp_path)] == ["op_requirements.md"]


def test_rank_rows_as_planner_specs_write_them():
    from scaffolder.generate.validation import rank_check
    from scaffolder.model import OpSpec, Requirement

    def rank(text):
        spec = OpSpec(
            "a", "a_spec.md", "planner", requirements=[Requirement("input_tensor", "rank", text, "")]
        )
        return rank_check(spec)[0]

    assert rank("Must be >= 2D") == rank("rank >= 2") == rank("2D or more") == "len(shape) < 2"
    assert rank("4 (N, C, H, W)") == rank("exactly 4") == rank("4D") == rank("rank == 4") == "len(shape) != 4"
