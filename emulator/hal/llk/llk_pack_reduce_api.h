// Emulator shadow of metal/llk_api/llk_pack_reduce_api.h: the packer's edge mask during a reduce -- only the
// reduced column (REDUCE_ROW), row (REDUCE_COL) or corner (REDUCE_SCALAR) is written, everything else packs as 0.
#pragma once

#include <cstdint>

#include "llk_pack_common_api.h"

template <ReduceDim dim, PackMode pack_mode = PackMode::Default>
inline void llk_pack_reduce_mask_config(std::uint32_t) {
    emu::tensix::pack_reduce_mask = 1 + uint32_t(dim);
}
inline void llk_pack_reduce_mask_clear() { emu::tensix::pack_reduce_mask = 0; }
