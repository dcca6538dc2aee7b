// Writes tiles [start_id, start_id + num_tiles) from CB c_16 to an interleaved DRAM tensor.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t dst_addr = get_arg_val<uint32_t>(0);
    const uint32_t num_tiles = get_arg_val<uint32_t>(1);
    const uint32_t start_id = get_arg_val<uint32_t>(2);

    constexpr uint32_t cb_out = get_compile_time_arg_val(0);
    constexpr auto dst_args = TensorAccessorArgs<1>();
    const uint32_t tile_bytes = get_tile_size(cb_out);
    const auto dst = TensorAccessor(dst_args, dst_addr, tile_bytes);

    for (uint32_t i = start_id; i < start_id + num_tiles; ++i) {
        cb_wait_front(cb_out, 1);
        noc_async_write_tile(i, dst, get_read_ptr(cb_out));
        noc_async_write_barrier();
        cb_pop_front(cb_out, 1);
    }
}
