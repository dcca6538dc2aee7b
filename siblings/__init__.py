"""Sibling implementations of the project's norms for other accelerators.

Each backend lives in its own sub-package (``triton``, ``nki``, ``iree``) and imports its heavy
dependency lazily, so ``import siblings`` works on any machine and never needs ttnn.
``siblings.reference`` holds the float64 oracles every backend is compared with.
"""
