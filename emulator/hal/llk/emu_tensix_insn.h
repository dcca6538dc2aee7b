// The Tensix instructions of a TRISC thread that are not SFPU work (the SFPU executor, emu_sfpu_insn.h, hands
// each one here): configuration writes (SETC16, WRCFG, RDCFG, RMWCIB*, REG2FLOP into the THCON registers), the
// thread's general-purpose registers (SETDMAREG and the DMAREG arithmetic), semaphores (SEMINIT, SEMPOST,
// SEMGET, SEMWAIT) and mutexes (ATGETM, ATRELM), with the hardware's effect on the core's emulated engine state
// (emu_tensix.h).
//
// Instructions that move or compute data -- MOP, UNPACR, PACR, the FPU's ELW*/MVMUL/GxPOOL, MOV*, ZEROACC --
// are the LLK layer's work: the emulator's llk_* functions do it with Wormhole's numerics and never issue them.
// One that still arrives comes from a wheel LLK call the layer does not implement; the op fails naming it. The
// address counters those instructions would walk (SETRWC, INCRWC, SETADC*, ADDRCR*, INCADC*) and TDMA flushes
// change nothing here, as nothing reads them.
//
// Defined once per TRISC kernel object (emu_firmware.h includes this header in TRISC builds only).
#pragma once

#include <cstdint>
#include <cstdio>

#include "emu_tensix.h"

