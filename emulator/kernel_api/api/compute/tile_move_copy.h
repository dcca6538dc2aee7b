// Emulator shadow of api/compute/tile_move_copy.h: copy (datacopy A2D, or unpack-to-DEST for fp32 CBs with
// UnpackToDestFp32 and fp32_dest_acc_en) from a CB tile into DEST.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"
#include "api/compute/reconfig_data_format.h"

namespace ckernel {

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void copy_init(std::uint32_t cbid, std::uint32_t transpose = 0, std::uint32_t transpose_within_16x16_face = false,
                    std::uint32_t call_line = __builtin_LINE(), const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::copy_init(cbid, transpose != 0, transpose_within_16x16_face != 0, "copy_init", loc);
}

ALWI void dummy_unpack(std::uint32_t cb_id, const emu::Loc& loc = emu::Loc::here()) {
    emu::note_call("dummy_unpack", int(cb_id), loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void copy_tile(std::uint32_t in_cb_id, std::uint32_t in_tile_index, std::uint32_t dst_tile_index,
                    const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::copy_tile(in_cb_id, in_tile_index, dst_tile_index, "copy_tile", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void copy_block(std::uint32_t in_cb_id, std::uint32_t start_in_tile_index, std::uint32_t start_dst_tile_index,
                     std::uint32_t ntiles, const emu::Loc& loc = emu::Loc::here()) {
    for (std::uint32_t i = 0; i < ntiles; ++i)
        emu::compute::copy_tile(in_cb_id, start_in_tile_index + i, start_dst_tile_index + i, "copy_block", loc);
}

// Legacy names (deprecated in 0.81.1, still accepted).
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void copy_tile_init(std::uint32_t cbid, std::uint32_t call_line = __builtin_LINE(),
                         const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::copy_init(cbid, false, false, "copy_tile_init", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void copy_tile_to_dst_init_short(std::uint32_t cbid, std::uint32_t transpose = 0,
                                      std::uint32_t transpose_within_16x16_face = false,
                                      std::uint32_t call_line = __builtin_LINE(),
                                      const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::copy_init(cbid, transpose != 0, transpose_within_16x16_face != 0, "copy_tile_to_dst_init_short",
                            loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void copy_tile_to_dst_init_short_with_dt(std::uint32_t old_cbid, std::uint32_t new_cbid,
                                              std::uint32_t transpose = 0, const emu::Loc& loc = emu::Loc::here()) {
    reconfig_data_format_srca(old_cbid, new_cbid, loc);
    emu::compute::copy_init(new_cbid, transpose != 0, false, "copy_tile_to_dst_init_short_with_dt", loc);
}

}  // namespace ckernel
