// c_16 = c_0 * broadcast(c_1), the constant tile waited for once and never popped until the end.
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/bcast.h"

void kernel_main() {
    constexpr uint32_t num_tiles = get_compile_time_arg_val(0);
    constexpr uint32_t cb_in = tt::CBIndex::c_0, cb_const = tt::CBIndex::c_1, cb_out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(cb_in, cb_const, cb_out);
    BCAST_INIT(cb_in, cb_const);
    cb_wait_front(cb_const, 1);
    for (uint32_t t = 0; t < num_tiles; ++t) {
        cb_wait_front(cb_in, 1);
        cb_reserve_back(cb_out, 1);
        tile_regs_acquire();
        BCAST_OP(cb_in, cb_const, 0, 0, 0);
        tile_regs_commit();
        tile_regs_wait();
        pack_tile(0, cb_out);
        tile_regs_release();
        cb_push_back(cb_out, 1);
        cb_pop_front(cb_in, 1);
    }
    cb_pop_front(cb_const, 1);
}
