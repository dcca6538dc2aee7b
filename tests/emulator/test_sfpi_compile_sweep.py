"""Every ckernel_sfpu_*.h of the wheel (Wormhole: tt-llk's common/inc/sfpu and metal's llk_api/llk_sfpu)
compiles to code against the x86 SFPI layer."""

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from emulator import runtime_lib, wheel_build
from tests.emulator.sfpi import build as harness

PRELUDE = Path(__file__).resolve().parent / "sfpi" / "sweep_prelude.h"
# Included by no Wormhole header, and names sfpi's l_reg without its namespace.
NOT_SELF_CONTAINED = {"tt_metal/tt-llk/tt_llk_wormhole_b0/common/inc/sfpu/ckernel_sfpu_tanh_derivative.h"}


def algorithm_headers() -> list[str]:
    root = wheel_build.wheel_root()
    dirs = [
        "tt_metal/tt-llk/tt_llk_wormhole_b0/common/inc/sfpu",
        "tt_metal/tt-llk/tt_llk_wormhole_b0/common/inc/sfpu/experimental",
        "tt_metal/hw/ckernels/wormhole_b0/metal/llk_api/llk_sfpu",
    ]
    found = sorted(str(p.relative_to(root)) for d in dirs for p in (root / d).glob("ckernel_sfpu_*.h"))
    return [f for f in found if f not in NOT_SELF_CONTAINED]


def compile_header(rel: str, tmp: Path) -> str:
    root = wheel_build.wheel_root()
    src = tmp / (rel.replace("/", "_") + ".cpp")
    src.write_text(f'#include "{PRELUDE}"\n#include "{root / rel}"\n')
    cmd = [
        *runtime_lib.kernel_compiler(),
        "-c",
        "-O0",
        *harness.cxx_flags(),
        "-DDST_ACCUM_MODE=1",
        "-DTRISC_MATH",
        str(src),
        "-o",
        str(src.with_suffix(".o")),
    ]
    r = subprocess.run(cmd, check=False, capture_output=True, text=True)
    return "" if r.returncode == 0 else r.stderr[-2000:]


def test_wheel_has_the_algorithm_headers():
    assert len(algorithm_headers()) >= 120


# A quick sample in the default run; the whole sweep is slow.
SAMPLE = [
    "ckernel_sfpu_exp.h",
    "ckernel_sfpu_gelu.h",
    "ckernel_sfpu_topk.h",
    "ckernel_sfpu_typecast.h",
    "ckernel_sfpu_trigonometry.h",
    "ckernel_sfpu_where.h",
]


@pytest.mark.parametrize("name", SAMPLE)
def test_sample_compiles(tmp_path, name):
    matches = [h for h in algorithm_headers() if h.endswith("/" + name)]
    assert matches
    errors = {h: compile_header(h, tmp_path) for h in matches}
    assert not any(errors.values()), errors


@pytest.mark.slow
def test_every_algorithm_header_compiles(tmp_path):
    headers = algorithm_headers()
    with ThreadPoolExecutor(max_workers=2) as pool:
        errors = dict(zip(headers, pool.map(lambda h: compile_header(h, tmp_path), headers)))
    failed = {h: e for h, e in errors.items() if e}
    assert not failed, "\n\n".join(f"{h}:\n{e}" for h, e in failed.items())
