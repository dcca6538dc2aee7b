"""``generic_op`` on the emulator: reads the real ttnn ProgramDescriptor, builds every kernel, places CBs and
kernels on the cores they name, and runs the program through the C++ runtime."""

from __future__ import annotations

import ctypes
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from emulator import kernel_build, wheel_build
from emulator.device import EmulatedDevice
from emulator.tensor import EmulatedTensor

ROLE_IDS = {"reader": 0, "writer": 1, "compute": 2}


class EmulatorError(RuntimeError):
    """A kernel broke the hardware's rules (the message names kernel file, line, core, CB and call)."""


class EmulatorHang(EmulatorError):
    """No kernel thread could progress: a deadlock report of every thread and CB."""


def _objects(kb: kernel_build.KernelBuild, noc: int, grid) -> list[tuple[str, Path, bool]]:
    """(role, shared object, needs a private copy per core) of every RISC thread the kernel runs as. Every object
    carries firmware globals, which each core (and RISC) keeps privately."""
    return [(kb.role, so, True) for _, so in wheel_build.build(kb, noc, grid)]


def descriptor_inputs(program_descriptor, config) -> dict:
    """What chlkc_descriptors.h is generated from: every CB's format and page size, and the compute config
    (None for a data-movement kernel)."""
    cbs = sorted(
        {
            (int(f.buffer_index), int(f.data_format_as_uint8), int(f.page_size))
            for cb in program_descriptor.cbs
            for f in cb.format_descriptors
        }
    )
    if not hasattr(config, "math_fidelity"):  # a data-movement kernel: formats only
        return {"cbs": cbs, "compute": None}
    compute = {
        "math_fidelity": int(config.math_fidelity.value),
        "fp32_dest_acc": bool(config.fp32_dest_acc_en),
        "math_approx": bool(config.math_approx_mode),
        "dst_full_sync": bool(config.dst_full_sync_en),
        "unpack_to_dest_mask": _unpack_mask(config),
    }
    return {"cbs": cbs, "compute": compute}


def _place_semaphores(lib, program_descriptor) -> None:
    """The ProgramDescriptor's semaphores: initial values into each core's semaphore slots (v2 kernels find them
    through get_semaphore)."""
    for sem in program_descriptor.semaphores:
        if int(sem.id) >= 16:
            raise EmulatorError(f"semaphore id {sem.id} is past the 16 semaphores a core holds")
        for x, y in _cores(sem.core_ranges):
            lib.emu_program_add_semaphore(x, y, int(sem.id), int(sem.initial_value))


def _timeout_s() -> float:
    return float(os.environ.get("TTNN_EMULATOR_TIMEOUT", "10"))


def _cores(core_ranges) -> list[tuple[int, int]]:
    out = []
    for r in core_ranges.ranges():
        for y in range(r.start.y, r.end.y + 1):
            for x in range(r.start.x, r.end.x + 1):
                out.append((x, y))
    return out


def kernel_build_of(kernel) -> tuple[kernel_build.KernelBuild, int]:
    """What the JIT would build for one KernelDescriptor (source, role, args, defines, compute config),
    and the NoC its data-movement role uses."""
    role, noc = _role_and_noc(kernel.config)
    source, inline = _kernel_source(kernel)
    kb = kernel_build.KernelBuild(
        source=source,
        role=role,
        compile_time_args=tuple(int(v) for v in kernel.compile_time_args),
        named_compile_time_args=tuple((str(n), int(v)) for n, v in kernel.named_compile_time_args),
        defines=tuple((str(n), str(v)) for n, v in kernel.defines),
        include_paths=tuple(str(p) for p in kernel.compiler_include_paths),
        compute_defines=_compute_defines(kernel.config) if role == "compute" else (),
        inline=inline,
    )
    return kb, noc


def _role_and_noc(config) -> tuple[str, int]:
    name = type(config).__name__
    if name == "ReaderConfigDescriptor":
        return "reader", 0
    if name == "WriterConfigDescriptor":
        return "writer", 1
    if name == "ComputeConfigDescriptor":
        return "compute", 0
    if name == "DataMovementConfigDescriptor":
        role = "reader" if str(config.processor).endswith("RISCV_0") else "writer"
        noc = 0 if "0" in str(config.noc).split(".")[-1].split("_")[1] else 1
        return role, noc
    raise EmulatorError(f"unsupported kernel config {name}")


def _kernel_source(kernel) -> tuple[str, bool]:
    import ttnn

    if kernel.source_type == ttnn.KernelDescriptor.SourceType.SOURCE_CODE:
        return kernel.kernel_source, True
    path = Path(kernel.kernel_source)
    if not path.is_absolute():
        # tt-metal resolves relative kernel paths against its root: TT_METAL_HOME, else (an installed wheel)
        # the ttnn package, which holds ttnn/cpp/** and tt_metal/**; then the cwd.
        roots = [os.environ.get("TT_METAL_HOME"), str(wheel_build.wheel_root()), os.getcwd()]
        for root in filter(None, roots):
            if (Path(root) / path).is_file():
                path = Path(root) / path
                break
    return str(path), False


