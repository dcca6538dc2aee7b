// Reads runtime arg `index` (compile-time arg 1) of the per-core list, or of the common list when compile-time
// arg 0 is 1, and stores it in a semaphore word so the read is not optimised away.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    constexpr bool common = get_compile_time_arg_val(0) == 1;
    constexpr uint32_t index = get_compile_time_arg_val(1);
    volatile tt_l1_ptr uint32_t* sink = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_semaphore(0));
    if constexpr (common) {
        sink[0] = get_common_arg_val<uint32_t>(index);
    } else {
        sink[0] = get_arg_val<uint32_t>(index);
    }
}
