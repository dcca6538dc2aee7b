// ELWADD/ELWSUB and one ELWMUL fidelity phase on 19-bit Src operands.
#include <utility>

#include "emu/compute/fpu_numerics.h"

namespace emu::compute::fpu {

uint32_t elwadd(uint32_t a, uint32_t b, uint32_t dst, bool zero_a, bool zero_b, bool acc, bool fp32_dest) {
    if (zero_a) a = 0;
    if (zero_b) b = 0;
    if (!acc) dst = 0;
    if ((a & 0x3FFFF) < (b & 0x3FFFF)) std::swap(a, b);  // |a| >= |b|
    const uint32_t sa = a >> 18, sb = b >> 18;
    const int32_t ea = int32_t((a >> 10) & 255), eb = int32_t((b >> 10) & 255);
    const uint32_t ma = a ? ((a & 0x3FF) | 0x400) : 0;
    uint32_t mb = b ? ((b & 0x3FF) | 0x400) : 0;
    if (eb < ea) {
        const int32_t d = ea - eb;
        mb = d < 12 ? (mb + (1u << (d - 1))) >> d : 0;
    }
    const uint32_t man = (sa == sb ? ma + mb : ma - mb) << 13;
    return dest_add(Term{sa, ea, man}, Term{}, dst, fp32_dest);
}

uint32_t elwmul(uint32_t a, uint32_t b, uint32_t dst, bool zero_a, bool zero_b, int phase, bool fp32_dest) {
    const int32_t adj = -127 - ((phase & 1) ? 5 : 0) - ((phase & 2) ? 7 : 0);
    const int32_t exp = int32_t((a >> 10) & 255) + int32_t((b >> 10) & 255) + adj;
    uint32_t ma = (a & 0x3FF) | 0x400, mb = (b & 0x3FF) | 0x400;
    ma = (phase & 1) ? (ma >> 1) & 31 : ma >> 6;   // 5 bits of A
    mb = (phase & 2) ? (mb & 15) << 3 : mb >> 4;   // 7 bits of B (its low 4 in the high-fidelity phases)
    Term t{(a ^ b) >> 18 & 1, exp, (ma * mb) << 13};
    if (zero_a || zero_b || exp <= 0) t = Term{};
    return dest_add(t, Term{}, dst, fp32_dest);
}

}  // namespace emu::compute::fpu
