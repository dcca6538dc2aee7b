// Reduce-scaler tile generator of ttnn 0.81.1, same contract: zero a 16-bit tile, then write the packed
// scaler (bf16 << 16 | bf16) into row 0 of each of the four faces.
#pragma once

#include "api/dataflow/dataflow_api.h"

template <bool needs_zeroing = true>
FORCE_INLINE void wh_generate_reduce_scaler(const uint32_t cb_id, const uint32_t scaler,
                                            const emu::Loc& loc = emu::Loc::here()) {
    emu::cb_reserve_back(cb_id, 1, loc);
    const uint32_t base = emu::cb_write_ptr(cb_id, loc);
    if constexpr (needs_zeroing) emu::noc_write_zeros(base, 2048, loc);
    if (scaler != 0 || !needs_zeroing) {
        for (uint32_t face = 0; face < 4; ++face) {
            auto* row = reinterpret_cast<volatile uint32_t*>(uintptr_t(base + face * 512));
            for (int j = 0; j < 8; ++j) row[j] = scaler;
        }
    }
    emu::cb_push_back(cb_id, 1, loc);
}

template <bool needs_zeroing = true>
FORCE_INLINE void generate_reduce_scaler(const uint32_t cb_id, const uint32_t scaler,
                                         const emu::Loc& loc = emu::Loc::here()) {
    wh_generate_reduce_scaler<needs_zeroing>(cb_id, scaler, loc);
}
