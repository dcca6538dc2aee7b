// Emulator shadow of metal/llk_api/llk_unpack_common_api.h (compute skeleton): hardware configuration is implicit
// (the unpacker reads each CB's format from chlkc_descriptors.h when it unpacks).
#pragma once

#include <cstdint>
#include <cstdio>

#include "emu_formats.h"
#include "llk_defs.h"
#include "llk_io_unpack.h"
#include "llk_param_structs.h"

// p_dim_stride_target and the unpacker's configuration helpers: tt-llk's own, over the emulated config space.
#include "llk_unpack_common.h"

namespace emu::tensix {
// The CB whose formats each source register's unpacker was last configured for (compute_kernel_hw_startup,
// reconfig_data_format*); -1 before the first configuration.
inline int32_t unpack_config_cb[2] = {-1, -1};

inline bool same_unpack_formats(uint32_t a, uint32_t b) {
    return unpack_src_format[a] == unpack_src_format[b] && unpack_dst_format[a] == unpack_dst_format[b];
}

// An unpack of `operand` into SrcA (reg 0) or SrcB (reg 1) needs that unpacker configured for its formats: with
// another CB's, the hardware reinterprets the bytes (the first generation's named violation, kept on v2).
inline void require_unpack_format(const char* call, uint32_t reg, uint32_t operand) {
    const int32_t cfg = unpack_config_cb[reg];
    // Only the stored format decides how the unpacker reads the bytes. Two CBs of one stored format can still
    // differ in register format by their unpack-to-dest mode (Float32 for an UnpackToDestFp32 CB, TF32 for
    // another), which selects where SrcA's unpack lands, not how it reads: no reinterpretation, no violation.
    if (cfg < 0 || unpack_src_format[cfg] == unpack_src_format[operand]) return;
    char msg[400];
    std::snprintf(msg, sizeof msg,
                  "CB %u holds %s data but the %s unpacker is configured for %s (set from CB %d); hardware would "
                  "reinterpret the bytes. Call reconfig_data_format_src%c(%u) (or reconfig_data_format) before "
                  "this op",
                  operand, format_name(unpack_src_format[operand]), reg == 0 ? "SrcA" : "SrcB",
                  format_name(unpack_src_format[cfg]), cfg, reg == 0 ? 'a' : 'b', operand);
    emu_llk_violation(call, int(operand), msg);
}

// reconfig_data_format_src*(old, new) reprograms only when the two CBs' formats differ, as the LLK does.
inline void reconfig_unpack(uint32_t reg, uint32_t old_operand, uint32_t new_operand) {
    if (!same_unpack_formats(old_operand, new_operand)) unpack_config_cb[reg] = int32_t(new_operand);
}
}  // namespace emu::tensix

template <bool is_fp32_dest_acc_en>
inline void llk_unpack_hw_configure(const std::uint32_t srca_operand, const std::uint32_t srcb_operand) {
    emu::tensix::unpack_config_cb[0] = int32_t(srca_operand);
    emu::tensix::unpack_config_cb[1] = int32_t(srcb_operand);
}
template <bool is_fp32_dest_acc_en>
inline void llk_unpack_hw_configure(const std::uint32_t operand) {
    llk_unpack_hw_configure<is_fp32_dest_acc_en>(operand, operand);
}
inline void llk_unpack_wait_fp32_dest_acc() {}
inline bool should_reconfigure_cbs(std::uint32_t old_operand, std::uint32_t new_operand) {
    return unpack_src_format[old_operand] != unpack_src_format[new_operand] ||
           unpack_dst_format[old_operand] != unpack_dst_format[new_operand];
}
template <bool is_fp32_dest_acc_en, p_dim_stride_target dim_stride_target, bool skip_int8 = false>
inline void llk_unpack_reconfig_data_format_srca(const std::uint32_t srca_new_operand) {
    emu::tensix::unpack_config_cb[0] = int32_t(srca_new_operand);
}
template <bool is_fp32_dest_acc_en, p_dim_stride_target dim_stride_target, bool skip_int8 = false>
inline void llk_unpack_reconfig_data_format_srcb(const std::uint32_t srcb_new_operand) {
    emu::tensix::unpack_config_cb[1] = int32_t(srcb_new_operand);
}
template <bool is_fp32_dest_acc_en, p_dim_stride_target dim_stride_target, bool skip_int8 = false>
inline void llk_unpack_reconfig_data_format_srca(const std::uint32_t srca_old_operand,
                                                 const std::uint32_t srca_new_operand) {
    emu::tensix::reconfig_unpack(0, srca_old_operand, srca_new_operand);
}
template <bool is_fp32_dest_acc_en, p_dim_stride_target dim_stride_target, bool skip_int8 = false>
inline void llk_unpack_reconfig_data_format_srcb(const std::uint32_t srcb_old_operand,
                                                 const std::uint32_t srcb_new_operand) {
    emu::tensix::reconfig_unpack(1, srcb_old_operand, srcb_new_operand);
}
template <bool is_fp32_dest_acc_en, p_dim_stride_target dim_stride_target, bool skip_int8 = false>
inline void llk_unpack_reconfig_data_format(const std::uint32_t srca_new_operand, const std::uint32_t srcb_new_operand) {
    emu::tensix::unpack_config_cb[0] = int32_t(srca_new_operand);
    emu::tensix::unpack_config_cb[1] = int32_t(srcb_new_operand);
}
template <bool is_fp32_dest_acc_en, p_dim_stride_target dim_stride_target, bool skip_int8 = false>
inline void llk_unpack_reconfig_data_format(const std::uint32_t srca_old_operand, const std::uint32_t srca_new_operand,
                                            const std::uint32_t srcb_old_operand, const std::uint32_t srcb_new_operand) {
    emu::tensix::reconfig_unpack(0, srca_old_operand, srca_new_operand);
    emu::tensix::reconfig_unpack(1, srcb_old_operand, srcb_new_operand);
}
inline void llk_unpack_reconfig_tile_shape_srca(const std::uint32_t) {}
inline void llk_unpack_reconfig_tile_shape_srca(const std::uint32_t, const std::uint32_t) {}
inline void llk_unpack_reconfig_tile_shape_srcb(const std::uint32_t) {}
inline void llk_unpack_reconfig_tile_shape_srcb(const std::uint32_t, const std::uint32_t) {}
inline void llk_unpack_set_srcb_dummy_valid() {}
inline void llk_unpack_dummy(const std::uint32_t) {}
inline void llk_unpack_wait_for_dest_available() {}
template <bool EN_32BIT_DEST>
inline void llk_unpack_dest_section_done() {}
