// Emulator shadow of api/compute/eltwise_unary/sqrt.h.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {

ALWI void sqrt_tile_init(const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::sfpu_init(emu::compute::SfpuInit::SqrtFamily, emu::compute::approx_mode(), false, "sqrt_tile_init",
                            loc);
}

template <bool FAST_APPROX = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sqrt_tile(uint32_t idst, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::sqrt_tile(idst, FAST_APPROX, "sqrt_tile", loc);
}

}  // namespace ckernel
