// Reads tile i of A into CB 0 and tile i of B (tile 0 when B is one broadcast tile) into CB 1, through the wheel's
// Noc / DataflowBuffer / TensorAccessor API: the operands of a two-input compute kernel.
#include <cstdint>
#include "api/dataflow/dataflow_api.h"
#include "api/dataflow/noc.h"
#include "api/dataflow/dataflow_buffer.h"
#include "api/tensor/noc_traits.h"

void kernel_main() {
    const uint32_t a_addr = get_arg_val<uint32_t>(0);
    const uint32_t b_addr = get_arg_val<uint32_t>(1);
    const uint32_t num_tiles = get_arg_val<uint32_t>(2);
    const uint32_t start_id = get_arg_val<uint32_t>(3);
    const uint32_t b_one_tile = get_arg_val<uint32_t>(4);
    constexpr auto a_args = TensorAccessorArgs<0>();
    constexpr auto b_args = TensorAccessorArgs<a_args.next_compile_time_args_offset()>();
    const auto a = TensorAccessor(a_args, a_addr);
    const auto b = TensorAccessor(b_args, b_addr);
    const uint32_t a_bytes = get_local_cb_interface(0).fifo_page_size;
    const uint32_t b_bytes = get_local_cb_interface(1).fifo_page_size;
    Noc noc;
    DataflowBuffer in0(0), in1(1);
    for (uint32_t i = start_id; i < start_id + num_tiles; ++i) {
        in0.reserve_back(1);
        noc.async_read(a, in0, a_bytes, {.page_id = i}, {.offset_bytes = 0});
        in1.reserve_back(1);
        noc.async_read(b, in1, b_bytes, {.page_id = b_one_tile ? 0 : i}, {.offset_bytes = 0});
        noc.async_read_barrier();
        in0.push_back(1);
        in1.push_back(1);
    }
}
