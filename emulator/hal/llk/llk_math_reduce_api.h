// Emulator shadow of metal/llk_api/llk_math_reduce_api.h: reduce_tile's MATH step with Wormhole's arithmetic
// (emu::compute::reduce_math: MVMUL for rows, GAPOOL for columns, GMPOOL for max, each face and fidelity phase
// rounded into DEST). A reduce into a DEST tile that already holds a result of this section accumulates.
#pragma once

#include <cstdint>

#include "llk_math_common_api.h"
#include "llk_operands.h"

template <PoolType type, ReduceDim dim, bool is_fp32_dest_acc_en, MathFidelity math_fidelity,
          bool enforce_fp32_accumulation = false>
inline void llk_math_reduce_init(const std::uint32_t = 0, const std::uint32_t = 0) {
    static_assert(type != PoolType::MIN, "emulator LLK layer: reduce MIN is not modelled");
    using namespace emu::tensix;
    math_init = MathInit{MathInit::Reduce, uint32_t(type), uint32_t(dim), 0, false};
    ckernel::math::_configure_default_zero_flag_state_();
}

template <PoolType type, ReduceDim dim, bool is_fp32_dest_acc_en, MathFidelity math_fidelity,
          bool enforce_fp32_accumulation = false>
inline void llk_math_reduce(const std::uint32_t, const std::uint32_t, const std::uint32_t dst_index) {
    using namespace emu::tensix;
    constexpr const char* call = "llk_math_reduce (reduce_tile)";
    if (math_init.kind != MathInit::Reduce || math_init.op != uint32_t(type) || math_init.bcast != uint32_t(dim))
        emu_llk_violation(call, -1, "reduce_tile without its reduce_init of the same PoolType and ReduceDim");
    const bool had = (math_written >> dst_index) & 1;
    float* dst = math_dest_tile<is_fp32_dest_acc_en>(call, dst_index);
    State& s = state();
    wait_until([&] { return load(s.srca_valid) == 1 && load(s.srcb_valid) == 1; });
    emu::compute::reduce_math(int(type), int(dim), s.srca, s.srcb, dst, had, int(math_fidelity), is_fp32_dest_acc_en);
    store(s.srca_valid, 0);
    store(s.srcb_valid, 0);
}

inline void llk_math_reduce_uninit(const std::uint32_t = 0) {}
