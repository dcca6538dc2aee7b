"""A NumPy interpreter of the legacy NKI subset (NKI 0.1.0, ``neuronxcc.nki``) used by the norm kernels.

It runs a kernel eagerly on the CPU with NKI's documented semantics and rejects what NKI rejects, with
errors that say which rule was broken:

* on-chip tiles (SBUF / PSUM): dim 0 is the partition dim, at most ``pmax`` = 128; a tile may use at
  most 192 KiB per SBUF partition (trn1) or 2 KiB per PSUM partition (one bank, 512 fp32);
* ``nl.load`` reads only HBM, ``nl.store`` writes only HBM, compute ops take only on-chip tiles, and
  kernel outputs must be allocated with ``buffer=nl.shared_hbm``;
* ``mask=``: masked-out elements are never read or written; an unmasked index outside the HBM tensor is
  an error; values derived from masked-out (undefined) elements are tracked and storing one is an error;
* HBM tensors are indexed with index expressions of at least two dims (``nl.arange(n)[:, None]``,
  ``[None, :]``), never a bare 1-D ``nl.arange``;
* reductions run over free axes only (trailing, contiguous); ``keepdims=True`` keeps them as size-1 dims,
  ``keepdims=False`` removes them (a reduction that would leave a 1-D tile is rejected: use keepdims);
* math is fp32; results are rounded to the result dtype (the input dtype unless ``dtype=``; bf16 and
  fp32 promote to fp32; a Python float operand counts as fp32, a Python int keeps the tile's dtype).

Not modelled: engine scheduling, SBUF/PSUM total capacity across live tiles, hardware activation
approximations (``rsqrt`` here is exact).
"""

from __future__ import annotations

import functools
import math
from types import SimpleNamespace

import numpy as np

PMAX = 128
SBUF_PARTITION_BYTES = 192 * 1024
PSUM_PARTITION_BYTES = 2 * 1024
_SIZES = {"float32": 4, "float16": 2, "bfloat16": 2}
float32, float16, bfloat16 = "float32", "float16", "bfloat16"


class NKIError(ValueError):
    """A kernel broke an NKI rule (the real compiler or simulator would reject it)."""


def _round(values: np.ndarray, dtype: str) -> np.ndarray:
    """Round fp32 values to `dtype` (round-to-nearest-even) and return them as fp32."""
    v = np.asarray(values, dtype=np.float32)
    if dtype == float32:
        return v
    if dtype == float16:
        return v.astype(np.float16).astype(np.float32)
    if dtype == bfloat16:
        bits = v.view(np.uint32).astype(np.uint64)
        rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
        out = rounded.astype(np.uint32).view(np.float32)
        return np.where(np.isnan(v), v, out)
    raise NKIError(f"unsupported dtype {dtype!r}; the norm subset supports float32, float16, bfloat16")


def _dtype_name(d) -> str:
    name = getattr(d, "name", None) or str(d)
    name = {"float": float32, "np.float32": float32}.get(name, name)
    if name not in _SIZES:
        raise NKIError(f"unsupported dtype {d!r}; the norm subset supports float32, float16, bfloat16")
    return name


def _promote(a: str, b: str) -> str:
    return a if a == b else float32


# ----------------------------------------------------------------------------------------------------
# HBM tensors and access patterns


class HBMTensor:
    """A device-memory tensor: a kernel argument or an ``nl.ndarray(..., buffer=nl.shared_hbm)``."""

    def __init__(self, values: np.ndarray, dtype: str, buffer: str = "shared_hbm"):
        self.values = values  # fp32 storage holding dtype-representable values
        self.dtype = dtype
        self.buffer = buffer

    @property
    def shape(self):
        return self.values.shape

    def reshape(self, shape):
        if math.prod(shape) != self.values.size:
            raise NKIError(f"cannot reshape HBM tensor of shape {self.shape} to {tuple(shape)}")
        return HBMTensor(self.values.reshape(shape), self.dtype, self.buffer)

    def __getitem__(self, idx):
        return AccessPattern(self, idx)

    def _no_compute(self, *_):
        raise NKIError("compute ops take on-chip tiles; nl.load the HBM tensor into SBUF first")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = _no_compute


class AccessPattern:
    """``hbm_tensor[index expressions]``: resolved to an index grid by nl.load / nl.store."""

    def __init__(self, tensor: HBMTensor, idx):
        self.tensor = tensor
        self.idx = idx if isinstance(idx, tuple) else (idx,)

    def grid(self):
        shape = self.tensor.shape
        if len(self.idx) != len(shape):
            raise NKIError(f"index has {len(self.idx)} dims but the tensor has {len(shape)} ({shape})")
        parts = []
        for k, (ix, n) in enumerate(zip(self.idx, shape)):
            if isinstance(ix, slice):
                ix = np.arange(*ix.indices(n)).reshape([-1 if j == k else 1 for j in range(len(shape))])
            ix = np.asarray(ix)
            if ix.ndim == 1 and len(shape) > 1:
                raise NKIError(
                    f"index {k} is a 1-D nl.arange; NKI indexes tiles with 2-D index expressions: "
                    "use nl.arange(n)[:, None] for the partition dim and nl.arange(n)[None, :] for a free dim"
                )
            parts.append(ix)
        try:
            return np.broadcast_arrays(*parts)
        except ValueError as exc:
            raise NKIError(f"index expressions do not broadcast together: {exc}") from exc


