// tt-llk's ternary SFPU params template: the algorithm addresses its four DEST tiles itself from tile 0.
#pragma once

#include <cstdint>
#include <utility>

#include "llk_math_eltwise_sfpu_common.h"
#include "llk_math_eltwise_ternary_sfpu.h"

template <typename Callable, typename... Args>
inline void _llk_math_eltwise_ternary_sfpu_params_(Callable&& fn, std::uint32_t in0, std::uint32_t in1, std::uint32_t in2,
                                                   std::uint32_t out, ckernel::VectorMode mode = ckernel::VectorMode::RC,
                                                   Args&&... args) {
    _llk_math_eltwise_sfpu_start_(0);
    _llk_math_eltwise_sfpu_apply_vector_mode_(std::forward<Callable>(fn), mode, in0, in1, in2, out, std::forward<Args>(args)...);
    _llk_math_eltwise_sfpu_done_();
}
