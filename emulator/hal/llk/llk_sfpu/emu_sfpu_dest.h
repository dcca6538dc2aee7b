// The SFPU's view of DEST in the compute skeleton's Tensix state (emu_tensix.h): the C ABI emu_sfpu.h reads
// DEST through. Row r of the MATH thread's current section is the 16 words at dest + 16 r, tile t's face f row i
// being r = 64 t + 16 f + i (the section's tiles, face-major as unpacked); the float bits are the words. A
// 16-bit DEST (DST_ACCUM_MODE off) holds bf16 values, the lower half zero. Weak: every TRISC build of a kernel
// may include it, one definition is kept.
#pragma once

#include "emu_sfpu.h"
#include "emu_tensix.h"
#include "llk_math_common_api.h"

extern "C" __attribute__((weak)) EmuSfpuDest emu_sfpu_dest(void) {
    using namespace emu::tensix;
    State& s = state();
    const uint32_t tiles = section_tiles<DST_ACCUM_MODE>();
    static_assert(sizeof(s.dest[0]) == sizeof(uint32_t));
    return {reinterpret_cast<uint32_t*>(&s.dest[s.math_section * tiles * kTileElems]), tiles * 64, DST_ACCUM_MODE};
}

extern "C" __attribute__((weak)) void emu_sfpu_fail(const char* message) { emu_unsupported(message); }
