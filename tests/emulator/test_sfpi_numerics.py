"""The x86 SFPI layer (emulator/hal/sfpi) against oracles written from the Wormhole SFPU's instruction
semantics (tests/emulator/sfpi/oracle.py): SFPMAD rounding through TTI_SFPMAD and through sfpi expressions,
lane predication, the LUT instructions, and DEST format conversion. Fresh random inputs every run, salted
with denormals, ±0, ±Inf, NaN and extreme exponents."""

import struct
from fractions import Fraction

import numpy as np
import pytest

from tests.emulator.sfpi import build as harness
from tests.emulator.sfpi import oracle

EDGES = np.array(
    [
        0x00000000,
        0x80000000,
        0x00000001,
        0x807FFFFF,
        0x00800000,
        0x80800000,
        0x7F7FFFFF,
        0xFF7FFFFF,
        0x7F800000,
        0xFF800000,
        0x7FC00000,
        0xFFC00001,
        0x3F800000,
        0xBF800000,
        0x3F800001,
        0x4B400000,
        0x1F800000,
        0x5F800000,
        0x20000000,
        0x00FFFFFF,
        0x33800000,
        0xB3800000,
    ],
    dtype=np.uint32,
)


@pytest.fixture(scope="session")
def exe32(tmp_path_factory):
    return harness.build(tmp_path_factory.mktemp("sfpi"), fp32=True, approx=False)


def f32_bits(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32).view(np.uint32)


def random_normals(rng, n, lo=-40, hi=40) -> np.ndarray:
    mant = rng.uniform(1.0, 2.0, n) * rng.choice([-1.0, 1.0], n)
    return f32_bits(np.ldexp(mant, rng.integers(lo, hi, n)))


