// Emulator shadow of metal/llk_io/llk_io_unpack.h: the unpacker's side of a CB (wait at the front, pop), on the
// core's stream registers like the data-movement side.
#pragma once

#include <cstdint>

#include "ckernel.h"
#include "llk_io.h"
#include "llk_operands.h"

inline void llk_wait_tiles(int operand, std::int32_t num_tiles) {
    using namespace emu::tensix;
    const uint16_t target = uint16_t(cb(operand).tiles_acked + num_tiles);
    wait_until([&] { return uint16_t(received(operand) - target) < 0x8000; });
    if (uint32_t(num_tiles) > waited_tiles[operand]) waited_tiles[operand] = num_tiles;
}

inline void llk_pop_tiles(const std::int32_t operand, const std::int32_t num_tiles, const std::int32_t = 0) {
    using namespace emu::tensix;
    LocalCBInterface& c = cb(operand);
    waited_tiles[operand] -= uint32_t(num_tiles) < waited_tiles[operand] ? num_tiles : waited_tiles[operand];
    c.tiles_acked = uint16_t(c.tiles_acked + num_tiles);
    emu_reg_write(uint32_t(uintptr_t(get_cb_tiles_acked_ptr(operand))), c.tiles_acked);
    advance(c.fifo_rd_ptr, c, num_tiles);
}

inline void llk_wait_blocks(int operand, std::int32_t num_blocks) { llk_wait_tiles(operand, num_blocks); }
