"""Spellings and layouts met in tt-metal's own specs, each pinned by a small fixture written for it.

Every fixture must parse, generate and run on the emulator; compute the phase templates cannot express is
an xfail that names the missing phases, never a failure.
"""

import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffolder.chain import run_generated_tests, summary_counts
from scaffolder.cli import app
from scaffolder.generate.plan import build_plan
from scaffolder.generate.render import l1_schedule
from scaffolder.spec.markdown import clean, split_row
from scaffolder.spec.parser import in_scope, parse_spec
from scaffolder.spec.phases import classify_titled
from scaffolder.spec.shapes import find_shapes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
needs_emulator = pytest.mark.skipif(
    importlib.util.find_spec("emulator.launcher") is None, reason="the emulator launcher is not available"
)


def _generate(tmp_path, spec, design=None):
    args = ["new-op", str(FIXTURES / spec), "--out", str(tmp_path)]
    if design:
        args += ["--design", str(FIXTURES / design)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    return parse_spec(FIXTURES / spec, design=FIXTURES / design if design else None).spec


def _run(tmp_path, op, selection):
    res = run_generated_tests(tmp_path, tmp_path / op, "-m", "not slow", "-k", selection)
    counts = summary_counts(res.stdout)
    assert res.returncode == 0 and not counts.get("failed") and not counts.get("errors"), res.stdout[-4000:]
    return counts


# ---------------------------------------------------------------- markdown and small pieces


def test_markdown_escapes_are_read_as_the_character():
    assert split_row(r"| c_1 | 2\*Wt | a \| b | `x\*y` |") == ["c_1", "2*Wt", "a | b", r"`x\*y`"]
    assert clean(r"(N, 1, S\*32, C)") == "(N, 1, S*32, C)"


def test_shapes_skip_data_literals_and_expected_outputs():
    assert find_shapes("known values: `x = [[1, 2, 3, 4]]`") == []
    assert find_shapes("torch.Size([4, 2, 64, 64])") == [(4, 2, 64, 64)]


@pytest.mark.parametrize(
    "text, scoped",
    [
        (
            "`Layout::ROW_MAJOR_LAYOUT` (Phase 0); `Layout::TILE_LAYOUT` at re-tiling (deferred regime)",
            "ROW_MAJOR",
        ),
        ("TARGET: bfloat16, float32, uint32. Phase 0: bfloat16", "bfloat16"),
        ("bfloat16, float32 (phase-1); bfloat8_b (later, tile-aligned only)", "float32"),
        ("`TILE_LAYOUT` (both). `ROW_MAJOR_LAYOUT` → `ValueError`.", "TILE"),
        ("ROW_MAJOR or TILE (both native)", "ROW_MAJOR or TILE"),
    ],
)
def test_requirements_keep_what_is_allowed_now(text, scoped):
    assert scoped in in_scope(clean(text))
    if "deferred" in text or "→" in text:
        assert ("TILE" if "deferred" in text else "ROW_MAJOR") not in in_scope(clean(text))


@pytest.mark.parametrize(
    "title, detail, kind, op, bcast",
    [
        ("Square centered values", "", "binary", "square", "NONE"),
        ("Multiply centered by rstd", "`mul<COL>(c_4, c_6, c_24)`", "binary", "mul", "COL"),
        ("Normalize (centered * rstd)", "", "binary", "mul", "NONE"),
        ("var + eps, then rsqrt", "reduce... add<SCALAR>", "binary", "add", "SCALAR"),
        ("sub mean", "", "binary", "sub", "COL"),
        ("Subtract mean (centered = x - mean)", "Free tilized input", "binary", "sub", "COL"),
        ("Rsqrt (c_25 -> c_5)", "", "unary", "rsqrt", "NONE"),
    ],
)
def test_phase_titles_decide_over_their_notes(title, detail, kind, op, bcast):
    assert classify_titled(title, detail)[:3] == (kind, op, bcast)


# ---------------------------------------------------------------- fixtures, parse and generate


def test_implied_input_required_scalar_and_side_by_side_io_table(tmp_path, import_generated):
    """Parameters list only gamma/beta and a required uint32_t; an Input/Output table; escaped `\\*`."""
    spec = _generate(tmp_path, "architect/group_stats/op_design.md")
    assert [(p.name, p.required) for p in spec.parameters] == [
        ("input_tensor", True),
        ("num_groups", True),
        ("gamma", True),
        ("beta", True),
        ("eps", False),
    ]
    assert spec.cb(1).pages.expr == "2*Wt"
    assert spec.input_layouts == ["ROW_MAJOR"] and spec.output_layout == "ROW_MAJOR"
    test = (tmp_path / "group_stats" / "tests" / "test_group_stats.py").read_text()
    assert "num_groups=1" in test and "NotImplementedError" in test  # no torch reference for group statistics
    params = inspect.signature(import_generated(tmp_path, "group_stats").group_stats).parameters
    assert params["num_groups"].annotation in (int, "int") and params["num_groups"].default is inspect._empty
    readme = (tmp_path / "group_stats" / "README.md").read_text()
    assert "group_sums_per_group" in readme and "normalize_every_tile" in readme


def test_two_required_inputs_and_bookkeeping_rows(tmp_path):
    """A second full-size input named `output`, layouts with a rejected alternative, start-up and pop rows."""
    spec = _generate(tmp_path, "design/pair_scale/op_design.md")
    assert spec.input_layouts == ["TILE"] and spec.input_dtypes == ["float32"]
    assert [(p.name, p.kind, p.op, p.broadcast, p.inputs, p.output) for p in spec.phases] == [
        ("mul_prod", "binary", "mul", "NONE", [0, 1], 24),
        ("sum_rowsum", "reduce", "sum", "NONE", [24, 2], 25),
        # The spec's row says SCALAR ("row sum at [0, 0]"), but a REDUCE_ROW result is Col0-valid.
        ("sub_diff", "binary", "sub", "COL", [0, 25], 26),
        ("mul_result", "binary", "mul", "NONE", [1, 26], 16),
    ]
    plan = build_plan(spec)
    assert not plan.unmapped and [(t.tensor, t.cb) for t in plan.program.full_tensors] == [("output", 1)]
    op_py = (tmp_path / "pair_scale" / "pair_scale.py").read_text()
    assert "input_tensor = upstream" in op_py
    test = (tmp_path / "pair_scale" / "tests" / "test_pair_scale.py").read_text()
    assert "output = torch.randn(shape," in test  # the companion has the input's shape, always given
    assert "pair_scale(tt_x, tt_x)" in test  # rejection tests pass the companion too


def test_reduced_output_unaligned_shapes_and_bold_phases(tmp_path):
    """`**Phase N - X**` blocks with CB_N names, an output of one value per row, shapes after `->`."""
    spec = _generate(tmp_path, "planner/row_spread_spec.md")
    assert spec.test_shapes == [(2, 64, 64), (10, 100), (32, 32)]
    assert spec.output_shape.startswith("[..., 1]")
    assert [(p.kind, p.inputs, p.output) for p in spec.phases] == [
        ("tilize", [0], 1),
        ("reduce", [1, 2], 3),
        ("binary", [1, 3], 4),
        ("binary", [4], 5),
        ("reduce", [5, 2], 6),
        ("untilize", [6], 16),
    ]
    plan = build_plan(spec)
    # The row statistic leaves as sticks one tile wide (the value in column 0): every phase is generated.
    assert plan.program is not None and plan.program.out_tiles == "1" and not plan.unmapped
    test = (tmp_path / "row_spread" / "tests" / "test_row_spread.py").read_text()
    assert "not tile-aligned" in test.split("(10, 100)")[1].split("),")[0]
    readme = (tmp_path / "row_spread" / "README.md").read_text()
    assert "not tile-aligned ((10, 100))" in readme


def test_phase_zero_scope_and_own_sizing_knobs(tmp_path):
    """A newer design's first-version scope, `logical shape = input logical shape`, depth/block knobs."""
    spec = _generate(tmp_path, "design/tile_copy/op_design.md")
    assert (spec.input_layouts, spec.input_dtypes, spec.output_layout) == (
        ["ROW_MAJOR"],
        ["bfloat16"],
        "TILE",
    )
    assert spec.output_shape == "same" and spec.phases == []  # "Phase 0 SUPPORTED rectangle" is no phase
    plan = build_plan(spec)
    assert plan.reference == "identity" and plan.missing_phases == []
    desc = (tmp_path / "tile_copy" / "tile_copy_program_descriptor.py").read_text()
    assert "max(DEPTH * BLOCK_SIZE, in_pages_per_row), tile_size, dtype" in desc  # "input dtype (...)"


def test_written_out_standardisation_maps_onto_the_templates(tmp_path):
    spec = _generate(tmp_path, "planner/row_whiten_spec.md")
    plan = build_plan(spec)
    assert plan.reference == "layer_norm" and plan.program is not None, plan.unmapped
    assert [p.kind for p in spec.phases].count("unary") == 1
    compute = (tmp_path / "row_whiten" / "kernels" / "row_whiten_compute.cpp").read_text()
    assert "rsqrt_tile(0);" in compute and "reduce_tile<PoolType::SUM" in compute


def test_sticks_tilized_once_and_helper_calls_with_template_cbs(tmp_path):
    """Required gamma/beta read as sticks and tilized into tile CBs; element-wise affine on one row."""
    spec = _generate(
        tmp_path, "planner/affine_norm/affine_norm_spec.md", "planner/affine_norm/kernel_design.md"
    )
    assert (spec.phases[0].inputs, spec.phases[0].output) == ([0], 2)  # tilize<c_0, c_2>(Wt, 1)
    assert (spec.phases[5].inputs, spec.phases[5].output) == ([27, 7], 28)  # comments inside <...>
    plan = build_plan(spec)
    assert plan.program is not None, plan.unmapped
    assert {t.tensor: t.cb for t in plan.program.tensor_tiles} == {"gamma": 5, "beta": 6}
    compute = (tmp_path / "affine_norm" / "kernels" / "affine_norm_compute.cpp").read_text()
    assert "mul_tiles_bcast_rows" in compute and "add_tiles_bcast_rows" in compute
    test = (tmp_path / "affine_norm" / "tests" / "test_affine_norm.py").read_text()
    # A resident tile-row over the L1 budget in float32 only: that dtype streams column blocks, nothing xfails.
    assert l1_schedule(plan, (1, 1, 32, 1024), "bfloat16")[0] == "resident"
    assert l1_schedule(plan, (1, 1, 32, 1024), "float32")[0] == "streamed"
    assert "xfail" not in test and "torch.equal(got, x.float())" not in test


def test_data_path_output_never_passes_for_missing_compute(tmp_path):
    """A data-path kernel copies its input; the tests xfail on that instead of passing by tolerance."""
    _generate(tmp_path, "planner/reduce_mean_w_rm_spec.md")
    test = (tmp_path / "reduce_mean_w_rm" / "tests" / "test_reduce_mean_w_rm.py").read_text()
    assert "if torch.equal(got, x.float()):" in test


def test_float32_data_path_keeps_every_bit(tmp_path):
    """Tiles that only move through DEST (tilize, untilize, copy) unpack straight into the fp32 DEST."""
    _generate(tmp_path, "architect/tilize/op_design.md")
    desc = (tmp_path / "tilize_rm" / "tilize_rm_program_descriptor.py").read_text()
    assert "if fp32_dest and dtype == ttnn.float32:" in desc and "UnpackToDestFp32" in desc


@pytest.mark.parametrize(
    "spec, design, op",
    [
        ("architect/group_stats/op_design.md", None, "group_stats"),
        ("design/pair_scale/op_design.md", None, "pair_scale"),  # every CB has a fixed format
        ("planner/row_spread_spec.md", None, "row_spread"),
        ("design/tile_copy/op_design.md", None, "tile_copy"),
        ("planner/row_whiten_spec.md", None, "row_whiten"),
        ("planner/affine_norm/affine_norm_spec.md", "planner/affine_norm/kernel_design.md", "affine_norm"),
    ],
)
def test_generated_packages_are_lint_clean(tmp_path, spec, design, op):
    _generate(tmp_path, spec, design)
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed")
    lint = subprocess.run(
        [str(ruff), "check", "--line-length", "110", str(tmp_path / op)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout


# ---------------------------------------------------------------- the generated tests on the emulator


@needs_emulator
@pytest.mark.parametrize(
    "spec, design, op, selection, outcome",
    [
        ("architect/group_stats/op_design.md", None, "group_stats", "1x1x32x64 or rejects", "xfailed"),
        ("design/pair_scale/op_design.md", None, "pair_scale", "1x1x32x32 or rejects", "passed"),
        ("planner/row_spread_spec.md", None, "row_spread", "32x32 or 2x64x64 or rejects", "passed"),
        ("design/tile_copy/op_design.md", None, "tile_copy", "1x1x32x32 or 4x2x64x64", "passed"),
        ("planner/row_whiten_spec.md", None, "row_whiten", "32x32 or 2x32x64 or rejects", "passed"),
        (
            "planner/affine_norm/affine_norm_spec.md",
            "planner/affine_norm/kernel_design.md",
            "affine_norm",
            "1x1x32x32 or 1x1x32x1024",
            "passed",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and "/" not in v and " " not in v else None,
)
def test_generated_tests_pass_or_name_what_is_missing(tmp_path, spec, design, op, selection, outcome):
    _generate(tmp_path, spec, design)
    counts = _run(tmp_path, op, selection)
    assert counts.get(outcome), counts
    if outcome == "passed":
        assert not counts.get("xfailed") and not counts.get("xpassed"), counts
    else:
        assert not counts.get("xpassed"), counts  # compute left to write never passes by accident
