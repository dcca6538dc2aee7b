"""Every fixture format parses into the same model facts; broken specs report file and line."""

import pytest

from scaffolder.spec.diagnostics import SpecError
from scaffolder.spec.parser import parse_spec, parse_text


def test_planner_with_kernel_design(fixtures):
    r = parse_spec(fixtures / "planner/layer_norm_rm_spec.md", design=fixtures / "planner/kernel_design.md")
    s = r.spec
    assert (s.name, s.format, r.confidence) == ("layer_norm_rm", "planner", "HIGH")
    assert [(p.name, p.required, p.keyword_only, p.default) for p in s.parameters] == [
        ("input_tensor", True, False, None),
        ("gamma", False, False, "None"),
        ("beta", False, False, "None"),
        ("epsilon", False, True, "1e-5"),
    ]
    assert [c.index for c in s.cbs] == [0, 1, 2, 3, 4, 5, 6, 7, 16, 24, 25]
    assert s.cb(2).valid_region.startswith("Row0")  # from kernel_design.md
    assert [p.kind for p in s.phases] == [
        "tilize",
        "reduce",
        "binary",
        "binary",
        "reduce",
        "binary",
        "binary",
        "untilize",
    ]
    assert s.phases[2].broadcast == "COL" and s.phases[2].inputs == [1, 3] and s.phases[2].output == 4
    assert s.test_shapes == [(1, 1, 32, 32), (1, 1, 64, 128), (1, 1, 32, 256), (4, 2, 64, 64)]
    assert (s.tolerance.rtol, s.tolerance.atol) == (0.05, 0.2)
    assert {(a.kernel, a.kind) for a in s.kernel_args} == {
        ("reader", "compile_time"),
        ("reader", "runtime"),
        ("compute", "compile_time"),
        ("compute", "runtime"),
        ("writer", "compile_time"),
        ("writer", "runtime"),
    }
    errs = [r for r in s.requirements if r.property == "second_last_dim"]
    assert errs and errs[0].error_hint == "H must be a multiple of 32"


def test_architect(fixtures):
    s = parse_spec(fixtures / "architect/layer_norm_rm/op_design.md").spec
    assert s.format == "architect"
    assert [st.name for st in s.stages] == ["data_pipeline", "normalize", "affine"]
    assert s.stages[0].reference == "x"
    assert (s.stages[1].tolerance.rtol, s.stages[1].tolerance.atol) == (0.05, 0.2)
    assert (1, 1, 32, 256) in s.test_shapes and (4, 2, 64, 64) in s.test_shapes  # `[..]` and `4x2x64x64`
    assert len(s.broadcasts) == 5
    assert s.cb(25).valid_region == "Row0"  # Part 2 allocation merged into the Part 1 table


def test_newer_design(fixtures):
    r = parse_spec(fixtures / "design/rms_norm/op_design.md")
    s = r.spec
    assert s.format == "design"
    assert s.input_layouts == ["ROW_MAJOR", "TILE"] and s.input_dtypes == ["bfloat16", "float32"]
    assert [(p.name, p.keyword_only) for p in s.parameters] == [
        ("input_tensor", False),
        ("gamma", True),
        ("epsilon", True),
    ]
    assert s.cb(0).page_unit == "stick" and s.cb(0).pages.evaluate({"DEPTH": 2}) == 64
    assert s.phases[4].broadcast == "COL" and s.phases[4].inputs == [1, 25] and s.phases[4].output == 26
    assert s.tolerance.pcc == 0.9999 and s.test_shapes[-1] == (1, 1, 32, 1024)


def test_kernel_design_alone_is_an_error(fixtures):
    with pytest.raises(SpecError, match="kernel_design.md:1: error: .*--design"):
        parse_spec(fixtures / "planner/kernel_design.md")


def test_broken_spec_lists_every_error_with_lines(fixtures):
    with pytest.raises(SpecError) as e:
        parse_spec(fixtures / "broken/missing_cbs_spec.md")
    got = {(d.line, d.message.split(":")[0]) for d in e.value.diagnostics}
    assert (17, "CB index 40 is outside 0..31") in got
    assert any(
        line == 18 and "not an expression" in d.message for d in e.value.diagnostics for line in [d.line]
    )
    assert any(d.line == 16 and "no page count" in d.message for d in e.value.diagnostics)
    assert all(d.file.endswith("missing_cbs_spec.md") for d in e.value.diagnostics)


def test_missing_cb_table_and_name():
    with pytest.raises(SpecError) as e:
        parse_text("# Something\n\nno tables\n", "x.md")
    messages = [d.message for d in e.value.diagnostics]
    assert any("no op name" in m for m in messages)
    assert any("no circular-buffer table" in m for m in messages)


def test_ambiguities_are_warnings():
    text = (
        "# demo_op Functional Specification\n\n| CB ID | Name | Producer | Consumer | Pages |\n"
        "|---|---|---|---|---|\n| c_0 | cb_in | Reader | Compute | N |\n| c_16 | cb_out | Compute | Writer | Wt |\n"
        "\nN is the number of tiles the reader sends at a time.\n"
    )
    r = parse_text(text, "demo.md")
    warnings = [str(w) for w in r.warnings]
    assert any("['N']" in w and "demo.md:5" in w for w in warnings)
    assert any("no test shapes" in w for w in warnings)
    assert r.spec.test_shapes[0] == (1, 1, 32, 32)


def test_tolerances_per_dtype_and_for_tiny_inputs():
    """The project's rms_norm spec gives a tolerance per dtype and one for tiny inputs; the overall one
    (what stage tests fall back to) is the first given."""
    from pathlib import Path

    s = parse_spec(Path(__file__).resolve().parents[2] / "specs/rms_norm_spec.md").spec
    t = s.tolerances
    assert (s.tolerance.rtol, s.tolerance.atol, s.tolerance.pcc) == (0.01, 0.05, 0.999)
    bf16, fp32 = t.for_dtype("bfloat16"), t.for_dtype("float32")
    assert (bf16.rtol, bf16.atol, bf16.pcc) == (0.01, 0.05, 0.999)
    assert (fp32.rtol, fp32.atol, fp32.pcc) == (0.001, 0.01, None)
    tiny = t.for_dtype("float32", tiny=True)
    assert (tiny.rtol, tiny.atol) == (0.02, 0.1)


_TOLERANCE_TABLES = """# demo_op Functional Specification

| CB ID | Name | Producer | Consumer | Pages |
|---|---|---|---|---|
| c_0 | cb_in | Reader | Compute | Wt |
| c_16 | cb_out | Compute | Writer | Wt |

## Test Criteria
- Shapes: `(1, 1, 32, 64)`

{table}
"""


@pytest.mark.parametrize(
    "table",
    [
        "| dtype | rtol | atol |\n|---|---|---|\n| bfloat16 | 0.02 | 0.1 |\n| float32 | 1e-3 | 1e-2 |",
        "| metric | bfloat16 | float32 |\n|---|---|---|\n| rtol | 0.02 | 1e-3 |\n| atol | 0.1 | 1e-2 |",
    ],
    ids=["row_per_dtype", "column_per_dtype"],
)
def test_tolerance_tables(table):
    t = parse_text(_TOLERANCE_TABLES.format(table=table), "demo.md").spec.tolerances
    assert (t.for_dtype("bfloat16").rtol, t.for_dtype("bfloat16").atol) == (0.02, 0.1)
    assert (t.for_dtype("float32").rtol, t.for_dtype("float32").atol) == (0.001, 0.01)
