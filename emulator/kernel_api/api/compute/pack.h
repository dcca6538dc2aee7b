// Emulator shadow of api/compute/pack.h: DEST → L1 with the packer's format conversion.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {

ALWI void pack_init(std::uint32_t ocb, std::uint32_t call_line = __builtin_LINE(),
                    const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::pack_init(ocb, "pack_init", loc);
}

// Packs DEST tile `ifrom_dst` into the reserved back of `icb`: at the next sequential position (reset by
// cb_push_back), or at `output_tile_index` with out_of_order_output = true.
template <bool out_of_order_output = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_tile(std::uint32_t ifrom_dst, std::uint32_t icb, std::uint32_t output_tile_index = 0,
                    const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::pack_tile(ifrom_dst, icb, out_of_order_output, output_tile_index, "pack_tile", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_block(std::uint32_t ifrom_dst, std::uint32_t icb, std::uint32_t ntiles,
                     const emu::Loc& loc = emu::Loc::here()) {
    for (std::uint32_t i = 0; i < ntiles; ++i) emu::compute::pack_tile(ifrom_dst + i, icb, false, 0, "pack_block", loc);
}

ALWI void dummy_pack(std::uint32_t cb_id, const emu::Loc& loc = emu::Loc::here()) {
    emu::note_call("dummy_pack", int(cb_id), loc);
}

// L1 accumulation (pack adds into L1) is not modelled.
ALWI void pack_reconfig_l1_acc(const std::uint32_t l1_acc_en, const emu::Loc& loc = emu::Loc::here()) {
    if (l1_acc_en) emu::compute::unsupported("pack_reconfig_l1_acc(1)", loc);
    emu::note_call("pack_reconfig_l1_acc", -1, loc);
}

}  // namespace ckernel
