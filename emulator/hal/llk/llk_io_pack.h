// Emulator shadow of metal/llk_io/llk_io_pack.h: the packer's side of a CB (reserve at the back, push).
#pragma once

#include <cstdint>

#include "ckernel.h"
#include "llk_io.h"
#include "llk_outputs.h"

template <bool skip_sync = false, bool wait_for_blocks = false, bool brisc_pack = false>
inline void llk_wait_for_free_tiles(const std::int32_t operand, const std::int32_t num_tiles) {
    using namespace emu::tensix;
    const LocalCBInterface& c = cb(operand);
    wait_until([&] { return int32_t(c.fifo_num_pages - uint16_t(c.tiles_received - acked(operand))) >= num_tiles; });
}

template <bool push_blocks = false, bool brisc_pack = false>
inline void llk_push_tiles(const std::int32_t operand, const std::int32_t num_tiles) {
    using namespace emu::tensix;
    LocalCBInterface& c = cb(operand);
    c.tiles_received = uint16_t(c.tiles_received + num_tiles);
    c.fifo_wr_tile_ptr = 0;
    emu_reg_write(uint32_t(uintptr_t(get_cb_tiles_received_ptr(operand))), c.tiles_received);
    advance(c.fifo_wr_ptr, c, num_tiles);
}

inline void llk_wait_for_free_blocks(const std::int32_t operand, const std::int32_t num_blocks) {
    llk_wait_for_free_tiles<false, true>(operand, num_blocks);
}
inline void llk_push_blocks(const std::int32_t operand, const std::int32_t num_blocks) {
    llk_push_tiles<true>(operand, num_blocks);
}
