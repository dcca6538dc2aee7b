// The Tensix engine state the three TRISC threads of a core share -- semaphores, the source registers and DEST --
// kept in the core's hardware block beside its stream registers (emu/hal.h), and the CB side of the unpacker and
// packer.
//
// Data moves between CBs, the source registers and DEST with the hardware's hand-offs (unpack -> math through the
// SrcA/SrcB valid flags, math -> pack through the MATH_PACK semaphore and DEST's sections); the arithmetic of each
// step is Wormhole's, from the runtime's FPU numerics (emu/compute/numerics.h, declared here with plain types
// because the runtime's headers do not mix with the wheel's).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "cfg_defines.h"
#include "emu/hal.h"
#include "internal/circular_buffer_interface.h"
#include "stream_io_map.h"

extern uint32_t emu_tensix_base;

// A compute strictness violation: fails the op naming the call and CB (the runtime adds kernel, core and RISC).
extern "C" [[noreturn]] void emu_llk_violation(const char* call, int cb, const char* message);

namespace emu::compute {
float datacopy_a2d(float src, bool fp32_dest);
float datacopy_b2d(float src, int bcast, bool src_tf32, bool fp32_dest);
float mov_to_dest(float src, bool src_tf32, bool keep_zero);
void reduce_math(int pool, int dim, const float* data, const float* scaler, float* dst, bool had, int math_fidelity,
                 bool fp32_dest);
void binary_math(int op, int bcast, uint32_t row_idx, const float* a, const float* b, float* dst, bool acc,
                 int math_fidelity, bool fp32_dest);
int transposed_index(int i, bool faces, bool within);
uint16_t pack_bf16(float v);
uint32_t pack_fp32(float v, bool fp32_dest);
}  // namespace emu::compute

