"""Real programs: the ttnn wheel's own device kernels, referenced by path inside the installed wheel, run
through ttnn.generic_op with the compile-time args, runtime args, defines and CBs of the program factories that
use them, and checked against float64 torch. See catalog.py for the list and which ones run today."""
