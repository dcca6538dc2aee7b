"""CB id spellings, page-count expressions, shapes, tolerances and markdown tables."""

import pytest

from scaffolder.spec.cb_ids import parse_cb_id
from scaffolder.spec.expressions import evaluate, parse_page_count
from scaffolder.spec.markdown import parse_markdown
from scaffolder.spec.shapes import find_shapes, find_tolerance, find_tolerances


@pytest.mark.parametrize(
    "text, index, name",
    [
        ("c_0", 0, None),
        ("`c_16`", 16, None),
        ("0", 0, None),
        ("c_0 (0)", 0, None),
        ("CBIndex::c_24", 24, None),
        ("tt::CBIndex::c_7", 7, None),
        ("CB_in", None, "CB_in"),
        ("cb_x_in (c_1)", 1, "cb_x_in"),
        ("c_3 (mean)", 3, None),
    ],
)
def test_cb_id_spellings(text, index, name):
    ref = parse_cb_id(text)
    assert (ref.index, ref.name) == (index, name)


def test_cb_id_out_of_range():
    with pytest.raises(ValueError, match="outside 0..31"):
        parse_cb_id("c_40")


@pytest.mark.parametrize(
    "text, env, pages, unit",
    [
        ("Wt", {"Wt": 8}, 8, "tile"),
        ("2*Wt", {"Wt": 8}, 16, "tile"),
        ("2 Wt tiles", {"Wt": 3}, 6, "tile"),
        ("1 tile", {}, 1, "tile"),
        ("`DEPTH * BLOCK_SIZE`", {"DEPTH": 2, "BLOCK_SIZE": 4}, 8, "tile"),
        ("DEPTH * 32 sticks (RM only)", {"DEPTH": 2}, 64, "stick"),
        ("`2 if has_partial_w else 1`", {"has_partial_w": 0}, 1, "tile"),
        ("Wt/2", {"Wt": 8}, 4, "tile"),
    ],
)
def test_page_counts(text, env, pages, unit):
    pc = parse_page_count(text)
    assert pc.evaluate(env) == pages
    assert pc.unit == unit


@pytest.mark.parametrize("text", ["Wt; import os", "__import__.x", "x.y", "lambda: 1", "", "tiles"])
def test_page_count_rejects_non_arithmetic(text):
    with pytest.raises(ValueError):
        parse_page_count(text)


def test_unknown_name_is_named():
    with pytest.raises(KeyError, match="Zt"):
        evaluate("Zt * 2", {"Wt": 1})


@pytest.mark.parametrize(
    "text, shapes",
    [
        ("`(1, 1, 32, 32)` and [1,1,64,128]", [(1, 1, 32, 32), (1, 1, 64, 128)]),
        ("1x1x32x32, 2x3x64x256", [(1, 1, 32, 32), (2, 3, 64, 256)]),
        ("torch.Size([4, 2, 64, 64])", [(4, 2, 64, 64)]),
        ("no shapes here", []),
    ],
)
def test_shapes(text, shapes):
    assert find_shapes(text) == shapes


@pytest.mark.parametrize(
    "text, rtol, atol, pcc",
    [
        ("rtol=0.02, atol=0.1", 0.02, 0.1, None),
        ("rtol 0.05 / atol 0.2", 0.05, 0.2, None),
        ("PCC >= 0.9999, atol: 0.1", None, 0.1, 0.9999),
        ("`rtol=1e-3`", 1e-3, None, None),
    ],
)
def test_tolerances(text, rtol, atol, pcc):
    t = find_tolerance(text)
    assert (t.rtol, t.atol, t.pcc) == (rtol, atol, pcc)


def _tol(t):
    return (t.rtol, t.atol, t.pcc)


@pytest.mark.parametrize(
    "text, bf16, fp32, tiny",
    [
        (  # the project's rms_norm spec: a clause per dtype, tiny inputs in between
            (
                "bfloat16 `allclose(rtol=0.01, atol=0.05)` and PCC >= 0.999; tiny inputs rtol 0.02, atol 0.10;\n"
                "  float32 rtol 0.001, atol 0.01"
            ),
            (0.01, 0.05, 0.999),
            (0.001, 0.01, None),
            (0.02, 0.1, 0.999),  # bfloat16's PCC still applies
        ),
        (  # tt-metal's planner: one list item per dtype, a trailing remark naming the dtype again
            (
                "- Tolerance for BFLOAT16: rtol=1e-2, atol=1e-2 (bfloat16 has limited precision)\n\n"
                "- Tolerance for FLOAT32: rtol=1e-5, atol=1e-5"
            ),
            (0.01, 0.01, None),
            (1e-5, 1e-5, None),
            None,
        ),
        (  # both in one sentence
            "bf16: rtol=0.02, atol=0.1 / fp32: rtol=1e-4, atol=1e-5",
            (0.02, 0.1, None),
            (1e-4, 1e-5, None),
            None,
        ),
        (  # the dtype after its values; a dtype without its own takes the op's overall tolerance
            "PCC > 0.99; rtol 0.05, atol 0.2 for bf16",
            (0.05, 0.2, 0.99),
            (0.05, 0.2, 0.99),
            None,
        ),
        (  # an unqualified tolerance and tiny inputs by their scale; fp32 accumulation names no dtype's values
            (
                "`allclose(rtol=0.02, atol=0.1)` (bf16 inputs, fp32 accumulation); inputs scaled by 0.01: "
                "rtol 0.05, atol 0.15"
            ),
            (0.02, 0.1, None),
            (0.02, 0.1, None),
            (0.05, 0.15, None),
        ),
        (  # an absolute bound: atol alone, rtol 0
            "|output - torch.mean(input, dim=-1)| < tolerance (1e-2 for bfloat16)",
            (0.0, 0.01, None),
            (0.0, 0.01, None),
            None,
        ),
        (  # large inputs are not tiny ones
            "rtol=0.02, atol=0.1; inputs scaled by 10: rtol 0.05, atol 1.0",
            (0.02, 0.1, None),
            (0.02, 0.1, None),
            None,
        ),
    ],
)
def test_tolerances_per_dtype(text, bf16, fp32, tiny):
    """`tiny` is bfloat16's tolerance for tiny inputs, None where the text gives none."""
    t = find_tolerances(text)
    assert _tol(t.for_dtype("bfloat16")) == bf16
    assert _tol(t.for_dtype("float32")) == fp32
    assert (_tol(t.for_dtype("bfloat16", tiny=True)) if t.tiny else None) == tiny


def test_tables_keep_lines_and_headings():
    doc = parse_markdown("# T\n\n## Part 2: B\n\n| a | `b|c` |\n|---|---|\n| 1 | 2 |\n")
    (table,) = doc.tables
    assert table.columns == ["a", "b|c"]
    assert table.row_lines == [7]
    assert table.headings[-1].key == "b"
