"""Malformed and truncated specs give SpecError (with lines) or a model, never any other exception."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffolder.spec.diagnostics import SpecError
from scaffolder.spec.parser import parse_text

FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "specs").rglob("*.md"))
TEXTS = [p.read_text() for p in FIXTURES]
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
