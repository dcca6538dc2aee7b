// Emulator shadow of api/compute/reduce.h: reduce through a scaler tile (tensix-semantics §2.9).
// reduce_init also sets the packer edge mask (only the reduced row/column/datum is packed, the rest as zero)
// until reduce_uninit().
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {

template <PoolType reduce_type, ReduceDim reduce_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void reduce_init(std::uint32_t icb, std::uint32_t icb_scaler, std::uint32_t ocb,
                      std::uint32_t call_line = __builtin_LINE(), const emu::Loc& loc = emu::Loc::here()) {
    static_assert(reduce_type != PoolType::MIN, "emulator: reduce_init<PoolType::MIN> is not implemented");
    (void)call_line;
    emu::compute::reduce_init(emu_detail::pool(reduce_type), emu_detail::rdim(reduce_dim), icb, icb_scaler, ocb,
                              "reduce_init", loc);
}

ALWI void reduce_uninit(std::uint32_t icb = 0, const emu::Loc& loc = emu::Loc::here()) {
    (void)icb;
    emu::compute::reduce_uninit("reduce_uninit", loc);
}

template <PoolType reduce_type, ReduceDim reduce_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void reduce_tile(std::uint32_t icb, std::uint32_t icb_scaler, std::uint32_t itile, std::uint32_t itile_scaler,
                      std::uint32_t idst, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::reduce_tile(emu_detail::pool(reduce_type), emu_detail::rdim(reduce_dim), icb, icb_scaler, itile,
                              itile_scaler, idst, "reduce_tile", loc);
}

template <PoolType reduce_type, ReduceDim reduce_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void reduce_block(std::uint32_t icb, std::uint32_t icb_scaler, std::uint32_t start_itile,
                       std::uint32_t itile_scaler, std::uint32_t start_idst, std::uint32_t ntiles,
                       const emu::Loc& loc = emu::Loc::here()) {
    for (std::uint32_t i = 0; i < ntiles; ++i)
        emu::compute::reduce_tile(emu_detail::pool(reduce_type), emu_detail::rdim(reduce_dim), icb, icb_scaler,
                                  start_itile + i, itile_scaler, start_idst + i, "reduce_block", loc);
}

template <PoolType reduce_type, ReduceDim reduce_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void reduce_tile_math(std::uint32_t, std::uint32_t = 4) {
    static_assert(::emu_unimplemented::value<reduce_type>, "emulator: reduce_tile_math is not implemented");
}

}  // namespace ckernel
