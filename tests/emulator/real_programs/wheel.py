"""Where the wheel's kernels are, how factories lay work over cores, and how results are compared."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import torch
import ttnn

TILE = 32


@cache
def package_dir() -> Path:
    spec = importlib.util.find_spec("ttnn")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent


def kernel(rel: str) -> str:
    """Absolute path of a kernel shipped in the wheel, from its tt-metal-relative path (ttnn/cpp/...)."""
    path = package_dir() / rel
    if not path.is_file():
        raise FileNotFoundError(f"the installed ttnn wheel has no kernel {rel}")
    return str(path)


def op_kernel(op_dir: str, name: str) -> str:
    """A kernel under ttnn/cpp/ttnn/operations/<op_dir>/."""
    return kernel(f"ttnn/cpp/ttnn/operations/{op_dir}/{name}")


def grid(device):
    return device.compute_with_storage_grid_size()


def cores_in_order(num_cores: int, grid_size, row_wise: bool = False) -> list[tuple[int, int]]:
    """tt-metal's grid_to_cores: the first num_cores of the grid, column by column unless row_wise."""
    nx, ny = grid_size.x, grid_size.y
    if row_wise:
        return [(i % nx, i // nx) for i in range(num_cores)]
    return [(i // ny, i % ny) for i in range(num_cores)]


def split(device, units: int, row_wise: bool = False):
    """split_work_to_cores over the device grid, with the cores in the order the factories walk them:
    (all_cores, core_group_1, core_group_2, [(core, units), ...])."""
    g = grid(device)
    num_cores, all_cores, g1, g2, n1, n2 = ttnn.split_work_to_cores(g, units, row_wise)
    g1_cores = g1.num_cores()
    order = cores_in_order(num_cores, g, row_wise)
    per_core = [(core, n1 if i < g1_cores else n2) for i, core in enumerate(order)]
    return all_cores, g1, g2, n1, n2, per_core


def core_range(x0: int, y0: int, x1: int, y1: int):
    return ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(x0, y0), ttnn.CoreCoord(x1, y1))])


def cb(index: int, dtype, page_size: int, pages: int, cores) -> ttnn.CBDescriptor:
    return ttnn.CBDescriptor(
        total_size=pages * page_size,
        core_ranges=cores,
        format_descriptors=[
            ttnn.CBFormatDescriptor(buffer_index=index, data_format=dtype, page_size=page_size)
        ],
    )


def tile_bytes(dtype) -> int:
    return {ttnn.bfloat16: 2048, ttnn.float32: 4096}[dtype]


def compute_config(*, fp32_dest_acc_en: bool = False, fidelity=None, approx: bool = False):
    cfg = ttnn.ComputeConfigDescriptor()
    cfg.math_fidelity = fidelity if fidelity is not None else ttnn.MathFidelity.HiFi4
    cfg.fp32_dest_acc_en = fp32_dest_acc_en
    cfg.math_approx_mode = approx
    return cfg


def to_device(t: torch.Tensor, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=None):
    return ttnn.from_torch(
        t, dtype=dtype, layout=layout, device=device, memory_config=ttnn.DRAM_MEMORY_CONFIG
    )


def empty(shape, dtype, layout, device):
    return ttnn.allocate_tensor_on_device(
        ttnn.Shape(list(shape)), dtype, layout, device, ttnn.DRAM_MEMORY_CONFIG
    )


def bf16_ulp(x: torch.Tensor) -> torch.Tensor:
    """Spacing of bfloat16 numbers at |x| (normal range; the smallest normal's spacing below it)."""
    a = x.abs().to(torch.float64).clamp_min(2.0**-126)
    return torch.exp2(torch.floor(torch.log2(a)) - 7)


def assert_close(got: torch.Tensor, ref: torch.Tensor, *, ulps: float = 0, atol: float = 0.0, what: str = ""):
    """|got - ref| <= ulps * bf16_ulp(ref) + atol everywhere; the message names the worst element."""
    got64 = got.to(torch.float64)
    ref64 = ref.to(torch.float64)
    assert got64.shape == ref64.shape, f"{what}: shape {tuple(got64.shape)} != {tuple(ref64.shape)}"
    assert torch.isfinite(got64).all(), f"{what}: non-finite output"
    err = (got64 - ref64).abs()
    bound = ulps * bf16_ulp(ref64) + atol
    bad = err > bound
    if bad.any():
        i = int(torch.argmax((err - bound).flatten()))
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {err.numel()} elements off; worst at flat index {i}: "
            f"got {got64.flatten()[i].item()!r}, want {ref64.flatten()[i].item()!r} "
            f"(allowed {bound.flatten()[i].item():.3g})"
        )
