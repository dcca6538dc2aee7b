// The SFPU op's walk over a DEST tile (tt-llk's llk_math_eltwise_sfpu_common.h): point the MATH thread at the
// tile, run the algorithm once per face it covers, stepping 16 rows between faces.
#pragma once

#include <cstdint>
#include <utility>

#include "ckernel_sfpu.h"
#include "cmath_common.h"
#include "llk_sfpu/emu_sfpu_dest.h"
#include "llk_defs.h"

inline void _llk_math_eltwise_sfpu_start_(const std::uint32_t dst_index) {
    ckernel::math::set_dst_write_addr<ckernel::DstTileShape::Tile32x32, ckernel::UnpackDestination::SrcRegs>(dst_index);
    ckernel::math::set_addr_mod_base();
}

inline void _llk_math_eltwise_sfpu_done_() {
    ckernel::math::clear_dst_reg_addr();
    ckernel::math::clear_addr_mod_base();
}

inline void _llk_math_eltwise_sfpu_inc_dst_face_addr_() {
    ckernel::math::inc_dst_addr<8>();
    ckernel::math::inc_dst_addr<8>();
}

inline void _llk_math_eltwise_sfpu_uninit_() {}

template <typename Callable, typename... Args>
inline void _llk_math_eltwise_sfpu_apply_vector_mode_(Callable&& fn, ckernel::VectorMode mode, Args&&... args) {
    using ckernel::VectorMode;
    const int faces = mode == VectorMode::RC ? 4 : mode == VectorMode::R || mode == VectorMode::C ? 2 : 1;
    if (mode != VectorMode::RC && mode != VectorMode::R && mode != VectorMode::C) {
        fn(std::forward<Args>(args)...);  // RC_custom and the rest: the algorithm walks the tile itself
        return;
    }
    for (int f = 0; f < faces; f++) {
        fn(args...);
        _llk_math_eltwise_sfpu_inc_dst_face_addr_();
        if (mode == VectorMode::C) _llk_math_eltwise_sfpu_inc_dst_face_addr_();  // faces 0 and 2
    }
    if (mode == VectorMode::R) {  // faces 0 and 1, then past 2 and 3
        _llk_math_eltwise_sfpu_inc_dst_face_addr_();
        _llk_math_eltwise_sfpu_inc_dst_face_addr_();
    }
}
