// The packer's format conversion from DEST to L1 (round first, then flush).
#include "emu/compute/numerics.h"

namespace emu::compute {

uint16_t pack_bf16(float v) {
    uint32_t u = f2u(v);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) u = (u & 0x80000000u) | 0x7F800000u;  // NaN → ±Inf
    const uint16_t h = uint16_t((u + 0x8000u) >> 16);
    return (h & 0x7FFF) < 0x80 ? 0 : h;  // below the smallest normal after rounding: +0
}

uint32_t pack_fp32(float v, bool fp32_dest) {
    if (fp32_dest) return f2u(v);
    // A 16-bit DEST reads as bf16 (NaN → Inf, denormals and −0 → +0) and widens by 16 zero bits.
    uint32_t h = f2u(v) >> 16;
    if ((h & 0x7FFF) > 0x7F80) h = (h & 0x8000) | 0x7F80;
    else if ((h & 0x7FFF) < 0x80) h = 0;
    return h << 16;
}

}  // namespace emu::compute
