"""Triton norms against float64 torch references, on CPU through the Triton interpreter (or on a GPU).

Tolerance: the kernels round once to the output dtype, so each element must be within one output ulp
of the float64 reference (the interpreter truncates fp32 -> bf16 instead of rounding, which still stays
inside one ulp), plus a few fp32 ulps for the fp32 math.
"""

from __future__ import annotations

import os

import pytest

torch = pytest.importorskip("torch")
if not torch.cuda.is_available():
    # Must be set before triton is first imported.
    os.environ.setdefault("TRITON_INTERPRET", "1")
pytest.importorskip("triton")

import siblings.triton as st

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
DTYPES = [torch.float32, torch.float16, torch.bfloat16]
MANTISSA = {torch.float32: 23, torch.float16: 10, torch.bfloat16: 7}


def ulp(ref: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Spacing of `dtype` numbers at |ref| (ref in float64)."""
    _, exp = torch.frexp(ref.abs().clamp_min(2.0**-14))
    return torch.ldexp(torch.ones_like(ref), exp - 1 - MANTISSA[dtype])


def assert_close_ulp(out: torch.Tensor, ref: torch.Tensor, dtype: torch.dtype):
    assert out.dtype == dtype
    assert out.shape == ref.shape
    err = (out.double().cpu() - ref.cpu()).abs()
    bound = ulp(ref.cpu(), dtype) * (1.0 if dtype != torch.float32 else 8.0) + 1e-6
    worst = (err / bound).max().item()
    assert torch.isfinite(out).all()
    assert worst <= 1.0, f"max error {err.max().item():.3g} is {worst:.2f}x the one-ulp bound"


def ref_rms(x, w=None, eps=1e-6, offset=0.0):
    xd = x.double().cpu()
    y = xd * torch.rsqrt(xd.pow(2).mean(-1, keepdim=True) + eps)
    return y if w is None else y * (offset + w.double().cpu())


def ref_ln(x, w=None, b=None, eps=1e-5):
    xd = x.double().cpu()
    mean = xd.mean(-1, keepdim=True)
    var = (xd - mean).pow(2).mean(-1, keepdim=True)
    y = (xd - mean) / torch.sqrt(var + eps)
    if w is not None:
        y = y * w.double().cpu()
    if b is not None:
        y = y + b.double().cpu()
    return y


def rand(*shape, dtype=torch.float32, seed=0, scale=1.0, shift=0.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g, dtype=torch.float32) * scale + shift).to(dtype).to(DEVICE)


SHAPES = [(7, 128), (3, 1000), (2, 4096), (33, 96), (1, 5120)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_rms_norm(dtype, shape):
    x = rand(*shape, dtype=dtype, seed=1)
    w = rand(shape[-1], dtype=dtype, seed=2)
    assert_close_ulp(st.rms_norm(x, w, 1e-6), ref_rms(x, w, 1e-6), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_layer_norm(dtype, shape):
    # A large common offset checks that the variance is centred (E[x^2] - E[x]^2 would cancel).
    x = rand(*shape, dtype=dtype, seed=3, scale=2.0, shift=3.0)
    w = rand(shape[-1], dtype=dtype, seed=4)
    b = rand(shape[-1], dtype=dtype, seed=5)
    assert_close_ulp(st.layer_norm(x, w, b, 1e-5), ref_ln(x, w, b, 1e-5), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_fused_add_rms_norm(dtype):
    x = rand(5, 768, dtype=dtype, seed=6)
    r = rand(5, 768, dtype=dtype, seed=7)
    w = rand(768, dtype=dtype, seed=8)
    y, h = st.fused_add_rms_norm(x, r, w, 1e-6)
    h_ref = x.double().cpu() + r.double().cpu()
    assert_close_ulp(h, h_ref, dtype)
    assert_close_ulp(y, ref_rms(h_ref, w, 1e-6), dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_gemma_rms_norm_uses_one_plus_weight(dtype):
    x = rand(4, 640, dtype=dtype, seed=9)
    w = rand(640, dtype=dtype, seed=10, scale=0.1)
    assert_close_ulp(st.gemma_rms_norm(x, w, 1e-6), ref_rms(x, w, 1e-6, offset=1.0), dtype)


def test_optional_weight_and_bias():
    x = rand(6, 300, seed=11)
    assert_close_ulp(st.rms_norm(x), ref_rms(x), torch.float32)
    assert_close_ulp(st.layer_norm(x), ref_ln(x), torch.float32)
    w = rand(300, seed=12)
    assert_close_ulp(st.layer_norm(x, w), ref_ln(x, w), torch.float32)


def test_mixed_dtypes_and_out_dtype():
    x = rand(4, 512, dtype=torch.bfloat16, seed=13)
    w = rand(512, dtype=torch.float32, seed=14)
    assert_close_ulp(st.rms_norm(x, w, out_dtype=torch.float32), ref_rms(x, w), torch.float32)
    assert_close_ulp(st.rms_norm(x, w), ref_rms(x, w), torch.bfloat16)


def test_leading_dims_and_row_stride():
    x = rand(2, 3, 256, seed=15)
    w = rand(256, seed=16)
    assert_close_ulp(st.rms_norm(x, w), ref_rms(x, w), torch.float32)
    wide = rand(5, 512, seed=17)
    view = wide[:, :256]  # row stride 512, last dim contiguous
    assert_close_ulp(st.layer_norm(view, w), ref_ln(view, w), torch.float32)


def test_large_rows_take_the_large_row_path():
    n = 40000  # not a multiple of any chunk: the last chunk is partial
    plan = st.plan_launch(2, n, torch.float32, on_gpu=DEVICE == "cuda")
    assert plan.path in ("staged", "split", "looped")
    x = rand(2, n, seed=18, shift=1.0)
    w = rand(n, seed=19)
    b = rand(n, seed=20)
    r = rand(2, n, seed=21)
    assert_close_ulp(st.rms_norm(x, w), ref_rms(x, w), torch.float32)
    assert_close_ulp(st.layer_norm(x, w, b), ref_ln(x, w, b), torch.float32)
    y, h = st.fused_add_rms_norm(x, r, w)
    assert_close_ulp(y, ref_rms(x.double() + r.double(), w), torch.float32)
    assert_close_ulp(h, x.double().cpu() + r.double().cpu(), torch.float32)


@pytest.mark.slow
@pytest.mark.parametrize("n", [65536, 262144])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_huge_rows(n, dtype):
    m = 3 if DEVICE == "cpu" else 64
    x = rand(m, n, dtype=dtype, seed=22, shift=0.5)
    w = rand(n, dtype=dtype, seed=23)
    b = rand(n, dtype=dtype, seed=24)
    assert_close_ulp(st.rms_norm(x, w), ref_rms(x, w), dtype)
    assert_close_ulp(st.layer_norm(x, w, b), ref_ln(x, w, b), dtype)
    # Repeated launches reuse the split kernel's arrival counters: they must come back reset.
    assert_close_ulp(st.rms_norm(x, w), ref_rms(x, w), dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_persistent_two_pass_kernel(monkeypatch, dtype):
    """The persistent large-row kernel (forced here, whatever the tuning picks): programs loop over rows,
    the last chunk is partial, LayerNorm's per-lane Welford state is combined at the row's end."""
    from siblings.triton import norms

    plan = norms.LaunchPlan("persist", 1, 512, 1, 4, hints=True, per_sm=1.0)
    monkeypatch.setattr(norms, "plan_launch", lambda *a, **k: plan)
    x = rand(9, 1800, dtype=dtype, seed=30, scale=2.0, shift=3.0)
    w = rand(1800, dtype=dtype, seed=31)
    b = rand(1800, dtype=dtype, seed=32)
    r = rand(9, 1800, dtype=dtype, seed=33)
    assert_close_ulp(st.rms_norm(x, w), ref_rms(x, w), dtype)
    assert_close_ulp(st.layer_norm(x, w, b), ref_ln(x, w, b), dtype)
    y, h = st.fused_add_rms_norm(x, r, w)
    hd = x.double().cpu() + r.double().cpu()
    assert_close_ulp(y, ref_rms(hd, w), dtype)
    assert_close_ulp(h, hd, dtype)


def _check_all_ops(x, w, b, r, dtype):
    assert_close_ulp(st.rms_norm(x, w), ref_rms(x, w), dtype)
    assert_close_ulp(st.layer_norm(x, w, b), ref_ln(x, w, b), dtype)
    y, h = st.fused_add_rms_norm(x, r, w)
    hd = x.double().cpu() + r.double().cpu()
    assert_close_ulp(y, ref_rms(hd, w), dtype)
    assert_close_ulp(h, hd, dtype)
    assert_close_ulp(st.layer_norm(x), ref_ln(x), dtype)  # no weight / bias


@pytest.mark.parametrize("depth", [1, 2])
@pytest.mark.parametrize("hold", [False, True])
def test_pipelined_kernel_whole_rows(monkeypatch, depth, hold):
    """The persistent pipelined kernel with one program per row (no exchange; runs in the interpreter):
    programs loop over more rows than there are programs, loading DEPTH rows ahead, the last ones past
    the end masked off."""
    from siblings.triton import norms

    plan = norms.LaunchPlan("pipe", 1, 1024, 1, 4, hold=hold, depth=depth)
    monkeypatch.setattr(norms, "plan_launch", lambda *a, **k: plan)
    # 16-bit rows of even width are loaded ahead as 32-bit words; odd widths and fp32 are not.
    for dtype, n in (
        (torch.float32, 1000),
        (torch.bfloat16, 1000),
        (torch.float16, 998),
        (torch.bfloat16, 999),
    ):
        x = rand(11, n, dtype=dtype, seed=40, scale=2.0, shift=3.0)
        w = rand(n, dtype=dtype, seed=41)
        b = rand(n, dtype=dtype, seed=42)
        _check_all_ops(x, w, b, rand(11, n, dtype=dtype, seed=43), dtype)


@pytest.mark.skipif(DEVICE == "cpu", reason="parts of a row wait on each other: needs concurrent programs")
@pytest.mark.parametrize("depth", [1, 2])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_pipelined_kernel_split_rows(monkeypatch, dtype, depth):
    """Rows split across 4 programs (the last chunk partial) exchanging statistics through tagged,
    double-buffered slots: repeated launches, different ops, a different group count, and CUDA-graph
    replays must all continue the slots' step count consistently."""
    from siblings.triton import norms

    plan = norms.LaunchPlan("pipe", 1, 512, 4, 4, hold=depth == 2, depth=depth)
    monkeypatch.setattr(norms, "plan_launch", lambda *a, **k: plan)
    for m, seed in ((1000, 50), (37, 51), (3, 52), (1000, 53)):
        x = rand(m, 1800, dtype=dtype, seed=seed, scale=2.0, shift=3.0)
        w = rand(1800, dtype=dtype, seed=seed + 100)
        b = rand(1800, dtype=dtype, seed=seed + 200)
        _check_all_ops(x, w, b, rand(m, 1800, dtype=dtype, seed=seed + 300), dtype)
    x = rand(300, 1800, dtype=dtype, seed=60, shift=-1.0)
    w = rand(1800, dtype=dtype, seed=61)
    b = rand(1800, dtype=dtype, seed=62)
    st.layer_norm(x, w, b)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        y = st.layer_norm(x, w, b)
    for seed in (63, 64, 65):
        x.copy_(rand(300, 1800, dtype=dtype, seed=seed, shift=0.5))
        graph.replay()
        torch.cuda.synchronize()
        assert_close_ulp(y, ref_ln(x, w, b), dtype)
    assert_close_ulp(st.rms_norm(x, w), ref_rms(x, w), dtype)


@pytest.mark.skipif(DEVICE == "cpu", reason="parts of a row wait on each other: needs concurrent programs")
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
@pytest.mark.parametrize("n", [40000, 39999])
def test_split_kernel_holding_words(monkeypatch, dtype, n):
    """The split kernel holding 16-bit x as 32-bit words through the exchange (odd widths and fused
    residuals fall back to fp32 values), on mean-shifted rows."""
    from siblings.triton import norms

    plan = norms.LaunchPlan("split", 1, 4096, -(-n // 4096), 4, preload=False, pack=True)
    monkeypatch.setattr(norms, "plan_launch", lambda *a, **k: plan)
    x = rand(37, n, dtype=dtype, seed=70, scale=2.0, shift=3.0)
    _check_all_ops(
        x,
        rand(n, dtype=dtype, seed=71),
        rand(n, dtype=dtype, seed=72),
        rand(37, n, dtype=dtype, seed=73),
        dtype,
    )


def _force_plan(monkeypatch, plan):
    """Every launch takes `plan`; a caller whose tensors do not suit a staged plan gets the normal one."""
    from siblings.triton import norms

    real = norms.plan_launch
    monkeypatch.setattr(
        norms,
        "plan_launch",
        lambda *a, allow_staged=True, **k: plan if allow_staged else real(*a, allow_staged=False, **k),
    )


@pytest.mark.skipif(DEVICE == "cpu", reason="Gluon kernels need a GPU (no interpreter)")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("n", "chunk", "rows", "hold", "cap"),
    [
        (40000, 16384, 1, False, 0),
        (40000, 8192, 4, False, 0),
        (40000, 4096, 4, True, 80),
        (40000, 4096, 4, True, 0),
        (16384, 16384, 1, False, 0),
        (8192, 2048, 8, False, 0),
        (8192, 2048, 2, True, 0),
        (1000, 1024, 1, False, 0),
        (1000, 1024, 1, True, 96),
    ],
)
@pytest.mark.parametrize("row_copies", [False, True])
def test_staged_kernel(monkeypatch, dtype, n, chunk, rows, hold, cap, row_copies):
    """The shared-memory kernel: whole rows (one chunk) and rows split across programs, the last chunk
    partial, several rows per program (37 rows: the last group partial), weight and bias in shared memory
    or in registers, in x's dtype or another, with or without a register cap, one copy group for all rows
    or one per row; weight/bias optional, the Gemma offset; a fused residual or a width that is not whole
    16-byte copies falls back to the register kernels."""
    from siblings.triton import norms

    if not norms.staged.AVAILABLE:
        pytest.skip("this Triton has no Gluon")
    # A register cap as TUNING may ask (ptxas spills what does not fit).
    plan = norms.LaunchPlan(
        "staged",
        rows,
        chunk,
        -(-n // chunk),
        4,
        hold=hold,
        max_regs=cap,
        row_copies=row_copies,
    )
    _force_plan(monkeypatch, plan)
    x = rand(37, n, dtype=dtype, seed=80, scale=2.0, shift=3.0)
    w = rand(n, dtype=dtype, seed=81)
    _check_all_ops(x, w, rand(n, dtype=dtype, seed=82), rand(37, n, dtype=dtype, seed=83), dtype)
    assert_close_ulp(st.gemma_rms_norm(x, w), ref_rms(x, w, offset=1.0), dtype)
    assert_close_ulp(st.rms_norm(x), ref_rms(x), dtype)
    odd = rand(5, n - 1, dtype=dtype, seed=84, shift=-1.0)
    assert_close_ulp(st.layer_norm(odd), ref_ln(odd), dtype)
    # Weight and bias in another dtype than x (shared memory and registers hold them in their own dtype).
    other = {torch.float32: torch.bfloat16, torch.float16: torch.float32, torch.bfloat16: torch.float16}
    w2 = rand(n, dtype=other[dtype], seed=85)
    assert_close_ulp(st.rms_norm(x, w2), ref_rms(x, w2), dtype)
    assert_close_ulp(st.layer_norm(x, w2), ref_ln(x, w2), dtype)
    if dtype != torch.float32:
        # With a bias, an fp32 output where x_hat * w and b nearly cancel can exceed 8 ulps of the result
        # without being wrong; one 16-bit ulp leaves room for that.
        b2 = rand(n, dtype=other[dtype], seed=86)
        assert_close_ulp(st.layer_norm(x, w2, b2), ref_ln(x, w2, b2), dtype)


@pytest.mark.skipif(DEVICE == "cpu", reason="the interpreter launches through Triton every time")
def test_relaunch_follows_triton_specialisation(monkeypatch):
    """A launch reuses a compiled kernel only for arguments Triton would specialise the same way: rows
    that start 16-byte aligned or not, a width divisible by 16 or not, one row or several, a new dtype;
    each combination is right, and each got its own compiled kernel."""
    from siblings.triton import launch

    monkeypatch.setattr(launch, "_COMPILED", {})
    wide = rand(9, 4104, dtype=torch.bfloat16, seed=90, shift=1.0)
    w = rand(4104, dtype=torch.bfloat16, seed=91)
    cases = [
        wide[:, :4096],  # aligned rows, width divisible by 16
        wide[:, 1:4097],  # rows that start 2 bytes past a 16-byte boundary
        wide[:, 8:4101],  # width 4093
        wide[:1, :4096],  # one row
        wide[:, :4096].float(),
    ]
    compiled = []
    for _ in range(2):  # the second round relaunches what the first compiled
        for x in cases:
            assert_close_ulp(st.rms_norm(x, w[: x.shape[1]]), ref_rms(x, w[: x.shape[1]]), x.dtype)
            assert_close_ulp(st.layer_norm(x), ref_ln(x), x.dtype)
        compiled.append(len(launch._COMPILED))
    # Each case compiled its own kernels in the first round, and the second round reused them all.
    assert compiled[0] >= 2 * len(cases)
    assert compiled[1] == compiled[0]


@pytest.mark.skipif(DEVICE == "cpu", reason="Gluon kernels need a GPU (no interpreter)")
def test_staged_kernel_shares_slots_with_the_split_kernel(monkeypatch):
    """Staged and split launches of the same split count advance the same slots by one generation each,
    interleaved, and in CUDA-graph replays."""
    from siblings.triton import norms

    if not norms.staged.AVAILABLE:
        pytest.skip("this Triton has no Gluon")
    dtype, n = torch.bfloat16, 24576
    staged_plan = norms.LaunchPlan("staged", 2, 8192, 3, 4)
    held_plan = norms.LaunchPlan("staged", 4, 8192, 3, 8, hold=True)
    split_plan = norms.LaunchPlan("split", 1, 8192, 3, 4, preload=False)
    x = rand(300, n, dtype=dtype, seed=90, shift=0.5)
    w = rand(n, dtype=dtype, seed=91)
    b = rand(n, dtype=dtype, seed=92)
    for plan in (staged_plan, split_plan, held_plan, staged_plan, split_plan, held_plan):
        _force_plan(monkeypatch, plan)
        assert_close_ulp(st.layer_norm(x, w, b), ref_ln(x, w, b), dtype)
        assert_close_ulp(st.rms_norm(x, w), ref_rms(x, w), dtype)
    _force_plan(monkeypatch, staged_plan)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        y = st.layer_norm(x, w, b)
    for seed in (93, 94):
        x.copy_(rand(300, n, dtype=dtype, seed=seed, shift=-2.0))
        graph.replay()
        torch.cuda.synchronize()
        assert_close_ulp(y, ref_ln(x, w, b), dtype)
        _force_plan(monkeypatch, split_plan)
        assert_close_ulp(st.rms_norm(x, w), ref_rms(x, w), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [4096, 4095, 1000, 3000])
def test_layer_norm_row_tree(monkeypatch, dtype, n):
    """Decode-size LayerNorm from one reduction tree of (mean, M2, count) triples: whole rows, rows
    narrower than the tile (partial 16-byte groups, empty groups), weight and bias optional. The
    interpreter folds a custom reduction left to right rather than as a tree: M2 is then a running sum of
    hundreds of terms, past the fp32 output bound, and mean-shifted rows lose more. The GPU's tree has
    about ten levels, so the GPU alone gets fp32 outputs and shifted rows."""
    from siblings.triton import norms

    if DEVICE == "cpu" and dtype == torch.float32:
        pytest.skip("the interpreter's left-to-right fold is not the GPU's tree (see above)")
    _force_plan(monkeypatch, norms.LaunchPlan("row_tree", 1, max(1024, 1 << (n - 1).bit_length()), 1, 8))
    shift = 0.0 if DEVICE == "cpu" else 3.0
    x = rand(5, n, dtype=dtype, seed=95, scale=2.0, shift=shift)
    w = rand(n, dtype=dtype, seed=96)
    b = rand(n, dtype=dtype, seed=97)
    assert_close_ulp(st.layer_norm(x, w, b), ref_ln(x, w, b), dtype)
    assert_close_ulp(st.layer_norm(x), ref_ln(x), dtype)
    assert_close_ulp(st.layer_norm(x, w), ref_ln(x, w), dtype)


def test_decode_layer_norm_takes_the_tree_on_a_gpu(monkeypatch):
    """Two to 64 LayerNorm rows of 1024-4096 elements take the one-tree kernel on a GPU (not the
    interpreter), unless TUNING turns it off; RMSNorm, one row, wider or many rows keep the row tile."""
    from siblings.triton import norms

    monkeypatch.setattr(norms, "_interpreting", lambda: False)
    plan = st.plan_launch(8, 4096, torch.bfloat16, on_gpu=True, is_ln=True)
    assert (plan.path, plan.rows_per_program, plan.block, plan.num_warps) == ("row_tree", 1, 4096, 8)
    assert st.plan_launch(8, 4096, torch.bfloat16, on_gpu=True).path == "rows"
    assert st.plan_launch(4096, 4096, torch.bfloat16, on_gpu=True, is_ln=True).path == "rows"
    assert st.plan_launch(8, 4096, torch.bfloat16, on_gpu=False, is_ln=True).path == "rows"
    assert st.plan_launch(8, 16384, torch.bfloat16, on_gpu=True, is_ln=True).path == "rows"
    assert st.plan_launch(1, 4096, torch.bfloat16, on_gpu=True, is_ln=True).path == "rows"
    monkeypatch.setitem(norms.TUNING, "decode_tree_ln", {4: True, 2: False})
    assert st.plan_launch(8, 4096, torch.bfloat16, on_gpu=True, is_ln=True).path == "rows"
    assert st.plan_launch(8, 4096, torch.float32, on_gpu=True, is_ln=True).path == "row_tree"
    monkeypatch.setattr(norms, "_interpreting", lambda: True)
    assert st.plan_launch(8, 4096, torch.float32, on_gpu=True, is_ln=True).path == "rows"


def test_staged_plans_need_a_gpu_and_suitable_tensors(monkeypatch):
    """A staged entry in TUNING is taken on a GPU (where Gluon exists); the interpreter keeps the
    looped or row-tile kernels, and allow_staged=False gives what applies without the entry."""
    from siblings.triton import norms

    monkeypatch.setattr(norms, "_interpreting", lambda: False)
    monkeypatch.setattr(norms.staged, "AVAILABLE", True)
    monkeypatch.setitem(norms.TUNING, "large_rms", {2: {65536: ["staged", 8192, 4, 2]}, 4: {}})
    monkeypatch.setitem(norms.TUNING, "tiles_ln", {2: {16384: ["staged", 16384, 8, 4]}, 4: {}})
    plan = st.plan_launch(2048, 65536, torch.bfloat16, on_gpu=True)
    assert (plan.path, plan.split, plan.block, plan.num_warps, plan.rows_per_program, plan.hold) == (
        "staged",
        8,
        8192,
        4,
        2,
        False,
    )
    # A fifth entry holds weight and bias in registers, a sixth caps the registers per thread.
    monkeypatch.setitem(norms.TUNING, "large_ln", {2: {65536: ["staged", 2048, 2, 4, 1]}, 4: {}})
    plan = st.plan_launch(2048, 65536, torch.bfloat16, on_gpu=True, is_ln=True)
    assert (plan.path, plan.split, plan.num_warps, plan.rows_per_program, plan.hold, plan.max_regs) == (
        "staged",
        32,
        2,
        4,
        True,
        0,
    )
    monkeypatch.setitem(norms.TUNING, "large_ln", {2: {65536: ["staged", 4096, 4, 4, 1, 96]}, 4: {}})
    plan = st.plan_launch(2048, 65536, torch.bfloat16, on_gpu=True, is_ln=True)
    assert (plan.split, plan.hold, plan.max_regs, plan.row_copies) == (16, True, 96, False)
    monkeypatch.setitem(norms.TUNING, "large_ln", {2: {65536: ["staged", 4096, 4, 4, 1, 96, 1]}, 4: {}})
    assert st.plan_launch(2048, 65536, torch.bfloat16, on_gpu=True, is_ln=True).row_copies
    assert st.plan_launch(2048, 65536, torch.bfloat16, on_gpu=False).path == "looped"
    # Without it: the split kernel as tuned for this size.
    monkeypatch.setitem(norms.TUNING, "large_split_rms", {2: {65536: ["split", 4096, 2, 0, 1]}, 4: {}})
    fallback = st.plan_launch(2048, 65536, torch.bfloat16, on_gpu=True, allow_staged=False)
    assert (fallback.path, fallback.split, fallback.num_warps, fallback.pack) == ("split", 16, 2, True)
    plan = st.plan_launch(8192, 16384, torch.bfloat16, on_gpu=True, is_ln=True)
    assert (plan.path, plan.split, plan.block, plan.rows_per_program) == ("staged", 1, 16384, 1)
    # A chunk below one 16-byte copy per thread grows to it; a whole row stays one chunk.
    plan = st.plan_launch(8192, 10000, torch.bfloat16, on_gpu=True, is_ln=True)
    assert (plan.path, plan.split, plan.block) == ("staged", 1, 16384)
    assert (
        st.plan_launch(8192, 16384, torch.bfloat16, on_gpu=True, is_ln=True, allow_staged=False).path
        == "rows"
    )
    assert st.plan_launch(8, 16384, torch.bfloat16, on_gpu=True, is_ln=True).path == "rows"
    monkeypatch.setitem(norms.TUNING, "large_ln", {2: {65536: ["staged", 4096, 4, 3]}, 4: {}})
    with pytest.raises(ValueError, match="power of two"):
        st.plan_launch(2048, 65536, torch.bfloat16, on_gpu=True, is_ln=True)
    monkeypatch.setattr(norms.staged, "AVAILABLE", False)
    assert st.plan_launch(2048, 65536, torch.bfloat16, on_gpu=True).path == "split"
    # Gluon is taken from the Triton release the kernel is written against on.
    assert [norms.staged._gluon_ok(v) for v in ("3.4.0", "3.5.1", "3.6.0", "3.8.0+git1a2b")] == [
        False,
        False,
        True,
        True,
    ]


def test_pipe_plans_stay_off_the_interpreter(monkeypatch):
    """A pipe entry in TUNING is taken on a GPU for large launches; the CPU path keeps the looped (large
    rows) or row-tile kernel."""
    from siblings.triton import norms

    monkeypatch.setattr(norms, "_interpreting", lambda: False)

    monkeypatch.setitem(norms.TUNING, "large_rms", {2: {65536: ["pipe", 8192, 4, 1, 1, 0]}, 4: {}})
    monkeypatch.setitem(norms.TUNING, "tiles_ln", {2: {16384: ["pipe", 16384, 16, 1, 2, 0]}, 4: {}})
    plan = st.plan_launch(2048, 65536, torch.bfloat16, on_gpu=True)
    assert (plan.path, plan.split, plan.block, plan.hold, plan.depth) == ("pipe", 8, 8192, True, 1)
    assert st.plan_launch(2048, 65536, torch.bfloat16, on_gpu=False).path == "looped"
    plan = st.plan_launch(8192, 16384, torch.bfloat16, on_gpu=True, is_ln=True)
    assert (plan.path, plan.split, plan.depth) == ("pipe", 1, 2)
    monkeypatch.setitem(norms.TUNING, "large_ln", {2: {65536: ["split", 4096, 2, 0, 1]}, 4: {}})
    plan = st.plan_launch(2048, 65536, torch.bfloat16, on_gpu=True, is_ln=True)
    assert (plan.path, plan.split, plan.num_warps, plan.preload, plan.pack) == ("split", 16, 2, False, True)
    assert st.plan_launch(8, 16384, torch.bfloat16, on_gpu=True, is_ln=True).path == "rows"
    assert st.plan_launch(8192, 16384, torch.bfloat16, on_gpu=False, is_ln=True).path == "rows"


def test_row_tile_overrides(monkeypatch):
    """Per-size tile overrides (string keys, as loaded from JSON) set rows and warps of large launches;
    short launches keep the latency-oriented rules."""
    from siblings.triton import norms

    monkeypatch.setitem(norms.TUNING, "tiles_ln", {4: {}, 2: {}})
    rule = st.plan_launch(70, 1000, torch.float32, on_gpu=True, is_ln=True)
    monkeypatch.setitem(norms.TUNING, "tiles_ln", {4: {"1024": [2, 4, 1]}, 2: {}})
    assert st.plan_launch(70, 1000, torch.float32, on_gpu=True, is_ln=True) == rule
    monkeypatch.setattr(norms, "TILE_MIN_PROGRAMS", 1)
    plan = st.plan_launch(70, 1000, torch.float32, on_gpu=True, is_ln=True)
    assert (plan.rows_per_program, plan.num_warps, plan.preload) == (2, 4, True)
    x = rand(70, 1000, seed=34, shift=-2.0)
    w = rand(1000, seed=35)
    b = rand(1000, seed=36)
    assert_close_ulp(st.layer_norm(x, w, b), ref_ln(x, w, b), torch.float32)


def test_launch_plans():
    small = st.plan_launch(1 << 20, 128, torch.bfloat16, on_gpu=True)
    assert small.path == "rows" and small.rows_per_program > 1
    assert st.plan_launch(4, 4096, torch.bfloat16, on_gpu=True).path == "rows"
    assert st.plan_launch(4, 65536, torch.bfloat16, on_gpu=False).path == "looped"


def test_bad_inputs_raise_clear_errors():
    x = rand(2, 64, seed=25)
    with pytest.raises(ValueError, match="shape"):
        st.rms_norm(x, rand(65, seed=26))
    with pytest.raises(ValueError, match="dtype"):
        st.rms_norm(x.to(torch.int32))
    with pytest.raises(ValueError, match="residual shape"):
        st.fused_add_rms_norm(x, rand(3, 64, seed=27))
    with pytest.raises(ValueError, match="eps"):
        st.layer_norm(x, eps=-1.0)
    with pytest.raises(ValueError, match="weight"):
        st.gemma_rms_norm(x, None)
