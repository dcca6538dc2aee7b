// binary_dest_reuse through the wheel's compute API: tile i of CB 0 is copied into DEST, then combined with tile i
// of CB 1 by {add,sub,mul}_reuse_dest_tiles, DEST supplying SrcA (compile-time arg 1 = 1, DEST_TO_SRCA) or SrcB
// (2, DEST_TO_SRCB). Compile-time arg 0: the op (0 add, 1 sub, 2 mul). Runtime arg 0: tiles on this core.
#include <cstdint>
#include "api/compute/common.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/eltwise_binary.h"
#include "api/compute/tile_move_copy.h"
#include "api/compute/pack.h"
#include "api/compute/cb_api.h"
#include "api/compute/reg_api.h"

constexpr uint32_t kOp = get_compile_time_arg_val(0);
constexpr auto kReuse = EltwiseBinaryReuseDestType(get_compile_time_arg_val(1));

void kernel_main() {
    const uint32_t n = get_arg_val<uint32_t>(0);
    constexpr auto in0 = tt::CBIndex::c_0, in1 = tt::CBIndex::c_1, out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(in0, in1, out);
    for (uint32_t i = 0; i < n; ++i) {
        cb_wait_front(in0, 1);
        cb_wait_front(in1, 1);
        tile_regs_acquire();
        copy_init(in0);
        copy_tile(in0, 0, 0);
        if constexpr (kOp == 0) {
            add_reuse_dest_init<kReuse>(in1);
            add_reuse_dest_tiles<kReuse>(in1, 0, 0);
        } else if constexpr (kOp == 1) {
            sub_reuse_dest_init<kReuse>(in1);
            sub_reuse_dest_tiles<kReuse>(in1, 0, 0);
        } else {
            mul_reuse_dest_init<kReuse>(in1);
            mul_reuse_dest_tiles<kReuse>(in1, 0, 0);
        }
        tile_regs_commit();
        tile_regs_wait();
        cb_reserve_back(out, 1);
        pack_tile(0, out);
        cb_push_back(out, 1);
        tile_regs_release();
        cb_pop_front(in0, 1);
        cb_pop_front(in1, 1);
    }
}
