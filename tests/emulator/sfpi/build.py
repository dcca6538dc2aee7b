"""Builds tests/emulator/sfpi/harness.cpp against the x86 SFPI layer and the wheel's compute headers."""

import subprocess
from pathlib import Path

import numpy as np

from emulator import runtime_lib, wheel_build

HERE = Path(__file__).resolve().parent
SFPI_DIR = wheel_build.HAL_DIR / "sfpi"


def include_flags() -> list[str]:
    root = wheel_build.wheel_root()
    dirs = [
        SFPI_DIR,
        *(root / d for d in wheel_build.WHEEL_INCLUDES),
        *(root / d for d in wheel_build.COMPUTE_INCLUDES),
    ]
    dirs += [root / "tt_metal/tt-llk/common", root / "tt_metal/tt-llk/tools/include"]
    return [f"-I{d}" for d in dirs]


def cxx_flags() -> list[str]:
    return [
        "-std=c++20",
        "-w",
        "-DARCH_WORMHOLE",
        "-DTENSIX_FIRMWARE",
        "-DDISABLE_SFPLOADMACRO",
        "-include",
        "emu_tensix_prelude.h",
        *include_flags(),
    ]


def build(out_dir: Path, *, fp32: bool, approx: bool) -> Path:
    exe = out_dir / f"sfpi_harness_{int(fp32)}{int(approx)}"
    cmd = [
        *runtime_lib.kernel_compiler(),
        "-O1",
        *cxx_flags(),
        f"-DDEST_FP32={int(fp32)}",
        f"-DDST_ACCUM_MODE={int(fp32)}",
        f"-DAPPROX={int(approx)}",
        "-DTRISC_MATH",
        str(HERE / "harness.cpp"),
        "-o",
        str(exe),
    ]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return exe


def run(exe: Path, op: str, tiles: np.ndarray) -> np.ndarray:
    """Runs `op` on 4 DEST tiles of 32-bit words (uint32, 4096); returns the 4 tiles after it."""
    words = np.ascontiguousarray(tiles, dtype=np.uint32).reshape(-1)
    assert words.size == 4096
    r = subprocess.run([str(exe), op], check=False, input=words.tobytes(), capture_output=True)
    if r.returncode:
        raise RuntimeError(f"harness {op} exited {r.returncode}: {r.stderr.decode()}")
    return np.frombuffer(r.stdout, dtype=np.uint32).copy()
