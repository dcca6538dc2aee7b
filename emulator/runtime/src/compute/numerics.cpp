// SFPU numerics (tensix-semantics §2.10): the algorithms tt-metal's Wormhole kernels run, with their constants,
// and the explicit bf16 rounding they use. The FPU side lives in srcreg/elwise/reduce/matmul/pack.cpp.
#include "emu/compute/numerics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace emu::compute {

namespace {
constexpr uint32_t kSign = 0x80000000u;
constexpr uint32_t kInfBits = 0x7F800000u;

// Bit selections are written as masks, not as `cond ? v : u2f(bits)`: GCC 12 at -O1/-O2 folded that form
// to `v` (the masked branch disappeared).
float flush_denormal(float v) {
    const uint32_t u = f2u(v);
    const uint32_t keep = ((u & kInfBits) == 0) ? kSign : 0xFFFFFFFFu;
    return u2f(u & keep);
}
}  // namespace

float round_bf16_rne(float v) {
    uint32_t u = f2u(v);
    if ((u & 0x7FFFFFFFu) > kInfBits) return v;
    u += 0x7FFFu + ((u >> 16) & 1u);
    return u2f(u & 0xFFFF0000u);
}

// ---- SFPU ---------------------------------------------------------------------------------------------------
namespace {

// tt-metal's shared sqrt/rsqrt body: magic-constant seed, a polynomial correction and one Newton-style step
// (23-bit variant), or a single correction (10-bit approximate variant). MADs are modelled with fmaf.
float sqrt_body(float x, bool approx, bool reciprocal, bool fast) {
    const uint32_t magic = approx ? 0x5f0b3892u : 0x5f1110a0u;
    const float p1 = approx ? 1.89099014875f : 2.2825186f;
    const float p2 = 2.2533049f;
    const uint32_t xb = f2u(x);
    const bool nonzero_mag = (xb << 1) != 0;
    const bool negative = (xb & kSign) != 0;
    const uint32_t inf_minus_x = kInfBits - xb;
    float y = u2f(magic - (xb >> 1));

    if (approx) {
        float c = x * y;
        float t = std::fmaf(-y, c, p1);
        if (reciprocal) {
            if (inf_minus_x != 0 && nonzero_mag) {
                y = y * t;
                if (!fast && negative) y = NAN;
            } else {
                y = u2f(inf_minus_x);
            }
        } else {
            y = c;
            if (xb != kInfBits) y = y * t;
        }
    } else {
        float xy = x * y;
        float c = -y * xy;
        y = y * std::fmaf(c, p2 + c, p1);
        xy = x * y;
        float one_minus_xyy = std::fmaf(-y, xy, 1.0f);
        if (reciprocal) {
            float half_y = std::ldexp(y, -1);
            if (inf_minus_x != 0 && nonzero_mag) {
                y = std::fmaf(one_minus_xyy, half_y, y);
                if (!fast && negative) y = NAN;
            } else {
                y = u2f(inf_minus_x);
            }
        } else {
            float half_xy = 0.5f * xy;
            if (static_cast<int32_t>(xb) < static_cast<int32_t>(kInfBits)) y = std::fmaf(one_minus_xyy, half_xy, xy);
        }
    }
    if (!fast && !reciprocal) {
        if (!nonzero_mag) y = x;
        else if (negative) y = NAN;
    }
    return y;
}

float store_to_dest(float v, bool fp32_dest) { return u2f(f2u(v) & (fp32_dest ? 0xFFFFFFFFu : 0xFFFF0000u)); }

}  // namespace

float sfpu_sqrt(float x, bool approx, bool fast, bool fp32_dest) {
    float y = sqrt_body(x, approx, false, fast);
    if (!fp32_dest) y = round_bf16_rne(y);
    return store_to_dest(y, fp32_dest);
}

float sfpu_rsqrt(float x, bool approx, bool fast, bool fp32_dest) {
    float y = sqrt_body(x, approx, true, fast);
    if (!fp32_dest) y = round_bf16_rne(y);
    return store_to_dest(y, fp32_dest);
}

float sfpu_recip(float in, bool approx, bool fp32_dest) {
    // Quadratic seed on the mantissa scaled to [1, 2), Newton steps, then the exponent restored by a power-of-two
    // scale built from the inverted exponent bits (so ±0 → ±inf and ±inf → ±0 fall out of the same path).
    const bool round_to_bf16 = !approx && !fp32_dest;
    const float k0 = round_to_bf16 ? 0.32133400440216064453125f : 0.3232325017452239990234375f;
    const float k1 = round_to_bf16 ? 1.4514148235321044921875f : 1.4545459747314453125f;
    const float k2 = round_to_bf16 ? 2.1200883388519287109375f : 2.121212482452392578125f;
    const uint32_t ib = f2u(in);
    const float neg_x = u2f(0xBF800000u | (ib & 0x7FFFFFu));
    float y = std::fmaf(k0, neg_x, k1);
    y = std::fmaf(y, neg_x, k2);
    float scale = flush_denormal(u2f(~ib & 0xFF800000u) * 0.5f);
    float t = std::fmaf(neg_x, y, 1.0f);
    y = std::fmaf(y, t, y);
    if (fp32_dest && !approx) {
        t = std::fmaf(neg_x, y, 1.0f);
        y = std::fmaf(y, t, y);
    }
    if (round_to_bf16) y = round_bf16_rne(y);
    y = flush_denormal(y * scale);
    y = std::copysign(y, in);
    return store_to_dest(y, fp32_dest);
}

float sfpu_binop_scalar(float x, ScalarOp op, uint32_t param_bits, bool fp32_dest) {
    const float p = u2f(param_bits);
    float r = 0.0f;
    switch (op) {
        case ScalarOp::Add: r = x + p; break;
        case ScalarOp::Sub: r = x - p; break;
        case ScalarOp::Mul:
        case ScalarOp::Div: r = x * p; break;  // DIV: the host passes the reciprocal
        case ScalarOp::Rsub:
            r = p - x;
            if (!fp32_dest) r = round_bf16_rne(r);  // tt-metal rounds RSUB explicitly before the store
            break;
    }
    return store_to_dest(r, fp32_dest);
}

}  // namespace emu::compute
