"""The emulator's compute numerics as a small standalone library (the ``emu_test_*`` C ABI of
runtime/src/compute/test_abi.cpp), for unit tests that need no kernel, CB or thread, plus salted random inputs."""

from __future__ import annotations

import ctypes
import subprocess
from pathlib import Path

import numpy as np

from tests.emulator import oracles as O

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "emulator" / "runtime"
SOURCES = [
    "dest",
    "elwise",
    "mvmul",
    "srcreg",
    "pack",
    "elwise_tile",
    "reduce",
    "matmul",
    "test_abi",
]
F32P = ctypes.POINTER(ctypes.c_float)
U16P = ctypes.POINTER(ctypes.c_uint16)
U32P = ctypes.POINTER(ctypes.c_uint32)

FMT = {"bf16": 0, "fp32": 1}
OPS = {"mul": 0, "add": 2, "sub": 3}
BCAST = {"none": 0, "col": 1, "row": 2, "scalar": 3}
POOLS = {"sum": 0, "avg": 1, "max": 2}
DIMS = {"row": 0, "col": 1, "scalar": 2}


def build(out_dir: Path) -> ctypes.CDLL:
    out = out_dir / "libcompute_numerics.so"
    srcs = [str(RUNTIME / "src" / "compute" / f"{s}.cpp") for s in SOURCES]
    cmd = ["g++", "-std=c++20", "-O2", "-fPIC", "-shared", f"-I{RUNTIME / 'include'}", "-o", str(out), *srcs]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return ctypes.CDLL(str(out))


def _f32(u) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(u, np.uint32)).view(np.float32)


def _p(a, t):
    return a.ctypes.data_as(t)


def storage(tile: np.ndarray) -> np.ndarray:
    """32×32 row-major uint32 tile → storage (face) order."""
    return O.tilize(tile.view(np.float32))[0].view(np.uint32).copy()


def logical(flat: np.ndarray) -> np.ndarray:
    return O.untilize(np.asarray(flat).view(np.float32)[None, :]).view(np.uint32).copy()


# ---- wrappers: uint32 bit patterns in and out -------------------------------------------------------------------
def to_src(lib, u, fmt, fp32_dest):
    x = _f32(u).ravel().copy()
    out = np.empty_like(x)
    lib.emu_test_to_src(_p(x, F32P), _p(out, F32P), len(x), FMT[fmt], int(fp32_dest))
    return out.view(np.uint32)


def datacopy(lib, u, fmt, fp32_dest):
    x = _f32(u).ravel().copy()
    out = np.empty_like(x)
    lib.emu_test_datacopy(_p(x, F32P), _p(out, F32P), len(x), FMT[fmt], int(fp32_dest))
    return out.view(np.uint32)


def pack_bf16(lib, u):
    x = _f32(u).ravel().copy()
    out = np.empty(len(x), np.uint16)
    lib.emu_test_pack_bf16(_p(x, F32P), _p(out, U16P), len(x))
    return out


def pack_fp32(lib, u, fp32_dest):
    x = _f32(u).ravel().copy()
    out = np.empty(len(x), np.uint32)
    lib.emu_test_pack_fp32(_p(x, F32P), _p(out, U32P), len(x), int(fp32_dest))
    return out


def binary(
    lib,
    op,
    a,
    b,
    *,
    fmt_a="bf16",
    fmt_b="bf16",
    fidelity=4,
    fp32_dest=False,
    bcast="none",
    row=0,
    dst=None,
    acc=False,
):
    """32×32 tiles of L1 bits in, the DEST tile's bits out (logical order)."""
    fa, fb = _f32(storage(a)), _f32(storage(b))
    d = _f32(storage(dst) if dst is not None else np.zeros(1024, np.uint32)).copy()
    lib.emu_test_binary_tile(
        _p(fa, F32P),
        _p(fb, F32P),
        _p(d, F32P),
        OPS[op],
        BCAST[bcast],
        row,
        FMT[fmt_a],
        FMT[fmt_b],
        fidelity,
        int(fp32_dest),
        int(acc),
    )
    return logical(d.view(np.uint32))


def reduce(lib, pool, dim, data, scaler, *, fmt="bf16", fidelity=4, fp32_dest=False, dst=None, had=False):
    fd, fs = _f32(storage(data)), _f32(storage(scaler))
    d = _f32(storage(dst) if dst is not None else np.zeros(1024, np.uint32)).copy()
    lib.emu_test_reduce_tile(
        _p(fd, F32P),
        _p(fs, F32P),
        _p(d, F32P),
        POOLS[pool],
        DIMS[dim],
        int(had),
        FMT[fmt],
        fidelity,
        int(fp32_dest),
    )
    return logical(d.view(np.uint32))


def matmul(lib, in0, in1, *, fmt="bf16", fidelity=4, fp32_dest=False, dst=None):
    f0, f1 = _f32(storage(in0)), _f32(storage(in1))
    d = _f32(storage(dst) if dst is not None else np.zeros(1024, np.uint32)).copy()
    lib.emu_test_matmul_tile(_p(f0, F32P), _p(f1, F32P), _p(d, F32P), FMT[fmt], fidelity, int(fp32_dest))
    return logical(d.view(np.uint32))


# ---- salted random inputs ----------------------------------------------------------------------------------------
SPECIALS = np.array(
    [
        0x00000000,
        0x80000000,
        0x7F800000,
        0xFF800000,
        0x7FC00000,
        0xFFC00000,
        0x7F800001,  # ±0, ±Inf, NaNs
        0x00010000,
        0x80400000,
        0x007F0000,
        0x00000001,  # denormals (bf16 and fp32-only)
        0x00800000,
        0x80800000,
        0x7F7F0000,
        0xFF7F0000,  # smallest and largest normals
        0x3F808000,
        0x3F818000,
        0xBF808000,
        0x3F801000,
    ],  # bf16 and TF32 ties
    np.uint32,
)


def salted(rng, shape, fmt="bf16", *, salt=0.1, spread=8) -> np.ndarray:
    """Random normal values scaled by 2**U(-spread, spread), with a fraction `salt` replaced by special values
    and values 2**±(40..120) away (huge exponent gaps); uint32 bits, truncated to bf16 for bf16 data."""
    n = int(np.prod(shape))
    x = rng.standard_normal(n) * np.exp2(rng.integers(-spread, spread + 1, n))
    u = x.astype(np.float32).view(np.uint32)
    pick = rng.random(n)
    specials = SPECIALS[rng.integers(0, len(SPECIALS), n)]
    u = np.where(pick < salt / 2, specials, u)
    far = (rng.standard_normal(n) * np.exp2(rng.choice([-1, 1], n) * rng.integers(40, 121, n))).astype(
        np.float32
    )
    u = np.where((pick >= salt / 2) & (pick < salt), far.view(np.uint32), u)
    if fmt == "bf16":
        u = u & np.uint32(0xFFFF0000)
    return u.reshape(shape).astype(np.uint32)


def ties(rng, shape) -> np.ndarray:
    """bf16 pairs whose sums and products land on rounding ties: small integers times powers of two."""
    n = int(np.prod(shape))
    x = rng.integers(-255, 256, n) * np.exp2(rng.integers(-8, 9, n))
    return (x.astype(np.float32).view(np.uint32) & np.uint32(0xFFFF0000)).reshape(shape)


def transpose(lib, u, fmt, fp32_dest):
    f = _f32(storage(u))
    out = np.empty(1024, np.float32)
    lib.emu_test_transpose(_p(f, F32P), _p(out, F32P), FMT[fmt], int(fp32_dest))
    return logical(out.view(np.uint32))
