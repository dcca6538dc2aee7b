// tt-llk's unary SFPU params template over the emulator's DEST walk (the wheel's own includes its siblings
// from its directory, past our shadows).
#pragma once

#include <cstdint>
#include <utility>

#include "llk_math_eltwise_sfpu_common.h"
#include "llk_math_eltwise_unary_sfpu.h"

template <typename Callable, typename... Args>
inline void _llk_math_eltwise_unary_sfpu_params_(Callable&& fn, std::uint32_t dst_index,
                                                 ckernel::VectorMode mode = ckernel::VectorMode::RC, Args&&... args) {
    _llk_math_eltwise_sfpu_start_(dst_index);
    _llk_math_eltwise_sfpu_apply_vector_mode_(std::forward<Callable>(fn), mode, std::forward<Args>(args)...);
    _llk_math_eltwise_sfpu_done_();
}
