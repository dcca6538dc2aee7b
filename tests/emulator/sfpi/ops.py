"""The SFPU ops the tests and benchmarks/sfpu_ops.py run through the harness: input range and float64
reference of each (as tt-metal's unary tests sample them)."""

import numpy as np
import torch


def _signed(lo, hi):
    def draw(rng, n):
        return rng.uniform(lo, hi, n) * rng.choice([-1.0, 1.0], n)

    return draw


def _uniform(lo, hi):
    return lambda rng, n: rng.uniform(lo, hi, n)


OPS = {
    # name: (inputs, reference on float64 tensors)
    "exp": (_uniform(-8, 8), lambda x: x.exp()),
    "log": (_uniform(0.01, 100), lambda x: x.log()),
    "gelu": (_uniform(-5, 5), lambda x: torch.nn.functional.gelu(x)),
    "sigmoid": (_uniform(-8, 8), lambda x: x.sigmoid()),
    "tanh": (_uniform(-4, 4), lambda x: x.tanh()),
    "silu": (_uniform(-6, 6), lambda x: torch.nn.functional.silu(x)),
    "recip": (_signed(0.01, 100), lambda x: 1 / x),
    "sqrt": (_uniform(0, 100), lambda x: x.sqrt()),
    "rsqrt": (_uniform(0.01, 100), lambda x: x.rsqrt()),
    "relu": (_uniform(-10, 10), lambda x: x.relu()),
    "abs": (_uniform(-10, 10), lambda x: x.abs()),
    "neg": (_uniform(-10, 10), lambda x: -x),
    "square": (_uniform(-10, 10), lambda x: x * x),
    "erf": (_uniform(-3, 3), lambda x: torch.erf(x)),
}
BINARY_OPS = {
    "div": ((_uniform(-10, 10), _signed(0.1, 10)), lambda a, b: a / b),
}


def to_dest(values: np.ndarray, fp32: bool) -> np.ndarray:
    """DEST words: fp32 bits, or bf16 (round to nearest even) in the upper half for a 16-bit DEST."""
    bits = values.astype(np.float32).view(np.uint32)
    if fp32:
        return bits
    rounded = bits.astype(np.uint64) + 0x7FFF + ((bits >> 16) & 1)
    return (rounded.astype(np.uint32) & 0xFFFF0000).astype(np.uint32)


def from_dest(words: np.ndarray) -> np.ndarray:
    return words.view(np.float32).astype(np.float64)


def bf16_ulps(got: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """|got - ref| in units of the bf16 spacing at ref (2**-133 at and below the smallest normal)."""
    mag = np.maximum(np.abs(ref), 2.0**-126)
    ulp = np.exp2(np.floor(np.log2(mag)) - 7)
    return np.abs(got - ref) / ulp


def run_op(exe, harness, name: str, fp32: bool, rng) -> tuple[np.ndarray, np.ndarray]:
    """Runs op `name` on one tile of fresh inputs; returns (result, float64 reference of the DEST inputs)."""
    tiles = np.zeros((4, 1024), np.uint32)
    if name in OPS:
        draw, ref = OPS[name]
        tiles[0] = to_dest(draw(rng, 1024), fp32)
        out = harness.run(exe, f"unary:{name}", tiles).reshape(4, 1024)[0]
        want = ref(torch.from_numpy(from_dest(tiles[0]))).numpy()
    else:
        (da, db), ref = BINARY_OPS[name]
        tiles[0], tiles[1] = to_dest(da(rng, 1024), fp32), to_dest(db(rng, 1024), fp32)
        out = harness.run(exe, f"binary:{name}", tiles).reshape(4, 1024)[0]
        want = ref(torch.from_numpy(from_dest(tiles[0])), torch.from_numpy(from_dest(tiles[1]))).numpy()
    return from_dest(out), want
