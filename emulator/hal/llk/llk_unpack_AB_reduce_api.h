// Emulator shadow of metal/llk_api/llk_unpack_AB_reduce_api.h: the data tile and the scaler tile of reduce_tile
// into the source registers (kept here as SrcA = data, SrcB = scaler; the math step knows which operand each FPU
// op reads, whichever unpacker the hardware routes it through).
#pragma once

#include <cstdint>

#include "llk_unpack_common_api.h"

template <PoolType pool_type, ReduceDim reduce_dim>
inline void llk_unpack_AB_reduce_init(const std::uint32_t, const std::uint32_t) {}

template <PoolType pool_type, ReduceDim reduce_dim>
inline void llk_unpack_AB_reduce(const std::uint32_t operandA, const std::uint32_t operandB,
                                 const std::uint32_t tile_index_a, const std::uint32_t tile_index_b) {
    using namespace emu::tensix;
    require_waited("llk_unpack_AB_reduce (reduce_tile)", operandA, tile_index_a);
    require_waited("llk_unpack_AB_reduce (reduce_tile)", operandB, tile_index_b);
    // SUM/AVG along rows swap the unpackers as tt-llk does (scaler through SrcA's, data through SrcB's), so a
    // kernel configures reconfig_data_format(scaler, data) there; MAX and the other dims keep data -> SrcA.
    constexpr bool swap = reduce_dim == ReduceDim::REDUCE_ROW && pool_type != PoolType::MAX;
    require_unpack_format("llk_unpack_AB_reduce (reduce_tile)", swap ? 1 : 0, operandA);
    require_unpack_format("llk_unpack_AB_reduce (reduce_tile)", swap ? 0 : 1, operandB);
    State& s = state();
    wait_until([&] { return load(s.srca_valid) == 0 && load(s.srcb_valid) == 0; });
    const uint8_t* a = front_tile(operandA, tile_index_a);
    const uint8_t* b = front_tile(operandB, tile_index_b);
    for (uint32_t i = 0; i < kTileElems; ++i) {
        s.srca[i] = to_reg(a, i, unpack_src_format[operandA], DST_ACCUM_MODE);
        s.srcb[i] = to_reg(b, i, unpack_src_format[operandB], DST_ACCUM_MODE);
    }
    store(s.srca_valid, 1);
    store(s.srcb_valid, 1);
}

inline void llk_unpack_AB_reduce_uninit(const std::uint32_t = 0) {}
