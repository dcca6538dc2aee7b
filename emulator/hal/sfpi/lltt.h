// lltt: the REPLAY buffer helpers sfpi ships (record the next instructions, replay them), issuing REPLAY
// instruction words to the emulated Tensix.
#pragma once

#include <cstdint>

#include "emu_sfpu_insn.h"

namespace lltt {

enum ExecBool : bool { NoExec, Exec };

constexpr std::uint32_t replay_insn(unsigned start, unsigned length) { return (0x04u << 24) | (start << 14) | (length << 4); }

template <ExecBool E = NoExec>
inline void record(unsigned start, unsigned length) {
    ::emu::sfpu::execute(replay_insn(start, length) | (unsigned(bool(E)) << 1) | 1u);
}

inline void replay(unsigned start, unsigned length) { ::emu::sfpu::execute(replay_insn(start, length)); }

}  // namespace lltt
