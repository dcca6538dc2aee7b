// sfpi's register files: dst_reg (DEST rows through SFPLOAD/SFPSTORE), l_reg (the eight LRegs TTI code
// shares with sfpi code) and the constant registers. Included by sfpi.h.
#pragma once

namespace sfpi {

enum class LRegs : uint8_t { LReg0, LReg1, LReg2, LReg3, LReg4, LReg5, LReg6, LReg7, LRegCount = SFP_LREG_COUNT };

// Packed coefficient pairs for lut(): two 8-bit (vLut8si) or two fp16 (vLut16ss slopes, vLut16ii intercepts)
// coefficients, the first for the lower half of each input interval.
namespace impl_ {
inline uint32_t lut8_encode(float f) {  // s eee mmmm: (-1)^s 2^-e (1 + m/16), 0xFF for zero
    uint32_t u = float_as_uint(f);
    if ((u & 0x7FFFFFFFu) == 0) return 0xFF;
    int e = 127 - int((u >> 23) & 255);
    if (e < 0 || e > 7) ::emu::sfpu::fail("lut coefficient %g is outside the 8-bit range", double(f));
    return ((u >> 31) << 7) | (uint32_t(e) << 4) | ((u >> 19) & 15);
}
inline uint32_t lut16_encode(float f) {  // fp16 whose exponent 31 means zero
    uint32_t u = float_as_uint(f);
    uint32_t s = (u >> 31) << 15;
    if ((u & 0x7FFFFFFFu) == 0) return s | (31u << 10);
    int e = int((u >> 23) & 255) - 112;
    if (e < 0 || e > 30) ::emu::sfpu::fail("lut coefficient %g is outside the fp16 range", double(f));
    uint32_t m = (u & 0x7FFFFF) + 0x1000;  // nearest
    if (m >> 23) m = 0, e++;
    return s | (uint32_t(e) << 10) | (m >> 13);
}
}  // namespace impl_

class vLut8si : public vUInt {
public:
    vLut8si(impl_::sfpu_t v) : vUInt(v) {}
    vLut8si(float a, float b) : vUInt((impl_::lut8_encode(a) << 8) | impl_::lut8_encode(b)) {}
};
class vLut16ss : public vUInt {
public:
    vLut16ss(impl_::sfpu_t v) : vUInt(v) {}
    vLut16ss(float lo, float hi) : vUInt(impl_::lut16_encode(lo) | (impl_::lut16_encode(hi) << 16)) {}
};
using vLut16ii = vLut16ss;
enum class LutSign { Update, Retain };

namespace impl_ {

class LRegFile {
public:
    class vReg {
        unsigned reg;

