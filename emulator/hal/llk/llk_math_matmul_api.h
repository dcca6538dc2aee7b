// Emulator shadow of metal/llk_api/llk_math_matmul_api.h: matmul_tiles / matmul_block's MATH step. Each output tile
// (r, c) of a block of rt_dim × ct_dim lands in DEST tile dst_index + r·ct_dim + c and accumulates
// in0 · in1 there with Wormhole's arithmetic (emu::compute::matmul_math: one MVMUL per output face, inner face
// and fidelity phase, phases outermost, each rounding into DEST).
#pragma once

#include <cstdint>

#include "llk_math_common_api.h"
#include "llk_operands.h"

namespace emu::compute {
void matmul_math(const float* in0, const float* in1, float* dst, int math_fidelity, bool fp32_dest);
}

template <MathFidelity math_fidelity, int THROTTLE_LEVEL = 0>
inline void llk_math_matmul_init(const std::uint32_t, const std::uint32_t, const std::uint32_t = 0,
                                 const std::uint32_t = 1, const std::uint32_t = 1) {
    using namespace emu::tensix;
    math_init = MathInit{MathInit::Matmul, uint32_t(math_fidelity), 0, 0, false};
    ckernel::math::_configure_default_zero_flag_state_();
}

template <MathFidelity math_fidelity, int THROTTLE_LEVEL = 0, uint32_t num_faces = 4 /*not used*/>
inline void llk_math_matmul(const uint dst_index, const std::uint32_t ct_dim = 1, const std::uint32_t rt_dim = 1) {
    using namespace emu::tensix;
    constexpr const char* call = "llk_math_matmul (matmul_tiles / matmul_block)";
    if (math_init.kind != MathInit::Matmul || math_init.op != uint32_t(math_fidelity))
        emu_llk_violation(call, -1, "matmul without its init (matmul_init / matmul_block_init: the last FPU init "
                                    "configured another op)");
    State& s = state();
    for (uint32_t r = 0; r < rt_dim; ++r) {
        for (uint32_t c = 0; c < ct_dim; ++c) {
            float* dst = math_dest_tile<DST_ACCUM_MODE>(call, dst_index + r * ct_dim + c);
            wait_until([&] { return load(s.srca_valid) == 1 && load(s.srcb_valid) == 1; });
            emu::compute::matmul_math(s.srcb, s.srca, dst, int(math_fidelity), DST_ACCUM_MODE);
            store(s.srca_valid, 0);
            store(s.srcb_valid, 0);
        }
    }
}
