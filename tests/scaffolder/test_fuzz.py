"""Malformed and truncated specs give SpecError (with lines) or a model, never any other exception."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffolder.spec.diagnostics import SpecError
from scaffolder.spec.parser import parse_text

FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "specs").rglob("*.md"))
ROOT = Path(__file__).resolve().parents[2]
TEXTS = [p.read_text() for p in FIXTURES] + [p.read_text() for p in sorted((ROOT / "specs").glob("*.md"))]
_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parse(text: str) -> None:
    try:
        parse_text(text, "fuzz.md")
    except SpecError as e:
        assert e.diagnostics and all(d.line >= 1 for d in e.diagnostics)


@_SETTINGS
@given(st.sampled_from(TEXTS), st.floats(0, 1))
def test_truncated(text, frac):
    _parse(text[: int(len(text) * frac)])


@_SETTINGS
@given(
    st.sampled_from(TEXTS),
    st.lists(
        st.tuples(
            st.integers(0, 400),
            st.sampled_from(
                [
                    "",
                    "|",
                    "| c_99 | x | | | 2*  |",
                    "| --- |",
                    "### Phase 3:",
                    "```",
                    "| Index | Name | Type |",
                    "- **Shapes**: (1,,2)",
                    "| c_0 | | | | Wt Wt |",
                    "# ",
                    "**Compile-time (Reader)**:",
                    "\x00",
                    "| ` |",
                ]
            ),
        ),
        max_size=6,
    ),
)
def test_mutated_lines(text, edits):
    lines = text.splitlines()
    for pos, repl in edits:
        if lines:
            lines[pos % len(lines)] = repl
    _parse("\n".join(lines))


@_SETTINGS
@given(st.text(alphabet=st.sampled_from(list("#|-`*:() c_0123Wt\nxabPhase")), max_size=400))
def test_random_markdown(text):
    _parse(text)


@_SETTINGS
@given(st.sampled_from(TEXTS), st.lists(st.tuples(st.integers(0, 400), st.integers(0, 2)), max_size=5))  # fmt: skip
def test_generation_never_crashes(text, edits):
    """Whatever parses also audits and renders: delete, truncate or duplicate lines of a valid spec."""
    from scaffolder.audit import run_audits
    from scaffolder.generate.render import render_package

    lines = text.splitlines()
    for pos, kind in edits:
        if not lines:
            break
        i = pos % len(lines)
        if kind == 0:
            del lines[i]
        elif kind == 1:
            lines[i] = lines[i][: len(lines[i]) // 2]
        else:
            lines.insert(i, lines[i])
    try:
        result = parse_text("\n".join(lines), "fuzz.md")
    except SpecError:
        return
    run_audits(result.spec)
    files = render_package(result.spec, "fuzz.md")
    assert any(name.endswith("_compute.cpp") for name in files)
