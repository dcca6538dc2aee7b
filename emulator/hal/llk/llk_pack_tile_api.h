// Emulator shadow of metal/llk_api/llk_pack_tile_api.h: DEST tiles into a CB's back window, with the packer's
// rounding (emu::compute::pack_bf16 / pack_fp32).
#pragma once

#include <cstdint>

#include "llk_pack_common_api.h"

inline void llk_pack_dummy(const std::uint32_t) {}

template <PackMode pack_mode = PackMode::Default, bool zero_output = false, bool skip_addrmod_config = false,
          bool skip_packer_strides = false>
inline void llk_pack_init(const std::uint32_t, std::uint32_t = 1) {}

template <bool is_fp32_dest_acc_en, bool out_of_order_output = false, PackMode pack_mode = PackMode::Default>
inline void llk_pack(std::uint32_t tile_index, std::uint32_t output, std::uint32_t output_tile_index = 0) {
    using namespace emu::tensix;
    State& s = state();
    const uint32_t tiles = section_tiles<is_fp32_dest_acc_en>();
    if (!pack_holds_dest) emu_llk_violation("llk_pack (pack_tile)", int(output), "packs DEST outside tile_regs_wait ... tile_regs_release");
    if (tile_index >= tiles) emu_llk_violation("llk_pack (pack_tile)", int(output), "DEST index past the tiles of one DEST section");
    require_pack_format("llk_pack (pack_tile)", output);
    if (pack_fast_tilize_unit_dim != 0)
        emu_llk_violation("llk_pack (pack_tile)", int(output), "the packer is still programmed for fast tilize (call "
                                                               "fast_tilize_uninit before other packs)");
    // In order, successive packs fill the reserved window tile by tile (the CB's write-tile pointer, reset by
    // cb_push_back); out of order, output_tile_index names the tile.
    LocalCBInterface& c = cb(output);
    uint32_t page = output_tile_index;
    if constexpr (!out_of_order_output) {
        page = c.fifo_wr_tile_ptr / c.fifo_page_size;
        c.fifo_wr_tile_ptr += c.fifo_page_size;
    }
    uint8_t* out = back_tile(output, page);
    const float* src = &s.dest[(s.pack_section * tiles + tile_index) * kTileElems];
    for (uint32_t i = 0; i < kTileElems; ++i) from_reg(out, i, reduce_mask_keeps(i) ? src[i] : 0.0f, pack_dst_format[output], is_fp32_dest_acc_en);
}

template <bool is_fp32_dest_acc_en, bool out_of_order_output = false, PackMode pack_mode = PackMode::Default>
inline void llk_matmul_pack(std::uint32_t start_tile_index, std::uint32_t output, std::uint32_t ntiles,
                            std::uint32_t output_tile_index = 0) {
    for (std::uint32_t t = 0; t < ntiles; ++t)
        llk_pack<is_fp32_dest_acc_en, out_of_order_output, pack_mode>(start_tile_index + t, output,
                                                                       output_tile_index + t);
}
