// Emulator shadow of metal/llk_api/llk_math_matmul_api.h. bcast.h includes it for declarations it does not call;
// the matmul LLK calls themselves (llk_math_matmul / _init) are not modelled yet, so a kernel that calls
// matmul_tiles fails to build naming them.
#pragma once

#include "llk_math_common_api.h"
