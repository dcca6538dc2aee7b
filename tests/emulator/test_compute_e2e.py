"""End-to-end compute tests: small reduce / broadcast / tilize-untilize / SFPU programs launched through
``ttnn.generic_op`` on the emulator (reader, compute and writer kernels from ``kernels/compute_e2e_*.cpp``),
checked bit for bit against the Wormhole model of ``wh_oracle.py`` (FPU ops) and float64 (SFPU).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.emulator import oracles as O
from tests.emulator import wh_oracle as W

ROOT = Path(__file__).resolve().parents[2]
KERNELS = Path(__file__).resolve().parent / "kernels"

pytestmark = pytest.mark.skipif(
    not (ROOT / "emulator" / "launcher.py").exists(), reason="the emulator launcher is not available"
)

TILE_BYTES = 2048  # bf16


@pytest.fixture(scope="module")
def ttnn_dev():
    import ttnn

    dev = ttnn.open_device(device_id=0)
    yield ttnn, dev
    ttnn.close_device(dev)


def to_device(ttnn, dev, x: np.ndarray, layout):
    import torch

    # values are bf16 already; a bfloat16 torch tensor spares ttnn a conversion it only does with a device
    t = torch.from_numpy(np.ascontiguousarray(x, np.float32)).to(torch.bfloat16)
    return ttnn.from_torch(
        t, dtype=ttnn.bfloat16, layout=layout, device=dev, memory_config=ttnn.DRAM_MEMORY_CONFIG
    )


def run_program(
    ttnn,
    dev,
    inputs,
    out_shape,
    out_layout,
    op,
    variant,
    Wt,
    Ht,
    *,
    rows_mode=False,
    cb_pages=None,
    fp32_dest=False,
    fidelity=None,
):
    """inputs: [(array, layout, n_pages_or_blocks)]; returns the output as float32 numpy."""
    out = ttnn.allocate_tensor_on_device(
        ttnn.Shape(list(out_shape)), ttnn.bfloat16, out_layout, dev, ttnn.DRAM_MEMORY_CONFIG
    )
    tensors = [to_device(ttnn, dev, x, layout) for x, layout, _ in inputs]
    core = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(0, 0))])
    pages = {0: 2 * Wt, 1: 2, 2: 1, 16: 2 * Wt, 24: Wt}
    pages.update(cb_pages or {})
    used = [i for i in range(len(inputs))] + [16] + ([24] if op == 2 else [])
    cbs = [
        ttnn.CBDescriptor(
            total_size=pages[i] * TILE_BYTES,
            core_ranges=core,
            format_descriptors=[
                ttnn.CBFormatDescriptor(buffer_index=i, data_format=ttnn.bfloat16, page_size=TILE_BYTES)
            ],
        )
        for i in used
    ]
    stick_bytes = inputs[0][0].shape[-1] * 2 if rows_mode else 0
    reader_ct = [int(rows_mode), len(inputs), stick_bytes]
    for t in tensors:
        reader_ct += list(ttnn.TensorAccessorArgs(t).get_compile_time_args())
    for _ in range(3 - len(tensors)):
        reader_ct += list(ttnn.TensorAccessorArgs(tensors[0]).get_compile_time_args())
    writer_ct = [int(rows_mode), stick_bytes] + list(ttnn.TensorAccessorArgs(out).get_compile_time_args())
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    reader_rt[0][0] = [v for t, (_, _, n) in zip(tensors, inputs) for v in (t.buffer_address(), n)]
    n_out = Ht if rows_mode else int(np.prod(out_shape)) // 1024
    writer_rt[0][0] = [out.buffer_address(), n_out]
    compute_rt[0][0] = []
    config = ttnn.ComputeConfigDescriptor()
    config.math_fidelity = fidelity or ttnn.MathFidelity.HiFi4
    config.fp32_dest_acc_en = fp32_dest
    config.math_approx_mode = False
    kernels = [
        ttnn.KernelDescriptor(
            kernel_source=str(KERNELS / "compute_e2e_reader.cpp"),
            core_ranges=core,
            compile_time_args=reader_ct,
            runtime_args=reader_rt,
            config=ttnn.ReaderConfigDescriptor(),
        ),
        ttnn.KernelDescriptor(
            kernel_source=str(KERNELS / "compute_e2e_writer.cpp"),
            core_ranges=core,
            compile_time_args=writer_ct,
            runtime_args=writer_rt,
            config=ttnn.WriterConfigDescriptor(),
        ),
        ttnn.KernelDescriptor(
            kernel_source=str(KERNELS / "compute_e2e_ops.cpp"),
            core_ranges=core,
            compile_time_args=[op, variant, Wt, Ht],
            runtime_args=compute_rt,
            config=config,
        ),
    ]
    program = ttnn.ProgramDescriptor(kernels=kernels, semaphores=[], cbs=cbs)
    result = ttnn.generic_op(tensors + [out], program)
    return ttnn.to_torch(result).float().numpy()


def bf16(rng, shape, scale=1.0):
    return O.bf16_truncate(rng.standard_normal(shape).astype(np.float32) * np.float32(scale))


def tile_rows(x, Ht, Wt):
    """(32·Ht, 32·Wt) → [h][w] logical 32×32 tiles."""
    return [[x[32 * h : 32 * h + 32, 32 * w : 32 * w + 32] for w in range(Wt)] for h in range(Ht)]


@pytest.mark.parametrize("variant", [0, 1, 2], ids=["row", "col", "scalar"])
def test_reduce(rng, ttnn_dev, variant):
    ttnn, dev = ttnn_dev
    Ht, Wt = 2, 3
    x = bf16(rng, (32 * Ht, 32 * Wt))
    s = float(O.bf16_truncate(np.float32(1 / 96)))
    scaler = O.scaler_tile(s)
    got = run_program(
        ttnn,
        dev,
        [
            (x, ttnn.TILE_LAYOUT, Ht * Wt),
            (np.zeros((32, 32), np.float32), ttnn.TILE_LAYOUT, 0),
            (scaler, ttnn.TILE_LAYOUT, 1),
        ],
        (32 * Ht, 32),
        ttnn.TILE_LAYOUT,
        0,
        variant,
        Wt,
        Ht,
    )
    keep = np.zeros((32, 32), bool)  # the packer's reduce edge mask
    keep[[slice(None), 0, 0][variant], [0, slice(None), 0][variant]] = True
    for h, row in enumerate(tile_rows(x, Ht, Wt)):
        dst = np.zeros((32, 32), np.uint32)
        for t in row:  # every reduce_tile rounds into the 16-bit DEST, per face and fidelity phase
            dst = W.reduce(
                "sum", ["row", "col", "scalar"][variant], O.bits(t), O.bits(scaler), dst=dst, had=True
            )
        expected = np.where(keep, W.pack_bf16(dst), 0).astype(np.uint32) << 16
        np.testing.assert_array_equal(O.bits(got[32 * h : 32 * h + 32]), expected)


@pytest.mark.parametrize("variant", [0, 1, 2], ids=["sub_col", "mul_row", "add_scalar"])
def test_bcast(rng, ttnn_dev, variant):
    ttnn, dev = ttnn_dev
    Ht, Wt = 2, 2
    a = bf16(rng, (32 * Ht, 32 * Wt))
    b = bf16(rng, (32 * Ht, 32))
    got = run_program(
        ttnn,
        dev,
        [(a, ttnn.TILE_LAYOUT, Ht * Wt), (b, ttnn.TILE_LAYOUT, Ht)],
        a.shape,
        ttnn.TILE_LAYOUT,
        1,
        variant,
        Wt,
        Ht,
    )
    kind = ["col", "row", "scalar"][variant]
    op = ["sub", "mul", "add"][variant]
    for h, row in enumerate(tile_rows(a, Ht, Wt)):
        bb = O.bits(b[32 * h : 32 * h + 32])
        for w, t in enumerate(row):
            expected = W.pack_bf16(W.binary(op, O.bits(t), bb, bcast=kind)).astype(np.uint32) << 16
            np.testing.assert_array_equal(O.bits(got[32 * h : 32 * h + 32, 32 * w : 32 * w + 32]), expected)


def test_tilize_untilize_round_trip(rng, ttnn_dev):
    ttnn, dev = ttnn_dev
    Ht, Wt = 2, 4
    x = bf16(rng, (32 * Ht, 32 * Wt))
    got = run_program(
        ttnn,
        dev,
        [(x, ttnn.ROW_MAJOR_LAYOUT, Ht)],
        x.shape,
        ttnn.ROW_MAJOR_LAYOUT,
        2,
        0,
        Wt,
        Ht,
        rows_mode=True,
    )
    np.testing.assert_array_equal(got, x)


@pytest.mark.parametrize("variant", [0, 1, 2], ids=["sqrt", "rsqrt", "recip"])
def test_sfpu(rng, ttnn_dev, variant):
    ttnn, dev = ttnn_dev
    x = O.bf16_truncate(np.abs(bf16(rng, (32, 64), scale=10)) + np.float32(0.01))
    got = run_program(ttnn, dev, [(x, ttnn.TILE_LAYOUT, 2)], x.shape, ttnn.TILE_LAYOUT, 3, variant, 2, 1)
    xd = x.astype(np.float64)
    ref = [np.sqrt(xd), 1 / np.sqrt(xd), 1 / xd][variant]
    ideal = O.bf16_rne(ref.astype(np.float32))
    ulp = np.spacing(ideal) * 65536
    assert np.all(np.abs(got - ideal) <= ulp)
    assert np.mean(got == ideal) > 0.97
