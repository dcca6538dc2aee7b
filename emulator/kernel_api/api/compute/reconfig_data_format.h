// Emulator shadow of api/compute/reconfig_data_format.h. The runtime keeps the format each unpacker (SrcA,
// SrcB) and the packer is programmed for and rejects an unpack/pack of a CB in another format; these calls
// re-program it. The `old` operands of the two-argument forms are accepted and not needed.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {

namespace emu_detail {
inline void reconfig_a(uint32_t cb, const char* call, const emu::Loc& loc) {
    emu::compute::reconfig_src(emu::compute::SrcSel::A, cb, call, loc);
}
inline void reconfig_b(uint32_t cb, const char* call, const emu::Loc& loc) {
    emu::compute::reconfig_src(emu::compute::SrcSel::B, cb, call, loc);
}
}  // namespace emu_detail

template <SrcOrder src_order = SrcOrder::Regular>
ALWI void reconfig_data_format(const uint32_t icb0_new, const uint32_t icb1_new,
                               const emu::Loc& loc = emu::Loc::here()) {
    constexpr bool reverse = src_order == SrcOrder::Reverse;
    emu_detail::reconfig_a(reverse ? icb1_new : icb0_new, "reconfig_data_format", loc);
    emu_detail::reconfig_b(reverse ? icb0_new : icb1_new, "reconfig_data_format", loc);
}

template <SrcOrder src_order = SrcOrder::Regular>
ALWI void reconfig_data_format(const uint32_t icb0_old, const uint32_t icb0_new, const uint32_t icb1_old,
                               const uint32_t icb1_new, const emu::Loc& loc = emu::Loc::here()) {
    (void)icb0_old;
    (void)icb1_old;
    reconfig_data_format<src_order>(icb0_new, icb1_new, loc);
}

ALWI void reconfig_data_format_srca(const uint32_t srca_new, const emu::Loc& loc = emu::Loc::here()) {
    emu_detail::reconfig_a(srca_new, "reconfig_data_format_srca", loc);
}
ALWI void reconfig_data_format_srca(const uint32_t srca_old, const uint32_t srca_new,
                                    const emu::Loc& loc = emu::Loc::here()) {
    (void)srca_old;
    emu_detail::reconfig_a(srca_new, "reconfig_data_format_srca", loc);
}
ALWI void reconfig_data_format_srcb(const uint32_t srcb_new, const emu::Loc& loc = emu::Loc::here()) {
    emu_detail::reconfig_b(srcb_new, "reconfig_data_format_srcb", loc);
}
ALWI void reconfig_data_format_srcb(const uint32_t srcb_old, const uint32_t srcb_new,
                                    const emu::Loc& loc = emu::Loc::here()) {
    (void)srcb_old;
    emu_detail::reconfig_b(srcb_new, "reconfig_data_format_srcb", loc);
}

// Formats plus tile shapes; the emulator only handles 32×32 tiles, so these equal the format-only calls.
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void reconfig_full_operand(const uint32_t icb0_new, const uint32_t icb1_new,
                                const emu::Loc& loc = emu::Loc::here()) {
    reconfig_data_format<src_order>(icb0_new, icb1_new, loc);
}
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void reconfig_full_operand(const uint32_t icb0_old, const uint32_t icb0_new, const uint32_t icb1_old,
                                const uint32_t icb1_new, const emu::Loc& loc = emu::Loc::here()) {
    reconfig_data_format<src_order>(icb0_old, icb0_new, icb1_old, icb1_new, loc);
}
ALWI void reconfig_full_operand_srca(const uint32_t srca_new, const emu::Loc& loc = emu::Loc::here()) {
    reconfig_data_format_srca(srca_new, loc);
}
ALWI void reconfig_full_operand_srca(const uint32_t srca_old, const uint32_t srca_new,
                                     const emu::Loc& loc = emu::Loc::here()) {
    reconfig_data_format_srca(srca_old, srca_new, loc);
}
ALWI void reconfig_full_operand_srcb(const uint32_t srcb_new, const emu::Loc& loc = emu::Loc::here()) {
    reconfig_data_format_srcb(srcb_new, loc);
}
ALWI void reconfig_full_operand_srcb(const uint32_t srcb_old, const uint32_t srcb_new,
                                     const emu::Loc& loc = emu::Loc::here()) {
    reconfig_data_format_srcb(srcb_old, srcb_new, loc);
}

