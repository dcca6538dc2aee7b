// pack_untilize_block through the wheel's compute API: each block row of Wt tiles of CB 0 (compile-time arg 0,
// at most one DEST section) is written row-major into Wt pages of CB 16. Runtime arg 0: block rows on this core.
#include <cstdint>
#include "api/compute/common.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/pack_untilize.h"
#include "api/compute/cb_api.h"

constexpr uint32_t kWt = get_compile_time_arg_val(0);

void kernel_main() {
    const uint32_t rows = get_arg_val<uint32_t>(0);
    constexpr auto in = tt::CBIndex::c_0, out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(in, out);
    pack_untilize_init<kWt>(in, out);
    for (uint32_t r = 0; r < rows; ++r) {
        cb_wait_front(in, kWt);
        cb_reserve_back(out, kWt);
        pack_untilize_block<kWt>(in, 1, out);
        cb_push_back(out, kWt);
        cb_pop_front(in, kWt);
    }
    pack_untilize_uninit(out);
}
