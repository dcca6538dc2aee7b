// Fills input CBs from one interleaved DRAM buffer of `unit`-byte pages, CB after CB: runtime args
// [src_addr, n_cbs, then per CB: cb, pages, units per page, first unit]. Each CB is sized for all its pages,
// so every CB is full before the next one starts and the compute kernel can consume them in any order.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    constexpr uint32_t unit = get_compile_time_arg_val(0);
    constexpr auto src_args = TensorAccessorArgs<1>();
    const auto src = TensorAccessor(src_args, get_arg_val<uint32_t>(0), unit);
    const uint32_t n_cbs = get_arg_val<uint32_t>(1);

    for (uint32_t c = 0; c < n_cbs; ++c) {
        const uint32_t cb = get_arg_val<uint32_t>(2 + 4 * c);
        const uint32_t pages = get_arg_val<uint32_t>(3 + 4 * c);
        const uint32_t units_per_page = get_arg_val<uint32_t>(4 + 4 * c);
        uint32_t next = get_arg_val<uint32_t>(5 + 4 * c);
        for (uint32_t p = 0; p < pages; ++p) {
            cb_reserve_back(cb, 1);
            const uint32_t l1 = get_write_ptr(cb);
            for (uint32_t u = 0; u < units_per_page; ++u) {
                noc_async_read_page(next++, src, l1 + u * unit);
            }
            noc_async_read_barrier();
            cb_push_back(cb, 1);
        }
    }
}
