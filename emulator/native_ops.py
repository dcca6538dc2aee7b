"""ttnn's own registered operations (`ttnn.exp`, `ttnn.add`, ...) called on emulated tensors.

Their device code is tt-metal's C++ program factories, which need a real device: called on an emulated tensor
they would dereference storage that does not exist (SIGSEGV). tt-metal's tests call the element-wise ones for
golden values. On the wheel-API build the unary SFPU ops of unary_program.py run as their factory's program of
the wheel's kernels on the emulated device (the device's bits, as a generic_op program compared against them
expects); the other element-wise ones run as a host torch reference, through the op's own golden function from
the wheel. Either way a warning names the op once; every other registered op raises an error naming it.
"""

from __future__ import annotations

import warnings

from emulator import tensor as emu_tensor
from emulator.device import DeviceError

# Two-operand element-wise ops (tensor with tensor or scalar) that run as a host reference.
BINARY = frozenset(
    [
        "add",
        "subtract",
        "multiply",
        "divide",
        "rsub",
        "maximum",
        "minimum",
        "squared_difference",
        "pow",
        "atan2",
        "hypot",
        "eq",
        "ne",
        "gt",
        "ge",
        "lt",
        "le",
        "logical_and",
        "logical_or",
        "logical_xor",
    ]
)


class NativeOpError(DeviceError):
    """A registered ttnn op that the emulator cannot run: only generic_op programs run on emulated tensors."""


class HostReferenceWarning(UserWarning):
    """A ttnn op ran as a host torch reference instead of its device kernels."""


class EmulatedProgramWarning(UserWarning):
    """A ttnn op ran as its factory's program of the wheel's kernels on the emulator, not through tt-metal's op."""


_warned: set[str] = set()


def _emulated(value) -> bool:
    if isinstance(value, emu_tensor.EmulatedTensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(_emulated(v) for v in value)
    if isinstance(value, dict):
        return any(_emulated(v) for v in value.values())
    return False


def _unary_names(ttnn) -> frozenset[str]:
    from ttnn.operations import unary

    return frozenset(
        f.python_fully_qualified_name.split(".")[-1] for f in unary.TTNN_ELTWISE_UNARY_CPP_FUNCTIONS
    )


def _warn_once(name: str, message: str, category) -> None:
    if name not in _warned:
        _warned.add(name)
        warnings.warn(message, category, stacklevel=4)


def run_on_host(ttnn, op, args, kwargs):
    name = op.python_fully_qualified_name
    short = name.split(".")[-1]
    unary = short in _unary_names(ttnn)
    if not (unary or short in BINARY) or op.golden_function is None:
        raise NativeOpError(
            f"{name} cannot run on an emulated tensor: the emulator runs generic_op programs only "
            f"(ttnn's element-wise ops run as a host reference; {name} has no emulated form)"
        )
    if kwargs.get("output_tensor") is not None:
        raise NativeOpError(
            f"{name}(output_tensor=...) on emulated tensors is not supported by its host reference"
        )
    from emulator import unary_program  # the launcher's import chain reaches this module

    first = next(a for a in args if isinstance(a, emu_tensor.EmulatedTensor))
    if len(args) == 1 and args[0] is first and unary_program.runs(ttnn, short, first, kwargs):
        _warn_once(
            name,
            f"{name} ran on the emulated device as its factory's program (the wheel's eltwise_sfpu.cpp with "
            "the op's SFPU chain), not through tt-metal's op",
            EmulatedProgramWarning,
        )
        return unary_program.run(ttnn, short, first, kwargs)
    host_args = [a.read_torch().float() if isinstance(a, emu_tensor.EmulatedTensor) else a for a in args]
    if _emulated(host_args) or _emulated(kwargs):
        raise NativeOpError(f"{name}: emulated tensors are accepted as positional operands only")
    _warn_once(
        name,
        f"{name} ran as a host torch reference, not its device kernels (the emulator runs generic_op "
        "programs; this op's results are the wheel's golden function)",
        HostReferenceWarning,
    )
    operands = host_args[: 1 if unary else 2]
    result = op.golden_function(*operands)
    if not hasattr(result, "to"):
        raise NativeOpError(f"{name}'s host reference returned {type(result).__name__}, not a tensor")
    return ttnn.from_torch(
        result.float(),
        dtype=kwargs.get("dtype") or first.dtype,
        layout=first.layout,
        device=first.device(),
        memory_config=kwargs.get("memory_config") or first.memory_config(),
    )


def install(ttnn) -> None:
    """Route every registered op that receives an emulated tensor through `run_on_host`."""
    for cls in (ttnn.decorators.FastOperation, ttnn.decorators.Operation):
        original = cls.__call__
        if getattr(original, "_emulated_tensors_guarded", False):
            continue

        def guarded(self, *args, _original=original, **kwargs):
            if _emulated(args) or _emulated(kwargs):
                return run_on_host(ttnn, self, args, kwargs)
            return _original(self, *args, **kwargs)

        guarded._emulated_tensors_guarded = True
        cls.__call__ = guarded
