"""Kernels built against the ttnn wheel's own device headers (TTNN_EMULATOR_API=wheel): the wheel's dataflow
kernels compile unmodified with the JIT's include list and defines, each build is cached by content, and a call
the emulator lacks fails at build time naming the kernel."""

from __future__ import annotations

import subprocess

import pytest

from emulator import chlkc_descriptors, runtime_lib, wheel_build
from emulator.kernel_build import KernelBuild, KernelBuildError

UNARY = "ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels/dataflow"
# TensorAccessorArgs of an interleaved DRAM tensor: the ArgConfig flags (IsDram) and the aligned page size.
DRAM_ACCESSOR = (2, 2048)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def compilations(monkeypatch):
    calls = []
    real = subprocess.run

    def spy(cmd, *a, **k):
        calls.append(cmd)
        return real(cmd, *a, **k)

    monkeypatch.setattr(wheel_build.subprocess, "run", spy)
    return calls


def wheel_kernel(rel: str) -> str:
    return str(wheel_build.wheel_root() / UNARY / rel)


@pytest.mark.parametrize(
    "rel, role, ct, risc",
    [
        ("reader_unary_interleaved_start_id.cpp", "reader", DRAM_ACCESSOR, 0),
        ("writer_unary_interleaved_start_id.cpp", "writer", (16, *DRAM_ACCESSOR), 1),
    ],
)
def test_wheel_dataflow_kernels_build_unmodified(cache, compilations, rel, role, ct, risc):
    kb = KernelBuild(source=wheel_kernel(rel), role=role, compile_time_args=ct)
    [(got_risc, so)] = wheel_build.build(kb)
    assert got_risc == risc and so.is_file()
    assert len(compilations) == 1
    # Warm: the same inputs reuse the object without running the compiler.
    assert wheel_build.build(kb) == [(risc, so)]
    assert len(compilations) == 1
    # Every header the compiler reached is part of the cache check, the wheel's and the emulator's shadows.
    deps = so.with_suffix(".deps.json").read_text()
    assert "api/dataflow/dataflow_api.h" in deps and "hal/dataflow/noc_nonblocking_api.h" in deps


def test_compile_time_args_are_part_of_the_key(cache, compilations):
    src = wheel_kernel("reader_unary_interleaved_start_id.cpp")
    a = wheel_build.build(KernelBuild(source=src, role="reader", compile_time_args=DRAM_ACCESSOR))
    b = wheel_build.build(KernelBuild(source=src, role="reader", compile_time_args=(2, 1024)))
    assert a != b and len(compilations) == 2


def test_unknown_call_fails_naming_the_kernel(cache, tmp_path):
    src = tmp_path / "bad_reader.cpp"
    src.write_text('#include "api/dataflow/dataflow_api.h"\nvoid kernel_main() { noc_async_teleport(0); }\n')
    with pytest.raises(KernelBuildError) as err:
        wheel_build.build(KernelBuild(source=str(src), role="reader"))
    message = str(err.value)
    assert "bad_reader.cpp" in message and "brisc" in message and "noc_async_teleport" in message


def test_compute_kernels_are_three_trisc_builds():
    kb = KernelBuild(source="k.cpp", role="compute")
    targets = wheel_build.targets(kb)
    assert [t.risc for t in targets] == [2, 3, 4]
    assert [t.defines[0] for t in targets] == ["UCK_CHLKC_UNPACK", "UCK_CHLKC_MATH", "UCK_CHLKC_PACK"]
    files = wheel_build.generated_files(
        KernelBuild(source="k.cpp", role="compute", defines=(("SFPU_OP", "1"),)), targets[1], 0
    )
    assert files["chlkc_math.cpp"].startswith("#define TRISC_MATH\n")
    assert files["chlkc_unpack.cpp"].startswith("#define TRISC_UNPACK\n")
    assert "#define SFPU_OP 1" in files["defines_generated.h"]
    assert "NAMESPACE::math_main" in files["emu_kernel.cpp"]


@pytest.mark.parametrize(
    ("trisc", "has_math_scalars"),
    [("UCK_CHLKC_UNPACK", False), ("UCK_CHLKC_MATH", True), ("UCK_CHLKC_PACK", True)],
)
def test_chlkc_descriptors_give_math_fidelity_and_approx_to_math_and_pack(trisc, has_math_scalars):
    """As the ttnn 0.81.1 JIT emits them: the PACK build's SFPU calls (relu.h's relu_max_tile_pack) take APPROX."""
    text = chlkc_descriptors.render([(0, 5, 2048)], {"math_fidelity": 3, "math_approx": True})
    text = text.replace('#include "llk_defs.h"\n', "namespace ckernel { enum class MathFidelity { HiFi3 = 3 }; }\n")
    seen = subprocess.run(
        [*runtime_lib.kernel_compiler(), "-E", "-P", "-x", "c++", f"-D{trisc}", "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ("constexpr bool APPROX = true;" in seen) == has_math_scalars
    assert ("MATH_FIDELITY = static_cast<ckernel::MathFidelity>(3)" in seen) == has_math_scalars
    assert seen.count("constexpr bool APPROX") <= 1  # one definition per build
    assert "DST_ACCUM_MODE" in seen


def test_chlkc_descriptors_carry_formats_and_modes():
    text = chlkc_descriptors.render(
        [(0, 5, 2048), (16, 0, 4096)],
        {"math_fidelity": 2, "fp32_dest_acc": True, "math_approx": True, "dst_full_sync": False},
    )
    assert "MATH_FIDELITY = static_cast<ckernel::MathFidelity>(2)" in text
    assert "constexpr bool APPROX = true;" in text
    assert "constexpr bool DST_ACCUM_MODE = true;" in text
    assert "#define DST_SYNC_MODE DstSync::SyncHalf" in text
    unpack_src = text.split("unpack_src_format[32] = {")[1].split("}")[0].split(", ")
    assert unpack_src[0] == "5" and unpack_src[16] == "0" and unpack_src[1] == "255"
    pack_src = text.split("pack_src_format[32] = {")[1].split("}")[0].split(", ")
    assert pack_src[16] == "0"  # fp32 DEST is packed from Float32
