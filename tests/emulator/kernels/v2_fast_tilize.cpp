// fast_tilize_* through the wheel's compute API: each block of 32 row pages of CB 0 (rows Wt·32 datums wide)
// becomes Wt tiles of CB 16. Compile-time arg 0: 1 to run copy_init first, which leaves the Src zero flag set
// (exponent-0 data kept by the moves into DEST) where compute_kernel_hw_startup leaves its default (flushed).
// Compile-time arg 1: 1 to pack_tile after the blocks without fast_tilize_uninit (a misuse the emulator names).
// Runtime args: block rows on this core, Wt, and the width each fast_tilize_block names (Wt unless a test passes a
// width the init did not program).
#include <cstdint>
#include "api/compute/common.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/tile_move_copy.h"
#include "api/compute/tilize.h"
#include "api/compute/cb_api.h"
#include "api/compute/pack.h"

constexpr bool kKeepZero = get_compile_time_arg_val(0) == 1;
constexpr bool kPackBeforeUninit = get_compile_time_arg_val(1) == 1;

void kernel_main() {
    const uint32_t blocks = get_arg_val<uint32_t>(0);
    const uint32_t wt = get_arg_val<uint32_t>(1);
    const uint32_t block_wt = get_arg_val<uint32_t>(2);
    constexpr auto in = tt::CBIndex::c_0, out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(in, out);
    if constexpr (kKeepZero) copy_init(in);
    fast_tilize_init(in, wt, out);
    for (uint32_t b = 0; b < blocks; ++b) {
        cb_wait_front(in, 32);
        cb_reserve_back(out, wt);
        fast_tilize_block(in, block_wt, out);
        cb_push_back(out, wt);
        cb_pop_front(in, 32);
    }
    if constexpr (kPackBeforeUninit) {
        tile_regs_acquire();
        tile_regs_commit();
        tile_regs_wait();
        cb_reserve_back(out, 1);
        pack_tile(0, out);
    }
    fast_tilize_uninit(in, out, wt);
}
