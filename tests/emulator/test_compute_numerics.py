"""Unit tests of the emulator's compute numerics (Level 1, tensix-semantics §2.5–§2.10): the packer and the SFPU
against fp64 references, and small compute kernels end to end. The FPU's bit-level numerics are checked against
the Wormhole model (``wh_oracle.py``) in ``test_numerics_wh.py``.

The numerics are called through the ``emu_test_*`` C ABI (runtime/src/compute/test_abi.cpp), built by
``compute_lib`` into a small standalone library, so these tests need no kernel, CB or thread.

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


# ---- C ABI wrappers ---------------------------------------------------------------------------------------------
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
    assert int(C.pack_bf16(lib, c_sfpu(lib, f32([-1.0]), "sqrt", fp32_dest=False).view(np.uint32))[0]) in (
        0x7F80,
        0xFF80,
    )
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
    # expected bits from the Wormhole model: ELWMUL per HiFi4 phase into a bf16 DEST, then the packer
    xb, cb_bits = O.bits(x), O.bits(col)
    expected_prod = np.concatenate(
        [W.pack_bf16(W.binary("mul", xb[:, 32 * t : 32 * t + 32], cb_bits, bcast="col")) for t in range(wt)],
        axis=1,
    )
    np.testing.assert_array_equal(O.bits(prod) >> 16, expected_prod)
    dst = np.zeros((32, 32), np.uint32)
    for t in range(wt):  # MVMUL rounds the running sum into the 16-bit DEST per face and phase
        dst = W.reduce("sum", "row", O.bits(prod[:, 32 * t : 32 * t + 32]), O.bits(scaler), dst=dst, had=True)
    acc = O.from_bits(dst[:, 0]).astype(np.float64)
    res = O.untilize(bf16_tiles(cb[17]))
    ideal = O.bf16_rne(np.sqrt(acc.astype(np.float64)).astype(np.float32))
    ulp = np.spacing(ideal) * 65536
    assert np.all(np.abs(res[:, 0] - ideal) <= ulp)
    assert np.all(res[:, 1:] == 0)  # the reduce edge mask zeroes everything but column 0


def test_kernel_bcast_reduce_sqrt_on_the_wheel_api(rng, device, monkeypatch):
    """The same norm-style chain on the wheel's API (three TRISC builds, the LLK layer, the wheel's SFPU sqrt),
    through generic_op: the product tiles the kernel packs into c_16 and reads back, reduced along rows through
    the scaler, then sqrt, against the Wormhole model's product and sum and a float64 sqrt."""
    import ttnn

    from tests.emulator import programs

    monkeypatch.setenv("TTNN_EMULATOR_API", "wheel")
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
    prod = [W.pack_bf16(W.binary("mul", xb[:, 32 * t : 32 * t + 32], cb_bits, bcast="col")) for t in range(wt)]
    dst = np.zeros((32, 32), np.uint32)
    for t in range(wt):
        dst = W.reduce("sum", "row", prod[t].astype(np.uint32) << 16, O.bits(scaler), dst=dst, had=True)
    acc = O.from_bits(dst[:, 0]).astype(np.float64)
    res = O.untilize(bf16_tiles(out))
    ideal = O.bf16_rne(np.sqrt(acc).astype(np.float32))
    ulp = np.spacing(ideal) * 65536
    assert np.all(np.abs(res[:, 0] - ideal) <= ulp), np.abs(res[:, 0] - ideal).max()
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
