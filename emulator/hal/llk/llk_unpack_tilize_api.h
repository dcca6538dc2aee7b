// Emulator shadow of metal/llk_api/llk_unpack_tilize_api.h: the unpacker reads a tile out of a row-major strip.
// The CB's front holds rows of block_ct_dim·32 datums; tile_index counts 32-datum units from the front, so the tile's
// row r starts at datum tile_index·32 + r·block_ct_dim·32 (llk_unpack_tilize_block turns a tile number into that
// unit, one block of 32 rows being block_ct_dim·32 units). The datums land in SrcA in face order with the unpacker's conversion
// (or straight in DEST with UnpackToDestFp32), as llk_unpack_A's do. tilizeA_B also unpacks a tile of B into SrcB.
// Fast tilize (emu_fast_tilize.h) reads the same strip through both source registers.
#pragma once

#include <cstdint>

#include "emu_fast_tilize.h"
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

namespace emu::tensix {
inline uint32_t unpack_fast_tilize_full_dim = 0;  // the strip width fast_tilize_init set; 0 outside init/uninit
}  // namespace emu::tensix

// Fast tilize, UNPACK side: the unpackers read the strip full_dim tiles wide, their tile descriptors reprogrammed
// for row-major reads (so other unpacks need fast_tilize_uninit first).
inline void llk_unpack_fast_tilize_init(const std::uint32_t operand, std::uint32_t full_dim) {
    using namespace emu::tensix;
    constexpr const char* call = "llk_unpack_fast_tilize_init (fast_tilize_init)";
    if (full_dim == 0) emu_llk_violation(call, int(operand), "full_dim is 0 (the strip must be at least one tile wide)");
    const uint32_t src = unpack_src_format[operand], dst = unpack_dst_format[operand];
    // tt-llk supports Float16_b data and Float32 data read as TF32 or bf16; Float32 kept whole is UnpackToDestFp32,
    // which unpacks to DEST rather than through the source registers fast tilize moves.
    if (!(src == kFloat16_b && dst == kFloat16_b) && !(src == kFloat32 && (dst == fast_tilize::kTf32 || dst == kFloat16_b))) {
        char msg[300];
        std::snprintf(msg, sizeof msg, "fast tilize reads Float16_b data or Float32 data through TF32/bf16 source "
                      "registers; this CB holds %s unpacked as %s%s", format_name(int32_t(src)), format_name(int32_t(dst)),
                      dst == kFloat32 ? " (UnpackToDestFp32: use tilize_init/tilize_block)" : "");
        emu_llk_violation(call, int(operand), msg);
    }
    unpack_fast_tilize_full_dim = full_dim;
}

template <bool is_fp32_dest_acc_en>
inline void llk_unpack_fast_tilize_uninit() {
    emu::tensix::unpack_fast_tilize_full_dim = 0;
}

// num_units units of unit_dim tiles from 32-datum unit tile_index of the strip at the CB's front (rows full_dim·32
// datums apart); unit_dim 2 and 3 take consecutive tiles of one tile row, unit_dim 1 (a one-tile-wide strip) the
// tile below the last.
inline void llk_unpack_fast_tilize_block(const std::uint32_t operand, const std::uint32_t tile_index,
                                         const std::uint32_t unit_dim, const std::uint32_t num_units,
                                         const std::uint32_t full_dim) {
    using namespace emu::tensix;
    namespace ft = emu::tensix::fast_tilize;
    constexpr const char* call = "llk_unpack_fast_tilize_block (fast_tilize_block)";
    char msg[300];
    if (unpack_fast_tilize_full_dim == 0)
        emu_llk_violation(call, int(operand), "fast_tilize_block without fast_tilize_init (or after fast_tilize_uninit)");
    if (full_dim != unpack_fast_tilize_full_dim) {
        std::snprintf(msg, sizeof msg, "full_dim %u, but fast_tilize_init programmed the unpackers for a strip %u tiles "
                      "wide", full_dim, unpack_fast_tilize_full_dim);
        emu_llk_violation(call, int(operand), msg);
    }
    if (!ft::legal_unit_dim(unit_dim) || (unit_dim == 1) != (full_dim == 1)) {
        std::snprintf(msg, sizeof msg, "unit_dim %u with full_dim %u: tt-llk's fast tilize takes unit_dim 1 for a "
                      "one-tile-wide strip and 2 or 3 otherwise", unit_dim, full_dim);
        emu_llk_violation(call, int(operand), msg);
    }
    if (num_units == 0) return;
    const uint32_t row = full_dim * 32, column = tile_index % full_dim;
    if (unit_dim > 1 && column + unit_dim * num_units > full_dim) {
        std::snprintf(msg, sizeof msg, "%u units of %u tiles from tile column %u run past the end of the %u-tile row "
                      "(a unit's tiles must lie in one tile row)", num_units, unit_dim, column, full_dim);
        emu_llk_violation(call, int(operand), msg);
    }
    require_unpack_format(call, 0, operand);
    if (ft::uses_srcb(unit_dim)) require_unpack_format(call, 1, operand);
    const uint32_t format = unpack_src_format[operand];
    const uint32_t datum = format == kFloat32 ? 4 : 2;
    const bool tf32 = unpack_dst_format[operand] == ft::kTf32;
    // Datum offset of (unit u, tile t, row r, column c) from the CB's front.
    auto at = [&](uint32_t u, uint32_t t, uint32_t r, uint32_t c) {
        return unit_dim == 1 ? tile_index * 32 + (u * 32 + r) * row + c : tile_index * 32 + (u * unit_dim + t) * 32 + r * row + c;
    };
    const uint32_t last = at(num_units - 1, unit_dim - 1, 31, 31);
    require_waited(call, operand, (last * datum) / (cb(operand).fifo_page_size << 4));
    const uint8_t* strip = front_tile(operand, 0);
    State& s = state();
    const bool b = ft::uses_srcb(unit_dim);
    for (uint32_t u = 0; u < num_units; ++u) {
        for (uint32_t load_index = 0; load_index < ft::loads(unit_dim); ++load_index) {
            wait_until([&] { return load(s.srca_valid) == 0 && (!b || load(s.srcb_valid) == 0); });
            const uint32_t rows = ft::load_rows(unit_dim), first_row = load_index * rows;
            for (uint32_t t = 0; t < unit_dim; ++t)
                for (uint32_t r = 0; r < rows; ++r)
                    for (uint32_t c = 0; c < 32; ++c) {
                        const ft::Slot slot = ft::slot(unit_dim, t, r, c);
                        (slot.srcb ? s.srcb : s.srca)[slot.index] = to_reg(strip, at(u, t, first_row + r, c), format, tf32);
                    }
            if (b) store(s.srcb_valid, 1);
            store(s.srca_valid, 1);
        }
    }
}
