// tt-llk's binary SFPU params template: the algorithm addresses its three DEST tiles itself from tile 0.
#pragma once

#include <cstdint>
#include <utility>

#include "llk_math_eltwise_binary_sfpu.h"
#include "llk_math_eltwise_sfpu_common.h"

template <typename Callable, typename... Args>
inline void _llk_math_eltwise_binary_sfpu_params_(Callable&& fn, std::uint32_t in0, std::uint32_t in1, std::uint32_t out,
                                                  ckernel::VectorMode mode = ckernel::VectorMode::RC, Args&&... args) {
    _llk_math_eltwise_sfpu_start_(0);
    _llk_math_eltwise_sfpu_apply_vector_mode_(std::forward<Callable>(fn), mode, in0, in1, out, std::forward<Args>(args)...);
    _llk_math_eltwise_sfpu_done_();
}

// gcd_tile and lcm_tile pass a function template by its bare name (calculate_sfpu_gcd, whose one template
// parameter has a default). GCC, the device compiler, deduces Callable from the defaults; clang treats the
// name as a non-deducible overload set and resolves it only against a parameter of function-pointer type.
inline void _llk_math_eltwise_binary_sfpu_params_(void (*fn)(std::uint32_t, std::uint32_t, std::uint32_t),
                                                  std::uint32_t in0, std::uint32_t in1, std::uint32_t out,
                                                  ckernel::VectorMode mode = ckernel::VectorMode::RC) {
    _llk_math_eltwise_binary_sfpu_params_<void (&)(std::uint32_t, std::uint32_t, std::uint32_t)>(*fn, in0, in1, out, mode);
}
