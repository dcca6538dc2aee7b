// Emulator shadow of tt-llk's ckernel.h for Wormhole B0: the ckernel-level primitives beneath the wheel's LLK and
// compute headers, on the core's emulated Tensix engine (emu_tensix.h) instead of RISC-V register windows.
//   - configuration registers (cfg_read/cfg_write/cfg_rmw/get_cfg_pointer, cfg_reg_rmw_tensix): the two config
//     states the three TRISCs share; the MOP config registers and GPRs: per thread;
//   - Tensix semaphores and mutexes (t6_*, semaphore_*): blocking waits on the core's semaphores;
//   - mailboxes between BRISC and the TRISCs: blocking FIFOs;
//   - tensix_sync / mop_sync / sync_regfile_write: nothing to wait for, as each instruction a thread issues has
//     taken effect when the call that issued it returns.
// The pure data headers (defs, structs, instruction parameters, llk_defs.h, address modifiers) are the wheel's.
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
#ifndef EN_DEST_DOUBLE_BUFFERING
#define EN_DEST_DOUBLE_BUFFERING 1
#endif
#ifndef LOCAL_MEM_EN
#define LOCAL_MEM_EN 0
#endif
#ifndef GPR_DEBUG_TTI
#define GPR_DEBUG_TTI 0
#endif
#ifndef GPR_DEBUG_REGFILE
#define GPR_DEBUG_REGFILE 0
#endif
#define TT_ALWAYS_INLINE inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#define NOCLONE

#include "ckernel_include.h"
#include "emu_tensix.h"

#if defined(COMPILE_FOR_TRISC)
// ckernel_template.h programs a MOP through this window: here the issuing thread's own MOP config registers.
#undef TENSIX_MOP_CFG_BASE
#define TENSIX_MOP_CFG_BASE (uintptr_t(::emu::tensix::state().mop_cfg[::emu::tensix::kThread]))
#endif

// The instruction buffer the wheel's TT_INSN stores into where no emulated thread takes the words (a
// data-movement build that includes ckernel.h); any such store left in the kernel fails to load, naming it.
extern volatile std::uint32_t __instrn_buffer[];

