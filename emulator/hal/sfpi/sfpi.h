// SFPI (the SFPU's C++ programming interface, as sfpi 7.89 offers it to the wheel's ckernel_sfpu_*.h
// algorithms) for an x86 host: each vector value is 32 lanes of 32-bit words, every operation is the lane
// arithmetic of the SFP instruction sfpi's compiler emits for it (emu_sfpu.h), and assignments honour the
// lane predication of v_if/v_elseif/v_else/v_endif, which shares the condition codes with TTI_SFP* code.
//
// Two compiler behaviours are kept because they change results: `a * b + c` (and `c - a * b`, ...) written in
// one expression is one SFPMAD, rounded once; comparisons of floats subtract and test the sign (SFPSETCC on
// a difference that flushes to +0 when it underflows).
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

#include "emu_sfpu_insn.h"

#define sfpi_inline inline

namespace sfpi {

#include "sfpi_constants.h"

class vFloat;
class vInt;
class vUInt;
class vSMag;
class vBool;

enum class DataLayout { Default = 0, FSrcB, F32, F16a, F16b, I32, U32, U16, SM32, SM16, M32, LO16, HI16 };

namespace impl_ {

using sfpu_t = ::emu::sfpu::Vec;
using ::emu::sfpu::kLanes;

inline uint32_t float_as_uint(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
inline sfpu_t splat(uint32_t v) {
    sfpu_t r;
    for (int l = 0; l < kLanes; l++) r.l[l] = v;
    return r;
}
template <typename F>
inline sfpu_t map(const sfpu_t& a, F f) {
    sfpu_t r;
    for (int l = 0; l < kLanes; l++) r.l[l] = f(a.l[l]);
    return r;
}
template <typename F>
inline sfpu_t map(const sfpu_t& a, const sfpu_t& b, F f) {
    sfpu_t r;
    for (int l = 0; l < kLanes; l++) r.l[l] = f(a.l[l], b.l[l]);
    return r;
}
template <typename F>
inline uint32_t test(const sfpu_t& a, F f) {
    uint32_t m = 0;
    for (int l = 0; l < kLanes; l++) m |= uint32_t(bool(f(a.l[l]))) << l;
    return m;
}
template <typename F>
inline uint32_t test(const sfpu_t& a, const sfpu_t& b, F f) {
    uint32_t m = 0;
    for (int l = 0; l < kLanes; l++) m |= uint32_t(bool(f(a.l[l], b.l[l]))) << l;
    return m;
}

// A vector value. Assignment writes only the lanes the condition codes enable (sfpi's sfpassign_lv);
// construction writes all lanes.
class vVal {
    sfpu_t v;

public:
    vVal() : v(splat(0)) {}
    vVal(const vVal&) = default;
    vVal(sfpu_t x) : v(x) {}
    vVal& operator=(const vVal& o) {
        uint32_t m = ::emu::sfpu::lane_mask();
        for (int l = 0; l < kLanes; l++)
            if (m >> l & 1) v.l[l] = o.v.l[l];
        return *this;
    }
    sfpu_t get() const { return v; }
    uint32_t lane(int l) const { return v.l[l]; }
};

class vMagTag {};

}  // namespace impl_

// Scalars that initialise a vector with one SFPLOADI.
class sFloat16a {
    uint16_t val;

public:
    explicit sFloat16a(float) = delete;
    explicit sFloat16a(uint32_t v) : val(uint16_t(v)) {}
    explicit sFloat16a(int32_t v) : val(uint16_t(v)) {}
    uint32_t get() const { return val; }
};
class sFloat16b {
    uint16_t val;

public:
    explicit sFloat16b(float f) : val(uint16_t(impl_::float_as_uint(f) >> 16)) {}
    explicit sFloat16b(double f) : sFloat16b(float(f)) {}
    explicit sFloat16b(int32_t v) : val(uint16_t(v)) {}
    explicit sFloat16b(uint32_t v) : val(uint16_t(v)) {}
    uint32_t get() const { return val; }
};
using s2vFloat16a = sFloat16a;
using s2vFloat16b = sFloat16b;

class vFloat : public impl_::vVal {
public:
    vFloat() = default;
    vFloat(const vFloat&) = default;
    vFloat& operator=(const vFloat&) = default;
    vFloat(impl_::sfpu_t v) : vVal(v) {}
    vFloat(sFloat16a v);
    vFloat(sFloat16b v) : vVal(impl_::splat(v.get() << 16)) {}
    vFloat(float f) : vVal(impl_::splat(impl_::float_as_uint(f))) {}
    vFloat& operator+=(vFloat a);
    vFloat& operator-=(vFloat a);
    vFloat& operator*=(vFloat a);
    vFloat operator++(int) { vFloat t = *this; *this += 1.0f; return t; }
    vFloat operator++() { *this += 1.0f; return *this; }
    vFloat operator--(int) { vFloat t = *this; *this -= 1.0f; return t; }
    vFloat operator--() { *this -= 1.0f; return *this; }
};

inline vFloat::vFloat(sFloat16a v) : vVal(impl_::splat([&] {
    uint32_t h = v.get();
    return ((h & 0x8000u) << 16) | (((h & 0x7FFF) + (112u << 10)) << 13);
}())) {}

namespace impl_ {
inline sfpu_t fma(const sfpu_t& a, const sfpu_t& b, const sfpu_t& c) {
    sfpu_t r;
    for (int l = 0; l < kLanes; l++) r.l[l] = ::emu::sfpu::fma_wh(a.l[l], b.l[l], c.l[l]);
    return r;
}
inline sfpu_t neg(const sfpu_t& a) { return map(a, [](uint32_t x) { return x ^ 0x80000000u; }); }

// A product not yet rounded: added to or subtracted from another value in the same expression it becomes
// one SFPMAD; anywhere else it is the rounded product.
class vFloatMul : public vFloat {
public:
    sfpu_t a, b;
    vFloatMul(const sfpu_t& x, const sfpu_t& y) : vFloat(fma(x, y, splat(0))), a(x), b(y) {}
    // A template that deduced vFloatMul from a product rebuilds it from a plain value: value times one.
    vFloatMul(const sfpu_t& v) : vFloat(v), a(v), b(splat(::emu::sfpu::kOne)) {}
};
}  // namespace impl_

inline impl_::vFloatMul operator*(vFloat a, vFloat b) { return {a.get(), b.get()}; }
inline impl_::vFloatMul operator*(float a, vFloat b) { return {vFloat(a).get(), b.get()}; }
inline impl_::vFloatMul operator*(vFloat a, float b) { return {a.get(), vFloat(b).get()}; }
inline vFloat operator+(vFloat a) { return a; }
inline vFloat operator-(vFloat a) { return impl_::neg(a.get()); }
inline vFloat operator+(vFloat a, vFloat b) { return impl_::fma(impl_::splat(::emu::sfpu::kOne), a.get(), b.get()); }
inline vFloat operator-(vFloat a, vFloat b) { return impl_::fma(impl_::splat(::emu::sfpu::kOne), a.get(), impl_::neg(b.get())); }
inline vFloat operator+(float a, vFloat b) { return vFloat(a) + b; }
inline vFloat operator+(vFloat a, float b) { return a + vFloat(b); }
inline vFloat operator-(vFloat a, float b) { return a - vFloat(b); }
inline vFloat operator-(float a, vFloat b) { return vFloat(a) - b; }
inline vFloat operator+(const impl_::vFloatMul& m, vFloat c) { return impl_::fma(m.a, m.b, c.get()); }
inline vFloat operator+(vFloat c, const impl_::vFloatMul& m) { return impl_::fma(m.a, m.b, c.get()); }
inline vFloat operator+(const impl_::vFloatMul& m, float c) { return impl_::fma(m.a, m.b, vFloat(c).get()); }
inline vFloat operator+(float c, const impl_::vFloatMul& m) { return impl_::fma(m.a, m.b, vFloat(c).get()); }
inline vFloat operator+(const impl_::vFloatMul& m, const impl_::vFloatMul& n) { return impl_::fma(m.a, m.b, n.get()); }
inline vFloat operator-(const impl_::vFloatMul& m, vFloat c) { return impl_::fma(m.a, m.b, impl_::neg(c.get())); }
inline vFloat operator-(const impl_::vFloatMul& m, float c) { return impl_::fma(m.a, m.b, impl_::neg(vFloat(c).get())); }
inline vFloat operator-(vFloat c, const impl_::vFloatMul& m) { return impl_::fma(impl_::neg(m.a), m.b, c.get()); }
inline vFloat operator-(float c, const impl_::vFloatMul& m) { return impl_::fma(impl_::neg(m.a), m.b, vFloat(c).get()); }
inline vFloat operator-(const impl_::vFloatMul& m, const impl_::vFloatMul& n) { return impl_::fma(m.a, m.b, impl_::neg(n.get())); }
inline vFloat& vFloat::operator+=(vFloat a) { return *this = *this + a; }
inline vFloat& vFloat::operator-=(vFloat a) { return *this = *this - a; }
inline vFloat& vFloat::operator*=(vFloat a) { return *this = vFloat(*this * a); }

// ---- integer vectors -------------------------------------------------------------------------------------

class vInt : public impl_::vVal {
public:
    vInt() = default;
    vInt(const vInt&) = default;
    vInt& operator=(const vInt&) = default;
    vInt(impl_::sfpu_t v) : vVal(v) {}
    explicit vInt(const vUInt& v);
    vInt(int16_t v) : vVal(impl_::splat(uint32_t(int32_t(v)))) {}
    vInt(uint16_t v) : vVal(impl_::splat(v)) {}
    vInt(int32_t v) : vVal(impl_::splat(uint32_t(v))) {}
    vInt(uint32_t v) : vVal(impl_::splat(v)) {}
    vInt(long v) : vVal(impl_::splat(uint32_t(v))) {}
    vInt(unsigned long v) : vVal(impl_::splat(uint32_t(v))) {}
    operator vUInt() const;
    vInt& operator+=(vInt a);
    vInt& operator-=(vInt a);
    vInt& operator<<=(unsigned a);
    vInt& operator&=(vInt a);
    vInt& operator|=(vInt a);
    vInt& operator^=(vInt a);
    vInt operator++() { *this += vInt(1); return *this; }
    vInt operator++(int) { vInt t = *this; *this += vInt(1); return t; }
    vInt operator--() { *this -= vInt(1); return *this; }
    vInt operator--(int) { vInt t = *this; *this -= vInt(1); return t; }
};

class vUInt : public impl_::vVal {
public:
    vUInt() = default;
    vUInt(const vUInt&) = default;
    vUInt& operator=(const vUInt&) = default;
    vUInt(impl_::sfpu_t v) : vVal(v) {}
    explicit vUInt(const vInt& v) : vVal(v.get()) {}
    vUInt(int16_t v) : vVal(impl_::splat(uint32_t(int32_t(v)))) {}
    vUInt(uint16_t v) : vVal(impl_::splat(v)) {}
    vUInt(int32_t v) : vVal(impl_::splat(uint32_t(v))) {}
    vUInt(uint32_t v) : vVal(impl_::splat(v)) {}
    vUInt(long v) : vVal(impl_::splat(uint32_t(v))) {}
    vUInt(unsigned long v) : vVal(impl_::splat(uint32_t(v))) {}
    operator vInt() const { return vInt(get()); }
    vUInt& operator+=(vUInt a);
    vUInt& operator-=(vUInt a);
    vUInt& operator<<=(unsigned a);
    vUInt& operator>>=(unsigned a);
    vUInt& operator<<=(vUInt a);
    vUInt& operator>>=(vUInt a);
    vUInt& operator&=(vUInt a);
    vUInt& operator|=(vUInt a);
    vUInt& operator^=(vUInt a);
    vUInt operator++() { *this += vUInt(1); return *this; }
    vUInt operator++(int) { vUInt t = *this; *this += vUInt(1); return t; }
    vUInt operator--() { *this -= vUInt(1); return *this; }
    vUInt operator--(int) { vUInt t = *this; *this -= vUInt(1); return t; }
};
inline vInt::vInt(const vUInt& v) : vVal(v.get()) {}
inline vInt::operator vUInt() const { return vUInt(get()); }

// Sign-magnitude 32-bit integers.
class vSMag : public impl_::vVal {
public:
    vSMag() = default;
    vSMag(const vSMag&) = default;
    vSMag& operator=(const vSMag&) = default;
    explicit vSMag(impl_::sfpu_t v) : vVal(v) {}
    explicit vSMag(uint32_t v) : vVal(impl_::splat(v)) {}
};

namespace impl_ {
// Narrower element types held in the wider vector type.
template <typename Vector, typename Scalar>
class vNarrow : public Vector {
public:
    vNarrow() = default;
    vNarrow(const vNarrow&) = default;
    vNarrow& operator=(const vNarrow&) = default;
    explicit vNarrow(sfpu_t v) : Vector(v) {}
    explicit vNarrow(const Vector& v) : Vector(v) {}
    template <typename T, std::enable_if_t<std::is_same_v<T, Scalar> || (std::is_integral_v<T> && std::is_integral_v<Scalar>)>* = nullptr>
    explicit vNarrow(T v) : Vector(Scalar(v)) {}
};
}  // namespace impl_
using vFloat16a = impl_::vNarrow<vFloat, sFloat16a>;
using vFloat16b = impl_::vNarrow<vFloat, sFloat16b>;
using vMag = impl_::vNarrow<vUInt, uint32_t>;
using vUInt16 = impl_::vNarrow<vMag, uint16_t>;
using vUInt8 = impl_::vNarrow<vUInt16, uint8_t>;
using vSMag16 = impl_::vNarrow<vSMag, void>;
using vSMag8 = impl_::vNarrow<vSMag16, void>;

namespace impl_ {
inline sfpu_t iadd(const sfpu_t& a, const sfpu_t& b) { return map(a, b, [](uint32_t x, uint32_t y) { return x + y; }); }
inline sfpu_t isub(const sfpu_t& a, const sfpu_t& b) { return map(a, b, [](uint32_t x, uint32_t y) { return x - y; }); }
// SFPSHFT: positive amounts shift left, negative ones logically right (Wormhole has no arithmetic shift).
inline sfpu_t shift(const sfpu_t& a, const sfpu_t& amt) {
    return map(a, amt, [](uint32_t v, uint32_t s) {
        int32_t n = int32_t(s);
        uint32_t k = (n >= 0 ? uint32_t(n) : 0u - uint32_t(n)) & 31;
        return n >= 0 ? v << k : v >> k;
    });
}
}  // namespace impl_

#define SFPI_EMU_INT_OPS(T)                                                                                   \
    inline T operator+(T a) { return a; }                                                                     \
    inline T operator+(T a, T b) { return T(impl_::iadd(a.get(), b.get())); }                                \
    inline T operator-(T a, T b) { return T(impl_::isub(a.get(), b.get())); }                                \
    inline T operator-(T a) { return T(impl_::isub(impl_::splat(0), a.get())); }                             \
    inline T operator~(T a) { return T(impl_::map(a.get(), [](uint32_t x) { return ~x; })); }                \
    inline T operator&(T a, T b) { return T(impl_::map(a.get(), b.get(), [](uint32_t x, uint32_t y) { return x & y; })); } \
    inline T operator|(T a, T b) { return T(impl_::map(a.get(), b.get(), [](uint32_t x, uint32_t y) { return x | y; })); } \
    inline T operator^(T a, T b) { return T(impl_::map(a.get(), b.get(), [](uint32_t x, uint32_t y) { return x ^ y; })); } \
    inline T operator<<(T a, unsigned n) { return T(impl_::shift(a.get(), impl_::splat(n))); }              \
    inline T operator<<(T a, vUInt n) { return T(impl_::shift(a.get(), n.get())); }                          \
    inline T operator+(T a, int32_t b) { return a + T(b); }                                                   \
    inline T operator-(T a, int32_t b) { return a - T(b); }                                                   \
    inline T operator+(int32_t a, T b) { return T(a) + b; }                                                   \
    inline T operator-(int32_t a, T b) { return T(a) - b; }                                                   \
    inline T operator&(T a, int32_t b) { return a & T(b); }                                                   \
    inline T operator|(T a, int32_t b) { return a | T(b); }                                                   \
    inline T operator^(T a, int32_t b) { return a ^ T(b); }                                                   \
    inline T operator&(T a, uint32_t b) { return a & T(b); }                                                  \
    inline T operator|(T a, uint32_t b) { return a | T(b); }                                                  \
    inline T operator^(T a, uint32_t b) { return a ^ T(b); }                                                  \
    inline T& T::operator+=(T a) { return *this = *this + a; }                                               \
    inline T& T::operator-=(T a) { return *this = *this - a; }                                                \
    inline T& T::operator<<=(unsigned a) { return *this = *this << a; }                                       \
    inline T& T::operator&=(T a) { return *this = *this & a; }                                                \
    inline T& T::operator|=(T a) { return *this = *this | a; }                                                \
    inline T& T::operator^=(T a) { return *this = *this ^ a; }

SFPI_EMU_INT_OPS(vInt)
SFPI_EMU_INT_OPS(vUInt)
#undef SFPI_EMU_INT_OPS

inline vUInt operator>>(vUInt a, unsigned n) { return vUInt(impl_::shift(a.get(), impl_::splat(0u - n))); }
inline vUInt operator>>(vUInt a, int n) { return a >> unsigned(n); }
inline vUInt operator>>(vUInt a, vUInt n) { return vUInt(impl_::shift(a.get(), impl_::isub(impl_::splat(0), n.get()))); }
inline vUInt& vUInt::operator>>=(unsigned a) { return *this = *this >> a; }
inline vUInt& vUInt::operator>>=(vUInt a) { return *this = *this >> a; }
inline vUInt& vUInt::operator<<=(vUInt a) { return *this = *this << a; }
inline vMag operator>>(vMag a, unsigned n) { return vMag(impl_::shift(a.get(), impl_::splat(0u - n))); }
inline vMag operator>>(vMag a, int n) { return a >> unsigned(n); }
inline vMag operator&(vMag a, vMag b) { return vMag((vUInt(a) & vUInt(b)).get()); }
inline vMag operator&(vMag a, unsigned b) { return vMag((vUInt(a) & b).get()); }
inline vMag operator&(vMag a, int b) { return vMag((vUInt(a) & b).get()); }
inline vUInt operator&(vUInt a, vInt b) { return a & vUInt(b); }
inline vUInt operator&(vInt a, vUInt b) { return vUInt(a) & b; }
inline vUInt operator|(vUInt a, vInt b) { return a | vUInt(b); }
inline vUInt operator|(vInt a, vUInt b) { return vUInt(a) | b; }
inline vUInt operator^(vUInt a, vInt b) { return a ^ vUInt(b); }
inline vUInt operator^(vInt a, vUInt b) { return vUInt(a) ^ b; }
inline vUInt operator-(vUInt a, vInt b) { return a - vUInt(b); }
inline vInt operator+(vInt a, vMag b) { return a + vInt(b.get()); }
inline vInt operator+(vMag a, vInt b) { return vInt(a.get()) + b; }
inline vInt operator-(vInt a, vMag b) { return a - vInt(b.get()); }
inline vInt operator-(vMag a, vInt b) { return vInt(a.get()) - b; }
inline vUInt operator+(vUInt a, vMag b) { return a + vUInt(b.get()); }
inline vUInt operator+(vMag a, vUInt b) { return vUInt(a.get()) + b; }
inline vUInt operator-(vUInt a, vMag b) { return a - vUInt(b.get()); }
inline vUInt operator-(vMag a, vUInt b) { return vUInt(a.get()) - b; }
inline vInt operator&(int32_t a, vInt b) { return vInt(a) & b; }
inline vInt operator|(int32_t a, vInt b) { return vInt(a) | b; }
inline vInt operator^(int32_t a, vInt b) { return vInt(a) ^ b; }
inline vInt operator&(uint32_t a, vInt b) { return vInt(a) & b; }
inline vInt operator|(uint32_t a, vInt b) { return vInt(a) | b; }
inline vInt operator^(uint32_t a, vInt b) { return vInt(a) ^ b; }
inline vUInt operator&(uint32_t a, vUInt b) { return vUInt(a) & b; }
inline vUInt operator|(uint32_t a, vUInt b) { return vUInt(a) | b; }
inline vUInt operator^(uint32_t a, vUInt b) { return vUInt(a) ^ b; }
inline vUInt operator&(vSMag a, unsigned b) { return vUInt(a.get()) & b; }

// ---- predication -----------------------------------------------------------------------------------------

// A lane mask: the lanes where a condition holds.
class vBool {
    uint32_t lanes_;

public:
    explicit vBool(uint32_t lanes) : lanes_(lanes) {}
    vBool(const vInt& v) : lanes_(impl_::test(v.get(), [](uint32_t x) { return x != 0; })) {}
    vBool(const vUInt& v) : lanes_(impl_::test(v.get(), [](uint32_t x) { return x != 0; })) {}
    uint32_t lanes() const { return lanes_; }
};
inline vBool operator&&(vBool a, vBool b) { return vBool(a.lanes() & b.lanes()); }
inline vBool operator||(vBool a, vBool b) { return vBool(a.lanes() | b.lanes()); }
inline vBool operator!(vBool a) { return vBool(~a.lanes()); }
// A hint to sfpi's compiler about where the condition is evaluated; no effect on the lanes.
inline vBool nearby(vBool a) { return a; }

namespace impl_ {
// Float compares: a difference (Wormhole SFPADD, so an underflow is +0) and a sign/zero test of its bits.
inline sfpu_t fdiff(const sfpu_t& a, const sfpu_t& b) { return fma(splat(::emu::sfpu::kOne), a, neg(b)); }
inline bool neg_bits(uint32_t x) { return x >> 31; }

class CC {
    int depth = 0;

public:
    CC() = default;
    CC(const CC&) = delete;
    ~CC() {
        while (depth > 0) {
            ::emu::sfpu::pop_cc();
            depth--;
        }
    }
    CC& push() {
        ::emu::sfpu::push_cc();
        depth++;
        return *this;
    }
    CC& if_() { return *this; }
    CC& else_() {
        ::emu::sfpu::comp_cc();
        return *this;
    }
    void cond(vBool b) { ::emu::sfpu::and_cc(b.lanes()); }
};
}  // namespace impl_

#define SFPI_EMU_FLOAT_CMP(OP, EXPR_ZERO, EXPR)                                                               \
    inline vBool operator OP(vFloat a, vFloat b) {                                                            \
        auto d = impl_::fdiff(a.get(), b.get());                                                              \
        return vBool(impl_::test(d, [](uint32_t x) { return EXPR; }));                                       \
    }                                                                                                         \
    inline vBool operator OP(vFloat a, float b) {                                                             \
        if (b == 0.0f) return vBool(impl_::test(a.get(), [](uint32_t x) { return EXPR_ZERO; }));             \
        return a OP vFloat(b);                                                                                \
    }
// Against zero the value itself is tested, as an integer: -0 counts as negative, and as not equal to 0.
SFPI_EMU_FLOAT_CMP(<, impl_::neg_bits(x), impl_::neg_bits(x))
SFPI_EMU_FLOAT_CMP(>=, !impl_::neg_bits(x), !impl_::neg_bits(x))
SFPI_EMU_FLOAT_CMP(==, x == 0, x == 0)
SFPI_EMU_FLOAT_CMP(!=, x != 0, x != 0)
SFPI_EMU_FLOAT_CMP(>, !impl_::neg_bits(x) && x != 0, !impl_::neg_bits(x) && x != 0)
SFPI_EMU_FLOAT_CMP(<=, impl_::neg_bits(x) || x == 0, impl_::neg_bits(x) || x == 0)
#undef SFPI_EMU_FLOAT_CMP
inline vBool operator<(float a, vFloat b) { return b > a; }
inline vBool operator>(float a, vFloat b) { return b < a; }
inline vBool operator<=(float a, vFloat b) { return b >= a; }
inline vBool operator>=(float a, vFloat b) { return b <= a; }
inline vBool operator==(float a, vFloat b) { return b == a; }
inline vBool operator!=(float a, vFloat b) { return b != a; }

// Integer compares: the sign of the wrapped difference (SFPIADD), as the hardware does.
#define SFPI_EMU_INT_CMP(T, S)                                                                                \
    inline vBool operator<(T a, T b) { return vBool(impl_::test(a.get(), b.get(), [](uint32_t x, uint32_t y) { return S##_lt(x, y); })); } \
    inline vBool operator>=(T a, T b) { return !(a < b); }                                                   \
    inline vBool operator==(T a, T b) { return vBool(impl_::test(a.get(), b.get(), [](uint32_t x, uint32_t y) { return x == y; })); } \
    inline vBool operator!=(T a, T b) { return !(a == b); }                                                  \
    inline vBool operator>(T a, T b) { return !(a < b || a == b); }                                          \
    inline vBool operator<=(T a, T b) { return a < b || a == b; }                                            \
    inline vBool operator<(T a, int32_t b) { return a < T(b); }                                              \
    inline vBool operator>=(T a, int32_t b) { return a >= T(b); }                                            \
    inline vBool operator==(T a, int32_t b) { return a == T(b); }                                            \
    inline vBool operator!=(T a, int32_t b) { return a != T(b); }                                            \
    inline vBool operator>(T a, int32_t b) { return a > T(b); }                                              \
    inline vBool operator<=(T a, int32_t b) { return a <= T(b); }                                            \
    inline vBool operator<(T a, uint32_t b) { return a < T(b); }                                             \
    inline vBool operator>=(T a, uint32_t b) { return a >= T(b); }                                           \
    inline vBool operator==(T a, uint32_t b) { return a == T(b); }                                           \
    inline vBool operator!=(T a, uint32_t b) { return a != T(b); }                                           \
    inline vBool operator>(T a, uint32_t b) { return a > T(b); }                                             \
    inline vBool operator<=(T a, uint32_t b) { return a <= T(b); }
namespace impl_ {
inline bool int_lt(uint32_t x, uint32_t y) { return (x - y) >> 31; }
inline bool uint_lt(uint32_t x, uint32_t y) { return x < y; }
}  // namespace impl_
SFPI_EMU_INT_CMP(vInt, impl_::int)
SFPI_EMU_INT_CMP(vUInt, impl_::uint)
#undef SFPI_EMU_INT_CMP
inline vBool operator==(vSMag a, vSMag b) { return vBool(impl_::test(a.get(), b.get(), [](uint32_t x, uint32_t y) { return x == y; })); }
inline vBool operator!=(vSMag a, vSMag b) { return !(a == b); }
inline vBool operator==(vSMag a, int b) { return a == vSMag(b < 0 ? (0x80000000u | uint32_t(-b)) : uint32_t(b)); }
inline vBool operator!=(vSMag a, int b) { return !(a == b); }
inline vBool operator==(vSMag a, unsigned b) { return a == vSMag(uint32_t(b)); }
inline vBool operator!=(vSMag a, unsigned b) { return !(a == b); }
inline vBool operator<(vInt a, vMag b) { return a < vInt(b.get()); }
inline vBool operator>=(vInt a, vMag b) { return a >= vInt(b.get()); }

}  // namespace sfpi

#define v_if(x)                       \
    {                                 \
        ::sfpi::impl_::CC __cc;       \
        __cc.push().if_().cond(x);    \
        {
#define v_elseif(x)                   \
    }                                 \
    __cc.else_().push().if_().cond(x); \
    {
#define v_else      \
    }               \
    __cc.else_();   \
    {
#define v_endif \
    }           \
    }
#define v_block                 \
    {                           \
        ::sfpi::impl_::CC __cc; \
        __cc.push();
#define v_and(x) __cc.if_().cond(x)
#define v_endblock }

#include "sfpi_regs.h"
#include "sfpi_lib.h"
