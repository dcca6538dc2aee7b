// Blocked matmul through the wheel's compute API: for each block row (rt tile rows of A in CB 0, all of B in CB 1)
// and each block of ct output columns, Kt matmul steps accumulate in DEST, then the rt·ct tiles are packed to
// CB 16 in DEST order (r·ct + c). Compile-time args: Kt, Nt, rt, ct, transpose (B's tiles transposed), form
// (1: matmul_block over the whole block, 0: matmul_tiles tile by tile). Runtime arg 0: block rows on this core.
#include <cstdint>
#include "api/compute/common.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/matmul.h"
#include "api/compute/pack.h"
#include "api/compute/cb_api.h"
#include "api/compute/reg_api.h"

constexpr uint32_t kKt = get_compile_time_arg_val(0);
constexpr uint32_t kNt = get_compile_time_arg_val(1);
constexpr uint32_t kRt = get_compile_time_arg_val(2);
constexpr uint32_t kCt = get_compile_time_arg_val(3);
constexpr uint32_t kTranspose = get_compile_time_arg_val(4);
constexpr bool kBlockForm = get_compile_time_arg_val(5) == 1;

void kernel_main() {
    const uint32_t blocks = get_arg_val<uint32_t>(0);
    constexpr auto in0 = tt::CBIndex::c_0, in1 = tt::CBIndex::c_1, out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(in0, in1, out);
    if constexpr (kBlockForm) matmul_block_init(in0, in1, kTranspose, kCt, kRt, kKt);
    else matmul_init(in0, in1, kTranspose);
    for (uint32_t blk = 0; blk < blocks; ++blk) {
        cb_wait_front(in0, kRt * kKt);
        cb_wait_front(in1, kKt * kNt);
        for (uint32_t c0 = 0; c0 < kNt; c0 += kCt) {
            tile_regs_acquire();
            for (uint32_t k = 0; k < kKt; ++k) {
                if constexpr (kBlockForm) {
                    matmul_block(in0, in1, k, k * kNt + c0, 0, kTranspose, kCt, kRt, kKt);
                } else {
                    for (uint32_t r = 0; r < kRt; ++r)
                        for (uint32_t c = 0; c < kCt; ++c) matmul_tiles(in0, in1, r * kKt + k, k * kNt + c0 + c, r * kCt + c);
                }
            }
            tile_regs_commit();
            tile_regs_wait();
            cb_reserve_back(out, kRt * kCt);
            for (uint32_t i = 0; i < kRt * kCt; ++i) pack_tile(i, out);
            cb_push_back(out, kRt * kCt);
            tile_regs_release();
        }
        cb_pop_front(in0, kRt * kKt);
        cb_pop_front(in1, kKt * kNt);
    }
}
