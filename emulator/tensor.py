"""Device tensors of the emulator: real ``ttnn.Tensor`` objects (so isinstance checks and shape/dtype/layout
queries behave as in ttnn) whose data lives interleaved over the emulated DRAM or L1 banks."""

from __future__ import annotations

import numpy as np
import torch

from emulator import device_info
from emulator.device import DeviceError, EmulatedDevice
from emulator.tile_layout import TILE, tilize, untilize

_real: dict[str, object] = {}  # ttnn's own functions, captured before patching


def set_real_functions(**fns) -> None:
    _real.update(fns)


def _ttnn():
    import ttnn

    return ttnn


def _element_size(dtype) -> int:
    ttnn = _ttnn()
    sizes = {ttnn.bfloat16: 2, ttnn.float32: 4, ttnn.uint32: 4, ttnn.int32: 4, ttnn.uint16: 2}
    if dtype not in sizes:
        raise DeviceError(
            f"the emulator stores bfloat16, float32, uint32, int32 and uint16 tensors, not {dtype}"
        )
    return sizes[dtype]


def _raw_dtype(es: int):
    return {2: np.uint16, 4: np.uint32}[es]


def _check_memory_config(memory_config) -> None:
    ttnn = _ttnn()
    if memory_config is None:
        return
    if (
        memory_config.buffer_type not in (ttnn.BufferType.DRAM, ttnn.BufferType.L1)
        or memory_config.memory_layout != ttnn.TensorMemoryLayout.INTERLEAVED
    ):
        raise DeviceError(
            "the emulator supports DRAM and L1 interleaved tensors only "
            f"(got {memory_config.buffer_type}, {memory_config.memory_layout})"
        )


