"""Entry point of ``layer_norm_rm``: validation, output allocation, launch.

Contract: ``layer_norm_rm(input_tensor, gamma=None, beta=None, *, epsilon=1e-5, device=None,
memory_config=None, compute_kernel_config=None)``. The input is a bfloat16 or float32 ROW_MAJOR tensor,
interleaved in DRAM or L1, whose last two dims are multiples of 32; gamma/beta are (1, 1, 1, W) ROW_MAJOR
tensors of the input's dtype. The output has the input's dtype and lands where ``memory_config`` says
(default: the input's memory config). Every check runs before anything touches the device, and
tilize/untilize happen in the kernels.
"""

from __future__ import annotations

import math
import numbers

import ttnn

from .layer_norm_rm_program_descriptor import (
    ComputeSettings,
    create_program_descriptor,
    output_l1_bytes_per_bank,
    plan_for,
)

OP = "layer_norm_rm"
_DTYPES = (ttnn.bfloat16, ttnn.float32)
_BUFFERS = (ttnn.BufferType.DRAM, ttnn.BufferType.L1)


def _check_on_device(tensor: ttnn.Tensor, name: str, device) -> None:
    if tensor.device() is None:
        raise ValueError(f"{OP}: {name} must be on a device (DRAM or L1), got a host tensor")
    if not tensor.is_allocated():
        raise ValueError(f"{OP}: {name} was deallocated")
    if tensor.device() is not device:
        raise ValueError(f"{OP}: {name} is on {tensor.device()}, not on the op's device {device}")
    mc = tensor.memory_config()
    if mc.buffer_type not in _BUFFERS or mc.memory_layout != ttnn.TensorMemoryLayout.INTERLEAVED:
        raise ValueError(f"{OP}: {name} must be DRAM or L1 interleaved, got {mc}")


def _check_affine(param, name: str, width: int, dtype, device) -> None:
    if param is None:
        return
    if not isinstance(param, ttnn.Tensor):
        raise ValueError(f"{OP}: {name} must be a ttnn.Tensor or None, got {type(param).__name__}")  # noqa: TRY004 (contract: ValueError)
    if param.dtype != dtype:
        raise ValueError(f"{OP}: {name} must have the input's dtype {dtype}, got {param.dtype}")
    if param.layout != ttnn.ROW_MAJOR_LAYOUT:
        raise ValueError(f"{OP}: {name} must be ROW_MAJOR_LAYOUT, got {param.layout}")
    shape = list(param.shape)
    if shape[-1] != width:
        raise ValueError(f"{OP}: {name} last dim {shape[-1]} != input width {width}")
    if math.prod(shape[:-1]) != 1:
        raise ValueError(f"{OP}: {name} must have shape (1, 1, 1, W), got {tuple(shape)}")
    _check_on_device(param, name, device)


def _check_epsilon(epsilon, dtype) -> None:
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real):
        raise ValueError(f"{OP}: epsilon must be a float, got {type(epsilon).__name__}")  # noqa: TRY004 (contract: ValueError)
    value = float(epsilon)
    # epsilon travels as a bf16 or fp32 tile word: it must be finite in that format.
    limit = ComputeSettings.max_finite(dtype)
    if not math.isfinite(value) or value < 0 or value > limit:
        raise ValueError(
            f"{OP}: epsilon must be finite and >= 0 (at most {limit:.6g}, the largest {dtype} value), got {epsilon}"
        )


def _check_memory_config(memory_config) -> None:
    if not isinstance(memory_config, ttnn.MemoryConfig):
        raise ValueError(  # noqa: TRY004 (contract: ValueError)
            f"{OP}: memory_config must be a ttnn.MemoryConfig, got {type(memory_config).__name__}"
        )
    if (
        memory_config.memory_layout != ttnn.TensorMemoryLayout.INTERLEAVED
        or memory_config.buffer_type not in _BUFFERS
    ):
        raise ValueError(
            f"{OP}: the output must be DRAM or L1 interleaved (the writer addresses it page by page through an "
            f"interleaved TensorAccessor), got {memory_config}"
        )


def _device_open(device) -> bool:
    return getattr(device, "is_open", True)


def validate(input_tensor, gamma, beta, epsilon, device=None, memory_config=None, compute_kernel_config=None):
    """Raise ValueError for anything the kernels cannot handle; touches no device state. Returns the
    resolved (device, output memory config, compute settings)."""
    if not isinstance(input_tensor, ttnn.Tensor):
        got = type(input_tensor).__name__
        raise ValueError(f"{OP}: input_tensor must be a ttnn.Tensor, got {got}")  # noqa: TRY004
    rank = len(input_tensor.shape)
    if rank < 2:
        raise ValueError(f"{OP}: input must have rank >= 2, got rank {rank}")
    dtype = input_tensor.dtype
    if dtype not in _DTYPES:
        raise ValueError(f"{OP}: input must be bfloat16 or float32, got {dtype}")
    if input_tensor.layout != ttnn.ROW_MAJOR_LAYOUT:
        raise ValueError(f"{OP}: input must be ROW_MAJOR_LAYOUT, got {input_tensor.layout}")
    h, w = input_tensor.shape[-2], input_tensor.shape[-1]
    if h % 32 or w % 32 or h == 0 or w == 0:
        raise ValueError(f"{OP}: the last two dims must be positive multiples of 32, got H={h}, W={w}")
    own = input_tensor.device()
    if own is None:
        raise ValueError(f"{OP}: input_tensor must be on a device (DRAM or L1), got a host tensor")
    if device is not None and device is not own:
        raise ValueError(f"{OP}: device {device} is not the input's device {own}")
    if not _device_open(own):
        raise ValueError(f"{OP}: the input's device is closed")
    _check_on_device(input_tensor, "input_tensor", own)
    _check_affine(gamma, "gamma", w, dtype, own)
    _check_affine(beta, "beta", w, dtype, own)
    _check_epsilon(epsilon, dtype)
    memory_config = input_tensor.memory_config() if memory_config is None else memory_config
    _check_memory_config(memory_config)
    try:
        settings = ComputeSettings.resolve(compute_kernel_config, dtype)
    except ValueError as e:
        raise ValueError(f"{OP}: {e}") from None
    return own, memory_config, settings


def layer_norm_rm(
    input_tensor: ttnn.Tensor,
    gamma: ttnn.Tensor = None,
    beta: ttnn.Tensor = None,
    *,
    epsilon: float = 1e-5,
    device=None,
    memory_config: ttnn.MemoryConfig | None = None,
    compute_kernel_config: ttnn.WormholeComputeKernelConfig | None = None,
) -> ttnn.Tensor:
    """LayerNorm over the last dim: ``(x - mean) / sqrt(var + epsilon) * gamma + beta`` (population var)."""
    device, memory_config, settings = validate(
        input_tensor, gamma, beta, epsilon, device, memory_config, compute_kernel_config
    )
    # The L1 budget check, before anything is allocated; an L1 output takes its share of every core's L1.
    plan_for(input_tensor, gamma, beta, settings, output_l1_bytes_per_bank(input_tensor, memory_config))
    output = ttnn.allocate_tensor_on_device(
        ttnn.Shape(list(input_tensor.shape)),
        input_tensor.dtype,
        ttnn.ROW_MAJOR_LAYOUT,
        device,
        memory_config,
    )
    program = create_program_descriptor(
        input_tensor, gamma, beta, output, epsilon=float(epsilon), settings=settings
    )
    io_tensors = [input_tensor] + [t for t in (gamma, beta) if t is not None] + [output]
    return ttnn.generic_op(io_tensors, program)
