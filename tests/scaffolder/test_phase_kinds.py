"""Each phase kind of tests/fixtures/specs/phases generated from its spec and run on the emulator against
the spec's own reference: MAX and AVG row reductions into a [..., 1] output, SFPU ops standalone and after
a reduction, a SCALAR-broadcast epsilon. An SFPU op the emulator's kernel API lacked would be generated for
hardware and reported as an error-level finding, and --strict would refuse it."""

import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffolder.chain import run_generated_tests, summary_counts
from scaffolder.cli import app
from scaffolder.generate import sfpu

PHASES = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "phases"
needs_emulator = pytest.mark.skipif(
    importlib.util.find_spec("emulator.launcher") is None, reason="the emulator launcher is not available"
)


def _generate(tmp_path, name, *extra):
    res = CliRunner().invoke(app, ["new-op", str(PHASES / f"{name}_spec.md"), "--out", str(tmp_path), *extra])
    return res, tmp_path / name


def _kernel(pkg):
    return (pkg / "kernels" / f"{pkg.name}_compute.cpp").read_text()


def test_row_statistic_output_is_one_tile_per_row(tmp_path):
    res, pkg = _generate(tmp_path, "row_max")
    assert res.exit_code == 0 and "error" not in res.output, res.output
    kernel = _kernel(pkg)
    assert "reduce_tile<PoolType::MAX, ReduceDim::REDUCE_ROW>(cb_x, cb_scaler" in kernel
    assert "MISSING_PHASES" not in (pkg / "tests" / "test_row_max.py").read_text()
    op_py = (pkg / "row_max.py").read_text()
    assert "ttnn.Shape([*list(input_tensor.shape)[:-1], 1])" in op_py
    desc = (pkg / "row_max_program_descriptor.py").read_text()
    assert "out_pages_per_row = 1" in desc and "TILE * element_size, 1, int(rm_out)" in desc
    assert "_bf16_bits(1.0)" in desc  # a MAX reduction's scaler is 1, not 1/W


def test_softmax_is_generated_for_hardware_and_reports_what_the_emulator_lacks(tmp_path, monkeypatch):
    res, pkg = _generate(tmp_path, "row_softmax")
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    # The spec multiplies by the Col0-valid 1/sum without a broadcast: COL is generated, with a warning.
    assert "row_softmax_spec.md:39: warning: phase 6 mul_y: c_28 is Col0-valid" in flat
    kernel = _kernel(pkg)
    for call in (
        "reduce_tile<PoolType::MAX, ReduceDim::REDUCE_ROW>(cb_x, cb_scaler",
        "sub_tiles_bcast_cols(cb_x, cb_max",
        "exp_tile_init();",
        "exp_tile(0);",
        "reduce_tile<PoolType::SUM, ReduceDim::REDUCE_ROW>(cb_exp, cb_scaler",
        "recip_tile(0);",
        "mul_tiles_bcast_cols(cb_exp, cb_inv",
        '#include "api/compute/eltwise_unary/exp.h"',
    ):
        assert call in kernel, call
    test = (pkg / "tests" / "test_row_softmax.py").read_text()
    assert "fn = torch.nn.functional.softmax" in test and "MISSING_PHASES" not in test
    # The wheel's kernel API, which the emulator builds against, declares exp_tile: nothing to report.
    assert sfpu.emulator_builds("exp") and "generated for hardware" not in flat
    # An op the emulator's kernel API lacked (exp, made missing here) is an error-level finding; --strict refuses.
    monkeypatch.setattr(sfpu, "emulator_builds", lambda op: op != "exp")
    lacking, _ = _generate(tmp_path / "lacking", "row_softmax")
    assert lacking.exit_code == 0
    flat = " ".join(lacking.output.split())
    assert "row_softmax_spec.md:37: error: phase 3 exp_exp: exp_tile is generated for hardware" in flat
    strict, _ = _generate(tmp_path / "strict", "row_softmax", "--strict")
    assert strict.exit_code == 1 and not (tmp_path / "strict" / "row_softmax").exists()


def test_in_place_phases_get_a_cb_of_their_own(tmp_path):
    """`c_4, c_5 -> c_4` and `c_4 -> c_4` would reserve pages of a CB whose pages the phase still holds: the
    first result goes to a generated CB of the same format, the second back to c_4 (free again by then), and
    the untilize that reads and writes the writer's CB reads a generated CB that the multiply fills."""
    res, pkg = _generate(tmp_path, "row_rescale_inplace")
    assert res.exit_code == 0 and "error" not in res.output, res.output
    kernel = _kernel(pkg)
    assert "constexpr uint32_t cb_ms_next = 31;" in kernel and "constexpr uint32_t cb_out_rm_next = 30;" in kernel
    assert "if constexpr (stream)" not in kernel  # in-place phases keep one resident tile-row
    resident = kernel[kernel.index("// Phase 4: add_epsilon") :]
    assert "add_tiles_bcast_scalar(cb_ms, cb_eps, 0, 0, 0);" in resident and "pack_tile(0, cb_ms_next);" in resident
    assert "copy_tile(cb_ms_next, 0, 0);" in resident and "pack_tile(0, cb_ms);" in resident
    assert "untilize_strip<Wt, block>(cb_out_rm_next, cb_out_rm, out_pages);" in resident
    desc = (pkg / "row_rescale_inplace_program_descriptor.py").read_text()
    assert "(31, 1, tile_size, dtype)," in desc and "(30, Wt, tile_size, dtype)," in desc


