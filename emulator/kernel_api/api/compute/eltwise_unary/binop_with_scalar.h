// Emulator shadow of api/compute/eltwise_unary/binop_with_scalar.h: DEST ⊙ scalar on the SFPU in fp32. The
// scalar arrives as fp32 bits; div_unary_tile expects the reciprocal (computed on the host). Into a 16-bit
// DEST the result is truncated to bf16 (rsub rounds to nearest-even first).
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {

enum { ADD_UNARY = 0, SUB_UNARY = 1, MUL_UNARY = 2, DIV_UNARY = 3, RSUB_UNARY = 4 };

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void add_unary_tile(uint32_t idst, uint32_t param1, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binop_scalar_tile(ADD_UNARY, idst, param1, "add_unary_tile", loc);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sub_unary_tile(uint32_t idst, uint32_t param1, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binop_scalar_tile(SUB_UNARY, idst, param1, "sub_unary_tile", loc);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void mul_unary_tile(uint32_t idst, uint32_t param1, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binop_scalar_tile(MUL_UNARY, idst, param1, "mul_unary_tile", loc);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void div_unary_tile(uint32_t idst, uint32_t param1, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binop_scalar_tile(DIV_UNARY, idst, param1, "div_unary_tile", loc);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void rsub_unary_tile(uint32_t idst, uint32_t param1, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binop_scalar_tile(RSUB_UNARY, idst, param1, "rsub_unary_tile", loc);
}
template <typename T = void>
ALWI void add_unary_tile_int32(uint32_t, uint32_t) {
    static_assert(::emu_unimplemented::type<T>, "emulator: add_unary_tile_int32 is not implemented");
}
template <typename T = void>
ALWI void sub_unary_tile_int32(uint32_t, uint32_t) {
    static_assert(::emu_unimplemented::type<T>, "emulator: sub_unary_tile_int32 is not implemented");
}

ALWI void binop_with_scalar_tile_init(const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::sfpu_init(emu::compute::SfpuInit::BinopScalar, emu::compute::approx_mode(), false,
                            "binop_with_scalar_tile_init", loc);
}

}  // namespace ckernel
