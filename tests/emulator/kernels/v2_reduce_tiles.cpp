// reduce_tile through the wheel's compute API: every `per_out` tiles of CB 0 reduce, with the scaler tile of CB 1,
// into one DEST tile that is packed into CB 16. Compile-time args: PoolType, ReduceDim, per_out. Runtime arg 0:
// input tiles on this core (a multiple of per_out).
#include <cstdint>
#include "api/compute/common.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/reduce.h"
#include "api/compute/pack.h"
#include "api/compute/cb_api.h"
#include "api/compute/reg_api.h"

constexpr auto kPool = PoolType(get_compile_time_arg_val(0));
constexpr auto kDim = ReduceDim(get_compile_time_arg_val(1));
constexpr uint32_t kPerOut = get_compile_time_arg_val(2);

void kernel_main() {
    const uint32_t n = get_arg_val<uint32_t>(0);
    constexpr auto in = tt::CBIndex::c_0, scaler = tt::CBIndex::c_1, out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(in, scaler, out);
    reduce_init<kPool, kDim>(in, scaler, out);
    for (uint32_t i = 0; i < n; i += kPerOut) {
        tile_regs_acquire();
        for (uint32_t k = 0; k < kPerOut; ++k) {
            cb_wait_front(in, 1);
            cb_wait_front(scaler, 1);
            reduce_tile<kPool, kDim>(in, scaler, 0, 0, 0);
            cb_pop_front(in, 1);
            cb_pop_front(scaler, 1);
        }
        tile_regs_commit();
        tile_regs_wait();
        cb_reserve_back(out, 1);
        pack_tile(0, out);
        cb_push_back(out, 1);
        tile_regs_release();
    }
    reduce_uninit();
}
