// Emulator shadow of metal/llk_api/llk_pack_fast_tilize_api.h: the packer side of fast tilize (emu_fast_tilize.h).
// It reads DEST at 32 bits only when the input CB's data is TF32 (its pack format is Float32), as tt-llk does
// whatever DST_ACCUM_MODE says, and writes each tile with the packer's rounding into consecutive output tiles.
// Its own MOP and DEST offsets replace the ordinary packer's until fast_tilize_uninit.
#pragma once

#include <cstdint>

#include "emu_fast_tilize.h"
#include "llk_pack_common_api.h"

namespace emu::tensix {
inline bool pack_fast_tilize_32bit = false;  // DEST read at 32 bits (TF32 data)
}  // namespace emu::tensix

inline void llk_pack_fast_tilize_init(const std::uint32_t input_operand, const std::uint32_t pack_output,
                                      const std::uint32_t unit_dim) {
    using namespace emu::tensix;
    constexpr const char* call = "llk_pack_fast_tilize_init (fast_tilize_init)";
    if (DST_SYNC_MODE != DstSync::SyncHalf)
        emu_llk_violation(call, int(pack_output), "fast tilize supports only DstSync::SyncHalf; this kernel's "
                                                  "ComputeConfig sets dst_full_sync_en");
    if (!fast_tilize::legal_unit_dim(unit_dim)) emu_llk_violation(call, int(pack_output), "unit_dim must be 1, 2 or 3");
    const uint32_t format = pack_dst_format[pack_output];
    if (format != kFloat32 && format != kFloat16_b)
        emu_unsupported("fast tilize into a CB that is not Float32 or Float16_b (the LLK layer packs those)");
    pack_fast_tilize_32bit = pack_src_format[input_operand] == kFloat32 || pack_src_format[input_operand] == fast_tilize::kTf32;
    pack_fast_tilize_unit_dim = unit_dim;
}

template <bool is_fp32_dest_acc_en>
inline void llk_pack_fast_tilize_uninit(const std::uint32_t) {
    emu::tensix::pack_fast_tilize_unit_dim = 0;
}

inline void llk_pack_fast_tilize_block(const std::uint32_t tile_index, const std::uint32_t output,
                                       const std::uint32_t output_tile_index, const std::uint32_t unit_dim,
                                       const std::uint32_t num_units) {
    using namespace emu::tensix;
    namespace ft = emu::tensix::fast_tilize;
    constexpr const char* call = "llk_pack_fast_tilize_block (fast_tilize_block)";
    char msg[300];
    if (pack_fast_tilize_unit_dim == 0)
        emu_llk_violation(call, int(output), "fast_tilize_block without fast_tilize_init (or after fast_tilize_uninit)");
    if (!ft::legal_unit_dim(unit_dim) || !ft::same_program(pack_fast_tilize_unit_dim, unit_dim)) {
        std::snprintf(msg, sizeof msg, "unit_dim %u after fast_tilize_init programmed unit_dim %u (1 and 2/3 use "
                      "different address mods; switching needs a new init)", unit_dim, pack_fast_tilize_unit_dim);
        emu_llk_violation(call, int(output), msg);
    }
    if (!pack_holds_dest) emu_llk_violation(call, int(output), "packs DEST outside tile_regs_wait ... tile_regs_release");
    const uint32_t tiles = unit_dim * num_units, capacity = ft::dest_capacity(pack_fast_tilize_32bit);
    if (tile_index + tiles > capacity) {
        std::snprintf(msg, sizeof msg, "DEST tiles %u..%u: one DEST half holds %u tiles of %s data for fast tilize",
                      tile_index, tile_index + tiles - 1, capacity, pack_fast_tilize_32bit ? "TF32" : "16-bit");
        emu_llk_violation(call, int(output), msg);
    }
    require_pack_format(call, output);
    State& s = state();
    const uint32_t section = section_tiles<DST_ACCUM_MODE>();
    for (uint32_t k = 0; k < tiles; ++k) {
        uint8_t* out = back_tile(output, output_tile_index + k);
        const float* src = &s.dest[(s.pack_section * section + tile_index + k) * kTileElems];
        for (uint32_t i = 0; i < kTileElems; ++i) from_reg(out, i, src[i], pack_dst_format[output], pack_fast_tilize_32bit);
    }
}
