// Emulator shadow of metal/llk_api/llk_math_binary_api.h: ELWADD / ELWSUB / ELWMUL of SrcA and SrcB into DEST, with
// SrcB broadcast by column, row or scalar, optionally taking one operand from DEST (binary_dest_reuse). The
// arithmetic is Wormhole's (emu::compute::binary_math): every fidelity phase of a multiply rounds into DEST.
#pragma once

#include <cstdint>

#include "llk_math_common_api.h"
#include "llk_operands.h"

template <EltwiseBinaryType eltwise_binary_type, BroadcastType src_b_bcast_type, MathFidelity math_fidelity,
          EltwiseBinaryReuseDestType binary_reuse_dest = EltwiseBinaryReuseDestType::NONE>
inline void llk_math_eltwise_binary_init(const std::uint32_t, const std::uint32_t = 0,
                                         const std::uint32_t acc_to_dest = 0) {
    static_assert(eltwise_binary_type == EltwiseBinaryType::ELWADD || eltwise_binary_type == EltwiseBinaryType::ELWSUB ||
                      eltwise_binary_type == EltwiseBinaryType::ELWMUL,
                  "the FPU's element-wise ops are ELWADD, ELWSUB and ELWMUL");
    using namespace emu::tensix;
    math_init = MathInit{MathInit::Binary, uint32_t(eltwise_binary_type), uint32_t(src_b_bcast_type),
                         uint32_t(binary_reuse_dest), acc_to_dest != 0};
    ckernel::math::_configure_default_zero_flag_state_();
}

namespace emu::tensix {
// ELWMUL's op code in the numerics is 0, ELWADD 2, ELWSUB 3: EltwiseBinaryType's values.
template <EltwiseBinaryType type, BroadcastType bcast, bool fp32, MathFidelity fidelity, EltwiseBinaryReuseDestType reuse>
inline void eltwise_binary(uint32_t dst_index) {
    constexpr const char* call = type == EltwiseBinaryType::ELWMUL   ? "llk_math_eltwise_binary<ELWMUL> (mul_tiles)"
                                 : type == EltwiseBinaryType::ELWADD ? "llk_math_eltwise_binary<ELWADD> (add_tiles)"
                                                                     : "llk_math_eltwise_binary<ELWSUB> (sub_tiles)";
    if (math_init.kind != MathInit::Binary || math_init.op != uint32_t(type) || math_init.bcast != uint32_t(bcast) ||
        math_init.reuse != uint32_t(reuse))
        emu_llk_violation(call, -1, "the op without its own init (the last FPU init configured another op, "
                                    "broadcast or dest-reuse mode)");
    float* dst = math_dest_tile<fp32>(call, dst_index);
    State& s = state();
    bool acc = math_init.acc_to_dest && type != EltwiseBinaryType::ELWMUL;
    if constexpr (reuse == EltwiseBinaryReuseDestType::NONE) {
        wait_until([&] { return load(s.srca_valid) == 1 && load(s.srcb_valid) == 1; });
    } else {
        // DEST's tile moves into the other source register (at the source's precision: TF32 bits), then DEST
        // is cleared for the result.
        constexpr bool dest_to_a = reuse == EltwiseBinaryReuseDestType::DEST_TO_SRCA;
        wait_until([&] { return load(s.srca_valid) == 1 && load(s.srcb_valid) == 1; });
        float* reg = dest_to_a ? s.srca : s.srcb;
        for (uint32_t i = 0; i < kTileElems; ++i) {
            uint32_t bits;
            std::memcpy(&bits, &dst[i], 4);
            bits &= 0xFFFFE000u;
            std::memcpy(&reg[i], &bits, 4);
            dst[i] = 0.0f;
        }
        acc = false;
    }
    emu::compute::binary_math(int(type), int(bcast), s.bcast_row, s.srca, s.srcb, dst, acc, int(fidelity), fp32);
    store(s.srca_valid, 0);
    store(s.srcb_valid, 0);
}
}  // namespace emu::tensix

template <EltwiseBinaryType eltwise_binary_type, BroadcastType src_b_bcast_type, bool is_fp32_dest_acc_en,
          MathFidelity math_fidelity, EltwiseBinaryReuseDestType binary_reuse_dest = EltwiseBinaryReuseDestType::NONE>
inline void llk_math_eltwise_binary(uint dst_index, const bool = true) {
    emu::tensix::eltwise_binary<eltwise_binary_type, src_b_bcast_type, is_fp32_dest_acc_en, math_fidelity,
                                binary_reuse_dest>(dst_index);
}

template <EltwiseBinaryType eltwise_binary_type, BroadcastType src_b_bcast_type, bool is_fp32_dest_acc_en,
          MathFidelity math_fidelity, EltwiseBinaryReuseDestType binary_reuse_dest = EltwiseBinaryReuseDestType::NONE>
inline void llk_math_eltwise_binary(const std::uint32_t, const std::uint32_t, uint dst_index, const bool = true) {
    emu::tensix::eltwise_binary<eltwise_binary_type, src_b_bcast_type, is_fp32_dest_acc_en, math_fidelity,
                                binary_reuse_dest>(dst_index);
}
