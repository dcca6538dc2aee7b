"""A fully generated compute kernel (row_standardize: tilize, mean, centre, variance, rsqrt, scale, untilize)
run alone on one emulated core through generic_op (its input CBs filled before it starts, its output CB
drained), against torch in fp32."""

from pathlib import Path

import numpy as np
import pytest
import torch
import ttnn
from typer.testing import CliRunner

from scaffolder.cli import app
from tests.emulator import programs

ROOT = Path(__file__).resolve().parents[2]
BF16 = ttnn.bfloat16
FP32 = ttnn.float32


@pytest.fixture(scope="module")
def device():
    dev = ttnn.open_device(device_id=0)
    yield dev
    ttnn.close_device(dev)


def _run_kernel(
    device, kernel: Path, ct: str, fp32_dest: bool, unpack_fp32_mask: int, cbs: dict, rows_arg: str
) -> bytes:
    """Runs a generated compute kernel alone (compile-time args `ct`, runtime args `rows_arg`, HiFi4).
    `cbs` maps each CB to (dtype, pages, input bytes or None for a CB the kernel fills); returns the bytes
    the kernel pushed into the output CB 16."""
    return programs.compute_alone(
        device,
        str(kernel),
        [int(v) for v in ct.split(",")],
        cbs,
        runtime_args=[int(v) for v in rows_arg.split(",")],
        fp32_dest=fp32_dest,
        unpack_to_dest_mask=unpack_fp32_mask,
    )


def _cbs(pages: dict, inputs: dict, fmt=BF16, fmts: dict | None = None) -> dict:
    """The CB table: kernel-filled CBs from `pages`, host-filled ones from `inputs`
    ({cb: (pages, bytes)}), every CB in `fmt` unless `fmts` names another."""
    fmts = fmts or {}
    table = {cb: (fmts.get(cb, fmt), n, None) for cb, n in pages.items()}
    table.update({cb: (fmts.get(cb, fmt), n, data) for cb, (n, data) in inputs.items()})
    return table