def _compute_defines(config) -> tuple[tuple[str, str], ...]:
    return (
        ("MATH_FIDELITY", str(config.math_fidelity.value)),
        ("DST_ACCUM_MODE", "true" if config.fp32_dest_acc_en else "false"),
        ("APPROX", "true" if config.math_approx_mode else "false"),
        ("DST_SYNC_MODE", "1" if config.dst_full_sync_en else "0"),
    )


def _unpack_mask(config) -> int:
    import ttnn

    mask = 0
    for i, mode in enumerate(config.unpack_to_dest_mode):
        if mode == ttnn.UnpackToDestMode.UnpackToDestFp32:
            mask |= 1 << i
    return mask


def _args(view, x: int, y: int) -> list[int]:
    try:
        return [int(v) for v in view[x][y]]
    except IndexError:
        return []


def _u32_array(values):
    return (ctypes.c_uint32 * max(len(values), 1))(*values)


def _append_triage(report: str) -> None:
    """dev-test.sh treats a non-empty triage log as a hang, as tt-metal's runner does with tt-triage."""
    path = os.environ.get("TTNN_EMULATOR_TRIAGE_LOG")
    if path:
        with open(path, "a") as f:
            f.write(report + "\n")


def run(io_tensors, program_descriptor) -> EmulatedTensor:
    if len(io_tensors) < 2:
        raise RuntimeError("generic_op needs at least one input tensor and one output tensor")
    for i, t in enumerate(io_tensors):
        if not isinstance(t, EmulatedTensor):
            # RuntimeError, as ttnn's own C++ check raises
            raise RuntimeError(  # noqa: TRY004
                f"generic_op: io_tensors[{i}] is not a device tensor (use ttnn.from_torch(..., device=) or "
                "ttnn.allocate_tensor_on_device)"
            )
    device: EmulatedDevice = io_tensors[0].device()
    device.check_open()
    lib = device.lib
    lib.emu_program_add_kernel.argtypes = (
        [ctypes.c_uint32] * 4
        + [ctypes.c_char_p] * 2
        + [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p, ctypes.c_uint32]
        + [ctypes.c_int] * 4
        + [ctypes.c_uint32]
    )
    lib.emu_program_run.argtypes = [ctypes.c_double, ctypes.c_char_p, ctypes.c_size_t]

    # Build every distinct kernel first (in parallel; the compiler is the slow part of a cold run).
    builds = []
    for kernel in program_descriptor.kernels:
        kb, noc = kernel_build_of(kernel)
        kb.extra.update(descriptor_inputs(program_descriptor, kernel.config))
        builds.append((kernel, kb.role, noc, kb))
    with ThreadPoolExecutor(max_workers=max(1, min(len(builds), os.cpu_count() or 1))) as pool:
        objects = list(pool.map(lambda b: _objects(b[3], b[2], device.grid), builds))

    with device.lock:
        lib.emu_program_reset()
        _place_semaphores(lib, program_descriptor)
        for cb in program_descriptor.cbs:
            fmts = list(cb.format_descriptors)
            idx = _u32_array([int(f.buffer_index) for f in fmts])
            formats = _u32_array([int(f.data_format_as_uint8) for f in fmts])
            pages = _u32_array([int(f.page_size) for f in fmts])
            for x, y in _cores(cb.core_ranges):
                lib.emu_program_add_cb(x, y, int(cb.total_size), idx, formats, pages, len(fmts))

        placed: dict[tuple[int, int, str], tuple[int, str]] = {}
        grid_x = device.grid[0]
        for (kernel, role, noc, kb), objs in zip(builds, objects):
            common = [int(v) for v in kernel.common_runtime_args]
            cfg = kernel.config
            for (x, y), (_, so, per_core) in ((xy, o) for xy in _cores(kernel.core_ranges) for o in objs):
                # A compute kernel runs as three TRISC threads of one core; two kernels of one role may not share it.
                other = placed.setdefault((x, y, role), (id(kernel), kb.display_name))
                if other[0] != id(kernel):
                    raise EmulatorError(
                        f"two {role} kernels on core ({x},{y}): {other[1]} and {kb.display_name}"
                    )
                path = kernel_build.per_core_copy(so, y * grid_x + x) if per_core else so
                args = _args(kernel.runtime_args, x, y)
                compute = role == "compute"
                lib.emu_program_add_kernel(
                    x,
                    y,
                    ROLE_IDS[role],
                    noc,
                    str(path).encode(),
                    kb.display_name.encode(),
                    ctypes.cast(_u32_array(args), ctypes.c_void_p),
                    len(args),
                    ctypes.cast(_u32_array(common), ctypes.c_void_p),
                    len(common),
                    cfg.math_fidelity.value if compute else 4,
                    int(compute and cfg.fp32_dest_acc_en),
                    int(compute and cfg.math_approx_mode),
                    int(compute and cfg.dst_full_sync_en),
                    _unpack_mask(cfg) if compute else 0,
                )
        message = ctypes.create_string_buffer(1 << 16)
        code = lib.emu_program_run(_timeout_s(), message, len(message))
        device.programs_run += 1
    if code == 2:
        report = message.value.decode(errors="replace")
        _append_triage(report)
        raise EmulatorHang("emulated device hang:\n" + report)
    if code != 0:
        raise EmulatorError(message.value.decode(errors="replace"))
    return io_tensors[-1]
