"""Bad input and faults in `scaffold new-op` / `check`: a clear error at file:line or one line, a non-zero exit,
and the package written whole or not at all."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffolder.cli import app
from scaffolder.generate import files as writer

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "specs" / "rms_norm_spec.md"


def scaffold(*args: str):
    return CliRunner().invoke(app, [*map(str, args)])


def tree(path: Path) -> dict[str, bytes]:
    """Every entry under `path` (hidden ones included) and its bytes."""
    return {
        str(p.relative_to(path)): (p.read_bytes() if p.is_file() else b"") for p in sorted(path.rglob("*"))
    }


def mutated(tmp_path: Path, old: str, new: str) -> Path:
    text = SPEC.read_text()
    assert old in text
    spec = tmp_path / "mut_spec.md"
    spec.write_text(text.replace(old, new, 1))
    return spec


def line_of(spec: Path, needle: str) -> int:
    return next(n for n, line in enumerate(spec.read_text().splitlines(), 1) if needle in line)


# ---- output paths ----


def test_out_that_is_a_file(tmp_path):
    out = tmp_path / "out"
    out.write_text("keep me")
    res = scaffold("new-op", SPEC, "--out", out, "--name", "my_norm")
    assert res.exit_code == 1, res.output
    assert f"error: --out {out} is a file, not a directory; nothing was written" in res.output
    assert "Traceback" not in res.output and out.read_text() == "keep me"


def test_file_where_the_package_directory_goes(tmp_path):
    (tmp_path / "my_norm").write_text("keep me")
    res = scaffold("new-op", SPEC, "--out", tmp_path, "--name", "my_norm")
    assert res.exit_code == 1, res.output
    assert "my_norm exists and is not a directory" in res.output
    assert tree(tmp_path) == {"my_norm": b"keep me"}


def test_too_long_name(tmp_path):
    res = scaffold("new-op", SPEC, "--out", tmp_path, "--name", "n" * 300)
    assert res.exit_code == 2, res.output
    assert "--name: op name is 300 characters long; at most 64 are allowed" in res.output
    assert tree(tmp_path) == {}


def test_too_long_out_path(tmp_path):
    out = tmp_path / ("d" * 300)  # one path component past NAME_MAX
    res = scaffold("new-op", SPEC, "--out", out, "--name", "my_norm")
    assert res.exit_code == 1, res.output
    assert "File name too long" in res.output
    assert "Traceback" not in res.output and tree(tmp_path) == {}


class _FullDisk:
    """`open` for the writer whose files accept `budget` writes, then fail as a full disk does."""

    def __init__(self, budget: int):
        self.budget = budget

    def __call__(self, path, mode="r", **kw):
        f = open(path, mode, **kw)  # noqa: SIM115  (returned to the writer's with-block)
        real_write, owner = f.write, self

        def write(text):
            owner.budget -= 1
            if owner.budget < 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            return real_write(text)

        f.write = write
        return f


def test_full_disk_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "open", _FullDisk(3), raising=False)
    res = scaffold("new-op", SPEC, "--out", tmp_path, "--name", "my_norm")
    assert res.exit_code == 1, res.output
    assert "No space left on device" in res.output and "nothing was written" in res.output
    assert "Traceback" not in res.output
    assert tree(tmp_path) == {}  # no package, no stage, no temp file


def test_full_disk_during_force_keeps_the_old_package(tmp_path, monkeypatch):
    assert scaffold("new-op", SPEC, "--out", tmp_path, "--name", "my_norm").exit_code == 0
    (tmp_path / "my_norm" / "my_norm.py").write_text("# edited\n")
    before = tree(tmp_path)
    monkeypatch.setattr(writer, "open", _FullDisk(4), raising=False)
    res = scaffold("new-op", SPEC, "--out", tmp_path, "--name", "my_norm", "--force")
    assert res.exit_code == 1 and "No space left on device" in res.output, res.output
    assert tree(tmp_path) == before


_KILL_MID_WRITE = """
import os, signal, sys
from scaffolder.generate import files
written = []
def killing_open(path, mode="r", **kw):
    written.append(path)
    if len(written) == 4:
        os.kill(os.getpid(), signal.SIGKILL)
    return open(path, mode, **kw)
