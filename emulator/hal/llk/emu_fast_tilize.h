// Wormhole's fast tilize (tt-llk's llk_*_fast_tilize_*): a row-major strip moves through both source registers
// into DEST in units of unit_dim tiles of one tile row, and the packer writes them out as tiles.
//   unit_dim 1 (full_dim 1 only): SrcA holds the whole tile;
//   unit_dim 2: SrcA the top faces (rows 0-15) of both tiles, SrcB the bottom faces (rows 16-31);
//   unit_dim 3: two register loads, rows 0-7 | 8-15 of the three tiles in SrcA | SrcB, then rows 16-23 | 24-31.
// Each load lands row-interleaved as the unpacker writes it: SrcA row r·unit_dim·2 + t·2 + face column holds the
// 16 datums of tile t's row r. Unpack fills the registers (the unpacker's format conversion), math moves them to
// DEST with MOVA2D/MOVB2D (emu::compute::mov_to_dest) and the packer converts each tile to the output format.
// Only DstSync::SyncHalf is supported; DEST holds 8 tiles of 16-bit data or 4 of TF32 data per half.
#pragma once

#include <cstdint>

#include "emu_tensix.h"

namespace emu::tensix::fast_tilize {

constexpr uint32_t kTf32 = 4;  // DataFormat::Tf32

inline uint32_t loads(uint32_t unit_dim) { return unit_dim == 3 ? 2 : 1; }
inline bool uses_srcb(uint32_t unit_dim) { return unit_dim != 1; }
// Tile rows of one register load: all 32 for unit_dim 1 and 2, 16 per load for unit_dim 3.
inline uint32_t load_rows(uint32_t unit_dim) { return unit_dim == 3 ? 16 : 32; }

struct Slot {
    bool srcb;
    uint32_t index;
};

// Where row r (of the load's rows, 0-based from its first) and column c of tile t of a unit sit in the registers.
inline Slot slot(uint32_t unit_dim, uint32_t t, uint32_t r, uint32_t c) {
    if (unit_dim == 1) return {false, ((r / 16) * 2 + c / 16) * 256 + (r % 16) * 16 + c % 16};
    const uint32_t half = unit_dim == 3 ? 8 : 16;  // rows per register
    const uint32_t rr = r % half;
    return {r >= half, ((rr * unit_dim + t) * 2 + c / 16) * 16 + c % 16};
}

// Tiles of one DEST half fast tilize may fill: the top faces go in its first half, the bottom faces in its second.
inline uint32_t dest_capacity(bool tf32) { return tf32 ? 4 : 8; }

inline bool legal_unit_dim(uint32_t unit_dim) { return unit_dim >= 1 && unit_dim <= 3; }

// An init for unit_dim 1 programs other address mods than one for 2 or 3 (which share them).
inline bool same_program(uint32_t init_unit_dim, uint32_t unit_dim) { return (init_unit_dim == 1) == (unit_dim == 1); }

}  // namespace emu::tensix::fast_tilize
