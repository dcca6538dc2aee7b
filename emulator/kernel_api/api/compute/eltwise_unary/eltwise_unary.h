// Emulator shadow of api/compute/eltwise_unary/eltwise_unary.h (legacy SFPU start-up names).
#pragma once

#include "api/compute/common.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/tile_move_copy.h"

namespace ckernel {

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void unary_op_init_common(uint32_t icb, uint32_t ocb, uint32_t call_line = __builtin_LINE(),
                               const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::hw_startup(icb, icb, ocb, "unary_op_init_common", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void init_sfpu(uint32_t icb, uint32_t ocb, uint32_t call_line = __builtin_LINE(),
                    const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::hw_startup(icb, icb, ocb, "init_sfpu", loc);
}

}  // namespace ckernel
