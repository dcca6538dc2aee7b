// Test kernel: tilize a row-major strip (c_0, BLOCK pages) into tiles (c_16), then pack_untilize those tiles
// back into row-major sticks (c_17).
#include <cstdint>

#include "api/compute/pack_untilize.h"
#include "api/compute/tilize.h"

#ifndef BLOCK
#define BLOCK 2
#endif

void kernel_main() {
    constexpr uint32_t cb_rows = 0, cb_tiles = 16, cb_out = 17;
    compute_kernel_hw_startup(cb_rows, cb_tiles);
    tilize_init(cb_rows, BLOCK, cb_tiles);
    cb_wait_front(cb_rows, BLOCK);
    cb_reserve_back(cb_tiles, BLOCK);
    tilize_block(cb_rows, BLOCK, cb_tiles);
    cb_push_back(cb_tiles, BLOCK);
    cb_pop_front(cb_rows, BLOCK);
    tilize_uninit(cb_rows, cb_tiles);

    pack_untilize_init<BLOCK, BLOCK>(cb_tiles, cb_out);
    cb_wait_front(cb_tiles, BLOCK);
    cb_reserve_back(cb_out, BLOCK);
    pack_untilize_block<BLOCK, BLOCK>(cb_tiles, 1, cb_out);
    cb_push_back(cb_out, BLOCK);
    pack_untilize_uninit(cb_out);
}
