// Emulator shadow of metal/llk_api/llk_math_unary_datacopy_api.h: SrcA to DEST (copy_tile, the tilize/untilize
// math step), and SrcB broadcast to DEST (unary_bcast). Into a 16-bit DEST the Src bits move unchanged; into an fp32 DEST the move is an ELWADD with zero
// (emu::compute::datacopy_a2d), except after an UnpackToDestFp32 unpack, whose 32 bits land as they are.
#pragma once

#include <cstdint>

#include "llk_math_common_api.h"
#include "llk_operands.h"

namespace emu::tensix {
// The SrcB datum a B2D broadcast moves to storage-order element i of the DEST tile: column 0 of i's row (COL),
// row 0 of i's column (ROW), the tile's first datum (SCALAR).
inline uint32_t bcast_source(BroadcastType bcast, uint32_t i) {
    const uint32_t r = (i / 512) * 16 + (i % 256) / 16, c = ((i / 256) % 2) * 16 + i % 16;
    switch (bcast) {
        case BroadcastType::COL: return (r / 16) * 512 + (r % 16) * 16;
        case BroadcastType::ROW: return (c / 16) * 256 + c % 16;
        case BroadcastType::SCALAR: return 0;
        default: return i;
    }
}
}  // namespace emu::tensix

template <DataCopyType type, bool is_fp32_dest_acc_en, BroadcastType src_b_bcast_type = BroadcastType::NONE,
          bool unpack_to_dest = false>
inline void llk_math_eltwise_unary_datacopy(std::uint32_t dst_index, std::uint32_t operand) {
    static_assert(type == DataCopyType::A2D || src_b_bcast_type != BroadcastType::NONE,
                  "emulator LLK layer: B2D moves a broadcast (a plain B2D copy is not modelled)");
    using namespace emu::tensix;
    constexpr bool bcast = src_b_bcast_type != BroadcastType::NONE;
    constexpr const char* call = bcast ? "llk_math_eltwise_unary_datacopy<broadcast> (unary_bcast)"
                                       : "llk_math_eltwise_unary_datacopy (copy_tile)";
    if (math_init.kind != MathInit::Datacopy || math_init.op != uint32_t(type) ||
        math_init.bcast != uint32_t(src_b_bcast_type))
        emu_llk_violation(call, int(operand), bcast ? "a broadcast datacopy without its unary_bcast_init of the same "
                                                      "BroadcastType"
                                                    : "a datacopy without its init (copy_init / "
                                                      "copy_tile_to_dst_init_short)");
    float* dst = math_dest_tile<is_fp32_dest_acc_en>(call, dst_index);
    State& s = state();
    const bool exact = is_fp32_dest_acc_en && unpack_dst_format[operand] == kFloat32;
    if constexpr (bcast) {
        // The broadcast unpack left the tile in SrcB. B2D: ROW is MOVB2D (the SrcB bits, TF32 kept when SrcB holds
        // TF32), COL and SCALAR an ELWADD of the datum onto a zero SrcA (emu::compute::datacopy_b2d). A2D with a
        // broadcast is unary_bcast's unpack-to-DEST path for 32-bit data: the datums land as they are.
        wait_until([&] { return load(s.srcb_valid) == 1; });
        const bool tf32 = unpack_dst_format[operand] == 4;  // Tf32
        for (uint32_t i = 0; i < kTileElems; ++i) {
            const float v = s.srcb[bcast_source(src_b_bcast_type, i)];
            dst[i] = exact || type == DataCopyType::A2D
                         ? v
                         : emu::compute::datacopy_b2d(v, int(src_b_bcast_type), tf32, is_fp32_dest_acc_en);
        }
        store(s.srcb_valid, 0);
        return;
    }
    wait_until([&] { return load(s.srca_valid) == 1; });
    for (uint32_t i = 0; i < kTileElems; ++i)
        dst[i] = exact ? s.srca[i] : emu::compute::datacopy_a2d(s.srca[i], is_fp32_dest_acc_en);
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
inline void llk_math_eltwise_unary_datacopy_init(const std::uint32_t) {
    using namespace emu::tensix;
    math_init = MathInit{MathInit::Datacopy, uint32_t(type), uint32_t(src_b_bcast_type), 0, false};
}

template <BroadcastType src_b_bcast_type = BroadcastType::NONE, bool unpack_to_dest = false>
inline void llk_math_eltwise_unary_datacopy_uninit() {}

// Fast tilize (api/compute/tilize.h's fast_tilize_*): not modelled by this layer yet; a kernel that calls it builds
// and fails the op naming the call.
inline void llk_math_fast_tilize_init(const std::uint32_t, const std::uint32_t) {
    emu_unsupported("llk_math_fast_tilize_init (fast_tilize_init)");
}
template <bool is_fp32_dest_acc_en>
inline void llk_math_fast_tilize_uninit(const std::uint32_t) {
    emu_unsupported("llk_math_fast_tilize_uninit (fast_tilize_uninit)");
}
inline void llk_math_fast_tilize_block_(const std::uint32_t, const std::uint32_t, const std::uint32_t,
                                        const std::uint32_t) {
    emu_unsupported("llk_math_fast_tilize_block_ (fast_tilize_block)");
}
