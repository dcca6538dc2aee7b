// Emulator shadow of metal/llk_api/llk_unpack_untilize_api.h: the unpack-based untilize. block_c_tiles tiles at the
// CB's front form 32 row-major rows of block_c_tiles·32 datums; the unpacker hands SrcA that strip 1024 datums at a
// time (fill k holds strip datums k·1024 onwards in the register's storage order), so math's datacopy and an
// in-order pack of each fill write the strip out row-major. Each datum goes through the unpacker's conversion.
#pragma once

#include <cstdint>

#include "llk_unpack_common_api.h"

inline void llk_unpack_untilize_init(std::uint32_t) {}
inline void llk_unpack_untilize_uninit() {}
inline void llk_unpack_untilize_uninit(std::uint32_t) {}

inline void llk_unpack_untilize(std::uint32_t operand, std::uint32_t block_c_tiles) {
    using namespace emu::tensix;
    constexpr const char* call = "llk_unpack_untilize (untilize_block)";
    if (block_c_tiles == 0) return;
    require_waited(call, operand, block_c_tiles - 1);
    require_unpack_format(call, 0, operand);
    State& s = state();
    const uint8_t* tiles = front_tile(operand, 0);
    const uint32_t page_datums = (cb(operand).fifo_page_size << 4) / (unpack_src_format[operand] == kFloat32 ? 4 : 2);
    const uint32_t width = block_c_tiles * 32;
    const bool exact = unpack_dst_format[operand] == kFloat32;  // UnpackToDestFp32
    for (uint32_t k = 0; k < block_c_tiles; ++k) {
        wait_until([&] { return load(s.srca_valid) == 0; });
        for (uint32_t i = 0; i < kTileElems; ++i) {
            const uint32_t j = k * kTileElems + i, row = j / width, col = j % width;
            const uint32_t r = row, c = col % 32;  // datum (r, c) of input tile col / 32, in face order
            const uint32_t src = (col / 32) * page_datums + ((r / 16) * 2 + c / 16) * 256 + (r % 16) * 16 + c % 16;
            s.srca[i] = to_reg(tiles, src, unpack_src_format[operand], DST_ACCUM_MODE, exact);
        }
        store(s.srca_valid, 1);
    }
}