namespace emu::tensix {

inline uint32_t insn_bits(uint32_t w, int hi, int lo) { return (w >> lo) & ((1u << (hi - lo + 1)) - 1); }

// Names of the data instructions a wheel LLK call may issue, for the failure message.
inline const char* data_insn_name(uint32_t op) {
    switch (op) {
    case 0x01: return "MOP";
    case 0x03: return "MOP_CFG";
    case 0x08: return "MOVD2A";
    case 0x0a: return "MOVD2B";
    case 0x0b: return "MOVB2A";
    case 0x10: return "ZEROACC";
    case 0x11: return "ZEROSRC";
    case 0x12: return "MOVA2D";
    case 0x13: return "MOVB2D";
    case 0x14: return "TRNSPSRCA";
    case 0x16: return "TRNSPSRCB";
    case 0x26: return "MVMUL";
    case 0x27: return "ELWMUL";
    case 0x28: return "ELWADD";
    case 0x30: return "ELWSUB";
    case 0x33: return "GMPOOL";
    case 0x34: return "GAPOOL";
    case 0x36: return "CLEARDVALID";
    case 0x41: return "PACR";
    case 0x42: return "UNPACR";
    case 0x43: return "UNPACR_NOP";
    case 0x48: return "REG2FLOP to a target other than the THCON configuration";
    case 0x57: return "SETDVALID";
    case 0x67: return "STOREREG";
    case 0x68: return "LOADREG";
    default: return nullptr;
    }
}

[[noreturn]] inline void unemulated_insn(uint32_t w) {
    static thread_local char msg[256];
    char opcode[24];
    const char* name = data_insn_name(w >> 24);
    if (!name) {
        std::snprintf(opcode, sizeof opcode, "with opcode 0x%02x", w >> 24);
        name = opcode;
    }
    std::snprintf(msg, sizeof msg,
                  "Tensix instruction %s (0x%08x) on %s, issued by a wheel LLK call that the emulator's LLK layer "
                  "does not model,",
                  name, w, kThread == 0 ? "TRISC0" : kThread == 1 ? "TRISC1" : "TRISC2");
    emu_unsupported(msg);
}

// Each semaphore whose bit is set in a SEM* instruction's selection mask.
template <class F>
inline void each_semaphore(uint32_t sel, F f) {
    for (uint32_t i = 0; i < kNumSems; i++)
        if (sel >> i & 1) f(i);
}

inline void gpr_write16(uint32_t index16, uint32_t value) {
    uint32_t& r = state().gpr[kThread][(index16 >> 1) % kGprs];
    r = (index16 & 1) ? (r & 0xFFFFu) | (value << 16) : (r & 0xFFFF0000u) | (value & 0xFFFFu);
}

inline void execute_engine_insn(uint32_t w) {
    State& s = state();
    uint32_t* gpr = s.gpr[kThread];
    const uint32_t op = w >> 24;
    switch (op) {
    case 0x02: case 0x60: case 0xa2: case 0x46: return;  // NOP, DMANOP, STALLWAIT, FLUSHDMA: in order here
    case 0x37: case 0x38: case 0x39:                      // SETRWC, INCRWC, SETIBRWC
    case 0x50: case 0x51: case 0x52: case 0x53:           // SETADC, SETADCXY, INCADCXY, ADDRCRXY
    case 0x54: case 0x55: case 0x56: case 0x5e:           // SETADCZW, INCADCZW, ADDRCRZW, SETADCXX
        return;
    case 0xb2:  // SETC16: a 16-bit thread register
        s.thread_cfg[kThread][insn_bits(w, 23, 16) % kThreadCfgWords] = insn_bits(w, 15, 0);
        return;
    case 0xb0: {  // WRCFG: one GPR (or four, 128-bit) into the configuration
        const uint32_t g = insn_bits(w, 23, 16), wide = insn_bits(w, 15, 15), reg = insn_bits(w, 14, 0);
        for (uint32_t i = 0; i < (wide ? 4u : 1u); i++)
            __atomic_store_n(&cfg_word(cfg_state_base() + reg + i), gpr[(g + i) % kGprs], __ATOMIC_SEQ_CST);
        return;
    }
    case 0xb1:  // RDCFG
        gpr[insn_bits(w, 23, 16) % kGprs] = __atomic_load_n(&cfg_word(cfg_state_base() + insn_bits(w, 15, 0)),
                                                            __ATOMIC_SEQ_CST);
        return;
    case 0xb3: case 0xb4: case 0xb5: case 0xb6: {  // RMWCIB0..3: byte (op - 0xb3) of a configuration word
        const uint32_t shift = 8 * (op - 0xb3);
        cfg_rmw_bits(cfg_state_base() + insn_bits(w, 7, 0), insn_bits(w, 23, 16) << shift,
                     insn_bits(w, 15, 8) << shift);
        return;
    }
    case 0x45:  // SETDMAREG: a 16-bit half of a GPR (signal mode is the TDMA's, not modelled)
        if (insn_bits(w, 7, 7)) unemulated_insn(w);
        gpr_write16(insn_bits(w, 6, 0), insn_bits(w, 23, 8));
        return;
    case 0x58: case 0x59: case 0x5a: {  // ADDDMAREG, SUBDMAREG, MULDMAREG
        const uint32_t a = gpr[insn_bits(w, 5, 0)];
        const uint32_t b = insn_bits(w, 23, 23) ? insn_bits(w, 11, 6) : gpr[insn_bits(w, 11, 6)];
        uint32_t& r = gpr[insn_bits(w, 17, 12) % kGprs];
        r = op == 0x58 ? a + b : op == 0x59 ? a - b : (a & 0xFFFF) * (b & 0xFFFF);
        return;
    }
    case 0x48: {  // REG2FLOP: GPRs into the THCON configuration (the unpackers' and packers' registers)
        const uint32_t size = insn_bits(w, 23, 22), byte = insn_bits(w, 19, 18), g = insn_bits(w, 5, 0);
        if (insn_bits(w, 21, 20) != 0) unemulated_insn(w);
        const uint32_t word = cfg_state_base() + THCON_CFGREG_BASE_ADDR32 + insn_bits(w, 15, 6);
        if (size == 0) {  // 16 bytes: four GPRs from g (aligned to four)
            for (uint32_t i = 0; i < 4; i++) cfg_rmw_bits(word + i, ~0u, gpr[((g & ~3u) + i) % kGprs]);
        } else {
            const uint32_t width = size == 1 ? 32 : size == 2 ? 16 : 8, shift = 8 * byte;
            const uint32_t mask = (width == 32 ? ~0u : ((1u << width) - 1)) << shift;
            cfg_rmw_bits(word, mask, gpr[g] << shift);
        }
        return;
    }
    case 0xa3:  // SEMINIT
        each_semaphore(insn_bits(w, 15, 2),
                       [&](uint32_t i) { semaphore_init(i, insn_bits(w, 19, 16), insn_bits(w, 23, 20)); });
        return;
    case 0xa4: each_semaphore(insn_bits(w, 23, 2), semaphore_post); return;  // SEMPOST
    case 0xa5: each_semaphore(insn_bits(w, 23, 2), semaphore_get); return;   // SEMGET
    case 0xa6:                                                               // SEMWAIT
        each_semaphore(insn_bits(w, 14, 2), [&](uint32_t i) {
            semaphore_wait(i, insn_bits(w, 0, 0), insn_bits(w, 1, 1));
        });
        return;
    case 0xa0: mutex_acquire(insn_bits(w, 23, 0)); return;  // ATGETM
    case 0xa1: mutex_release(insn_bits(w, 23, 0)); return;  // ATRELM
    default: unemulated_insn(w);
    }
}

}  // namespace emu::tensix

// The hook emu_sfpu_insn.h calls for every instruction that is not the SFPU's own.
extern "C" void emu_tensix_other_insn(uint32_t insn) { emu::tensix::execute_engine_insn(insn); }
