// Emulator shadow of metal/llk_api/llk_math_unary_datacopy_api.h (compute skeleton): SrcA to DEST.
#pragma once

#include <cstdint>

#include "llk_math_common_api.h"
#include "llk_operands.h"

template <DataCopyType type, bool is_fp32_dest_acc_en, BroadcastType src_b_bcast_type = BroadcastType::NONE,
          bool unpack_to_dest = false>
inline void llk_math_eltwise_unary_datacopy(std::uint32_t dst_index, std::uint32_t operand) {
    // Unpack-to-DEST also passes through SrcA here: the same values for a copy.
    static_assert(type == DataCopyType::A2D && src_b_bcast_type == BroadcastType::NONE,
                  "emulator compute skeleton: only the A2D datacopy is implemented");
    using namespace emu::tensix;
    State& s = state();
    const uint32_t tiles = section_tiles<is_fp32_dest_acc_en>();
    if (dst_index >= tiles) emu_unsupported("DEST index past the tiles of one DEST section");
    wait_until([&] { return load(s.srca_valid) == 1; });
    std::memcpy(&s.dest[(s.math_section * tiles + dst_index) * kTileElems], s.srca, sizeof(s.srca));
    store(s.srca_valid, 0);
}

template <DataCopyType type, bool is_fp32_dest_acc_en, BroadcastType src_b_bcast_type = BroadcastType::NONE,
          bool unpack_to_dest = false>
inline void llk_math_eltwise_unary_datacopy_block(std::uint32_t start_dst_index, std::uint32_t ntiles,
                                                  std::uint32_t operand) {
    for (std::uint32_t t = 0; t < ntiles; ++t)
        llk_math_eltwise_unary_datacopy<type, is_fp32_dest_acc_en, src_b_bcast_type, unpack_to_dest>(
            start_dst_index + t, operand);
}

template <DataCopyType type, bool is_fp32_dest_acc_en, BroadcastType src_b_bcast_type = BroadcastType::NONE,
          bool is_int_fpu_en = false, PackMode pack_mode = PackMode::Default>
inline void llk_math_eltwise_unary_datacopy_init(const std::uint32_t) {}

template <BroadcastType src_b_bcast_type = BroadcastType::NONE, bool unpack_to_dest = false>
inline void llk_math_eltwise_unary_datacopy_uninit() {}
