// Emulator shadow of metal/llk_api/llk_unpack_AB_matmul_api.h: the operand tiles of matmul_tiles / matmul_block.
// in0 goes to SrcB and in1 to SrcA (MVMUL computes DEST += SrcB · SrcA). A block of rt_dim × ct_dim output tiles
// reads in0 tile tile_index_a + r·kt_dim and in1 tile tile_index_b + c·stride for output (r, c); the unpacker hands
// math one (in0, in1) pair per output tile, rows outer, in the order llk_math_matmul consumes them. With
// transpose, each in1 tile is read transposed (within its faces, and faces 1 and 2 swapped: in1ᵀ).
#pragma once

#include <cstdint>

#include "llk_unpack_common_api.h"

namespace emu::tensix {
inline bool matmul_transpose = false;   // matmul_init's transpose of in1
inline uint32_t matmul_in1_stride = 1;  // tiles between in1's columns (matmul_set_in1_column_stride)
}  // namespace emu::tensix

inline void llk_unpack_AB_matmul_set_in1_column_stride(const std::uint32_t, const std::uint32_t stride_tiles) {
    if (stride_tiles == 0) emu_llk_violation("llk_unpack_AB_matmul_set_in1_column_stride", -1, "a stride of 0 tiles");
    emu::tensix::matmul_in1_stride = stride_tiles;
}

__attribute__((always_inline)) inline void llk_unpack_AB_matmul_init(
    const std::uint32_t, const std::uint32_t, const std::uint32_t transpose = 0, const std::uint32_t = 1,
    const std::uint32_t = 1, const std::uint32_t = 1) {
    emu::tensix::matmul_transpose = transpose != 0;
    emu::tensix::matmul_in1_stride = 1;
}

inline void llk_unpack_AB_matmul(const std::uint32_t operandA, const std::uint32_t operandB,
                                 const std::uint32_t tile_index_a, const std::uint32_t tile_index_b,
                                 const std::uint32_t ct_dim = 1, const std::uint32_t rt_dim = 1,
                                 const std::uint32_t kt_dim = 1) {
    using namespace emu::tensix;
    constexpr const char* call = "llk_unpack_AB_matmul (matmul_tiles / matmul_block)";
    require_unpack_format(call, 0, operandB);  // in1 -> SrcA
    require_unpack_format(call, 1, operandA);  // in0 -> SrcB
    State& s = state();
    for (uint32_t r = 0; r < rt_dim; ++r) {
        const uint32_t ia = tile_index_a + r * kt_dim;
        require_waited(call, operandA, ia);
        for (uint32_t c = 0; c < ct_dim; ++c) {
            const uint32_t ib = tile_index_b + c * matmul_in1_stride;
            require_waited(call, operandB, ib);
            wait_until([&] { return load(s.srca_valid) == 0 && load(s.srcb_valid) == 0; });
            const uint8_t* a = front_tile(operandA, ia);
            const uint8_t* b = front_tile(operandB, ib);
            for (uint32_t i = 0; i < kTileElems; ++i) {
                s.srcb[i] = to_reg(a, i, unpack_src_format[operandA], DST_ACCUM_MODE);
                s.srca[i] = to_reg(b, uint32_t(emu::compute::transposed_index(int(i), matmul_transpose, matmul_transpose)),
                                   unpack_src_format[operandB], DST_ACCUM_MODE);
            }
            store(s.srca_valid, 1);
            store(s.srcb_valid, 1);
        }
    }
}
