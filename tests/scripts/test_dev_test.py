"""scripts/dev-test.sh keeps tt-metal's runner contract: 0 pass, 1 fail, 2 hang (with triage), 3 setup error."""

from __future__ import annotations

import os
import re
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


def blocked_on(triage: str, risc: str, cb: int) -> bool:
    """The triage names the thread (RISC, kernel, line) waiting in cb_wait_front on ``cb``."""
    thread = rf"{risc} <inline kernel> on core \(0,0\): "
    return (
        re.search(
            thread + rf"waiting at <inline kernel>:2, in cb_wait_front \(.*\) on CB {cb}$", triage, re.M
        )
        is not None
    )


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
    for risc, cb in (("brisc", 0), ("ncrisc", 16)):
        assert blocked_on(proc.stdout, risc, cb), proc.stdout
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
            tmp_path, FIXTURES / "case_sleep.py", DEV_TEST_TIMEOUT="12", DEV_TEST_FIXTURE_PIDFILE=str(pidfile)
        )
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "exceeded the 12s wall-clock limit" in proc.stdout
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
    """On the emulator path a machine without g++ or clang gets exit 3 and the reason, before any test runs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "mkdir", "flock", "touch", "timeout", "grep", "head", "rm", "ls"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    proc = dev_test(tmp_path, FIXTURES / "case_pass.py", PATH=str(bin_dir))
    assert proc.returncode == 3 and "no g++ on PATH" in proc.stderr, proc.stdout + proc.stderr
    # With g++ but no clang >= 17 (the kernels' compiler), the reason names what to install.
    (bin_dir / "g++").symlink_to(shutil.which("g++"))
    proc = dev_test(tmp_path, FIXTURES / "case_pass.py", PATH=str(bin_dir), TTNN_EMULATOR_CXX="")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "SETUP_ERROR" in proc.stderr and "install clang-19" in proc.stderr, proc.stdout + proc.stderr
    assert "passed" not in proc.stdout


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


# ---- faults a careless or hostile test can cause: the verdict is what pytest reported, nothing less ----


def test_exit_status_0_before_the_tests_ran_is_a_failure(tmp_path):
    """A test (or a kernel) calling exit(0) ends pytest with status 0; its assert and the next test never ran."""
    proc = dev_test(tmp_path, FIXTURES / "case_exit0.py")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "DEV_TEST_RESULT: FAIL" in proc.stdout and "PASS" not in proc.stdout
    assert "pytest ended before reporting its results" in proc.stdout


def test_every_collected_test_must_pass(tmp_path):
    proc = dev_test(tmp_path, FIXTURES / "case_two.py")
    assert proc.returncode == 0 and "DEV_TEST_RESULT: PASS" in proc.stdout, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout


def test_abort_is_a_failure_not_a_hang(tmp_path):
    env, log = fake_hardware(tmp_path)
    proc = dev_test(tmp_path, FIXTURES / "case_abort.py", **env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "DEV_TEST_RESULT: FAIL" in proc.stdout and "killed by signal 6" in proc.stdout
    assert "HANG" not in proc.stdout and not log.exists()  # no device reset for a crash
    assert not (tmp_path / "device-0.dirty").exists()


@pytest.mark.parametrize(
    "args, env, says",
    [
        ((FIXTURES / "case_pass.py",), {"DEV_TEST_TIMEOUT": "ten"}, "DEV_TEST_TIMEOUT='ten'"),
        ((FIXTURES / "case_pass.py",), {"DEV_TEST_TIMEOUT": "0"}, "DEV_TEST_TIMEOUT='0'"),
        ((FIXTURES / "case_pass.py",), {"DEV_TEST_OP_TIMEOUT": "-1"}, "DEV_TEST_OP_TIMEOUT='-1'"),
        ((FIXTURES / "case_pass.py",), {"DEV_TEST_LOCK_WAIT": "5 min"}, "DEV_TEST_LOCK_WAIT='5 min'"),
        ((FIXTURES / "case_pass.py", "--no-such-flag"), {}, "pytest usage error"),
        ((f"{FIXTURES / 'case_pass.py'}::test_missing",), {}, "pytest usage error"),
    ],
)
def test_bad_knobs_flags_and_test_ids_are_setup_errors(tmp_path, args, env, says):
    proc = dev_test(tmp_path, *args, **env)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert says in proc.stdout + proc.stderr and "DEV_TEST_RESULT: SETUP_ERROR" in proc.stdout + proc.stderr
    assert not list(tmp_path.glob("triage-*.log")) and not list(tmp_path.glob("report-*"))


def test_a_daemon_started_by_a_test_does_not_keep_the_lock(tmp_path):
    pidfile = tmp_path / "daemon.pid"
    proc = dev_test(tmp_path, FIXTURES / "case_daemon.py", DEV_TEST_FIXTURE_PIDFILE=str(pidfile))
    daemon = int(pidfile.read_text())
    try:
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert _alive(daemon)
        again = dev_test(tmp_path, FIXTURES / "case_pass.py", DEV_TEST_LOCK_WAIT="2")
        assert again.returncode == 0, again.stdout + again.stderr
    finally:
        os.kill(daemon, 15)


def test_sigterm_ends_the_run_and_releases_everything(tmp_path):
    """kill -TERM of dev-test ends its pytest and pytest's children, and leaves no lock, marker or empty log."""
    pidfile = tmp_path / "child.pid"
    env = {
        **os.environ,
        "DEV_TEST_PYTHON": sys.executable,
        "DEV_TEST_STATE_DIR": str(tmp_path),
        "DEV_TEST_FIXTURE_PIDFILE": str(pidfile),
    }
    run = subprocess.Popen(
        ["bash", str(SCRIPT), str(FIXTURES / "case_sleep.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(300):
            if pidfile.exists() and pidfile.read_text():
                break
            time.sleep(0.1)
        child = int(pidfile.read_text())
        run.terminate()
        out, _ = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 143 and "DEV_TEST_RESULT: INTERRUPTED (SIGTERM)" in out, out
    for _ in range(50):
        if not _alive(child):
            break
        time.sleep(0.1)
    assert not _alive(child)
    assert not (tmp_path / "device-0.dirty").exists()
    assert not list(tmp_path.glob("triage-*.log")) and not list(tmp_path.glob("report-*"))
    proc = dev_test(tmp_path, FIXTURES / "case_pass.py", DEV_TEST_LOCK_WAIT="2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "left the device dirty" not in proc.stdout


def test_no_empty_triage_logs_are_left(tmp_path):
    for case in ("case_pass.py", "case_fail.py", "case_exit0.py"):
        dev_test(tmp_path, FIXTURES / case)
    assert not list(tmp_path.glob("triage-*.log")) and not list(tmp_path.glob("report-*"))
