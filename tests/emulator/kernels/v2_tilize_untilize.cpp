// tilize_block or the unpack-based untilize_block through the wheel's compute API: each block row of Wt pages of
// CB 0 becomes Wt pages of CB 16 -- a 32-row row-major strip tilized (compile-time arg 1 = 0) or Wt tiles written
// as a row-major strip (arg 1 = 1). Compile-time arg 0: Wt. Runtime arg 0: block rows on this core.
#include <cstdint>
#include "api/compute/common.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/tilize.h"
#include "api/compute/untilize.h"
#include "api/compute/cb_api.h"

#pragma clang diagnostic ignored "-Wdeprecated-declarations"  // untilize_* (unpack-based) are deprecated upstream

constexpr uint32_t kWt = get_compile_time_arg_val(0);
constexpr bool kUntilize = get_compile_time_arg_val(1) == 1;

void kernel_main() {
    const uint32_t rows = get_arg_val<uint32_t>(0);
    constexpr auto in = tt::CBIndex::c_0, out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(in, out);
    if constexpr (kUntilize) untilize_init(in);
    else tilize_init(in, kWt, out);
    for (uint32_t r = 0; r < rows; ++r) {
        cb_wait_front(in, kWt);
        cb_reserve_back(out, kWt);
        if constexpr (kUntilize) untilize_block(in, kWt, out);
        else tilize_block(in, kWt, out);
        cb_push_back(out, kWt);
        cb_pop_front(in, kWt);
    }
    if constexpr (kUntilize) untilize_uninit(in);
    else tilize_uninit(in, out);
}
