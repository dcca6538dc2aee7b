"""scripts/dev-test.sh keeps tt-metal's runner contract: 0 pass, 1 fail, 2 hang (with triage), 3 setup error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "dev-test.sh"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def dev_test(tmp_path, *args, **env):
    env = {
        **os.environ,
        "DEV_TEST_PYTHON": sys.executable,
        "DEV_TEST_STATE_DIR": str(tmp_path),
        "DEV_TEST_TIMEOUT": "120",
        **env,
    }
    return subprocess.run(
        ["bash", str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def fake_hardware(state: Path):
    """A device node and a tt-smi that logs its calls, so dev-test takes its hardware path (the tests still run
    on the emulator underneath)."""
    (state / "node0").touch()
    bin_dir = state / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = state / "tt-smi.log"
    smi = bin_dir / "tt-smi"
    smi.write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    smi.chmod(0o755)
    return {"DEV_TEST_DEVICE_NODES": str(state / "node*"), "PATH": f"{bin_dir}:{os.environ['PATH']}"}, log


@pytest.fixture(scope="module")
def hang_run(tmp_path_factory):
    """case_hang.py on the hardware path: a deadlock report, then a reset."""
    state = tmp_path_factory.mktemp("hang")
    env, log = fake_hardware(state)
    return state, env, log, dev_test(state, FIXTURES / "case_hang.py", **env)


@pytest.mark.parametrize("case, code, verdict", [("case_pass.py", 0, "PASS"), ("case_fail.py", 1, "FAIL")])
def test_exit_codes(tmp_path, case, code, verdict):
    proc = dev_test(tmp_path, FIXTURES / case)
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert f"DEV_TEST_RESULT: {verdict}" in proc.stdout


def test_hang_exits_2_with_triage_naming_threads_and_cbs(hang_run):
    state, _, _, proc = hang_run
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "dev-test: hardware" in proc.stdout
    assert "DEV_TEST_RESULT: HANG" in proc.stdout and "HANG TRIAGE" in proc.stdout
    assert "BLOCKED in cb_wait_front(cb 0, 1 pages)" in proc.stdout
    assert "BLOCKED in cb_wait_front(cb 16, 1 pages)" in proc.stdout
    assert "CB 16: 2 pages x 2048 B" in proc.stdout
    assert not (state / "device-0.dirty").exists()


def test_hardware_is_reset_only_after_a_hang(tmp_path, hang_run):
    env, log = fake_hardware(tmp_path)
    for case, code in (("case_pass.py", 0), ("case_fail.py", 1)):
        proc = dev_test(tmp_path, FIXTURES / case, **env)
        assert proc.returncode == code and "dev-test: hardware" in proc.stdout, proc.stdout + proc.stderr
    assert not log.exists()
    state, env, log, _ = hang_run
    assert log.read_text() == "-r\n"
    assert dev_test(state, FIXTURES / "case_pass.py", **env).returncode == 0
    assert log.read_text() == "-r\n"  # the hang was dealt with; the next run does not reset again


def test_hang_the_tests_expect_is_a_pass_on_the_emulator(tmp_path):
    proc = dev_test(tmp_path, FIXTURES / "case_expected_hang.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "handled 1 emulated hang report(s)" in proc.stdout and "DEV_TEST_RESULT: PASS" in proc.stdout


def test_kernel_spinning_without_api_calls_is_a_hang(tmp_path):
    """No thread can be unwound: the emulator reports every thread after the op timeout and ends pytest."""
    start = time.monotonic()
    proc = dev_test(tmp_path, FIXTURES / "case_spin.py", DEV_TEST_OP_TIMEOUT="1")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "made no progress for 1s" in proc.stdout
    assert "writer (NCRISC) <inline kernel> on core (2,1): running" in proc.stdout
    assert time.monotonic() - start < 60


def test_wall_clock_limit_ends_only_the_processes_of_the_run(tmp_path):
    """The outer timeout signals the run's own process group (pytest and what it started), nobody else's."""
    bystander = subprocess.Popen(["sleep", "60"])
    pidfile = tmp_path / "child.pid"
    try:
        proc = dev_test(
            tmp_path, FIXTURES / "case_sleep.py", DEV_TEST_TIMEOUT="4", DEV_TEST_FIXTURE_PIDFILE=str(pidfile)
        )
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "exceeded the 4s wall-clock limit" in proc.stdout
        child = int(pidfile.read_text())
        for _ in range(50):  # the run's own grandchild is gone (or a zombie awaiting its reaper)
            if not _alive(child):
                break
            time.sleep(0.1)
        assert not _alive(child)
        assert bystander.poll() is None  # a process the run did not start is untouched
    finally:
        bystander.kill()
        bystander.wait()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_setup_errors(tmp_path):
    assert dev_test(tmp_path).returncode == 3
    missing = dev_test(tmp_path, "tests/does_not_exist.py")
    assert missing.returncode == 3 and "test path not found" in missing.stderr


def test_missing_compiler_is_a_setup_error(tmp_path):
    """On the emulator path a machine without g++ gets exit 3 and the reason, before any test runs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "mkdir", "flock", "touch", "timeout", "grep", "head", "rm", "ls"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    proc = dev_test(tmp_path, FIXTURES / "case_pass.py", PATH=str(bin_dir))
    assert proc.returncode == 3 and "no g++ on PATH" in proc.stderr, proc.stdout + proc.stderr


def test_lock_is_exclusive(tmp_path):
    """While another holder keeps the device lock, a run with a short lock wait gives up with a setup error."""
    lock = tmp_path / "device-0.lock"
    holder = subprocess.Popen(["flock", str(lock), "sleep", "30"])
    try:
        import time

        time.sleep(0.3)
        proc = dev_test(tmp_path, FIXTURES / "case_pass.py", DEV_TEST_LOCK_WAIT="1")
        assert proc.returncode == 3 and "device lock" in proc.stderr
    finally:
        holder.kill()
        holder.wait()
