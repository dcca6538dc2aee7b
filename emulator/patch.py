"""Replaces ttnn's device-bound entry points with the emulator's; everything host-side stays ttnn's own."""

from __future__ import annotations

import functools

from emulator import device as emu_device
from emulator import native_ops
from emulator import tensor as emu_tensor


def install(ttnn) -> None:
    if getattr(ttnn, "EMULATED", False):
        return
    real_from_torch, real_to_torch = ttnn.from_torch, ttnn.to_torch
    real_tensor_accessor_args = ttnn.TensorAccessorArgs
    emu_tensor.set_real_functions(from_torch=real_from_torch, to_torch=real_to_torch)

    def open_device(
        device_id: int = 0,
        *,
        l1_small_size=None,
        trace_region_size=None,
        num_command_queues=1,
        worker_l1_size=None,
        **kwargs,
    ):
        return emu_device.open_device(device_id, worker_l1_size=worker_l1_size)

    def CreateDevice(
        device_id: int = 0, num_command_queues: int = 1, l1_small_size=None, trace_region_size=None, **kwargs
    ):
        return emu_device.open_device(device_id, worker_l1_size=kwargs.get("worker_l1_size"))

    def close_device(device):
        if isinstance(device, emu_device.EmulatedDevice):
            emu_device.close_device(device)

    natural = {ttnn.bfloat16: "torch.bfloat16", ttnn.float32: "torch.float32"}

    def host_tensor(tensor, dtype, args, kwargs):
        # ttnn 0.81.1 converts dtype and tilizes in one host step that needs a cluster; without a chip that
        # step fails, so convert in row-major first (same rounding) and tilize the converted values.
        if (
            kwargs.get("layout") == ttnn.TILE_LAYOUT
            and dtype is not None
            and natural.get(dtype) != str(getattr(tensor, "dtype", ""))
        ):
            rm = real_from_torch(tensor, dtype, *args, **dict(kwargs, layout=ttnn.ROW_MAJOR_LAYOUT))
            return real_from_torch(real_to_torch(rm), dtype, *args, **kwargs)
        return real_from_torch(tensor, dtype, *args, **kwargs)

    @functools.wraps(real_from_torch)
    def from_torch(tensor, dtype=None, *args, device=None, memory_config=None, **kwargs):
        host = host_tensor(tensor, dtype, args, kwargs)
        if device is None:
            return host
        if not isinstance(device, emu_device.EmulatedDevice):
            raise TypeError(
                f"device must be an emulated device from ttnn.open_device, got {type(device).__name__}"
            )
        return emu_tensor.to_device(host, device, memory_config)

    @functools.wraps(real_to_torch)
    def to_torch(tensor, *args, **kwargs):
        if isinstance(tensor, emu_tensor.EmulatedTensor):
            out = tensor.read_torch()
            dtype = kwargs.get("dtype")
            return out.to(dtype) if dtype is not None else out
        return real_to_torch(tensor, *args, **kwargs)

    def to_device(tensor, device, memory_config=None, *args, **kwargs):
        if isinstance(tensor, emu_tensor.EmulatedTensor):
            return tensor
        return emu_tensor.to_device(tensor, device, memory_config)

    real_to_memory_config = ttnn.to_memory_config

    @functools.wraps(real_to_memory_config)
    def to_memory_config(tensor, memory_config, dtype=None, *args, **kwargs):
        if not isinstance(tensor, emu_tensor.EmulatedTensor):
            return real_to_memory_config(tensor, memory_config, dtype, *args, **kwargs)
        if dtype is not None and dtype != tensor.dtype:
            raise emu_device.DeviceError("the emulator's to_memory_config does not convert dtypes")
        return emu_tensor.to_memory_config(tensor, memory_config)

    def from_device(tensor, *args, **kwargs):
        return tensor.cpu() if isinstance(tensor, emu_tensor.EmulatedTensor) else tensor

    def allocate_tensor_on_device(*args, **kwargs):
        names = ["shape", "dtype", "layout", "mesh_device", "memory_config"]
        if args and isinstance(args[0], ttnn.TensorSpec):  # (tensor_spec, device)
            spec, dev = args[0], args[1] if len(args) > 1 else kwargs["mesh_device"]
            return emu_tensor.allocate(
                spec.shape, spec.dtype, spec.layout, dev, spec.memory_config, spec.tile
            )
        bound = dict(zip(names, args))
        bound.update(kwargs)
        missing = [n for n in names[:4] if n not in bound]
        if missing:
            raise TypeError(f"allocate_tensor_on_device() missing {', '.join(missing)}")
        return emu_tensor.allocate(
            bound["shape"], bound["dtype"], bound["layout"], bound["mesh_device"], bound.get("memory_config")
        )

    def deallocate(tensor, force: bool = True):
        if isinstance(tensor, emu_tensor.EmulatedTensor):
            tensor.deallocate()

    class TensorAccessorArgs:
        """Host side of TensorAccessor for interleaved tensors: [config (IsDram for DRAM, 0 for L1), aligned
        page size]."""

        IS_DRAM = 1 << 1

        def __init__(self, tensor, *args, **kwargs):
            if not isinstance(tensor, emu_tensor.EmulatedTensor):
                real_tensor_accessor_args(tensor)  # raises ttnn's own error for host tensors
            self._page = tensor.buffer_aligned_page_size()
            self._config = self.IS_DRAM if tensor.memory_config().buffer_type == ttnn.BufferType.DRAM else 0

        def get_compile_time_args(self) -> list[int]:
            return [self._config, self._page]

        def get_common_runtime_args(self) -> list[int]:
            return []

    def generic_op(io_tensors, program_descriptor):
        from emulator.launcher import run

        return run(io_tensors, program_descriptor)

    def synchronize_device(device, *args, **kwargs):
        return None

    ttnn.open_device = open_device
    ttnn.CreateDevice = CreateDevice
    ttnn.close_device = close_device
    ttnn.CloseDevice = close_device
    ttnn.from_torch = from_torch
    ttnn.to_torch = to_torch
    ttnn.to_device = to_device
    ttnn.from_device = from_device
    ttnn.to_memory_config = to_memory_config
    ttnn.allocate_tensor_on_device = allocate_tensor_on_device
    ttnn.deallocate = deallocate
    ttnn.TensorAccessorArgs = TensorAccessorArgs
    ttnn.generic_op = generic_op
    ttnn.synchronize_device = synchronize_device
    native_ops.install(ttnn)
    ttnn.EMULATED = True
