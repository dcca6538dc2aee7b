"""Numbers of the emulated Wormhole n150 (from the wheel's SoC descriptor and dev_mem_map.h)."""

from __future__ import annotations

import os

WORKER_L1_SIZE = 1_499_136  # soc descriptor worker_l1_size
# Firmware, mailboxes and the kernel-config ring sit below this offset; CBs are placed from here up.
L1_CB_BASE = 102_400
NUM_DRAM_BANKS = 12
DRAM_BANK_SIZE = 1 << 30  # mapped lazily; the real n150 banks are 1 GiB each
DRAM_ALIGNMENT = 32
L1_ALIGNMENT = 16
DEFAULT_GRID = (8, 8)


def grid_from_env() -> tuple[int, int]:
    """``TTNN_EMULATOR_GRID=XxY`` overrides the 8x8 worker grid (e.g. ``13x10`` for a Blackhole-sized grid)."""
    value = os.environ.get("TTNN_EMULATOR_GRID")
    if not value:
        return DEFAULT_GRID
    try:
        x, y = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise ValueError(f"TTNN_EMULATOR_GRID must look like 8x8, got {value!r}") from None
    if not (1 <= x <= 62 and 1 <= y <= 62):
        raise ValueError(f"TTNN_EMULATOR_GRID {value!r} is outside 1..62 per axis")
    return x, y


def l1_cb_budget(device=None) -> int:
    """Bytes of L1 per core available to circular buffers."""
    size = getattr(device, "l1_size_per_core", lambda: WORKER_L1_SIZE)()
    return size - L1_CB_BASE
