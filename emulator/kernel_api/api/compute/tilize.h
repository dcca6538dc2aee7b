// Emulator shadow of api/compute/tilize.h: row-major strips → tiles in face order. tilize_block neither waits,
// pops, reserves nor pushes; it takes DEST for each tile itself, so it must run outside tile_regs_acquire.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tilize_init(uint32_t icb, uint32_t block, uint32_t ocb, uint32_t call_line = __builtin_LINE(),
                      const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::tilize_init(icb, block, ocb, "tilize_init", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tilize_init_short_with_dt(uint32_t old_icb, uint32_t new_icb, uint32_t block, uint32_t ocb,
                                    const emu::Loc& loc = emu::Loc::here()) {
    (void)old_icb;
    emu::compute::reconfig_src(emu::compute::SrcSel::A, new_icb, "tilize_init_short_with_dt", loc);
    emu::compute::tilize_init(new_icb, block, ocb, "tilize_init_short_with_dt", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tilize_block(uint32_t icb, uint32_t block, uint32_t ocb, uint32_t input_tile_index = 0,
                       uint32_t output_tile_index = 0, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::tilize_block(icb, block, ocb, input_tile_index, output_tile_index, "tilize_block", loc);
}

ALWI void tilize_uninit(uint32_t icb, uint32_t ocb, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::tilize_uninit(icb, ocb, "tilize_uninit", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tilize_uninit_with_dt(uint32_t old_icb, uint32_t new_icb, uint32_t ocb,
                                const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::tilize_uninit(old_icb, ocb, "tilize_uninit_with_dt", loc);
    emu::compute::reconfig_src(emu::compute::SrcSel::A, new_icb, "tilize_uninit_with_dt", loc);
}

// Wormhole has no fast tilize; the 0.81.1 API maps the fast_* names onto plain tilize.
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void fast_tilize_init(uint32_t icb, uint32_t full_dim, uint32_t ocb, uint32_t call_line = __builtin_LINE(),
                           const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::tilize_init(icb, full_dim, ocb, "fast_tilize_init", loc);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void fast_tilize_init_skip_remap(uint32_t icb, uint32_t full_dim, uint32_t ocb,
                                      uint32_t call_line = __builtin_LINE(), const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::tilize_init(icb, full_dim, ocb, "fast_tilize_init_skip_remap", loc);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void fast_tilize_init_with_dt(uint32_t icb, uint32_t full_dim, uint32_t ocb,
                                   const emu::Loc& loc = emu::Loc::here()) {
    reconfig_data_format(icb, icb, loc);
    emu::compute::tilize_init(icb, full_dim, ocb, "fast_tilize_init_with_dt", loc);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void fast_tilize_init_with_dt_skip_remap(uint32_t icb, uint32_t full_dim, uint32_t ocb,
                                              const emu::Loc& loc = emu::Loc::here()) {
    reconfig_data_format(icb, icb, loc);
    emu::compute::tilize_init(icb, full_dim, ocb, "fast_tilize_init_with_dt_skip_remap", loc);
}
ALWI void fast_tilize_uninit(uint32_t icb, uint32_t ocb, [[maybe_unused]] uint32_t full_dim,
                             const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::tilize_uninit(icb, ocb, "fast_tilize_uninit", loc);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void fast_tilize_block(uint32_t icb, uint32_t block, uint32_t ocb, uint32_t input_tile_index = 0,
                            uint32_t output_tile_index = 0, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::tilize_block(icb, block, ocb, input_tile_index, output_tile_index, "fast_tilize_block", loc);
}

}  // namespace ckernel