    public:
        constexpr explicit vReg(unsigned r) : reg(r) {}
        constexpr unsigned get() const { return reg; }
        // Written like an SFPMOV: only enabled lanes.
        sfpu_t operator=(vVal v) const {
            uint32_t m = ::emu::sfpu::lane_mask();
            auto& L = ::emu::sfpu::state().lreg[reg];
            sfpu_t x = v.get();
            for (int l = 0; l < kLanes; l++)
                if (m >> l & 1) L[l] = x.l[l];
            return x;
        }
        const vReg& operator=(const vReg& o) const {
            *this = vVal(sfpu_t(o));
            return *this;
        }
        operator sfpu_t() const {
            sfpu_t r;
            std::memcpy(r.l, ::emu::sfpu::state().lreg[reg], sizeof r.l);
            return r;
        }
        template <typename T, std::enable_if_t<std::is_base_of_v<vVal, T>>* = nullptr>
        operator T() const {
            return T(sfpu_t(*this));
        }
        void in_use() const {}
    };
    constexpr LRegFile() = default;
    vReg operator[](LRegs r) const { return vReg(unsigned(r)); }
};

// A constant register: reads give its 32 lanes; writes (SFPCONFIG) broadcast lane 0 of the value.
template <typename T>
class vCReg {
    unsigned reg;

public:
    constexpr explicit vCReg(unsigned r) : reg(r) {}
    operator T() const {
        sfpu_t r;
        std::memcpy(r.l, ::emu::sfpu::state().lreg[reg], sizeof r.l);
        return T(r);
    }
    void operator=(T t) const {
        uint32_t v = t.get().l[0];
        for (int l = 0; l < kLanes; l++) ::emu::sfpu::state().lreg[reg][l] = v;
    }
    template <typename U, std::enable_if_t<std::is_constructible_v<T, const U&> && !std::is_same_v<U, T>>* = nullptr>
    void operator=(U u) const {
        *this = T(u);
    }
};

// SFPLOAD/SFPSTORE format of each vector type and DEST layout (sfpi's defaults for Wormhole).
template <DataLayout Fmt, DataLayout Def>
constexpr DataLayout pick = Fmt != DataLayout::Default ? Fmt : Def;
constexpr unsigned load_mod(DataLayout f) {
    return f == DataLayout::FSrcB ? SFPLOAD_MOD0_FMT_SRCB
         : f == DataLayout::F32   ? SFPLOAD_MOD0_FMT_FP32
         : f == DataLayout::F16a  ? SFPLOAD_MOD0_FMT_FP16A
         : f == DataLayout::F16b  ? SFPLOAD_MOD0_FMT_FP16B
         : f == DataLayout::I32   ? SFPLOAD_MOD0_FMT_INT32
         : f == DataLayout::U32   ? SFPLOAD_MOD0_FMT_INT32
         : f == DataLayout::M32   ? SFPLOAD_MOD0_FMT_INT32
         : f == DataLayout::SM32  ? SFPLOAD_MOD0_FMT_SM32
         : f == DataLayout::U16   ? SFPLOAD_MOD0_FMT_UINT16
         : f == DataLayout::SM16  ? SFPLOAD_MOD0_FMT_INT16
         : f == DataLayout::LO16  ? SFPLOAD_MOD0_FMT_LO16
         : f == DataLayout::HI16  ? SFPLOAD_MOD0_FMT_HI16
                                  : ~0u;
}

template <DataLayout Fmt = DataLayout::Default>
class DstReg {
    int addr;
    int amode;

public:
    constexpr explicit DstReg(int a, int m = -1) : addr(a), amode(m) {}
    template <DataLayout NewFmt = DataLayout::Default>
    constexpr DstReg<NewFmt != DataLayout::Default ? NewFmt : Fmt> mode(int m = -1) const {
        return DstReg<NewFmt != DataLayout::Default ? NewFmt : Fmt>(addr, m >= 0 ? m : amode);
    }
    unsigned am() const { return amode < 0 ? SFPLOAD_ADDR_MODE_NOINC : unsigned(amode); }
    sfpu_t read(unsigned mod) const { return ::emu::sfpu::load(mod, unsigned(addr), am(), splat(0)); }
    void write(sfpu_t v, unsigned mod) const { ::emu::sfpu::store(v, mod, unsigned(addr), am()); }

    operator vFloat() const { return vFloat(read(load_mod(pick<Fmt, DataLayout::FSrcB>))); }
    operator vInt() const { return vInt(read(load_mod(pick<Fmt, DataLayout::SM32>))); }
    operator vUInt() const { return vUInt(read(load_mod(pick<Fmt, DataLayout::U32>))); }
    operator vSMag() const { return vSMag(read(load_mod(pick<Fmt, DataLayout::SM32>) == SFPLOAD_MOD0_FMT_SM32 ? SFPLOAD_MOD0_FMT_INT32 : load_mod(pick<Fmt, DataLayout::SM32>))); }
    operator vFloat16a() const { return vFloat16a(read(load_mod(pick<Fmt, DataLayout::F16a>))); }
    operator vFloat16b() const { return vFloat16b(read(load_mod(pick<Fmt, DataLayout::F16b>))); }
    operator vMag() const { return vMag(read(load_mod(pick<Fmt, DataLayout::M32>))); }
    operator vUInt16() const { return vUInt16(read(load_mod(pick<Fmt, DataLayout::U16>))); }

