"""scripts/spec_survey.py: the manifest of where each real spec came from, the per-spec findings, and the
table it writes."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "specs"

_spec = importlib.util.spec_from_file_location("spec_survey", ROOT / "scripts" / "spec_survey.py")
survey = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(survey)


def test_manifest_maps_each_file_to_its_source_and_commit(tmp_path):
    m = tmp_path / "MANIFEST.tsv"
    m.write_text("# dir\tfile\tpath\tcommit\nsoftmax\top_design.md\tttnn/ttnn/operations/softmax/op_design.md\tabc123\n")
    assert survey.manifest_of(m) == {
        "softmax/op_design.md": ("ttnn/ttnn/operations/softmax/op_design.md", "abc123")
    }
    assert survey.manifest_of(tmp_path / "missing.tsv") == {}


def test_findings_name_what_is_not_generated(monkeypatch):
    from scaffolder.chain import SpecJob
    from scaffolder.generate import sfpu

    fmt, kinds, problems = survey.findings_of(SpecJob(FIXTURES / "phases" / "row_softmax_spec.md"))
    assert fmt == "planner" and "reduce" in kinds and "unary" in kinds
    # The wheel's kernel API, which the emulator builds against, declares exp_tile.
    assert not any("generated for hardware" in p for p in problems)
    monkeypatch.setattr(sfpu, "emulator_builds", lambda op: op != "exp")
    _, _, problems = survey.findings_of(SpecJob(FIXTURES / "phases" / "row_softmax_spec.md"))
    assert any("exp_tile is generated for hardware" in p for p in problems)
    fmt, kinds, problems = survey.findings_of(SpecJob(FIXTURES / "broken" / "missing_cbs_spec.md"))
    assert fmt == "-" and problems and all(p.startswith("parse: ") for p in problems)


def test_table_counts_generated_built_and_clean_specs():
    rows = [
        {
            "spec": "a/a_spec.md", "design": "", "source": "ttnn/a/a_spec.md", "commit": "0123456789",
            "format": "planner", "phases": ["tilize", "reduce", "reduce", "untilize"],
            "steps": {"generate": "ok", "compile": "ok", "tests": "ok"}, "tests": {"passed": 5},
            "unsupported": [], "failure": "",
        },
        {
            "spec": "b/op_design.md", "design": "", "source": "", "commit": "", "format": "architect",
            "phases": ["reduce"], "steps": {"generate": "ok", "compile": "n/a", "tests": "n/a"}, "tests": {},
            "unsupported": ["phase 1 x: exp_tile | y"], "failure": "",
        },
    ]
    md = survey.markdown(rows, "real-specs")
    assert "2 specs: 2 generated, 1 built all kernels, 1 passed every generated test" in md
    assert "| a/a_spec.md | `ttnn/a/a_spec.md` @ 01234567 | planner | tilize, reduce×2, untilize | ok | ok | 5 / 0 / 0 |" in md
    assert "exp_tile \\| y" in md and "| n/a |" in md
