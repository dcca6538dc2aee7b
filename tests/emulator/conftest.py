import numpy as np
import pytest
import torch
import ttnn


@pytest.fixture(scope="module")
def device():
    dev = ttnn.open_device(device_id=0)
    yield dev
    ttnn.close_device(dev)


@pytest.fixture
def rng():
    return np.random.default_rng()


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(torch.seed() % (2**31))
