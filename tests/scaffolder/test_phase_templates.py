"""Generated compute kernels: CB traffic per tile-row balances, counted from the emitted C++ itself."""

import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffolder.cli import app
from scaffolder.generate.compute_program import Unmapped, build_program
from scaffolder.spec.parser import parse_spec

ROOT = Path(__file__).resolve().parents[2]


def _cb_traffic(kernel: str, wt: int, flags: bool = True) -> tuple[Counter, Counter, Counter, Counter]:
    """Pages reserved/pushed/waited/popped per CB in one iteration of the row loop (an independent reading
    of the generated text: loops over Wt multiply, the data-path helpers count as their documented traffic)."""
    consts = {m.group(1): int(m.group(2)) for m in re.finditer(r"constexpr uint32_t (\w+) = (\d+);", kernel)}
    body = kernel.split("for (uint32_t row = 0; row < num_rows; ++row) {", 1)[1]
    env = {"Wt": wt, "in_pages": wt, "out_pages": wt, "1": 1}
    push, pop, wait, reserve = Counter(), Counter(), Counter(), Counter()
    # One frame per open brace: its multiplier, and whether its lines count. Every `if constexpr` flag is
    # read as `flags`: with flags on the if-branch counts and its `else` does not, and the other way round.
    frames = [(1, True)]
    for line in body.splitlines():
        s = line.strip()
        mult, live = frames[-1]
        if s.startswith("for (uint32_t t = 0; t < Wt"):
            frames.append((mult * wt, live))
            continue
        if s.startswith("if constexpr"):
            frames.append((mult, live and flags))
            continue
        if s == "} else {":
            frames[-1] = (frames[-1][0], frames[-2][1] and not flags)
            continue
        if s == "}":
            if len(frames) > 1:
                frames.pop()
                continue
            break  # end of the row loop
        if not live:
            continue
        m = re.match(r"(cb_push_back|cb_pop_front|cb_wait_front|cb_reserve_back)\((\w+), (\w+)\);", s)
        if m:
            cb, n = consts[m.group(2)], env[m.group(3)] * mult
            {"cb_push_back": push, "cb_pop_front": pop, "cb_wait_front": wait, "cb_reserve_back": reserve}[
                m.group(1)
            ][cb] += n
            continue
        m = re.match(r"tilize_row<Wt>\((\w+), in_pages, (\w+)\);", s)
        if m:
            pop[consts[m.group(1)]] += wt
            push[consts[m.group(2)]] += wt
            continue
        m = re.match(r"untilize_row<Wt, block>\((\w+), (\w+), out_pages\);", s)
        if m:
            pop[consts[m.group(1)]] += wt
            push[consts[m.group(2)]] += wt
    return push, pop, wait, reserve


