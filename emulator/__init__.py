"""Host emulator of the Tensix device: runs unmodified ttnn generic_op kernels on x86 with host g++."""
