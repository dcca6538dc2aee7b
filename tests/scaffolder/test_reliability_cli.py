"""Out-of-range CLI arguments are usage errors (exit 2), not disagreements or empty results (exit 1)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from scaffolder.cli import app


@pytest.mark.parametrize(
    "args, says",
    [
        (["--eps", "nan"], "Invalid value for '--eps': nan is not a finite epsilon >= 0"),
        (["--eps", "-1e-5"], "Invalid value for '--eps'"),
        (["--eps", "inf"], "Invalid value for '--eps'"),
        (["--min-pcc", "2"], "Invalid value for '--min-pcc': 2.0 is not a correlation in [-1, 1]"),
        (["--min-pcc", "nan"], "Invalid value for '--min-pcc'"),
        (["--max-ulp", "-1"], "Invalid value for '--max-ulp': -1.0 is not a finite number of ulps >= 0"),
        (["--max-ulp", "nan"], "Invalid value for '--max-ulp'"),
    ],
)
def test_crosscheck_tolerances_out_of_range(args, says):
    res = CliRunner().invoke(app, ["crosscheck", "rms_norm", "--shape", "2x64", "--backends", "torch", *args])
    assert res.exit_code == 2, res.output
    assert says in " ".join(res.output.replace("│", " ").split())


def test_check_specs_on_a_missing_directory(tmp_path):
    missing = tmp_path / "no_such_dir"
    res = CliRunner().invoke(app, ["check-specs", str(missing)])
    assert res.exit_code == 2, res.output
    assert f"error: {missing} does not exist" in res.output
    assert not missing.exists()
