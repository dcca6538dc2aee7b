// Emulator shadow of metal/llk_api/llk_pack_untilize_api.h: the packer writes DEST tiles as row-major rows. A block
// of block_ct_dim tiles becomes 32 rows of a strip full_ct_dim tiles wide, starting block_c_index blocks in; each
// further block row starts full_ct_dim pages later. Datums go through the packer's rounding (from_reg).
#pragma once

#include <cstdint>

#include "llk_pack_common_api.h"

template <std::uint32_t block_ct_dim = 8, std::uint32_t full_ct_dim = block_ct_dim, bool diagonal = false,
          bool narrow_row = false, std::uint32_t row_num_datums = TILE_C_DIM, bool dense = false>
inline void llk_pack_untilize_init(std::uint32_t) {
    static_assert(!diagonal && !narrow_row && row_num_datums == TILE_C_DIM && !dense,
                  "emulator LLK layer: only full 32-datum rows of whole tiles are untilized");
}

template <std::uint32_t block_ct_dim = 8, std::uint32_t full_ct_dim = block_ct_dim, bool diagonal = false,
          bool narrow_row = false, std::uint32_t row_num_datums = TILE_C_DIM, std::uint32_t tile_dst_ct_offset = 0,
          bool dense = false>
inline void llk_pack_untilize(std::uint32_t block_rt_dim, std::uint32_t output, const std::uint32_t block_c_index = 0,
                              const std::uint32_t tile_dst_rt_offset = 0) {
    static_assert(!diagonal && !narrow_row && row_num_datums == TILE_C_DIM && !dense,
                  "emulator LLK layer: only full 32-datum rows of whole tiles are untilized");
    using namespace emu::tensix;
    constexpr const char* call = "llk_pack_untilize (pack_untilize_block / pack_untilize_dest)";
    if (!pack_holds_dest) emu_llk_violation(call, int(output), "packs DEST outside tile_regs_wait ... tile_regs_release");
    require_pack_format(call, output);
    const bool fp32 = DST_ACCUM_MODE;
    const uint32_t tiles = fp32 ? section_tiles<true>() : section_tiles<false>();
    const uint32_t format = pack_dst_format[output];
    const uint32_t datum = format == kFloat32 ? 4 : 2;
    const LocalCBInterface& c = cb(output);
    const uint32_t row_datums = full_ct_dim * 32;
    State& s = state();
    for (uint32_t rt = 0; rt < block_rt_dim; ++rt) {
        // Byte address of the strip's first row for this block row: pages are full_ct_dim tiles of 32 rows.
        uint8_t* strip = reinterpret_cast<uint8_t*>(uintptr_t((c.fifo_wr_ptr + rt * full_ct_dim * c.fifo_page_size) << 4)) +
                         block_c_index * block_ct_dim * 32 * datum;
        for (uint32_t ct = 0; ct < block_ct_dim; ++ct) {
            const uint32_t t = rt * block_ct_dim + tile_dst_rt_offset + tile_dst_ct_offset + ct;
            if (t >= tiles) emu_llk_violation(call, int(output), "DEST index past the tiles of one DEST section");
            const float* src = &s.dest[(s.pack_section * tiles + t) * kTileElems];
            for (uint32_t r = 0; r < 32; ++r) {
                for (uint32_t col = 0; col < 32; ++col) {
                    const uint32_t i = ((r / 16) * 2 + col / 16) * 256 + (r % 16) * 16 + col % 16;
                    from_reg(strip, r * row_datums + ct * 32 + col, src[i], format, fp32);
                }
            }
        }
    }
}

inline void llk_pack_untilize_uninit(std::uint32_t) {}
