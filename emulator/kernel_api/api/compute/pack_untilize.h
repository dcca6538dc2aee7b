// Emulator shadow of api/compute/pack_untilize.h: tiles → row-major sticks through DEST and the packer.
// block_ct_dim tiles must fit in DEST (8/4 SyncHalf, 16/8 SyncFull for 16-bit/fp32 DEST) and divide
// full_ct_dim; block_c_index selects the block's column position in a row full_ct_dim tiles wide.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {

template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim, bool narrow_row = false,
          std::uint32_t row_num_datums = 32, bool dense = false, bool configure_remap = true,
          bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_untilize_dest_init(uint32_t ocb, uint32_t call_line = __builtin_LINE(),
                                  const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    static_assert(!narrow_row && row_num_datums == 32 && !dense, "the emulator packs full 32-datum rows only");
    emu::compute::pack_untilize_dest_init(block_ct_dim, full_ct_dim, ocb, "pack_untilize_dest_init", loc);
}

template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_untilize_init(uint32_t icb, uint32_t ocb, uint32_t call_line = __builtin_LINE(),
                             const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::pack_untilize_init(block_ct_dim, full_ct_dim, icb, ocb, "pack_untilize_init", loc);
}

template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_untilize_init_skip_remap(uint32_t icb, uint32_t ocb, uint32_t call_line = __builtin_LINE(),
                                        const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::pack_untilize_init(block_ct_dim, full_ct_dim, icb, ocb, "pack_untilize_init_skip_remap", loc);
}

template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_untilize_block(uint32_t icb, uint32_t block_rt_dim, uint32_t ocb, uint32_t block_c_index = 0,
                              const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::pack_untilize_block(block_ct_dim, full_ct_dim, icb, block_rt_dim, ocb, block_c_index,
                                      "pack_untilize_block", loc);
}

template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim, bool diagonal = false,
          bool narrow_row = false, std::uint32_t row_num_datums = 32, uint32_t tile_dst_ct_offset = 0,
          bool dense = false>
ALWI void pack_untilize_dest(uint32_t ocb, uint32_t block_rt_dim = 1, uint32_t block_c_index = 0,
                             uint32_t tile_dst_rt_offset = 0, const emu::Loc& loc = emu::Loc::here()) {
    static_assert(!diagonal && !narrow_row && row_num_datums == 32 && tile_dst_ct_offset == 0 && !dense,
                  "the emulator packs full 32-datum rows only");
    emu::compute::pack_untilize_dest(block_ct_dim, full_ct_dim, ocb, block_rt_dim, block_c_index, tile_dst_rt_offset,
                                     "pack_untilize_dest", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_untilize_uninit(uint32_t ocb, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::pack_untilize_uninit(ocb, "pack_untilize_uninit", loc);
}

}  // namespace ckernel
