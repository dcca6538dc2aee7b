// Emulator shadow of api/compute/eltwise_unary/recip.h. The init's approximation choice selects the seed
// constants; recip_tile must use the same template arguments as its init.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {

enum class ReciprocalDestAcc { BF16, FP32 };
enum class ReciprocalApproxMode { Default, Precise, Approximate };

namespace emu_detail {
inline bool recip_approx(ReciprocalApproxMode m) {
    return m == ReciprocalApproxMode::Default ? emu::compute::approx_mode() : m == ReciprocalApproxMode::Approximate;
}
}  // namespace emu_detail

template <ReciprocalDestAcc dest_acc = DST_ACCUM_MODE ? ReciprocalDestAcc::FP32 : ReciprocalDestAcc::BF16,
          ReciprocalApproxMode approximation = ReciprocalApproxMode::Default>
ALWI void recip_tile_init(const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::sfpu_init(emu::compute::SfpuInit::Recip, emu_detail::recip_approx(approximation),
                            dest_acc == ReciprocalDestAcc::FP32, "recip_tile_init", loc);
}

template <ReciprocalDestAcc dest_acc = DST_ACCUM_MODE ? ReciprocalDestAcc::FP32 : ReciprocalDestAcc::BF16,
          ReciprocalApproxMode approximation = ReciprocalApproxMode::Default>
ALWI void recip_tile(uint32_t idst, VectorMode vector_mode = VectorMode::RC, const emu::Loc& loc = emu::Loc::here()) {
    if (vector_mode != VectorMode::RC) emu::compute::unsupported("recip_tile with a VectorMode other than RC", loc);
    emu::compute::recip_tile(idst, emu_detail::recip_approx(approximation), dest_acc == ReciprocalDestAcc::FP32,
                             "recip_tile", loc);
}

}  // namespace ckernel
