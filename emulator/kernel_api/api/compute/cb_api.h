// Emulator shadow of api/compute/cb_api.h. On hardware the waits/pops run on the UNPACK thread and the
// reserves/pushes on the PACK thread; in mode A they all run in the kernel's one thread.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {

ALWI void cb_wait_front(uint32_t cbid, uint32_t ntiles, const emu::Loc& loc = emu::Loc::here()) {
    emu::cb_wait_front(int(cbid), ntiles, loc);
}

ALWI void cb_pop_front(uint32_t cbid, uint32_t ntiles, const emu::Loc& loc = emu::Loc::here()) {
    emu::cb_pop_front(int(cbid), ntiles, loc);
}

ALWI void cb_reserve_back(uint32_t cbid, uint32_t ntiles, const emu::Loc& loc = emu::Loc::here()) {
    emu::cb_reserve_back(int(cbid), ntiles, loc);
}

ALWI void cb_push_back(uint32_t cbid, uint32_t ntiles, const emu::Loc& loc = emu::Loc::here()) {
    emu::cb_push_back(int(cbid), ntiles, loc);
    emu::compute::pack_counter_reset(cbid);  // pack_tile restarts at the new write pointer
}

// L1 byte address of tile `tile_index` of the waited-for front of the CB.
ALWI uint32_t get_tile_address(uint32_t cb_id, uint32_t tile_index, const emu::Loc& loc = emu::Loc::here()) {
    emu::note_call("get_tile_address", int(cb_id), loc);
    return uint32_t(reinterpret_cast<uintptr_t>(emu::cb_front_page(int(cb_id), tile_index, "get_tile_address", loc)));
}

ALWI uint32_t read_tile_value(uint32_t cb_id, uint32_t tile_index, uint32_t element_offset,
                              const emu::Loc& loc = emu::Loc::here()) {
    emu::note_call("read_tile_value", int(cb_id), loc);
    const uint8_t* p = emu::cb_front_page(int(cb_id), tile_index, "read_tile_value", loc);
    uint32_t v;
    __builtin_memcpy(&v, p + 4 * element_offset, 4);
    return v;
}

}  // namespace ckernel
