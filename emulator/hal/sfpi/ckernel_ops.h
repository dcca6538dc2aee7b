// The wheel's ckernel_ops.h (instruction encodings, unmodified) with TTI_INSN/TT_INSN issuing each instruction
// word to the emulated Tensix of the calling thread instead of the RISC-V .ttinsn the real toolchain emits.
#pragma once

#include_next "ckernel_ops.h"

#include "cfg_defines.h"
#include "emu_sfpu_insn.h"

#undef TTI_INSN
#undef TT_INSN
#define TTI_INSN(ENCODING) ::emu::sfpu::execute(uint32_t(ENCODING))
#define TT_INSN(ENCODING) ::emu::sfpu::execute(uint32_t(ENCODING))
