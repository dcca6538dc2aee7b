"""What the simulator reports about a kernel comes back as TTLangKernelError / TTLangDeadlock naming the
kernel and the kernel-source line, never as a bare traceback; the worker survives it, and a worker that
dies or hangs is reported and replaced. The broken kernels live in ttlang_faulty_kernels.py."""

from __future__ import annotations

import os

import numpy as np
import pytest

from siblings import ttlang

if not ttlang.available()[0]:
    pytest.skip(ttlang.available()[1], allow_module_level=True)

FAULTY = os.path.join(os.path.dirname(__file__), "ttlang_faulty_kernels.py")


def marked_line(marker: str) -> int:
    with open(FAULTY) as f:
        return next(i for i, line in enumerate(f, 1) if f"# {marker}" in line)


def run(factory: str, tiles: int = 2):
    x = np.random.default_rng().standard_normal((32 * tiles, 32)).astype(np.float32)
    (y,) = ttlang.run_operation(
        f"ttlang_faulty_kernels:{factory}", [("in", x, "f32"), ("out", (32 * tiles, 32), "f32")]
    )
    return x, y


def test_a_good_kernel_runs():
    x, y = run("good_copy")
    np.testing.assert_array_equal(y, 2 * x)


def test_protocol_error_names_kernel_and_line():
    with pytest.raises(ttlang.TTLangKernelError) as info:
        run("pop_without_use")
    err = info.value
    assert not isinstance(err, ttlang.TTLangDeadlock)
    assert err.kernel == "node0-compute"
    assert err.location == f"{FAULTY}:{marked_line('POP_WITHOUT_USE')}"
    text = str(err)
    assert text.startswith("ttlang_faulty_kernels:pop_without_use: ")
    assert "Cannot perform pop()" in text and "STORE_SRC" in text and "node0-compute" in text
    assert "Traceback" not in text and "\n" not in text
    x, y = run("good_copy")  # the same worker goes on
    np.testing.assert_array_equal(y, 2 * x)


def test_deadlock_lists_every_blocked_wait():
    with pytest.raises(ttlang.TTLangDeadlock) as info:
        run("reader_waits")
    err = info.value
    assert "deadlock" in str(err)
    reader = f"{FAULTY}:{marked_line('READER_WAITS')}"
    assert any("wait()" in b and "x_dfb" in b and b.endswith(reader) for b in err.blocked), err.blocked
    assert all("(nodes: 0-1)" in b for b in err.blocked), err.blocked  # both nodes of the (1, 2) grid
    assert len(err.blocked) == 3  # reader, compute and writer
    x, y = run("good_copy")
    np.testing.assert_array_equal(y, 2 * x)


def test_buffers_over_l1_are_an_error():
    with pytest.raises(ttlang.TTLangKernelError, match="exceeds the L1 memory limit"):
        run("too_much_l1")


def test_a_dead_worker_is_reported_and_replaced():
    with pytest.raises(ttlang.TTLangKernelError, match=r"simulator process exited \(code 3\)"):
        run("worker_exits")
    x, y = run("good_copy")
    np.testing.assert_array_equal(y, 2 * x)


def test_a_silent_worker_is_stopped(monkeypatch):
    monkeypatch.setenv("TTLANG_TIMEOUT", "2")
    with pytest.raises(ttlang.TTLangKernelError, match="no answer from the simulator in 2 s"):
        run("sleeps")


def test_an_unknown_operation_is_reported():
    with pytest.raises(ttlang.TTLangKernelError, match="has no attribute 'no_such_factory'"):
        run("no_such_factory")
