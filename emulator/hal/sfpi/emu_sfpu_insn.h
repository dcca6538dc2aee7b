// Executes the Tensix instruction words a MATH-thread SFPU algorithm issues through TTI_*/TT_* (the encodings
// of the wheel's ckernel_ops.h): the SFP instructions, the DEST row counter (SETRWC, INCRWC), the thread
// configuration the SFPU reads (SETC16 of the DEST offset and address modifiers) and REPLAY. Semantics per
// tenstorrent/ttsim's Wormhole model.
#pragma once

#include "cfg_defines.h"
#include "emu_sfpu.h"

extern "C" void emu_tensix_other_insn(uint32_t insn) __attribute__((weak));

namespace emu::sfpu {

inline uint32_t bits(uint32_t w, int hi, int lo) { return (w >> lo) & ((1u << (hi - lo + 1)) - 1); }

template <typename F>
inline void each_lane(uint32_t mask, F f) {
    for (; mask; mask &= mask - 1) f(__builtin_ctz(mask));
}

// Writes to LReg 8..15 are dropped (constants; programmable ones change only through SFPCONFIG).
inline void set_lreg(uint32_t r, int lane, uint32_t v) {
    if (r < 8) state().lreg[r][lane] = v;
}

inline void set_cc_lane(int lane, bool v) {
    State& s = state();
    s.cc = v ? (s.cc | 1u << lane) : (s.cc & ~(1u << lane));
}

inline void execute(uint32_t w);

inline void exec_sfpu(uint32_t op, uint32_t w) {
    State& s = state();
    auto& L = s.lreg;
    uint32_t mask = lane_mask();
    uint32_t mod = bits(w, 3, 0), vd = bits(w, 7, 4), vc = bits(w, 11, 8), imm12 = bits(w, 23, 12);
    uint32_t va = bits(w, 19, 16), vb = bits(w, 15, 12);
    switch (op) {
    case 0x70: case 0x72: {  // SFPLOAD / SFPSTORE
        uint32_t lreg = bits(w, 23, 20), mod0 = bits(w, 19, 16), amode = bits(w, 15, 14), addr = bits(w, 13, 0);
        if (lreg >= 12) fail("SFPLOAD/SFPSTORE of LReg %u (instruction template) is not emulated", lreg);
        Vec v;
        std::memcpy(v.l, L[lreg], sizeof v.l);
        if (op == 0x70) {
            Vec r = load(mod0, addr, amode, v);
            if (lreg < 8) std::memcpy(L[lreg], r.l, sizeof r.l);
        } else {
            store(v, mod0, addr, amode);
        }
        return;
    }
    case 0x71: {  // SFPLOADI
        uint32_t lreg = bits(w, 23, 20), mod0 = bits(w, 19, 16), imm = bits(w, 15, 0);
        if (lreg >= 8) fail("SFPLOADI to LReg %u", lreg);
        each_lane(mask, [&](int l) {
            uint32_t& d = L[lreg][l];
            switch (mod0) {
            case 0: d = imm << 16; break;
            case 1: d = ((imm & 0x8000) << 16) | (((imm & 0x7FFF) + (112 << 10)) << 13); break;
            case 2: d = imm; break;
            case 4: d = uint32_t(int32_t(int16_t(imm))); break;
            case 8: d = (d & 0xFFFF) | (imm << 16); break;
            case 10: d = (d & 0xFFFF0000u) | imm; break;
            default: fail("SFPLOADI mode %u", mod0);
            }
        });
        return;
    }
    case 0x73: {  // SFPLUT: coefficients from LReg0..2 by |LReg3|, sign of LReg3 kept with mode bit 2
        uint32_t lreg = bits(w, 23, 20), mod0 = bits(w, 19, 16);
        each_lane(mask, [&](int l) {
            uint32_t x = L[3][l], b = x & 0x7FFFFFFFu;
            uint32_t c = b < 0x3F800000u ? L[0][l] : b < 0x40000000u ? L[1][l] : L[2][l];
            uint32_t d = fma_wh(lut8_to_fp32(bits(c, 15, 8)), b, lut8_to_fp32(bits(c, 7, 0)));
            if (mod0 & 4) d = (d & 0x7FFFFFFFu) | (x & 0x80000000u);
            set_lreg(lreg, l, d);
        });
        return;
    }
    case 0x74: case 0x75: {  // SFPMULI / SFPADDI: bf16 immediate
        uint32_t imm = bits(w, 23, 8) << 16;
        each_lane(mask, [&](int l) {
            set_lreg(vd, l, op == 0x74 ? fma_wh(imm, L[vd][l], 0) : fma_wh(imm, kOne, L[vd][l]));
        });
        return;
    }
    case 0x76:  // SFPDIVP2: set (mod 0) or add to (mod 1) the exponent
        each_lane(mask, [&](int l) {
            uint32_t src = L[vc][l], e = (src >> 23) & 255;
            e = (mod & 1) ? (e == 255 ? e : (e + imm12) & 255) : (imm12 & 255);
            set_lreg(vd, l, (e << 23) | (src & 0x807FFFFFu));
        });
        return;
    case 0x77:  // SFPEXEXP
        each_lane(mask, [&](int l) {
            int32_t e = int32_t((L[vc][l] >> 23) & 255) - ((mod & 1) ? 0 : 127);
            set_lreg(vd, l, uint32_t(e));
            if (mod == 10) set_cc_lane(l, e >= 0);
            else if (mod == 2) set_cc_lane(l, e < 0);
        });
        return;
    case 0x78:  // SFPEXMAN
        each_lane(mask, [&](int l) { set_lreg(vd, l, (L[vc][l] & 0x7FFFFF) | ((mod & 1) ? 0 : 0x800000)); });
        return;
    case 0x79:  // SFPIADD
        each_lane(mask, [&](int l) {
            uint32_t v = L[vc][l];
            if (mod & 1) v += uint32_t(int32_t(imm12 << 20) >> 20);
            else if (mod & 2) v -= L[vd][l];
            else v += L[vd][l];
            if (mod & 8) set_cc_lane(l, !(v >> 31));
            else if (!(mod & 4)) set_cc_lane(l, v >> 31);
            set_lreg(vd, l, v);
        });
        return;
    case 0x7A:  // SFPSHFT: left for positive amounts, logical right for negative
        each_lane(mask, [&](int l) {
            int32_t amt = (mod & 1) ? int32_t(imm12 << 20) >> 20 : int32_t(L[vc][l]);
            uint32_t v = L[vd][l];
            uint32_t a = (amt >= 0 ? uint32_t(amt) : 0u - uint32_t(amt)) & 31;
            set_lreg(vd, l, amt >= 0 ? v << a : v >> a);
        });
        return;
    case 0x7B:  // SFPSETCC: only lanes still enabled are tested
        if (!s.cc_en) fail("SFPSETCC while condition codes are disabled");
        each_lane(s.cc, [&](int l) {
            int32_t v = int32_t(L[vc][l]);
            bool t = mod == 0 ? v < 0 : mod == 2 ? v != 0 : mod == 4 ? v >= 0 : mod == 6 ? v == 0
                   : (fail("SFPSETCC mode %u", mod), false);
            set_cc_lane(l, t);
        });
        return;
    case 0x7C:  // SFPMOV
        if (mod == 2) mask = 0xFFFFFFFFu;
        each_lane(mask, [&](int l) {
            if (mod == 8) {
                uint32_t v = s.prng[l];
                s.prng[l] = step_prng(v);
                set_lreg(vd, l, v);
            } else {
                set_lreg(vd, l, L[vc][l] ^ ((mod & 1) ? 0x80000000u : 0));
            }
        });
        return;
    case 0x7D:  // SFPABS
        each_lane(mask, [&](int l) {
            uint32_t v = L[vc][l];
            if (mod & 1) v = v <= 0xFF800000u ? v & 0x7FFFFFFFu : v;  // negative NaNs keep their sign
            else v = (v >> 31) ? 0u - v : v;
            set_lreg(vd, l, v);
        });
        return;
    case 0x7E: each_lane(mask, [&](int l) { set_lreg(vd, l, L[vd][l] & L[vc][l]); }); return;
    case 0x7F: each_lane(mask, [&](int l) { set_lreg(vd, l, L[vd][l] | L[vc][l]); }); return;
    case 0x80: each_lane(mask, [&](int l) { set_lreg(vd, l, ~L[vc][l]); }); return;
    case 0x8D: each_lane(mask, [&](int l) { set_lreg(vd, l, L[vd][l] ^ L[vc][l]); }); return;
    case 0x81:  // SFPLZ
        each_lane(mask, [&](int l) {
            uint32_t v = L[vc][l] & ((mod & 4) ? 0x7FFFFFFFu : 0xFFFFFFFFu);
            set_lreg(vd, l, v ? __builtin_clz(v) : 32);
            if (mod & 2) set_cc_lane(l, (mod & 8) ? v == 0 : v != 0);
        });
        return;
    case 0x82:  // SFPSETEXP
        each_lane(mask, [&](int l) {
            uint32_t e = mod == 1 ? (imm12 & 255) : mod == 2 ? (L[vd][l] >> 23) & 255 : L[vd][l] & 255;
            set_lreg(vd, l, (L[vc][l] & 0x807FFFFFu) | (e << 23));
        });
        return;
    case 0x83:  // SFPSETMAN
        each_lane(mask, [&](int l) {
            uint32_t m = (mod & 1) ? (imm12 << 11) & 0x7FFFFF : L[vd][l] & 0x7FFFFF;
            set_lreg(vd, l, (L[vc][l] & 0xFF800000u) | m);
        });
        return;
    case 0x84: case 0x85: case 0x86:  // SFPMAD / SFPADD / SFPMUL: all Wormhole's fused multiply-add
        each_lane(mask, [&](int l) { set_lreg(vd, l, fma_wh(L[va][l], L[vb][l], L[vc][l])); });
        return;
    case 0x87: push_cc(); return;
    case 0x88: pop_cc(); return;
    case 0x89:  // SFPSETSGN
        each_lane(mask, [&](int l) {
            uint32_t sg = (mod & 1) ? (imm12 & 1) << 31 : L[vd][l] & 0x80000000u;
            set_lreg(vd, l, (L[vc][l] & 0x7FFFFFFFu) | sg);
        });
        return;
    case 0x8A:  // SFPENCC: enable kept (mod & 3 = 0), complemented (1) or from imm bit 0 (2); result all set, or
                // from imm bit 1 (mod & 8)
        if ((mod & 3) == 3 || (mod & 4)) fail("SFPENCC mode %u", mod);
        s.cc_en = (mod & 3) == 0 ? s.cc_en : (mod & 3) == 1 ? !s.cc_en : bool(imm12 & 1);
        s.cc = (mod & 8) && !(imm12 & 2) ? 0 : 0xFFFFFFFFu;
        return;
    case 0x8B: comp_cc(); return;
    case 0x8C: {  // SFPTRANSP: 4x4 transposes of LReg0..3 and LReg4..7 across the lane rows
        for (uint32_t base = 0; base < 8; base += 4)
            for (uint32_t col = 0; col < 8; col++)
                for (uint32_t i = 0; i < 4; i++)
                    for (uint32_t j = 0; j < i; j++) {
                        uint32_t ij = L[base + i][j * 8 + col], ji = L[base + j][i * 8 + col];
                        if (mask >> (j * 8 + col) & 1) L[base + i][j * 8 + col] = ji;
                        if (mask >> (i * 8 + col) & 1) L[base + j][i * 8 + col] = ij;
                    }
        return;
    }
    case 0x8E: {  // SFP_STOCH_RND
        uint32_t rnd = bits(w, 23, 21), src_c = vc;
        if (bits(w, 20, 16)) fail("SFP_STOCH_RND with an immediate descale is not emulated");
        each_lane(mask, [&](int l) { set_lreg(vd, l, stoch_rnd(L[src_c][l], mod, rnd, s.prng[l])); });
        return;
    }
    case 0x8F: return;  // SFPNOP
    case 0x90:  // SFPCAST
        if (mod != 0 && mod != 1) fail("SFPCAST mode %u", mod);
        each_lane(mask, [&](int l) { set_lreg(vd, l, smag_to_fp32(L[vc][l])); });
        return;
    case 0x91: {  // SFPCONFIG
        uint32_t dest = bits(w, 7, 4), imm16 = bits(w, 23, 8);
        uint32_t value = (mod & 1) ? imm16 : L[0][0];
        if (dest >= 11 && dest <= 14) {
            uint32_t v = (mod & 1) ? 0xBF800000u : L[0][0];
            for (int l = 0; l < kLanes; l++) L[dest][l] = v;
        } else if (dest == 15) {
            s.lane_config = value;
        } else if (dest <= 8) {
            // SFPLOADMACRO configuration: accepted, the macros themselves are not emulated.
        } else {
            fail("SFPCONFIG destination %u", dest);
        }
        return;
    }
    case 0x92: {  // SFPSWAP
        uint32_t vd_min;
        switch (mod) {
        case 0: case 1: vd_min = 0xFFFFFFFFu; break;
        case 2: vd_min = 0x0000FFFFu; break;
        case 3: vd_min = 0x00FF00FFu; break;
        case 9: vd_min = 0; break;
        default: fail("SFPSWAP mode %u", mod);
        }
        each_lane(mask, [&](int l) {
            uint32_t c = L[vc][l], d = L[vd][l];
            bool sw = true;
            if (mod) {
                sw = (vd_min >> l & 1) ? total_order(c) < total_order(d) : total_order(c) >= total_order(d);
                if (s.lane_config & 0x100) sw = !sw;
            }
            if (sw) {
                set_lreg(vc, l, d);
                set_lreg(vd, l, c);
            }
        });
        return;
    }
    case 0x93:
        fail("SFPLOADMACRO is not emulated: the emulator builds kernels with DISABLE_SFPLOADMACRO, as ttsim runs them");
    case 0x94: {  // SFPSHFT2
        if (mod == 3) {
            uint32_t src[kLanes];
            std::memcpy(src, L[vc], sizeof src);
            each_lane(mask, [&](int l) { set_lreg(vd, l, (l & 7) ? src[l - 1] : src[l + 7]); });
        } else if (mod == 5) {
            each_lane(mask, [&](int l) {
                int32_t a = int32_t(L[vc][l]);
                uint32_t b = L[imm12 & 15][l];
                set_lreg(vd, l, a >= 0 ? b << (a & 31) : b >> ((-a) & 31));
            });
        } else {
            fail("SFPSHFT2 mode %u is not emulated (mode 4 is broken on Wormhole)", mod);
        }
        return;
    }
    case 0x95:  // SFPLUTFP32, 6-entry fp16 table: slopes in LReg0..2, intercepts in LReg4..6 by |LReg3|
        if ((mod & 3) != 2) fail("SFPLUTFP32 mode %u is not emulated", mod);
        each_lane(mask, [&](int l) {
            uint32_t x = L[3][l], b = x & 0x7FFFFFFFu;
            uint32_t i = b < 0x3F800000u ? 0 : b < 0x40000000u ? 1 : 2;
            uint32_t j = b < 0x3F000000u ? 0 : b < 0x3F800000u ? 16 : b < 0x3FC00000u ? 0 : b < 0x40000000u ? 16
                       : b < 0x40400000u ? 0 : 16;
            uint32_t d = fma_wh(lut16_to_fp32(L[i][l] >> j), b, lut16_to_fp32(L[4 + i][l] >> j));
            if (mod & 4) d = (d & 0x7FFFFFFFu) | (x & 0x80000000u);
            set_lreg(vd, l, d);
        });
        return;
    default:
        fail("SFPU instruction 0x%02x is not a Wormhole SFP instruction", op);
    }
}

inline void exec_setc16(uint32_t reg, uint32_t value) {
    State& s = state();
    if (reg == DEST_TARGET_REG_CFG_MATH_Offset_ADDR32) {
        s.math_offset = value & 0xFFF;
    } else if (reg == ADDR_MOD_SET_Base_ADDR32) {
        s.addr_mod_base = value & 1;
    } else if (reg >= ADDR_MOD_DST_SEC0_DestIncr_ADDR32 && reg <= ADDR_MOD_DST_SEC7_DestIncr_ADDR32) {
        AddrMod& m = s.addr_mod[reg - ADDR_MOD_DST_SEC0_DestIncr_ADDR32];
        m.incr = value & 0x3FF;
        m.cr = value >> 10 & 1;
        m.clr = value >> 11 & 1;
        m.c_to_cr = value >> 12 & 1;
    }
}

inline void execute(uint32_t w) {
    State& s = state();
    uint32_t op = w >> 24;
    if (s.replay_rec_left > 0) {  // REPLAY load mode: record, and run too if asked
        s.replay_buf[s.replay_rec_pos++ & 31] = w;
        s.replay_rec_left--;
        if (!s.replay_exec_while_rec) return;
    }
    if (op >= 0x70 && op <= 0x95) return exec_sfpu(op, w);
    switch (op) {
    case 0x02: return;  // NOP
    case 0x04: {        // REPLAY
        uint32_t start = bits(w, 23, 14) & 31, len = bits(w, 13, 4), exec = bits(w, 1, 1), load = bits(w, 0, 0);
        if (len == 0) len = 32;
        if (load) {
            s.replay_rec_pos = start;
            s.replay_rec_left = len;
            s.replay_exec_while_rec = exec;
        } else {
            for (uint32_t i = 0; i < len; i++) execute(s.replay_buf[(start + i) & 31]);
        }
        return;
    }
    case 0x37: {  // SETRWC: the DEST counter (SrcA/SrcB counters belong to the FPU)
        uint32_t cr = bits(w, 21, 18), d = bits(w, 17, 14), mask = bits(w, 3, 0);
        if (mask & 4) {
            if (cr & 4) d = (s.dst_rwc_cr + d) & 1023;
            s.dst_rwc = s.dst_rwc_cr = d;
        }
        break;
    }
    case 0x38: {  // INCRWC
        uint32_t cr = bits(w, 21, 18), d = bits(w, 17, 14);
        if (cr & 4) s.dst_rwc = s.dst_rwc_cr = (s.dst_rwc_cr + d) & 1023;
        else s.dst_rwc = (s.dst_rwc + d) & 1023;
        break;
    }
    case 0xB2: exec_setc16(bits(w, 23, 16), bits(w, 15, 0)); break;
    case 0xA2: return;  // STALLWAIT: instructions of one thread complete in order here
    default: break;
    }
    // The FPU side of the thread shares these words (RWC of SrcA/SrcB, configuration, FPU ops).
    if (emu_tensix_other_insn) emu_tensix_other_insn(w);
    else if (op != 0x37 && op != 0x38 && op != 0xB2)
        fail("Tensix instruction 0x%08x (opcode 0x%02x) is not emulated on the SFPU path", w, op);
}

}  // namespace emu::sfpu
