// Emulator shadow of api/compute/bcast.h: element-wise ops with operand B (SrcB) broadcast:
// COL: C[h, w] = A[h, w] op B[h, 0]; ROW: C[h, w] = A[h, w] op B[r, w] (r = bcast_row_idx, default 0);
// SCALAR: C = A op B[0, 0]. Each op needs the init of the same op type and broadcast kind.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {

template <BroadcastType bcast_type, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void unary_bcast_init(uint32_t icb, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::unary_bcast_init(emu_detail::bcast(bcast_type), icb, "unary_bcast_init", loc);
}

template <BroadcastType bcast_type, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void unary_bcast(uint32_t icb, uint32_t in_tile_index, uint32_t dst_tile_index,
                      const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::unary_bcast(emu_detail::bcast(bcast_type), icb, in_tile_index, dst_tile_index, "unary_bcast", loc);
}

template <BroadcastType bcast_type>
ALWI void unary_bcast_uninit(uint32_t icb, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::unary_bcast_uninit(emu_detail::bcast(bcast_type), icb, "unary_bcast_uninit", loc);
}

template <EltwiseBinaryType tBcastOp, BroadcastType tBcastDim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void any_tiles_bcast(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst,
                          uint32_t bcast_row_idx = 0, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu_detail::binop<tBcastOp>(), emu_detail::bcast(tBcastDim), icb0, icb1, itile0,
                               itile1, idst, bcast_row_idx, "any_tiles_bcast", loc);
}

template <BroadcastType tBcastDim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void add_tiles_bcast(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst,
                          uint32_t bcast_row_idx = 0, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu::compute::BinaryOp::Add, emu_detail::bcast(tBcastDim), icb0, icb1, itile0,
                               itile1, idst, bcast_row_idx, "add_tiles_bcast", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void add_tiles_bcast_cols(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst,
                         const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu::compute::BinaryOp::Add, emu::compute::Bcast::Col, icb0, icb1, itile0, itile1,
                               idst, 0, "add_tiles_bcast_cols", loc);
}

ALWI void add_bcast_cols_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = __builtin_LINE(),
                         const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::binary_init(emu::compute::BinaryOp::Add, emu::compute::Bcast::Col, icb0, icb1, false,
                              "add_bcast_cols_init", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void add_tiles_bcast_rows(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst, uint32_t bcast_row_idx = 0,
                         const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu::compute::BinaryOp::Add, emu::compute::Bcast::Row, icb0, icb1, itile0, itile1,
                               idst, bcast_row_idx, "add_tiles_bcast_rows", loc);
}

ALWI void add_bcast_rows_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = __builtin_LINE(),
                         const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::binary_init(emu::compute::BinaryOp::Add, emu::compute::Bcast::Row, icb0, icb1, false,
                              "add_bcast_rows_init", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void add_tiles_bcast_scalar(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst,
                         const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu::compute::BinaryOp::Add, emu::compute::Bcast::Scalar, icb0, icb1, itile0, itile1,
                               idst, 0, "add_tiles_bcast_scalar", loc);
}

ALWI void add_bcast_scalar_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = __builtin_LINE(),
                         const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::binary_init(emu::compute::BinaryOp::Add, emu::compute::Bcast::Scalar, icb0, icb1, false,
                              "add_bcast_scalar_init", loc);
}

template <BroadcastType tBcastDim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sub_tiles_bcast(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst,
                          uint32_t bcast_row_idx = 0, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu::compute::BinaryOp::Sub, emu_detail::bcast(tBcastDim), icb0, icb1, itile0,
                               itile1, idst, bcast_row_idx, "sub_tiles_bcast", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sub_tiles_bcast_cols(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst,
                         const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu::compute::BinaryOp::Sub, emu::compute::Bcast::Col, icb0, icb1, itile0, itile1,
                               idst, 0, "sub_tiles_bcast_cols", loc);
}

ALWI void sub_bcast_cols_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = __builtin_LINE(),
                         const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::binary_init(emu::compute::BinaryOp::Sub, emu::compute::Bcast::Col, icb0, icb1, false,
                              "sub_bcast_cols_init", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sub_tiles_bcast_rows(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst, uint32_t bcast_row_idx = 0,
                         const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu::compute::BinaryOp::Sub, emu::compute::Bcast::Row, icb0, icb1, itile0, itile1,
                               idst, bcast_row_idx, "sub_tiles_bcast_rows", loc);
}

ALWI void sub_bcast_rows_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = __builtin_LINE(),
                         const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::binary_init(emu::compute::BinaryOp::Sub, emu::compute::Bcast::Row, icb0, icb1, false,
                              "sub_bcast_rows_init", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sub_tiles_bcast_scalar(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst,
                         const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu::compute::BinaryOp::Sub, emu::compute::Bcast::Scalar, icb0, icb1, itile0, itile1,
                               idst, 0, "sub_tiles_bcast_scalar", loc);
}

ALWI void sub_bcast_scalar_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = __builtin_LINE(),
                         const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::binary_init(emu::compute::BinaryOp::Sub, emu::compute::Bcast::Scalar, icb0, icb1, false,
                              "sub_bcast_scalar_init", loc);
}

template <BroadcastType tBcastDim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void mul_tiles_bcast(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst,
                          uint32_t bcast_row_idx = 0, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu::compute::BinaryOp::Mul, emu_detail::bcast(tBcastDim), icb0, icb1, itile0,
                               itile1, idst, bcast_row_idx, "mul_tiles_bcast", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void mul_tiles_bcast_cols(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst,
                         const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu::compute::BinaryOp::Mul, emu::compute::Bcast::Col, icb0, icb1, itile0, itile1,
                               idst, 0, "mul_tiles_bcast_cols", loc);
}

ALWI void mul_bcast_cols_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = __builtin_LINE(),
                         const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::binary_init(emu::compute::BinaryOp::Mul, emu::compute::Bcast::Col, icb0, icb1, false,
                              "mul_bcast_cols_init", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void mul_tiles_bcast_rows(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst, uint32_t bcast_row_idx = 0,
                         const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu::compute::BinaryOp::Mul, emu::compute::Bcast::Row, icb0, icb1, itile0, itile1,
                               idst, bcast_row_idx, "mul_tiles_bcast_rows", loc);
}

ALWI void mul_bcast_rows_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = __builtin_LINE(),
                         const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::binary_init(emu::compute::BinaryOp::Mul, emu::compute::Bcast::Row, icb0, icb1, false,
                              "mul_bcast_rows_init", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void mul_tiles_bcast_scalar(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst,
                         const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu::compute::BinaryOp::Mul, emu::compute::Bcast::Scalar, icb0, icb1, itile0, itile1,
                               idst, 0, "mul_tiles_bcast_scalar", loc);
}

ALWI void mul_bcast_scalar_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = __builtin_LINE(),
                         const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::binary_init(emu::compute::BinaryOp::Mul, emu::compute::Bcast::Scalar, icb0, icb1, false,
                              "mul_bcast_scalar_init", loc);
}

template <EltwiseBinaryType tBcastOp, BroadcastType tBcastDim>
ALWI void bcast_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = __builtin_LINE(),
                     const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::binary_init(emu_detail::binop<tBcastOp>(), emu_detail::bcast(tBcastDim), icb0, icb1, false,
                              "bcast_init", loc);
}

}  // namespace ckernel
