// The Wormhole SFPU of one TRISC_MATH thread: 32 lanes, LRegs, the condition-code stack, the DEST row counter
// and address modifiers it walks DEST with, and the lane arithmetic of each SFP instruction.
//
// The numerics are Wormhole's, not IEEE's (facts from tenstorrent/ttsim, the bit-exact reference):
// - SFPMAD/SFPADD/SFPMUL: inputs with exponent 0 are zero; the product is kept to 3 guard bits plus a sticky
//   bit before the addend is aligned; results round to nearest-even and an underflowing result is +0 (the sign
//   is lost); NaN results carry mantissa 1 and the sign of the product (or of a NaN addend).
// - SFPSTORE to a bf16 DEST truncates (no rounding) after flushing denormals; SFP_STOCH_RND to bf16 rounds
//   half away from zero (sfpi's RoundMode::Nearest is NearestAway on Wormhole).
// Lane l addresses DEST row (addr & ~3) + l / 8, column 2 * (l % 8) + bit 1 of addr: one SFPLOAD covers the
// even or odd columns of four rows, so dst_reg++ (two rows) alternates between them.
#pragma once

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

// DEST as the runtime holds it, one 32-bit word per datum; row r of the MATH thread's DEST is the 16 words at
// base + 16 * r, counted from the start of the whole register (tile t, face f, row i: r = 64 t + 16 f + i).
// A 16-bit DEST (DST_ACCUM_MODE off) keeps each datum in the upper half of its word, the lower half zero.
struct EmuSfpuDest {
    uint32_t* base;
    uint32_t rows;
    int fp32;  // ALU_ACC_CTRL_SFPU_Fp32_enabled: DEST holds 32-bit data
};
extern "C" EmuSfpuDest emu_sfpu_dest(void);
// Stops the kernel with a message (the runtime names the core, RISC and kernel line).
extern "C" [[noreturn]] void emu_sfpu_fail(const char* message);

namespace emu::sfpu {

constexpr int kLanes = 32;

struct Vec {
    uint32_t l[kLanes];
};

[[noreturn]] inline void fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
inline void fail(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    emu_sfpu_fail(buf);
}

struct AddrMod {
    int incr = 0;
    bool cr = false, clr = false, c_to_cr = false;
};

struct State {
    uint32_t lreg[16][kLanes];
    uint32_t cc = 0xFFFFFFFFu;
    bool cc_en = true;
    uint32_t cc_stack[8];
    bool cc_en_stack[8];
    int cc_sp = 0;
    uint32_t prng[kLanes];
    uint32_t lane_config = 0;
    // MATH thread's DEST row counter and its configuration registers.
    uint32_t dst_rwc = 0, dst_rwc_cr = 0;
    uint32_t math_offset = 0;
    bool addr_mod_base = false;
    AddrMod addr_mod[8];
    // REPLAY: recorded instruction words of the replay buffer.
    uint32_t replay_buf[32] = {};
    int replay_rec_left = 0, replay_rec_pos = 0;
    bool replay_exec_while_rec = false;

