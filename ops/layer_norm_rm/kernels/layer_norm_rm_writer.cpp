// layer_norm_rm writer (RISCV_1 / NoC1).
//
// Compute pack-untilizes each column block of `blk` tiles into cb_out_rm as a 32-row strip of
// blk*32 elements per row; this kernel writes each strip row into its output stick at the block's
// column offset.

#include <cstdint>
#include "api/dataflow/dataflow_api.h"

constexpr uint32_t cb_out_rm = 16;

constexpr uint32_t Wt = get_compile_time_arg_val(0);
constexpr uint32_t blk = get_compile_time_arg_val(1);
constexpr uint32_t elem_bytes = get_compile_time_arg_val(2);

constexpr uint32_t block_row_bytes = blk * 32 * elem_bytes;
constexpr uint32_t stick_bytes = Wt * 32 * elem_bytes;

void kernel_main() {
    const uint32_t dst_addr = get_arg_val<uint32_t>(0);
    const uint32_t start_row = get_arg_val<uint32_t>(1);
    const uint32_t num_rows = get_arg_val<uint32_t>(2);
    if (num_rows == 0) {
        return;
    }

    constexpr auto dst_args = TensorAccessorArgs<3>();
    const auto dst = TensorAccessor(dst_args, dst_addr, stick_bytes);

    for (uint32_t row = 0; row < num_rows; ++row) {
        const uint32_t stick0 = (start_row + row) * 32;
        for (uint32_t col_tile = 0; col_tile < Wt; col_tile += blk) {
            cb_wait_front(cb_out_rm, blk);
            const uint32_t l1 = get_read_ptr(cb_out_rm);
            const uint32_t col_offset = col_tile * 32 * elem_bytes;
            for (uint32_t s = 0; s < 32; ++s) {
                noc_async_write(l1 + s * block_row_bytes, dst.get_noc_addr(stick0 + s, col_offset), block_row_bytes);
            }
            noc_async_write_barrier();
            cb_pop_front(cb_out_rm, blk);
        }
    }
}
