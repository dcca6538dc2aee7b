// Reads tiles [start_id, start_id + num_tiles) of NUM_INPUTS interleaved DRAM tensors into CBs c_0, c_1.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    const uint32_t src0_addr = get_arg_val<uint32_t>(0);
    const uint32_t src1_addr = get_arg_val<uint32_t>(1);
    const uint32_t num_tiles = get_arg_val<uint32_t>(2);
    const uint32_t start_id = get_arg_val<uint32_t>(3);

    constexpr uint32_t cb_in0 = tt::CBIndex::c_0;
    constexpr uint32_t cb_in1 = tt::CBIndex::c_1;
    constexpr auto src0_args = TensorAccessorArgs<0>();
    constexpr auto src1_args = TensorAccessorArgs<src0_args.next_compile_time_args_offset()>();
    const uint32_t tile_bytes = get_tile_size(cb_in0);
    const auto src0 = TensorAccessor(src0_args, src0_addr, tile_bytes);
    const auto src1 = TensorAccessor(src1_args, src1_addr, tile_bytes);

    for (uint32_t i = start_id; i < start_id + num_tiles; ++i) {
        cb_reserve_back(cb_in0, 1);
        noc_async_read_tile(i, src0, get_write_ptr(cb_in0));
#if NUM_INPUTS == 2
        cb_reserve_back(cb_in1, 1);
        noc_async_read_tile(i, src1, get_write_ptr(cb_in1));
#endif
        noc_async_read_barrier();
        cb_push_back(cb_in0, 1);
#if NUM_INPUTS == 2
        cb_push_back(cb_in1, 1);
#endif
    }
}
