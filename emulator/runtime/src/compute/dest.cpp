// The DEST adder every FPU math instruction ends in (ELWADD/ELWMUL/MVMUL/GAPOOL): align, add, renormalise, round.
#include <algorithm>
#include <atomic>

#include "emu/compute/fpu_numerics.h"

namespace emu::compute::fpu {

namespace {
std::atomic<bool> g_minus_one_defect{true};
}

void set_minus_one_defect(bool on) { g_minus_one_defect.store(on, std::memory_order_relaxed); }
bool minus_one_defect() { return g_minus_one_defect.load(std::memory_order_relaxed); }

int phase_count(int math_fidelity) { return math_fidelity <= 1 ? 1 : std::min(math_fidelity, 4); }

uint32_t dest_add(const Term& t0, const Term& t1, uint32_t dst, bool fp32_dest) {
    const uint32_t sign_d = dst >> 31;
    const int32_t exp_d = int32_t((dst >> 23) & 255);
    uint32_t man_d = exp_d ? ((dst & 0x7FFFFF) | 0x800000) : 0;

    const int32_t exp = std::max({t0.exp, t1.exp, exp_d});
    if (exp <= 0) return 0;
    // Terms round half towards +inf (a negative term's tie goes to the smaller magnitude); DEST rounds half up.
    auto align = [exp](uint32_t man, int32_t e, uint32_t bias) -> uint32_t {
        if (e >= exp) return man;
        const uint32_t d = uint32_t(exp - e);
        return d < 31 ? (man + (1u << (d - 1)) - bias) >> d : 0;
    };
    uint32_t m0 = align(t0.man, t0.exp, t0.sign), m1 = align(t1.man, t1.exp, t1.sign);
    man_d = align(man_d, exp_d, 0);
    if (!fp32_dest) {  // a 16-bit DEST adds 11-bit operands
        m0 = (m0 + (1u << 12) - t0.sign) & ~0x1FFFu;
        m1 = (m1 + (1u << 12) - t1.sign) & ~0x1FFFu;
        man_d = (man_d + (1u << 12)) & ~0x1FFFu;
    }
    uint32_t sign = sign_d;
    int64_t man = int64_t(man_d);
    man += t0.sign == sign ? int64_t(m0) : -int64_t(m0);
    man += t1.sign == sign ? int64_t(m1) : -int64_t(m1);
    if (man < 0) man = -man, sign ^= 1;
    if (man == 0) return 0;

    int32_t shift = __builtin_clzll(uint64_t(man)) - 40;  // left shift that puts the leading 1 at bit 23
    // Wormhole's leading-sign counter sees all bits set for a sum of −1 (in units of bit 0) and miscounts by 27.
    if (sign && man == 1 && minus_one_defect()) shift -= 27;
    int32_t e = exp - shift;
    if (!fp32_dest) shift -= 16;
    if (shift < 0) man = (man + (int64_t(1) << (-shift - 1))) >> -shift;
    else man <<= shift;
    if (!fp32_dest) man <<= 16;
    if (man & 0x1000000) ++e;
    if (e <= 0) return 0;
    if (e >= 255) return (sign << 31) | (255u << 23);
    return (sign << 31) | (uint32_t(e) << 23) | (uint32_t(man) & 0x7FFFFF);
}

}  // namespace emu::compute::fpu