def _mask_array(mask, shape):
    if mask is None:
        return np.ones(shape, dtype=bool)
    m = np.asarray(mask, dtype=bool)
    try:
        return np.broadcast_to(m, shape)
    except ValueError as exc:
        raise NKIError(f"mask of shape {m.shape} does not broadcast to the tile shape {shape}") from exc


def _check_tile_shape(shape, dtype: str, buffer: str):
    if len(shape) < 2:
        raise NKIError(f"on-chip tiles need >= 2 dims (partition, free...), got shape {tuple(shape)}")
    if shape[0] > PMAX:
        raise NKIError(
            f"partition dim {shape[0]} exceeds nl.tile_size.pmax = {PMAX} (tile shape {tuple(shape)})"
        )
    per_part = math.prod(shape[1:]) * _SIZES[dtype]
    limit = PSUM_PARTITION_BYTES if buffer == "psum" else SBUF_PARTITION_BYTES
    if per_part > limit:
        raise NKIError(
            f"{buffer} tile {tuple(shape)} {dtype} needs {per_part} bytes per partition; "
            f"a {buffer} partition holds {limit} bytes"
        )


# ----------------------------------------------------------------------------------------------------
# On-chip tiles


class Tile:
    """An SBUF/PSUM tile: fp32 storage of `dtype` values plus a mask of defined elements."""

    def __init__(self, values, dtype: str, valid=None, buffer: str = "sbuf"):
        values = np.asarray(values, dtype=np.float32)
        _check_tile_shape(values.shape, dtype, buffer)
        self.values = _round(values, dtype)
        self.dtype = dtype
        self.valid = (
            np.ones(values.shape, bool) if valid is None else np.broadcast_to(valid, values.shape).copy()
        )
        self.buffer = buffer

    @property
    def shape(self):
        return self.values.shape

    def broadcast_to(self, shape):
        try:
            values, valid = np.broadcast_to(self.values, shape), np.broadcast_to(self.valid, shape)
        except ValueError as exc:
            raise NKIError(f"cannot broadcast tile {self.shape} to {tuple(shape)}") from exc
        return Tile(values, self.dtype, valid)  # the result is an SBUF tile

    def __setitem__(self, idx, other):
        if idx is not Ellipsis:
            raise NKIError("the norm subset assigns whole tiles only (tile[...] = value)")
        src = other if isinstance(other, Tile) else Tile(np.full(self.shape, other, np.float32), self.dtype)
        if src.shape != self.shape:
            raise NKIError(f"cannot assign a {src.shape} tile to a {self.shape} tile")
        self.values = _round(src.values, self.dtype)
        self.valid = src.valid.copy()

    def __add__(self, o):
        return add(self, o)

    def __radd__(self, o):
        return add(o, self)

    def __sub__(self, o):
        return subtract(self, o)

    def __rsub__(self, o):
        return subtract(o, self)

    def __mul__(self, o):
        return multiply(self, o)

    def __rmul__(self, o):
        return multiply(o, self)

    def __truediv__(self, o):
        return divide(self, o)


def _operand(a):
    """(fp32 values, dtype-or-None for weak scalars, valid mask) of a tile or scalar operand."""
    if isinstance(a, Tile):
        return a.values, a.dtype, a.valid
    if isinstance(a, (HBMTensor, AccessPattern)):
        raise NKIError("compute ops take on-chip tiles; nl.load the HBM tensor into SBUF first")
    if isinstance(a, bool) or not isinstance(a, (int, float, np.floating, np.integer)):
        raise NKIError(f"unsupported operand {type(a).__name__}")
    weak = None if isinstance(a, (int, np.integer)) else float32  # Python float counts as fp32
    return np.float32(a), weak, True


def _elementwise(fn, *operands, dtype=None, mask=None):
    vals, dts, valids = zip(*(_operand(o) for o in operands))
    tile_dts = [d for o, d in zip(operands, dts) if isinstance(o, Tile)]
    if not tile_dts:
        raise NKIError("an element-wise op needs at least one tile operand")
    result_dt = functools.reduce(_promote, [d for d in dts if d is not None])
    if dtype is not None:
        result_dt = _dtype_name(dtype)
    with np.errstate(all="ignore"):
        out = fn(*[np.asarray(v, np.float32) for v in vals]).astype(np.float32)
    valid = functools.reduce(np.logical_and, [np.broadcast_to(v, out.shape) for v in valids])
    if mask is not None:
        # Masked-out elements are not computed: in a fresh result tile they are undefined.
        valid = valid & _mask_array(mask, out.shape)
    return Tile(out, result_dt, valid)


