// sfpi's library functions, each the lane arithmetic of the SFP instruction it compiles to. Included by sfpi.h.
#pragma once

namespace sfpi {

template <typename T, std::enable_if_t<std::is_base_of_v<impl_::vVal, T>>* = nullptr>
inline T as(impl_::vVal v) {
    return T(v.get());
}
template <typename T, std::enable_if_t<std::is_base_of_v<impl_::vVal, T>>* = nullptr>
inline T reinterpret(impl_::vVal v) {
    return T(v.get());
}


class ExponentMode {
public:
    enum Values { Unbiased, Biased };
    static constexpr Values Debias = Unbiased;
    static constexpr Values NoDebias = Biased;
    constexpr ExponentMode(Values v) : v_(v) {}
    constexpr operator Values() const { return v_; }

private:
    Values v_;
};
enum class MantissaMode { FractionOnly, WithUnitBit, ImplicitOne = WithUnitBit };
enum class LZMode { All, IgnoreSign };
enum class ShiftMode { Logical };
enum class LdexpMode { Correct, Fast };

inline vInt exexp(vFloat v, ExponentMode mode = ExponentMode::Unbiased) {
    int32_t bias = mode == ExponentMode::Unbiased ? 127 : 0;
    return vInt(impl_::map(v.get(), [bias](uint32_t x) { return uint32_t(int32_t((x >> 23) & 255) - bias); }));
}
inline vInt exexp_nodebias(vFloat v) { return exexp(v, ExponentMode::Biased); }
inline vMag exman(vFloat v, MantissaMode mode = MantissaMode::FractionOnly) {
    uint32_t hidden = mode == MantissaMode::WithUnitBit ? 0x800000u : 0;
    return vMag(impl_::map(v.get(), [hidden](uint32_t x) { return (x & 0x7FFFFF) | hidden; }));
}
inline vInt exman8(vFloat v) { return vInt(exman(v, MantissaMode::WithUnitBit).get()); }
inline vInt exman9(vFloat v) { return vInt(exman(v).get()); }
template <typename T, std::enable_if_t<std::is_base_of_v<vFloat, T> || std::is_base_of_v<vInt, T> || std::is_base_of_v<vSMag, T>>* = nullptr>
inline vUInt exsgn(T v) {
    return vUInt(impl_::map(v.get(), [](uint32_t x) { return x >> 31; }));
}

inline vFloat setexp(vFloat v, int e) {
    return impl_::map(v.get(), [e](uint32_t x) { return (x & 0x807FFFFFu) | ((uint32_t(e) & 255) << 23); });
}
inline vFloat setexp(vFloat v, vInt e) {
    return impl_::map(v.get(), e.get(), [](uint32_t x, uint32_t y) { return (x & 0x807FFFFFu) | ((y & 255) << 23); });
}
inline vFloat setexp(vFloat v, vUInt e) { return setexp(v, vInt(e.get())); }
inline vFloat copyexp(vFloat v, vFloat e) {
    return impl_::map(v.get(), e.get(), [](uint32_t x, uint32_t y) { return (x & 0x807FFFFFu) | (y & 0x7F800000u); });
}
// SFPDIVP2 add mode: the exponent field plus n, modulo 256; Inf/NaN unchanged.
inline vFloat addexp(vFloat v, int n) {
    return impl_::map(v.get(), [n](uint32_t x) {
        uint32_t e = (x >> 23) & 255;
        if (e != 255) e = (e + uint32_t(n)) & 255;
        return (x & 0x807FFFFFu) | (e << 23);
    });
}
inline vFloat setman(vFloat v, unsigned m) {
    return impl_::map(v.get(), [m](uint32_t x) { return (x & 0xFF800000u) | (m & 0x7FFFFF); });
}
template <typename T, std::enable_if_t<std::is_base_of_v<vUInt, T> || std::is_base_of_v<vSMag, T> || std::is_base_of_v<vInt, T> || std::is_base_of_v<vFloat, T>>* = nullptr>
inline vFloat setman(vFloat v, T m) {
    return impl_::map(v.get(), m.get(), [](uint32_t x, uint32_t y) { return (x & 0xFF800000u) | (y & 0x7FFFFF); });
}
inline vFloat copyman(vFloat v, vFloat m) { return setman(v, m); }

template <typename T, std::enable_if_t<std::is_base_of_v<vFloat, T> || std::is_base_of_v<vSMag, T> || std::is_base_of_v<vInt, T>>* = nullptr>
inline T setsgn(T v, int s) {
    return T(impl_::map(v.get(), [s](uint32_t x) { return (x & 0x7FFFFFFFu) | (uint32_t(s & 1) << 31); }));
}
inline vSMag setsgn(vUInt v, int s) {
    return vSMag(impl_::map(v.get(), [s](uint32_t x) { return (x & 0x7FFFFFFFu) | (uint32_t(s & 1) << 31); }));
}
namespace impl_ {
inline sfpu_t copysign_bits(const sfpu_t& v, const sfpu_t& s) {
    return map(v, s, [](uint32_t x, uint32_t y) { return (x & 0x7FFFFFFFu) | (y & 0x80000000u); });
}
}  // namespace impl_
template <typename A, typename B,
          std::enable_if_t<std::is_base_of_v<impl_::vVal, A> && std::is_base_of_v<impl_::vVal, B> && !std::is_same_v<A, vUInt>>* = nullptr>
inline A copysgn(A v, B s) {
    return A(impl_::copysign_bits(v.get(), s.get()));
}
template <typename B, std::enable_if_t<std::is_base_of_v<impl_::vVal, B>>* = nullptr>
inline vSMag copysgn(vUInt v, B s) {
    return vSMag(impl_::copysign_bits(v.get(), s.get()));
}
template <typename A, typename B,
          std::enable_if_t<std::is_base_of_v<impl_::vVal, A> && !std::is_base_of_v<vFloat, B> && std::is_base_of_v<impl_::vVal, B>>* = nullptr>
inline A setsgn(A v, B s) {
    return copysgn(v, s);
}
inline vFloat setsgn(vFloat v, vFloat s) { return copysgn(v, s); }
template <typename A, typename B, std::enable_if_t<std::is_base_of_v<impl_::vVal, B>>* = nullptr>
inline A setsgn2(A v, B s) {
    return A(impl_::copysign_bits(v.get(), (vUInt(s.get()) << 31u).get()));
}

inline vFloat ldexp(vFloat in, int scale, LdexpMode = LdexpMode::Correct) { return addexp(in, scale); }
inline vFloat ldexp(vFloat in, vInt scale, LdexpMode mode = LdexpMode::Correct) {
    if (mode == LdexpMode::Fast) return setexp(in, exexp(in, ExponentMode::Biased) + scale);
    return vFloat(in * setexp(vFloat(0.0f), scale + 127));
}

// SFPABS: floats clear the sign (a negative NaN keeps it); integers negate when negative.
inline vFloat abs(vFloat v) {
    return impl_::map(v.get(), [](uint32_t x) { return x <= 0xFF800000u ? x & 0x7FFFFFFFu : x; });
}
inline vMag abs(vInt v) {
    return vMag(impl_::map(v.get(), [](uint32_t x) { return (x >> 31) ? 0u - x : x; }));
}
inline vMag abs(vSMag v) { return vMag(setsgn(v, 0).get()); }

template <typename T, std::enable_if_t<std::is_base_of_v<vInt, T> || std::is_base_of_v<vUInt, T> || std::is_base_of_v<vSMag, T>>* = nullptr>
inline vMag lz(T v, LZMode mode = LZMode::All) {
    uint32_t keep = mode == LZMode::IgnoreSign ? 0x7FFFFFFFu : 0xFFFFFFFFu;
    return vMag(impl_::map(v.get(), [keep](uint32_t x) { x &= keep; return x ? uint32_t(__builtin_clz(x)) : 32u; }));
}
template <typename T>
inline vInt lz_nosgn(T v) {
    return vInt(lz(vUInt(v.get()), LZMode::IgnoreSign).get());
}
inline vUInt shft(vUInt v, vInt amt, ShiftMode = ShiftMode::Logical) { return vUInt(impl_::shift(v.get(), amt.get())); }
inline vUInt shft(vUInt v, int amt, ShiftMode = ShiftMode::Logical) { return vUInt(impl_::shift(v.get(), impl_::splat(uint32_t(amt)))); }
inline vInt shft(vInt v, vInt amt) { return vInt(impl_::shift(v.get(), amt.get())); }
inline vInt shft(vInt v, int amt) { return vInt(impl_::shift(v.get(), impl_::splat(uint32_t(amt)))); }

inline vBool is_nan(vFloat v) { return vBool(impl_::test(v.get(), [](uint32_t x) { return (x & 0x7F800000u) == 0x7F800000u && (x & 0x7FFFFF); })); }
inline vBool is_inf(vFloat v) { return vBool(impl_::test(v.get(), [](uint32_t x) { return (x & 0x7FFFFFFFu) == 0x7F800000u; })); }
inline vBool is_finite(vFloat v) { return vBool(impl_::test(v.get(), [](uint32_t x) { return (x & 0x7F800000u) != 0x7F800000u; })); }
inline vBool is_normal(vFloat v) {
    return vBool(impl_::test(v.get(), [](uint32_t x) { uint32_t e = x & 0x7F800000u; return e && e != 0x7F800000u; }));
}
inline vBool is_subnormal(vFloat v) { return vBool(impl_::test(v.get(), [](uint32_t x) { return !(x & 0x7F800000u) && (x & 0x7FFFFF); })); }
inline vBool is_zero(vFloat v) { return vBool(impl_::test(v.get(), [](uint32_t x) { return !(x << 1); })); }
inline vBool is_pos(vFloat v) { return vBool(impl_::test(v.get(), [](uint32_t x) { return !(x >> 31); })); }
inline vBool is_neg(vFloat v) { return vBool(impl_::test(v.get(), [](uint32_t x) { return x >> 31; })); }

// SFPSWAP min/max in the sign-magnitude total order (-0 < +0; NaNs order beyond the infinities).
template <typename T, std::enable_if_t<std::is_base_of_v<vFloat, T> || std::is_base_of_v<vSMag, T>>* = nullptr>
inline std::pair<T, T> min_max(T a, T b, uint32_t mask = 0) {
    if (mask != 0 && mask != 0xF && mask != 0xFFFFFFFFu)
        ::emu::sfpu::fail("sfpi::min_max with a sub-vector mask 0x%x is not emulated", mask);
    impl_::sfpu_t lo, hi;
    for (int l = 0; l < impl_::kLanes; l++) {
        uint32_t x = a.lane(l), y = b.lane(l);
        bool swap = ::emu::sfpu::total_order(y) < ::emu::sfpu::total_order(x);
        lo.l[l] = swap ? y : x;
        hi.l[l] = swap ? x : y;
    }
    if (mask) return {T(hi), T(lo)};
    return {T(lo), T(hi)};
}
template <typename T, std::enable_if_t<std::is_base_of_v<vFloat, T> || std::is_base_of_v<vSMag, T>>* = nullptr>
inline T min(T a, T b) {
    return min_max(a, b).first;
}
template <typename T, std::enable_if_t<std::is_base_of_v<vFloat, T> || std::is_base_of_v<vSMag, T>>* = nullptr>
inline T max(T a, T b) {
    return min_max(a, b, 0xF).first;
}
inline vFloat min(vFloat a, float b) { return min(a, vFloat(b)); }
inline vFloat max(vFloat a, float b) { return max(a, vFloat(b)); }
inline vUInt min(vUInt x, unsigned c) {
    return vUInt(impl_::map(x.get(), [c](uint32_t v) { return v < c ? v : c; }));
}
inline vUInt max(vUInt x, unsigned c) {
    return vUInt(impl_::map(x.get(), [c](uint32_t v) { return v > c ? v : c; }));
}
inline vUInt clamp(vUInt x, unsigned lo, unsigned hi) { return min(max(x, lo), hi); }
template <typename T, std::enable_if_t<std::is_base_of_v<vFloat, T> || std::is_base_of_v<vSMag, T>>* = nullptr>
inline T clamp(T v, T lo, T hi) {
    return min(max(v, lo), hi);
}
inline vFloat clamp(vFloat v, float lo, float hi) { return clamp(v, vFloat(lo), vFloat(hi)); }
inline vFloat symmetric_clamp(vFloat v, float bound) { return copysgn(min(abs(v), bound), v); }

template <typename T, std::enable_if_t<std::is_base_of_v<impl_::vVal, T>>* = nullptr>
inline void swap(T& a, T& b) {
    T t = a;
    a = b;
    b = t;
}
inline void vec_swap(vFloat& a, vFloat& b) { swap(a, b); }
inline void vec_swap(vInt& a, vInt& b) { swap(a, b); }
inline void vec_swap(vUInt& a, vUInt& b) { swap(a, b); }
inline void vec_min_max(vFloat& a, vFloat& b) {
    auto r = min_max(a, b);
    a = r.first;
    b = r.second;
}
inline void vec_min_max(vInt& a, vInt& b) {
    auto r = min_max(vSMag(a.get()), vSMag(b.get()));
    a = vInt(r.first.get());
    b = vInt(r.second.get());
}

namespace impl_ {
class FloatInt : public std::pair<vFloat, vInt> {
public:
    using pair::pair;
    operator vFloat() const { return first; }
    operator vInt() const { return second; }
};
}  // namespace impl_
// Round to an integer by adding and removing 1.5 * 2^23 (two SFPADDs).
inline impl_::FloatInt round(vFloat x) {
    vFloat magic = 0x1.8p23f, f = x + magic;
    return {f - magic, as<vInt>(f) - as<vInt>(magic)};
}

// SFPLUT: the coefficient pair by |x| (< 1, < 2, else), result a * |x| + c.
inline vFloat lut_impl(vFloat v, vUInt l0, vUInt l1, vUInt l2, bool retain) {
    impl_::sfpu_t r;
    for (int l = 0; l < impl_::kLanes; l++) {
        uint32_t x = v.lane(l), b = x & 0x7FFFFFFFu;
        uint32_t c = b < 0x3F800000u ? l0.lane(l) : b < 0x40000000u ? l1.lane(l) : l2.lane(l);
        uint32_t d = ::emu::sfpu::fma_wh(::emu::sfpu::lut8_to_fp32((c >> 8) & 255), b, ::emu::sfpu::lut8_to_fp32(c & 255));
        r.l[l] = retain ? (d & 0x7FFFFFFFu) | (x & 0x80000000u) : d;
    }
    return r;
}
inline vFloat lut(vFloat v, vUInt l0, vUInt l1, vUInt l2, LutSign sign = LutSign::Retain) {
    return lut_impl(v, l0, l1, l2, sign == LutSign::Retain);
}
inline vFloat lut_sign(vFloat v, vUInt l0, vUInt l1, vUInt l2) { return lut_impl(v, l0, l1, l2, false); }
// SFPLUTFP32 with six fp16 segments: [0,.5) [.5,1) [1,1.5) [1.5,2) [2,3) [3,inf) of |x|.
inline vFloat lut(vFloat v, vUInt s01, vUInt i01, vUInt s23, vUInt i23, vUInt s45, vUInt i45, LutSign sign = LutSign::Retain) {
    impl_::sfpu_t r;
    for (int l = 0; l < impl_::kLanes; l++) {
        uint32_t x = v.lane(l), b = x & 0x7FFFFFFFu;
        uint32_t i = b < 0x3F800000u ? 0 : b < 0x40000000u ? 1 : 2;
        uint32_t j = b < 0x3F000000u ? 0 : b < 0x3F800000u ? 16 : b < 0x3FC00000u ? 0 : b < 0x40000000u ? 16 : b < 0x40400000u ? 0 : 16;
        uint32_t s = (i == 0 ? s01 : i == 1 ? s23 : s45).lane(l) >> j;
        uint32_t c = (i == 0 ? i01 : i == 1 ? i23 : i45).lane(l) >> j;
        uint32_t d = ::emu::sfpu::fma_wh(::emu::sfpu::lut16_to_fp32(s & 0xFFFF), b, ::emu::sfpu::lut16_to_fp32(c & 0xFFFF));
        r.l[l] = sign == LutSign::Retain ? (d & 0x7FFFFFFFu) | (x & 0x80000000u) : d;
    }
    return r;
}
inline vFloat lut2(vFloat v, vUInt a01, vUInt a23, vUInt a45, vUInt b01, vUInt b23, vUInt b45, int mode = 1) {
    if (mode != 1) ::emu::sfpu::fail("sfpi::lut2 table mode %d is not emulated", mode);
    return lut(v, a01, b01, a23, b23, a45, b45, LutSign::Retain);
}
inline vFloat lut2_sign(vFloat v, vUInt a01, vUInt a23, vUInt a45, vUInt b01, vUInt b23, vUInt b45, int mode = 1) {
    if (mode != 1) ::emu::sfpu::fail("sfpi::lut2 table mode %d is not emulated", mode);
    return lut(v, a01, b01, a23, b23, a45, b45, LutSign::Update);
}

// ---- conversions -----------------------------------------------------------------------------------------

class RoundMode {
public:
    // Wormhole rounds to nearest with ties away from zero; there is no round-to-zero.
    enum Values { NearestAway, Nearest = NearestAway, NearestStochastic };
    static constexpr Values NearestEven = NearestAway;
    static constexpr Values Stochastic = NearestStochastic;
    constexpr RoundMode(Values v) : v_(v) {}
    constexpr operator Values() const { return v_; }

private:
    Values v_;
};

namespace impl_ {
inline sfpu_t stoch_rnd(const sfpu_t& v, unsigned mod1, RoundMode rnd) {
    auto& s = ::emu::sfpu::state();
    sfpu_t r;
    for (int l = 0; l < kLanes; l++) r.l[l] = ::emu::sfpu::stoch_rnd(v.l[l], mod1, rnd == RoundMode::NearestStochastic, s.prng[l]);
    return r;
}
inline sfpu_t smag_to_float(const sfpu_t& v) { return map(v, [](uint32_t x) { return ::emu::sfpu::smag_to_fp32(x); }); }
inline sfpu_t int_to_smag(const sfpu_t& v) {
    return map(v, [](uint32_t x) { return (x >> 31) ? (0x80000000u | (0u - x)) : x; });
}
inline sfpu_t smag_to_int(const sfpu_t& v) {
    return map(v, [](uint32_t x) { return (x >> 31) ? 0u - (x & 0x7FFFFFFFu) : x; });
}
}  // namespace impl_

template <typename To, typename From, std::enable_if_t<std::is_base_of_v<vFloat, From>>* = nullptr>
inline To convert(From val, RoundMode rnd = RoundMode::NearestStochastic) {
    if constexpr (std::is_same_v<To, From> || std::is_same_v<To, vFloat>) return To(val.get());
    else if constexpr (std::is_same_v<To, vFloat16a>) return To(impl_::stoch_rnd(val.get(), SFPSTOCHRND_MOD1_FP32_TO_FP16A, rnd));
    else if constexpr (std::is_same_v<To, vFloat16b>) return To(impl_::stoch_rnd(val.get(), SFPSTOCHRND_MOD1_FP32_TO_FP16B, rnd));
    else if constexpr (std::is_same_v<To, vSMag16> || std::is_same_v<To, vSMag>) return To(impl_::stoch_rnd(val.get(), SFPSTOCHRND_MOD1_FP32_TO_INT16, rnd));
    else if constexpr (std::is_same_v<To, vUInt16>) return To(impl_::stoch_rnd(val.get(), SFPSTOCHRND_MOD1_FP32_TO_UINT16, rnd));
    else if constexpr (std::is_same_v<To, vSMag8>) return To(impl_::stoch_rnd(val.get(), SFPSTOCHRND_MOD1_FP32_TO_INT8, rnd));
    else if constexpr (std::is_same_v<To, vUInt8>) return To(impl_::stoch_rnd(val.get(), SFPSTOCHRND_MOD1_FP32_TO_UINT8, rnd));
    else static_assert(sizeof(To) == 0, "no Wormhole conversion from vFloat to this type");
}
template <typename To, typename From, std::enable_if_t<std::is_base_of_v<vSMag, From>>* = nullptr>
inline To convert(From val, RoundMode rnd = RoundMode::NearestStochastic) {
    if constexpr (std::is_same_v<To, From>) return val;
    else if constexpr (std::is_base_of_v<vFloat, To>) return convert<To>(vFloat(impl_::smag_to_float(val.get())), rnd);
    else if constexpr (std::is_same_v<To, vInt>) return vInt(impl_::smag_to_int(val.get()));
    else return To(val.get());
}
template <typename To, typename From, std::enable_if_t<std::is_base_of_v<vInt, From>>* = nullptr>
inline To convert(From val, RoundMode rnd = RoundMode::NearestStochastic) {
    if constexpr (std::is_same_v<To, From>) return val;
    else if constexpr (std::is_same_v<To, vSMag>) return vSMag(impl_::int_to_smag(val.get()));
    else if constexpr (std::is_base_of_v<vFloat, To>) return convert<To>(vSMag(impl_::int_to_smag(val.get())), rnd);
    else return To(val.get());
}
template <typename To, typename From, std::enable_if_t<std::is_base_of_v<vUInt, From> && !std::is_base_of_v<vInt, From>>* = nullptr>
inline To convert(From val, RoundMode rnd = RoundMode::NearestStochastic) {
    if constexpr (std::is_same_v<To, From>) return val;
    else if constexpr (std::is_same_v<To, vInt>) return vInt(val.get());
    else return convert<To>(vSMag(val.get()), rnd);
}

inline vFloat int32_to_float(vInt in, RoundMode = RoundMode::NearestStochastic) { return impl_::smag_to_float(in.get()); }
inline vFloat int32_to_float(vSMag in, RoundMode = RoundMode::NearestStochastic) { return impl_::smag_to_float(in.get()); }
inline vFloat float_to_fp16a(vFloat in, RoundMode r = RoundMode::NearestStochastic) { return impl_::stoch_rnd(in.get(), SFPSTOCHRND_MOD1_FP32_TO_FP16A, r); }
inline vFloat float_to_fp16b(vFloat in, RoundMode r = RoundMode::NearestStochastic) { return impl_::stoch_rnd(in.get(), SFPSTOCHRND_MOD1_FP32_TO_FP16B, r); }
inline vUInt float_to_uint16(vFloat in, RoundMode r = RoundMode::NearestStochastic) { return impl_::stoch_rnd(in.get(), SFPSTOCHRND_MOD1_FP32_TO_UINT16, r); }
inline vInt float_to_int16(vFloat in, RoundMode r = RoundMode::NearestStochastic) { return impl_::stoch_rnd(in.get(), SFPSTOCHRND_MOD1_FP32_TO_INT16, r); }
inline vUInt float_to_uint8(vFloat in, RoundMode r = RoundMode::NearestStochastic) { return impl_::stoch_rnd(in.get(), SFPSTOCHRND_MOD1_FP32_TO_UINT8, r); }
inline vInt float_to_int8(vFloat in, RoundMode r = RoundMode::NearestStochastic) { return impl_::stoch_rnd(in.get(), SFPSTOCHRND_MOD1_FP32_TO_INT8, r); }

// Horner's rule, c0 + x * (c1 + x * (...)), each step one SFPMAD.
inline vFloat polynomial(vFloat) { return 0.0f; }
template <typename C0, std::enable_if_t<std::is_base_of_v<vFloat, C0> || std::is_same_v<float, C0>>* = nullptr>
inline vFloat polynomial(vFloat, C0 c0) {
    return vFloat(c0);
}
template <typename C0, typename... Cs, std::enable_if_t<std::is_base_of_v<vFloat, C0> || std::is_same_v<float, C0>>* = nullptr>
inline vFloat polynomial(vFloat x, C0 c0, Cs... cs) {
    return vFloat(c0) + x * polynomial(x, cs...);
}

// SFPTRANSP of four vectors (4x4 transposes across the lane rows) and SFPSHFT2 rotate-by-one-lane.
template <typename T>
inline void subvec_transp(T& a, T& b, T& c, T& d) {
    T* v[4] = {&a, &b, &c, &d};
    impl_::sfpu_t in[4] = {a.get(), b.get(), c.get(), d.get()}, out[4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            for (int col = 0; col < 8; col++) out[i].l[j * 8 + col] = in[j].l[i * 8 + col];
    for (int i = 0; i < 4; i++) *v[i] = T(out[i]);
}
inline impl_::sfpu_t subvec_shflror1(const impl_::vVal& src) {
    impl_::sfpu_t s = src.get(), r;
    for (int l = 0; l < impl_::kLanes; l++) r.l[l] = (l & 7) ? s.l[l - 1] : s.l[l + 7];
    return r;
}

}  // namespace sfpi

// The builtin the wheel's trigonometry calls directly.
inline sfpi::impl_::sfpu_t __builtin_rvtt_sfpmad(sfpi::impl_::sfpu_t a, sfpi::impl_::sfpu_t b, sfpi::impl_::sfpu_t c, unsigned mod) {
    if (mod) ::emu::sfpu::fail("SFPMAD modifier %u does not exist on Wormhole", mod);
    return sfpi::impl_::fma(a, b, c);
}
