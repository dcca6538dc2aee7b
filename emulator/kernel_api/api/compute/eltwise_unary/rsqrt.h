// Emulator shadow of api/compute/eltwise_unary/rsqrt.h. rsqrt shares sqrt's init (the same constants), so
// either init serves both ops; the math_approx_mode of the ComputeConfig picks the algorithm variant.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {

enum class RsqrtMode { Default, Fast };

ALWI void rsqrt_tile_init(const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::sfpu_init(emu::compute::SfpuInit::SqrtFamily, emu::compute::approx_mode(), false, "rsqrt_tile_init",
                            loc);
}

// RsqrtMode::Fast skips the edge-case guards (zero, infinity, negative inputs).
template <RsqrtMode mode = RsqrtMode::Default, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void rsqrt_tile(uint32_t idst, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::rsqrt_tile(idst, mode == RsqrtMode::Fast, "rsqrt_tile", loc);
}

}  // namespace ckernel