def add(a, b, dtype=None, mask=None):
    return _elementwise(np.add, a, b, dtype=dtype, mask=mask)


def subtract(a, b, dtype=None, mask=None):
    return _elementwise(np.subtract, a, b, dtype=dtype, mask=mask)


def multiply(a, b, dtype=None, mask=None):
    return _elementwise(np.multiply, a, b, dtype=dtype, mask=mask)


def divide(a, b, dtype=None, mask=None):
    return _elementwise(np.divide, a, b, dtype=dtype, mask=mask)


def square(x, dtype=None, mask=None):
    return _elementwise(np.square, x, dtype=dtype, mask=mask)


def rsqrt(x, dtype=None, mask=None):
    """1 / sqrt(x): NKI's rsqrt has no epsilon, add it first."""
    return _elementwise(lambda v: 1.0 / np.sqrt(v), x, dtype=dtype, mask=mask)


def sqrt(x, dtype=None, mask=None):
    return _elementwise(np.sqrt, x, dtype=dtype, mask=mask)


def _reduce(fn, x, axis, dtype, keepdims, mask):
    if not isinstance(x, Tile):
        _operand(x)
        raise NKIError("reductions take a tile")
    axes = [axis] if isinstance(axis, int) else list(axis)
    nd = len(x.shape)
    axes = sorted(a % nd for a in axes)
    if 0 in axes:
        raise NKIError("reductions run over free axes only; axis 0 is the partition axis")
    if axes != list(range(axes[0], nd)):
        raise NKIError(f"reduction axes {axes} must be the trailing free axes, contiguous")
    if mask is not None:
        raise NKIError("masked reductions are outside the interpreted subset; mask the load and store")
    if not keepdims and nd - len(axes) < 2:
        raise NKIError(
            f"reducing axes {axes} of a {nd}-D tile without keepdims leaves a 1-D tile (on-chip tiles need "
            "a partition and a free dim); pass keepdims=True to get a (P, 1) tile that broadcasts along "
            "the free axis"
        )
    out = fn(x.values.astype(np.float32), axis=tuple(axes), keepdims=keepdims)
    # A row reduced over any undefined element is undefined.
    row_valid = x.valid.all(axis=tuple(axes), keepdims=keepdims)
    return Tile(out, _dtype_name(dtype) if dtype is not None else x.dtype, row_valid)


def sum(x, axis, dtype=None, keepdims=False, mask=None):
    return _reduce(np.sum, x, axis, dtype, keepdims, mask)


def mean(x, axis, dtype=None, keepdims=False, mask=None):
    return _reduce(np.mean, x, axis, dtype, keepdims, mask)


# ----------------------------------------------------------------------------------------------------
# Memory


def ndarray(shape, dtype, buffer=None):
    buffer = buffer or "sbuf"
    dt = _dtype_name(dtype)
    if buffer in ("shared_hbm", "hbm", "private_hbm"):
        return HBMTensor(np.full(tuple(shape), np.nan, np.float32), dt, buffer)
    if buffer in ("sbuf", "psum"):
        # New on-chip allocations are undefined until written.
        return Tile(np.full(tuple(shape), np.nan, np.float32), dt, np.zeros(tuple(shape), bool), buffer)
    raise NKIError(f"unknown buffer {buffer!r}")


def zeros(shape, dtype, buffer=None):
    t = ndarray(shape, dtype, buffer)
    if isinstance(t, Tile):
        t.values[...] = 0.0
        t.valid[...] = True
    else:
        t.values[...] = 0.0
    return t


def load(src, mask=None, dtype=None):
    if isinstance(src, Tile):
        raise NKIError("nl.load reads HBM; this is already an on-chip tile")
    if isinstance(src, HBMTensor):
        src = src[tuple(slice(None) for _ in src.shape)]
    if not isinstance(src, AccessPattern):
        raise NKIError(f"nl.load needs an HBM tensor or an indexed HBM tensor, got {type(src).__name__}")
    grid = src.grid()
    shape = grid[0].shape
    m = _mask_array(mask, shape)
    dt = _dtype_name(dtype) if dtype is not None else src.tensor.dtype
    _check_tile_shape(shape, dt, "sbuf")
    for k, (ix, n) in enumerate(zip(grid, src.tensor.shape)):
        bad = m & ((ix < 0) | (ix >= n))
        if bad.any():
            raise NKIError(
                f"nl.load reads index {int(ix[bad].flat[0])} of dim {k} (size {n}) outside the "
                "tensor; mask the out-of-range rows/columns"
            )
    out = np.full(shape, np.nan, np.float32)
    sel = tuple(ix[m] for ix in grid)
    out[m] = src.tensor.values[sel]
    return Tile(out, dt, m)


