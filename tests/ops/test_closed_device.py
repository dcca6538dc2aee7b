"""A call on a tensor whose device was closed is a ValueError before any device work. Its own module: it
closes the device, so it must not share the module-scoped device of the other op tests."""

from __future__ import annotations

import pytest
import torch
import ttnn
from ttnn.operations.layer_norm_rm import layer_norm_rm
from ttnn.operations.rms_norm import rms_norm

from .conftest import NoDeviceWork, make_input, to_device


@pytest.mark.parametrize("op", [layer_norm_rm, rms_norm], ids=["layer_norm_rm", "rms_norm"])
def test_closed_device_is_a_value_error(monkeypatch, op):
    dev = ttnn.open_device(device_id=0)
    x = to_device(make_input((1, 1, 32, 64), "normal", 5).to(torch.bfloat16), dev)
    ttnn.close_device(dev)
    with NoDeviceWork(monkeypatch), pytest.raises(ValueError, match="device is closed"):
        op(x)
