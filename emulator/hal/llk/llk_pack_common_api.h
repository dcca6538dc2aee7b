// Emulator shadow of metal/llk_api/llk_pack_common_api.h (compute skeleton): the packer's side of DEST's hand-off.
#pragma once

#include <cstdint>

#include "llk_io_pack.h"
#include "llk_math_common_api.h"

inline void llk_pack_wait_fp32_dest_acc() {}
template <bool is_fp32_dest_acc_en>
inline void llk_pack_hw_configure(std::uint32_t) {}

inline void llk_packer_wait_for_math_done() {
    using namespace emu::tensix;
    wait_until([] { return load(state().sem[kSemMathPack]) > 0; });
}

template <bool is_fp32_dest_acc_en>
inline void llk_pack_dest_section_done() {
    using namespace emu::tensix;
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
inline void llk_pack_reconfig_data_format(const std::uint32_t) {}
template <bool is_fp32_dest_acc_en>
inline void llk_pack_reconfig_data_format(const std::uint32_t, const std::uint32_t) {}
inline void llk_pack_relu_config(const ckernel::ReluConfig& relu_config) {
    if (relu_config.get_mode() != ckernel::ReluType::NO_RELU) emu_unsupported("the packer's ReLU (llk_pack_relu_config)");
}
inline void llk_pack_reconfig_l1_acc(const std::uint32_t enable) {
    if (enable) emu_unsupported("llk_pack_reconfig_l1_acc (packer L1 accumulation)");
}
