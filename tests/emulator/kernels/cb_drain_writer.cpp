// Drains every page the compute kernel pushes into CB `cb_out` to an interleaved DRAM buffer of `unit`-byte
// pages, in push order: runtime args [dst_addr, pages]; a CB page is `units per page` buffer pages.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    constexpr uint32_t cb_out = get_compile_time_arg_val(0);
    constexpr uint32_t unit = get_compile_time_arg_val(1);
    constexpr uint32_t units_per_page = get_compile_time_arg_val(2);
    constexpr auto dst_args = TensorAccessorArgs<3>();
    const auto dst = TensorAccessor(dst_args, get_arg_val<uint32_t>(0), unit);
    const uint32_t pages = get_arg_val<uint32_t>(1);

    uint32_t next = 0;
    for (uint32_t p = 0; p < pages; ++p) {
        cb_wait_front(cb_out, 1);
        const uint32_t l1 = get_read_ptr(cb_out);
        for (uint32_t u = 0; u < units_per_page; ++u) {
            noc_async_write_page(next++, dst, l1 + u * unit);
        }
        noc_async_write_barrier();
        cb_pop_front(cb_out, 1);
    }
}
