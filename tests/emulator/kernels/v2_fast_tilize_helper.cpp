// compute_kernel_lib::tilize from the wheel's kernel_lib: Wt (compile-time arg 0) tiles per block row, the input CB
// holding one row-major row per page (the helper's asymmetric form), so the helper picks fast tilize for bf16 and
// for fp32 (in its default Fp32Mode). Runtime arg 0: block rows on this core.
#include <cstdint>
#include "api/compute/compute_kernel_hw_startup.h"
#include "ttnn/cpp/ttnn/kernel_lib/tilize_helpers.hpp"

constexpr uint32_t kWt = get_compile_time_arg_val(0);

void kernel_main() {
    const uint32_t blocks = get_arg_val<uint32_t>(0);
    constexpr auto in = tt::CBIndex::c_0, out = tt::CBIndex::c_16;
    compute_kernel_hw_startup(in, out);
    compute_kernel_lib::tilize<kWt, in, out>(blocks, blocks * 32);
}
