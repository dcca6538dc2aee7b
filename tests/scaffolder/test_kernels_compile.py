"""Generated kernels build on the emulator against the ttnn wheel's own kernel API, as tt-metal's JIT builds them
(a compute kernel once per TRISC), resident and streamed (compile-time arg `stream`)."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffolder.cli import app

ROOT = Path(__file__).resolve().parents[2]
wheel_build = pytest.importorskip("emulator.wheel_build", reason="the emulator is not available")


def build(kernel: Path, role: str, compile_time_args, fp32: bool = False) -> None:
    """Every RISC build of ``kernel``, its CBs all bfloat16 tiles (float32 ones, with fp32 DEST, on the float32
    path), as the generated descriptors configure them."""
    kb = wheel_build.KernelBuild(
        source=str(kernel), role=role, compile_time_args=tuple(int(a) for a in compile_time_args)
    )
    cbs = [(i, 0, 4096) if fp32 else (i, 5, 2048) for i in range(32)]
    compute = {"math_fidelity": 4, "fp32_dest_acc": fp32, "math_approx": False, "dst_full_sync": False}
    kb.extra.update(cbs=cbs, compute=compute if role == "compute" else None)
    built = wheel_build.build(kb)
    assert len(built) == (3 if role == "compute" else 1)


CASES = [  # spec, extra CLI args, op, compile-time args (cb_in, cb_tiled, cb_out, Wt, in, out, block, rm_in, rm_out)
    ("specs/layer_norm_rm_spec.md", [], "layer_norm_rm", [(0, 24, 16, 8, 8, 8, 4, 1, 1)]),
    (
        "specs/rms_norm_spec.md",
        [],
        "rms_norm",
        [(0, 24, 16, 8, 8, 8, 4, 1, 1), (24, 24, 16, 8, 8, 8, 4, 0, 0)],
    ),
    (
        "tests/fixtures/specs/planner/row_standardize_spec.md",
        [],
        "row_standardize",
        [(0, 1, 16, 4, 4, 4, 4, 1, 1)],
    ),
    (
        "tests/fixtures/specs/architect/layer_norm_rm/op_design.md",
        ["--name", "ln_arch"],
        "ln_arch",
        [(0, 1, 16, 8, 8, 8, 8, 1, 1)],
    ),
    ("tests/fixtures/specs/architect/tilize/op_design.md", [], "tilize_rm", [(0, 16, 16, 2, 2, 2, 2, 1, 0)]),
    # both layouts: RM->RM, TILE->TILE
    (
        "tests/fixtures/specs/design/rms_norm/op_design.md",
        ["--name", "rms_gen"],
        "rms_gen",
        [(0, 1, 17, 4, 32, 32, 4, 1, 1), (1, 1, 16, 4, 4, 4, 4, 0, 0)],
    ),
]
# The shipped ops' specs generate a dozen kernel variants each, minutes of clang on 2 cores when the build cache is
# cold: slow here (tests/ops runs the finished ops' kernels in the default run).
SHIPPED = {"layer_norm_rm", "rms_norm"}
PARAMS = [pytest.param(*c, id=c[2], marks=pytest.mark.slow if c[2] in SHIPPED else ()) for c in CASES]


@pytest.mark.parametrize("spec, extra, op, ct_sets", PARAMS)
def test_compute_kernel_compiles(tmp_path, spec, extra, op, ct_sets):
    res = CliRunner().invoke(app, ["new-op", str(ROOT / spec), "--out", str(tmp_path), *extra])
    assert res.exit_code == 0, res.output
    kernel = tmp_path / op / "kernels" / f"{op}_compute.cpp"
    n_optional = (tmp_path / op / f"{op}.py").read_text().count("ttnn.Tensor | None")
    # Kernels with a float32 path take `is_fp32` last: both paths must compile.
    fp32_paths = [(0,), (1,)] if "is_fp32" in kernel.read_text() else [()]
    for ct, stream, fp32 in ((ct, stream, f) for ct in ct_sets for stream in (0, 1) for f in fp32_paths):
        ct = (*ct, stream, *[1] * n_optional, *fp32)
        try:
            build(kernel, "compute", ct, fp32=fp32 == (1,))
        except wheel_build.KernelBuildError as exc:
            pytest.fail(f"stream={stream} is_fp32={fp32}: {str(exc)[-3000:]}")


@pytest.mark.parametrize("spec, extra, op, ct_sets", PARAMS)
def test_dataflow_kernels_compile(tmp_path, spec, extra, op, ct_sets):
    res = CliRunner().invoke(app, ["new-op", str(ROOT / spec), "--out", str(tmp_path), *extra])
    assert res.exit_code == 0, res.output
    n_optional = (tmp_path / op / f"{op}.py").read_text().count("ttnn.Tensor | None")
    reader = (tmp_path / op / "kernels" / f"{op}_reader.cpp").read_text()
    fp32_paths = [(0,), (1,)] if "is_fp32" in reader else [()]  # the reader's `is_fp32` follows the flags
    for ct, stream, fp32 in ((ct, stream, f) for ct in ct_sets for stream in (0, 1) for f in fp32_paths):
        cb_in, _, cb_out, wt, in_pages, out_pages, block, rm_in, rm_out = ct
        accessor = [2, 32 * wt * 2]  # interleaved DRAM: IsDram flag, aligned page size
        flags = [1] * n_optional  # has_<tensor> for each optional tensor
        reader_ct = [cb_in, in_pages, 64 * wt, wt, rm_in, block, stream, *flags, *fp32]
        reader_ct += accessor * (1 + n_optional)
        writer_ct = [cb_out, out_pages, 64 * wt, wt, rm_out, block, stream, *accessor]
        for kind, args in (("reader", reader_ct), ("writer", writer_ct)):
            try:
                build(tmp_path / op / "kernels" / f"{op}_{kind}.cpp", kind, args, fp32=fp32 == (1,))
            except wheel_build.KernelBuildError as exc:
                pytest.fail(f"{kind} stream={stream}: {str(exc)[-3000:]}")
