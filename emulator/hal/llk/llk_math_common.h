// Emulator shadow of tt-llk's llk_math_common.h: the _llk_* layer that programs the Tensix engine's registers beneath
// metal's llk_api. The emulator's llk_api headers (this directory) do that work themselves; the compute API headers
// include it for its declarations, and metal's llk_math_debug.h for the FPU's special-value flags.
#pragma once

#include <cstdint>

#include "ckernel.h"

// The sticky NaN/Inf flags the FPU and SFPU raise (get/clear_compute_special_value_flags): not modelled, so a
// kernel that reads them stops with a message naming the call rather than seeing flags that were never set.
inline std::uint32_t _llk_math_get_compute_special_value_flags_() {
    emu_unsupported("get_compute_special_value_flags (the FPU/SFPU special-value flags)");
}
inline void _llk_math_clear_compute_special_value_flags_() {
    emu_unsupported("clear_compute_special_value_flags (the FPU/SFPU special-value flags)");
}
