// Emulator shadow of the RISC-V common layer (tt-1xx risc_common.h): the same names, with every register access
// routed to the emulator (emu/hal.h) instead of a fixed hardware address. Pure helpers keep their meaning.
#ifndef _RISC_COMMON_H_
#define _RISC_COMMON_H_

#include <stdint.h>

#include <cstdint>

#include "emu/hal.h"
#include "eth_l1_address_map.h"
#include "internal/mod_div_lib.h"
#include "internal/tt-1xx/cache.h"
#include "limits.h"
#include "noc_overlay_parameters.h"
#include "noc_parameters.h"
#include "stream_io_map.h"
#include "tensix.h"

// Wormhole's NoC 1 sees the same (virtual) coordinates as NoC 0.
#define NOC_X(x) NOC_0_X(noc_index, noc_size_x, (x))
#define NOC_Y(y) NOC_0_Y(noc_index, noc_size_y, (y))
#define DYNAMIC_NOC_X(noc, x) NOC_0_X(noc, noc_size_x, (x))
#define DYNAMIC_NOC_Y(noc, y) NOC_0_Y(noc, noc_size_y, (y))
#define NOC_X_PHYS_COORD(x) NOC_0_X_PHYS_COORD(noc_index, noc_size_x, x)
#define NOC_Y_PHYS_COORD(y) NOC_0_Y_PHYS_COORD(noc_index, noc_size_y, y)

// Tile sizes in 16-byte words (header + exponents + data) per datum width.
#define TILE_WORD_2_BIT ((256 + 64 + 32) >> 4)
#define TILE_WORD_4_BIT ((512 + 64 + 32) >> 4)
#define TILE_WORD_8_BIT ((32 * 32 * 1 + 64 + 32) >> 4)
#define TILE_WORD_16_BIT ((32 * 32 * 2 + 32) >> 4)
#define TILE_WORD_32_BIT ((32 * 32 * 4 + 32) >> 4)

const uint32_t STREAM_RESTART_CHECK_MASK = (0x1 << 3) - 1;
const uint32_t MAX_TILES_PER_PHASE = 2048;

// NoC coordinates of this core, per NoC: firmware globals, set at kernel start-up.
extern uint8_t my_x[NUM_NOCS];
extern uint8_t my_y[NUM_NOCS];

inline void WRITE_REG(uint32_t addr, uint32_t val) { emu_reg_write(addr, val); }
inline uint32_t READ_REG(uint32_t addr) { return emu_reg_read(addr); }

// Register reads in the wheel's wait loops (CB counters) poll the emulated stream registers.
#if !defined(COMPILE_FOR_TRISC)
inline __attribute__((always_inline)) uint32_t reg_read(uint32_t addr) { return emu_reg_read(addr); }
#endif

inline uint32_t dram_io_incr_ptr(uint32_t curr_ptr, uint32_t incr, uint32_t buf_size_q_slots) {
    const uint32_t next = curr_ptr + incr;
    return next >= 2 * buf_size_q_slots ? next - 2 * buf_size_q_slots : next;
}

inline uint32_t dram_io_empty(uint32_t rd_ptr, uint32_t wr_ptr) { return rd_ptr == wr_ptr; }

inline uint32_t buf_ptr_inc_wrap(uint32_t buf_ptr, uint32_t inc, uint32_t buf_size) {
    const uint32_t next = buf_ptr + inc;
    return next >= buf_size ? next - buf_size : next;
}

inline uint32_t buf_ptr_dec_wrap(uint32_t buf_ptr, uint32_t dec, uint32_t buf_size) {
    return dec > buf_ptr ? buf_ptr + buf_size - dec : buf_ptr - dec;
}

// Blackhole-only L1 data cache control: nothing to do on Wormhole.
template <bool enable = true>
inline void set_l1_data_cache() {}

#if !defined(COMPILE_FOR_TRISC)
#include "noc_nonblocking_api.h"
#endif

inline uint64_t get_timestamp() { return emu_wall_clock(); }
inline uint32_t get_timestamp_32b() { return uint32_t(emu_wall_clock()); }

inline void riscv_wait(uint32_t cycles) {
    const uint64_t end = emu_wall_clock() + cycles;
    while (emu_wall_clock() < end) emu_poll();
}

inline void manually_flush_icache() {}

inline void zero_l1_buf(tt_l1_ptr uint32_t* buf, uint32_t size_bytes) {
    for (uint32_t i = 0; i < size_bytes / 4; i++) buf[i] = 0;
}

#endif
