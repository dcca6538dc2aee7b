// Force-included (-include) ahead of a kernel's sources: the wheel includes ckernel_ops.h from its own
// directory (where -I shadows cannot reach), so the instruction-issuing macros are rebound here, before any
// wheel header expands them: the shadow ckernel_ops.h pulls in the wheel's encodings once (#pragma once keeps
// later includes of it from redefining TTI_INSN).
#pragma once

#include "ckernel_ops.h"
