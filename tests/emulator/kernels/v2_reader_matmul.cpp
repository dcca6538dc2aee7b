// Reads the operands of a blocked matmul C = A · B: for each block row of rt tile rows of A, its rt·Kt tiles
// (row-major, [r][k]) into CB 0, then all Kt·Nt tiles of B (row-major, [k][n]) into CB 1.
// Runtime args: A and B addresses, block rows on this core, first block row, rt, Kt, Nt.
#include <cstdint>
#include "api/dataflow/dataflow_api.h"
#include "api/dataflow/noc.h"
#include "api/dataflow/dataflow_buffer.h"
#include "api/tensor/noc_traits.h"

void kernel_main() {
    const uint32_t a_addr = get_arg_val<uint32_t>(0);
    const uint32_t b_addr = get_arg_val<uint32_t>(1);
    const uint32_t blocks = get_arg_val<uint32_t>(2);
    const uint32_t first = get_arg_val<uint32_t>(3);
    const uint32_t rt = get_arg_val<uint32_t>(4);
    const uint32_t kt = get_arg_val<uint32_t>(5);
    const uint32_t nt = get_arg_val<uint32_t>(6);
    constexpr auto a_args = TensorAccessorArgs<0>();
    constexpr auto b_args = TensorAccessorArgs<a_args.next_compile_time_args_offset()>();
    const auto a = TensorAccessor(a_args, a_addr);
    const auto b = TensorAccessor(b_args, b_addr);
    const uint32_t a_bytes = get_local_cb_interface(0).fifo_page_size;
    const uint32_t b_bytes = get_local_cb_interface(1).fifo_page_size;
    Noc noc;
    DataflowBuffer in0(0), in1(1);
    for (uint32_t blk = first; blk < first + blocks; ++blk) {
        in0.reserve_back(rt * kt);
        for (uint32_t i = 0; i < rt * kt; ++i)
            noc.async_read(a, in0, a_bytes, {.page_id = blk * rt * kt + i}, {.offset_bytes = i * a_bytes});
        in1.reserve_back(kt * nt);
        for (uint32_t i = 0; i < kt * nt; ++i)
            noc.async_read(b, in1, b_bytes, {.page_id = i}, {.offset_bytes = i * b_bytes});
        noc.async_read_barrier();
        in0.push_back(rt * kt);
        in1.push_back(kt * nt);
    }
}
