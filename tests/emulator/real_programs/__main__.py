"""Runs every real program and prints which pass: `python -m tests.emulator.real_programs [NAME ...]`."""

from __future__ import annotations

import sys
import time
import traceback

import torch
import ttnn

from tests.emulator.real_programs.catalog import PENDING, PROGRAMS


def main(names: list[str]) -> int:
    device = ttnn.open_device(device_id=0)
    failed = 0
    try:
        for name in names or list(PROGRAMS):
            torch.manual_seed(0)
            t0 = time.perf_counter()
            try:
                PROGRAMS[name](device)
                status = "PASS"
            except Exception as exc:  # noqa: BLE001 -- a report of every program, whatever it raised
                failed += 1
                first = str(exc).strip().splitlines()
                status = f"FAIL {type(exc).__name__}: {' | '.join(first[:6])[:600]}"
                if not first:
                    status += " " + traceback.format_exc(limit=2)
            tag = "pending" if name in PENDING else "runnable"
            print(f"{name:30s} {tag:8s} {time.perf_counter() - t0:6.1f}s {status}", flush=True)
    finally:
        ttnn.close_device(device)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
