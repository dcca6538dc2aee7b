// Element-wise binary op of CB 0 and CB 1 into CB 16, one tile at a time, through the wheel's compute API:
// compile-time args pick the op (0 add, 1 sub, 2 mul) and the broadcast of B (0 none, 1 col, 2 row, 3 scalar),
// arg 2 the row a ROW broadcast reads, arg 3 (1) leaves the op's init out. Runtime arg 0: tiles on this core.
#include <cstdint>
#include "api/compute/common.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/eltwise_binary.h"
#include "api/compute/bcast.h"
#include "api/compute/pack.h"
#include "api/compute/cb_api.h"
#include "api/compute/reg_api.h"

constexpr uint32_t kOp = get_compile_time_arg_val(0);
constexpr uint32_t kBcast = get_compile_time_arg_val(1);
constexpr uint32_t kRow = get_compile_time_arg_val(2);
constexpr bool kSkipInit = get_compile_time_arg_val(3) == 1;
constexpr EltwiseBinaryType kType = kOp == 0 ? EltwiseBinaryType::ELWADD
                                    : kOp == 1 ? EltwiseBinaryType::ELWSUB
                                               : EltwiseBinaryType::ELWMUL;
constexpr BroadcastType kDim = BroadcastType(kBcast);

void kernel_main() {
    const uint32_t n = get_arg_val<uint32_t>(0);
    constexpr auto in0 = tt::CBIndex::c_0, in1 = tt::CBIndex::c_1, out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(in0, in1, out);
    if constexpr (kSkipInit) {
    } else if constexpr (kDim == BroadcastType::NONE) {
        if constexpr (kOp == 0) add_init(in0, in1);
        else if constexpr (kOp == 1) sub_init(in0, in1);
        else mul_init(in0, in1);
    } else {
        bcast_init<kType, kDim>(in0, in1);
    }
    for (uint32_t i = 0; i < n; ++i) {
        cb_wait_front(in0, 1);
        cb_wait_front(in1, 1);
        tile_regs_acquire();
        if constexpr (kDim == BroadcastType::NONE) {
            if constexpr (kOp == 0) add_tiles(in0, in1, 0, 0, 0);
            else if constexpr (kOp == 1) sub_tiles(in0, in1, 0, 0, 0);
            else mul_tiles(in0, in1, 0, 0, 0);
        } else {
            any_tiles_bcast<kType, kDim>(in0, in1, 0, 0, 0, kRow);
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
