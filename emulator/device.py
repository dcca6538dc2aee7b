"""The emulated device as ttnn code sees it: grid, L1, DRAM banks with an interleaved-buffer allocator."""

from __future__ import annotations

import bisect
import ctypes
import threading

import numpy as np

from emulator import device_info, runtime_lib


class DeviceError(RuntimeError):
    """Misuse of the emulated device (closed device, out of DRAM or L1, unsupported memory config)."""


class BankAllocator:
    """First-fit allocator of per-bank address ranges in [base, end); an interleaved buffer takes the same
    range in every bank. DRAM allocates bottom-up, L1 top-down (device_info says why)."""

    def __init__(self, base: int, end: int, bottom_up: bool, what: str):
        self.bottom_up = bottom_up
        self.what = what
        self.end = end
        self.free: list[tuple[int, int]] = [(base, end - base)]  # sorted (addr, size)
        self.live: dict[int, int] = {}

    def allocate(self, size: int) -> int:
        """``size`` bytes per bank (a multiple of the allocation granule); returns the bank-local address."""
        order = range(len(self.free)) if self.bottom_up else range(len(self.free) - 1, -1, -1)
        for i in order:
            addr, avail = self.free[i]
            if avail < size:
                continue
            if self.bottom_up:
                self.free[i : i + 1] = [(addr + size, avail - size)] if avail > size else []
                out = addr
            else:
                out = addr + avail - size
                self.free[i : i + 1] = [(addr, avail - size)] if avail > size else []
            self.live[out] = size
            return out
        raise DeviceError(f"out of emulated {self.what}: no free range of {size} B per bank")

    def lowest_live(self) -> int:
        return min(self.live, default=self.end)

    def release(self, addr: int) -> None:
        size = self.live.pop(addr, None)
        if size is None:
            return
        i = bisect.bisect(self.free, (addr, 0))
        self.free.insert(i, (addr, size))
        # coalesce with neighbours
        merged: list[tuple[int, int]] = []
        for a, s in self.free:
            if merged and merged[-1][0] + merged[-1][1] == a:
                merged[-1] = (merged[-1][0], merged[-1][1] + s)
            else:
                merged.append((a, s))
        self.free = merged


DRAM_BASE = 1 << 20  # keep address 0 and the low MiB unused, as real DRAM reserves it


