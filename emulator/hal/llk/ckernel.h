// Emulator shadow of tt-llk's ckernel.h for Wormhole B0: the namespace ckernel that the compute API and our LLK
// layer use, without the RISC-V instruction issue and register plumbing of the original. The pure data headers
// (defs, structs, instruction parameters, llk_defs.h) are the wheel's own.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "ckernel_common_ops.h"
#include "ckernel_fence.h"
#include "ckernel_instr_params.h"
#include "ckernel_ops.h"
#include "emu/hal.h"
#include "internal/risc_attribs.h"
#include "llk_assert.h"
#include "llk_defs.h"
#include "tensix.h"

#define UNROLL_LOOP(factor) GCC unroll factor
#define TT_ALWAYS_INLINE inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#define NOCLONE

#include "ckernel_include.h"
#include "emu_tensix.h"

namespace ckernel {

extern volatile std::uint32_t tt_reg_ptr* regfile;
extern volatile std::uint32_t tt_reg_ptr* pc_buf_base;
extern volatile std::uint32_t tt_reg_ptr* mailbox_base[4];

inline void mailbox_write(const std::uint8_t thread, const std::uint32_t data) {
    emu::tensix::mailbox_write(thread, data);
}
[[nodiscard]] inline std::uint32_t mailbox_read(const std::uint8_t thread) { return emu::tensix::mailbox_read(thread); }

// Start-of-kernel clears of DEST and the source registers (chlkc_list.h's run_kernel calls them).
inline void zeroacc() { emu::tensix::clear_dest(); }
inline void zerosrc() {}

namespace trisc {
// Tensix semaphores shared by the three TRISCs of a core (t6 semaphores on silicon).
namespace semaphore {
constexpr std::uint32_t UNPACK_TO_DEST = emu::tensix::kSemUnpackToDest;
constexpr std::uint32_t MATH_PACK = emu::tensix::kSemMathPack;
constexpr std::uint32_t PACK_UNPACK = emu::tensix::kSemPackUnpack;
}  // namespace semaphore

inline void t6_semaphore_init(std::uint32_t sem, std::uint32_t min_value, std::uint32_t max_value) {
    emu::tensix::semaphore_init(sem, min_value, max_value);
}
}  // namespace trisc

namespace math {
inline void _configure_copy_zero_flag_state_(...) {}
}  // namespace math

}  // namespace ckernel
