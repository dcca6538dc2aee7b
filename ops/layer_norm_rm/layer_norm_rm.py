"""Entry point of ``layer_norm_rm``: validation, output allocation, launch.

Contract: ``layer_norm_rm(input_tensor, gamma=None, beta=None, *, epsilon=1e-5)``. The input is a bfloat16
ROW_MAJOR DRAM tensor whose last two dims are multiples of 32; gamma/beta are (1, 1, 1, W) bfloat16
ROW_MAJOR. Every check runs before anything touches the device, and tilize/untilize happen in the kernels.
"""

from __future__ import annotations

import math
import numbers

import ttnn

from .layer_norm_rm_program_descriptor import create_program_descriptor, plan_for


def _check_interleaved_dram(tensor: ttnn.Tensor, name: str) -> None:
    if tensor.device() is None:
        raise ValueError(f"layer_norm_rm: {name} must be on a device (DRAM), got a host tensor")
    mc = tensor.memory_config()
    if mc.buffer_type != ttnn.BufferType.DRAM or mc.memory_layout != ttnn.TensorMemoryLayout.INTERLEAVED:
        raise ValueError(f"layer_norm_rm: {name} must be DRAM interleaved, got {mc}")


def _check_affine(param, name: str, width: int) -> None:
    if param is None:
        return
    if not isinstance(param, ttnn.Tensor):
        raise ValueError(f"layer_norm_rm: {name} must be a ttnn.Tensor or None, got {type(param).__name__}")  # noqa: TRY004 (contract: ValueError)
    if param.dtype != ttnn.bfloat16:
        raise ValueError(f"layer_norm_rm: {name} must be bfloat16, got {param.dtype}")
    if param.layout != ttnn.ROW_MAJOR_LAYOUT:
        raise ValueError(f"layer_norm_rm: {name} must be ROW_MAJOR_LAYOUT, got {param.layout}")
    shape = list(param.shape)
    if shape[-1] != width:
        raise ValueError(f"layer_norm_rm: {name} last dim {shape[-1]} != input width {width}")
    if math.prod(shape[:-1]) != 1:
        raise ValueError(f"layer_norm_rm: {name} must have shape (1, 1, 1, W), got {tuple(shape)}")
    _check_interleaved_dram(param, name)


def validate(input_tensor, gamma, beta, epsilon) -> None:
    """Raise ValueError for anything the kernels cannot handle; touches no device state."""
    if not isinstance(input_tensor, ttnn.Tensor):
        got = type(input_tensor).__name__
        raise ValueError(f"layer_norm_rm: input_tensor must be a ttnn.Tensor, got {got}")  # noqa: TRY004
    rank = len(input_tensor.shape)
    if rank < 2:
        raise ValueError(f"layer_norm_rm: input must have rank >= 2, got rank {rank}")
    if input_tensor.dtype != ttnn.bfloat16:
        raise ValueError(f"layer_norm_rm: input must be bfloat16, got {input_tensor.dtype}")
    if input_tensor.layout != ttnn.ROW_MAJOR_LAYOUT:
        raise ValueError(f"layer_norm_rm: input must be ROW_MAJOR_LAYOUT, got {input_tensor.layout}")
    h, w = input_tensor.shape[-2], input_tensor.shape[-1]
    if h % 32 or w % 32 or h == 0 or w == 0:
        raise ValueError(
            f"layer_norm_rm: the last two dims must be positive multiples of 32, got H={h}, W={w}"
        )
    _check_interleaved_dram(input_tensor, "input_tensor")
    _check_affine(gamma, "gamma", w)
    _check_affine(beta, "beta", w)
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real):
        raise ValueError(f"layer_norm_rm: epsilon must be a float, got {type(epsilon).__name__}")  # noqa: TRY004 (contract: ValueError)
    if not math.isfinite(epsilon) or epsilon < 0:
        raise ValueError(f"layer_norm_rm: epsilon must be finite and >= 0, got {epsilon}")


def layer_norm_rm(
    input_tensor: ttnn.Tensor,
    gamma: ttnn.Tensor = None,
    beta: ttnn.Tensor = None,
    *,
    epsilon: float = 1e-5,
) -> ttnn.Tensor:
    """LayerNorm over the last dim: ``(x - mean) / sqrt(var + epsilon) * gamma + beta`` (population var)."""
    validate(input_tensor, gamma, beta, epsilon)
    plan_for(input_tensor, gamma, beta)  # the L1 budget check, before anything is allocated
    output = ttnn.allocate_tensor_on_device(
        ttnn.Shape(list(input_tensor.shape)),
        ttnn.bfloat16,
        ttnn.ROW_MAJOR_LAYOUT,
        input_tensor.device(),
        ttnn.DRAM_MEMORY_CONFIG,
    )
    program = create_program_descriptor(input_tensor, gamma, beta, output, epsilon=float(epsilon))
    io_tensors = [input_tensor] + [t for t in (gamma, beta) if t is not None] + [output]
    return ttnn.generic_op(io_tensors, program)
