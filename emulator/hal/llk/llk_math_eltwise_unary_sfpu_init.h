// Placeholder of metal/llk_api/llk_sfpu/llk_math_eltwise_unary_sfpu_init.h for the compute skeleton: the compute
// API includes it on the MATH TRISC. The SFPU layer (hal/llk/llk_sfpu/) replaces this file.
#pragma once

#include "ckernel.h"
#include "llk_sfpu_types.h"

namespace ckernel {
inline void llk_math_sfpu_init_once() {}

template <SfpuType sfpu_op, bool is_fp32_dest_acc_en>
inline void llk_math_eltwise_unary_sfpu_init() {
    emu_unsupported("the SFPU (llk_math_eltwise_unary_sfpu_init)");
}

template <SfpuType sfpu_op, class F, class... ARGS>
inline void llk_math_eltwise_unary_sfpu_init(F&&, ARGS&&...) {
    emu_unsupported("the SFPU (llk_math_eltwise_unary_sfpu_init)");
}
}  // namespace ckernel
