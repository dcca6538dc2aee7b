// Emulator shadow of the Wormhole stream_io_map.h: CB N's page counters are stream N's scratch registers, which the
// emulator keeps in a per-core block (emu/hal.h) instead of at the overlay's fixed register address.
#ifndef _STREAM_IO_MAP_
#define _STREAM_IO_MAP_

#include <stdint.h>

#include "emu/hal.h"
#include "internal/risc_attribs.h"
#include "noc_overlay_parameters.h"

// Base of this core's stream register block: a firmware global of the kernel object, set at start-up.
extern uint32_t emu_stream_regs_base;

const uint32_t OPERAND_START_STREAM = 0;

inline __attribute__((always_inline)) uint32_t get_operand_stream_id(int operand) {
    return OPERAND_START_STREAM + operand;
}

inline __attribute__((always_inline)) uint32_t emu_stream_reg_addr(uint32_t stream, uint32_t reg) {
    return emu_stream_regs_base + stream * emu::hal::kStreamRegSpace + reg * 4;
}

inline __attribute__((always_inline)) volatile uint32_t* get_cb_tiles_received_ptr(int operand) {
    return (volatile uint32_t*)(uintptr_t)emu_stream_reg_addr(get_operand_stream_id(operand),
                                                              STREAM_REMOTE_DEST_BUF_SIZE_REG_INDEX);
}

inline __attribute__((always_inline)) volatile uint32_t* get_cb_tiles_acked_ptr(int operand) {
    return (volatile uint32_t*)(uintptr_t)emu_stream_reg_addr(get_operand_stream_id(operand),
                                                              STREAM_REMOTE_DEST_BUF_START_REG_INDEX);
}

inline __attribute__((always_inline)) volatile uint32_t* get_cq_finish_ptr() {
    return (volatile uint32_t*)(uintptr_t)emu_stream_reg_addr(0, STREAM_REMOTE_DEST_BUF_START_REG_INDEX);
}

inline __attribute__((always_inline)) volatile uint32_t* get_sync_register_ptr() {
    return (volatile uint32_t*)(uintptr_t)emu_stream_reg_addr(0, STREAM_PHASE_AUTO_CFG_PTR_REG_INDEX);
}

#endif
