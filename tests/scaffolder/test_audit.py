"""Audit numbers against hand-computed sizes; violations are caught and make `check` exit 1."""

from typer.testing import CliRunner

from scaffolder.audit import run_audits
from scaffolder.cli import app
from scaffolder.spec.parser import parse_spec, parse_text


def test_l1_bytes_planner(fixtures):
    s = parse_spec(fixtures / "planner/layer_norm_rm_spec.md").spec
    (f,) = [f for f in run_audits(s) if f.audit == "l1"]
    # Largest shape (1,1,32,256): Wt = 8. Six CBs of Wt pages + five of 1 page, 2048-byte bf16 tiles.
    assert f.subject == "bfloat16 (1, 1, 32, 256)"
    assert f.detail.startswith(f"{(6 * 8 + 5) * 2048:,} B")
    assert f.status == "ok"


def test_l1_stick_and_fp32_pages(fixtures):
    s = parse_spec(fixtures / "design/rms_norm/op_design.md").spec
    f32 = next(f for f in run_audits(s) if f.audit == "l1" and f.subject.startswith("float32"))
    # W = 1024: Wt = 32, BLOCK_SIZE = 4 (fp32 DEST), DEPTH = 2. Sticks 4096 B, fp32 tiles 4096 B,
    # bf16 scaler tile 2048 B.
    sticks = 2 * (2 * 32 * 1024 * 4)
    tiles = (8 + 8 + 8 + 8 + 2 + 8) * 4096
    assert f32.detail.startswith(f"{sticks + tiles + 2048:,} B")


SPEC = """# wide_op Functional Specification
| Property | Requirement | Error Hint |
|---|---|---|
| Layout | ROW_MAJOR | "rm" |

| CB ID | Name | Purpose | Producer | Consumer | Pages | Lifetime | Valid Region | Format |
|---|---|---|---|---|---|---|---|---|
| c_0 | cb_in | in | Reader | Compute | {pages} | Block | All | |
| c_2 | cb_scaler | reduce scaler | Reader | Compute | 1 | Program | Row0 | {scaler_fmt} |
| c_3 | cb_mean | mean | Compute | Compute | 1 | Row | Col0 | |
| c_16 | cb_out | out | Compute | Writer | Wt | Block | All | |
| c_24 | cb_orphan | never read | Compute | | Wt | Block | All | |

### Phase 1: reduce row mean
- In: c_0, c_2
- Out: c_3

### Phase 2: subtract mean sub<{bcast}>
- A: c_0
- B: c_3
- Out: c_16

## Test Criteria
- Shapes: (1, 1, 32, 4096)
- rtol=0.05, atol=0.2
"""


def _findings(**kw):
    args = {"pages": "Wt", "scaler_fmt": "bfloat16", "bcast": "COL"} | kw
    return run_audits(parse_text(SPEC.format(**args), "wide.md").spec)


def test_clean_variant_has_only_the_orphan():
    failed = [(f.audit, f.subject) for f in _findings() if f.failed]
    assert failed == [("cb_balance", "c_24 cb_orphan")]


def test_violations_detected():
    failed = {
        (f.audit, f.subject) for f in _findings(pages="8*Wt", scaler_fmt="float32", bcast="ROW") if f.failed
    }
    assert ("l1", "bfloat16 (1, 1, 32, 4096)") in failed  # 8*128 + 128 + 128 + 2 tiles > 1.3 MB
    assert ("scaler", "c_2 cb_scaler") in failed
    assert any(a == "broadcast" for a, _ in failed)


def test_check_cli_exit_codes(fixtures, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(
        app,
        [
            "check",
            str(fixtures / "planner/layer_norm_rm_spec.md"),
            "--design",
            str(fixtures / "planner/kernel_design.md"),
        ],
    )
    assert ok.exit_code == 0, ok.output
    bad = tmp_path / "wide_spec.md"
    bad.write_text(SPEC.format(pages="Wt", scaler_fmt="bfloat16", bcast="ROW"))
    res = runner.invoke(app, ["check", str(bad)])
    assert res.exit_code == 1 and "violation" in res.output
    broken = runner.invoke(app, ["check", str(fixtures / "broken/missing_cbs_spec.md")])
    assert broken.exit_code == 2 and "missing_cbs_spec.md:17" in broken.output
    assert "Traceback" not in broken.output


def test_l1_audit_sizes_the_generated_schedule():
    """A spec whose phases map is sized as the generated descriptor allocates: the widest rows stream in
    column blocks and fit, where one resident tile-row of every CB would not."""
    from pathlib import Path

    spec = parse_spec(Path(__file__).resolve().parents[2] / "specs/rms_norm_spec.md").spec
    l1 = {f.subject: f for f in run_audits(spec) if f.audit == "l1"}
    wide = l1["float32 (1, 1, 32, 8192)"]
    assert wide.status == "ok" and "streaming column blocks of 4 tiles" in wide.detail, wide.detail
    # 7,354,368 B of the spec's CBs plus the float32 path's own tiles (the scaler in fp32, the tiles of -1 and
    # +1, the two operand remainders; the spec's c_11 is the splits' tile of -0.5)
    assert "a resident tile-row needs 7,376,896 B" in wide.detail
    assert l1["bfloat16 (1, 1, 32, 1024)"].detail.endswith("as generated, one resident tile-row")
    assert not [f for f in l1.values() if f.failed]
