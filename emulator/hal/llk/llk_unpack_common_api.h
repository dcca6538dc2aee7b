// Emulator shadow of metal/llk_api/llk_unpack_common_api.h (compute skeleton): hardware configuration is implicit
// (the unpacker reads each CB's format from chlkc_descriptors.h when it unpacks).
#pragma once

#include <cstdint>

#include "llk_defs.h"
#include "llk_io_unpack.h"
#include "llk_param_structs.h"

// p_dim_stride_target and the unpacker's configuration helpers: tt-llk's own, over the emulated config space.
#include "llk_unpack_common.h"

template <bool is_fp32_dest_acc_en>
inline void llk_unpack_hw_configure(const std::uint32_t, const std::uint32_t) {}
template <bool is_fp32_dest_acc_en>
inline void llk_unpack_hw_configure(const std::uint32_t) {}
inline void llk_unpack_wait_fp32_dest_acc() {}
inline bool should_reconfigure_cbs(std::uint32_t old_operand, std::uint32_t new_operand) {
    return unpack_src_format[old_operand] != unpack_src_format[new_operand] ||
           unpack_dst_format[old_operand] != unpack_dst_format[new_operand];
}
template <bool is_fp32_dest_acc_en, p_dim_stride_target dim_stride_target, bool skip_int8 = false>
inline void llk_unpack_reconfig_data_format_srca(const std::uint32_t) {}
template <bool is_fp32_dest_acc_en, p_dim_stride_target dim_stride_target, bool skip_int8 = false>
inline void llk_unpack_reconfig_data_format_srcb(const std::uint32_t) {}
template <bool is_fp32_dest_acc_en, p_dim_stride_target dim_stride_target, bool skip_int8 = false>
inline void llk_unpack_reconfig_data_format_srca(const std::uint32_t, const std::uint32_t) {}
template <bool is_fp32_dest_acc_en, p_dim_stride_target dim_stride_target, bool skip_int8 = false>
inline void llk_unpack_reconfig_data_format_srcb(const std::uint32_t, const std::uint32_t) {}
template <bool is_fp32_dest_acc_en, p_dim_stride_target dim_stride_target, bool skip_int8 = false>
inline void llk_unpack_reconfig_data_format(const std::uint32_t, const std::uint32_t) {}
template <bool is_fp32_dest_acc_en, p_dim_stride_target dim_stride_target, bool skip_int8 = false>
inline void llk_unpack_reconfig_data_format(const std::uint32_t, const std::uint32_t, const std::uint32_t,
                                            const std::uint32_t) {}
inline void llk_unpack_reconfig_tile_shape_srca(const std::uint32_t) {}
inline void llk_unpack_reconfig_tile_shape_srca(const std::uint32_t, const std::uint32_t) {}
inline void llk_unpack_reconfig_tile_shape_srcb(const std::uint32_t) {}
inline void llk_unpack_reconfig_tile_shape_srcb(const std::uint32_t, const std::uint32_t) {}
inline void llk_unpack_set_srcb_dummy_valid() {}
inline void llk_unpack_dummy(const std::uint32_t) {}
inline void llk_unpack_wait_for_dest_available() {}
template <bool EN_32BIT_DEST>
inline void llk_unpack_dest_section_done() {}
