// Compute kernel of the end-to-end tests, one small op per OP (CT arg 0), in the style of tt-metal's norm
// kernels. CT args: [op, variant, Wt, Ht].
//   op 0  reduce:  CB 0 (Ht×Wt tiles) through the scaler CB 2 → CB 16 (Ht tiles); variant 0 ROW, 1 COL, 2 SCALAR
//   op 1  bcast:   CB 0 ⊙ CB 1 → CB 16 per tile; variant 0 sub COL, 1 mul ROW, 2 add SCALAR (B: one tile per row)
//   op 2  layout:  CB 0 row-major → tilize → CB 24 → pack_untilize → CB 16 row-major, Ht blocks of Wt tiles
//   op 3  sfpu:    CB 0 → copy → sqrt (variant 0) / rsqrt (1) / recip (2) → CB 16
#include <cstdint>

#include "api/compute/bcast.h"
#include "api/compute/eltwise_unary/recip.h"
#include "api/compute/eltwise_unary/rsqrt.h"
#include "api/compute/eltwise_unary/sqrt.h"
#include "api/compute/pack_untilize.h"
#include "api/compute/reduce.h"
#include "api/compute/tile_move_copy.h"
#include "api/compute/tilize.h"

constexpr uint32_t op = get_compile_time_arg_val(0);
constexpr uint32_t variant = get_compile_time_arg_val(1);
constexpr uint32_t Wt = get_compile_time_arg_val(2);
constexpr uint32_t Ht = get_compile_time_arg_val(3);
constexpr uint32_t cb_a = 0, cb_b = 1, cb_scaler = 2, cb_out = 16, cb_tiled = 24;

template <ReduceDim dim>
void reduce_rows() {
    reconfig_data_format(cb_scaler, cb_a);
    reduce_init<PoolType::SUM, dim>(cb_a, cb_scaler, cb_out);
    cb_wait_front(cb_scaler, 1);
    for (uint32_t h = 0; h < Ht; ++h) {
        tile_regs_acquire();
        for (uint32_t w = 0; w < Wt; ++w) {
            cb_wait_front(cb_a, 1);
            reduce_tile<PoolType::SUM, dim>(cb_a, cb_scaler, 0, 0, 0);
            cb_pop_front(cb_a, 1);
        }
        tile_regs_commit();
        tile_regs_wait();
        cb_reserve_back(cb_out, 1);
        pack_tile(0, cb_out);
        cb_push_back(cb_out, 1);
        tile_regs_release();
    }
    reduce_uninit();
}

template <EltwiseBinaryType type, BroadcastType dim>
void bcast_rows() {
    bcast_init<type, dim>(cb_a, cb_b);
    for (uint32_t h = 0; h < Ht; ++h) {
        cb_wait_front(cb_b, 1);
        for (uint32_t w = 0; w < Wt; ++w) {
            cb_wait_front(cb_a, 1);
            tile_regs_acquire();
            any_tiles_bcast<type, dim>(cb_a, cb_b, 0, 0, 0);
            tile_regs_commit();
            tile_regs_wait();
            cb_reserve_back(cb_out, 1);
            pack_tile(0, cb_out);
            cb_push_back(cb_out, 1);
            tile_regs_release();
            cb_pop_front(cb_a, 1);
        }
        cb_pop_front(cb_b, 1);
    }
}

void kernel_main() {
    if constexpr (op == 0) {
        compute_kernel_hw_startup(cb_scaler, cb_a, cb_out);
        if constexpr (variant == 0) reduce_rows<ReduceDim::REDUCE_ROW>();
        else if constexpr (variant == 1) reduce_rows<ReduceDim::REDUCE_COL>();
        else reduce_rows<ReduceDim::REDUCE_SCALAR>();
    } else if constexpr (op == 1) {
        compute_kernel_hw_startup(cb_a, cb_b, cb_out);
        if constexpr (variant == 0) bcast_rows<EltwiseBinaryType::ELWSUB, BroadcastType::COL>();
        else if constexpr (variant == 1) bcast_rows<EltwiseBinaryType::ELWMUL, BroadcastType::ROW>();
        else bcast_rows<EltwiseBinaryType::ELWADD, BroadcastType::SCALAR>();
    } else if constexpr (op == 2) {
        compute_kernel_hw_startup(cb_a, cb_tiled);
        for (uint32_t h = 0; h < Ht; ++h) {
            tilize_init(cb_a, Wt, cb_tiled);
            cb_wait_front(cb_a, Wt);
            cb_reserve_back(cb_tiled, Wt);
            tilize_block(cb_a, Wt, cb_tiled);
            cb_push_back(cb_tiled, Wt);
            cb_pop_front(cb_a, Wt);
            tilize_uninit(cb_a, cb_tiled);

            reconfig_data_format_srca(cb_tiled);
            pack_reconfig_data_format(cb_out);
            pack_untilize_init<Wt, Wt>(cb_tiled, cb_out);
            cb_wait_front(cb_tiled, Wt);
            cb_reserve_back(cb_out, Wt);
            pack_untilize_block<Wt, Wt>(cb_tiled, 1, cb_out);
            cb_push_back(cb_out, Wt);
            cb_pop_front(cb_tiled, Wt);
            pack_untilize_uninit(cb_out);
            reconfig_data_format_srca(cb_a);
            pack_reconfig_data_format(cb_tiled);
        }
    } else {
        compute_kernel_hw_startup(cb_a, cb_out);
        copy_init(cb_a);
        if constexpr (variant == 0) sqrt_tile_init();
        else if constexpr (variant == 1) rsqrt_tile_init();
        else recip_tile_init();
        for (uint32_t t = 0; t < Ht * Wt; ++t) {
            cb_wait_front(cb_a, 1);
            tile_regs_acquire();
            copy_tile(cb_a, 0, 0);
            if constexpr (variant == 0) sqrt_tile(0);
            else if constexpr (variant == 1) rsqrt_tile(0);
            else recip_tile(0);
            tile_regs_commit();
            tile_regs_wait();
            cb_reserve_back(cb_out, 1);
            pack_tile(0, cb_out);
            cb_push_back(cb_out, 1);
            tile_regs_release();
            cb_pop_front(cb_a, 1);
        }
    }
}