def test_row_standardize_is_fully_mapped_and_balanced(tmp_path):
    spec = ROOT / "tests/fixtures/specs/planner/row_standardize_spec.md"
    res = CliRunner().invoke(app, ["new-op", str(spec), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    kernel = (tmp_path / "row_standardize/kernels/row_standardize_compute.cpp").read_text()
    for call in (
        "reduce_tile<PoolType::SUM, ReduceDim::REDUCE_ROW>",
        "sub_tiles_bcast_cols",
        "mul_tiles(",
        "add_tiles_bcast_scalar",
        "rsqrt_tile(0)",
        "mul_tiles_bcast_cols",
        "tilize_row",
        "untilize_row",
    ):
        assert call in kernel, call
    for wt in (1, 3, 8):
        push, pop, wait, _ = _cb_traffic(kernel, wt)
        # Within the compute kernel every intermediate is pushed and popped equally; the reader-fed input
        # (c_0) is only popped and the writer-drained output (c_16) only pushed, one tile-row each.
        assert pop[0] == wt and push[16] == wt
        inner = set(push) | set(pop)
        inner -= {0, 16}
        assert inner == {1, 3, 4, 5, 6, 24, 25}
        for cb in inner:
            assert push[cb] == pop[cb], (cb, push[cb], pop[cb])
        for cb, n in wait.items():
            assert n <= push[cb], (cb, n, push[cb])  # never waits for more than the row produced
    tests = (tmp_path / "row_standardize/tests/test_row_standardize.py").read_text()
    assert "xfail" not in tests and "layer_norm" in tests
    reader = (tmp_path / "row_standardize/kernels/row_standardize_reader.cpp").read_text()
    assert "wh_generate_reduce_scaler(2," in reader and "fill_scalar_tile(7," in reader


def test_scaler_bits_in_descriptor(tmp_path):
    CliRunner().invoke(
        app,
        [
            "new-op",
            str(ROOT / "tests/fixtures/specs/planner/row_standardize_spec.md"),
            "--out",
            str(tmp_path),
        ],
    )
    import importlib.util

    path = tmp_path / "row_standardize/row_standardize_program_descriptor.py"
    module_spec = importlib.util.spec_from_file_location("row_standardize_descriptor", path)
    desc = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(desc)
    ns = vars(desc)
    # 1/64 = 2^-6: fp32 0x3C800000, bf16 0x3C80, packed twice for the scaler generator.
    bits = ns["_bf16_bits"](1 / 64)
    assert bits == 0x3C80 and ((bits << 16) | bits) == 0x3C803C80
    # bf16 by truncation: 1e-5 = 0x3727C5AC in fp32 -> 0x3727.
    assert ns["_bf16_bits"](1e-5) == 0x3727


@pytest.mark.parametrize(
    "spec",
    [
        "tests/fixtures/specs/design/rms_norm/op_design.md",
        "tests/fixtures/specs/architect/layer_norm_rm/op_design.md",
        "tests/fixtures/specs/planner/layer_norm_rm_spec.md",
    ],
)
def test_unmapped_specs_say_why(spec):
    path = ROOT / spec
    if not path.exists():
        pytest.skip(f"{spec} not present")
    with pytest.raises(Unmapped) as e:
        build_program(parse_spec(path).spec, 0, 16, ["epsilon"])
    assert str(e.value)


def test_exact_centring_phases_map_and_balance(tmp_path):
    """The project's layer_norm_rm spec centres with a mean split into its SrcB-visible part and an exact
    remainder; both steps have templates, and the CB traffic per tile-row still balances."""
    spec = ROOT / "specs/layer_norm_rm_spec.md"
    model = parse_spec(spec).spec
    kinds = [(p.kind, p.op) for p in model.phases]
    assert ("remainder", "remainder") in kinds and kinds.count(("binary", "sub_exact")) == 2
    prog = build_program(model, 0, 16, ["epsilon"])
    assert prog.unpack_fp32 == [27]  # the mean reaches DEST through the fp32 unpack, not SrcA
    assert [(c.cb, c.kind, c.value) for c in prog.constants if c.kind == "fill"] == [(11, "fill", "-1.0")]
    res = CliRunner().invoke(app, ["new-op", str(spec), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    pkg = tmp_path / "layer_norm_rm"
    kernel = (pkg / "kernels/layer_norm_rm_compute.cpp").read_text()
    assert "copy_tile(cb_mean, 0, 0);" in kernel and "mul_tiles(cb_neg_one, cb_mean, 0, 0, 0);" in kernel
    assert kernel.count("mul_tiles_bcast_cols(cb_neg_one, cb_mean_lo, 0, 0, 0);") == 2
    for wt, flags in ((1, True), (4, True), (4, False)):
        push, pop, _, _ = _cb_traffic(kernel, wt, flags)
        for cb in (set(push) | set(pop)) - {0, 16}:
            assert push[cb] == pop[cb], (cb, push[cb], pop[cb])
        assert pop[0] == wt and push[16] == wt
    assert "fill_tile(11," in (pkg / "kernels/layer_norm_rm_reader.cpp").read_text()
    desc = (pkg / "layer_norm_rm_program_descriptor.py").read_text()
    assert "modes[27] = ttnn.UnpackToDestMode.UnpackToDestFp32" in desc
    assert "_cb(27, 1, ttnn.tile_size(ttnn.float32), ttnn.float32, all_cores)" in desc
