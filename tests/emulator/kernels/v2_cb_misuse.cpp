// CB protocol misuse through the wheel's cb_* calls (compile-time arg 0): 0 pushes 2 pages after reserving 1 on a
// 2-page CB that nobody drains, then reserves again; 1 pops a page that was never pushed, then reserves.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    constexpr uint32_t mode = get_compile_time_arg_val(0);
    if constexpr (mode == 0) {
        cb_reserve_back(0, 1);
        cb_push_back(0, 2);
        cb_push_back(0, 1);
        cb_reserve_back(0, 1);
    } else {
        cb_pop_front(0, 1);
        cb_reserve_back(0, 1);
    }
}
