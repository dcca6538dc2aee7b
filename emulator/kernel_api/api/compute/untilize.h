// Emulator shadow of api/compute/untilize.h: the unpack-based untilize (deprecated in favour of
// pack_untilize, still accepted). Output: 32 row-major rows, full_ct_dim tiles wide.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void untilize_init(uint32_t icb, uint32_t call_line = __builtin_LINE(), const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::untilize_init(icb, "untilize_init", loc);
}

template <uint32_t block_ct_dim = 1, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void untilize_block(uint32_t icb, uint32_t full_ct_dim, uint32_t ocb, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::untilize_block(block_ct_dim, icb, full_ct_dim, ocb, "untilize_block", loc);
}

ALWI void untilize_uninit(uint32_t icb, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::untilize_uninit(icb, "untilize_uninit", loc);
}

}  // namespace ckernel
