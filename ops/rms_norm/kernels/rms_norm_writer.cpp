// rms_norm writer (RISCV_1 / NoC1).
//
// ROW_MAJOR output: compute pack-untilizes each column block of `blk` tiles into cb_out as a 32-row
// strip; each strip row goes into its output stick at the block's column offset.
// TILE output: cb_out holds finished tiles, written to their tile pages.

#include <cstdint>
#include "api/dataflow/dataflow_api.h"

constexpr uint32_t cb_out = 16;

constexpr uint32_t Wt = get_compile_time_arg_val(0);
constexpr uint32_t blk = get_compile_time_arg_val(1);
constexpr bool tile_layout = get_compile_time_arg_val(2) == 1;
constexpr uint32_t elem_bytes = get_compile_time_arg_val(3);

constexpr uint32_t tile_bytes = 32 * 32 * elem_bytes;
constexpr uint32_t block_row_bytes = blk * 32 * elem_bytes;
constexpr uint32_t stick_bytes = Wt * 32 * elem_bytes;
constexpr uint32_t dst_page_bytes = tile_layout ? tile_bytes : stick_bytes;

void kernel_main() {
    const uint32_t dst_addr = get_arg_val<uint32_t>(0);
    const uint32_t start_row = get_arg_val<uint32_t>(1);
    const uint32_t num_rows = get_arg_val<uint32_t>(2);
    if (num_rows == 0) {
        return;
    }

    constexpr auto dst_args = TensorAccessorArgs<4>();
    const auto dst = TensorAccessor(dst_args, dst_addr, dst_page_bytes);

    for (uint32_t row = 0; row < num_rows; ++row) {
        const uint32_t tile_row = start_row + row;
        for (uint32_t col_tile = 0; col_tile < Wt; col_tile += blk) {
            cb_wait_front(cb_out, blk);
            const uint32_t l1 = get_read_ptr(cb_out);
            if constexpr (tile_layout) {
                for (uint32_t t = 0; t < blk; ++t) {
                    noc_async_write(l1 + t * tile_bytes, dst.get_noc_addr(tile_row * Wt + col_tile + t), tile_bytes);
                }
            } else {
                const uint32_t col_offset = col_tile * 32 * elem_bytes;
                for (uint32_t s = 0; s < 32; ++s) {
                    noc_async_write(
                        l1 + s * block_row_bytes, dst.get_noc_addr(tile_row * 32 + s, col_offset), block_row_bytes);
                }
            }
            noc_async_write_barrier();
            cb_pop_front(cb_out, blk);
        }
    }
}
