// First include of every emulated kernel: the attribute macros the real firmware headers define, and weak
// declarations of both entry-point styles so the generated entry can call whichever the kernel defines.
#pragma once

#include <cstddef>
#include <cstdint>

#include "emu/core.h"

#ifndef FORCE_INLINE
#define FORCE_INLINE inline __attribute__((always_inline))
#endif
#ifndef ALWI
#define ALWI inline __attribute__((always_inline))
#endif
#define tt_l1_ptr
#define tt_reg_ptr

void kernel_main() __attribute__((weak));
namespace chlkc_emu {
void kernel_main_legacy() __attribute__((weak));
}
