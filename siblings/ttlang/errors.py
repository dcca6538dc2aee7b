"""What a TT-Lang run can report: kernel errors from the simulator, deadlocks, a worker that died."""

from __future__ import annotations


class TTLangKernelError(RuntimeError):
    """The simulator rejected or aborted the operation: a dataflow-buffer protocol error, a bad copy,
    an op misused inside a kernel, or the worker process dying or going silent.

    ``kernel`` is the simulator's name for the failing kernel (``node3-compute``) when it named one,
    ``location`` the ``file:line`` in the kernel source, ``log`` whatever the simulator printed.
    """

    def __init__(self, message: str, *, kernel: str = "", location: str = "", log: str = ""):
        super().__init__(message)
        self.kernel = kernel
        self.location = location
        self.log = log


class TTLangDeadlock(TTLangKernelError):
    """Every kernel of every node was blocked on a dataflow buffer: ``blocked`` lists each wait."""

    def __init__(self, message: str, *, blocked: list[str], log: str = ""):
        super().__init__(message, log=log)
        self.blocked = blocked
