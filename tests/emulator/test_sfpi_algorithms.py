"""The wheel's own SFPU algorithms (ckernel_sfpu_*.h, reached through the llk_api/llk_sfpu init and call
macros exactly as api/compute/*.h issues them) run on the x86 SFPI layer over a DEST tile, against float64
torch on fresh random inputs: PCC >= 0.999 as tt-metal's unary tests ask, and a bound in bf16 ulps."""

from fractions import Fraction

import numpy as np
import pytest

from tests.emulator.sfpi import build as harness
from tests.emulator.sfpi import ops, oracle

# Largest error in bf16 ulps each precise-mode algorithm may show (fp32 DEST, 16-bit DEST). Elementary
# functions are within rounding; erf is a polynomial fit; gelu's error is absolute near its zero crossing.
ULP_BOUND = {
    "exp": (0.01, 1.0),
    "log": (0.01, 1.0),
    "sigmoid": (0.01, 1.0),
    "tanh": (0.01, 1.0),
    "silu": (0.01, 1.0),
    "recip": (0.01, 1.0),
    "sqrt": (0.01, 1.0),
    "rsqrt": (0.01, 1.0),
    "square": (0.01, 1.0),
    "div": (0.01, 1.0),
    "relu": (0, 0),
    "abs": (0, 0),
    "neg": (0, 0),
    "erf": (1.0, 1.5),
    "gelu": (None, None),
}
GELU_ATOL = {True: 5e-6, False: 1e-3}


@pytest.fixture(scope="session")
def harness_exe(tmp_path_factory):
    """Builds the harness once per (fp32 DEST, APPROX) for the session."""
    built = {}

    def get(fp32: bool, approx: bool):
        if (fp32, approx) not in built:
            built[fp32, approx] = harness.build(tmp_path_factory.mktemp("sfpi_alg"), fp32=fp32, approx=approx)
        return built[fp32, approx]

    return get


@pytest.fixture(scope="session", params=[True, False], ids=["fp32_dest", "bf16_dest"])
def precise(request, harness_exe):
    return request.param, harness_exe(request.param, False)


def pcc(a, b) -> float:
    return float(np.corrcoef(a, b)[0, 1])


@pytest.mark.parametrize("name", [*ops.OPS, *ops.BINARY_OPS])
def test_precise_mode(precise, name):
    fp32, exe = precise
    got, want = ops.run_op(exe, harness, name, fp32, np.random.default_rng())
    assert np.all(np.isfinite(got))
    if not fp32:  # a 16-bit DEST holds bf16: SFPSTORE keeps the upper half of each result
        assert np.all((got.astype(np.float32).view(np.uint32) & 0xFFFF) == 0)
    assert pcc(got, want) >= 0.999
    bound = ULP_BOUND[name][0 if fp32 else 1]
    if bound is None:
        np.testing.assert_allclose(got, want, rtol=1.6e-2, atol=GELU_ATOL[fp32])
    else:
        assert ops.bf16_ulps(got, want).max() <= bound


# The approximate modes (APPROX) trade accuracy for speed; bounds are tt-metal's PCC for approximate ops and
# the documented character of each approximation (abs error of the LUT fits, relative error of exp).
APPROX_CHECK = {
    "exp": lambda g, w: np.max(np.abs(g - w) / np.abs(w)) < 0.04,
    "tanh": lambda g, w: np.max(np.abs(g - w)) < 0.025,
    "gelu": lambda g, w: np.max(np.abs(g - w)) < 0.03,
    "recip": lambda g, w: np.max(np.abs(g - w) / np.abs(w)) < 0.01,
    "sqrt": lambda g, w: np.max(np.abs(g - w) / np.maximum(np.abs(w), 1e-3)) < 0.01,
}


@pytest.fixture(scope="session", params=[True, False], ids=["fp32_dest", "bf16_dest"])
def approx(request, harness_exe):
    return request.param, harness_exe(request.param, True)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(APPROX_CHECK))
