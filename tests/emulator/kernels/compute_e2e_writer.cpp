// Writer for the compute end-to-end tests: CB 16 → DRAM. CT args: [rows_mode, stick_bytes, accessor args].
// RT args: [addr, n]: n tiles (tile mode) or n blocks of 32 sticks (rows mode, from pack_untilize).
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    constexpr uint32_t rows_mode = get_compile_time_arg_val(0);
    constexpr uint32_t stick_bytes = get_compile_time_arg_val(1);
    constexpr auto args = TensorAccessorArgs<2>();
    constexpr uint32_t cb = 16;
    const uint32_t addr = get_arg_val<uint32_t>(0);
    const uint32_t n = get_arg_val<uint32_t>(1);
    if constexpr (rows_mode) {
        const auto s = TensorAccessor(args, addr, stick_bytes);
        const uint32_t pages = stick_bytes * 32 / get_tile_size(cb);
        for (uint32_t b = 0; b < n; ++b) {
            cb_wait_front(cb, pages);
            const uint32_t l1 = get_read_ptr(cb);
            for (uint32_t r = 0; r < 32; ++r) noc_async_write_page(b * 32 + r, s, l1 + r * stick_bytes);
            noc_async_write_barrier();
            cb_pop_front(cb, pages);
        }
        return;
    }
    const auto s = TensorAccessor(args, addr, get_tile_size(cb));
    for (uint32_t t = 0; t < n; ++t) {
        cb_wait_front(cb, 1);
        noc_async_write_page(t, s, get_read_ptr(cb));
        noc_async_write_barrier();
        cb_pop_front(cb, 1);
    }
}
