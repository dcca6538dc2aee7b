"""Mutations of every shipped and fixture spec, through the parser, the audits and the generator: each either
parses into a model that audits and renders, or fails with SpecError diagnostics that name a line. Any other
exception (a traceback for the user) fails. The slow variant runs 2,000 examples."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffolder.audit import run_audits
from scaffolder.generate.render import render_package
from scaffolder.spec.diagnostics import SpecError
from scaffolder.spec.parser import parse_text

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.md")) + sorted((ROOT / "tests" / "fixtures" / "specs").rglob("*.md"))
TEXTS = [p.read_text(encoding="utf-8") for p in SPECS]

# What a careless or hostile author puts in a cell: odd names, CB ids and page counts, markup, huge numbers.
HOSTILE = [
    "", " ", "0", "-1", "c_-1", "c_32", "c_99", "cb_x", "CBIndex::c_", "Wt/0", "Wt % 0", "div_up(Wt, 0)",
    "1000000000", "9" * 400, "2**64", "1e309", "nan", "banana", "Wt*", "(", "ceil(", "max()", "min(Wt)",
    "Wt if x else", "../../etc/x", "my op", "normé", "class", "normalization", "a/b", "`", "``", "|", "\\|",
    "**", "# ", "```", "\x00", "\u202e", "\ufeff", "𝑊t", "Wt; import os", "{{ x }}", "{% if %}", "$(rm -rf)",
    "bfloat16", "float64", "TILE", "c_0 (c_1)", "2*blk", "chunk", "Wt/chunk", "Ht*Wt*NC*1000",
]  # fmt: skip


@st.composite
def mutated_spec(draw) -> str:
    lines = draw(st.sampled_from(TEXTS)).splitlines()
    for _ in range(draw(st.integers(1, 8))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(
            st.sampled_from(["cell", "cell", "cell", "delete", "duplicate", "truncate", "insert", "char"])
        )
        if kind == "cell" and lines[i].count("|") >= 2:
            cells = lines[i].split("|")
            k = draw(st.integers(1, len(cells) - 2)) if len(cells) > 2 else 0
            cells[k] = f" {draw(st.sampled_from(HOSTILE))} "
            lines[i] = "|".join(cells)
        elif kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        elif kind == "insert":
            lines.insert(i, draw(st.sampled_from(HOSTILE)))
        elif lines[i]:
            j = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:j] + draw(st.characters()) + lines[i][j + 1 :]
        else:
            # A field line's value replaced: op names, dtypes and shapes live in `- **Key**: value` lines.
            lines[i] = f"- **Operation Name**: {draw(st.sampled_from(HOSTILE))}"
    return "\n".join(lines)


def _through_the_chain(text: str) -> None:
    try:
        result = parse_text(text, "fuzz_spec.md")
    except SpecError as e:
        assert e.diagnostics, "SpecError without a diagnostic"
        for d in e.diagnostics:
            assert d.line >= 1 and d.message.strip() and d.file == "fuzz_spec.md", d
        return
    run_audits(result.spec)
    files = render_package(result.spec, "fuzz_spec.md")
    assert any(name.endswith("_compute.cpp") for name in files)


_FAST = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
_SLOW = settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))


@_FAST
@given(mutated_spec())
def test_mutated_specs_give_a_model_or_line_diagnostics(text):
    _through_the_chain(text)


@pytest.mark.slow
@_SLOW
@given(mutated_spec())
def test_mutated_specs_give_a_model_or_line_diagnostics_2000(text):
    _through_the_chain(text)
