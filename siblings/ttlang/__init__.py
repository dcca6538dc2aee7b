"""RMSNorm and LayerNorm in TT-Lang, Tenstorrent's Python kernel language, run on its functional
simulator tt-lang-sim (``pip install 'ttnn-scaffold[ttlang]'``).

``kernels`` holds the TT-Lang operations (reader, compute and writer kernels over the node grid),
``runner`` the host side, ``worker`` the separate process the simulator runs in (it cannot share one
with torch's bf16 users or the real ttnn; see its docstring). Importing this package loads neither the
simulator nor ttnn.
"""

from siblings.ttlang.errors import TTLangDeadlock, TTLangKernelError
from siblings.ttlang.runner import DEFAULT_GRID, available, layer_norm, rms_norm, run_operation

__all__ = [
    "DEFAULT_GRID",
    "TTLangDeadlock",
    "TTLangKernelError",
    "available",
    "layer_norm",
    "rms_norm",
    "run_operation",
]