def store(dst, value, mask=None):
    if isinstance(dst, Tile):
        raise NKIError("nl.store writes HBM; the destination is an on-chip tile")
    if isinstance(dst, HBMTensor):
        dst = dst[tuple(slice(None) for _ in dst.shape)]
    if not isinstance(dst, AccessPattern):
        raise NKIError(f"nl.store needs an indexed HBM tensor, got {type(dst).__name__}")
    if not isinstance(value, Tile):
        raise NKIError("nl.store's value must be an on-chip tile")
    grid = dst.grid()
    shape = grid[0].shape
    m = _mask_array(mask, shape)
    try:
        vals = np.broadcast_to(value.values, shape)
        valid = np.broadcast_to(value.valid, shape)
    except ValueError as exc:
        raise NKIError(f"value tile {value.shape} does not match the store pattern {shape}") from exc
    for k, (ix, n) in enumerate(zip(grid, dst.tensor.shape)):
        bad = m & ((ix < 0) | (ix >= n))
        if bad.any():
            raise NKIError(
                f"nl.store writes index {int(ix[bad].flat[0])} of dim {k} (size {n}) outside the "
                "tensor; mask the out-of-range rows/columns"
            )
    if (m & ~valid).any():
        raise NKIError(
            "nl.store writes undefined data (derived from masked-out or unwritten elements); "
            "use the same mask on the store"
        )
    sel = tuple(ix[m] for ix in grid)
    dst.tensor.values[sel] = _round(vals[m], dst.tensor.dtype)


def arange(*args):
    return np.arange(*args)


def affine_range(*args):
    return range(*args)


sequential_range = static_range = affine_range


def par_dim(n):
    return n


tile_size = SimpleNamespace(
    pmax=PMAX, psum_fmax=512, gemm_stationary_fmax=128, gemm_moving_fmax=512, bn_stats_fmax=512
)
sbuf, psum, hbm, shared_hbm, private_hbm = "sbuf", "psum", "hbm", "shared_hbm", "private_hbm"


# ----------------------------------------------------------------------------------------------------
# Kernel entry


def _to_hbm(a):
    if isinstance(a, np.ndarray):
        name = a.dtype.name
        if name not in _SIZES:
            raise NKIError(f"kernel arrays must be float32, float16 or bfloat16, got {a.dtype}")
        return HBMTensor(a.astype(np.float32), name)
    return a


def _from_hbm(t):
    if not isinstance(t, HBMTensor) or t.buffer != "shared_hbm":
        raise NKIError(
            "kernel outputs must be allocated with nl.ndarray(..., buffer=nl.shared_hbm) and returned"
        )
    if t.dtype == bfloat16:
        try:
            import ml_dtypes

            return t.values.astype(ml_dtypes.bfloat16)
        except ImportError:
            return t.values.copy()  # bf16-rounded values held in fp32
    return t.values.astype(t.dtype)


def simulate_kernel(kernel, *args, **kwargs):
    """Run `kernel` on NumPy arrays (HBM inputs); returns its output(s) as NumPy arrays."""
    fn = getattr(kernel, "func", kernel)
    out = fn(*[_to_hbm(a) for a in args], **kwargs)
    return tuple(_from_hbm(o) for o in out) if isinstance(out, tuple) else _from_hbm(out)


class _Jit:
    def __init__(self, func, **options):
        self.func = func
        self.options = options
        functools.update_wrapper(self, func)

    def __call__(self, *args, **kwargs):
        return simulate_kernel(self, *args, **kwargs)


def jit(func=None, **options):
    """``@nki.jit`` / ``@nki.jit(mode=...)``: calling the kernel with NumPy arrays simulates it."""
    if func is None:
        return lambda f: _Jit(f, **options)
    return _Jit(func, **options)


# The two namespaces kernels import: ``nki`` (jit, simulate_kernel) and ``nki.language`` as ``nl``.
nki = SimpleNamespace(jit=jit, simulate_kernel=simulate_kernel)
language = SimpleNamespace(
    **{
        name: globals()[name]
        for name in (
            "add",
            "subtract",
            "multiply",
            "divide",
            "square",
            "rsqrt",
            "sqrt",
            "sum",
            "mean",
            "ndarray",
            "zeros",
            "load",
            "store",
            "arange",
            "affine_range",
            "sequential_range",
            "static_range",
            "par_dim",
            "tile_size",
            "sbuf",
            "psum",
            "hbm",
            "shared_hbm",
            "private_hbm",
            "float32",
            "float16",
            "bfloat16",
        )
    }
)
