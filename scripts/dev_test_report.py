"""pytest plugin for scripts/dev-test.sh: writes what pytest itself concluded to $DEV_TEST_REPORT as JSON.

A process can end with status 0 without pytest having run its tests (a kernel or test calling exit(0)); the
runner counts a pass only when this file exists, the session finished, and every collected test passed (or
was skipped or xfailed as marked).
"""

from __future__ import annotations

import json
import os

_counts: dict[str, int] = {}
_collected = 0


def pytest_collection_finish(session):
    global _collected
    _collected = len(session.items)


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        outcome = "xfailed" if hasattr(report, "wasxfail") and report.skipped else report.outcome
        if report.outcome == "failed" and report.when != "call":
            outcome = "error"
        _counts[outcome] = _counts.get(outcome, 0) + 1


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("DEV_TEST_REPORT")
    if not path:
        return
    tmp = f"{path}.part"
    with open(tmp, "w") as f:
        json.dump({"collected": _collected, "exitstatus": int(exitstatus), **_counts}, f)
    os.replace(tmp, path)


def verdict(path: str) -> str:
    """'' when the report shows every collected test passed; otherwise why the run is not a pass."""
    try:
        with open(path) as f:
            r = json.load(f)
    except (OSError, ValueError):
        return "pytest ended before reporting its results (a test or kernel ended the process)"
    done = r.get("passed", 0) + r.get("skipped", 0) + r.get("xfailed", 0)
    bad = r.get("failed", 0) + r.get("error", 0)
    if r["exitstatus"] != 0 or bad or done != r["collected"]:
        return (
            f"pytest collected {r['collected']}, finished {done + bad} ({bad} failed), exit {r['exitstatus']}"
        )
    return ""


if __name__ == "__main__":
    import sys

    reason = verdict(sys.argv[1])
    print(reason)
    sys.exit(1 if reason else 0)
