// Test kernel in the style of tt-metal's norm compute kernels: x (c_0, Wt tiles) times a column broadcast
// (c_1), the row sum of that through the scaler (c_2), then sqrt of the sum; writes the product tiles to
// c_16 and the sqrt tile to c_17.
#include <cstdint>

#include "api/compute/bcast.h"
#include "api/compute/eltwise_unary/sqrt.h"
#include "api/compute/reduce.h"
#include "api/compute/tile_move_copy.h"

#ifndef WT
#define WT 2
#endif

void kernel_main() {
    constexpr uint32_t cb_x = 0, cb_col = 1, cb_scaler = 2, cb_prod = 16, cb_out = 17;
    compute_kernel_hw_startup(cb_x, cb_col, cb_prod);
    cb_wait_front(cb_x, WT);
    cb_wait_front(cb_col, 1);
    cb_wait_front(cb_scaler, 1);

    mul_bcast_cols_init(cb_x, cb_col);
    cb_reserve_back(cb_prod, WT);
    for (uint32_t t = 0; t < WT; ++t) {
        tile_regs_acquire();
        mul_tiles_bcast_cols(cb_x, cb_col, t, 0, 0);
        tile_regs_commit();
        tile_regs_wait();
        pack_tile(0, cb_prod);
        tile_regs_release();
    }
    cb_push_back(cb_prod, WT);

    cb_wait_front(cb_prod, WT);
    reconfig_data_format(cb_scaler, cb_prod);
    reduce_init<PoolType::SUM, ReduceDim::REDUCE_ROW>(cb_prod, cb_scaler, cb_out);
    tile_regs_acquire();
    for (uint32_t t = 0; t < WT; ++t) reduce_tile<PoolType::SUM, ReduceDim::REDUCE_ROW>(cb_prod, cb_scaler, t, 0, 0);
#ifndef SKIP_SQRT
    sqrt_tile_init();
    sqrt_tile(0);
#endif
    tile_regs_commit();
    tile_regs_wait();
    pack_reconfig_data_format(cb_out);
    cb_reserve_back(cb_out, 1);
    pack_tile(0, cb_out);
    cb_push_back(cb_out, 1);
    tile_regs_release();
#ifndef SKIP_UNINIT
    reduce_uninit();
#endif
#ifdef PACK_AFTER_REDUCE
    copy_init(cb_x);
    tile_regs_acquire();
    copy_tile(cb_x, 0, 0);
    tile_regs_commit();
    tile_regs_wait();
    pack_reconfig_data_format(cb_prod);
    cb_pop_front(cb_prod, WT);
    cb_reserve_back(cb_prod, 1);
    pack_tile(0, cb_prod);
    tile_regs_release();
#endif
}
