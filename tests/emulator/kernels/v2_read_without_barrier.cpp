// Reads a page into CB 0 and returns without noc_async_read_barrier(): on silicon the program can end before the
// data lands (the watcher flags outstanding NoC transactions).
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t src_addr = get_arg_val<uint32_t>(0);
    const uint32_t page_bytes = get_local_cb_interface(0).fifo_page_size;
    const auto src = TensorAccessor(TensorAccessorArgs<0>(), src_addr, page_bytes);
    cb_reserve_back(0, 1);
    noc_async_read_page(0, src, get_write_ptr(0));
}
