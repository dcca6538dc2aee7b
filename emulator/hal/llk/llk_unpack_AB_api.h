// Emulator shadow of metal/llk_api/llk_unpack_AB_api.h: tile A into SrcA and tile B into SrcB for an element-wise
// binary op. SrcB holds B's whole tile; the math step reads the broadcast datum for each output element (and the
// row a ROW broadcast names) from it.
#pragma once

#include <cstdint>

#include "llk_unpack_common_api.h"

template <BroadcastType BType = BroadcastType::NONE>
inline void llk_unpack_AB_init(const std::uint32_t, const std::uint32_t, const ckernel::Transpose transpose) {
    if (transpose != ckernel::Transpose::None)
        emu_unsupported("llk_unpack_AB_init with a transposed SrcA (binary op on a transposed operand)");
}
template <BroadcastType BType = BroadcastType::NONE>
inline void llk_unpack_AB_init(const std::uint32_t operandA, const std::uint32_t operandB) {
    llk_unpack_AB_init<BType>(operandA, operandB, ckernel::Transpose::None);
}

template <BroadcastType BType = BroadcastType::NONE>
inline void llk_unpack_AB(const std::uint32_t operandA, const std::uint32_t operandB, const std::uint32_t tile_index_a,
                          const std::uint32_t tile_index_b, const std::uint32_t bcast_row_idx = 0) {
    using namespace emu::tensix;
    require_waited("llk_unpack_AB", operandA, tile_index_a);
    require_waited("llk_unpack_AB", operandB, tile_index_b);
    require_unpack_format("llk_unpack_AB", 0, operandA);
    require_unpack_format("llk_unpack_AB", 1, operandB);
    if (BType == BroadcastType::ROW && bcast_row_idx >= 32)
        emu_llk_violation("llk_unpack_AB", int(operandB), "bcast_row_idx is outside the tile (0..31)");
    State& s = state();
    wait_until([&] { return load(s.srca_valid) == 0 && load(s.srcb_valid) == 0; });
    const uint8_t* a = front_tile(operandA, tile_index_a);
    const uint8_t* b = front_tile(operandB, tile_index_b);
    for (uint32_t i = 0; i < kTileElems; ++i) {
        s.srca[i] = to_reg(a, i, unpack_src_format[operandA], DST_ACCUM_MODE);
        s.srcb[i] = to_reg(b, i, unpack_src_format[operandB], DST_ACCUM_MODE);
    }
    s.bcast_row = bcast_row_idx;
    store(s.srca_valid, 1);
    store(s.srcb_valid, 1);
}