    State() {
        std::memset(lreg, 0, sizeof lreg);
        for (int l = 0; l < kLanes; l++) {
            lreg[8][l] = 0x3F56594Bu;   // 0.8373
            lreg[10][l] = 0x3F800000u;  // 1.0
            lreg[11][l] = 0xBF800000u;  // -1.0 (programmable)
            lreg[12][l] = 0x3B000000u;  // programmable constants' reset values
            lreg[13][l] = 0xBF2CC4C7u;
            lreg[14][l] = 0xBEB08FF9u;
            lreg[15][l] = uint32_t(l) << 1;  // tile id
        }
        uint32_t seed = 0x5EED1234u;
        for (int l = 0; l < kLanes; l++) prng[l] = seed = seed * 1664525u + 1013904223u;
    }
};

inline State& state() {
    static thread_local State s;
    return s;
}

// Lanes an SFPU instruction writes: the condition codes when enabled.
inline uint32_t lane_mask() {
    State& s = state();
    return s.cc_en ? s.cc : 0xFFFFFFFFu;
}

inline uint32_t step_prng(uint32_t x) {
    uint32_t taps = __builtin_popcount(x & 0x80200003u);
    return (~taps << 31) | (x >> 1);
}

// ---- lane arithmetic -------------------------------------------------------------------------------------

// Wormhole SFPU fused multiply-add x * y + z on fp32 bit patterns. The hot path of every SFPU algorithm: the
// special cases (Inf/NaN operands, product overflow) are kept out of line.
uint32_t fma_wh_special(uint32_t x, uint32_t y, uint32_t z);

// Aligns a magnitude right by s bits; the bits shifted out fold into bit 0 only while something survives.
inline __attribute__((always_inline)) uint32_t fma_align(uint32_t v, int32_t s) {
    if (s >= 32) return 0;
    uint32_t r = v >> s;
    return r ? r | uint32_t((r << s) != v) : 0;
}

// The sum and rounding once the operands are on the 26-fraction-bit grid: pm (product, exponent pe) and zm
// (addend, exponent ze), `nan` the NaN result to return when the inputs already made one.
inline __attribute__((always_inline)) uint32_t fma_sum(uint32_t pm, int32_t pe, uint32_t ps, uint32_t zm, int32_t ze,
                                                       uint32_t zs, uint32_t nan) {
    int32_t re = pe > ze ? pe : ze;
    if (pe < re) pm = fma_align(pm, re - pe);
    if (ze < re) zm = fma_align(zm, re - ze);
    uint32_t rs = pm >= zm ? ps : zs;
    uint32_t rm = ps == zs ? pm + zm : (pm >= zm ? pm - zm : zm - pm);
    if (rm == 0) return nan;
    int32_t n = 5 - __builtin_clz(rm);  // leading bit to bit 26: 24 bits and 3 guard bits
    re += n;
    if (re >= 255) return nan ? nan : (rs | 0x7F800000u);
    if (re < 0) return nan;
    rm = n <= 0 ? rm << -n : (rm >> n) | (rm & 1);
    uint32_t r = (uint32_t(re) << 23) + ((rm >> 3) & 0x7FFFFF);
    r += uint32_t(((rm & 7) + (r & 1)) > 4);  // nearest even on the guard bits
    if (!(r >> 23)) return nan;               // an exponent field of 0 flushes to +0, sign dropped
    return (nan ? nan : rs) | r;
}

inline __attribute__((always_inline)) uint32_t fma_wh(uint32_t x, uint32_t y, uint32_t z) {
    int32_t xe = (x >> 23) & 255, ye = (y >> 23) & 255, ze = (z >> 23) & 255;
    int32_t pe = xe + ye - 127;
    if (__builtin_expect(xe == 255 || ye == 255 || ze == 255 || pe >= 255, 0)) return fma_wh_special(x, y, z);
    if (xe == 0 || ye == 0 || pe < 0) return ze ? z : 0;  // no product: z, or +0 for a zero/denormal z
    uint64_t full = uint64_t((x & 0x7FFFFF) | 0x800000) * ((y & 0x7FFFFF) | 0x800000);
    uint32_t pm = uint32_t(full >> 20) | uint32_t((full & 0xFFFFF) != 0);  // 26 fraction bits + sticky
    uint32_t zm = ze ? ((z & 0x7FFFFF) | 0x800000) << 3 : 0;
    return fma_sum(pm, pe, (x ^ y) & 0x80000000u, zm, ze, z & 0x80000000u, 0);
}

inline uint32_t fma_wh_special(uint32_t x, uint32_t y, uint32_t z) {
    int32_t xe = (x >> 23) & 255, ye = (y >> 23) & 255, ze = (z >> 23) & 255;
    uint32_t xm = xe ? (x & 0x7FFFFF) | 0x800000 : 0;
    uint32_t ym = ye ? (y & 0x7FFFFF) | 0x800000 : 0;
    uint32_t zm = ze ? ((z & 0x7FFFFF) | 0x800000) << 3 : 0;
    uint32_t zs = z & 0x80000000u, ps = (x ^ y) & 0x80000000u;
    int32_t pe = xe + ye - 127;
    bool x_inf = xe == 255 && xm == 0x800000, y_inf = ye == 255 && ym == 0x800000;
    bool z_inf = ze == 255 && zm == (0x800000u << 3);
    uint32_t nan;
    if ((xe == 255 && (!x_inf || ym == 0)) || (ye == 255 && (!y_inf || xm == 0)) ||
        (z_inf && (xe == 255 || ye == 255 || pe >= 255) && zs != ps)) {
        nan = ps | 0x7F800001u;
    } else if (ze == 255 && !z_inf) {
        nan = zs | 0x7F800001u;
    } else if (ze == 255) {
        return z;
    } else {
        return ps | 0x7F800000u;
    }
    // A NaN result still runs the datapath: magnitude bits of the sum leak into its mantissa.
    if (pe > 255) pe = 255;
    uint64_t full = uint64_t(xm) * ym;
    uint32_t pm = uint32_t(full >> 20) | uint32_t((full & 0xFFFFF) != 0);
    if (pm == 0 || pe < 0) pm = 0, pe = 0;
    return fma_sum(pm, pe, ps, zm, ze, zs, nan);
}

constexpr uint32_t kOne = 0x3F800000u;

inline uint32_t flush_denormal(uint32_t u) { return (u & 0x7FFFFFFFu) < 0x800000u ? (u & 0x80000000u) : u; }

// Sign-magnitude bits as an integer of the same order (-0 below +0, NaNs beyond the infinities).
inline int32_t total_order(uint32_t x) { return (x & 0x80000000u) ? int32_t(x ^ 0x7FFFFFFFu) : int32_t(x); }

// SFPLUT's 8-bit coefficient: s eee mmmm = (-1)^s 2^-e (1 + m/16); 0xFF is zero.
inline uint32_t lut8_to_fp32(uint32_t x) {
    if (x == 255) return 0;
    return ((x >> 7) << 31) | ((127 - ((x >> 4) & 7)) << 23) | ((x & 15) << 19);
}
// SFPLUTFP32's 16-bit coefficient: fp16 with exponent 31 meaning zero and no infinities.
inline uint32_t lut16_to_fp32(uint32_t x) {
    uint32_t e = (x >> 10) & 31;
    return ((x >> 15) << 31) | ((e == 31 ? 0 : 112 + e) << 23) | ((x & 0x3FF) << 13);
}

// SFPCAST: sign-magnitude int32 to fp32, round to nearest even.
inline uint32_t smag_to_fp32(uint32_t src) {
    uint32_t dst = src & 0x80000000u;
    uint32_t mag = src & 0x7FFFFFFFu;
    if (!mag) return dst;
    uint32_t lz = __builtin_clz(mag);
    mag <<= lz;
    dst |= ((157 - lz) << 23) + (mag >> 8);
    if ((mag & 0x80) && (mag & 0x17F)) dst++;
    return dst;
}

// SFP_STOCH_RND conversions. `rnd` = 0: nearest (ties away), 1: stochastic with the lane's PRNG.
inline uint32_t stoch_rnd(uint32_t src, unsigned mod1, unsigned rnd, uint32_t& prng) {
    prng = step_prng(prng);
    uint32_t noise = rnd == 1 ? prng : 0;
    switch (mod1) {
    case 0: {  // fp32 -> fp16a, kept in fp32 format
        uint32_t e = (src >> 23) & 255;
        if (e == 0) return 0;
        if (e == 255) return src & 0xFF800000u;
        uint32_t inc = rnd == 1 ? (noise & 0x1FFF) : 0x1000;
        uint32_t r = (src + inc) & ~0x1FFFu;
        return r;
    }
    case 1: {  // fp32 -> bf16, kept in fp32 format
        uint32_t e = (src >> 23) & 255;
        if (e == 0) return 0;
        if (e == 255) return src & 0xFF800000u;
        uint32_t low = src & 0xFFFF;
        src -= low;
        if (rnd == 1 ? (low > (noise & 0xFFFF)) : (low >= 0x8000)) src += 0x10000;
        return src;
    }
    case 2: case 3: case 6: case 7: {  // fp32 -> [u]int8 / [u]int16 (sign-magnitude when signed)
        bool keep_sign = mod1 & 1;
        uint32_t maxm = mod1 == 6 ? 65535 : mod1 == 7 ? 32767 : mod1 == 2 ? 255 : 127;
        uint32_t sign = keep_sign ? (src & 0x80000000u) : 0;
        int32_t e = int32_t((src >> 23) & 255) - 127;
        if (e < -1) return 0;
        if (e >= 16) return sign | maxm;
        uint64_t mag = 0x800000u | (src & 0x7FFFFF);
        mag = e >= 0 ? mag << e : mag >> -e;
        uint64_t frac = mag & 0x7FFFFF;
        mag = (mag >> 23) + (rnd == 1 ? uint64_t(frac > (noise & 0x7FFFFF)) : uint64_t(frac >= 0x400000));
        if (mag > maxm) mag = maxm;
        if (mag == 0) sign = 0;
        return sign + uint32_t(mag);
    }
    default:
        fail("SFP_STOCH_RND mode %u (integer descale) is not emulated", mod1);
    }
}

// ---- DEST access -----------------------------------------------------------------------------------------

inline uint32_t* dest_word(uint32_t row, uint32_t col) {
    EmuSfpuDest d = emu_sfpu_dest();
    if (!d.base) fail("SFPU accessed DEST while no DEST is bound to this MATH thread");
    if (row >= d.rows) fail("SFPU DEST row %u is outside DEST (%u rows)", row, d.rows);
    return d.base + row * 16 + col;
}

inline void update_dst_rwc(unsigned addr_mode) {
    State& s = state();
    if (addr_mode > 3) fail("SFPU address mode %u (Wormhole has 2 bits)", addr_mode);
    const AddrMod& m = s.addr_mod[addr_mode + (s.addr_mod_base ? 4 : 0)];
    if (m.c_to_cr) {
        s.dst_rwc = (s.dst_rwc + m.incr) & 1023;
        s.dst_rwc_cr = s.dst_rwc;
    } else if (m.clr) {
        s.dst_rwc = s.dst_rwc_cr = 0;
    } else if (m.cr) {
        s.dst_rwc = s.dst_rwc_cr = (s.dst_rwc_cr + m.incr) & 1023;
    } else {
        s.dst_rwc = (s.dst_rwc + m.incr) & 1023;
    }
}

inline uint32_t dest_row_of(uint32_t addr) {
    State& s = state();
    uint32_t row = (s.dst_rwc + addr + s.math_offset) & 1023;
    if (row & 1) fail("SFPU DEST address %u is odd", row);
    return row;
}

// Default DEST format of SFPLOAD/SFPSTORE mode 0: fp32 with a 32-bit DEST, else bf16.
inline unsigned default_mod(unsigned mod0) {
    if (mod0) return mod0;
    return emu_sfpu_dest().fp32 ? 3 : 2;
}

inline uint32_t read16(uint32_t row, uint32_t col) { return *dest_word(row, col) >> 16; }
inline void write16(uint32_t row, uint32_t col, uint32_t v) { *dest_word(row, col) = (v & 0xFFFF) << 16; }

// SFPLOAD: one DEST word into the LReg format the mode names. `old` is the lane's previous LReg value.
inline uint32_t load_lane(unsigned mod0, uint32_t row, uint32_t col, uint32_t old) {
    switch (mod0) {
    case 1: {  // fp16a
        uint32_t v = read16(row, col);
        uint32_t e = (v >> 10) & 31;
        return ((v >> 15) << 31) | ((e ? e + 112 : 0) << 23) | ((v & 0x3FF) << 13);
    }
    case 2: return read16(row, col) << 16;  // bf16
    case 3: case 4: return *dest_word(row, col);
    case 6: return read16(row, col);
    case 12: {  // sign-magnitude in DEST to two's complement
        uint32_t v = *dest_word(row, col);
        return (v & 0x80000000u) ? uint32_t(-int32_t(v & 0x7FFFFFFFu)) : v;
    }
    case 14: return (old & 0xFFFF0000u) | read16(row, col);
    case 15: return (read16(row, col) << 16) | (old & 0xFFFF);
    default: fail("SFPLOAD format mode %u is not emulated", mod0);
    }
}

inline void store_lane(unsigned mod0, uint32_t row, uint32_t col, uint32_t v) {
    switch (mod0) {
    case 1: {  // fp16a: exponent rebias, out-of-range saturates or flushes, mantissa truncated
        uint32_t s = v >> 31;
        int32_t e = int32_t((v >> 23) & 255) - 112;
        uint32_t h = e <= 0 ? (s << 15) : e > 31 ? ((s << 15) | 0x7FFF) : ((s << 15) | (uint32_t(e) << 10) | ((v & 0x7FFFFF) >> 13));
        write16(row, col, h);
        return;
    }
    case 2: write16(row, col, flush_denormal(v) >> 16); return;  // bf16: truncation
    case 3: *dest_word(row, col) = flush_denormal(v); return;
    case 4: case 7: *dest_word(row, col) = v; return;
    case 6: case 14: write16(row, col, v & 0xFFFF); return;
    case 9: *dest_word(row, col) = (v << 16) | (v >> 16); return;
    case 12:  // two's complement to sign-magnitude
        *dest_word(row, col) = (v & 0x80000000u) ? (0x80000000u | uint32_t(-int32_t(v))) : v;
        return;
    case 15: write16(row, col, v >> 16); return;
    default: fail("SFPSTORE format mode %u is not emulated", mod0);
    }
}

inline Vec load(unsigned mod0, uint32_t addr, unsigned addr_mode, const Vec& old) {
    mod0 = default_mod(mod0);
    uint32_t row = dest_row_of(addr);
    Vec r = old;
    uint32_t mask = lane_mask();
    for (int l = 0; l < kLanes; l++)
        if (mask >> l & 1) r.l[l] = load_lane(mod0, (row & ~3u) + l / 8, 2 * (l & 7) + ((row & 2) >> 1), old.l[l]);
    update_dst_rwc(addr_mode);
    return r;
}

inline void store(const Vec& v, unsigned mod0, uint32_t addr, unsigned addr_mode) {
    mod0 = default_mod(mod0);
    uint32_t row = dest_row_of(addr);
    uint32_t mask = lane_mask();
    for (int l = 0; l < kLanes; l++)
        if (mask >> l & 1) store_lane(mod0, (row & ~3u) + l / 8, 2 * (l & 7) + ((row & 2) >> 1), v.l[l]);
    update_dst_rwc(addr_mode);
}

// ---- condition codes -------------------------------------------------------------------------------------

inline void push_cc() {
    State& s = state();
    if (s.cc_sp >= 8) fail("SFPPUSHC: condition-code stack overflow (8 entries)");
    s.cc_stack[s.cc_sp] = s.cc;
    s.cc_en_stack[s.cc_sp] = s.cc_en;
    s.cc_sp++;
}
inline void pop_cc() {
    State& s = state();
    if (!s.cc_sp) fail("SFPPOPC: condition-code stack underflow");
    s.cc_sp--;
    s.cc = s.cc_stack[s.cc_sp];
    s.cc_en = s.cc_en_stack[s.cc_sp];
}
inline void comp_cc() {
    State& s = state();
    s.cc = s.cc_sp ? (s.cc_stack[s.cc_sp - 1] & ~s.cc) : ~s.cc;
}
// A condition narrows the enabled lanes: lanes already off stay off.
inline void and_cc(uint32_t lanes_true) {
    State& s = state();
    s.cc &= lanes_true;
}

}  // namespace emu::sfpu
