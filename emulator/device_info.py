"""Numbers of the emulated Wormhole n150 (from the wheel's SoC descriptor and dev_mem_map.h)."""

from __future__ import annotations

import os

WORKER_L1_SIZE = 1_499_136  # soc descriptor worker_l1_size
# Firmware, mailboxes and the kernel-config ring sit below this offset (the allocator's l1_unreserved_base);
# CBs are placed from here up.
L1_CB_BASE = 102_400
NUM_DRAM_BANKS = 12
DRAM_BANK_SIZE = 1 << 30  # mapped lazily; the real n150 banks are 1 GiB each
DRAM_ALIGNMENT = 32
L1_ALIGNMENT = 16
DEFAULT_GRID = (8, 8)

# Interleaved buffers, as tt-metal's banking allocator lays them out. Page i of a buffer lies in bank
# i % num_banks at buffer_address + (i // num_banks) * aligned_page, where aligned_page is the page size
# rounded up to the bank's alignment (32 B DRAM, 16 B L1). Every bank holds the same address range.
#  * DRAM: NUM_DRAM_BANKS banks, allocated bottom-up.
#  * L1: one bank per worker core of the compute grid (64 on an 8x8 n150), bank b on the b-th core in
#    row-major order (tt-metal shuffles the bank ids with a fixed seed; kernels only ever see the bank
#    table, so the order does not change a result). Each bank spans [L1_CB_BASE, WORKER_L1_SIZE), and L1
#    buffers are allocated top-down from the top, so circular buffers (growing up from L1_CB_BASE) may
#    reach only the lowest L1 buffer address. The L1 free list hands out multiples of DRAM_ALIGNMENT at
#    DRAM_ALIGNMENT-aligned addresses (so L1<->DRAM copies stay aligned).
ALLOC_GRANULE = DRAM_ALIGNMENT


def num_l1_banks(grid: tuple[int, int]) -> int:
    return grid[0] * grid[1]


def l1_bank_cores(grid: tuple[int, int]) -> list[tuple[int, int]]:
    """Logical (x, y) of the core that holds each L1 bank, indexed by bank id."""
    return [(x, y) for y in range(grid[1]) for x in range(grid[0])]


def page_alignment(is_dram: bool) -> int:
    return DRAM_ALIGNMENT if is_dram else L1_ALIGNMENT


def bank_bytes(num_pages: int, page_size: int, is_dram: bool, num_banks: int) -> int:
    """Bytes an interleaved buffer takes in each bank (what the allocator reserves per bank)."""
    align = page_alignment(is_dram)
    aligned_page = -(-page_size // align) * align
    size = -(-num_pages // num_banks) * aligned_page
    return max(-(-size // ALLOC_GRANULE) * ALLOC_GRANULE, ALLOC_GRANULE)


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


def l1_cb_budget(device=None, extra_l1_bytes: int = 0) -> int:
    """Bytes of L1 per core available to circular buffers: from L1_CB_BASE up to the lowest L1 buffer, less
    ``extra_l1_bytes`` per bank that an op is about to allocate in L1 (its output)."""
    top = getattr(device, "lowest_l1_address", None)
    top = top() if top else getattr(device, "l1_size_per_core", lambda: WORKER_L1_SIZE)()
    if extra_l1_bytes:
        top = (top - extra_l1_bytes) // ALLOC_GRANULE * ALLOC_GRANULE
    return max(top - L1_CB_BASE, 0)
