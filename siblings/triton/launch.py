"""Launching a compiled Triton kernel again without ``JITFunction.run``'s per-call bookkeeping.

A decode-size norm takes a few microseconds of GPU time, and ``kernel[grid](...)`` 13–16 µs of host
time (Triton 3.6 on an H200 host). Timed back to back, a host slower than the GPU shows up as idle GPU
time between launches. ``launch`` takes the first launch of each specialisation through Triton, which
compiles and caches as usual; later launches take Triton's own binder, so that the specialisation
(dtypes, 16-byte alignment, integers equal to 1 or divisible by 16, options) is exactly Triton's, and
call that compiled kernel's launcher directly. Launch hooks (profilers) are passed on as Triton does.

The relaunch skips one more of Triton's per-call checks, that globals the kernel read have not changed
since it was compiled; the globals these kernels read are modules and functions fixed at import. The
interpreter's functions, pre-run hooks and a stage-inspection hook take the ordinary path.
"""

from __future__ import annotations

from triton import knobs
from triton.runtime import driver

_COMPILED: dict = {}


def launch(kernel, grid: tuple, *args, **kwargs):
    """``kernel[grid](*args, **kwargs)``; returns the compiled kernel."""
    caches = getattr(kernel, "device_caches", None)  # absent on the interpreter's functions
    if caches is None or kernel.pre_run_hooks or knobs.runtime.add_stages_inspection_hook is not None:
        return kernel[grid](*args, **kwargs)
    # The two options JITFunction.run adds before binding, so that the key matches its own.
    kwargs["debug"] = kwargs.get("debug", kernel.debug) or knobs.runtime.debug
    kwargs["instrumentation_mode"] = knobs.compilation.instrumentation_mode
    device = driver.active.get_current_device()
    bound, specialization, options = caches[device][4](*args, **kwargs)
    # id(): hashing a JITFunction computes its source hash; the kernels are module-level and live on.
    key = (id(kernel), device, tuple(specialization), tuple(options.items()))
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = kernel[grid](*args, **kwargs)
        _COMPILED[key] = compiled
        return compiled
    stream = driver.active.get_current_stream(device)
    values = bound.values()
    compiled.run(
        grid[0],
        grid[1] if len(grid) > 1 else 1,
        grid[2] if len(grid) > 2 else 1,
        stream,
        compiled.function,
        compiled.packed_metadata,
        compiled.launch_metadata(grid, stream, *values),
        knobs.runtime.launch_enter_hook,
        knobs.runtime.launch_exit_hook,
        *values,
    )
    return compiled
