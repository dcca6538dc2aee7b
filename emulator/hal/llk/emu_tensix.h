// The Tensix engine state the three TRISC threads of a core share -- semaphores, the source registers and DEST --
// kept in the core's hardware block beside its stream registers (emu/hal.h), and the CB side of the unpacker and
// packer.
//
// This is the emulator's compute skeleton: data moves between CBs, the source registers and DEST with the
// hardware's hand-offs (unpack -> math through SrcA valid, math -> pack through the MATH_PACK semaphore and DEST's
// sections), and conversions for Float16_b and Float32 only. The FPU numerics of each LLK call belong here.
#pragma once

#include <cstdint>
#include <cstring>

#include "emu/hal.h"
#include "internal/circular_buffer_interface.h"
#include "stream_io_map.h"

extern uint32_t emu_tensix_base;

namespace emu::tensix {

constexpr uint32_t kSemUnpackToDest = 0, kSemMathPack = 1, kSemPackUnpack = 2, kNumSems = 8;
constexpr uint32_t kTileElems = 1024;
constexpr uint32_t kDestTiles = 16;  // 16 tiles of 16-bit data (8 with fp32 accumulation)

struct State {
    uint32_t sem[kNumSems];
    uint32_t sem_max[kNumSems];
    uint32_t srca_valid;
    uint32_t math_section, pack_section;  // which DEST half math writes / pack reads (half sync)
    uint32_t pad;
    // TRISC-to-TRISC mailboxes: [sender][receiver], four-deep FIFOs.
    uint32_t mbox[3][3][4];
    uint32_t mbox_wr[3][3], mbox_rd[3][3];
    float srca[kTileElems];
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

inline float to_reg(const uint8_t* tile, uint32_t i, uint32_t format) {
    uint32_t bits = 0;
    if (format == kFloat16_b) {
        uint16_t h;
        std::memcpy(&h, tile + 2 * i, 2);
        bits = uint32_t(h) << 16;
    } else if (format == kFloat32) {
        std::memcpy(&bits, tile + 4 * i, 4);
    } else {
        emu_unsupported("unpack of this CB data format (the compute skeleton converts Float16_b and Float32)");
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

inline void from_reg(uint8_t* tile, uint32_t i, float v, uint32_t format) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    if (format == kFloat16_b) {
        const uint16_t h = uint16_t((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);  // round to nearest even
        std::memcpy(tile + 2 * i, &h, 2);
    } else if (format == kFloat32) {
        std::memcpy(tile + 4 * i, &bits, 4);
    } else {
        emu_unsupported("pack to this CB data format (the compute skeleton converts Float16_b and Float32)");
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

inline void advance(uint32_t& ptr, const LocalCBInterface& c, uint32_t pages) {
    ptr += pages * c.fifo_page_size;
    if (ptr >= c.fifo_limit) ptr -= c.fifo_size;
}

}  // namespace emu::tensix
