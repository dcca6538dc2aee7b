"""Host side of the TT-Lang sibling: checks the inputs, hands the operation to the simulator's worker
process (see ``worker``) and turns what it reports into results or ``TTLangKernelError``s.

The host does layout only: it views the input as a (rows, W) matrix and gamma/beta as (1, W) rows, and
reshapes the output back. Every number is computed by the TT-Lang kernels in ``kernels``.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import math
import os
import pickle
import select
import subprocess
import sys
import threading

import numpy as np
import torch

from siblings.ttlang import worker
from siblings.ttlang.errors import TTLangDeadlock, TTLangKernelError

TILE = 32
# Wormhole n150's worker grid, as the emulator's default.
DEFAULT_GRID = (8, 8)
DTYPES = {torch.bfloat16: "bf16", torch.float32: "f32"}
INSTALL_HINT = "pip install 'ttnn-scaffold[ttlang]'"


def available() -> tuple[bool, str]:
    """(True, "") when tt-lang-sim is installed, else (False, why). Imports nothing: finding
    ``ttl.sim`` by name would import the ``ttl`` package into this process."""
    try:
        ttl = importlib.util.find_spec("ttl")
        greenlet = importlib.util.find_spec("greenlet")
    except (ImportError, ValueError):
        ttl = greenlet = None
    locations = (ttl.submodule_search_locations or []) if ttl is not None else []
    if greenlet is None or not any(os.path.isfile(os.path.join(d, "sim", "__init__.py")) for d in locations):
        return False, f"tt-lang-sim is not installed; {INSTALL_HINT}"
    return True, ""


def timeout_s() -> float:
    """Seconds a run may take before the worker is stopped (TTLANG_TIMEOUT, default 600)."""
    return float(os.environ.get("TTLANG_TIMEOUT", "600"))


class _Worker:
    """One simulator process, started on first use and reused; restarted after it dies or times out.
    It imports what the caller can (its sys.path goes along as PYTHONPATH)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None

    def _start(self):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p and os.path.isdir(p))
        self._proc = subprocess.Popen(
            [sys.executable, "-c", "from siblings.ttlang.worker import main; main()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )

    def _stop(self, grace_s: float = 0.0) -> int | None:
        """End the worker (closing its stdin lets it exit by itself within `grace_s`, else it is killed);
        returns its exit code."""
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        with contextlib.suppress(OSError):  # a worker that died leaves a broken pipe
            proc.stdin.close()
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
        code = proc.wait()
        proc.stdout.close()
        return code

    def close(self) -> None:
        with self._lock:
            self._stop(grace_s=5.0)

    def run(self, request: dict) -> dict:
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._stop()
                self._start()
            target, limit = request["target"], timeout_s()
            try:
                worker.write_message(self._proc.stdin, request)
                ready, _, _ = select.select([self._proc.stdout], [], [], limit)
                if not ready:
                    self._stop()
                    raise TTLangKernelError(f"{target}: no answer from the simulator in {limit:g} s")
                header = self._proc.stdout.read(8)
                if len(header) < 8:
                    raise EOFError
                return pickle.loads(self._proc.stdout.read(int.from_bytes(header, "little")))
            except (EOFError, BrokenPipeError):
                code = self._stop()
                raise TTLangKernelError(f"{target}: the simulator process exited (code {code})") from None


_WORKER = _Worker()
atexit.register(_WORKER.close)


def run_operation(
    target: str, args: list, options: dict | None = None, grid=DEFAULT_GRID
) -> list[np.ndarray]:
    """Run the TT-Lang operation ``factory(**options)`` named by ``target`` ("module:factory") on the
    simulator; args as ``worker.execute`` takes them. Returns the outputs; raises TTLangKernelError
    (TTLangDeadlock for a deadlock) with what the simulator reported."""
    ok, why = available()
    if not ok:
        raise ImportError(why)
    reply = _WORKER.run({"target": target, "args": args, "options": options or {}, "grid": tuple(grid)})
    if reply["status"] == "ok":
        return reply["outputs"]
    if reply["status"] == "deadlock":
        blocked = reply["blocked"]
        raise TTLangDeadlock(
            f"{target}: deadlock, every kernel is blocked: " + ("; ".join(blocked) or reply["message"]),
            blocked=blocked,
            log=reply["log"],
        )
    where = ", ".join(p for p in (reply["kernel"], reply["location"]) if p)
    raise TTLangKernelError(
        f"{target}: {reply['message']}" + (f" ({where})" if where else ""),
        kernel=reply["kernel"],
        location=reply["location"],
        log=reply["log"],
    )


def _check(name: str, x: torch.Tensor, gamma, beta, eps: float, grid) -> str:
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"{name}: x must be a torch.Tensor, got {type(x).__name__}")  # noqa: TRY004
    if x.dtype not in DTYPES:
        raise ValueError(f"{name}: x must be bfloat16 or float32, got {x.dtype}")
    if not 2 <= x.dim() <= 4:
        raise ValueError(f"{name}: x must be 2-D to 4-D (rows..., W), got shape {tuple(x.shape)}")
    if x.numel() == 0:
        raise ValueError(f"{name}: x is empty (shape {tuple(x.shape)})")
    w = x.shape[-1]
    if w % TILE:
        raise ValueError(f"{name}: W = {w} must be a multiple of {TILE} (the row is reduced in whole tiles)")
    for pname, p in (("gamma", gamma), ("beta", beta)):
        if p is None:
            continue
        if not isinstance(p, torch.Tensor) or p.dtype != x.dtype:
            raise ValueError(f"{name}: {pname} must be a torch.Tensor of x's dtype {x.dtype}")
        if p.numel() != w or p.shape[-1] != w:
            raise ValueError(
                f"{name}: {pname} must hold W = {w} values in its last dim, got {tuple(p.shape)}"
            )
    if not (math.isfinite(eps) and eps >= 0):
        raise ValueError(f"{name}: epsilon must be finite and >= 0, got {eps}")
    if len(grid) != 2 or any(int(g) < 1 for g in grid):
        raise ValueError(f"{name}: grid must be two positive ints, got {grid}")
    return DTYPES[x.dtype]


def _rows(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().float().reshape(-1, t.shape[-1]).numpy()


def _run(name, target, x, params, eps, grid):
    dtype = DTYPES[x.dtype]
    args = [("in", _rows(x), dtype)]
    args += [None if p is None else ("in", _rows(p), dtype) for p in params]
    # One float32 tile for the kernels' statistics buffers to be made like (a TT-Lang buffer takes its
    # format from a tensor), then the output.
    args += [("out", (TILE, TILE), "f32"), ("out", (x.numel() // x.shape[-1], x.shape[-1]), dtype)]
    _, y = run_operation(f"siblings.ttlang.kernels:{target}", args, {"eps": float(eps)}, grid)
    return torch.from_numpy(y).to(x.dtype).reshape(x.shape)


def rms_norm(x: torch.Tensor, gamma: torch.Tensor | None = None, *, epsilon: float = 1e-6, grid=DEFAULT_GRID):
    """RMSNorm over the last dim of a 2-D to 4-D bfloat16/float32 tensor, on tt-lang-sim."""
    _check("rms_norm", x, gamma, None, epsilon, grid)
    return _run("rms_norm", "rms_norm_operation", x, [gamma], epsilon, grid)


def layer_norm(
    x: torch.Tensor,
    gamma: torch.Tensor | None = None,
    beta: torch.Tensor | None = None,
    *,
    epsilon: float = 1e-5,
    grid=DEFAULT_GRID,
):
    """LayerNorm over the last dim of a 2-D to 4-D bfloat16/float32 tensor, on tt-lang-sim."""
    _check("layer_norm", x, gamma, beta, epsilon, grid)
    return _run("layer_norm", "layer_norm_operation", x, [gamma, beta], epsilon, grid)
