// Reader for the compute end-to-end tests. CT args: [rows_mode, n_inputs, stick_bytes, accessor args of each
// input...]. RT args: [addr_i, n_i] per input. Tile mode: input i's n_i tiles go to CB i one page at a time.
// Rows mode (one input): n_0 blocks of 32 sticks, each block filling Wt = stick_bytes/64 (bf16) tile-sized pages
// of CB 0 as a row-major strip, ready for tilize_block.
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    constexpr uint32_t rows_mode = get_compile_time_arg_val(0);
    constexpr uint32_t n_inputs = get_compile_time_arg_val(1);
    constexpr uint32_t stick_bytes = get_compile_time_arg_val(2);
    constexpr auto a0 = TensorAccessorArgs<3>();
    constexpr auto a1 = TensorAccessorArgs<a0.next_compile_time_args_offset()>();
    constexpr auto a2 = TensorAccessorArgs<a1.next_compile_time_args_offset()>();

    if constexpr (rows_mode) {
        const uint32_t addr = get_arg_val<uint32_t>(0);
        const uint32_t blocks = get_arg_val<uint32_t>(1);
        const auto s = TensorAccessor(a0, addr, stick_bytes);
        const uint32_t pages = stick_bytes * 32 / get_tile_size(0);
        for (uint32_t b = 0; b < blocks; ++b) {
            cb_reserve_back(0, pages);
            const uint32_t l1 = get_write_ptr(0);
            for (uint32_t r = 0; r < 32; ++r) noc_async_read_page(b * 32 + r, s, l1 + r * stick_bytes);
            noc_async_read_barrier();
            cb_push_back(0, pages);
        }
        return;
    }

    for (uint32_t i = 0; i < n_inputs; ++i) {
        const uint32_t addr = get_arg_val<uint32_t>(2 * i);
        const uint32_t n = get_arg_val<uint32_t>(2 * i + 1);
        const uint32_t tile_bytes = get_tile_size(i);
        for (uint32_t t = 0; t < n; ++t) {
            cb_reserve_back(i, 1);
            const uint32_t l1 = get_write_ptr(i);
            if (i == 0) noc_async_read_page(t, TensorAccessor(a0, addr, tile_bytes), l1);
            else if (i == 1) noc_async_read_page(t, TensorAccessor(a1, addr, tile_bytes), l1);
            else noc_async_read_page(t, TensorAccessor(a2, addr, tile_bytes), l1);
            noc_async_read_barrier();
            cb_push_back(i, 1);
        }
    }
}
