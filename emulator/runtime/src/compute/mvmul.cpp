// MVMUL/GAPOOL's dot product of 16 Src pairs for one fidelity phase, and GMPOOL's ordering.
#include <algorithm>

#include "emu/compute/fpu_numerics.h"

namespace emu::compute::fpu {

uint32_t dot16(const uint32_t* a19, const uint32_t* b19, uint32_t dst, int phase, bool fp32_dest) {
    const int32_t adj = -127 - ((phase & 1) ? 5 : 0) - ((phase & 2) ? 7 : 0);
    uint32_t sign[16];
    int32_t exp[16];
    int32_t man[16];
    for (int i = 0; i < 16; ++i) {
        const uint32_t a = a19[i], b = b19[i];
        if (exp_zero(a) || exp_zero(b)) {
            sign[i] = 0, exp[i] = 0, man[i] = 0;
            continue;
        }
        uint32_t ma = (a & 0x3FF) | 0x400, mb = (b & 0x3FF) | 0x400;
        ma = (phase & 1) ? (ma >> 1) & 31 : ma >> 6;
        mb = (phase & 2) ? (mb & 15) << 3 : mb >> 4;
        sign[i] = ((a ^ b) >> 18) & 1;
        exp[i] = int32_t((a >> 10) & 255) + int32_t((b >> 10) & 255) + adj;
        man[i] = int32_t(ma * mb);
    }
    Term group[2];
    for (int g = 0; g < 2; ++g) {
        const int32_t e = *std::max_element(exp + 8 * g, exp + 8 * g + 8);
        if (e <= 0) continue;  // the whole group is zero
        int32_t sum = 0;
        for (int i = 8 * g; i < 8 * g + 8; ++i) {
            const int32_t d = std::min(e - exp[i], 30);
            const int32_t m = ((man[i] << 1) + (1 << d)) >> (d + 1);  // aligned, rounded half up
            sum += sign[i] ? -m : m;
        }
        group[g] = Term{sum < 0 ? 1u : 0u, e, uint32_t(sum < 0 ? -sum : sum) << 13};
    }
    return dest_add(group[0], group[1], dst, fp32_dest);
}

int32_t total_order(uint32_t bits) {
    return (bits & 0x80000000u) ? int32_t(bits ^ 0x7FFFFFFFu) : int32_t(bits);
}

}  // namespace emu::compute::fpu
