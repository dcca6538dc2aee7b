"""Unit tests of the emulator's compute numerics (tensix-semantics §2.5-§2.9): tile and face order, the scaler
tile, the packer's rounding against its documented table, called through the ``emu_test_*`` C ABI
(runtime/src/compute/test_abi.cpp, built by ``compute_lib`` into a small standalone library, no kernel, CB or
thread), and a norm-style compute kernel end to end. The FPU's bit-level numerics are checked against the
Wormhole model (``wh_oracle.py``) in ``test_numerics_wh.py``, the SFPU's in test_sfpi_*; the compute protocol
checks in test_v2_strict.py and test_v2_compute.py."""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np
import pytest

from tests.emulator import compute_lib as C
from tests.emulator import oracles as O
from tests.emulator import wh_oracle as W

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "emulator" / "runtime"
F32P = ctypes.POINTER(ctypes.c_float)

LOFI, HIFI2, HIFI3, HIFI4 = 0, 2, 3, 4
MUL, ADD, SUB = 0, 2, 3
BCAST = {"none": 0, "col": 1, "row": 2, "scalar": 3}


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    return C.build(tmp_path_factory.mktemp("numerics"))


def f32(x) -> np.ndarray:
    return np.ascontiguousarray(x, np.float32)


def ptr(a: np.ndarray, t):
    return a.ctypes.data_as(t)


def random_bf16(rng, n, scale=1.0) -> np.ndarray:
    return O.bf16_truncate(rng.standard_normal(n).astype(np.float32) * np.float32(scale))


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


# ---- pack -------------------------------------------------------------------------------------------------------
PACK_TABLE = [
    (0x3F808000, 0x3F81),  # 1 + 2^-8: exact tie, away from zero (RNE would give 0x3F80)
    (0xBF808000, 0xBF81),  # negative tie, away from zero in magnitude
    (0x3F818000, 0x3F82),  # tie with odd lsb
    (0x3F807FFF, 0x3F80),  # just below the tie
    (0x3F80FFFF, 0x3F81),
    (0x00400000, 0x0000),  # denormal flushes to +0
    (0x80400000, 0x0000),  # negative denormal → +0
    (0x007FFFFF, 0x0080),  # rounds first: the largest denormal becomes the smallest normal
    (0x80000000, 0x0000),  # −0 → +0
    (0x7FC00000, 0x7F80),  # NaN → +Inf
    (0xFFC00001, 0xFF80),  # −NaN → −Inf
    (0x7F800000, 0x7F80),  # Inf stays
    (0x7F7FFFFF, 0x7F80),  # rounds up into Inf
    (0x3F800000, 0x3F80),
]


@pytest.mark.parametrize("inp,expected", PACK_TABLE)
def test_pack_rounding_table(lib, inp, expected):
    assert int(C.pack_bf16(lib, np.array([inp], np.uint32))[0]) == expected
    assert int(W.pack_bf16(np.array([inp], np.uint32))[0]) == expected


# ---- a compute kernel end to end ---------------------------------------------------------------------------
KERNELS = Path(__file__).resolve().parent / "kernels"


def bf16_tiles(raw: bytes) -> np.ndarray:
    u = np.frombuffer(raw, np.uint16).astype(np.uint32) << 16
    return O.from_bits(u).reshape(-1, 1024)


def test_kernel_bcast_reduce_sqrt(rng, device):
    """A norm-style chain (three TRISC builds, the LLK layer, the wheel's SFPU sqrt), through generic_op: the product tiles the kernel packs into c_16 and reads back, reduced along rows through
    the scaler, then sqrt, against the Wormhole model's product and sum and a float64 sqrt."""
    import ttnn

    from tests.emulator import programs

    wt = 2
    x = np.abs(random_bf16(rng, 32 * 32 * wt)).reshape(32, 32 * wt)
    col = np.abs(random_bf16(rng, 1024)).reshape(32, 32)
    scaler = O.scaler_tile(1 / 64)

    def raw(a):
        return (O.bits(O.tilize(a)) >> 16).astype(np.uint16).tobytes()

    cbs = {
        0: (ttnn.bfloat16, wt, raw(x)),
        1: (ttnn.bfloat16, 1, raw(col)),
        2: (ttnn.bfloat16, 1, raw(scaler)),
        16: (ttnn.bfloat16, wt, None),
        17: (ttnn.bfloat16, 1, None),
    }
    out = programs.compute_alone(
        device, KERNELS / "compute_bcast_reduce_sqrt.cpp", [], cbs, defines=[("WT", str(wt))], out_cb=17
    )
    xb, cb_bits = O.bits(x), O.bits(col)
    prod = [
        W.pack_bf16(W.binary("mul", xb[:, 32 * t : 32 * t + 32], cb_bits, bcast="col")) for t in range(wt)
    ]
    dst = np.zeros((32, 32), np.uint32)
    for t in range(wt):
        dst = W.reduce("sum", "row", prod[t].astype(np.uint32) << 16, O.bits(scaler), dst=dst, had=True)
    acc = O.from_bits(dst[:, 0]).astype(np.float64)
    res = O.untilize(bf16_tiles(out))
    ideal = O.bf16_rne(np.sqrt(acc).astype(np.float32))
    ulp = np.spacing(ideal) * 65536
    assert np.all(np.abs(res[:, 0] - ideal) <= ulp), np.abs(res[:, 0] - ideal).max()
    assert np.all(res[:, 1:] == 0)  # the reduce edge mask zeroes everything but column 0
