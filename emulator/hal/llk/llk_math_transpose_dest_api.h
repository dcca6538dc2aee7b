// Emulator shadow of metal/llk_api/llk_math_transpose_dest_api.h: a DEST tile transposed in place, within each
// 16x16 face and, with transpose_of_faces, faces 1 and 2 swapped. transpose_wh_tile takes this path for data
// unpacked straight into a 32-bit DEST (the unpacker swapped the faces), so all 32 bits are kept.
#pragma once

#include <cstdint>

#include "llk_math_common_api.h"

template <bool transpose_of_faces = true, bool is_32bit = false>
inline void llk_math_transpose_dest(uint dst_index) {
    using namespace emu::tensix;
    float* dst = math_dest_tile<DST_ACCUM_MODE>("llk_math_transpose_dest (transpose_wh_tile)", dst_index);
    ckernel::math::src_zero_flag_keep = true;  // its MOVD2B/MOVB2D sequence owns the keep policy
    float tmp[kTileElems];
    std::memcpy(tmp, dst, sizeof tmp);
    for (uint32_t i = 0; i < kTileElems; ++i) dst[i] = tmp[emu::compute::transposed_index(int(i), transpose_of_faces, true)];
}

template <bool transpose_of_faces = true, bool is_32bit = false>
inline void llk_math_transpose_dest_init() {}
