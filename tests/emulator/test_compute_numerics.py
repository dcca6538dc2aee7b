"""Unit tests of the emulator's compute numerics (Level 1, tensix-semantics §2.5–§2.10) against the NumPy
oracles in ``oracles.py`` and fp64 references.

The numerics are called through the ``emu_test_*`` C ABI (runtime/src/compute/test_abi.cpp), built here
together with ``numerics.cpp`` into a small standalone library, so these tests need no kernel, CB or thread.

Protocol errors raised by the compute API (via ``emu::fail``; matched by the end-to-end tests), exact wording
with ``<…>`` for substituted parts:

* ``<call> called before compute_kernel_hw_startup: call compute_kernel_hw_startup(icb0, icb1, ocb) once at the
  start of the compute kernel, before any other compute API call``
* ``DEST index <i> is out of range: only <n> tiles are usable with fp32_dest_acc_en=<b> and
  dst_full_sync_en=<b>; use DEST indices 0..<n-1>``
* ``<call> writes DEST without tile_regs_acquire: call tile_regs_acquire() before math ops and
  tile_regs_commit() after them``
* ``<call> reads DEST without tile_regs_wait: after tile_regs_commit(), call tile_regs_wait() before packing
  and tile_regs_release() after``
* ``tile_regs_acquire called twice without tile_regs_commit: …``
* ``tile_regs_acquire would wait forever: no DEST section is free …``
* ``tile_regs_commit without tile_regs_acquire: MATH holds no DEST section to hand over``
* ``tile_regs_wait called twice without tile_regs_release: …``
* ``tile_regs_wait would wait forever: MATH has not committed a DEST section; …``
* ``tile_regs_release without tile_regs_wait: PACK holds no DEST section; …``
* ``release_dst without acquire_dst: …``
* ``<call> without its matching init: call <init> before it; <the current init is … (line n) | no FPU init>. …``
  (FPU ops: op type and broadcast kind; reduce_tile: pool type and dimension; copy_tile, tilize_block,
  untilize_block, pack_untilize_block)
* ``<call> without its SFPU init: call <init>() before it (the current SFPU init is <name>); …``
* ``recip_tile<…> does not match the last recip_tile_init<…>, whose constants are loaded; …``
* ``<call> after a reduce without reduce_uninit: the packer edge mask set by reduce_init is still active …``
* ``<call> while the packer is still in untilize mode: call pack_untilize_uninit(ocb) …``
* ``CB <cb> holds <fmt> data but the SrcA|SrcB unpacker is configured for <fmt> (set from CB <cb>); hardware would
  reinterpret the bytes. Call reconfig_data_format_srca|srcb(<cb>) (or reconfig_data_format) before this op``
* ``CB <cb> holds <fmt> data but the packer is configured for <fmt> (set from CB <cb>). Call
  pack_reconfig_data_format(<cb>) before packing into it``
* ``CB <cb> has data format <fmt>, which the emulator's compute path does not convert; …``
* ``tile <i> of CB <cb> (face <f>) was never written since the op started (uninitialised L1); …``
* ``<call> acquires and releases DEST itself, but the kernel still holds a DEST section; …``
* ``<call> is not implemented by the emulator; …``
"""

from __future__ import annotations

import ctypes
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.emulator import oracles as O

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "emulator" / "runtime"
F32P = ctypes.POINTER(ctypes.c_float)
F64P = ctypes.POINTER(ctypes.c_double)
U16P = ctypes.POINTER(ctypes.c_uint16)

LOFI, HIFI2, HIFI3, HIFI4 = 0, 2, 3, 4
MUL, ADD, SUB = 0, 2, 3
BCAST = {"none": 0, "col": 1, "row": 2, "scalar": 3}


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    out = tmp_path_factory.mktemp("numerics") / "libcompute_numerics.so"
    srcs = [RUNTIME / "src" / "compute" / "numerics.cpp", RUNTIME / "src" / "compute" / "test_abi.cpp"]
    cmd = [
        "g++",
        "-std=c++20",
        "-O2",
        "-fPIC",
        "-shared",
        f"-I{RUNTIME / 'include'}",
        "-o",
        str(out),
        *map(str, srcs),
    ]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return ctypes.CDLL(str(out))


def f32(x) -> np.ndarray:
    return np.ascontiguousarray(x, np.float32)


def ptr(a: np.ndarray, t):
    return a.ctypes.data_as(t)


