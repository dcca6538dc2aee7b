"""Deliberately broken TT-Lang operations for the error-path tests of siblings.ttlang.

Loaded only inside the simulator's worker process (where ``ttl`` is the simulator's), never by pytest:
the name does not start with ``test_``. Each factory returns an operation called as op(x, y) on
tiled (32 * n, 32) tensors.
"""

from __future__ import annotations

import os
import time

import ttl


def good_copy():
    @ttl.operation(grid=(1, 1))
    def copy(x, y):
        tiles = x.shape[0] // 32
        x_dfb = ttl.make_dataflow_buffer_like(x, shape=(1, 1), block_count=2)
        y_dfb = ttl.make_dataflow_buffer_like(y, shape=(1, 1), block_count=2)

        @ttl.compute()
        def compute():
            for _ in range(tiles):
                with x_dfb.wait() as xb, y_dfb.reserve() as yb:
                    yb.store(xb + xb)

        @ttl.datamovement()
        def reader():
            for t in range(tiles):
                with x_dfb.reserve() as xb:
                    ttl.copy(x[t : t + 1, 0:1], xb).wait()

        @ttl.datamovement()
        def writer():
            for t in range(tiles):
                with y_dfb.wait() as yb:
                    ttl.copy(yb, y[t : t + 1, 0:1]).wait()

    return copy


def pop_without_use():
    """Compute releases each input block without reading it into a store: a dataflow-buffer protocol
    error (the simulator wants every waited block consumed by a store before it is popped)."""

    @ttl.operation(grid=(1, 1))
    def copy(x, y):
        tiles = x.shape[0] // 32
        x_dfb = ttl.make_dataflow_buffer_like(x, shape=(1, 1), block_count=2)
        y_dfb = ttl.make_dataflow_buffer_like(y, shape=(1, 1), block_count=2)

        @ttl.compute()
        def compute():
            for _ in range(tiles):
                with x_dfb.wait():  # POP_WITHOUT_USE
                    pass

        @ttl.datamovement()
        def reader():
            for t in range(tiles):
                with x_dfb.reserve() as xb:
                    ttl.copy(x[t : t + 1, 0:1], xb).wait()

        @ttl.datamovement()
        def writer():
            for t in range(tiles):
                with y_dfb.wait() as yb:
                    ttl.copy(yb, y[t : t + 1, 0:1]).wait()

    return copy


def reader_waits():
    """The reader waits on the buffer it should fill: every kernel blocks, a deadlock."""

    @ttl.operation(grid=(1, 2))
    def copy(x, y):
        tiles = x.shape[0] // 32
        x_dfb = ttl.make_dataflow_buffer_like(x, shape=(1, 1), block_count=2)
        y_dfb = ttl.make_dataflow_buffer_like(y, shape=(1, 1), block_count=2)

        @ttl.compute()
        def compute():
            for _ in range(tiles):
                with x_dfb.wait() as xb, y_dfb.reserve() as yb:
                    yb.store(xb)

        @ttl.datamovement()
        def reader():
            for t in range(tiles):
                with x_dfb.wait() as xb:  # READER_WAITS
                    ttl.copy(x[t : t + 1, 0:1], xb).wait()

        @ttl.datamovement()
        def writer():
            for t in range(tiles):
                with y_dfb.wait() as yb:
                    ttl.copy(yb, y[t : t + 1, 0:1]).wait()

    return copy


def too_much_l1():
    """A 1000-tile input buffer: over a node's L1, which the simulator itself only warns about."""

    @ttl.operation(grid=(1, 1))
    def copy(x, y):
        tiles = x.shape[0] // 32
        x_dfb = ttl.make_dataflow_buffer_like(x, shape=(1, 1), block_count=1000)
        y_dfb = ttl.make_dataflow_buffer_like(y, shape=(1, 1), block_count=2)

        @ttl.compute()
        def compute():
            for _ in range(tiles):
                with x_dfb.wait() as xb, y_dfb.reserve() as yb:
                    yb.store(xb)

        @ttl.datamovement()
        def reader():
            for t in range(tiles):
                with x_dfb.reserve() as xb:
                    ttl.copy(x[t : t + 1, 0:1], xb).wait()

        @ttl.datamovement()
        def writer():
            for t in range(tiles):
                with y_dfb.wait() as yb:
                    ttl.copy(yb, y[t : t + 1, 0:1]).wait()

    return copy


def worker_exits():
    """Not a kernel bug: the worker process dies mid-request (as a crash in native code would)."""
    os._exit(3)


def sleeps(seconds: float = 30.0):
    """Takes longer than the test's TTLANG_TIMEOUT before building anything."""
    time.sleep(seconds)
    return good_copy()
