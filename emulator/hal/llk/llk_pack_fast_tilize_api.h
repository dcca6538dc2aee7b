// Emulator shadow of metal/llk_api/llk_pack_fast_tilize_api.h: the packer side of fast tilize is not modelled; a
// kernel that calls it builds (api/compute/tilize.h names these in non-template code) and fails naming the call.
#pragma once

#include <cstdint>

#include "llk_pack_common_api.h"

inline void llk_pack_fast_tilize_init(const std::uint32_t, const std::uint32_t, const std::uint32_t) {
    emu_unsupported("llk_pack_fast_tilize_init (fast_tilize_init)");
}
template <bool is_fp32_dest_acc_en>
inline void llk_pack_fast_tilize_uninit(const std::uint32_t) {
    emu_unsupported("llk_pack_fast_tilize_uninit (fast_tilize_uninit)");
}
inline void llk_pack_fast_tilize_block(const std::uint32_t, const std::uint32_t, const std::uint32_t,
                                       const std::uint32_t, const std::uint32_t) {
    emu_unsupported("llk_pack_fast_tilize_block (fast_tilize_block)");
}