def random_bf16(rng, n, scale=1.0) -> np.ndarray:
    return O.bf16_truncate(rng.standard_normal(n).astype(np.float32) * np.float32(scale))


# ---- C ABI wrappers -------------------------------------------------------------------------------------------
def c_to_src(lib, x, fp32_dest=True):
    x = f32(x).ravel()
    out = np.empty_like(x)
    lib.emu_test_to_src(ptr(x, F32P), ptr(out, F32P), len(x), int(fp32_dest))
    return out


def c_round_to_dest(lib, v, fp32_dest=False):
    v = np.ascontiguousarray(v, np.float64).ravel()
    out = np.empty(len(v), np.float32)
    lib.emu_test_round_to_dest(ptr(v, F64P), ptr(out, F32P), len(v), int(fp32_dest))
    return out


def c_pack_bf16(lib, x):
    x = f32(x).ravel()
    out = np.empty(len(x), np.uint16)
    lib.emu_test_pack_bf16(ptr(x, F32P), ptr(out, U16P), len(x))
    return out


def c_fidelity(lib, a, b, fid):
    a, b = f32(a).ravel(), f32(b).ravel()
    out = np.empty(len(a), np.float64)
    lib.emu_test_fidelity_product(ptr(a, F32P), ptr(b, F32P), ptr(out, F64P), len(a), fid)
    return out


def c_binary(lib, a_tile, b_tile, op, bcast, fid=HIFI4, fp32_dest=False, dst=None, acc=False):
    """Logical (32, 32) tiles in, logical tile out."""
    a = f32(O.tilize(a_tile)[0])
    b = f32(O.tilize(b_tile)[0])
    d = f32(O.tilize(dst)[0]) if dst is not None else np.zeros(1024, np.float32)
    lib.emu_test_binary_tile(
        ptr(a, F32P), ptr(b, F32P), ptr(d, F32P), op, BCAST[bcast], 0, fid, int(fp32_dest), int(acc)
    )
    return O.untilize(d[None, :])


def c_reduce(lib, data_tile, scaler, pool, dim, dst=None, had=False, fid=HIFI4, fp32_dest=False):
    d = f32(O.tilize(data_tile)[0])
    s = f32(O.tilize(scaler)[0])
    out = f32(O.tilize(dst)[0]) if dst is not None else np.zeros(1024, np.float32)
    pools = {"sum": 0, "avg": 1, "max": 2}
    dims = {"row": 0, "col": 1, "scalar": 2}
    lib.emu_test_reduce_tile(
        ptr(d, F32P), ptr(s, F32P), ptr(out, F32P), pools[pool], dims[dim], int(had), fid, int(fp32_dest)
    )
    return O.untilize(out[None, :])


def c_sfpu(lib, x, op, approx=False, fast=False, fp32_dest=True):
    x = f32(x).ravel()
    out = np.empty_like(x)
    lib.emu_test_sfpu(
        ptr(x, F32P),
        ptr(out, F32P),
        len(x),
        {"sqrt": 0, "rsqrt": 1, "recip": 2}[op],
        int(approx),
        int(fast),
        int(fp32_dest),
    )
    return out


