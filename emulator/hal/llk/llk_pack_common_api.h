// Emulator shadow of metal/llk_api/llk_pack_common_api.h: the packer's side of DEST's hand-off (tile_regs_wait /
// tile_regs_release on the PACK thread).
#pragma once

#include <cstdint>
#include <cstdio>

#include "emu_formats.h"
#include "llk_io_pack.h"
#include "llk_math_common_api.h"

inline void llk_pack_wait_fp32_dest_acc() {}

namespace emu::tensix {
inline int32_t pack_config_cb = -1;  // the CB whose formats the packer was last configured for

inline bool same_pack_formats(uint32_t a, uint32_t b) {
    return pack_src_format[a] == pack_src_format[b] && pack_dst_format[a] == pack_dst_format[b];
}

// A pack into `output` needs the packer configured for its formats (pack_reconfig_data_format).
inline void require_pack_format(const char* call, uint32_t output) {
    if (pack_config_cb < 0 || same_pack_formats(uint32_t(pack_config_cb), output)) return;
    char msg[400];
    std::snprintf(msg, sizeof msg,
                  "CB %u holds %s data but the packer is configured for %s (set from CB %d). Call "
                  "pack_reconfig_data_format(%u) before packing into it",
                  output, format_name(pack_dst_format[output]), format_name(pack_dst_format[pack_config_cb]),
                  pack_config_cb, output);
    emu_llk_violation(call, int(output), msg);
}
}  // namespace emu::tensix

template <bool is_fp32_dest_acc_en>
inline void llk_pack_hw_configure(std::uint32_t pack_output) {
    emu::tensix::pack_config_cb = int32_t(pack_output);
}

namespace emu::tensix {
inline bool pack_holds_dest = false;  // between tile_regs_wait and tile_regs_release
// unit_dim fast_tilize_init programmed the packer for (its MOP, address mods and DEST offsets replace the ordinary
// packer's until fast_tilize_uninit); 0 outside.
inline uint32_t pack_fast_tilize_unit_dim = 0;
inline uint32_t pack_reduce_mask = 0;  // 0 off, else 1 + ReduceDim (llk_pack_reduce_mask_config)

// Whether the reduce edge mask lets storage-order element i of a tile through.
inline bool reduce_mask_keeps(uint32_t i) {
    const uint32_t row = (i / 512) * 16 + (i % 256) / 16, col = ((i / 256) % 2) * 16 + i % 16;
    switch (pack_reduce_mask) {
        case 0: return true;
        case 1 + uint32_t(ReduceDim::REDUCE_ROW): return col == 0;
        case 1 + uint32_t(ReduceDim::REDUCE_COL): return row == 0;
        default: return i == 0;
    }
}
}

inline void llk_packer_wait_for_math_done() {
    using namespace emu::tensix;
    if (pack_holds_dest) emu_llk_violation("tile_regs_wait", -1, "DEST is already held by the packer (no tile_regs_release since)");
    wait_until([] { return load(state().sem[kSemMathPack]) > 0; });
    pack_holds_dest = true;
}

template <bool is_fp32_dest_acc_en>
inline void llk_pack_dest_section_done() {
    using namespace emu::tensix;
    if (!pack_holds_dest) emu_llk_violation("tile_regs_release", -1, "releases DEST without tile_regs_wait");
    pack_holds_dest = false;
    State& s = state();
    const uint32_t tiles = section_tiles<is_fp32_dest_acc_en>();
    std::memset(&s.dest[s.pack_section * tiles * kTileElems], 0, tiles * kTileElems * sizeof(float));
    s.pack_section = (s.pack_section + 1) % dest_sections();
    __atomic_fetch_sub(&s.sem[kSemMathPack], 1, __ATOMIC_SEQ_CST);
    emu_notify();
}

template <PackMode pack_mode = PackMode::Default, bool diagonal = false>
inline void llk_init_packer_dest_offset_registers(const std::uint32_t) {}
template <bool is_fp32_dest_acc_en, PackMode pack_mode = PackMode::Default>
inline void llk_pack_dest_init(const std::uint32_t) {
    emu::tensix::state().pack_section = 0;
}
template <bool is_fp32_dest_acc_en>
inline void llk_pack_reconfig_data_format(const std::uint32_t new_output) {
    emu::tensix::pack_config_cb = int32_t(new_output);
}
// The (old, new) form reprograms only when the two CBs' formats differ, as the LLK does.
template <bool is_fp32_dest_acc_en>
inline void llk_pack_reconfig_data_format(const std::uint32_t old_output, const std::uint32_t new_output) {
    if (!emu::tensix::same_pack_formats(old_output, new_output)) emu::tensix::pack_config_cb = int32_t(new_output);
}
inline void llk_pack_relu_config(const ckernel::ReluConfig& relu_config) {
    if (relu_config.get_mode() != ckernel::ReluType::NO_RELU) emu_unsupported("the packer's ReLU (llk_pack_relu_config)");
}
inline void llk_pack_reconfig_l1_acc(const std::uint32_t enable) {
    if (enable) emu_unsupported("llk_pack_reconfig_l1_acc (packer L1 accumulation)");
}
