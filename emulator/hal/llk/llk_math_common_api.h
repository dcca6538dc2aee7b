// Emulator shadow of metal/llk_api/llk_math_common_api.h: DEST's hand-off to the packer (tile_regs_acquire /
// tile_regs_commit on the MATH thread), the MATH thread's record of its last FPU init, and DEST's capacity.
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

// What the MATH thread's last FPU init configured; an op must find its own init there.
struct MathInit {
    enum Kind : uint32_t { None, Datacopy, Binary, Reduce, Matmul } kind = None;
    uint32_t op = 0, bcast = 0, reuse = 0;  // EltwiseBinaryType / DataCopyType / PoolType / MathFidelity,
                                            // BroadcastType / ReduceDim, reuse-dest type
    bool acc_to_dest = false;
};
inline MathInit math_init;
inline bool math_holds_dest = false;  // between tile_regs_acquire and tile_regs_commit
inline uint32_t math_written = 0;      // DEST tiles of the held section an FPU op wrote (bit per tile)

// The DEST tile an FPU op writes: inside the acquired section, within one section's capacity.
template <bool fp32>
inline float* math_dest_tile(const char* call, uint32_t dst_index) {
    if (!math_holds_dest) emu_llk_violation(call, -1, "writes DEST outside tile_regs_acquire ... tile_regs_commit");
    const uint32_t tiles = section_tiles<fp32>();
    if (dst_index >= tiles) {
        char msg[200];
        std::snprintf(msg, sizeof msg, "DEST index %u is past the %u tiles of one DEST section (%s DEST, %s sync)",
                      dst_index, tiles, fp32 ? "fp32" : "16-bit", dest_sections() == 2 ? "half" : "full");
        emu_llk_violation(call, -1, msg);
    }
    math_written |= 1u << dst_index;
    return &state().dest[(state().math_section * tiles + dst_index) * kTileElems];
}
}  // namespace emu::tensix

// Configuring the math formats (hw_configure, reconfig_data_format*) re-establishes the Src zero flag's default.
template <bool is_fp32_dest_acc_en>
inline void llk_math_hw_configure(const std::uint32_t, const std::uint32_t) {
    ckernel::math::_configure_default_zero_flag_state_();
}
// The emulator's DEST keeps the width the compute config gives (fp32_dest_acc_en): switching it mid-kernel
// (enable/disable_fp32_dest_acc) is refused by name rather than run at the wrong width. Asking for the width
// already in force is what set_fp32_dest_acc<DST_ACCUM_MODE> does on silicon: nothing.
inline void llk_math_set_fp32_dest_acc(bool enable) {
    if (enable != static_cast<bool>(DST_ACCUM_MODE)) {
        emu_llk_violation(enable ? "enable_fp32_dest_acc" : "disable_fp32_dest_acc", -1,
                          "switching DEST between 16-bit and fp32 mid-kernel is not modelled by the emulator: its "
                          "DEST keeps the compute config's fp32_dest_acc_en for the whole kernel");
    }
}
inline void llk_math_reconfig_remap(const bool) {}

inline void llk_math_wait_for_dest_available() {
    using namespace emu::tensix;
    if (math_holds_dest) emu_llk_violation("tile_regs_acquire", -1, "DEST is already acquired (no tile_regs_commit since)");
    wait_until([] { return load(state().sem[kSemMathPack]) < dest_sections(); });
    math_holds_dest = true;
    math_written = 0;
}

template <bool is_fp32_dest_acc_en>
inline void llk_math_dest_section_done() {
    using namespace emu::tensix;
    if (!math_holds_dest) emu_llk_violation("tile_regs_commit", -1, "commits DEST without tile_regs_acquire");
    math_holds_dest = false;
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

namespace emu::tensix {
// The (old, new) forms reprogram, and so reset the flag, only when the two CBs' register formats differ.
inline void math_reconfig([[maybe_unused]] uint32_t old_operand, [[maybe_unused]] uint32_t new_operand) {
#if !defined(UCK_CHLKC_PACK)  // the PACK build has no unpack formats (and no math to configure)
    if (unpack_src_format[old_operand] != unpack_src_format[new_operand] ||
        unpack_dst_format[old_operand] != unpack_dst_format[new_operand])
        ckernel::math::_configure_default_zero_flag_state_();
#endif
}
}  // namespace emu::tensix

template <bool is_fp32_dest_acc_en, bool skip_int8 = false>
inline void llk_math_reconfig_data_format_srca(const std::uint32_t) {
    ckernel::math::_configure_default_zero_flag_state_();
}
template <bool is_fp32_dest_acc_en, bool skip_int8 = false>
inline void llk_math_reconfig_data_format_srcb(const std::uint32_t) {
    ckernel::math::_configure_default_zero_flag_state_();
}
template <bool is_fp32_dest_acc_en, bool skip_int8 = false>
inline void llk_math_reconfig_data_format(const std::uint32_t, const std::uint32_t) {
    ckernel::math::_configure_default_zero_flag_state_();
}
template <bool is_fp32_dest_acc_en, bool skip_int8 = false>
inline void llk_math_reconfig_data_format(const std::uint32_t old_a, const std::uint32_t new_a,
                                          const std::uint32_t old_b, const std::uint32_t new_b) {
    emu::tensix::math_reconfig(old_a, new_a);
    emu::tensix::math_reconfig(old_b, new_b);
}
template <bool is_fp32_dest_acc_en, bool skip_int8 = false>
inline void llk_math_reconfig_data_format_srca(const std::uint32_t old_operand, const std::uint32_t new_operand) {
    emu::tensix::math_reconfig(old_operand, new_operand);
}
template <bool is_fp32_dest_acc_en, bool skip_int8 = false>
inline void llk_math_reconfig_data_format_srcb(const std::uint32_t old_operand, const std::uint32_t new_operand) {
    emu::tensix::math_reconfig(old_operand, new_operand);
}