def test_strict_refuses_a_data_path(tmp_path):
    """A phase outside the templates is an error at its line, never only an xfail."""
    spec = PHASES.parents[0] / "architect" / "group_stats" / "op_design.md"
    runner = CliRunner()
    res = runner.invoke(app, ["new-op", str(spec), "--out", str(tmp_path), "--strict"])
    flat = " ".join(res.output.split())
    assert res.exit_code == 1 and "op_design.md:59: error: not generated: no reader-fed CB carries" in flat
    assert "op_design.md:1: error: no torch reference" in flat  # group statistics have no torch form here
    assert not (tmp_path / "group_stats").exists()
    plain = runner.invoke(app, ["new-op", str(spec), "--out", str(tmp_path)])  # without --strict: written
    assert plain.exit_code == 0 and (tmp_path / "group_stats").is_dir()


@needs_emulator
@pytest.mark.parametrize(
    "name, selection",
    [
        ("row_max", "32x32 or 1x3x32x320 or rejects"),
        ("row_rms_inv", "2x64x128 or 1x1x32x1024 or rejects"),
        ("tile_magnitude", "2x64x128 or rejects"),
        ("row_rescale_inplace", "32x32 or 2x64x128 or rejects"),
    ],
)
def test_generated_phase_kinds_pass_on_the_emulator(tmp_path, name, selection):
    res, pkg = _generate(tmp_path, name)
    assert res.exit_code == 0, res.output
    run = run_generated_tests(tmp_path, pkg, "-m", "not slow", "-k", selection)
    counts = summary_counts(run.stdout)
    assert run.returncode == 0 and counts.get("passed", 0) >= 4, run.stdout[-3000:]
    assert not counts.get("xfailed") and not counts.get("failed") and not counts.get("xpassed"), counts


@pytest.mark.slow
@needs_emulator
@pytest.mark.parametrize("name", ["row_max", "row_rms_inv", "tile_magnitude"])
def test_generated_phase_kinds_all_tests(tmp_path, name):
    res, pkg = _generate(tmp_path, name)
    assert res.exit_code == 0, res.output
    run = run_generated_tests(tmp_path, pkg)
    counts = summary_counts(run.stdout)
    assert run.returncode == 0 and counts.get("passed") and not counts.get("xfailed"), run.stdout[-3000:]


LIST_SPEC = """# Row Shift Functional Specification

## Overview
- **Operation Name**: row_shift

## Data Flow

1. **Reader Kernel**:
   - Reads tiles of x into CB_0; writes the 1/W scaler tile into CB_2 once
2. **Compute Kernel**:
   - **Phase 1 - Reduce**:
     - Waits for the tile-row in CB_0 and the scaler in CB_2
     - Produces the row mean (1 tile) to CB_3
   - **Phase 2 - Subtract**:
     - Uses CB_0 and CB_3
     - Produces the shifted tiles to CB_16
3. **Writer Kernel**:
   - Waits for tiles in CB_16

### Circular Buffer Requirements

| CB ID | Name | Purpose | Producer | Consumer | Sizing Strategy | Lifetime |
|-------|------|---------|----------|----------|-----------------|----------|
| c_0 | CB_in | Input tiles | Reader | Compute | `Wt` tiles | Block |
| c_2 | CB_scaler | Scaler (1/W) | Reader | Compute | 1 tile | Program |
| c_3 | CB_mean | Row mean | Compute | Compute | 1 tile | Block |
| c_16 | CB_out | Output tiles | Compute | Writer | `Wt` tiles | Block |
"""


def test_phases_given_as_bold_items_of_a_data_flow_list(tmp_path):
    """`- **Phase N - X**:` items under a `2. **Compute Kernel**:` list item, CBs in their `Waits`, `Uses`
    and `Produces` lines; the subtraction of the Col0 mean broadcasts COL by data semantics."""
    from scaffolder.spec.parser import parse_spec

    path = tmp_path / "row_shift_spec.md"
    path.write_text(LIST_SPEC)
    spec = parse_spec(path).spec
    assert [(p.kind, p.inputs, p.output, p.broadcast) for p in spec.phases] == [
        ("reduce", [0, 2], 3, "NONE"),
        ("binary", [0, 3], 16, "COL"),
    ]


def test_a_binary_phase_that_also_squares_is_not_generated_rather_than_wrong(tmp_path):
    """'Subtract mean, square' as one phase: the subtraction alone would leave the mean of the centred values
    where the variance should be, so the phase is an error-level finding and the kernel a data path."""
    text = (PHASES / "row_rescale_inplace_spec.md").read_text()
    text = text.replace("| 2 | Square | CB_1 (Wt tiles) | CB_2 (Wt tiles) | x^2 |", "| 2 | Subtract Mean, Square | CB_1 (Wt tiles), CB_5 (epsilon) | CB_2 (Wt tiles) | (x - e)^2 |")
    spec = tmp_path / "sq_spec.md"
    spec.write_text(text)
    res = CliRunner().invoke(app, ["new-op", str(spec), "--out", str(tmp_path / "out")])
    assert "phase 2 subtract_mean_square: sub then square in DEST has no template" in res.output, res.output