def test_approx_mode(approx, name):
    fp32, exe = approx
    got, want = ops.run_op(exe, harness, name, fp32, np.random.default_rng())
    assert pcc(got, want) >= 0.99
    assert APPROX_CHECK[name](got, want)


def _tilize(t: np.ndarray) -> np.ndarray:
    return np.concatenate(
        [t[fr * 16 : fr * 16 + 16, fc * 16 : fc * 16 + 16].reshape(-1) for fr in (0, 1) for fc in (0, 1)]
    )


def _untilize(v: np.ndarray) -> np.ndarray:
    t = np.zeros((32, 32), v.dtype)
    for f, (fr, fc) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        t[fr * 16 : fr * 16 + 16, fc * 16 : fc * 16 + 16] = v[f * 256 : f * 256 + 256].reshape(16, 16)
    return t


def test_cumsum_is_sequential_wormhole_adds(precise):
    """cumsum_tile's algorithm (SFPTRANSP of LReg quads, a recorded REPLAY of SFPADDs, RC_custom faces): each
    column's running sum, bit for bit the sequence of Wormhole adds down the rows, each stored as DEST holds it."""
    fp32, exe = precise
    rng = np.random.default_rng()
    tile = rng.uniform(-4, 4, (32, 32)).astype(np.float32)
    tiles = np.zeros((4, 1024), np.uint32)
    tiles[0] = ops.to_dest(_tilize(tile), fp32)
    got = _untilize(harness.run(exe, "unary:cumsum", tiles).reshape(4, 1024)[0])
    x = _untilize(tiles[0])
    want = np.zeros((32, 32), np.uint32)
    for c in range(32):
        acc = int(x[0, c])
        want[0, c] = acc
        for r in range(1, 32):
            acc = oracle.mad(0x3F800000, int(x[r, c]), acc)[0]
            want[r, c] = acc if fp32 else oracle.bf16_store(acc)  # the running sum stays in an fp32 LReg
    assert np.array_equal(got, want)


def test_typecast_fp32_to_int32_truncates_and_saturates(harness_exe):
    """typecast_tile Float32 -> Int32 (condition codes from SFPEXEXP and SFPIADD, SFPSHFT, SFPCOMPC): toward
    zero, saturating at the int32 range, infinities to the limits."""
    rng = np.random.default_rng()
    x = (rng.uniform(-1, 1, 1024) * np.exp2(rng.integers(-3, 34, 1024))).astype(np.float32)
    x[:8] = [0.5, -0.5, 2.0**31, -(2.0**31), np.inf, -np.inf, -0.0, 2.0**31 - 128]
    tiles = np.zeros((4, 1024), np.uint32)
    tiles[0] = x.view(np.uint32)
    got = (
        harness.run(harness_exe(True, False), "unary:typecast_fp32_int32", tiles)
        .reshape(4, 1024)[0]
        .view(np.int32)
    )
    xd = x.astype(np.float64)
    want = np.where(
        np.isinf(xd), np.where(xd > 0, 2**31 - 1, -(2**31)), np.clip(np.trunc(xd), -(2**31), 2**31 - 1)
    )
    assert np.array_equal(got.astype(np.int64), want.astype(np.int64))


def test_typecast_int32_to_fp32_rounds_to_nearest_even(harness_exe):
    """typecast_tile Int32 -> Float32 (SFPABS, SFPCAST, SFPSETSGN, a conditional SFPADDI for INT_MIN)."""
    rng = np.random.default_rng()
    ints = rng.integers(-(2**31), 2**31, 1024).astype(np.int64)
    ints[:6] = [0, -1, -(2**31), 2**31 - 1, 2**24 + 1, -(2**24) - 3]
    tiles = np.zeros((4, 1024), np.uint32)
    tiles[0] = ints.astype(np.int32).view(np.uint32)
    got = harness.run(harness_exe(True, False), "unary:typecast_int32_fp32", tiles).reshape(4, 1024)[0]
    want = np.array([oracle.round_fp32_wh(Fraction(int(v))) for v in ints.tolist()], np.uint32)
    assert np.array_equal(got, want)
