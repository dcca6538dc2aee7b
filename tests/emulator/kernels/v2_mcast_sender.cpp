// Multicast handshake, sender side (written against the wheel's dataflow API): read one page from DRAM into CB 0,
// wait until every receiver has said it is ready (they increment our semaphore), multicast the page into the same
// CB slot of the receivers' rectangle, then multicast the "valid" flag behind it.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t src_addr = get_arg_val<uint32_t>(0);
    const uint32_t x_start = get_arg_val<uint32_t>(1);
    const uint32_t y_start = get_arg_val<uint32_t>(2);
    const uint32_t x_end = get_arg_val<uint32_t>(3);
    const uint32_t y_end = get_arg_val<uint32_t>(4);
    const uint32_t num_receivers = get_arg_val<uint32_t>(5);
    const uint32_t ready_sem = get_semaphore(get_compile_time_arg_val(0));
    const uint32_t valid_sem = get_semaphore(get_compile_time_arg_val(1));
    constexpr uint32_t cb = 0;
    const uint32_t page_bytes = get_local_cb_interface(cb).fifo_page_size;
    const auto src = TensorAccessor(TensorAccessorArgs<2>(), src_addr, page_bytes);

    cb_reserve_back(cb, 1);
    const uint32_t l1 = get_write_ptr(cb);
    noc_async_read_page(0, src, l1);
    noc_async_read_barrier();

    noc_semaphore_wait(reinterpret_cast<volatile tt_l1_ptr uint32_t*>(ready_sem), num_receivers);
    noc_async_write_multicast(l1, get_noc_multicast_addr(x_start, y_start, x_end, y_end, l1), page_bytes,
                              num_receivers);
    *reinterpret_cast<volatile tt_l1_ptr uint32_t*>(valid_sem) = 1;
    noc_semaphore_set_multicast(valid_sem, get_noc_multicast_addr(x_start, y_start, x_end, y_end, valid_sem),
                                num_receivers);
    noc_async_write_barrier();
}
