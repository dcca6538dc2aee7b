// Test kernel with one deliberate protocol error per ERROR_CASE, each of which hangs or corrupts on hardware.
#include <cstdint>

#include "api/compute/eltwise_binary.h"
#include "api/compute/eltwise_unary/rsqrt.h"
#include "api/compute/tile_move_copy.h"

void kernel_main() {
    constexpr uint32_t a = 0, b = 1, out = 16;
#if ERROR_CASE == 1  // any call before start-up
    add_init(a, b);
#endif
    compute_kernel_hw_startup(a, b, out);
    cb_wait_front(a, 1);
    cb_wait_front(b, 1);
    cb_reserve_back(out, 1);
#if ERROR_CASE == 2  // FPU op under another op's init
    mul_init(a, b);
    tile_regs_acquire();
    add_tiles(a, b, 0, 0, 0);
#elif ERROR_CASE == 3  // DEST index past the SyncHalf 16-bit capacity
    add_init(a, b);
    tile_regs_acquire();
    add_tiles(a, b, 0, 0, 8);
#elif ERROR_CASE == 4  // math without acquire
    add_init(a, b);
    add_tiles(a, b, 0, 0, 0);
#elif ERROR_CASE == 5  // pack without wait
    add_init(a, b);
    tile_regs_acquire();
    add_tiles(a, b, 0, 0, 0);
    tile_regs_commit();
    pack_tile(0, out);
#elif ERROR_CASE == 6  // SFPU op without its init
    copy_init(a);
    tile_regs_acquire();
    copy_tile(a, 0, 0);
    rsqrt_tile(0);
#elif ERROR_CASE == 7  // unpacking an fp32 CB (b) into SrcA configured for bf16 (a) without reconfig
    copy_init(b);
    tile_regs_acquire();
    copy_tile(b, 0, 0);
#elif ERROR_CASE == 8  // acquire twice
    tile_regs_acquire();
    tile_regs_acquire();
#elif ERROR_CASE == 9  // release without wait
    tile_regs_acquire();
    tile_regs_commit();
    tile_regs_release();
#endif
}
