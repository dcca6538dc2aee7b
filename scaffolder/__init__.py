"""ttnn-scaffold: generate, emulate and cross-check ttnn generic_op packages."""

__version__ = "0.1.0"
