"""The specs describe what the packages really build: CB table (indices, names, page counts, formats),
kernel-argument tables (indices and names as the kernels read them, counts as the descriptors pass them),
compute configuration, and the test criteria (tolerances, shapes) the op tests hold."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import torch
import ttnn

from scaffolder.spec.parser import parse_spec

from . import test_layer_norm_rm, test_rms_norm
from .conftest import make_input, to_device

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
OPS = ROOT / "ops"
LNPD = importlib.import_module("ttnn.operations.layer_norm_rm.layer_norm_rm_program_descriptor")
RMSPD = importlib.import_module("ttnn.operations.rms_norm.rms_norm_program_descriptor")
KERNELS = ("reader", "writer", "compute")  # order of ProgramDescriptor.kernels
NAMES = ("layer_norm_rm", "rms_norm")

CT_ARG = re.compile(r"constexpr\s+(?:uint32_t|bool)\s+(\w+)\s*=\s*get_compile_time_arg_val\((\d+)\)")
RT_ARG = re.compile(r"uint32_t\s+(\w+)\s*=\s*get_arg_val<uint32_t>\((\d+)\)")
CB_CONST = re.compile(r"constexpr\s+uint32_t\s+(cb_\w+)\s*=\s*(\d+)\s*;")
ACCESSOR = re.compile(r"TensorAccessorArgs<(\d+)>")


def _spec(name):
    return parse_spec(SPECS / f"{name}_spec.md").spec


def _ln_plans():
    """Every plan shape layer_norm_rm makes: each affine combination, resident and streamed, W = 1024."""
    for tile_bytes in (2048, 4096):
        for gamma in (False, True):
            for beta in (False, True):
                resident = LNPD.plan_columns(1024, tile_bytes, gamma, beta, LNPD.DEFAULT_L1_CB_BUDGET)
                streamed = LNPD.plan_columns(1024, tile_bytes, gamma, beta, resident.l1_bytes - 1)
                assert resident.n_chunks == 1 and streamed.n_chunks > 1
                yield resident
                yield streamed


def _rms_plans():
    for tile_bytes in (2048, 4096):
        for gamma in (False, True):
            for tile_layout in (False, True):
                resident = RMSPD.plan_columns(
                    1024, tile_bytes, gamma, tile_layout, RMSPD.DEFAULT_L1_CB_BUDGET
                )
                streamed = RMSPD.plan_columns(1024, tile_bytes, gamma, tile_layout, resident.l1_bytes - 1)
                assert resident.n_chunks == 1 and streamed.n_chunks > 1
                yield resident
                yield streamed


PLANS = {"layer_norm_rm": _ln_plans, "rms_norm": _rms_plans}


@pytest.mark.parametrize("name", NAMES)
def test_cb_table_lists_every_cb(name):
    spec_ids = {cb.index for cb in _spec(name).cbs}
    planned = {i for plan in PLANS[name]() for i, _ in plan.cbs}
    assert spec_ids == planned


@pytest.mark.parametrize("name", NAMES)
def test_cb_table_page_counts(name):
    """Each CB's Pages column, evaluated with the plan's Wt / blk / chunk, is the page count it gets."""
    exprs = {cb.index: cb.pages.expr for cb in _spec(name).cbs}
    for plan in PLANS[name]():
        env = {"Wt": plan.Wt, "blk": plan.blk, "chunk": plan.chunk}
        for index, pages in plan.cbs:
            assert eval(exprs[index], {"__builtins__": {}}, env) == pages, (name, index, exprs[index], env)


@pytest.mark.parametrize("name", NAMES)
def test_cb_names_and_indices_match_the_kernels(name):
    spec = {cb.index: cb.name for cb in _spec(name).cbs}
    seen = set()
    for kernel in KERNELS:
        src = (OPS / name / "kernels" / f"{name}_{kernel}.cpp").read_text()
        for cb_name, index in CB_CONST.findall(src):
            assert spec.get(int(index)) == cb_name, (kernel, cb_name, index)
            seen.add(int(index))
    assert seen == set(spec)


def test_layer_norm_cb_formats():
    """The spec's float32 CBs (row statistics) are the descriptor's; all other CBs are bfloat16."""
    fp32_in_table = {cb.index for cb in _spec("layer_norm_rm").cbs if cb.purpose.startswith("fp32")}
    assert fp32_in_table == set(LNPD.FP32_CBS)


def _descriptor(name, device, dtype=ttnn.bfloat16):
    shape = (1, 1, 64, 128)
    tdt = torch.float32 if dtype == ttnn.float32 else torch.bfloat16
    x = to_device(make_input(shape, "normal", 0).to(tdt), device, dtype=dtype)
    g = to_device(make_input((1, 1, 1, 128), "normal", 1).to(tdt), device, dtype=dtype)
    out = to_device(torch.zeros(shape, dtype=tdt), device, dtype=dtype)
    if name == "layer_norm_rm":
        return LNPD.create_program_descriptor(x, g, g, out, epsilon=1e-5)
    return RMSPD.create_program_descriptor(x, g, out, epsilon=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_kernel_argument_tables(device, name):
    spec = _spec(name)
    desc = _descriptor(name, device)
    for kernel_name, kernel in zip(KERNELS, desc.kernels):
        src = (OPS / name / "kernels" / f"{name}_{kernel_name}.cpp").read_text()
        runtime = spec.args(kernel_name, "runtime")
        assert [a.index for a in runtime] == list(range(len(runtime)))
        assert len(kernel.runtime_args[0][0]) == len(runtime), kernel_name
        assert {int(i): n for n, i in RT_ARG.findall(src)} == {a.index: a.name for a in runtime}, kernel_name
        own_ct = [a for a in spec.args(kernel_name, "compile_time") if not a.is_accessor]
        assert [a.index for a in own_ct] == list(range(len(own_ct)))
        assert {int(i): n for n, i in CT_ARG.findall(src)} == {a.index: a.name for a in own_ct}, kernel_name
        accessors = [a for a in spec.args(kernel_name, "compile_time") if a.is_accessor]
        # Interleaved accessors emit 2 words each, chained from the first one's offset.
        assert len(kernel.compile_time_args) == len(own_ct) + 2 * len(accessors), kernel_name
        offsets = [int(o) for o in ACCESSOR.findall(src)]
        assert offsets == ([len(own_ct)] if accessors else []), kernel_name


@pytest.mark.parametrize("name", NAMES)
def test_compute_configuration(device, name):
    """Fidelity and DEST mode are the spec's (documented there) and the same for every dtype."""
    spec = _spec(name)
    for dtype in (ttnn.bfloat16, ttnn.float32):
        config = _descriptor(name, device, dtype).kernels[2].config
        assert config.math_fidelity == getattr(ttnn.MathFidelity, spec.math_fidelity)
        assert config.fp32_dest_acc_en == spec.fp32_dest_acc_en
        assert config.math_approx_mode is False
    text = (SPECS / f"{name}_spec.md").read_text()
    section = text[text.index("### Compute Configuration") :]
    assert "`math_fidelity = HiFi4`" in section and "`fp32_dest_acc_en = True`" in section


@pytest.mark.parametrize("name, module", [("layer_norm_rm", test_layer_norm_rm), ("rms_norm", test_rms_norm)])
def test_test_criteria(name, module):
    """The spec's tolerance is the one the op tests hold, and its shapes are among the tested shapes."""
    spec = _spec(name)
    if name == "layer_norm_rm":
        assert (spec.tolerance.rtol, spec.tolerance.atol) == (module.RTOL, module.ATOL)
    else:
        assert (spec.tolerance.rtol, spec.tolerance.atol) == module.TOL[ttnn.bfloat16]
        assert spec.tolerance.pcc == 0.999
    assert set(spec.test_shapes) <= set(module.SHAPES.values())
    assert set(spec.slow_shapes) <= set(module.SLOW_SHAPES.values())
