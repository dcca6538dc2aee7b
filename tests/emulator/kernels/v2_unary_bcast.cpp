// unary_bcast through the wheel's compute API, tile by tile from CB 0 to CB 16: each DEST tile is the tile's column 0
// (compile-time arg 0 = 1, COL), row 0 (2, ROW) or first datum (3, SCALAR) broadcast. Runtime arg 0: tiles.
#include <cstdint>
#include "api/compute/common.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/bcast.h"
#include "api/compute/pack.h"
#include "api/compute/cb_api.h"
#include "api/compute/reg_api.h"

constexpr BroadcastType kDim = BroadcastType(get_compile_time_arg_val(0));

void kernel_main() {
    const uint32_t n = get_arg_val<uint32_t>(0);
    constexpr auto in = tt::CBIndex::c_0, out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(in, out);
    unary_bcast_init<kDim>(in);
    for (uint32_t i = 0; i < n; ++i) {
        cb_wait_front(in, 1);
        tile_regs_acquire();
        unary_bcast<kDim>(in, 0, 0);
        tile_regs_commit();
        tile_regs_wait();
        cb_reserve_back(out, 1);
        pack_tile(0, out);
        cb_push_back(out, 1);
        tile_regs_release();
        cb_pop_front(in, 1);
    }
    unary_bcast_uninit<kDim>(in);
}