def mad_operands(rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = 1024
    x, y, z = random_normals(rng, n), random_normals(rng, n), random_normals(rng, n)
    # Cancellation: z close to -(x * y).
    k = slice(0, 256)
    prod = x[k].view(np.float32).astype(np.float64) * y[k].view(np.float32).astype(np.float64)
    z[k] = f32_bits(-prod * (1 + rng.uniform(-1e-6, 1e-6, 256)))
    # Edge values in every operand position.
    e = slice(256, 512)
    x[e], y[e], z[e] = (rng.choice(EDGES, 256) for _ in range(3))
    # Products at the ends of the exponent range.
    u = slice(512, 640)
    x[u] = random_normals(rng, 128, -126, -60)
    y[u] = random_normals(rng, 128, -70, -1)
    x[640:768] = random_normals(rng, 128, 60, 127)
    y[640:768] = random_normals(rng, 128, 1, 70)
    return x, y, z


def tiles(*ts) -> np.ndarray:
    out = np.zeros((4, 1024), np.uint32)
    for i, t in enumerate(ts):
        out[i] = t
    return out


def check_mad(got, x, y, z):
    want, nan = oracle.mad_array(x, y, z)
    got_nan = ((got & 0x7F800000) == 0x7F800000) & ((got & 0x7FFFFF) != 0)
    assert np.array_equal(got_nan, nan), np.flatnonzero(got_nan != nan)[:8]
    assert np.array_equal(got[nan] >> 31, want[nan] >> 31)
    bad = np.flatnonzero((got != want) & ~nan)
    assert bad.size == 0, [(hex(x[i]), hex(y[i]), hex(z[i]), hex(got[i]), hex(want[i])) for i in bad[:6]]


@pytest.mark.parametrize("path", ["tti_mad", "sfpi_mad"])
def test_sfpmad_is_wormhole_fma(exe32, path):
    """TTI_SFPMAD and a one-expression `a * b + c` in sfpi are one Wormhole multiply-add (single rounding,
    denormal inputs as zero, underflow to +0, NaN sign), not IEEE fmaf."""
    rng = np.random.default_rng()
    x, y, z = mad_operands(rng)
    out = harness.run(exe32, path, tiles(x, y, z)).reshape(4, 1024)
    check_mad(out[3], x, y, z)


def test_sfpi_product_then_sum_rounds_twice(exe32):
    """A product kept in a variable is rounded before the later add (two instructions, two roundings)."""
    rng = np.random.default_rng()
    x, y, z = random_normals(rng, 1024), random_normals(rng, 1024), random_normals(rng, 1024)
    out = harness.run(exe32, "sfpi_mul_add", tiles(x, y, z)).reshape(4, 1024)
    p = np.array([oracle.mad(a, b, 0)[0] for a, b in zip(x.tolist(), y.tolist())], np.uint32)
    one = np.full(1024, 0x3F800000, np.uint32)
    check_mad(out[3], one, p, z)


def test_nested_predication(exe32):
    """v_if / v_elseif / nested v_if / v_else write only their lanes; -0 < 0 holds (a sign test)."""
    rng = np.random.default_rng()
    x = f32_bits(rng.uniform(-3, 3, 1024))
    x[:8] = f32_bits([0.0, -0.0, 1.0, 1.5, -1.5, 1.4999999, 0.5, 3.0])
    out = harness.run(exe32, "pred", tiles(x)).reshape(4, 1024)[3].view(np.float32)
    xv = x.view(np.float32).astype(np.float64)
    neg = (x >> 31).astype(bool)
    want = np.where(neg, -xv, np.where(xv < 1.5, np.where(xv >= 1.0, 20.0, xv + 10.0), 30.0))
    # x + 10 is one Wormhole add.
    mid = ~neg & (xv < 1.5) & (xv < 1.0)
    ten = np.full(mid.sum(), 0x41200000, np.uint32)
    want_bits = f32_bits(want)
    want_bits[mid] = oracle.mad_array(np.full(mid.sum(), 0x3F800000, np.uint32), x[mid], ten)[0]
    assert np.array_equal(out.view(np.uint32), want_bits)


def lut8_code(v: float) -> int:
    if v == 0:
        return 0xFF
    s = int(v < 0)
    m, e = np.frexp(abs(v))  # abs(v) = m 2^e, m in [0.5, 1)
    return (s << 7) | ((1 - e) << 4) | int((m * 2 - 1) * 16)


def test_lut8(exe32):
    """SFPLUT: coefficient pair chosen by |x| (< 1, < 2, else), a |x| + c with x's sign."""
    rng = np.random.default_rng()
    x = f32_bits(rng.uniform(-4, 4, 1024))
    x[:4] = f32_bits([1.0, -2.0, 0.999, 0.0])
    got = harness.run(exe32, "lut8", tiles(x)).reshape(4, 1024)[3]
    pairs = [(0.25, 0.5), (-0.125, 1.0), (0.0, 0.75)]
    for i, xb in enumerate(x.tolist()):
        ax = xb & 0x7FFFFFFF
        a, c = pairs[0 if ax < 0x3F800000 else 1 if ax < 0x40000000 else 2]
        a_bits = f32_bits(float(oracle.lut8_value(lut8_code(a)))).item()
        c_bits = f32_bits(float(oracle.lut8_value(lut8_code(c)))).item()
        want = oracle.mad(a_bits, ax, c_bits)[0]
        want = (want & 0x7FFFFFFF) | (xb & 0x80000000)
        assert got[i] == want, (hex(xb), hex(got[i]), hex(want))


def test_lut16_six_segments(exe32):
    """SFPLUTFP32 (six fp16 segments split at .5, 1, 1.5, 2, 3 of |x|), result's own sign."""
    rng = np.random.default_rng()
    x = f32_bits(rng.uniform(-5, 5, 1024))
    got = harness.run(exe32, "lut16", tiles(x)).reshape(4, 1024)[3]
    slopes = [0.5, 0.25, -0.75, 2.0, 0.0625, 0.0]
    icepts = [0.0, 0.125, 1.5, -1.0, 0.875, 1.0]
    bounds = [0.5, 1.0, 1.5, 2.0, 3.0]
    for i, xb in enumerate(x.tolist()):
        ax = xb & 0x7FFFFFFF
        seg = int(np.searchsorted(bounds, struct.unpack("<f", struct.pack("<I", ax))[0], side="right"))
        want = oracle.mad(f32_bits(slopes[seg]).item(), ax, f32_bits(icepts[seg]).item())[0]
        assert got[i] == want, (hex(xb), seg, hex(got[i]), hex(want))


def test_store_to_bf16_dest_truncates(exe32):
    """SFPSTORE to a 16-bit DEST drops the low half (no rounding) after flushing denormals."""
    rng = np.random.default_rng()
    x = rng.integers(0, 2**32, 1024, dtype=np.uint64).astype(np.uint32)
    x[: EDGES.size] = EDGES
    got = harness.run(exe32, "store_bf16", tiles(x)).reshape(4, 1024)[3]
    want = np.array([oracle.bf16_store(v) for v in x.tolist()], np.uint32)
    assert np.array_equal(got, want)


def test_convert_to_bf16_rounds_ties_away(exe32):
    """sfpi's RoundMode::Nearest is ties-away on Wormhole (SFP_STOCH_RND); zero/denormal -> +0, NaN -> Inf."""
    rng = np.random.default_rng()
    x = rng.integers(0, 2**32, 1024, dtype=np.uint64).astype(np.uint32)
    x[:256] = (x[:256] & 0xFFFF0000) | 0x8000  # exact ties
    x[256 : 256 + EDGES.size] = EDGES
    got = harness.run(exe32, "round_bf16", tiles(x)).reshape(4, 1024)[3]
    want = np.array([oracle.bf16_round_away(v) for v in x.tolist()], np.uint32)
    assert np.array_equal(got, want)


def test_int32_to_float_rounds_to_nearest_even(exe32):
    rng = np.random.default_rng()
    x = rng.integers(-(2**31) + 1, 2**31, 1024).astype(np.int64)
    x[:6] = [0, 1, -1, 2**24 + 1, 2**24 + 3, -(2**31) + 1]
    got = harness.run(exe32, "cast_int", tiles(x.astype(np.int32).view(np.uint32))).reshape(4, 1024)[3]
    want = np.array([oracle.round_fp32_wh(Fraction(int(v))) for v in x.tolist()], np.uint32)
    assert np.array_equal(got, want)


def total_order_key(u: np.ndarray) -> np.ndarray:
    """Sign-magnitude bits as integers of the same order: -0 below +0, NaNs beyond the infinities."""
    s = u.astype(np.int64)
    return np.where(s >> 31 == 1, -(s & 0x7FFFFFFF) - 1, s)


def test_min_max_orders_sign_magnitude(exe32):
    """sfpi::min / max are SFPSWAP in the sign-magnitude total order (-0 < +0; NaN compares as its bits)."""
    rng = np.random.default_rng()
    a, b = random_normals(rng, 1024), random_normals(rng, 1024)
    a[:64], b[:64] = rng.choice(EDGES, 64), rng.choice(EDGES, 64)
    a[64], b[64] = 0x80000000, 0x00000000
    out = harness.run(exe32, "minmax", tiles(a, b)).reshape(4, 1024)
    a_first = total_order_key(a) <= total_order_key(b)
    stored = np.vectorize(lambda u: u & 0x80000000 if (u & 0x7FFFFFFF) < 0x800000 else u, otypes=[np.uint32])
    # Compared as loaded (denormals too); the fp32 store then flushes denormals, keeping the sign.
    assert np.array_equal(out[2], stored(np.where(a_first, a, b)))
    assert np.array_equal(out[3], stored(np.where(a_first, b, a)))


def test_replay_records_while_executing_and_incrwc_walks_dest(exe32):
    """REPLAY (load mode, executing while recording) then 31 replays; INCRWC steps DEST two rows each time."""
    rng = np.random.default_rng()
    x = random_normals(rng, 1024, -20, 20)
    out = harness.run(exe32, "tti_replay", tiles(x)).reshape(4, 1024)[3]
    two, one = np.full(1024, 0x40000000, np.uint32), np.full(1024, 0x3F800000, np.uint32)
    assert np.array_equal(out, oracle.mad_array(x, two, one)[0])
