// Level-1 numerics (tensix-semantics §2.7–§2.10): Src conversion, DEST rounding, fidelity phases, packer
// conversion and the SFPU algorithms, written from the ISA description and tt-metal's algorithm constants.
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

int fidelity_phases(int math_fidelity) {
    switch (math_fidelity) {
        case 0: return 1;  // LoFi
        case 2: return 2;  // HiFi2
        case 3: return 3;  // HiFi3
        default: return 4; // HiFi4
    }
}

float to_src(float v, bool fp32_dest) {
    const uint32_t u = f2u(v);
    const uint32_t exp = (u >> 23) & 0xFF;
    const uint32_t keep = fp32_dest ? 0xFFFFE000u : 0xFFFF0000u;
    if (exp == 0) return u2f(u & kSign);  // denormals flush to a signed zero
    // A NaN must stay a NaN even when its payload lives only in the dropped bits.
    if (exp == 0xFF && (u & 0x7FFFFF) != 0 && (u & 0x7FFFFF & keep) == 0) return u2f((u & 0xFF800000u) | 0x400000u);
    return u2f(u & keep);
}

float round_bf16_ties_away(double v) {
    // Fast path: most FPU results are exact in float, where ties-away is "add half an ulp to the magnitude bits
    // and truncate".
    const float f = static_cast<float>(v);
    if (static_cast<double>(f) == v) {
        const uint32_t u = f2u(f);
        const uint32_t mag = u & 0x7FFFFFFFu;
        if (mag > kInfBits) return u2f(u | 0x400000u);               // NaN stays NaN
        if (mag < 0x00800000u) return u2f(u & kSign);                // denormals flush
        return u2f((u & kSign) | ((mag + 0x8000u) & 0xFFFF0000u));  // may round up into Inf
    }
    if (std::isnan(v)) return u2f(std::signbit(v) ? 0xFFC00000u : 0x7FC00000u);
    double a = std::fabs(v);
    float sign = std::signbit(v) ? -1.0f : 1.0f;
    if (a < 0x1p-126) return sign * 0.0f;
    int e;
    std::frexp(a, &e);                          // a = f · 2^e, f in [0.5, 1)
    double q = std::ldexp(a, 8 - e);            // bf16 keeps 8 significant bits: q in [128, 256)
    double r = std::ldexp(std::floor(q + 0.5), e - 8);
    if (r >= 0x1p128) return sign * INFINITY;
    return sign * static_cast<float>(r);
}

float round_to_dest(double v, bool fp32_dest) {
    if (!fp32_dest) return round_bf16_ties_away(v);
    return flush_denormal(static_cast<float>(v));
}

float round_bf16_rne(float v) {
    uint32_t u = f2u(v);
    if ((u & 0x7FFFFFFFu) > kInfBits) return v;
    u += 0x7FFFu + ((u >> 16) & 1u);
    return u2f(u & 0xFFFF0000u);
}

double fidelity_product(float a, float b, int math_fidelity) {
    if (!std::isfinite(a) || !std::isfinite(b) || a == 0.0f || b == 0.0f)
        return static_cast<double>(a) * static_cast<double>(b);
    if (fidelity_phases(math_fidelity) == 4)  // all of B, all of A but its last TF32 bit: exact in a double
        return static_cast<double>(u2f(f2u(a) & ~0x2000u)) * static_cast<double>(b);
    uint32_t ua = f2u(a), ub = f2u(b);
    // 11-bit significands (hidden bit + 10 TF32 mantissa bits) and their binary exponents.
    int64_t sa = ((ua & 0x7FFFFF) | 0x800000) >> 13;
    int64_t sb = ((ub & 0x7FFFFF) | 0x800000) >> 13;
    int ea = int((ua >> 23) & 0xFF) - 127 - 10;
    int eb = int((ub >> 23) & 0xFF) - 127 - 10;
    const int64_t a_part[2] = {(sa >> 6) << 6, ((sa >> 1) & 0x1F) << 1};  // 5 high bits, next 5; bit 0 unused
    const int64_t b_part[2] = {(sb >> 4) << 4, sb & 0xF};                  // 7 high bits, next 4
    int64_t sum = 0;
    int phases = fidelity_phases(math_fidelity);
    for (int p = 0; p < phases; ++p) sum += a_part[p & 1] * b_part[(p >> 1) & 1];
    double r = std::ldexp(static_cast<double>(sum), ea + eb);
    return ((ua ^ ub) & kSign) ? -r : r;
}

int bcast_src_index(int bcast, int i, uint32_t row_idx) {
    switch (bcast) {
        case 1: return face_index(row_of(i), 0);            // COL: B's column 0 (faces 0 and 2)
        case 2: return face_index(int(row_idx), col_of(i)); // ROW: B's row (faces 0 and 1)
        case 3: return 0;                                   // SCALAR: B[0, 0]
        default: return i;
    }
}

