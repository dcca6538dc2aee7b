// Emulator shadow of metal/llk_api/llk_math_common_api.h (compute skeleton): DEST's hand-off to the packer.
#pragma once

#include <cstdint>

#include "ckernel.h"
#include "llk_defs.h"
#include "llk_param_structs.h"

namespace emu::tensix {
// DEST sections: two halves under DstSync::SyncHalf, the whole register under SyncFull.
inline uint32_t dest_sections() { return DST_SYNC_MODE == DstSync::SyncHalf ? 2 : 1; }
template <bool fp32>
inline uint32_t section_tiles() { return (fp32 ? kDestTiles / 2 : kDestTiles) / dest_sections(); }
}  // namespace emu::tensix

template <bool is_fp32_dest_acc_en>
inline void llk_math_hw_configure(const std::uint32_t, const std::uint32_t) {}
inline void llk_math_set_fp32_dest_acc(bool) {}
inline void llk_math_reconfig_remap(const bool) {}

inline void llk_math_wait_for_dest_available() {
    using namespace emu::tensix;
    wait_until([] { return load(state().sem[kSemMathPack]) < dest_sections(); });
}

template <bool is_fp32_dest_acc_en>
inline void llk_math_dest_section_done() {
    using namespace emu::tensix;
    State& s = state();
    s.math_section = (s.math_section + 1) % dest_sections();
    __atomic_fetch_add(&s.sem[kSemMathPack], 1, __ATOMIC_SEQ_CST);
    emu_notify();
}

template <bool is_fp32_dest_acc_en>
inline void llk_math_pack_sync_init() {
    using namespace emu::tensix;
    State& s = state();
    s.math_section = 0;
    wait_until([&] { return load(s.sem[kSemMathPack]) == 0; });
}

template <bool is_fp32_dest_acc_en, bool skip_int8 = false>
inline void llk_math_reconfig_data_format_srca(const std::uint32_t) {}
template <bool is_fp32_dest_acc_en, bool skip_int8 = false>
inline void llk_math_reconfig_data_format_srcb(const std::uint32_t) {}
template <bool is_fp32_dest_acc_en, bool skip_int8 = false>
inline void llk_math_reconfig_data_format(const std::uint32_t, const std::uint32_t) {}
template <bool is_fp32_dest_acc_en, bool skip_int8 = false>
inline void llk_math_reconfig_data_format(const std::uint32_t, const std::uint32_t, const std::uint32_t,
                                          const std::uint32_t) {}
template <bool is_fp32_dest_acc_en, bool skip_int8 = false>
inline void llk_math_reconfig_data_format_srca(const std::uint32_t, const std::uint32_t) {}
template <bool is_fp32_dest_acc_en, bool skip_int8 = false>
inline void llk_math_reconfig_data_format_srcb(const std::uint32_t, const std::uint32_t) {}
