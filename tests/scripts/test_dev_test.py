"""scripts/dev-test.sh keeps tt-metal's runner contract: 0 pass, 1 fail, 2 hang (with triage), 3 setup error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "dev-test.sh"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def dev_test(tmp_path, *args):
    env = dict(os.environ, DEV_TEST_PYTHON=sys.executable, DEV_TEST_STATE_DIR=str(tmp_path), DEV_TEST_TIMEOUT="120")
    return subprocess.run(["bash", str(SCRIPT), *map(str, args)], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


@pytest.mark.parametrize("case, code, verdict", [("case_pass.py", 0, "PASS"), ("case_fail.py", 1, "FAIL"),
                                                 ("case_hang.py", 2, "HANG")])
def test_exit_codes(tmp_path, case, code, verdict):
    proc = dev_test(tmp_path, FIXTURES / case)
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert f"DEV_TEST_RESULT: {verdict}" in proc.stdout


def test_hang_prints_triage_naming_threads_and_cbs(tmp_path):
    proc = dev_test(tmp_path, FIXTURES / "case_hang.py")
    assert "HANG TRIAGE" in proc.stdout
    assert "BLOCKED in cb_wait_front(cb 0, 1 pages)" in proc.stdout
    assert "BLOCKED in cb_wait_front(cb 16, 1 pages)" in proc.stdout
    assert not (tmp_path / "device-0.dirty").exists()


def test_setup_errors(tmp_path):
    assert dev_test(tmp_path).returncode == 3
    missing = dev_test(tmp_path, "tests/does_not_exist.py")
    assert missing.returncode == 3 and "test path not found" in missing.stderr


def test_lock_is_exclusive(tmp_path):
    """While another holder keeps the device lock, a run with a short lock wait gives up with a setup error."""
    lock = tmp_path / "device-0.lock"
    holder = subprocess.Popen(["flock", str(lock), "sleep", "30"])
    try:
        env_args = dict(os.environ, DEV_TEST_PYTHON=sys.executable, DEV_TEST_STATE_DIR=str(tmp_path),
                        DEV_TEST_LOCK_WAIT="1")
        import time

        time.sleep(0.3)
        proc = subprocess.run(["bash", str(SCRIPT), str(FIXTURES / "case_pass.py")], capture_output=True,
                              text=True, env=env_args, cwd=ROOT, timeout=60)
        assert proc.returncode == 3 and "device lock" in proc.stderr
    finally:
        holder.kill()
        holder.wait()