@pytest.fixture(scope="module")
def kernel_source(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    spec = ROOT / "tests" / "fixtures" / "specs" / "planner" / "row_standardize_spec.md"
    res = CliRunner().invoke(app, ["new-op", str(spec), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out / "row_standardize" / "kernels" / "row_standardize_compute.cpp"


def _bf16_bytes(t: torch.Tensor) -> bytes:
    return t.to(torch.bfloat16).contiguous().view(torch.int16).numpy().tobytes()


@pytest.mark.parametrize("fp32_dest", [False, True], ids=["bf16_dest", "fp32_dest"])
@pytest.mark.parametrize("wt", [1, 4, 6])
def test_row_standardize_kernel_matches_torch(device, kernel_source, wt, fp32_dest):
    rows, width, eps = 2, 32 * wt, 1e-5
    block = max(b for b in range(1, min(wt, 4 if fp32_dest else 8) + 1) if wt % b == 0)
    # cb_in, cb_tiled, cb_out, Wt, in/out pages, block, rm_in, rm_out, stream
    ct = f"0,1,16,{wt},{wt},{wt},{block},1,1,0"

    rng = np.random.default_rng(10 + wt)
    x = torch.from_numpy(rng.standard_normal((rows * 32, width)).astype(np.float32) * 3 + 1).to(
        torch.bfloat16
    )
    scaler = torch.zeros(1024)
    for face in range(4):  # the reduce scaler: 1/W in row 0 of each face
        scaler[face * 256 : face * 256 + 16] = 1.0 / width
    eps_tile = torch.zeros(1024)
    eps_tile[0] = eps  # SCALAR broadcast operand at [0, 0]
    inputs = {0: (rows * wt, _bf16_bytes(x)), 2: (1, _bf16_bytes(scaler)), 7: (1, _bf16_bytes(eps_tile))}
    pages = {1: wt, 3: 1, 4: wt, 5: wt, 6: 1, 16: rows * wt, 24: 1, 25: wt}
    raw = bytearray(_run_kernel(device, kernel_source, ct, fp32_dest, 0, _cbs(pages, inputs), f"{rows},0"))
    got = torch.frombuffer(raw, dtype=torch.bfloat16).reshape(rows * 32, width).float()
    expected = torch.nn.functional.layer_norm(x.float(), [width], eps=eps)
    err = (got - expected).abs().max().item()
    pcc = torch.corrcoef(torch.stack([got.flatten(), expected.flatten()]))[0, 1].item()
    # The spec's tolerance is rtol 0.05 / atol 0.2; the kernel does much better (measured ~0.03).
    assert torch.allclose(got, expected, rtol=0.05, atol=0.2), err
    print(f"wt={wt} fp32_dest={fp32_dest}: max abs err {err:.4f}, pcc {pcc:.6f}")
    assert err < 0.08 and pcc > 0.9999, (err, pcc)


def _row0_tiles(vec: torch.Tensor) -> torch.Tensor:
    """(W,) -> Wt tiles with the values in row 0 (faces 0 and 1), zero elsewhere: the ROW broadcast operand."""
    wt = vec.numel() // 32
    tiles = torch.zeros(wt, 1024)
    for t in range(wt):
        tiles[t, 0:16] = vec[32 * t : 32 * t + 16]
        tiles[t, 256:272] = vec[32 * t + 16 : 32 * t + 32]
    return tiles


@pytest.fixture(scope="module")
def layer_norm_kernel(tmp_path_factory):
    spec = ROOT / "tests" / "fixtures" / "specs" / "planner" / "layer_norm_affine_spec.md"
    out = tmp_path_factory.mktemp("gen_ln")
    res = CliRunner().invoke(app, ["new-op", str(spec), "--out", str(out)])
    assert res.exit_code == 0, res.output
    from scaffolder.generate.plan import build_plan
    from scaffolder.spec.parser import parse_spec

    plan = build_plan(parse_spec(spec).spec)
    assert plan.program is not None, plan.unmapped
    return out / "layer_norm_affine" / "kernels" / "layer_norm_affine_compute.cpp", plan


@pytest.mark.parametrize("has_gamma, has_beta", [(True, True), (True, False), (False, False)])
@pytest.mark.parametrize("wt", [2, 5])
def test_layer_norm_affine_kernel_matches_torch(device, layer_norm_kernel, wt, has_gamma, has_beta):
    kernel, plan = layer_norm_kernel
    rows, width, eps = 2, 32 * wt, 1e-5
    block = max(b for b in range(1, min(wt, 4) + 1) if wt % b == 0)  # the spec asks for fp32 DEST
    tiled = plan.tile_cb.index
    ct = f"0,{tiled},16,{wt},{wt},{wt},{block},1,1,0,{int(has_gamma)},{int(has_beta)}"

    rng = np.random.default_rng(20 + wt)
    x = torch.from_numpy(rng.standard_normal((rows * 32, width)).astype(np.float32) * 2 - 0.5).to(
        torch.bfloat16
    )
    gamma = torch.from_numpy(rng.standard_normal(width).astype(np.float32)).to(torch.bfloat16).float()
    beta = torch.from_numpy(rng.standard_normal(width).astype(np.float32)).to(torch.bfloat16).float()
    scaler = torch.zeros(1024)
    for face in range(4):
        scaler[face * 256 : face * 256 + 16] = 1.0 / width
    eps_tile = torch.zeros(1024)
    eps_tile[0] = eps
    consts = {c.cb: (scaler if c.kind == "reduce_scaler" else eps_tile) for c in plan.program.constants}
    inputs = {0: (rows * wt, _bf16_bytes(x))}
    inputs.update({cb: (1, _bf16_bytes(t)) for cb, t in consts.items()})
    row0 = {tt.tensor: tt.cb for tt in plan.program.tensor_tiles}
    if has_gamma:
        inputs[row0["gamma"]] = (wt, _bf16_bytes(_row0_tiles(gamma)))
    if has_beta:
        inputs[row0["beta"]] = (wt, _bf16_bytes(_row0_tiles(beta)))
    pages = {cb: (wt if n == "Wt" else 1) for cb, n in plan.program.row_tiles.items()}
    pages[16] = rows * wt
    raw = bytearray(_run_kernel(device, kernel, ct, True, 0, _cbs(pages, inputs), f"{rows},0"))
    got = torch.frombuffer(raw, dtype=torch.bfloat16).reshape(rows * 32, width).float()
    expected = torch.nn.functional.layer_norm(
        x.float(), [width], weight=gamma if has_gamma else None, bias=beta if has_beta else None, eps=eps
    )
    expected = expected.to(torch.bfloat16).float()
    err = (got - expected).abs().max().item()
    pcc = torch.corrcoef(torch.stack([got.flatten(), expected.flatten()]))[0, 1].item()
    print(
        f"layer_norm_affine wt={wt} gamma={has_gamma} beta={has_beta}: max abs err {err:.4f}, pcc {pcc:.6f}"
    )
    assert torch.allclose(got, expected, rtol=0.02, atol=0.1), err  # the spec's tolerance
    assert pcc > 0.9999


@pytest.mark.parametrize("fp32_dest", [False, True], ids=["bf16_dest", "fp32_dest"])
@pytest.mark.parametrize("wt", [5, 12])
def test_row_standardize_streamed_kernel_matches_torch(device, kernel_source, wt, fp32_dest):
    """The column-block schedule of the same kernel (stream = 1): x arrives once per pass as row-major strips
    `block` tiles wide, the row sums accumulate block by block, the output leaves block by block."""
    from scaffolder.generate.plan import build_plan
    from scaffolder.spec.expressions import evaluate
    from scaffolder.spec.parser import parse_spec

    plan = build_plan(parse_spec(ROOT / "tests/fixtures/specs/planner/row_standardize_spec.md").spec)
    prog = plan.program
    rows, width, eps = 2, 32 * wt, 1e-5
    block = max(b for b in range(1, min(wt, 4 if fp32_dest else 8) + 1) if wt % b == 0)
    n_passes, n_blocks = len(prog.passes), wt // block
    ct = f"0,1,16,{wt},{wt},{wt},{block},1,1,1"

    rng = np.random.default_rng(30 + wt)
    x = torch.from_numpy(rng.standard_normal((rows * 32, width)).astype(np.float32) * 3 + 1).to(
        torch.bfloat16
    )
    # What the reader sends: per tile-row, per pass, per block, 32 stick segments `block` tiles wide.
    strips = [
        x[r * 32 : (r + 1) * 32, b * block * 32 : (b + 1) * block * 32]
        for r in range(rows)
        for _ in range(n_passes)
        for b in range(n_blocks)
    ]
    scaler = torch.zeros(1024)
    for face in range(4):
        scaler[face * 256 : face * 256 + 16] = 1.0 / width
    eps_tile = torch.zeros(1024)
    eps_tile[0] = eps
    inputs = {
        0: (rows * n_passes * wt, _bf16_bytes(torch.cat([s.flatten() for s in strips]))),
        2: (1, _bf16_bytes(scaler)),
        7: (1, _bf16_bytes(eps_tile)),
    }
    pages = {cb: int(evaluate(n, {"BLOCK_SIZE": block})) for cb, n in prog.stream_tiles.items()}
    pages[16] = rows * wt
    unpack_fp32 = 1 << prog.acc_cb if fp32_dest else 0
    cbs = _cbs(pages, inputs, fmts={prog.acc_cb: FP32})
    raw = bytearray(_run_kernel(device, kernel_source, ct, fp32_dest, unpack_fp32, cbs, f"{rows},0"))
    blocks = torch.frombuffer(raw, dtype=torch.bfloat16).reshape(rows, n_blocks, 32, block * 32).float()
    got = blocks.permute(0, 2, 1, 3).reshape(rows * 32, width)
    expected = torch.nn.functional.layer_norm(x.float(), [width], eps=eps)
    err = (got - expected).abs().max().item()
    pcc = torch.corrcoef(torch.stack([got.flatten(), expected.flatten()]))[0, 1].item()
    print(f"streamed wt={wt} block={block} fp32_dest={fp32_dest}: max abs err {err:.4f}, pcc {pcc:.6f}")
    assert err < 0.08 and pcc > 0.9999, (err, pcc)


def _fp32_bytes(t: torch.Tensor) -> bytes:
    return t.to(torch.float32).contiguous().numpy().tobytes()


def _src_rounded(value: float, mantissa_bits: int) -> float:
    """What the generated descriptor sends for a constant on the float32 path: rounded to the mantissa bits
    its source register reads."""
    drop = 23 - mantissa_bits
    bits = int(np.array([value], dtype=np.float32).view(np.uint32)[0])
    bits = (bits + (1 << (drop - 1))) & ~((1 << drop) - 1)
    return float(np.array([bits], dtype=np.uint32).view(np.float32)[0])


@pytest.fixture(scope="module")
def rms_norm_kernel(tmp_path_factory):
    from scaffolder.generate.plan import build_plan
    from scaffolder.spec.parser import parse_spec

    out = tmp_path_factory.mktemp("gen_rms")
    spec = ROOT / "specs" / "rms_norm_spec.md"
    assert CliRunner().invoke(app, ["new-op", str(spec), "--out", str(out)]).exit_code == 0
    plan = build_plan(parse_spec(spec).spec)
    assert plan.program is not None and plan.program.fp32 is not None, plan.unmapped
    return out / "rms_norm" / "kernels" / "rms_norm_compute.cpp", plan


@pytest.mark.parametrize("is_fp32", [1, 0], ids=["fp32_path", "plain_path"])
@pytest.mark.parametrize("stream", [0, 1], ids=["resident", "streamed"])
@pytest.mark.parametrize("wt", [5, 12])
def test_rms_norm_float32_products_match_torch_fp64(device, rms_norm_kernel, wt, stream, is_fp32):
    """The generated rms_norm compute kernel on float32 data (row-major in and out, with gamma), both
    schedules, against torch in fp64. Its products and the epsilon add split every fp32 operand into what
    the source register reads and the exact remainder: max relative error 2-3e-4, nearly all of it from the
    reduce scaler 1/W rounded to 9 mantissa bits (W here is not a power of two). The same kernel and inputs
    with the splits switched off (is_fp32 = 0: every operand truncated to 10 or 9 mantissa bits) are off by
    a few 1e-3, beyond the spec's rtol 1e-3."""
    kernel, plan = rms_norm_kernel
    prog, fp32 = plan.program, plan.program.fp32
    rows, width, eps = 2, 32 * wt, 1e-6
    block = max(b for b in range(1, min(wt, 4) + 1) if wt % b == 0)  # fp32 DEST: 4 tiles
    n_blocks = wt // block
    # cb_in, cb_tiled, cb_out, Wt, in/out pages, block, rm_in, rm_out, stream, has_gamma, is_fp32
    ct = f"0,24,16,{wt},{wt},{wt},{block},1,1,{stream},1,{is_fp32}"

    rng = np.random.default_rng(40 + wt)
    x = torch.from_numpy(rng.standard_normal((rows * 32, width)).astype(np.float32))
    gamma = torch.from_numpy(rng.standard_normal(width).astype(np.float32))
    # What the reader sends: the resident tile-row once, or per pass the blocks as 32-row strips; gamma as
    # Row0 tiles, once or block by block in the output pass.
    if stream:
        strips = [
            x[r * 32 : (r + 1) * 32, b * block * 32 : (b + 1) * block * 32].flatten()
            for r in range(rows)
            for _ in range(len(prog.passes))
            for b in range(n_blocks)
        ]
        x_pages = rows * len(prog.passes) * wt
        gamma_tiles = torch.cat([_row0_tiles(gamma)] * rows)
    else:
        strips = [x[r * 32 : (r + 1) * 32].flatten() for r in range(rows)]
        x_pages, gamma_tiles = rows * wt, _row0_tiles(gamma)
    consts = {c.cb: c for c in prog.constants}
    scaler_cb = next(cb for cb, c in consts.items() if c.kind == "reduce_scaler")
    eps_cb = next(cb for cb, c in consts.items() if c.kind == "scalar")
    # The float32 path's constants, also for the plain run: it differs from the exact one only by the splits.
    scaler, eps_tile = torch.zeros(1024), torch.zeros(1024)
    for face in range(4):
        scaler[face * 256 : face * 256 + 16] = _src_rounded(1.0 / width, consts[scaler_cb].src_bits)
    eps_tile[0] = _src_rounded(eps, consts[eps_cb].src_bits)
    inputs = {
        0: (x_pages, torch.cat(strips)),
        1: (rows * wt if stream else wt, gamma_tiles),
        scaler_cb: (1, scaler),
        eps_cb: (1, eps_tile),
    }
    for cb, c in consts.items():
        if c.kind == "fill":
            inputs[cb] = (1, torch.full((1024,), float(c.value)))
    from scaffolder.spec.expressions import evaluate

    tiles = prog.stream_tiles if stream else prog.row_tiles
    pages = {cb: int(evaluate(n, {"BLOCK_SIZE": block, "Wt": wt})) for cb, n in tiles.items()}
    pages.update(dict.fromkeys(fp32.cbs, 1))
    if stream:
        pages[prog.acc_cb] = 1
    pages[16] = rows * wt
    mask = sum(1 << cb for cb in [*fp32.unpack, *([prog.acc_cb] if stream else [])])
    host = {cb: (n, _fp32_bytes(t)) for cb, (n, t) in inputs.items()}
    raw = np.frombuffer(
        _run_kernel(device, kernel, ct, True, mask, _cbs(pages, host, fmt=FP32), f"{rows}"), dtype=np.float32
    )
    if stream:
        got = torch.from_numpy(raw.reshape(rows, n_blocks, 32, block * 32).transpose(0, 2, 1, 3).copy())
    else:
        got = torch.from_numpy(raw.copy())
    got = got.reshape(rows * 32, width).double()
    xd = x.double()
    expected = xd / torch.sqrt(xd.pow(2).mean(-1, keepdim=True) + eps) * gamma.double()
    big = expected.abs() > 0.1
    rel = ((got - expected).abs() / expected.abs())[big].max().item()
    print(f"rms_norm float32 wt={wt} stream={stream} is_fp32={is_fp32}: max relative error {rel:.2e}")
    if is_fp32:
        assert rel < 5e-4, rel
    else:
        assert rel > 1e-3, rel  # what the splits buy
