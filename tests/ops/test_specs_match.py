"""The specs' CB tables and kernel-argument tables describe what the descriptors really build."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import torch

from scaffolder.spec.parser import parse_spec

from .conftest import make_input, to_device

SPECS = Path(__file__).resolve().parents[2] / "specs"
LNPD = importlib.import_module("ttnn.operations.layer_norm_rm.layer_norm_rm_program_descriptor")
RMSPD = importlib.import_module("ttnn.operations.rms_norm.rms_norm_program_descriptor")
KERNELS = ("reader", "writer", "compute")  # order of ProgramDescriptor.kernels


def _ln_cb_ids() -> set[int]:
    ids = set()
    for gamma in (False, True):
        for beta in (False, True):
            resident = LNPD.plan_columns(1024, 2048, gamma, beta, LNPD.DEFAULT_L1_CB_BUDGET)
            streamed = LNPD.plan_columns(1024, 2048, gamma, beta, resident.l1_bytes - 1)
            assert streamed.n_chunks > 1
            ids |= {i for i, _ in resident.cbs + streamed.cbs}
    return ids


def _rms_cb_ids() -> set[int]:
    ids = set()
    for tile_bytes in (2048, 4096):
        for gamma in (False, True):
            for tile_layout in (False, True):
                resident = RMSPD.plan_columns(
                    1024, tile_bytes, gamma, tile_layout, RMSPD.DEFAULT_L1_CB_BUDGET
                )
                streamed = RMSPD.plan_columns(1024, tile_bytes, gamma, tile_layout, resident.l1_bytes - 1)
                assert streamed.n_chunks > 1
                ids |= {i for i, _ in resident.cbs + streamed.cbs}
    return ids


@pytest.mark.parametrize("name, cb_ids", [("layer_norm_rm", _ln_cb_ids), ("rms_norm", _rms_cb_ids)])
def test_cb_table_lists_every_cb(name, cb_ids):
    spec = parse_spec(SPECS / f"{name}_spec.md").spec
    assert {cb.index for cb in spec.cbs} == cb_ids()


def _descriptor(name, device):
    shape = (1, 1, 64, 128)
    x = to_device(make_input(shape, "normal", 0).to(torch.bfloat16), device)
    g = to_device(make_input((1, 1, 1, 128), "normal", 1).to(torch.bfloat16), device)
    out = to_device(torch.zeros(shape, dtype=torch.bfloat16), device)
    if name == "layer_norm_rm":
        return LNPD.create_program_descriptor(x, g, g, out, epsilon=1e-5)
    return RMSPD.create_program_descriptor(x, g, out, epsilon=1e-6)


@pytest.mark.parametrize("name", ["layer_norm_rm", "rms_norm"])
def test_kernel_argument_tables(device, name):
    spec = parse_spec(SPECS / f"{name}_spec.md").spec
    desc = _descriptor(name, device)
    for kernel_name, kernel in zip(KERNELS, desc.kernels):
        runtime = spec.args(kernel_name, "runtime")
        assert [a.index for a in runtime] == list(range(len(runtime)))
        assert len(kernel.runtime_args[0][0]) == len(runtime), kernel_name
        own_ct = [a for a in spec.args(kernel_name, "compile_time") if not a.is_accessor]
        assert [a.index for a in own_ct] == list(range(len(own_ct)))
        accessors = [a for a in spec.args(kernel_name, "compile_time") if a.is_accessor]
        # Interleaved accessors emit 2 words each.
        assert len(kernel.compile_time_args) == len(own_ct) + 2 * len(accessors), kernel_name
