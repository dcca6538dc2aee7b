// Emulator shadow of metal/llk_api/llk_unpack_A_api.h: one tile from a CB's front window into a source register,
// handed to math through that register's valid flag. SrcA normally; SrcB for binary_dest_reuse with DEST_TO_SRCA
// (DEST then supplies SrcA), and for a broadcast (unary_bcast), whose SrcB datum math's B2D move spreads.
#pragma once

#include <cstdint>

#include "llk_unpack_common_api.h"

namespace emu::tensix {
// The unpacker's transpose (llk_unpack_A_init): swap faces 1 and 2, transpose within each 16x16 face.
inline bool unpack_transpose_faces = false, unpack_transpose_within = false;
}  // namespace emu::tensix

template <BroadcastType BType = BroadcastType::NONE, bool acc_to_dest = false,
          EltwiseBinaryReuseDestType binary_reuse_dest = EltwiseBinaryReuseDestType::NONE, bool unpack_to_dest = false>
inline void llk_unpack_A_init(const std::uint32_t transpose_of_faces = 0,
                              const std::uint32_t within_face_16x16_transpose = 0, const std::uint32_t = 0) {
    emu::tensix::unpack_transpose_faces = transpose_of_faces != 0;
    emu::tensix::unpack_transpose_within = within_face_16x16_transpose != 0;
}

template <BroadcastType BType = BroadcastType::NONE, bool acc_to_dest = false,
          EltwiseBinaryReuseDestType binary_reuse_dest = EltwiseBinaryReuseDestType::NONE, bool unpack_to_dest = false>
inline void llk_unpack_A(const std::uint32_t operand, const std::uint32_t tile_index,
                         [[maybe_unused]] const std::uint32_t dst_tile_index = 0) {
    using namespace emu::tensix;
    require_waited("llk_unpack_A", operand, tile_index);
    State& s = state();
    if constexpr (BType != BroadcastType::NONE) {
        // unary_bcast: the tile goes to SrcB, whose datum math's B2D move broadcasts over the DEST tile.
        static_assert(binary_reuse_dest == EltwiseBinaryReuseDestType::NONE, "a broadcast unpack reuses no DEST");
        require_unpack_format("llk_unpack_A<broadcast> (unary_bcast)", 1, operand);
        wait_until([&] { return load(s.srcb_valid) == 0; });
        const bool exact = unpack_dst_format[operand] == kFloat32;  // UnpackToDestFp32
        const uint8_t* tile = front_tile(operand, tile_index);
        for (uint32_t i = 0; i < kTileElems; ++i)
            s.srcb[i] = to_reg(tile, i, unpack_src_format[operand], DST_ACCUM_MODE, exact);
        store(s.srcb_valid, 1);
        return;
    }
    require_unpack_format("llk_unpack_A", binary_reuse_dest == EltwiseBinaryReuseDestType::DEST_TO_SRCA ? 1 : 0, operand);
    constexpr bool reuse = binary_reuse_dest != EltwiseBinaryReuseDestType::NONE;
    constexpr bool to_b = binary_reuse_dest == EltwiseBinaryReuseDestType::DEST_TO_SRCA;
    float* reg = to_b ? s.srcb : s.srca;
    // A dest-reuse op takes both source registers (math moves DEST into the other one), so the unpacker hands
    // over both, as its valid for the other register does on silicon: the next tile cannot land in it meanwhile.
    wait_until([&] { return load(s.srca_valid) == 0 && (!reuse || load(s.srcb_valid) == 0); });
    const bool exact = unpack_dst_format[operand] == kFloat32;  // UnpackToDestFp32
    const uint8_t* tile = front_tile(operand, tile_index);
    for (uint32_t i = 0; i < kTileElems; ++i)
        reg[i] = to_reg(tile, uint32_t(emu::compute::transposed_index(int(i), unpack_transpose_faces, unpack_transpose_within)),
                        unpack_src_format[operand], DST_ACCUM_MODE, exact);
    if (reuse) store(s.srcb_valid, 1);
    store(s.srca_valid, 1);
}

template <BroadcastType BType = BroadcastType::NONE, bool acc_to_dest = false,
          EltwiseBinaryReuseDestType binary_reuse_dest = EltwiseBinaryReuseDestType::NONE, bool unpack_to_dest = false>
inline void llk_unpack_A_block(const std::uint32_t operand, const std::uint32_t start_tile_index,
                               const std::uint32_t ntiles, const std::uint32_t = 0) {
    for (std::uint32_t t = 0; t < ntiles; ++t) llk_unpack_A<BType, acc_to_dest, binary_reuse_dest, unpack_to_dest>(
        operand, start_tile_index + t);
}

template <BroadcastType BType = BroadcastType::NONE>
inline void llk_unpack_A_uninit() {}
