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

#include "emu/hal.h"
#include "internal/circular_buffer_interface.h"
#include "stream_io_map.h"

extern uint32_t emu_tensix_base;

// A compute strictness violation: fails the op naming the call and CB (the runtime adds kernel, core and RISC).
extern "C" [[noreturn]] void emu_llk_violation(const char* call, int cb, const char* message);

namespace emu::compute {
float datacopy_a2d(float src, bool fp32_dest);
float datacopy_b2d(float src, int bcast, bool src_tf32, bool fp32_dest);
void reduce_math(int pool, int dim, const float* data, const float* scaler, float* dst, bool had, int math_fidelity,
                 bool fp32_dest);
void binary_math(int op, int bcast, uint32_t row_idx, const float* a, const float* b, float* dst, bool acc,
                 int math_fidelity, bool fp32_dest);
int transposed_index(int i, bool faces, bool within);
uint16_t pack_bf16(float v);
uint32_t pack_fp32(float v, bool fp32_dest);
}  // namespace emu::compute

namespace emu::tensix {

constexpr uint32_t kSemUnpackToDest = 0, kSemMathPack = 1, kSemPackUnpack = 2, kNumSems = 8;
constexpr uint32_t kTileElems = 1024;
constexpr uint32_t kDestTiles = 16;  // 16 tiles of 16-bit data (8 with fp32 accumulation)

struct State {
    uint32_t sem[kNumSems];
    uint32_t sem_max[kNumSems];
    uint32_t srca_valid, srcb_valid;
    uint32_t math_section, pack_section;  // which DEST half math writes / pack reads (half sync)
    uint32_t bcast_row;                    // the row a ROW broadcast reads from SrcB (llk_unpack_AB's bcast_row_idx)
    uint32_t pad[3];
    // TRISC-to-TRISC mailboxes: [sender][receiver], four-deep FIFOs.
    uint32_t mbox[3][3][4];
    uint32_t mbox_wr[3][3], mbox_rd[3][3];
    float srca[kTileElems];
    float srcb[kTileElems];
    float dest[kDestTiles * kTileElems];
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

#if defined(COMPILE_FOR_TRISC)
constexpr uint32_t kMe = COMPILE_FOR_TRISC;

inline void mailbox_write(uint32_t to, uint32_t data) {
    State& s = state();
    wait_until([&] { return load(s.mbox_wr[kMe][to]) - load(s.mbox_rd[kMe][to]) < 4; });
    s.mbox[kMe][to][s.mbox_wr[kMe][to] % 4] = data;
    store(s.mbox_wr[kMe][to], s.mbox_wr[kMe][to] + 1);
}

inline uint32_t mailbox_read(uint32_t from) {
    State& s = state();
    wait_until([&] { return load(s.mbox_wr[from][kMe]) != load(s.mbox_rd[from][kMe]); });
    const uint32_t data = s.mbox[from][kMe][s.mbox_rd[from][kMe] % 4];
    store(s.mbox_rd[from][kMe], s.mbox_rd[from][kMe] + 1);
    return data;
}
#endif

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