void binary_math(int op, int bcast, uint32_t row_idx, const float* a, const float* b, float* dst, bool acc,
                 int math_fidelity, bool fp32_dest) {
    const bool accumulate = op == 0 || acc;
    for (int i = 0; i < kTileElems; ++i) {
        const float bv = b[bcast_src_index(bcast, i, row_idx)];
        double v;
        if (op == 2) v = double(a[i]) + double(bv);
        else if (op == 3) v = double(a[i]) - double(bv);
        else v = fidelity_product(a[i], bv, math_fidelity);
        if (accumulate) v += double(dst[i]);
        dst[i] = round_to_dest(v, fp32_dest);
    }
}

namespace {
// GMPOOL's operand: SrcA read as bf16 (mantissa cut to 7 bits) and scaled by the exponent alone of the SrcB
// datum (exp2(floor(log2(s)))); a zero-exponent scaler removes the datum (−inf), a denormal datum reads as 0.
double gmpool_operand(float x, float s) {
    const uint32_t xb = f2u(x), sb = f2u(s);
    if ((sb & kInfBits) == 0) return -INFINITY;
    if ((xb & kInfBits) == 0) return 0.0;
    return std::ldexp(double(u2f(xb & 0xFFFF0000u)), int((sb >> 23) & 0xFF) - 127);
}
}  // namespace

void reduce_math(int pool, int dim, const float* data, const float* scaler, float* dst, bool had, int math_fidelity,
                 bool fp32_dest) {
    // Scaler datum for data (r, c): row 0 of the same face, at the index along the reduced dimension.
    auto scale_of = [&](int r, int c) {
        const int face = (r / 16) * 2 + c / 16;
        return scaler[face * 256 + (dim == 1 ? r % 16 : c % 16)];
    };
    auto at = [&](int r, int c) { return data[face_index(r, c)]; };

    if (pool == 2) {  // MAX: GMPOOL, starting from DEST's value or −inf when the slot holds no result yet
        auto finish = [&](int out, double mx) {
            dst[out] = round_to_dest(had ? std::max(double(dst[out]), mx) : mx, fp32_dest);
        };
        if (dim == 2) {
            double mx = -INFINITY;
            for (int r = 0; r < 32; ++r)
                for (int c = 0; c < 32; ++c) mx = std::max(mx, gmpool_operand(at(r, c), scale_of(r, c)));
            finish(0, mx);
            return;
        }
        for (int o = 0; o < 32; ++o) {
            double mx = -INFINITY;
            for (int k = 0; k < 32; ++k) {
                const int r = dim == 0 ? o : k, c = dim == 0 ? k : o;
                mx = std::max(mx, gmpool_operand(at(r, c), scale_of(r, c)));
            }
            finish(dim == 0 ? face_index(o, 0) : face_index(0, o), mx);
        }
        return;
    }

    if (dim == 0) {  // ROW: MVMUL Dst += SrcB(data) @ SrcA(scaler transposed)
        for (int r = 0; r < 32; ++r) {
            double sum = 0.0;
            for (int c = 0; c < 32; ++c) sum += fidelity_product(scale_of(r, c), at(r, c), math_fidelity);
            dst[face_index(r, 0)] = round_to_dest(double(dst[face_index(r, 0)]) + sum, fp32_dest);
        }
    } else if (dim == 1) {  // COL: GAPOOL Dst += SrcB(scaler row) @ SrcA(data)
        for (int c = 0; c < 32; ++c) {
            double sum = 0.0;
            for (int r = 0; r < 32; ++r) sum += fidelity_product(at(r, c), scale_of(r, c), math_fidelity);
            dst[face_index(0, c)] = round_to_dest(double(dst[face_index(0, c)]) + sum, fp32_dest);
        }
    } else {
        // SCALAR: every face pools into one 16-wide scratch row of DEST (scaler applied), which is moved back
        // through SrcB into SrcA as a column and pooled again with the scaler: the scaler enters twice, which
        // is why callers pass 1/sqrt(N) for an average.
        double scratch[16] = {};
        for (int r = 0; r < 32; ++r)
            for (int c = 0; c < 32; ++c) scratch[c % 16] += fidelity_product(at(r, c), scale_of(r, c), math_fidelity);
        double sum = 0.0;
        for (int k = 0; k < 16; ++k)
            sum += fidelity_product(to_src(round_to_dest(scratch[k], fp32_dest)), scaler[k], math_fidelity);
        dst[0] = round_to_dest(double(dst[0]) + sum, fp32_dest);
    }
}

uint16_t pack_bf16(float v) {
    uint32_t u = f2u(v);
    uint32_t sign = u & kSign;
    uint32_t mag = u & 0x7FFFFFFFu;
    if (mag > kInfBits) return uint16_t((sign >> 16) | 0x7F80u);  // NaN → ±Inf
    if ((mag & kInfBits) == 0) return 0;                          // zero / denormal → +0
    return uint16_t((sign >> 16) | ((mag + 0x8000u) >> 16));
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
