"""The emulated device as ttnn code sees it: grid, L1, DRAM banks with an interleaved-buffer allocator."""

from __future__ import annotations

import bisect
import ctypes
import threading

import numpy as np

from emulator import device_info, runtime_lib


class DeviceError(RuntimeError):
    """Misuse of the emulated device (closed device, out of DRAM, unsupported memory config)."""


class DramAllocator:
    """First-fit allocator of per-bank address ranges; an interleaved buffer takes the same range in every bank."""

    BASE = 1 << 20  # keep address 0 and the low MiB unused, as real DRAM reserves it

    def __init__(self, bank_size: int):
        self.bank_size = bank_size
        self.free: list[tuple[int, int]] = [(self.BASE, bank_size - self.BASE)]  # sorted (addr, size)
        self.live: dict[int, int] = {}

    def allocate(self, size: int) -> int:
        size = (
            -(-size // device_info.DRAM_ALIGNMENT) * device_info.DRAM_ALIGNMENT or device_info.DRAM_ALIGNMENT
        )
        for i, (addr, avail) in enumerate(self.free):
            if avail >= size:
                if avail == size:
                    self.free.pop(i)
                else:
                    self.free[i] = (addr + size, avail - size)
                self.live[addr] = size
                return addr
        raise DeviceError(f"out of emulated DRAM: no free range of {size} B per bank")

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
        self.allocator = DramAllocator(device_info.DRAM_BANK_SIZE)
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

    def bank_view(self, bank: int, addr: int, size: int) -> np.ndarray:
        base = self.lib.emu_dram_bank(bank)
        return np.ctypeslib.as_array((ctypes.c_uint8 * size).from_address(base + addr))

    def write_pages(self, addr: int, pages: np.ndarray, aligned_page: int) -> None:
        """Scatter ``pages`` (n, page_bytes) uint8 over the banks: page i goes to bank i % B at
        ``addr + (i // B) * aligned_page``."""
        n, page = pages.shape
        banks = device_info.NUM_DRAM_BANKS
        for b in range(min(banks, n)):
            mine = pages[b::banks]
            view = self.bank_view(b, addr, len(mine) * aligned_page).reshape(len(mine), aligned_page)
            view[:, :page] = mine

    def read_pages(self, addr: int, n: int, page: int, aligned_page: int) -> np.ndarray:
        out = np.empty((n, page), dtype=np.uint8)
        banks = device_info.NUM_DRAM_BANKS
        for b in range(min(banks, n)):
            count = len(range(b, n, banks))
            view = self.bank_view(b, addr, count * aligned_page).reshape(count, aligned_page)
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
