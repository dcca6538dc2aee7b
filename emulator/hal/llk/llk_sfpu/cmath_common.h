// The MATH thread's DEST-walking helpers the SFPU path uses (tt-llk's cmath_common.h, math:: part), each one
// Tensix instruction issued to the emulated thread.
#pragma once

#include <cstdint>

#include "ckernel.h"
#include "ckernel_addrmod.h"

namespace ckernel {
// DEST tiles the MATH thread may index: 1024 rows of 16-bit data (half that with fp32 accumulation), halved
// again under SyncHalf; the SFPU call macros check dst_index against it.
template <DstSync SYNC_MODE, DstTileShape TILE_SHAPE>
inline std::uint32_t get_dest_max_tiles_rt() {
    constexpr std::uint32_t rows_log2 = TILE_SHAPE == DstTileShape::Tile32x32 ? 6 : TILE_SHAPE == DstTileShape::Tile32x16 ? 5 : 4;
    std::uint32_t rows = SYNC_MODE == DstSync::SyncHalf ? 512 : 1024;
    if (DST_ACCUM_MODE) rows >>= 1;
    return rows >> rows_log2;
}
}  // namespace ckernel

namespace ckernel::math {

inline void reset_counters(const std::uint32_t setrwc) { TTI_SETRWC(p_setrwc::CLR_NONE, 0, 0, 0, 0, setrwc); }

inline void incr_counters(std::uint32_t a, std::uint32_t b, std::uint32_t d, std::uint32_t cr) {
    TT_INCRWC(cr, d, b, a);
}

// DEST rows of the MATH thread start at its section (emu_sfpu_dest()); a tile index is 64 rows in.
template <DstTileShape tile_shape, UnpackDestination unpack_destination>
inline void set_dst_write_addr(std::uint32_t tile_index) {
    static_assert(unpack_destination == UnpackDestination::SrcRegs, "the SFPU path addresses DEST from MATH");
    constexpr std::uint32_t rows_log2 = tile_shape == DstTileShape::Tile32x32 ? 6 : tile_shape == DstTileShape::Tile32x16 ? 5 : 4;
    TT_SETC16(DEST_TARGET_REG_CFG_MATH_Offset_ADDR32, tile_index << rows_log2);
}

inline void clear_dst_reg_addr() { TTI_SETRWC(p_setrwc::CLR_NONE, 0, 0, 0, 0, p_setrwc::SET_D); }
inline void set_addr_mod_base() { TTI_SETC16(ADDR_MOD_SET_Base_ADDR32, 1); }
inline void clear_addr_mod_base() { TTI_SETC16(ADDR_MOD_SET_Base_ADDR32, 0); }

template <std::uint32_t num_rows = 8>
inline void inc_dst_addr() {
    TTI_SETRWC(p_setrwc::CLR_NONE, p_setrwc::CR_D, num_rows, 0, 0, p_setrwc::SET_D);
}

}  // namespace ckernel::math