namespace emu::tensix {

// Tensix semaphore indices as tt-llk numbers them (ckernel::semaphore).
constexpr uint32_t kSemMathPack = 1, kNumSems = 8;
constexpr uint32_t kTileElems = 1024;
constexpr uint32_t kDestTiles = 16;  // 16 tiles of 16-bit data (8 with fp32 accumulation)
// Mailbox endpoints, tt-llk's ThreadId order: BRISC, then the UNPACK, MATH and PACK TRISCs.
constexpr uint32_t kMailboxThreads = 4, kMailboxDepth = 4;
// Configuration space: two states of CFG_STATE_SIZE 16-byte rows (ckernel::cfg_state_id picks one), shared by
// the three TRISCs; each TRISC has its own thread registers (SETC16), general-purpose registers, MOP config.
constexpr uint32_t kCfgStateWords = CFG_STATE_SIZE * 4;
constexpr uint32_t kThreadCfgWords = THD_STATE_SIZE * 4;
constexpr uint32_t kGprs = 64, kMopCfgWords = 9, kMutexes = 8;

struct State {
    uint32_t sem[kNumSems];
    uint32_t sem_max[kNumSems];
    uint32_t srca_valid, srcb_valid;
    uint32_t math_section, pack_section;  // which DEST half math writes / pack reads (half sync)
    uint32_t bcast_row;                    // the row a ROW broadcast reads from SrcB (llk_unpack_AB's bcast_row_idx)
    uint32_t pad[3];
    // Mailboxes between BRISC and the TRISCs: [sender][receiver] FIFOs, kMailboxDepth deep.
    uint32_t mbox[kMailboxThreads][kMailboxThreads][kMailboxDepth];
    uint32_t mbox_wr[kMailboxThreads][kMailboxThreads], mbox_rd[kMailboxThreads][kMailboxThreads];
    float srca[kTileElems];
    float srcb[kTileElems];
    float dest[kDestTiles * kTileElems];
    uint32_t cfg[2 * kCfgStateWords];
    uint32_t thread_cfg[3][kThreadCfgWords];
    uint32_t gpr[3][kGprs];
    uint32_t mop_cfg[3][kMopCfgWords];
    uint32_t mutex_owner[kMutexes];  // 0 free, else the holding TRISC + 1 (ATGETM / ATRELM)
};
static_assert(sizeof(State) <= emu::hal::kTensixStateSize);

inline State& state() { return *reinterpret_cast<State*>(uintptr_t(emu_tensix_base)); }

template <class Ready>
inline void wait_until(Ready ready) {
    while (!ready()) emu_poll();
}

inline uint32_t load(const uint32_t& v) { return __atomic_load_n(&v, __ATOMIC_SEQ_CST); }
inline void store(uint32_t& v, uint32_t x) {
    __atomic_store_n(&v, x, __ATOMIC_SEQ_CST);
    emu_notify();
}

inline void semaphore_init(uint32_t sem, uint32_t min_value, uint32_t max_value) {
    State& s = state();
    s.sem_max[sem] = max_value;
    store(s.sem[sem], min_value);
}

// This RISC's mailbox endpoint. NCRISC has none on Wormhole (its firmware defines no mailbox_base).
#if defined(COMPILE_FOR_TRISC)
constexpr int kMailboxMe = COMPILE_FOR_TRISC + 1;
#elif defined(COMPILE_FOR_BRISC)
constexpr int kMailboxMe = 0;
#else
constexpr int kMailboxMe = -1;
#endif

inline uint32_t mailbox_endpoint(uint32_t other, const char* call) {
    if (kMailboxMe < 0) emu_unsupported("a Tensix mailbox from NCRISC (only BRISC and the TRISCs have them)");
    if (other >= kMailboxThreads) emu_unsupported(call);
    return uint32_t(kMailboxMe);
}

// A message to `to` (a ckernel::ThreadId); blocks while that mailbox is full.
inline void mailbox_write(uint32_t to, uint32_t data) {
    const uint32_t me = mailbox_endpoint(to, "mailbox_write to a thread id past PackThreadId");
    State& s = state();
    wait_until([&] { return load(s.mbox_wr[me][to]) - load(s.mbox_rd[me][to]) < kMailboxDepth; });
    s.mbox[me][to][s.mbox_wr[me][to] % kMailboxDepth] = data;
    store(s.mbox_wr[me][to], s.mbox_wr[me][to] + 1);
}

// The next message from `from`; blocks until one arrives.
inline uint32_t mailbox_read(uint32_t from) {
    const uint32_t me = mailbox_endpoint(from, "mailbox_read from a thread id past PackThreadId");
    State& s = state();
    wait_until([&] { return load(s.mbox_wr[from][me]) != load(s.mbox_rd[from][me]); });
    const uint32_t data = s.mbox[from][me][s.mbox_rd[from][me] % kMailboxDepth];
    store(s.mbox_rd[from][me], s.mbox_rd[from][me] + 1);
    return data;
}

inline bool mailbox_not_empty(uint32_t from) {
    const uint32_t me = mailbox_endpoint(from, "mailbox_not_empty for a thread id past PackThreadId");
    State& s = state();
    return load(s.mbox_wr[from][me]) != load(s.mbox_rd[from][me]);
}

// ---- the configuration space, semaphores and mutexes behind ckernel.h's primitives ------------------------------
#if defined(COMPILE_FOR_TRISC)
constexpr uint32_t kThread = COMPILE_FOR_TRISC;
#else
constexpr uint32_t kThread = 0;  // BRISC's writes into the Tensix configuration (none of its own threads)
#endif

// The configuration state this thread's instructions address (its CFG_STATE_ID register, set through SETC16).
inline uint32_t cfg_state_base() {
    return (state().thread_cfg[kThread][CFG_STATE_ID_StateID_ADDR32] & 1) * kCfgStateWords;
}

inline uint32_t& cfg_word(uint32_t index) {
    if (index >= 2 * kCfgStateWords) emu_unsupported("a Tensix configuration register past the two config states");
    return state().cfg[index];
}

// Read-modify-write of the bits in `mask`: atomic, as the three TRISCs share the configuration space (RMWCIB,
// and cfg_rmw under the REG_RMW mutex on silicon).
inline void cfg_rmw_bits(uint32_t index, uint32_t mask, uint32_t bits) {
    uint32_t& w = cfg_word(index);
    uint32_t old = __atomic_load_n(&w, __ATOMIC_SEQ_CST);
    while (!__atomic_compare_exchange_n(&w, &old, (old & ~mask) | (bits & mask), false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST)) {
    }
}

// Tensix semaphores (SEMPOST / SEMGET / SEMWAIT, and the RISC's semaphore_post/get): 4-bit counters; a post at 15
// and a get at 0 change nothing, as on silicon.
inline uint32_t semaphore_value(uint32_t sem) { return load(state().sem[sem]); }
inline void semaphore_post(uint32_t sem) {
    uint32_t& v = state().sem[sem];
    uint32_t old = load(v);
    while (old < 15 && !__atomic_compare_exchange_n(&v, &old, old + 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    }
    emu_notify();
}
inline void semaphore_get(uint32_t sem) {
    uint32_t& v = state().sem[sem];
    uint32_t old = load(v);
    while (old > 0 && !__atomic_compare_exchange_n(&v, &old, old - 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    }
    emu_notify();
}
// SEMWAIT: the thread stalls while the semaphore is zero (on_zero) or at its maximum (on_max).
inline void semaphore_wait(uint32_t sem, bool on_zero, bool on_max) {
    State& s = state();
    wait_until([&] {
        const uint32_t v = load(s.sem[sem]);
        return !((on_zero && v == 0) || (on_max && v >= s.sem_max[sem]));
    });
}

// ATGETM / ATRELM: a mutex of the core's three TRISCs; getting one this thread holds is immediate.
inline void mutex_acquire(uint32_t index) {
    if (index >= kMutexes) emu_unsupported("a Tensix mutex index past 7");
    uint32_t& owner = state().mutex_owner[index];
    const uint32_t me = kThread + 1;
    wait_until([&] {
        uint32_t expected = 0;
        return __atomic_compare_exchange_n(&owner, &expected, me, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) ||
               expected == me;
    });
}
inline void mutex_release(uint32_t index) {
    if (index >= kMutexes) emu_unsupported("a Tensix mutex index past 7");
    uint32_t& owner = state().mutex_owner[index];
    uint32_t me = kThread + 1;
    __atomic_compare_exchange_n(&owner, &me, 0u, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    emu_notify();
}

inline void clear_dest() { std::memset(state().dest, 0, sizeof(state().dest)); }

// ---- element conversion (CB format <-> register value) -----------------------------------------------------
constexpr uint32_t kFloat32 = 0, kFloat16_b = 5;

#if defined(COMPILE_FOR_TRISC)
constexpr const char* kTriscName = COMPILE_FOR_TRISC == 0 ? "UNPACK (TRISC0)"
                                   : COMPILE_FOR_TRISC == 1 ? "MATH (TRISC1)"
                                                            : "PACK (TRISC2)";
#endif

// One datum of an L1 tile as the unpacker writes it into a source register: Float16_b lands unchanged (denormals
// and -0 kept); Float32 becomes TF32 (low 13 mantissa bits dropped, denormals kept) for an fp32 DEST and bf16
// (denormals to a signed zero, then the low 16 bits dropped) otherwise. `exact`: UnpackToDestFp32, all 32 bits.
inline float to_reg(const uint8_t* tile, uint32_t i, uint32_t format, bool fp32_dest, bool exact = false) {
    uint32_t bits = 0;
    if (format == kFloat16_b) {
        uint16_t h;
        std::memcpy(&h, tile + 2 * i, 2);
        bits = uint32_t(h) << 16;
    } else if (format == kFloat32) {
        std::memcpy(&bits, tile + 4 * i, 4);
        if (!exact) {
            if (fp32_dest) {
                bits &= 0xFFFFE000u;
            } else {
                if ((bits & 0x7FFFFFFFu) < 0x800000u) bits &= 0x80000000u;
                bits &= 0xFFFF0000u;
            }
        }
    } else {
        emu_unsupported("unpack of this CB data format (the LLK layer converts Float16_b and Float32)");
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

// One DEST datum packed into an L1 tile: the packer's rounding, NaN -> Inf and flush (emu::compute::pack_*).
inline void from_reg(uint8_t* tile, uint32_t i, float v, uint32_t format, bool fp32_dest) {
    if (format == kFloat16_b) {
        const uint16_t h = emu::compute::pack_bf16(v);
        std::memcpy(tile + 2 * i, &h, 2);
    } else if (format == kFloat32) {
        const uint32_t bits = emu::compute::pack_fp32(v, fp32_dest);
        std::memcpy(tile + 4 * i, &bits, 4);
    } else {
        emu_unsupported("pack to this CB data format (the LLK layer converts Float16_b and Float32)");
    }
}

// ---- circular buffers as the unpacker (front) and packer (back) see them ------------------------------------
inline LocalCBInterface& cb(uint32_t operand) { return cb_interface[operand].local_cb_interface; }
inline uint32_t received(uint32_t operand) { return emu_reg_read(uint32_t(uintptr_t(get_cb_tiles_received_ptr(operand)))); }
inline uint32_t acked(uint32_t operand) { return emu_reg_read(uint32_t(uintptr_t(get_cb_tiles_acked_ptr(operand)))); }

// Byte address of tile `index` of the front (read) or back (write) window; TRISCs hold CB addresses in 16 B words.
inline uint8_t* front_tile(uint32_t operand, uint32_t index) {
    return reinterpret_cast<uint8_t*>(uintptr_t((cb(operand).fifo_rd_ptr + index * cb(operand).fifo_page_size) << 4));
}
inline uint8_t* back_tile(uint32_t operand, uint32_t index) {
    return reinterpret_cast<uint8_t*>(uintptr_t((cb(operand).fifo_wr_ptr + index * cb(operand).fifo_page_size) << 4));
}

// Tiles the UNPACK thread may read at a CB's front: what its cb_wait_front calls made sure of, less what it popped.
inline uint32_t waited_tiles[NUM_CIRCULAR_BUFFERS];

inline void require_waited(const char* call, uint32_t operand, uint32_t tile_index) {
    if (tile_index >= waited_tiles[operand]) {
        char msg[200];
        std::snprintf(msg, sizeof msg, "reads tile %u of the CB's front, but cb_wait_front made only %u tile(s) "
                      "available there", tile_index, waited_tiles[operand]);
        emu_llk_violation(call, int(operand), msg);
    }
}

inline void advance(uint32_t& ptr, const LocalCBInterface& c, uint32_t pages) {
    ptr += pages * c.fifo_page_size;
    if (ptr >= c.fifo_limit) ptr -= c.fifo_size;
}

}  // namespace emu::tensix
