// Emulator shadow of metal/llk_api/llk_math_unary_datacopy_api.h: SrcA to DEST (copy_tile, the tilize/untilize
// math step), and SrcB broadcast to DEST (unary_bcast). Into a 16-bit DEST the Src bits move unchanged; into an fp32 DEST the move is an ELWADD with zero
// (emu::compute::datacopy_a2d), except after an UnpackToDestFp32 unpack, whose 32 bits land as they are.
#pragma once

#include <cstdint>

#include "emu_fast_tilize.h"
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

// Fast tilize, MATH side: MOVA2D/MOVB2D move each register load into DEST. For 16-bit data tt-llk clears the fp32
// DEST mode for the duration (the moves write 16-bit DEST rows either way); TF32 data keeps a 32-bit DEST.
namespace emu::tensix {
inline uint32_t math_fast_tilize_unit_dim = 0;  // unit_dim fast_tilize_init programmed; 0 outside init/uninit

inline void require_fast_tilize_sync(const char* call, uint32_t operand) {
    if (DST_SYNC_MODE != DstSync::SyncHalf)
        emu_llk_violation(call, int(operand), "fast tilize supports only DstSync::SyncHalf (tt-llk splits each DEST "
                                              "half into top and bottom faces); this kernel's ComputeConfig sets "
                                              "dst_full_sync_en");
}
}  // namespace emu::tensix

inline void llk_math_fast_tilize_init(const std::uint32_t operand, const std::uint32_t unit_dim) {
    using namespace emu::tensix;
    constexpr const char* call = "llk_math_fast_tilize_init (fast_tilize_init)";
    require_fast_tilize_sync(call, operand);
    if (!fast_tilize::legal_unit_dim(unit_dim))
        emu_llk_violation(call, int(operand), "unit_dim must be 1, 2 or 3");
    math_init = MathInit{};  // the MOP and address mods are fast tilize's now
    math_fast_tilize_unit_dim = unit_dim;
}

template <bool is_fp32_dest_acc_en>
inline void llk_math_fast_tilize_uninit(const std::uint32_t) {
    emu::tensix::math_fast_tilize_unit_dim = 0;
}

inline void llk_math_fast_tilize_block_(const std::uint32_t dst_index, const std::uint32_t operand,
                                        const std::uint32_t unit_dim, const std::uint32_t num_units) {
    using namespace emu::tensix;
    namespace ft = emu::tensix::fast_tilize;
    constexpr const char* call = "llk_math_fast_tilize_block_ (fast_tilize_block)";
    char msg[300];
    if (math_fast_tilize_unit_dim == 0)
        emu_llk_violation(call, int(operand), "fast_tilize_block without fast_tilize_init (or after fast_tilize_uninit)");
    if (!ft::legal_unit_dim(unit_dim) || !ft::same_program(math_fast_tilize_unit_dim, unit_dim)) {
        std::snprintf(msg, sizeof msg, "unit_dim %u after fast_tilize_init programmed unit_dim %u (1 and 2/3 use "
                      "different address mods; switching needs a new init)", unit_dim, math_fast_tilize_unit_dim);
        emu_llk_violation(call, int(operand), msg);
    }
    if (!math_holds_dest) emu_llk_violation(call, int(operand), "writes DEST outside tile_regs_acquire ... tile_regs_commit");
    const bool tf32 = unpack_dst_format[operand] == ft::kTf32;
    const uint32_t tiles = unit_dim * num_units, capacity = ft::dest_capacity(tf32);
    if (dst_index + tiles > capacity) {
        std::snprintf(msg, sizeof msg, "DEST tiles %u..%u: one DEST half holds %u tiles of %s data for fast tilize",
                      dst_index, dst_index + tiles - 1, capacity, tf32 ? "TF32" : "16-bit");
        emu_llk_violation(call, int(operand), msg);
    }
    if (num_units == 0) return;
    if (dst_index + tiles > section_tiles<DST_ACCUM_MODE>())
        emu_unsupported("fast_tilize_block of 16-bit data into DEST tiles 4..7 with fp32 DEST accumulation (the "
                        "emulator's DEST keeps 4 tiles per half in that mode; tilize.h stays within them)");
    State& s = state();
    const bool keep_zero = ckernel::math::src_zero_flag_keep, b = ft::uses_srcb(unit_dim);
    for (uint32_t u = 0; u < num_units; ++u) {
        float* dst[3];
        for (uint32_t t = 0; t < unit_dim; ++t) dst[t] = math_dest_tile<DST_ACCUM_MODE>(call, dst_index + u * unit_dim + t);
        for (uint32_t load_index = 0; load_index < ft::loads(unit_dim); ++load_index) {
            wait_until([&] { return load(s.srca_valid) == 1 && (!b || load(s.srcb_valid) == 1); });
            const uint32_t rows = ft::load_rows(unit_dim), first_row = load_index * rows;
            for (uint32_t t = 0; t < unit_dim; ++t)
                for (uint32_t r = 0; r < rows; ++r)
                    for (uint32_t c = 0; c < 32; ++c) {
                        const ft::Slot slot = ft::slot(unit_dim, t, r, c);
                        const float v = (slot.srcb ? s.srcb : s.srca)[slot.index];
                        const uint32_t row_of_tile = first_row + r;
                        dst[t][((row_of_tile / 16) * 2 + c / 16) * 256 + (row_of_tile % 16) * 16 + c % 16] =
                            emu::compute::mov_to_dest(v, tf32, keep_zero);
                    }
            if (b) store(s.srcb_valid, 0);
            store(s.srca_valid, 0);
        }
    }
}