class EmulatedDevice:
    """Stands in for ``ttnn.MeshDevice`` / ``ttnn.Device`` with the methods ops and tests use."""

    def __init__(self, device_id: int = 0, worker_l1_size: int | None = None):
        self.device_id = device_id
        self.grid = device_info.grid_from_env()
        self.l1_size = worker_l1_size or device_info.WORKER_L1_SIZE
        self.lib = runtime_lib.load()
        err = ctypes.create_string_buffer(512)
        self.lib.emu_device_open.argtypes = [ctypes.c_uint32] * 5 + [
            ctypes.c_uint64,
            ctypes.c_char_p,
            ctypes.c_size_t,
        ]
        rc = self.lib.emu_device_open(
            self.grid[0],
            self.grid[1],
            self.l1_size,
            device_info.L1_CB_BASE,
            device_info.NUM_DRAM_BANKS,
            device_info.DRAM_BANK_SIZE,
            err,
            len(err),
        )
        if rc != 0:
            raise DeviceError(err.value.decode())
        self.lib.emu_dram_bank.restype = ctypes.c_void_p
        self.lib.emu_core_l1.restype = ctypes.c_void_p
        self.lib.emu_core_l1.argtypes = [ctypes.c_uint32, ctypes.c_uint32]
        self.lib.emu_set_l1_buffer_floor.argtypes = [ctypes.c_uint32]
        self.l1_banks = device_info.l1_bank_cores(self.grid)
        xs = (ctypes.c_uint32 * len(self.l1_banks))(*(x for x, _ in self.l1_banks))
        ys = (ctypes.c_uint32 * len(self.l1_banks))(*(y for _, y in self.l1_banks))
        self.lib.emu_set_l1_banks(xs, ys, ctypes.c_uint32(len(self.l1_banks)))
        self.allocator = BankAllocator(DRAM_BASE, device_info.DRAM_BANK_SIZE, True, "DRAM")
        self.l1_allocator = BankAllocator(device_info.L1_CB_BASE, self.l1_size, False, "L1")
        self.is_open = True
        self.lock = threading.RLock()
        self.programs_run = 0

    # -- the ttnn device surface -----------------------------------------------------------------------
    def compute_with_storage_grid_size(self):
        import ttnn

        return ttnn.CoreCoord(*self.grid)

    def grid_size(self):
        return self.compute_with_storage_grid_size()

    def dram_grid_size(self):
        import ttnn

        return ttnn.CoreCoord(device_info.NUM_DRAM_BANKS, 1)

    def worker_core_from_logical_core(self, core):
        import ttnn

        return ttnn.CoreCoord(core.x + 1, core.y + 1)

    def l1_size_per_core(self) -> int:
        return self.l1_size

    def lowest_l1_address(self) -> int:
        """Lowest address any L1-interleaved buffer occupies (the L1 size when there is none)."""
        return self.l1_allocator.lowest_live()

    def num_l1_banks(self) -> int:
        return len(self.l1_banks)

    def num_dram_channels(self) -> int:
        return device_info.NUM_DRAM_BANKS

    def arch(self):
        import ttnn

        return ttnn.device.Arch.WORMHOLE_B0

    def id(self) -> int:
        return self.device_id

    def get_num_devices(self) -> int:
        return 1

    def get_devices(self):
        return [self]

    def __repr__(self) -> str:
        return f"EmulatedDevice(id={self.device_id}, grid={self.grid[0]}x{self.grid[1]}, Wormhole n150)"

    # -- DRAM --------------------------------------------------------------------------------------------
    def check_open(self) -> None:
        if not self.is_open:
            raise DeviceError("the emulated device is closed")

    def bank_view(self, bank: int, addr: int, size: int, is_dram: bool = True) -> np.ndarray:
        if is_dram:
            base = self.lib.emu_dram_bank(bank)
        else:
            if addr < device_info.L1_CB_BASE or addr + size > self.l1_size:
                raise DeviceError(f"L1 range {addr}+{size} is outside the L1 banks")
            base = self.lib.emu_core_l1(*self.l1_banks[bank])
        return np.ctypeslib.as_array((ctypes.c_uint8 * size).from_address(base + addr))

    def allocate_buffer(self, size_per_bank: int, is_dram: bool) -> int:
        if is_dram:
            return self.allocator.allocate(size_per_bank)
        addr = self.l1_allocator.allocate(size_per_bank)
        self.lib.emu_set_l1_buffer_floor(self.lowest_l1_address())
        return addr

    def release_buffer(self, addr: int, is_dram: bool) -> None:
        if is_dram:
            self.allocator.release(addr)
        else:
            self.l1_allocator.release(addr)
            self.lib.emu_set_l1_buffer_floor(self.lowest_l1_address())

    def write_pages(self, addr: int, pages: np.ndarray, aligned_page: int, is_dram: bool = True) -> None:
        """Scatter ``pages`` (n, page_bytes) uint8 over the banks: page i goes to bank i % B at
        ``addr + (i // B) * aligned_page``."""
        n, page = pages.shape
        banks = device_info.NUM_DRAM_BANKS if is_dram else len(self.l1_banks)
        for b in range(min(banks, n)):
            mine = pages[b::banks]
            view = self.bank_view(b, addr, len(mine) * aligned_page, is_dram).reshape(len(mine), aligned_page)
            view[:, :page] = mine

    def read_pages(self, addr: int, n: int, page: int, aligned_page: int, is_dram: bool = True) -> np.ndarray:
        out = np.empty((n, page), dtype=np.uint8)
        banks = device_info.NUM_DRAM_BANKS if is_dram else len(self.l1_banks)
        for b in range(min(banks, n)):
            count = len(range(b, n, banks))
            view = self.bank_view(b, addr, count * aligned_page, is_dram).reshape(count, aligned_page)
            out[b::banks] = view[:, :page]
        return out

    def close(self) -> None:
        if self.is_open:
            self.is_open = False
            self.lib.emu_device_close()


_open_devices: dict[int, EmulatedDevice] = {}


def open_device(device_id: int = 0, worker_l1_size: int | None = None, **_ignored) -> EmulatedDevice:
    """One emulated chip per id; opening an open id returns it (as ttnn does)."""
    if device_id != 0:
        raise DeviceError(f"the emulator provides one device (id 0), not id {device_id}")
    dev = _open_devices.get(device_id)
    if dev is None or not dev.is_open:
        dev = EmulatedDevice(device_id, worker_l1_size)
        _open_devices[device_id] = dev
    return dev


def close_device(device: EmulatedDevice) -> None:
    device.close()
    _open_devices.pop(device.device_id, None)