class EmulatedTensor(_ttnn().Tensor):
    """A device tensor in emulated DRAM or L1 (interleaved). Shape, dtype, layout and tile come from the
    wrapped host tensor."""

    def __init__(self, host, device: EmulatedDevice, memory_config=None):
        super().__init__(host)
        ttnn = _ttnn()
        self._device = device
        self._memory_config = memory_config or ttnn.DRAM_MEMORY_CONFIG
        self._es = _element_size(host.dtype)
        padded = list(host.padded_shape)
        if host.layout == ttnn.TILE_LAYOUT:
            self._page = TILE * TILE * self._es
            self._num_pages = int(np.prod(padded)) // (TILE * TILE)
        else:
            self._page = padded[-1] * self._es
            self._num_pages = int(np.prod(padded[:-1])) if len(padded) > 1 else 1
        self._is_dram = self._memory_config.buffer_type == ttnn.BufferType.DRAM
        align = device_info.page_alignment(self._is_dram)
        self._aligned_page = -(-self._page // align) * align
        banks = device_info.NUM_DRAM_BANKS if self._is_dram else device.num_l1_banks()
        per_bank = device_info.bank_bytes(self._num_pages, self._page, self._is_dram, banks)
        self._address = device.allocate_buffer(per_bank, self._is_dram)
        self._allocated = True

    # -- device-side queries, as on a real device tensor ------------------------------------------------
    def buffer_address(self) -> int:
        self._check()
        return self._address

    def buffer_page_size(self) -> int:
        return self._page

    def buffer_aligned_page_size(self) -> int:
        return self._aligned_page

    def buffer_num_pages(self) -> int:
        return self._num_pages

    def element_size(self) -> int:
        return self._es

    def device(self):
        return self._device

    def memory_config(self):
        return self._memory_config

    def storage_type(self):
        return _ttnn().StorageType.DEVICE

    def is_allocated(self) -> bool:
        return self._allocated

    def is_sharded(self) -> bool:
        return False

    def deallocate(self, force: bool = True) -> None:
        if self._allocated:
            self._device.release_buffer(self._address, self._is_dram)
            self._allocated = False

    def __del__(self):
        try:
            if self._allocated and self._device.is_open:
                self.deallocate()
        except Exception:  # noqa: BLE001, S110 - a destructor must not raise (e.g. during interpreter exit)
            pass

    def _check(self) -> None:
        if not self._allocated:
            raise DeviceError("this device tensor was deallocated")
        self._device.check_open()

    # -- data movement -----------------------------------------------------------------------------------
    def write(self, host) -> None:
        """Uploads a host ttnn tensor of this tensor's spec."""
        self._check()
        ttnn = _ttnn()
        values = _real["to_torch"](host)
        raw = _to_raw(values, self._es)
        if self.layout == ttnn.TILE_LAYOUT:
            raw = _pad(raw, list(self.padded_shape))
            pages = tilize(raw).view(np.uint8).reshape(self._num_pages, self._page)
        else:
            pages = np.ascontiguousarray(raw).view(np.uint8).reshape(self._num_pages, self._page)
        self._device.write_pages(self._address, pages, self._aligned_page, self._is_dram)

    def read_torch(self) -> torch.Tensor:
        """The logical tensor, as ``ttnn.to_torch`` returns it."""
        self._check()
        ttnn = _ttnn()
        pages = self._device.read_pages(
            self._address, self._num_pages, self._page, self._aligned_page, self._is_dram
        )
        words = pages.reshape(-1).view(_raw_dtype(self._es))
        padded = tuple(self.padded_shape)
        data = untilize(words, padded) if self.layout == ttnn.TILE_LAYOUT else words.reshape(padded)
        logical = tuple(self.shape)
        data = data[tuple(slice(0, n) for n in logical)] if logical != padded else data
        return _from_raw(np.ascontiguousarray(data), self.dtype)

    def cpu(self, blocking: bool = True, cq_id=None):
        return _real["from_torch"](self.read_torch(), dtype=self.dtype, layout=self.layout, tile=self.tile)

    def to_torch(self, *args, **kwargs) -> torch.Tensor:
        return self.read_torch()

    def __repr__(self) -> str:
        return (
            f"ttnn.Tensor(shape={self.shape}, dtype={self.dtype}, layout={self.layout}, "
            f"emulated {'DRAM' if self._is_dram else 'L1'} @0x{self._address:x}, device={self._device})"
        )


def _to_raw(values: torch.Tensor, es: int) -> np.ndarray:
    if values.dtype == torch.bfloat16:
        return values.contiguous().view(torch.int16).numpy().view(np.uint16)
    if values.dtype in (torch.float32, torch.int32, torch.uint32):
        return values.contiguous().numpy().view(np.uint32)
    if values.dtype == torch.int16 or values.dtype == torch.uint16:
        return values.contiguous().numpy().view(np.uint16)
    if es == 4:
        return values.to(torch.int64).numpy().astype(np.uint32)
    return values.to(torch.int32).numpy().astype(np.uint16)


def _from_raw(raw: np.ndarray, dtype) -> torch.Tensor:
    ttnn = _ttnn()
    if dtype == ttnn.bfloat16:
        return torch.from_numpy(raw.view(np.int16)).view(torch.bfloat16)
    if dtype == ttnn.float32:
        return torch.from_numpy(raw.view(np.float32))
    # the torch dtypes ttnn.to_torch gives for these (torch.uint16 / torch.uint32 / torch.int32)
    if dtype == ttnn.uint16:
        return torch.from_numpy(raw.view(np.uint16))
    if dtype == ttnn.uint32:
        return torch.from_numpy(raw.view(np.uint32))
    return torch.from_numpy(raw.view(np.int32))


def _pad(raw: np.ndarray, padded: list[int]) -> np.ndarray:
    if list(raw.shape) == padded:
        return raw
    out = np.zeros(padded, dtype=raw.dtype)
    out[tuple(slice(0, n) for n in raw.shape)] = raw
    return out


def to_device(host, device: EmulatedDevice, memory_config=None) -> EmulatedTensor:
    _check_memory_config(memory_config)
    device.check_open()
    t = EmulatedTensor(host, device, memory_config)
    t.write(host)
    return t


def to_memory_config(tensor: EmulatedTensor, memory_config) -> EmulatedTensor:
    """A copy of ``tensor`` in ``memory_config`` (the tensor itself when it is already there)."""
    _check_memory_config(memory_config)
    if memory_config == tensor.memory_config():
        return tensor
    tensor._check()
    out = EmulatedTensor(tensor.cpu(), tensor.device(), memory_config)
    out.write(tensor.cpu())
    return out


def allocate(shape, dtype, layout, device: EmulatedDevice, memory_config=None, tile=None) -> EmulatedTensor:
    """An uninitialised device tensor (its DRAM keeps whatever was there, as on hardware)."""
    _check_memory_config(memory_config)
    device.check_open()
    ttnn = _ttnn()
    dims = [int(d) for d in shape]
    torch_dtype = {ttnn.bfloat16: torch.bfloat16, ttnn.float32: torch.float32}.get(dtype, torch.int32)
    _element_size(dtype)
    host = _real["from_torch"](torch.zeros(dims, dtype=torch_dtype), dtype=dtype, layout=layout, tile=tile)
    return EmulatedTensor(host, device, memory_config)
