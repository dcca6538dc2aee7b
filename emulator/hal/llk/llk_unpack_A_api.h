// Emulator shadow of metal/llk_api/llk_unpack_A_api.h (compute skeleton): one tile from a CB's front window into
// SrcA, handed to math through SrcA's valid flag.
#pragma once

#include <cstdint>

#include "llk_unpack_common_api.h"

template <BroadcastType BType = BroadcastType::NONE, bool acc_to_dest = false,
          EltwiseBinaryReuseDestType binary_reuse_dest = EltwiseBinaryReuseDestType::NONE, bool unpack_to_dest = false>
inline void llk_unpack_A_init(const std::uint32_t, const std::uint32_t, const std::uint32_t) {
    static_assert(BType == BroadcastType::NONE && !acc_to_dest,
                  "emulator compute skeleton: only the plain unpack of SrcA is implemented");
}

template <BroadcastType BType = BroadcastType::NONE, bool acc_to_dest = false,
          EltwiseBinaryReuseDestType binary_reuse_dest = EltwiseBinaryReuseDestType::NONE, bool unpack_to_dest = false>
inline void llk_unpack_A(const std::uint32_t operand, const std::uint32_t tile_index,
                         [[maybe_unused]] const std::uint32_t dst_tile_index = 0) {
    using namespace emu::tensix;
    State& s = state();
    wait_until([&] { return load(s.srca_valid) == 0; });
    if (unpack_src_format[operand] == kFloat32 && unpack_dst_format[operand] != kFloat32) {
        emu_unsupported("unpacking Float32 into a 19-bit source register (the compute skeleton only copies "
                        "exactly: use UnpackToDestFp32 with fp32 DEST)");
    }
    const uint8_t* tile = front_tile(operand, tile_index);
    for (uint32_t i = 0; i < kTileElems; ++i) s.srca[i] = to_reg(tile, i, unpack_src_format[operand]);
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