    void operator=(vFloat v) const { write(v.get(), load_mod(pick<Fmt, DataLayout::FSrcB>)); }
    void operator=(const vFloatMul& v) const { write(v.get(), load_mod(pick<Fmt, DataLayout::FSrcB>)); }
    void operator=(vFloat16a v) const { write(v.get(), load_mod(pick<Fmt, DataLayout::F16a>)); }
    void operator=(vFloat16b v) const { write(v.get(), load_mod(pick<Fmt, DataLayout::F16b>)); }
    void operator=(vInt v) const { write(v.get(), load_mod(pick<Fmt, DataLayout::SM32>)); }
    void operator=(vUInt v) const { write(v.get(), load_mod(pick<Fmt, DataLayout::U32>)); }
    void operator=(vMag v) const { write(v.get(), load_mod(pick<Fmt, DataLayout::M32>)); }
    void operator=(vUInt16 v) const { write(v.get(), load_mod(pick<Fmt, DataLayout::U16>)); }
    void operator=(vSMag v) const {
        constexpr DataLayout f = pick<Fmt, DataLayout::SM32>;
        write(v.get(), f == DataLayout::SM32 ? SFPSTORE_MOD0_FMT_INT32 : f == DataLayout::I32 ? SFPSTORE_MOD0_FMT_SM32 : load_mod(f));
    }
    void operator=(vSMag16 v) const { write(v.get(), SFPSTORE_MOD0_FMT_INT16); }
    void operator=(float f) const { *this = vFloat(f); }
    void operator=(const DstReg& o) const { *this = vFloat(o); }
    vFloat operator-() const { return -vFloat(*this); }
};

class DstRegFile {
public:
    constexpr DstRegFile() = default;
    constexpr DstReg<> operator[](int i) const { return DstReg<>(i * int(SFP_DESTREG_STRIDE)); }
    void operator++() const { *this += 1; }
    void operator++(int) const { *this += 1; }
    void operator+=(int n) const {
        auto& s = ::emu::sfpu::state();
        s.dst_rwc = (s.dst_rwc + uint32_t(n) * SFP_DESTREG_STRIDE) & 1023;
    }
};

}  // namespace impl_

// Tells sfpi's register allocator a block needs many LRegs; no effect here.
struct lreg_pressure {
    lreg_pressure() = default;
};

inline constexpr impl_::LRegFile l_reg;
inline constexpr impl_::DstRegFile dst_reg;

inline constexpr impl_::vCReg<vFloat> vConst0(CREG_IDX_0);
inline constexpr impl_::vCReg<vFloat> vConst1(CREG_IDX_1);
inline constexpr impl_::vCReg<vFloat> vConstNeg1(CREG_IDX_NEG_1);
inline constexpr impl_::vCReg<vFloat> vConst0p8373(CREG_IDX_0P837300003);
inline constexpr impl_::vCReg<vFloat> vConstFloatPrgm0(CREG_IDX_PRGM1);
inline constexpr impl_::vCReg<vFloat> vConstFloatPrgm1(CREG_IDX_PRGM2);
inline constexpr impl_::vCReg<vFloat> vConstFloatPrgm2(CREG_IDX_PRGM3);
inline constexpr impl_::vCReg<vInt> vConstIntPrgm0(CREG_IDX_PRGM1);
inline constexpr impl_::vCReg<vInt> vConstIntPrgm1(CREG_IDX_PRGM2);
inline constexpr impl_::vCReg<vInt> vConstIntPrgm2(CREG_IDX_PRGM3);
inline constexpr impl_::vCReg<vInt> vConstTileId(CREG_IDX_TILEID);

}  // namespace sfpi