files.open = killing_open
from scaffolder.cli import app
sys.argv = ["scaffold", *sys.argv[1:]]
app()
"""


def test_kill_mid_write_leaves_no_package_and_the_next_run_cleans_up(tmp_path):
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            _KILL_MID_WRITE,
            "new-op",
            str(SPEC),
            "--out",
            str(tmp_path),
            "--name",
            "my_norm",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert killed.returncode == -9, killed.stdout + killed.stderr
    assert not (tmp_path / "my_norm").exists()
    (stage,) = tmp_path.iterdir()  # the killed run's stage
    assert stage.name.startswith(".my_norm.scaffold-") and stage.is_dir()
    res = scaffold("new-op", SPEC, "--out", tmp_path, "--name", "my_norm")
    assert res.exit_code == 0, res.output
    assert [p.name for p in tmp_path.iterdir()] == ["my_norm"]
    assert (tmp_path / "my_norm" / "kernels" / "my_norm_compute.cpp").stat().st_size > 0


# ---- file modes ----


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_generated_files_follow_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        assert scaffold("new-op", SPEC, "--out", tmp_path, "--name", "my_norm").exit_code == 0
    finally:
        os.umask(old)
    pkg = tmp_path / "my_norm"
    assert stat.S_IMODE(pkg.stat().st_mode) == 0o777 & ~umask
    for path in pkg.rglob("*"):
        want = (0o777 if path.is_dir() else 0o666) & ~umask
        assert stat.S_IMODE(path.stat().st_mode) == want, path


def test_force_keeps_each_files_mode_and_unrelated_files(tmp_path):
    assert scaffold("new-op", SPEC, "--out", tmp_path, "--name", "my_norm").exit_code == 0
    pkg = tmp_path / "my_norm"
    entry = pkg / "my_norm.py"
    entry.write_text("# edited\n")
    entry.chmod(0o640)
    (pkg / "notes.txt").write_text("mine")
    old = os.umask(0o077)
    try:
        res = scaffold("new-op", SPEC, "--out", tmp_path, "--name", "my_norm", "--force")
    finally:
        os.umask(old)
    assert res.exit_code == 0, res.output
    assert stat.S_IMODE(entry.stat().st_mode) == 0o640 and entry.read_text() != "# edited\n"
    assert (pkg / "notes.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["my_norm"]


# ---- names ----


@pytest.mark.parametrize(
    "name, says",
    [
        ("class", "op name 'class' is a Python keyword"),
        ("import", "op name 'import' is a Python keyword"),
        ("my-op", "op name 'my-op' is not a Python identifier"),
        ("MyOp", "op name 'MyOp' is not a Python identifier"),
        ("normalization", "op name 'normalization' shadows ttnn's own module ttnn.operations.normalization"),
        ("unary", "op name 'unary' shadows ttnn's own module ttnn.operations.unary"),
    ],
)
def test_bad_name_option(tmp_path, name, says):
    res = scaffold("new-op", SPEC, "--out", tmp_path, "--name", name)
    assert res.exit_code == 2, res.output
    assert f"--name: {says}" in res.output and tree(tmp_path) == {}


@pytest.mark.parametrize(
    "written, shown",
    [("../../etc/x", "'../../etc/x'"), ("my op", "'my op'"), ("normé", "'normé'"), ("a/b", "'a/b'")],
)
def test_spec_op_name_is_reported_not_rewritten(tmp_path, written, shown):
    spec = mutated(tmp_path, "**Operation Name**: `rms_norm`", f"**Operation Name**: {written}")
    out = tmp_path / "out"
    for cmd in (["new-op", spec, "--out", out], ["check", spec]):
        res = scaffold(*cmd)
        assert res.exit_code == 2, res.output
        assert f"{spec}:{line_of(spec, 'Operation Name')}: error: op name {shown}" in res.output
    assert not out.exists()


# ---- CB ids and page counts: the same file:line error from new-op and check ----

_CB_ROW = "| c_9 | cb_eps | epsilon at [0, 0], input format | Reader | Compute | 1 | Program |"


@pytest.mark.parametrize(
    "row, says",
    [
        (_CB_ROW.replace("| c_9 |", "| c_-1 |"), "CB id 'c_-1': a CB index is c_0..c_31"),
        (_CB_ROW.replace("| c_9 |", "| cb_x |"), "CB id 'cb_x' is not a CB index (c_0..c_31)"),
        (_CB_ROW.replace("| c_9 |", "|  |"), "CB row has an empty id cell"),
        (
            _CB_ROW.replace("| 1 |", "| 0 |"),
            "CB c_9 page count '0' is 0 at shape 1x1x32x32; a CB needs at least 1",
        ),
        (_CB_ROW.replace("| 1 |", "| 1000000000 |"), "CB c_9 page count '1000000000' is 1000000000 pages"),
        (
            _CB_ROW.replace("| 1 |", "| banana |"),
            "CB c_9 page count 'banana' uses 'banana', which the spec mentions",
        ),
        (_CB_ROW.replace("| 1 |", "| Wt/0 |"), "CB c_9 page count 'Wt/0' divides by zero"),
        (_CB_ROW.replace("| 1 |", "| div_up |"), "CB c_9 page count 'div_up' uses 'div_up' as a value"),
        (
            _CB_ROW.replace("| 1 |", "| Wt/64 |"),
            "CB c_9 page count 'Wt/64' is 0.015625 at shape 1x1x32x32, not a",
        ),
    ],
)
def test_bad_cb_rows(tmp_path, row, says):
    spec = mutated(tmp_path, _CB_ROW, row)
    out = tmp_path / "out"
    for cmd in (["new-op", spec, "--out", out], ["check", spec]):
        res = scaffold(*cmd)
        assert res.exit_code == 2, res.output
        assert f"{spec}:{line_of(spec, 'epsilon at [0, 0]')}: error: {says}" in res.output
        assert "Traceback" not in res.output and "no violations" not in res.output
    assert not out.exists()
