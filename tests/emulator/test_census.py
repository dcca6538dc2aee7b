"""The kernel census (scripts/kernel_census.py): its classifier, role and sample rules in the default run, and
a stratified sample of the wheel's kernels built with the wheel-API build in the slow suite, which fails on
any emulator-caused failure other than the open gaps census_gaps.txt lists."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_census():
    spec = importlib.util.spec_from_file_location("kernel_census", ROOT / "scripts" / "kernel_census.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["kernel_census"] = module
    spec.loader.exec_module(module)
    return module


kc = _load_census()

# A tiny stand-in for the wheel's header index: what it ships, #defines and mentions.
INDEX = kc.WheelIndex(
    files=frozenset({"tt_metal/hw/inc/api/dataflow/noc.h", "tt_metal/hw/inc/api/compute/reduce.h"}),
    macros=frozenset({"FORCE_INLINE", "ALWI"}),
    words=frozenset({"noc_async_read", "llk_math_reduce", "Noc", "PoolType", "REDUCE_OP"}),
)
EMU = ("/src/emulator",)


def classify(text: str) -> kc.Diagnosis:
    return kc.classify(text, INDEX, EMU)


@pytest.mark.parametrize(
    ("diagnostics", "cls", "detail"),
    [
        # clang
        (
            "k.cpp:3:10: fatal error: 'api/dataflow/noc.h' file not found",
            "emulator_missing_header",
            "api/dataflow/noc.h",
        ),
        ("k.cpp:3:10: fatal error: 'my_op_common.hpp' file not found", "host_include", "my_op_common.hpp"),
        ("k.cpp:9:5: error: use of undeclared identifier 'REDUCE_OP'", "host_define", "REDUCE_OP"),
        (
            "k.cpp:9:5: error: use of undeclared identifier 'SFPU_OP_CHAIN_0'",
            "host_define",
            "SFPU_OP_CHAIN_0",
        ),
        (
            "k.cpp:9:5: error: use of undeclared identifier 'noc_async_read'",
            "emulator_missing_function",
            "noc_async_read",
        ),
        ("k.cpp:9:5: error: unknown type name 'Noc'", "emulator_missing_function", "Noc"),
        (
            "reduce.h:40:5: error: no member named 'llk_math_reduce' in namespace 'ckernel'",
            "emulator_missing_function",
            "ckernel::llk_math_reduce",
        ),
        (
            "k.cpp:9:5: error: use of undeclared identifier 'frobnicate_tiles'",
            "not_in_wheel",
            "frobnicate_tiles",
        ),
        ("k.cpp:9:5: error: no member named 'in0' in namespace 'dfb'", "host_binding", "dfb::in0"),
        (
            "tensor_accessor_args.h:50:19: error: static assertion failed due to requirement 'rank > 0'",
            "host_arg",
            None,
        ),
        (
            "k.cpp:12:24: error: constexpr variable 'n' must be initialized by a constant expression",
            "host_arg",
            None,
        ),
        ('k.cpp:4:2: error: "REDUCE_DIM must be defined"', "host_define", None),
        ('k.cpp:4:2: error: "only supported on ARCH_BLACKHOLE"', "other_arch", None),
        ("k.cpp:4:2: fatal error: 'blackhole/noc_nonblocking_api.h' file not found", "other_arch", None),
        (
            "ckernel.h:80:5: error: invalid output constraint '=r' in asm",
            "emulator_hw_layer",
            None,
        ),
        (
            "/src/emulator/hal/llk/llk_math_common.h:12:3: error: expected ';' after expression",
            "emulator_error",
            None,
        ),
        ("k.cpp:1:1: error: expected unqualified-id", "unclassified", None),
        (
            "k.cpp:22:33: error: call to non-'constexpr' function 'uint32_t get_tile_size(uint32_t, const emu::Loc&)'",
            "emulator_error",
            None,
        ),
        ("buf_rw_note.h:25:46: error: invalid token in expression", "emulator_hw_layer", None),
        ("k.cpp:9:5: error: 'pipe' is not a class, namespace, or enumeration", "host_binding", "pipe::"),
        (
            "k.cpp:9:5: error: use of undeclared identifier 'get_named_compile_time_arg_val'",
            "host_arg",
            None,
        ),
        (
            "k.cpp:9:5: error: static assertion failed: ENABLE_FP32_DEST_ACC must be defined for data movement kernels",
            "host_define",
            None,
        ),
        ("k.cpp:9:5: error: use of undeclared identifier 'get_vararg'", "host_binding", "get_vararg"),
        # gcc, and the emulator builder's own summary lines
        (
            "k.cpp:3:10: fatal error: api/dataflow/noc.h: No such file or directory",
            "emulator_missing_header",
            None,
        ),
        (
            "k.cpp:9:5: error: 'noc_async_read' was not declared in this scope",
            "emulator_missing_function",
            None,
        ),
        ("k.cpp:9:5: error: 'REDUCE_DIM' was not declared in this scope", "host_define", "REDUCE_DIM"),
        (
            "  k.cpp:9:5: error: static assertion failed: emulator: matmul_tiles is not implemented",
            "emulator_not_implemented",
            "matmul_tiles",
        ),
        # the loader
        (
            "/cache/k.so: undefined symbol: _Z14llk_pack_untilv",
            "emulator_missing_symbol",
            "_Z14llk_pack_untilv",
        ),
    ],
)
def test_classify_error_lines(diagnostics, cls, detail):
    d = classify(diagnostics)
    assert d.cls == cls, d
    if detail is not None:
        assert d.detail == detail


def test_first_error_decides_and_cascades_are_ignored():
    text = (
        "k.cpp:9:5: error: use of undeclared identifier 'REDUCE_OP'\n"
        "/src/emulator/hal/llk/llk_math_reduce.h:3:1: error: no matching function for call to 'f'"
    )
    assert classify(text).cls == "host_define"


def test_unclassified_first_error_yields_to_an_explained_one():
    text = "k.cpp:1:1: error: expected unqualified-id\nk.cpp:2:1: error: use of undeclared identifier 'noc_async_read'"
    assert classify(text).cls == "emulator_missing_function"


def test_no_error_lines_is_never_a_pass():
    assert classify("clang++: killed by signal 9").cls == "unclassified"


def test_every_class_is_either_the_emulators_or_the_hosts():
    assert "ok" not in kc.EMULATOR_CLASSES and "unclassified" in kc.EMULATOR_CLASSES
    assert {"host_define", "host_arg", "host_include", "host_binding"}.isdisjoint(kc.EMULATOR_CLASSES)


@pytest.mark.parametrize(
    ("rel", "text", "roles"),
    [
        ("ttnn/cpp/ttnn/operations/x/device/kernels/compute/k.cpp", "void kernel_main() {}", ("compute",)),
        (
            "ttnn/cpp/ttnn/operations/x/device/kernels/dataflow/reader_k.cpp",
            "void kernel_main() {}",
            ("reader",),
        ),
        (
            "ttnn/cpp/ttnn/operations/x/device/kernels/dataflow/writer_k.cpp",
            "void kernel_main() {}",
            ("writer",),
        ),
        ("ttnn/cpp/ttnn/operations/x/device/kernels/dataflow/reader_writer_k.cpp", "", ("reader", "writer")),
        ("ttnn/cpp/ttnn/operations/x/device/kernels/dataflow/mover.cpp", "", ("reader", "writer")),
        (
            "ttnn/cpp/ttnn/operations/moreh/m/device/m_kernels/moreh_sum_w.cpp",
            "namespace NAMESPACE {\nvoid MAIN {}\n}",
            ("compute",),
        ),
        (
            "ttnn/cpp/ttnn/operations/y/device/kernels/k.cpp",
            '#include "api/compute/eltwise_binary.h"\nvoid kernel_main() {}',
            ("compute",),
        ),
        (
            "ttnn/cpp/ttnn/operations/y/device/kernels/dataflow/reader_y.cpp",
            '#include "api/dataflow/dataflow_api.h"\n#include "ttnn/kernel_lib/reduce_helpers_dataflow.hpp"',
            ("reader",),
        ),
        (  # moreh's compute kernels: the compute helpers by their full path, and DataflowBuffer for the CBs
            "ttnn/cpp/ttnn/operations/moreh/moreh_norm/device/moreh_norm_w/kernels/moreh_norm_w_kernel.cpp",
            '#include "ttnn/kernel/compute/moreh_common.hpp"\n#include "api/dataflow/dataflow_buffer.h"\n'
            "void kernel_main() {}",
            ("compute",),
        ),
        (
            "ttnn/cpp/ttnn/operations/moreh/moreh_layer_norm/device/kernels/moreh_layer_norm_large_kernel.cpp",
            '#include "ttnn/cpp/ttnn/kernel_lib/reduce_helpers_compute.hpp"\nvoid kernel_main() {}',
            ("compute",),
        ),
    ],
)
def test_roles(rel, text, roles):
    assert kc.roles_of(rel, text) == roles


def test_kernel_paths_and_families():
    assert kc.is_kernel_path("ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels/compute/eltwise_sfpu.cpp")
    assert kc.is_kernel_path(
        "ttnn/cpp/ttnn/operations/moreh/moreh_sum/device/moreh_sum_h_impl_kernels/moreh_sum_h.cpp"
    )
    assert not kc.is_kernel_path("ttnn/cpp/ttnn/kernel_lib/reduce_helpers.hpp")
    assert not kc.is_kernel_path("ttnn/cpp/ttnn/operations/eltwise/unary/device/unary_program_factory.cpp")
    assert kc.family_of("ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels/compute/e.cpp") == "eltwise"
    assert (
        kc.family_of("ttnn/cpp/ttnn/operations/experimental/ccl/a/device/kernels/r.cpp") == "experimental/ccl"
    )
    assert kc.family_of("ttnn/cpp/ttnn/kernel/compute/tilize.cpp") == "ttnn/kernel"


def test_placeholders_for_named_args_and_metal2_bindings():
    text = (
        'constexpr uint32_t a = get_named_compile_time_arg_val("num_tiles");\n'
        "uint32_t n = get_arg(args::n_tiles); DataflowBuffer in(dfb::in0); auto t = TensorAccessor(tensor::src);\n"
        'Semaphore s(sem::ready); Scratchpad<uint8_t> p(scratch::tmp); auto q = dfb::get_token_if_present<"x">();'
    )
    assert kc.named_args(text) == (("num_tiles", 2),)
    names = kc.binding_names(text)
    assert names == {
        "args": ["n_tiles"],
        "dfb": ["in0"],
        "tensor": ["src"],
        "sem": ["ready"],
        "scratch": ["tmp"],
    }
    header = kc.bindings_header(names)
    for decl in (
        "CtaVal<uint32_t> n_tiles{2}",
        "DFBBindingToken<> in0{0}",
        "TensorBindingToken<0, 0>",
        "SemaphoreBindingToken ready{0",
        "ScratchpadBindingToken tmp{0",
    ):
        assert decl in header


def _kernels(n):
    fams = ["eltwise", "matmul", "reduction", "ccl"]
    out = []
    for i in range(n):
        fam = fams[i % 4] if i < n - 1 else "rare"
        role = ("compute",) if i % 3 == 0 else ("reader",)
        out.append(kc.Kernel(f"ttnn/cpp/ttnn/operations/{fam}/k{i}.cpp", fam, role))
    return out


def test_stratified_sample_covers_every_stratum_and_is_stable():
    kernels = _kernels(400)
    sample = kc.stratified_sample(kernels, 100)
    assert len(sample) >= 100
    strata = {(k.family, k.roles) for k in kernels}
    assert strata <= {(k.family, k.roles) for k in sample}
    assert [k.rel for k in sample] == [k.rel for k in kc.stratified_sample(list(reversed(kernels)), 100)]


def test_discovery_finds_the_wheels_kernels():
    kernels = kc.discover(kc.wheel_root())
    assert len(kernels) > 1400
    rels = {k.rel for k in kernels}
    assert "ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels/compute/eltwise_sfpu.cpp" in rels
    assert "ttnn/cpp/ttnn/operations/matmul/device/kernels/compute/bmm.cpp" in rels


def test_report_counts_per_class_and_family(tmp_path):
    results = [
        kc.KernelResult("a.cpp", "eltwise", [kc.RoleResult("compute", "ok")]),
        kc.KernelResult("b.cpp", "eltwise", [kc.RoleResult("reader", "host_define", "REDUCE_OP")]),
        kc.KernelResult(
            "c.cpp",
            "matmul",
            [kc.RoleResult("reader", "host_arg"), kc.RoleResult("writer", "emulator_missing_symbol", "f")],
        ),
    ]
    kc.write_reports(results, {"api": "wheel", "jobs": 2, "seconds": 1.0, "command": "x"}, tmp_path, "t")
    import json

    doc = json.loads((tmp_path / "t.json").read_text())
    assert doc["summary"]["per_class"] == {"ok": 1, "host_define": 1, "emulator_missing_symbol": 1}
    assert doc["summary"]["emulator_caused"] == 1
    assert doc["summary"]["per_family"]["eltwise"] == {"ok": 1, "host_define": 1}
    md = (tmp_path / "t.md").read_text()
    assert "`c.cpp` (writer): emulator_missing_symbol: `f`" in md


GAPS = Path(__file__).resolve().parent / "census_gaps.txt"


def _known_gaps() -> set[str]:
    lines = [ln.strip() for ln in GAPS.read_text().splitlines()]
    return {ln.split(":", 1)[0] for ln in lines if ln and not ln.startswith("#")}


@pytest.mark.slow
def test_census_sample_fails_only_on_the_known_emulator_gaps(monkeypatch):
    """At least 100 wheel kernels (136): one per (top-level op family, compute/dataflow) stratum, the rest in
    proportion, built with the wheel-API build. Every emulator-caused failure must be one of the open gaps listed
    in census_gaps.txt (a new one is a regression), and a listed kernel that now builds must leave the list, so
    the list only shrinks as the second generation is completed."""
    monkeypatch.setenv("TTNN_EMULATOR_API", "wheel")
    root = kc.wheel_root()
    sample = kc.stratified_sample(kc.discover(root), 110)
    assert len(sample) >= 100
    results = [kc.run_kernel(k, str(root)) for k in sample]
    bad = {
        f"{r.rel} ({rr.role})": f"{rr.cls}: {rr.detail} {rr.location}"
        for r in results
        for rr in r.roles
        if rr.cls in kc.EMULATOR_CLASSES
    }
    known = _known_gaps()
    new = sorted(set(bad) - known)
    assert not new, f"{len(new)} new emulator-caused build failures:\n" + "\n".join(
        f"{k}: {bad[k]}" for k in new
    )
    built = sorted(known - set(bad))
    assert not built, "these kernels build now; remove them from census_gaps.txt:\n" + "\n".join(built)


def test_reclassify_uses_the_stored_error_lines():
    err = "k.cpp:9:5: error: use of undeclared identifier 'noc_async_read'"
    doc = {
        "kernels": [
            {
                "path": "a.cpp",
                "family": "f",
                "roles": [{"role": "reader", "cls": "unclassified", "errors": err}],
            },
            {"path": "b.cpp", "family": "f", "roles": [{"role": "writer", "cls": "ok"}]},
        ]
    }
    out = kc.reclassify(doc, INDEX)
    assert [r.cls for r in out] == ["emulator_missing_function", "ok"]
    assert kc.first_errors("note: x\n" + err + "\nwarning: y") == err


def test_source_closure_follows_includes_by_wheel_rooted_path(tmp_path):
    root = tmp_path / "cpp"
    (root / "ttnn/ops/x").mkdir(parents=True)
    (root / "ttnn/ops/x/common.hpp").write_text('constexpr auto n = get_named_compile_time_arg_val("tiles");')
    kernel = tmp_path / "k.cpp"
    kernel.write_text('#include "ttnn/ops/x/common.hpp"\n#include "missing.h"\nvoid kernel_main() {}')
    assert kc.named_args(kc.source_closure(kernel, roots=(root,))) == (("tiles", 2),)
    assert kc.named_args(kc.source_closure(kernel)) == ()


def test_reports_keep_no_machine_paths(tmp_path):
    wheel = kc.wheel_root()
    err = (
        f"{wheel}/tt_metal/hw/inc/api/compute/common.h:52:12: error: use of undeclared identifier 'mop_sync'"
    )
    build = "/home/u/.cache/emu/kernels-wheel/build-x1y2/emu_kernel.cpp:3:1: error: expected ';'"
    results = [
        kc.KernelResult(
            "a.cpp", "f", [kc.RoleResult("compute", "emulator_missing_function", "mop_sync", err, errors=err)]
        ),
        kc.KernelResult("b.cpp", "f", [kc.RoleResult("reader", "unclassified", "x", "", errors=build)]),
    ]
    kc.write_reports(results, {"api": "wheel", "jobs": 2, "seconds": 1.0, "command": "x"}, tmp_path, "t")
    text = (tmp_path / "t.json").read_text() + (tmp_path / "t.md").read_text()
    assert str(wheel) not in text and "/home/u" not in text
    assert "tt_metal/hw/inc/api/compute/common.h:52:12" in text and "<build>/emu_kernel.cpp" in text
    assert (
        kc.portable("/home/u/.cache/k/ab12.brisc.so: undefined symbol: x")
        == "<cache>/ab12.brisc.so: undefined symbol: x"
    )
    assert (
        kc.classify("emulator/hal/llk/ckernel.h:3:1: error: expected ';'", INDEX, EMU).cls == "emulator_error"
    )


def test_quasar_kernels_unexplained_errors_are_the_architectures():
    err = "k.cpp:22:20: error: variable has incomplete type 'DataflowBuffer'"
    d = kc.classify(err, INDEX, EMU)
    assert d.cls == "unclassified"
    assert kc.for_kernel("ttnn/cpp/ttnn/operations/experimental/quasar/fold/k.cpp", d).cls == "other_arch"
    assert kc.for_kernel("ttnn/cpp/ttnn/operations/data_movement/fold/k.cpp", d).cls == "unclassified"


def test_index_takes_defines_from_api_headers_not_op_kernel_helpers(tmp_path):
    api = tmp_path / "tt_metal" / "hw" / "inc" / "api.h"
    helper = tmp_path / "ttnn" / "cpp" / "ttnn" / "operations" / "sdpa" / "device" / "kernels" / "common.hpp"
    for path, text in ((api, "#define ALWI inline\n"), (helper, "#define REDUCE_OP PoolType::MAX\n")):
        path.parent.mkdir(parents=True)
        path.write_text(text)
    index = kc.wheel_index(str(tmp_path))
    assert "ALWI" in index.macros and "REDUCE_OP" not in index.macros
    d = kc.classify("k.cpp:9:5: error: use of undeclared identifier 'REDUCE_OP'", index, EMU)
    assert (d.cls, d.detail) == ("host_define", "REDUCE_OP")


def test_a_bare_header_only_op_kernel_directories_ship_is_the_host_include_path():
    index = kc.WheelIndex(
        files=frozenset(
            {
                "ttnn/cpp/ttnn/operations/b/device/kernels/compute/eltwise_utils_common.hpp",
                "ttnn/cpp/ttnn/operations/data_movement/common/kernels/common.hpp",
            }
        ),
        macros=frozenset(),
        words=frozenset(),
    )
    bare = kc.classify("k.cpp:5:10: fatal error: 'eltwise_utils_common.hpp' file not found", index, EMU)
    assert (bare.cls, bare.detail) == ("host_include", "eltwise_utils_common.hpp")
    # By its path from an include directory the JIT passes, a missing one is the emulator's.
    full = "k.cpp:5:10: fatal error: 'ttnn/operations/data_movement/common/kernels/common.hpp' file not found"
    assert kc.classify(full, index, EMU).cls == "emulator_missing_header"
