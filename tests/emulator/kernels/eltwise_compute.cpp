// One tile at a time: c_16 = ELTWISE_OP(c_0, c_1) for a binary op, or an SFPU chain on a copy of c_0.
// The op comes in through defines, as in tt-metal's eltwise kernels.
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/eltwise_binary.h"
#include "api/compute/tile_move_copy.h"
#include "api/compute/eltwise_unary/eltwise_unary.h"
#include "api/compute/eltwise_unary/sqrt.h"
#include "api/compute/eltwise_unary/rsqrt.h"
#include "api/compute/eltwise_unary/recip.h"

void kernel_main() {
    constexpr uint32_t per_core_tiles = get_compile_time_arg_val(0);
    constexpr uint32_t cb_in0 = tt::CBIndex::c_0;
    constexpr uint32_t cb_in1 = tt::CBIndex::c_1;
    constexpr uint32_t cb_out = tt::CBIndex::c_16;

#ifdef ELTWISE_OP
    compute_kernel_hw_startup(cb_in0, cb_in1, cb_out);
    ELTWISE_OP_INIT(cb_in0, cb_in1);
#else
    compute_kernel_hw_startup(cb_in0, cb_out);
    copy_init(cb_in0);
#endif
    for (uint32_t t = 0; t < per_core_tiles; ++t) {
        cb_reserve_back(cb_out, 1);
        tile_regs_acquire();
        cb_wait_front(cb_in0, 1);
#ifdef ELTWISE_OP
        cb_wait_front(cb_in1, 1);
        ELTWISE_OP(cb_in0, cb_in1, 0, 0, 0);
        cb_pop_front(cb_in1, 1);
#else
        copy_tile(cb_in0, 0, 0);
#ifdef SFPU_OP_CHAIN_0
        SFPU_OP_CHAIN_0
#endif
#endif
        cb_pop_front(cb_in0, 1);
        tile_regs_commit();
        tile_regs_wait();
        pack_tile(0, cb_out);
        tile_regs_release();
        cb_push_back(cb_out, 1);
    }
}
