"""Runs TT-Lang operations on tt-lang-sim in a process of its own.

The simulator cannot share a process with the rest of the project:

* importing ``ttl.sim`` rebinds ``torch.bfloat16`` (and ``torch.float16``) to ``torch.float32`` for the
  whole process, so bf16 work elsewhere (the torch and Triton siblings, ttnn's host code) would
  silently run in fp32;
* when the real ``ttnn`` is importable, the simulator's ttnn stand-in copies every ttnn op that has a
  golden function into its own namespace, and ``ttnn.slice`` then shadows the builtin ``slice`` it
  indexes tensors with, so every tile copy fails.

So ``siblings.ttlang.runner`` runs ``main`` in a process of its own, where ``ttnn`` is made unimportable
before the simulator loads (the simulator then uses only its own stand-in), and talks to it over its
stdin and stdout: a request names an operation factory and the tensors, the reply carries the outputs
or the error the simulator reported. Anything the simulator prints goes to stderr, or into the reply
while an operation runs.
"""

from __future__ import annotations

import importlib
import io
import os
import pickle
import re
import sys
import sysconfig
import traceback
import warnings
from contextlib import redirect_stdout

import numpy as np

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Diagnostics the simulator reported during the current run: (label, message, file, line).
_REPORTED: list[tuple[str, str, str, int]] = []


class _Diagnostic(Exception):
    """Stands in for the compiler's ``ttl.diagnostics.TTLangCompileError``, which the tt-lang-sim
    wheel does not ship: its error formatter imports it from a path missing from the wheel, so every
    kernel error would otherwise come out as a FileNotFoundError about that module. It records each
    diagnostic for the reply instead of printing source context."""

    def __init__(self, message, source_file="", line=0, col=1):
        super().__init__(message)
        _REPORTED.append(("", str(message), str(source_file), int(line)))

    def format(self) -> str:
        _, message, source_file, line = _REPORTED[-1]
        return f"{source_file}:{line}: {message}"


class _Diagnostics:
    TTLangCompileError = _Diagnostic


def _isolate() -> None:
    if "ttl.sim" in sys.modules:
        return
    if "ttnn" in sys.modules and sys.modules["ttnn"] is not None:
        raise RuntimeError("the TT-Lang worker must start before anything imports ttnn")
    sys.modules["ttnn"] = None  # `import ttnn` now raises ImportError: the simulator uses its own
    import ttl.sim.operation
    from ttl.sim import diagnostics

    diagnostics.lazy_import_diagnostics = lambda: _Diagnostics
    # Kernels `import ttl` as they would for the compiler; the tt-lang-sim launcher does the same.
    sys.modules["ttl"] = ttl.sim.ttl


def _user_frame(exc: BaseException) -> str:
    """file:line of the innermost frame in kernel code: outside the simulator, greenlet, the standard
    library and this module."""
    skip = (sysconfig.get_paths()["stdlib"], __file__)
    found = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        f = frame.filename.replace("\\", "/")
        if "/ttl/" in f or "/greenlet/" in f or frame.filename.startswith(skip):
            continue
        found = f"{frame.filename}:{frame.lineno}"
    return found


def _root(exc: BaseException) -> BaseException:
    """The error a kernel raised, under the simulator's RuntimeError wrapper."""
    while exc.__cause__ is not None and not str(exc).startswith("Deadlock"):
        exc = exc.__cause__
    return exc


def _error_reply(exc: BaseException, log: str) -> dict:
    log = _ANSI.sub("", log)
    text = str(exc)
    if text.startswith("Deadlock detected"):
        blocked = [f"{m} at {f}:{ln}" for _, m, f, ln in _REPORTED]
        blocked += [ln.strip() for ln in log.splitlines() if ln.strip().startswith("blocked on")]
        return {"status": "deadlock", "message": text, "blocked": blocked, "log": log}
    m = re.match(r"(node\d+-\w+): ", text)
    kernel = m.group(1) if m else ""
    root = _root(exc)
    location = _user_frame(root) or next((f"{f}:{ln}" for _, _, f, ln in _REPORTED), "")
    text = " ".join(line.strip() for line in str(root).splitlines() if line.strip())
    message = f"{type(root).__name__}: {text}"
    return {"status": "error", "message": message, "kernel": kernel, "location": location, "log": log}


def execute(target: str, args: list, options: dict, grid: tuple[int, int]) -> dict:
    """Run ``factory(**options)`` from ``target`` ("module:factory") over ``args`` on a grid.

    Each arg is None (an absent optional tensor), ("in", float32 array, dtype) or ("out", shape,
    dtype); dtype is "bf16" or "f32". Tensors are tiled (the simulator pads partial tiles with zeros).
    The reply holds each output, rounded to its dtype once as the packer rounds when it writes a bf16
    tile (the simulator keeps bf16 data in fp32 storage).
    """
    _isolate()
    import torch
    from ttl.sim import ttnn
    from ttl.sim.operation import set_default_grid

    _REPORTED.clear()
    log = io.StringIO()
    # The simulator only warns when the buffers exceed a node's L1 or the hardware's buffer count; on a
    # chip that operation could not run, so here it is an error.
    warnings.filterwarnings("error", category=UserWarning, module=r"ttl\.sim")
    try:
        set_default_grid(tuple(grid))  # grid="full" resolves when the factory decorates the operation
        module, name = target.split(":")
        op = getattr(importlib.import_module(module), name)(**options)
        dtypes = {"bf16": ttnn.bfloat16, "f32": ttnn.float32}
        tensors, outputs = [], []
        for arg in args:
            if arg is None:
                tensors.append(None)
                continue
            kind, value, dtype = arg
            data = (
                torch.from_numpy(np.ascontiguousarray(value, np.float32))
                if kind == "in"
                else torch.zeros(value)
            )
            t = ttnn.from_torch(data, dtype=dtypes[dtype], layout=ttnn.TILE_LAYOUT)
            tensors.append(t)
            if kind == "out":
                outputs.append((t, tuple(value), dtype))
        with redirect_stdout(log):
            op(*tensors)
    except Exception as exc:  # noqa: BLE001 - every simulator error goes back to the caller as data
        return _error_reply(exc, log.getvalue())
    result = []
    for t, shape, dtype in outputs:
        y = ttnn.to_torch(t)[tuple(slice(0, n) for n in shape)].float()
        if dtype == "bf16":
            y = y.to(ttnn.bfloat16).float()  # ttnn.bfloat16 keeps the real dtype torch.bfloat16 lost
        result.append(y.numpy())
    return {"status": "ok", "outputs": result, "log": _ANSI.sub("", log.getvalue())}


def _read(stream):
    header = stream.read(8)
    if len(header) < 8:
        return None
    return pickle.loads(stream.read(int.from_bytes(header, "little")))


def write_message(stream, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(8, "little") + data)
    stream.flush()


def main() -> None:
    """Answer requests on stdin until it closes; replies go out on the original stdout, which is
    kept for them alone (fd 1 then points at stderr)."""
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    while (request := _read(sys.stdin.buffer)) is not None:
        write_message(replies, execute(**request))


if __name__ == "__main__":
    main()
