"""Without a GPU, Triton kernels run in Triton's interpreter, which must be chosen before triton is
first imported: do it here, before any test module of this directory is collected."""

import os


def _has_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


if not _has_cuda():
    os.environ.setdefault("TRITON_INTERPRET", "1")
