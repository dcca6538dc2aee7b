// Emulator shadow of metal/llk_api/llk_math_unary_datacopy_api.h: SrcA to DEST (copy_tile, the tilize/untilize
// math step). Into a 16-bit DEST the Src bits move unchanged; into an fp32 DEST the move is an ELWADD with zero
// (emu::compute::datacopy_a2d), except after an UnpackToDestFp32 unpack, whose 32 bits land as they are.
#pragma once

#include <cstdint>

#include "llk_math_common_api.h"
#include "llk_operands.h"

template <DataCopyType type, bool is_fp32_dest_acc_en, BroadcastType src_b_bcast_type = BroadcastType::NONE,
          bool unpack_to_dest = false>
inline void llk_math_eltwise_unary_datacopy(std::uint32_t dst_index, std::uint32_t operand) {
    static_assert(type == DataCopyType::A2D && src_b_bcast_type == BroadcastType::NONE,
                  "emulator LLK layer: only the A2D datacopy is implemented (B2D broadcasts are not yet)");
    using namespace emu::tensix;
    constexpr const char* call = "llk_math_eltwise_unary_datacopy (copy_tile)";
    if (math_init.kind != MathInit::Datacopy)
        emu_llk_violation(call, int(operand), "a datacopy without its init (copy_tile_init / copy_tile_to_dst_init_short)");
    float* dst = math_dest_tile<is_fp32_dest_acc_en>(call, dst_index);
    State& s = state();
    wait_until([&] { return load(s.srca_valid) == 1; });
    const bool exact = is_fp32_dest_acc_en && unpack_dst_format[operand] == kFloat32;
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
