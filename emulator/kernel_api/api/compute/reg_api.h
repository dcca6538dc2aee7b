// Emulator shadow of api/compute/reg_api.h: the DEST section protocol (tensix-semantics §2.6).
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {

ALWI void acquire_dst(const emu::Loc& loc = emu::Loc::here()) { emu::compute::acquire_dst("acquire_dst", loc); }

ALWI void tile_regs_acquire(const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::tile_regs_acquire("tile_regs_acquire", loc);
}

ALWI void tile_regs_wait(const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::tile_regs_wait("tile_regs_wait", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void release_dst(const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::release_dst("release_dst", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tile_regs_commit(const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::tile_regs_commit("tile_regs_commit", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void tile_regs_release(const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::tile_regs_release("tile_regs_release", loc);
}

}  // namespace ckernel
