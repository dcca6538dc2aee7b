// Emulator shadow of metal/llk_api/llk_unpack_tilize_api.h: the unpacker reads a tile out of a row-major strip.
// The CB's front holds rows of block_ct_dim·32 datums; tile_index counts 32-datum units from the front, so the tile's
// row r starts at datum tile_index·32 + r·block_ct_dim·32 (llk_unpack_tilize_block turns a tile number into that
// unit, one block of 32 rows being block_ct_dim·32 units). The datums land in SrcA in face order with the unpacker's conversion
// (or straight in DEST with UnpackToDestFp32), as llk_unpack_A's do. tilizeA_B also unpacks a tile of B into SrcB.
// Fast tilize is not modelled: a kernel that calls it fails naming the call.
#pragma once

#include <cstdint>

#include "llk_unpack_common_api.h"

namespace emu::tensix {
// SrcA image of tile `tile_index` of the row-major strip at `operand`'s front.
inline void unpack_tilized(const char* call, uint32_t operand, uint32_t tile_index, uint32_t block_ct_dim, float* reg) {
    if (block_ct_dim == 0) emu_llk_violation(call, int(operand), "block_ct_dim is 0");
    require_unpack_format(call, 0, operand);
    const uint32_t row = block_ct_dim * 32;  // datums per strip row
    const uint32_t first = tile_index * 32;
    const uint32_t datum = unpack_src_format[operand] == kFloat32 ? 4 : 2;
    const uint32_t last_page = ((first + 31 * row + 31) * datum) / (cb(operand).fifo_page_size << 4);
    require_waited(call, operand, last_page);
    const uint8_t* strip = front_tile(operand, 0);
    const bool exact = unpack_dst_format[operand] == kFloat32;  // UnpackToDestFp32
    for (uint32_t i = 0; i < kTileElems; ++i) {
        const uint32_t r = (i / 512) * 16 + (i % 256) / 16, c = ((i / 256) % 2) * 16 + i % 16;
        reg[i] = to_reg(strip, first + r * row + c, unpack_src_format[operand], DST_ACCUM_MODE, exact);
    }
}
}  // namespace emu::tensix

inline void llk_unpack_tilize_init(const std::uint32_t, const std::uint32_t) {}
inline void llk_unpack_tilize_uninit(const std::uint32_t) {}

inline void llk_unpack_tilize(std::uint32_t operand, std::uint32_t tile_index, std::uint32_t block_ct_dim) {
    using namespace emu::tensix;
    State& s = state();
    wait_until([&] { return load(s.srca_valid) == 0; });
    unpack_tilized("llk_unpack_tilize (tilize_block)", operand, tile_index, block_ct_dim, s.srca);
    store(s.srca_valid, 1);
}

inline void llk_unpack_tilize_block(std::uint32_t operand, std::uint32_t block_c_tiles,
                                    std::uint32_t input_tile_index = 0) {
    // input_tile_index counts tiles: each block_c_tiles of them are one 32-row block of the strip.
    const std::uint32_t block = input_tile_index / block_c_tiles, offset = input_tile_index % block_c_tiles;
    const std::uint32_t first = block * block_c_tiles * 32 + offset;
    for (std::uint32_t t = 0; t < block_c_tiles; ++t) llk_unpack_tilize(operand, first + t, block_c_tiles);
}

template <bool neginf_srcA = false, std::uint32_t reload_srcB = false, bool zero_srcA = false,
          bool zero_srcA_reduce = false>
inline void llk_unpack_tilizeA_B_init(const std::uint32_t, const std::uint32_t, const std::uint32_t) {
    static_assert(!neginf_srcA && !zero_srcA && !zero_srcA_reduce,
                  "emulator LLK layer: tilizeA_B with a -inf or zero SrcA fill is not modelled");
}
inline void llk_unpack_tilizeA_B_uninit(const std::uint32_t) {}

template <bool zero_srcA = false>
inline void llk_unpack_tilizeA_B(std::uint32_t operandA, std::uint32_t operandB, std::uint32_t tile_index_a,
                                 std::uint32_t tile_index_b, std::uint32_t block_ct_dim) {
    static_assert(!zero_srcA, "emulator LLK layer: tilizeA_B with a zero SrcA is not modelled");
    using namespace emu::tensix;
    constexpr const char* call = "llk_unpack_tilizeA_B (unpack_tilizeA_B_block)";
    require_waited(call, operandB, tile_index_b);
    require_unpack_format(call, 1, operandB);
    State& s = state();
    wait_until([&] { return load(s.srca_valid) == 0 && load(s.srcb_valid) == 0; });
    unpack_tilized(call, operandA, tile_index_a, block_ct_dim, s.srca);
    const uint8_t* b = front_tile(operandB, tile_index_b);
    for (uint32_t i = 0; i < kTileElems; ++i) s.srcb[i] = to_reg(b, i, unpack_src_format[operandB], DST_ACCUM_MODE);
    store(s.srca_valid, 1);
    store(s.srcb_valid, 1);
}

template <bool neginf_srcA = false, std::uint32_t reload_srcB = false, bool zero_srcA = false,
          bool zero_srcA_reduce = false>
inline void llk_unpack_tilizeA_B_block(std::uint32_t operandA, std::uint32_t operandB, std::uint32_t block_c_tiles_a,
                                       std::uint32_t tile_idx_b) {
    for (std::uint32_t t = 0; t < block_c_tiles_a; ++t)
        llk_unpack_tilizeA_B<zero_srcA>(operandA, operandB, t, tile_idx_b, block_c_tiles_a);
}

inline void llk_unpack_fast_tilize_init(const std::uint32_t, std::uint32_t) {
    emu_unsupported("llk_unpack_fast_tilize_init (fast_tilize_init)");
}
template <bool is_fp32_dest_acc_en>
inline void llk_unpack_fast_tilize_uninit() {
    emu_unsupported("llk_unpack_fast_tilize_uninit (fast_tilize_uninit)");
}
inline void llk_unpack_fast_tilize_block(const std::uint32_t, const std::uint32_t, const std::uint32_t,
                                         const std::uint32_t, const std::uint32_t) {
    emu_unsupported("llk_unpack_fast_tilize_block (fast_tilize_block)");
}
