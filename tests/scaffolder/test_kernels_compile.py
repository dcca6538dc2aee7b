"""Generated kernels compile against the emulator's shadow kernel API (C++17, -Wall -Werror), resident and
streamed (compile-time arg `stream`)."""

import shutil
import subprocess
from pathlib import Path

import pytest
import ttnn
from typer.testing import CliRunner

from scaffolder.cli import app

ROOT = Path(__file__).resolve().parents[2]
SHADOW = ROOT / "emulator" / "kernel_api"
RUNTIME_INCLUDE = ROOT / "emulator" / "runtime" / "include"
WHEEL = Path(ttnn.__file__).parent

pytestmark = pytest.mark.skipif(
    not (SHADOW / "api" / "compute" / "tilize.h").exists() or shutil.which("g++") is None,
    reason="the emulator's compute shadow headers are not available",
)

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


@pytest.mark.parametrize("spec, extra, op, ct_sets", CASES, ids=[c[2] for c in CASES])
def test_compute_kernel_compiles(tmp_path, spec, extra, op, ct_sets):
    res = CliRunner().invoke(app, ["new-op", str(ROOT / spec), "--out", str(tmp_path), *extra])
    assert res.exit_code == 0, res.output
    kernel = tmp_path / op / "kernels" / f"{op}_compute.cpp"
    n_optional = (tmp_path / op / f"{op}.py").read_text().count("ttnn.Tensor | None")
    # Kernels with a float32 path take `is_fp32` last: both paths must compile.
    fp32_paths = [(0,), (1,)] if "is_fp32" in kernel.read_text() else [()]
    for ct, stream, fp32 in ((ct, stream, f) for ct in ct_sets for stream in (0, 1) for f in fp32_paths):
        ct = (*ct, stream, *[1] * n_optional, *fp32)
        cmd = [
            "g++",
            "-std=c++17",
            "-O0",
            "-Wall",
            "-Werror",
            "-fsyntax-only",
            f"-DKERNEL_COMPILE_TIME_ARGS={','.join(map(str, ct))}",
            f"-I{SHADOW}",
            f"-I{RUNTIME_INCLUDE}",
            f"-I{WHEEL / 'tt_metal' / 'hw' / 'inc'}",
            f"-I{WHEEL / 'tt_metal'}",
            f"-I{WHEEL}",
            str(kernel),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, f"stream={stream} is_fp32={fp32}: {proc.stderr[-3000:]}"


@pytest.mark.skipif(
    not (SHADOW / "api" / "dataflow" / "dataflow_api.h").exists(),
    reason="the emulator's dataflow shadow headers are not available",
)
@pytest.mark.parametrize("spec, extra, op, ct_sets", CASES, ids=[c[2] for c in CASES])
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
            cmd = [
                "g++",
                "-std=c++17",
                "-O0",
                "-Wall",
                "-Werror",
                "-fsyntax-only",
                f"-DKERNEL_COMPILE_TIME_ARGS={','.join(map(str, args))}",
                f"-I{SHADOW}",
                f"-I{RUNTIME_INCLUDE}",
                f"-I{WHEEL / 'tt_metal' / 'hw' / 'inc'}",
                f"-I{WHEEL / 'tt_metal'}",
                f"-I{WHEEL}",
                f"-I{WHEEL / 'tt_metal' / 'hostdevcommon' / 'api'}",
                str(tmp_path / op / "kernels" / f"{op}_{kind}.cpp"),
            ]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            assert proc.returncode == 0, f"{kind} stream={stream}: {proc.stderr[-3000:]}"
