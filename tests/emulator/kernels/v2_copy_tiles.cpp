// A compute kernel written against the wheel's compute API (copy_tile / pack_tile), one tile at a time: the
// smallest program through all three TRISC threads (UNPACK, MATH, PACK) of the v2 emulator.
#include <cstdint>
#include "api/compute/common.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/tile_move_copy.h"
#include "api/compute/pack.h"
#include "api/compute/cb_api.h"
#include "api/compute/reg_api.h"

void kernel_main() {
    const uint32_t n = get_arg_val<uint32_t>(0);
    compute_kernel_hw_startup(tt::CBIndex::c_0, tt::CBIndex::c_16);
    copy_tile_init(tt::CBIndex::c_0);
    for (uint32_t i = 0; i < n; ++i) {
        cb_wait_front(tt::CBIndex::c_0, 1);
        tile_regs_acquire();
        copy_tile(tt::CBIndex::c_0, 0, 0);
        tile_regs_commit();
        tile_regs_wait();
        cb_reserve_back(tt::CBIndex::c_16, 1);
        pack_tile(0, tt::CBIndex::c_16);
        cb_push_back(tt::CBIndex::c_16, 1);
        tile_regs_release();
        cb_pop_front(tt::CBIndex::c_0, 1);
    }
}
