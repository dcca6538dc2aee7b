// transpose_wh_tile through the wheel's compute API, tile by tile from CB 0 to CB 16. Runtime arg 0: tiles.
#include <cstdint>
#include "api/compute/common.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/transpose.h"
#include "api/compute/pack.h"
#include "api/compute/cb_api.h"
#include "api/compute/reg_api.h"

void kernel_main() {
    const uint32_t n = get_arg_val<uint32_t>(0);
    constexpr auto in = tt::CBIndex::c_0, out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(in, out);
    transpose_init(in);
    for (uint32_t i = 0; i < n; ++i) {
        cb_wait_front(in, 1);
        tile_regs_acquire();
        transpose_tile(in, 0, 0);
        tile_regs_commit();
        tile_regs_wait();
        cb_reserve_back(out, 1);
        pack_tile(0, out);
        cb_push_back(out, 1);
        tile_regs_release();
        cb_pop_front(in, 1);
    }
}
