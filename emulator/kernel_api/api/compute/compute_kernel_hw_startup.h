// Emulator shadow of api/compute/compute_kernel_hw_startup.h: configures the unpackers, math and packer
// formats; must come before any other compute call.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {

template <SrcOrder src_order = SrcOrder::Regular>
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t icb1, uint32_t ocb,
                                    const emu::Loc& loc = emu::Loc::here()) {
    constexpr bool reverse = src_order == SrcOrder::Reverse;
    emu::compute::hw_startup(reverse ? icb1 : icb0, reverse ? icb0 : icb1, ocb, "compute_kernel_hw_startup", loc);
}

ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t ocb, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::hw_startup(icb0, icb0, ocb, "compute_kernel_hw_startup", loc);
}

// Switching DEST width at run time is not modelled; the ComputeConfig's fp32_dest_acc_en holds throughout.
template <typename T = void>
ALWI void enable_fp32_dest_acc() {
    static_assert(::emu_unimplemented::type<T>, "emulator: enable_fp32_dest_acc is not implemented");
}
template <typename T = void>
ALWI void disable_fp32_dest_acc() {
    static_assert(::emu_unimplemented::type<T>, "emulator: disable_fp32_dest_acc is not implemented");
}
// Setting it to the configured width (DST_ACCUM_MODE, from the ComputeConfig at build time) is a no-op; switching
// it fails at build time.
template <bool enable>
ALWI void set_fp32_dest_acc(const emu::Loc& loc = emu::Loc::here()) {
    static_assert(enable == bool(DST_ACCUM_MODE),
                  "emulator: set_fp32_dest_acc switching the DEST width is not implemented");
    emu::note_call("set_fp32_dest_acc", -1, loc);
}
template <bool enable>
ALWI void restore_fp32_dest_acc(const emu::Loc& loc = emu::Loc::here()) {
    static_assert(enable == bool(DST_ACCUM_MODE),
                  "emulator: restore_fp32_dest_acc switching the DEST width is not implemented");
    emu::note_call("restore_fp32_dest_acc", -1, loc);
}

}  // namespace ckernel
