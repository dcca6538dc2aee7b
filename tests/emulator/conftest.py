import os
import secrets

import numpy as np
import pytest
import torch
import ttnn

SEED_ENV = "EMU_TEST_SEED"


@pytest.fixture(scope="module")
def device():
    dev = ttnn.open_device(device_id=0)
    yield dev
    ttnn.close_device(dev)


@pytest.fixture(autouse=True)
def _seed(request):
    """Fresh random inputs on every run (numpy through `rng`, torch through its global generator); a failing
    test names the seed, and EMU_TEST_SEED=<seed> reruns it with the same inputs."""
    seed = int(os.environ.get(SEED_ENV) or secrets.randbits(31))
    request.node.emu_seed = seed
    torch.manual_seed(seed)
    return seed


@pytest.fixture
def rng(_seed):
    return np.random.default_rng(_seed)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    seed = getattr(item, "emu_seed", None)
    if report.failed and seed is not None:
        report.sections.append(("random inputs", f"{SEED_ENV}={seed} reproduces this test's inputs"))
