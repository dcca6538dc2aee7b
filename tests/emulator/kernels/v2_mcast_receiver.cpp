// Multicast handshake, receiver side: tell the sender this core is ready (a NoC atomic increment of its
// semaphore), wait for the valid flag the sender multicasts after the data, then write the received page to DRAM.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t dst_addr = get_arg_val<uint32_t>(0);
    const uint32_t sender_x = get_arg_val<uint32_t>(1);
    const uint32_t sender_y = get_arg_val<uint32_t>(2);
    const uint32_t page = get_arg_val<uint32_t>(3);
    const uint32_t ready_sem = get_semaphore(get_compile_time_arg_val(0));
    const uint32_t valid_sem = get_semaphore(get_compile_time_arg_val(1));
    constexpr uint32_t cb = 0;
    const uint32_t page_bytes = get_local_cb_interface(cb).fifo_page_size;
    const auto dst = TensorAccessor(TensorAccessorArgs<2>(), dst_addr, page_bytes);

    cb_reserve_back(cb, 1);
    const uint32_t l1 = get_write_ptr(cb);
    noc_semaphore_inc(get_noc_addr(sender_x, sender_y, ready_sem), 1);
    noc_semaphore_wait(reinterpret_cast<volatile tt_l1_ptr uint32_t*>(valid_sem), 1);
    noc_async_write_page(page, dst, l1);
    noc_async_write_barrier();
    noc_async_atomic_barrier();
}