namespace ckernel {

constexpr std::uint32_t PACK_FLUSH_COUNTERS = (1u << PACK_COUNTERS_SEC2_pack_per_xy_plane_SHAMT) |
                                              (1u << PACK_COUNTERS_SEC2_pack_reads_per_xy_plane_SHAMT) |
                                              (1u << PACK_COUNTERS_SEC2_pack_xys_per_tile_SHAMT);
constexpr std::uint32_t RESET_VAL = 0;
constexpr std::uint32_t KERNEL_IN_PROGRESS = 15;
constexpr std::uint32_t KERNEL_COMPLETE = 0xFF;

constexpr inline volatile std::uint32_t (&instrn_buffer)[] = __instrn_buffer;

// Firmware globals (emu_firmware.h defines them per kernel object).
extern volatile std::uint32_t tt_reg_ptr* reg_base;
extern volatile std::uint32_t tt_reg_ptr* pc_buf_base;
extern volatile std::uint32_t tt_reg_ptr* regfile;
extern volatile std::uint32_t tt_reg_ptr* mailbox_base[4];
extern std::uint32_t cfg_state_id;
extern std::uint32_t dest_offset_id;
extern std::uint32_t dbg_event_index;
extern std::uint32_t dbg_event_end;
extern volatile std::uint16_t tt_reg_ptr* debug_mailbox_base;
extern std::uint8_t mailbox_index;
extern const std::uint8_t mailbox_end;

namespace internal {}

// ---- plain memory -----------------------------------------------------------------------------------------
inline volatile void* memcpy_blocking(volatile void* dst, const volatile void* src, std::size_t len) {
    auto* d = static_cast<volatile std::uint8_t*>(dst);
    auto* s = static_cast<const volatile std::uint8_t*>(src);
    for (std::size_t i = 0; i < len; i++) d[i] = s[i];
    return dst;
}

template <typename T>
inline T load_blocking(volatile T* ptr) {
    return *ptr;
}

template <typename T, typename U>
inline void store_blocking(volatile T* ptr, U&& val) {
    *ptr = std::forward<U>(val);
}

template <typename T>
[[nodiscard]] inline T load_force(T& ref) {
    asm volatile("" : "=m"(ref));
    return ref;
}

template <typename T, typename U>
inline void store_force(T& ref, U&& val) {
    ref = std::forward<U>(val);
    asm volatile("" : : "m"(ref));
}

inline void invalidate_data_cache() {}

template <class T>
inline std::uint32_t memory_cast(T* object_ptr) {
    return std::uint32_t(reinterpret_cast<std::uintptr_t>(object_ptr));
}

// ---- instruction completion -------------------------------------------------------------------------------
inline void tensix_sync() {}
inline void mop_sync() {}
inline void sync_regfile_write(const std::uint32_t) {}

template <typename T>
static constexpr bool is_valid(const T val, const std::uint8_t wid) {
    return (val & ((T(1) << wid) - 1)) == val;
}

// ---- registers -------------------------------------------------------------------------------------------
inline std::uint32_t reg_read(std::uint32_t addr) { return emu_reg_read(addr); }
inline void reg_write(std::uint32_t addr, std::uint32_t data) { emu_reg_write(addr, data); }

inline void mmio_register_write(register_space_e, std::uint32_t, std::uint32_t) {
    emu_unsupported("mmio_register_write (the RISC's Tensix MMIO register window)");
}

inline std::uint64_t read_wall_clock() { return emu_wall_clock(); }

inline void wait(std::uint32_t cycles) {
    const std::uint64_t until = emu_wall_clock() + cycles;
    while (emu_wall_clock() < until) emu_poll();
}

// ---- semaphores and mutexes -------------------------------------------------------------------------------
inline std::uint8_t semaphore_read(const std::uint8_t index) {
    return std::uint8_t(emu::tensix::semaphore_value(index));
}
inline void semaphore_post(const std::uint8_t index) { emu::tensix::semaphore_post(index); }
inline void semaphore_get(const std::uint8_t index) { emu::tensix::semaphore_get(index); }

// The stall before a post or get waits for the thread's earlier instructions: they are done already.
template <std::uint32_t WaitRes = p_stall::NONE>
inline void t6_semaphore_post(const std::uint8_t index) {
    emu::tensix::semaphore_post(index);
}
template <std::uint32_t WaitRes = p_stall::NONE>
inline void t6_semaphore_get(const std::uint8_t index) {
    emu::tensix::semaphore_get(index);
}
template <std::uint32_t WaitRes>
inline void t6_semaphore_wait_on_max(const std::uint8_t index) {
    emu::tensix::semaphore_wait(index, false, true);
}
template <std::uint32_t WaitRes>
inline void t6_semaphore_wait_on_zero(const std::uint8_t index) {
    emu::tensix::semaphore_wait(index, true, false);
}
inline void t6_semaphore_init(const std::uint8_t index, const std::uint8_t min_value, const std::uint8_t max_value) {
    emu::tensix::semaphore_init(index, min_value, max_value);
}
inline void t6_mutex_acquire(const std::uint8_t index) { emu::tensix::mutex_acquire(index); }
inline void t6_mutex_release(const std::uint8_t index) { emu::tensix::mutex_release(index); }

// ---- configuration registers ------------------------------------------------------------------------------
inline std::uint32_t cfg_addr(std::uint32_t cfg_addr32) {
    return cfg_state_id == 0 ? cfg_addr32 : emu::tensix::kCfgStateWords + cfg_addr32;
}
inline void cfg_write(std::uint32_t cfg_addr32, std::uint32_t data) {
    __atomic_store_n(&emu::tensix::cfg_word(cfg_addr(cfg_addr32)), data, __ATOMIC_SEQ_CST);
}
inline std::uint32_t cfg_read(std::uint32_t cfg_addr32) {
    return __atomic_load_n(&emu::tensix::cfg_word(cfg_addr(cfg_addr32)), __ATOMIC_SEQ_CST);
}
inline volatile std::uint32_t* tt_reg_ptr get_cfg_pointer() {
    return emu::tensix::state().cfg + (cfg_state_id == 0 ? 0 : emu::tensix::kCfgStateWords);
}
inline volatile std::uint16_t* tt_reg_ptr get_cfg16_pointer() {
    return reinterpret_cast<volatile std::uint16_t*>(get_cfg_pointer());
}

inline void cfg_rmw(std::uint32_t cfg_addr32, std::uint32_t cfg_shamt, std::uint32_t cfg_mask, std::uint32_t val) {
    emu::tensix::cfg_rmw_bits(cfg_addr(cfg_addr32), cfg_mask, val << cfg_shamt);
}
inline void cfg_rmw_gpr(std::uint32_t cfg_addr32, std::uint32_t cfg_shamt, std::uint32_t cfg_mask,
                        std::uint32_t gpr_index) {
    cfg_rmw(cfg_addr32, cfg_shamt, cfg_mask, regfile[gpr_index]);
}
// RMWCIB on silicon: the bytes of Mask, in the configuration state the thread's CFG_STATE_ID selects.
template <std::uint32_t CfgAddr32, std::uint32_t Shamt, std::uint32_t Mask>
inline void cfg_reg_rmw_tensix(std::uint32_t val) {
    emu::tensix::cfg_rmw_bits(emu::tensix::cfg_state_base() + CfgAddr32, Mask, val << Shamt);
}

inline void flip_cfg_state_id() {
    cfg_state_id = 1 - cfg_state_id;
    emu::tensix::state().thread_cfg[emu::tensix::kThread][CFG_STATE_ID_StateID_ADDR32] = cfg_state_id;
}
inline void reset_cfg_state_id() { cfg_state_id = 0; }
inline void reset_dest_offset_id() { dest_offset_id = 0; }
inline void update_dest_offset_id() { dest_offset_id = 1 - dest_offset_id; }
inline std::uint32_t get_dest_buffer_base() { return dest_offset_id != 0 ? DEST_REGISTER_HALF_SIZE : 0; }

inline void init_prng_seed(const std::uint32_t seed) { get_cfg_pointer()[PRNG_SEED_Seed_Val_ADDR32] = seed; }

// A MOP runs the template programmed into the thread's MOP config: the LLK call issuing it does the work.
inline void mop_run(const std::uint8_t type, const std::uint8_t count) { TTI_MOP(type, count - 1, 0); }

// ---- DEST ------------------------------------------------------------------------------------------------
// Start-of-kernel clears of DEST and the source registers (chlkc_list.h's run_kernel calls them).
inline void zeroacc() { emu::tensix::clear_dest(); }
inline void zerosrc() {}

// log2 of the DEST rows one tile takes, by DstTileShape (32x32, 32x16 / 16x32, 16x16).
constexpr std::uint32_t DstTileSizeLog2[3] = {6, 5, 4};

template <DstSync SYNC_MODE, bool ACCUM_MODE, DstTileShape TILE_SHAPE>
constexpr std::uint32_t get_dest_max_tiles() {
    constexpr std::uint32_t rows = SYNC_MODE == DstSync::SyncHalf ? DEST_REGISTER_HALF_SIZE : DEST_REGISTER_FULL_SIZE;
    return (ACCUM_MODE ? rows >> 1 : rows) >> DstTileSizeLog2[static_cast<int>(TILE_SHAPE)];
}

// Tiles of the packer's DEST region at the W stride it is configured with (0 for a stride not a power of two).
template <DstSync SYNC_MODE>
std::uint32_t get_pack_dest_max_tiles() {
    constexpr std::uint32_t bytes =
        SYNC_MODE == DstSync::SyncHalf ? DEST_REGISTER_HALF_SIZE_BYTES : DEST_REGISTER_FULL_SIZE_BYTES;
    const std::uint32_t w_stride = (cfg_read(PCK0_ADDR_CTRL_ZW_REG_0_Wstride_ADDR32) &
                                    PCK0_ADDR_CTRL_ZW_REG_0_Wstride_MASK) >>
                                   PCK0_ADDR_CTRL_ZW_REG_0_Wstride_SHAMT;
    if (w_stride == 0 || (w_stride & (w_stride - 1)) != 0) return 0;
    return bytes >> __builtin_ctz(w_stride);
}

inline constexpr bool is_valid_instruction_mode(InstrModLoadStore mode) {
    return mode == InstrModLoadStore::INT32_2S_COMP || mode == InstrModLoadStore::INT32 ||
           mode == InstrModLoadStore::LO16;
}

// ---- mailboxes -------------------------------------------------------------------------------------------
inline void mailbox_write(const std::uint8_t thread, const std::uint32_t data) {
    emu::tensix::mailbox_write(thread, data);
}
[[nodiscard]] inline std::uint32_t mailbox_read(const std::uint8_t thread) { return emu::tensix::mailbox_read(thread); }
inline bool mailbox_not_empty(const std::uint8_t thread) { return emu::tensix::mailbox_not_empty(thread); }

// The debug mailbox (perf and debug event words in L1 on silicon): a per-thread array here.
inline void record_mailbox_value(std::uint16_t event_value) {
    if (mailbox_index < mailbox_end) debug_mailbox_base[mailbox_index++] = event_value;
}
inline void record_mailbox_value_with_index(std::uint8_t index, std::uint16_t event_value) {
    if (index < mailbox_end) debug_mailbox_base[index] = event_value;
}
inline void clear_mailbox_values(std::uint16_t value = 0) {
    for (int i = 0; i < mailbox_end; i++) debug_mailbox_base[i] = value;
}
inline void record_kernel_runtime(std::uint64_t kernel_runtime) {
    for (int i = 0; i < 4; i++) debug_mailbox_base[mailbox_end - 4 + i] = std::uint16_t(kernel_runtime >> (16 * i));
}

namespace math {
// The Src zero-substitution flag (ALU_ACC_CTRL_Zero_Flag_disabled_src) as the MATH thread last set it: true keeps
// exponent-0 Src datums through MOVA2D/MOVB2D, false (the operand-driven default for float formats, which
// hw_configure, reconfig and the FPU inits re-establish) flushes them to +0. Fast tilize's moves read it.
inline bool src_zero_flag_keep = false;
inline void _configure_default_zero_flag_state_() { src_zero_flag_keep = false; }
// copy_init keeps the flag set except for Lf8 sources (whose zeros would otherwise read back as tiny values).
inline void _configure_copy_zero_flag_state_(const std::uint32_t src_dst_format) {
    src_zero_flag_keep = (src_dst_format & 0x1F) != 10;  // DataFormat::Lf8
}
}  // namespace math

}  // namespace ckernel
