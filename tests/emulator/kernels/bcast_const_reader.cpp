// Reads data tiles into c_0 and builds one broadcast-constant tile in c_1 with the tt-metal generators
// (which write only the row/column/element the matching broadcast reads).
#include "api/dataflow/dataflow_api.h"
#include "ttnn/cpp/ttnn/kernel/dataflow/generate_bcast_scalar.hpp"

void kernel_main() {
    const uint32_t src_addr = get_arg_val<uint32_t>(0);
    const uint32_t num_tiles = get_arg_val<uint32_t>(1);
    const uint32_t packed_scalar = get_arg_val<uint32_t>(2);
    constexpr uint32_t cb_in = tt::CBIndex::c_0;
    constexpr uint32_t cb_const = tt::CBIndex::c_1;
    constexpr auto src_args = TensorAccessorArgs<0>();
    const auto src = TensorAccessor(src_args, src_addr, get_tile_size(cb_in));

#if BCAST_KIND == 0
    generate_bcast_col_scalar(CircularBuffer(cb_const), packed_scalar);
#elif BCAST_KIND == 1
    generate_bcast_row_scalar(CircularBuffer(cb_const), packed_scalar);
#else
    generate_bcast_unary_scalar(CircularBuffer(cb_const), packed_scalar);
#endif
    for (uint32_t i = 0; i < num_tiles; ++i) {
        cb_reserve_back(cb_in, 1);
        noc_async_read_tile(i, src, get_write_ptr(cb_in));
        noc_async_read_barrier();
        cb_push_back(cb_in, 1);
    }
}
