"""Entry point of ``rms_norm``: validation, output allocation, launch.

Contract: ``rms_norm(input_tensor, *, gamma=None, epsilon=1e-6)``. The input is bfloat16 or float32,
ROW_MAJOR or TILE, in DRAM, rank >= 2, with the last two dims multiples of 32. gamma is (1, 1, 1, W),
ROW_MAJOR even for TILE input, with the input's dtype. The output keeps the input's dtype and layout.
Every check runs before anything touches the device.
"""

from __future__ import annotations

import math
import numbers

import ttnn

from .rms_norm_program_descriptor import create_program_descriptor, plan_for

_DTYPES = (ttnn.bfloat16, ttnn.float32)
_LAYOUTS = (ttnn.ROW_MAJOR_LAYOUT, ttnn.TILE_LAYOUT)


def _check_interleaved_dram(tensor: ttnn.Tensor, name: str) -> None:
    if tensor.device() is None:
        raise ValueError(f"rms_norm: {name} must be on a device (DRAM), got a host tensor")
    mc = tensor.memory_config()
    if mc.buffer_type != ttnn.BufferType.DRAM or mc.memory_layout != ttnn.TensorMemoryLayout.INTERLEAVED:
        raise ValueError(f"rms_norm: {name} must be DRAM interleaved, got {mc}")


def validate(input_tensor, gamma, epsilon) -> None:
    """Raise ValueError for anything the kernels cannot handle; touches no device state."""
    if not isinstance(input_tensor, ttnn.Tensor):
        raise ValueError(f"rms_norm: input_tensor must be a ttnn.Tensor, got {type(input_tensor).__name__}")  # noqa: TRY004 (contract: ValueError)
    rank = len(input_tensor.shape)
    if rank < 2:
        raise ValueError(f"rms_norm: input must have rank >= 2, got rank {rank}")
    if input_tensor.dtype not in _DTYPES:
        raise ValueError(f"rms_norm: input must be bfloat16 or float32, got {input_tensor.dtype}")
    if input_tensor.layout not in _LAYOUTS:
        raise ValueError(
            f"rms_norm: input must be ROW_MAJOR_LAYOUT or TILE_LAYOUT, got {input_tensor.layout}"
        )
    h, w = input_tensor.shape[-2], input_tensor.shape[-1]
    if h % 32 or w % 32 or h == 0 or w == 0:
        raise ValueError(f"rms_norm: the last two dims must be positive multiples of 32, got H={h}, W={w}")
    _check_interleaved_dram(input_tensor, "input_tensor")
    if gamma is not None:
        if not isinstance(gamma, ttnn.Tensor):
            raise ValueError(f"rms_norm: gamma must be a ttnn.Tensor or None, got {type(gamma).__name__}")
        shape = list(gamma.shape)
        if shape[-1] != w:
            raise ValueError(f"rms_norm: gamma last dim {shape[-1]} != input last dim {w}")
        if math.prod(shape[:-1]) != 1:
            raise ValueError(f"rms_norm: gamma must have shape (1, 1, 1, W), got {tuple(shape)}")
        if gamma.layout != ttnn.ROW_MAJOR_LAYOUT:
            raise ValueError(
                f"rms_norm: gamma must be ROW_MAJOR_LAYOUT (also for TILE input), got {gamma.layout}"
            )
        if gamma.dtype != input_tensor.dtype:
            raise ValueError(
                f"rms_norm: gamma dtype {gamma.dtype} must match the input dtype {input_tensor.dtype}"
            )
        _check_interleaved_dram(gamma, "gamma")
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real):
        raise ValueError(f"rms_norm: epsilon must be a float, got {type(epsilon).__name__}")  # noqa: TRY004 (contract: ValueError)
    if not math.isfinite(epsilon) or epsilon < 0:
        raise ValueError(f"rms_norm: epsilon must be finite and >= 0, got {epsilon}")


def rms_norm(
    input_tensor: ttnn.Tensor,
    *,
    gamma: ttnn.Tensor | None = None,
    epsilon: float = 1e-6,
) -> ttnn.Tensor:
    """RMSNorm over the last dim: ``x / sqrt(mean(x^2) + epsilon) * gamma``."""
    validate(input_tensor, gamma, epsilon)
    plan_for(input_tensor, gamma)  # the L1 budget check, before anything is allocated
    output = ttnn.allocate_tensor_on_device(
        ttnn.Shape(list(input_tensor.shape)),
        input_tensor.dtype,
        input_tensor.layout,
        input_tensor.device(),
        ttnn.DRAM_MEMORY_CONFIG,
    )
    program = create_program_descriptor(input_tensor, gamma, output, epsilon=float(epsilon))
    io_tensors = [input_tensor] + ([gamma] if gamma is not None else []) + [output]
    return ttnn.generic_op(io_tensors, program)