# ---- tiles and faces -----------------------------------------------------------------------------------------
def test_face_index_matches_documented_formula(lib):
    for r in range(32):
        for c in range(32):
            expected = ((r // 16) * 2 + c // 16) * 256 + (r % 16) * 16 + c % 16
            assert lib.emu_test_face_index(r, c) == expected


def test_oracle_face_order_is_ttnns_host_tilize(rng):
    """The oracle's tile layout is the one ttnn's own host tilize writes (raw storage of a host TILE tensor), so the
    kernel-level tilize / pack_untilize tests below, checked against the oracle, check against ttnn's layout."""
    ttnn = pytest.importorskip("ttnn")
    import torch

    rows = f32(rng.standard_normal((32, 96)))
    host = ttnn.from_torch(torch.from_numpy(rows), dtype=ttnn.float32, layout=ttnn.TILE_LAYOUT)
    raw = np.asarray(host.host_buffer().get_shard(ttnn.MeshCoordinate(0, 0)).__array__()).view(np.float32)
    np.testing.assert_array_equal(raw.reshape(3, 1024), O.tilize(rows))
    # face starts: element (0, 16) opens face 1 (bf16 byte offset 0x200), (16, 0) face 2, (16, 16) face 3
    t = O.tilize(rows)[1]
    assert t[256] == rows[0, 32 + 16] and t[512] == rows[16, 32] and t[768] == rows[16, 48]
    np.testing.assert_array_equal(O.untilize(O.tilize(rows)), rows)


def test_scaler_tile_layout():
    s = O.scaler_tile(0.25)
    faces = O.tilize(s)[0].reshape(4, 16, 16)
    for f in range(4):
        assert np.all(faces[f, 0] == 0.25)
        assert np.all(faces[f, 1:] == 0)


# ---- conversions -------------------------------------------------------------------------------------------
def test_unpack_to_src_truncates_to_tf32(rng, lib):
    x = f32(rng.standard_normal(4096) * 100)
    out = c_to_src(lib, x)
    np.testing.assert_array_equal(O.bits(out), O.bits(x) & 0xFFFFE000)
    assert np.all(np.abs(out) <= np.abs(x))  # truncation, never rounding up
    bf = random_bf16(rng, 4096)
    np.testing.assert_array_equal(c_to_src(lib, bf), bf)  # bf16 is exact
    np.testing.assert_array_equal(O.bits(c_to_src(lib, [1e-40, -1e-40])), [0, 0x80000000])  # denormal flush
    # with a 16-bit DEST, float32 CBs unpack to bf16, also by truncation
    np.testing.assert_array_equal(O.bits(c_to_src(lib, x, fp32_dest=False)), O.bits(x) & 0xFFFF0000)


PACK_TABLE = [
    (0x3F808000, 0x3F81),  # 1 + 2^-8: exact tie, away from zero (RNE would give 0x3F80)
    (0xBF808000, 0xBF81),  # negative tie, away from zero in magnitude
    (0x3F818000, 0x3F82),  # tie with odd lsb
    (0x3F807FFF, 0x3F80),  # just below the tie
    (0x3F80FFFF, 0x3F81),
    (0x00400000, 0x0000),  # denormal flushes to +0
    (0x80400000, 0x0000),  # negative denormal → +0
    (0x80000000, 0x0000),  # −0 → +0
    (0x7FC00000, 0x7F80),  # NaN → +Inf
    (0xFFC00001, 0xFF80),  # −NaN → −Inf
    (0x7F800000, 0x7F80),  # Inf stays
    (0x7F7FFFFF, 0x7F80),  # rounds up into Inf
    (0x3F800000, 0x3F80),
]


@pytest.mark.parametrize("inp,expected", PACK_TABLE)
def test_pack_rounding_table(lib, inp, expected):
    x = O.from_bits(np.array([inp], np.uint32))
    assert int(c_pack_bf16(lib, x)[0]) == expected


def test_pack_random_matches_oracle(rng, lib):
    x = f32(rng.standard_normal(20000) * np.exp2(rng.integers(-20, 20, 20000)))
    np.testing.assert_array_equal(c_pack_bf16(lib, x), O.pack_bf16_bits(x))


def test_dest_rounding_is_ties_away_on_bf16_sums(rng, lib):
    a, b = random_bf16(rng, 50000), random_bf16(rng, 50000)
    exact = a.astype(np.float64) + b.astype(np.float64)
    got = c_round_to_dest(lib, exact)
    np.testing.assert_array_equal(got, O.bf16_ties_away(exact))
    # ~10% of exact bf16 sums sit on a tie, where ties-away and nearest-even differ (§2.7)
    rne = O.bf16_rne(exact.astype(np.float32))
    frac = np.mean(got != rne)
    assert 0.05 < frac < 0.16, frac
    np.testing.assert_array_equal(c_round_to_dest(lib, exact, fp32_dest=True), exact.astype(np.float32))


# ---- fidelity ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fid", [LOFI, HIFI2, HIFI3, HIFI4])
def test_fidelity_phases_match_oracle(rng, lib, fid):
    a = f32(rng.standard_normal(20000))  # fp32 data: exercises the TF32 bits beyond bf16 too
    b = f32(rng.standard_normal(20000))
    got = c_fidelity(lib, a, b, fid)
    np.testing.assert_array_equal(got, O.fidelity_product(O.to_src(a), O.to_src(b), fid))


def test_fidelity_error_statistics_table(rng, lib):
    """§2.8: relative error of bf16 × bf16 products before DEST rounding."""
    n = 100000
    a, b = random_bf16(rng, n), random_bf16(rng, n)
    exact = a.astype(np.float64) * b.astype(np.float64)
    stats = {}
    for fid in (LOFI, HIFI2, HIFI3, HIFI4):
        rel = np.abs(c_fidelity(lib, a, b, fid) - exact) / np.abs(exact)
        stats[fid] = (rel.max(), rel.mean(), np.mean(rel == 0))
    assert 0.05 < stats[LOFI][0] < 0.0625 and 0.018 < stats[LOFI][1] < 0.026 and 0.05 < stats[LOFI][2] < 0.075
    assert (
        0.0070 < stats[HIFI2][0] <= 2**-7
        and 0.0024 < stats[HIFI2][1] < 0.0032
        and 0.47 < stats[HIFI2][2] < 0.53
    )
    assert 2e-4 < stats[HIFI3][0] < 6e-4
    assert stats[HIFI4][0] == 0.0  # HiFi4 is exact for bf16 operands


def test_hifi4_drops_last_tf32_bit_of_srca(lib):
    a = O.from_bits(np.array([0x3F802000], np.uint32))  # 1 + 2^-10: only the last TF32 bit set
    b = np.array([1.0], np.float32)
    assert c_fidelity(lib, a, b, HIFI4)[0] == 1.0
    assert c_fidelity(lib, b, a, HIFI4)[0] == 1.0 + 2.0**-10  # SrcB keeps all 10 bits


# ---- element-wise ops and broadcasts -----------------------------------------------------------------------------
@pytest.mark.parametrize("bcast", ["none", "col", "row", "scalar"])
@pytest.mark.parametrize("op", [ADD, SUB, MUL])
@pytest.mark.parametrize("fp32_dest", [False, True])
def test_binary_with_broadcast(rng, lib, op, bcast, fp32_dest):
    a = random_bf16(rng, 1024).reshape(32, 32)
    b = random_bf16(rng, 1024).reshape(32, 32)
    got = c_binary(lib, a, b, op, bcast, HIFI4, fp32_dest)
    bb = O.broadcast_b(b, bcast).astype(np.float64)
    exact = {ADD: a + bb, SUB: a - bb, MUL: a * bb}[op]
    expected = exact.astype(np.float32) if fp32_dest else O.bf16_ties_away(exact)
    np.testing.assert_array_equal(got, expected)


def test_broadcast_face_handling(lib):
    """COL takes B's column 0 per row (faces 0 and 2 feed the left and right faces); ROW takes row 0 per column
    (faces 0 and 1 feed the top and bottom faces)."""
    a = np.zeros((32, 32), np.float32)
    b = np.arange(1024, dtype=np.float32).reshape(32, 32)
    col = c_binary(lib, a, b, ADD, "col", fp32_dest=True)
    assert np.all(col[20, :] == b[20, 0]) and np.all(col[3, :] == b[3, 0])
    row = c_binary(lib, a, b, ADD, "row", fp32_dest=True)
    assert np.all(row[:, 20] == b[0, 20]) and np.all(row[:, 3] == b[0, 3])


def test_mul_lofi_uses_5_and_7_bit_slices(rng, lib):
    a = random_bf16(rng, 1024).reshape(32, 32)
    b = random_bf16(rng, 1024).reshape(32, 32)
    got = c_binary(lib, a, b, MUL, "none", LOFI, fp32_dest=True)
    np.testing.assert_array_equal(got, O.fidelity_product(a, b, LOFI).astype(np.float32))


def test_mul_accumulates_into_dest_and_add_only_with_acc(rng, lib):
    a, b, d = (random_bf16(rng, 1024).reshape(32, 32) for _ in range(3))
    got = c_binary(lib, a, b, MUL, "none", dst=d)
    np.testing.assert_array_equal(got, O.bf16_ties_away(d.astype(np.float64) + a.astype(np.float64) * b))
    np.testing.assert_array_equal(
        c_binary(lib, a, b, ADD, "none", dst=d), O.bf16_ties_away(a.astype(np.float64) + b)
    )
    np.testing.assert_array_equal(
        c_binary(lib, a, b, ADD, "none", dst=d, acc=True), O.bf16_ties_away(d.astype(np.float64) + a + b)
    )


def test_fp32_operands_are_truncated_to_tf32(rng, lib):
    a = f32(rng.standard_normal((32, 32)))
    b = f32(rng.standard_normal((32, 32)))
    got = c_binary(lib, a, b, ADD, "none", fp32_dest=True)
    exact = O.to_src(a).astype(np.float64) + O.to_src(b)
    np.testing.assert_array_equal(got, exact.astype(np.float32))
    assert np.any(got != (a.astype(np.float64) + b).astype(np.float32))


# ---- reduce ----------------------------------------------------------------------------------------------------
def test_reduce_row_sum_hifi4_vs_fp64(rng, lib):
    x = random_bf16(rng, 1024).reshape(32, 32)
    got = c_reduce(lib, x, O.scaler_tile(1 / 32), "avg", "row", fp32_dest=True)
    expected = (x.astype(np.float64) / 32).sum(axis=1)
    np.testing.assert_allclose(got[:, 0], expected, rtol=1e-6, atol=1e-7)
    assert np.all(got[:, 1:] == 0)  # only column 0 is written


def test_reduce_row_puts_data_through_srcb(rng, lib):
    """Operand swap: at LoFi the data passes the 7-bit SrcB slice (the last bf16 mantissa bit is dropped) and the
    scaler the 5-bit SrcA slice."""
    x = random_bf16(rng, 1024).reshape(32, 32)
    got = c_reduce(lib, x, O.scaler_tile(1.0), "sum", "row", fid=LOFI, fp32_dest=True)
    kept = O.from_bits(O.bits(x) & 0xFFFE0000).astype(np.float64)
    np.testing.assert_allclose(got[:, 0], kept.sum(axis=1), rtol=1e-6)
    assert np.any(np.abs(got[:, 0] - x.astype(np.float64).sum(axis=1)) > 1e-6)


def test_reduce_col_puts_data_through_srca(rng, lib):
    x = random_bf16(rng, 1024).reshape(32, 32)
    got = c_reduce(lib, x, O.scaler_tile(1.0), "sum", "col", fid=LOFI, fp32_dest=True)
    kept = O.from_bits(O.bits(x) & 0xFFF80000).astype(np.float64)
    np.testing.assert_allclose(got[0, :], kept.sum(axis=0), rtol=1e-6)
    assert np.all(got[1:, :] == 0)


def test_reduce_scalar_pools_twice(rng, lib):
    """REDUCE_SCALAR pools the faces into a 16-wide scratch row, moves it through SrcB/SrcA (TF32 from an fp32
    DEST) and pools again: the scaler applies twice (callers pass 1/sqrt(N) for a mean)."""
    x = random_bf16(rng, 1024).reshape(32, 32)
    s = 0.5
    got = c_reduce(lib, x, O.scaler_tile(s), "sum", "scalar", fp32_dest=True)
    scratch = (x.astype(np.float64) * s).reshape(32, 2, 16).sum(axis=(0, 1))
    # second pool: the scratch is the SrcA operand, whose last TF32 mantissa bit the multiplier never uses
    total = O.fidelity_product(O.to_src(scratch.astype(np.float32)), np.full(16, s, np.float32), 4).sum()
    assert got[0, 0] == np.float32(total)
    # truncating the partial sums to TF32 costs up to 2^-10 of each
    assert abs(got[0, 0] - s * s * x.astype(np.float64).sum()) <= 2**-10 * s * s * np.abs(x).sum()
    assert np.all(got.ravel()[1:] == 0)


def test_reduce_max(rng, lib):
    x = random_bf16(rng, 1024).reshape(32, 32)
    m = c_reduce(lib, x, O.scaler_tile(1.0), "max", "row")
    np.testing.assert_array_equal(m[:, 0], x.max(axis=1))
    neg = O.bf16_truncate(-np.abs(x) - 1)  # all negative: a max must not start from DEST's zero
    np.testing.assert_array_equal(c_reduce(lib, neg, O.scaler_tile(1.0), "max", "col")[0, :], neg.max(axis=0))
    # GMPOOL scales by the scaler's exponent only: 0.75 acts as 0.5
    np.testing.assert_array_equal(
        c_reduce(lib, x, O.scaler_tile(0.75), "max", "row")[:, 0], x.max(axis=1) * 0.5
    )
    # and reads the data as bf16: fp32 data loses its low mantissa bits
    xf = f32(rng.standard_normal((32, 32)))
    got = c_reduce(lib, xf, O.scaler_tile(1.0), "max", "scalar", fp32_dest=True)
    assert got[0, 0] == O.bf16_truncate(xf).max()
    # a max accumulates across tiles with DEST's value
    prev = np.full((32, 32), 100.0, np.float32)
    np.testing.assert_array_equal(
        c_reduce(lib, x, O.scaler_tile(1.0), "max", "row", dst=prev, had=True)[:, 0], 100.0
    )


def test_reduce_uses_only_row0_of_each_scaler_face(rng, lib):
    x = random_bf16(rng, 1024).reshape(32, 32)
    clean = O.scaler_tile(0.25)
    noisy = clean.copy()
    noisy[1:16, :] = 7.0
    noisy[17:, :] = -3.0
    np.testing.assert_array_equal(
        c_reduce(lib, x, noisy, "sum", "row"), c_reduce(lib, x, clean, "sum", "row")
    )


def test_reduce_accumulation_rounds_every_step_in_bf16_dest(rng, lib):
    tiles = [random_bf16(rng, 1024, scale=4).reshape(32, 32) for _ in range(8)]
    dst = np.zeros((32, 32), np.float32)
    acc = np.zeros(32, np.float64)
    for t in tiles:
        dst = c_reduce(lib, t, O.scaler_tile(1.0), "sum", "row", dst=dst, had=True)
        acc = O.bf16_ties_away(acc + t.astype(np.float64).sum(axis=1)).astype(np.float64)
    np.testing.assert_array_equal(dst[:, 0], acc)
    exact = sum(t.astype(np.float64) for t in tiles).sum(axis=1)
    assert np.max(np.abs(dst[:, 0] - exact) / np.abs(exact).max()) < 2**-6


# ---- SFPU ------------------------------------------------------------------------------------------------------
def ulp32(x):
    return np.spacing(np.abs(x).astype(np.float32)).astype(np.float64)


@pytest.mark.parametrize("op", ["sqrt", "rsqrt", "recip"])
def test_sfpu_exact_mode_fp32_dest_vs_fp64(rng, lib, op):
    x = f32(np.exp2(rng.uniform(-30, 30, 20000)))
    got = c_sfpu(lib, x, op, fp32_dest=True).astype(np.float64)
    xd = x.astype(np.float64)
    ref = {"sqrt": np.sqrt(xd), "rsqrt": 1 / np.sqrt(xd), "recip": 1 / xd}[op]
    err_ulps = np.abs(got - ref) / ulp32(ref)
    assert err_ulps.max() <= 3, err_ulps.max()
    assert err_ulps.mean() < 0.6, err_ulps.mean()


@pytest.mark.parametrize("op", ["sqrt", "rsqrt", "recip"])
def test_sfpu_bf16_dest_rounds_to_nearest_bf16(rng, lib, op):
    x = random_bf16(rng, 20000, scale=8)
    x = np.abs(x) + np.float32(2.0**-20)
    x = O.bf16_truncate(x)
    got = c_sfpu(lib, x, op, fp32_dest=False)
    assert np.all(O.bits(got) & 0xFFFF == 0)  # a bf16 value
    xd = x.astype(np.float64)
    ref = {"sqrt": np.sqrt(xd), "rsqrt": 1 / np.sqrt(xd), "recip": 1 / xd}[op]
    ideal = O.bf16_rne(ref.astype(np.float32))
    ulp_bf16 = np.spacing(ideal) * 65536
    assert np.max(np.abs(got - ideal) / ulp_bf16) <= 1
    assert np.mean(got == ideal) > 0.97


@pytest.mark.parametrize("op", ["sqrt", "rsqrt"])
def test_sfpu_approx_mode_error(rng, lib, op):
    x = f32(np.exp2(rng.uniform(-20, 20, 20000)))
    got = c_sfpu(lib, x, op, approx=True, fp32_dest=True).astype(np.float64)
    xd = x.astype(np.float64)
    ref = np.sqrt(xd) if op == "sqrt" else 1 / np.sqrt(xd)
    rel = np.abs(got - ref) / ref
    assert rel.max() < 2e-3, rel.max()  # the "10-bit" algorithm


def test_sfpu_edge_cases(lib):
    inf, nan = np.inf, np.nan
    x = f32([0.0, -0.0, inf, -1.0])
    r = c_sfpu(lib, x, "rsqrt")
    assert r[0] == inf and r[1] == -inf and r[2] == 0 and np.isnan(r[3])
    s = c_sfpu(lib, x, "sqrt")
    assert s[0] == 0 and np.signbit(s[1]) and s[2] == inf and np.isnan(s[3])
    q = c_sfpu(lib, f32([0.0, -0.0, inf, -inf, -4.0]), "recip")
    assert q[0] == inf and q[1] == -inf and q[2] == 0 and q[3] == 0 and np.signbit(q[3]) and q[4] == -0.25
    # NaN in a bf16 DEST packs as Inf
    assert int(c_pack_bf16(lib, c_sfpu(lib, f32([-1.0]), "sqrt", fp32_dest=False))[0]) in (0x7F80, 0xFF80)
    del nan


@pytest.mark.parametrize("mode,fn", [(0, np.add), (1, np.subtract), (2, np.multiply), (4, None)])
def test_binop_with_scalar(rng, lib, mode, fn):
    x = random_bf16(rng, 4096, scale=3)
    p = np.float32(0.3183099)
    pbits = int(O.bits(np.array([p]))[0])
    out = np.empty_like(x)
    for fp32_dest in (True, False):
        lib.emu_test_binop_scalar(
            ptr(x, F32P), ptr(out, F32P), len(x), mode, ctypes.c_uint32(pbits), int(fp32_dest)
        )
        r = (p - x).astype(np.float32) if mode == 4 else fn(x, p).astype(np.float32)
        if fp32_dest:
            np.testing.assert_array_equal(out, r)
        elif mode == 4:
            np.testing.assert_array_equal(out, O.bf16_rne(r))  # rsub rounds explicitly
        else:
            np.testing.assert_array_equal(out, O.bf16_truncate(r))  # bf16 DEST stores truncate


# ---- kernels through the shadow headers and the compute runtime (stand-in core) --------------------------------
KERNELS = Path(__file__).resolve().parent / "kernels"
BF16, FP32 = 5, 0  # DataFormat values


@pytest.fixture(scope="module")
def runtime_objects(tmp_path_factory):
    """The compute runtime and the stand-in core, compiled once (C++20, as the runtime library is built)."""
    d = tmp_path_factory.mktemp("compute_rt")
    objs = []
    for src in sorted((RUNTIME / "src" / "compute").glob("*.cpp")) + [KERNELS / "compute_harness_core.cpp"]:
        obj = d / (src.stem + ".o")
        subprocess.run(
            ["g++", "-std=c++20", "-O1", "-c", f"-I{RUNTIME / 'include'}", "-o", str(obj), str(src)],
            check=True,
            capture_output=True,
            text=True,
        )
        objs.append(str(obj))
    return objs


def run_kernel(runtime_objects, tmp_path, kernel, cbs, defines=(), fp32_dest=False, fidelity=4):
    """Builds `kernel` (C++17, shadow headers first) against the runtime and runs it. cbs: {cb: (fmt, pages,
    array or None)}. Returns (returncode, stdout, {cb: raw bytes})."""
    exe = tmp_path / "kernel"
    flags = [f"-D{d}" for d in defines]
    kobj = tmp_path / "kernel.o"
    subprocess.run(
        [
            "g++",
            "-std=c++17",
            "-O1",
            "-Wall",
            "-c",
            *flags,
            f"-I{ROOT / 'emulator' / 'kernel_api'}",
            f"-I{RUNTIME / 'include'}",
            "-o",
            str(kobj),
            str(KERNELS / kernel),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    subprocess.run(
        ["g++", "-o", str(exe), str(kobj), *runtime_objects], check=True, capture_output=True, text=True
    )
    args = [str(exe), str(tmp_path), str(int(fp32_dest)), str(fidelity), "0", "0", "0"]
    for cb, (fmt, pages, data) in cbs.items():
        path = "-"
        if data is not None:
            path = str(tmp_path / f"in{cb}.bin")
            raw = O.bits(data).astype(np.uint32)
            (raw >> 16).astype(np.uint16).tofile(path) if fmt == BF16 else raw.tofile(path)
        args += [str(cb), str(fmt), str(pages), path]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    out = {cb: (tmp_path / f"cb{cb}.bin").read_bytes() for cb in cbs}
    return proc.returncode, proc.stdout, out


def bf16_tiles(raw: bytes) -> np.ndarray:
    u = np.frombuffer(raw, np.uint16).astype(np.uint32) << 16
    return O.from_bits(u).reshape(-1, 1024)


def test_kernel_bcast_reduce_sqrt(rng, runtime_objects, tmp_path):
    wt = 2
    x = np.abs(random_bf16(rng, 32 * 32 * wt)).reshape(32, 32 * wt)
    col = np.abs(random_bf16(rng, 1024)).reshape(32, 32)
    scaler = O.scaler_tile(1 / 64)
    cbs = {
        0: (BF16, wt, O.tilize(x)),
        1: (BF16, 1, O.tilize(col)),
        2: (BF16, 1, O.tilize(scaler)),
        16: (BF16, wt, None),
        17: (BF16, 1, None),
    }
    rc, out, cb = run_kernel(runtime_objects, tmp_path, "compute_bcast_reduce_sqrt.cpp", cbs, [f"WT={wt}"])
    assert rc == 0, out
    prod = O.untilize(bf16_tiles(cb[16]))
    expected_prod = O.bf16_ties_away(x.astype(np.float64) * col[:, :1])
    np.testing.assert_array_equal(prod, expected_prod)
    acc = np.zeros(32)
    for t in range(wt):  # each reduce_tile rounds the running sum in the 16-bit DEST
        acc = O.bf16_ties_away(acc + (prod[:, 32 * t : 32 * t + 32].astype(np.float64) / 64).sum(axis=1))
    res = O.untilize(bf16_tiles(cb[17]))
    ideal = O.bf16_rne(np.sqrt(acc.astype(np.float64)).astype(np.float32))
    ulp = np.spacing(ideal) * 65536
    assert np.all(np.abs(res[:, 0] - ideal) <= ulp)
    assert np.all(res[:, 1:] == 0)  # the reduce edge mask zeroes everything but column 0


ERROR_CASES = {
    1: "add_init called before compute_kernel_hw_startup",
    2: "add_tiles without its matching init: call add_init(icb0, icb1) before it",
    3: "DEST index 8 is out of range: only 8 tiles are usable with fp32_dest_acc_en=false",
    4: "add_tiles writes DEST without tile_regs_acquire",
    5: "pack_tile reads DEST without tile_regs_wait",
    6: "rsqrt_tile without its SFPU init",
    7: "CB 1 holds Float32 data but the SrcA unpacker is configured for Float16_b",
    8: "tile_regs_acquire called twice without tile_regs_commit",
    9: "tile_regs_release without tile_regs_wait",
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_protocol_errors(rng, runtime_objects, tmp_path, case):
    cbs = {
        0: (BF16, 1, random_bf16(rng, 1024)[None]),
        1: (FP32 if case == 7 else BF16, 1, random_bf16(rng, 1024)[None]),
        16: (BF16, 1, None),
    }
    rc, out, _ = run_kernel(
        runtime_objects, tmp_path, "compute_protocol_errors.cpp", cbs, [f"ERROR_CASE={case}"]
    )
    assert rc == 3, out
    assert ERROR_CASES[case] in out, out


def test_pack_after_reduce_needs_reduce_uninit(rng, runtime_objects, tmp_path):
    cbs = {
        0: (BF16, 2, random_bf16(rng, 2048).reshape(2, 1024)),
        1: (BF16, 1, random_bf16(rng, 1024)[None]),
        2: (BF16, 1, O.tilize(O.scaler_tile(1.0))),
        16: (BF16, 2, None),
        17: (BF16, 1, None),
    }
    rc, out, _ = run_kernel(
        runtime_objects, tmp_path, "compute_bcast_reduce_sqrt.cpp", cbs, ["PACK_AFTER_REDUCE", "SKIP_UNINIT"]
    )
    assert rc == 3 and "pack_tile after a reduce without reduce_uninit" in out, out
    rc, out, _ = run_kernel(
        runtime_objects, tmp_path, "compute_bcast_reduce_sqrt.cpp", cbs, ["PACK_AFTER_REDUCE"]
    )
    assert rc == 0, out


@pytest.mark.parametrize("fmt", [BF16, FP32])
def test_kernel_tilize_then_pack_untilize(rng, runtime_objects, tmp_path, fmt):
    block = 3
    rows = rng.standard_normal((32, 32 * block)).astype(np.float32)
    if fmt == BF16:
        rows = O.bf16_truncate(rows)
    cbs = {0: (fmt, block, rows.reshape(block, 1024)), 16: (fmt, block, None), 17: (fmt, block, None)}
    rc, out, cb = run_kernel(
        runtime_objects, tmp_path, "compute_tilize_untilize.cpp", cbs, [f"BLOCK={block}"]
    )
    assert rc == 0, out
    decode = bf16_tiles if fmt == BF16 else (lambda raw: np.frombuffer(raw, np.float32).reshape(-1, 1024))
    tiles = decode(cb[16])
    # bf16 moves exactly; fp32 without UnpackToDestFp32 and with a 16-bit DEST unpacks to bf16 (truncation)
    expected = rows if fmt == BF16 else O.bf16_truncate(rows)
    np.testing.assert_array_equal(tiles, O.tilize(expected))
    back = decode(cb[17]).reshape(32, 32 * block)
    np.testing.assert_array_equal(back, expected)