// Tile-shape-only reconfiguration: nothing to do for 32×32 tiles.
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void reconfig_tile_shape(const uint32_t, const uint32_t, const emu::Loc& loc = emu::Loc::here()) {
    emu::note_call("reconfig_tile_shape", -1, loc);
}
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void reconfig_tile_shape(const uint32_t, const uint32_t, const uint32_t, const uint32_t,
                              const emu::Loc& loc = emu::Loc::here()) {
    emu::note_call("reconfig_tile_shape", -1, loc);
}
ALWI void reconfig_tile_shape_srca(const uint32_t, const emu::Loc& loc = emu::Loc::here()) {
    emu::note_call("reconfig_tile_shape_srca", -1, loc);
}
ALWI void reconfig_tile_shape_srca(const uint32_t, const uint32_t, const emu::Loc& loc = emu::Loc::here()) {
    emu::note_call("reconfig_tile_shape_srca", -1, loc);
}
ALWI void reconfig_tile_shape_srcb(const uint32_t, const emu::Loc& loc = emu::Loc::here()) {
    emu::note_call("reconfig_tile_shape_srcb", -1, loc);
}
ALWI void reconfig_tile_shape_srcb(const uint32_t, const uint32_t, const emu::Loc& loc = emu::Loc::here()) {
    emu::note_call("reconfig_tile_shape_srcb", -1, loc);
}

// The *_skip_int8 variants differ only for int8 formats, which the emulator does not convert.
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void reconfig_data_format_skip_int8(const uint32_t icb0_new, const uint32_t icb1_new,
                                         const emu::Loc& loc = emu::Loc::here()) {
    reconfig_data_format<src_order>(icb0_new, icb1_new, loc);
}
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void reconfig_data_format_skip_int8(const uint32_t icb0_old, const uint32_t icb0_new, const uint32_t icb1_old,
                                         const uint32_t icb1_new, const emu::Loc& loc = emu::Loc::here()) {
    reconfig_data_format<src_order>(icb0_old, icb0_new, icb1_old, icb1_new, loc);
}
ALWI void reconfig_data_format_srca_skip_int8(const uint32_t srca_new, const emu::Loc& loc = emu::Loc::here()) {
    reconfig_data_format_srca(srca_new, loc);
}
ALWI void reconfig_data_format_srca_skip_int8(const uint32_t srca_old, const uint32_t srca_new,
                                              const emu::Loc& loc = emu::Loc::here()) {
    reconfig_data_format_srca(srca_old, srca_new, loc);
}
ALWI void reconfig_data_format_srcb_skip_int8(const uint32_t srcb_new, const emu::Loc& loc = emu::Loc::here()) {
    reconfig_data_format_srcb(srcb_new, loc);
}
ALWI void reconfig_data_format_srcb_skip_int8(const uint32_t srcb_old, const uint32_t srcb_new,
                                              const emu::Loc& loc = emu::Loc::here()) {
    reconfig_data_format_srcb(srcb_old, srcb_new, loc);
}

template <bool is_tile_dim_reconfig_en = false>
ALWI void pack_reconfig_data_format(const uint32_t new_cb_id, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::reconfig_pack(new_cb_id, "pack_reconfig_data_format", loc);
}
template <bool is_tile_dim_reconfig_en = false>
ALWI void pack_reconfig_data_format(const uint32_t old_cb_id, const uint32_t new_cb_id,
                                    const emu::Loc& loc = emu::Loc::here()) {
    (void)old_cb_id;
    emu::compute::reconfig_pack(new_cb_id, "pack_reconfig_data_format", loc);
}

}  // namespace ckernel
