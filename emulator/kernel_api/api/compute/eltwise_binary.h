// Emulator shadow of api/compute/eltwise_binary.h: ELWADD / ELWSUB / ELWMUL of a CB tile (SrcA) with another
// (SrcB) into DEST. Each op needs the init of the same op type (and no broadcast) to be the current FPU init.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {

template <bool full_init, EltwiseBinaryType eltwise_binary_type>
ALWI void binary_tiles_init(std::uint32_t icb0, std::uint32_t icb1, bool acc_to_dest = false,
                            std::uint32_t call_line = __builtin_LINE(), const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::binary_init(emu_detail::binop<eltwise_binary_type>(), emu::compute::Bcast::None, icb0, icb1,
                              acc_to_dest, "binary_tiles_init", loc);
}

ALWI void add_init(std::uint32_t icb0, std::uint32_t icb1, bool acc_to_dest = false,
                   std::uint32_t call_line = __builtin_LINE(), const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::binary_init(emu::compute::BinaryOp::Add, emu::compute::Bcast::None, icb0, icb1, acc_to_dest,
                              "add_init", loc);
}

ALWI void sub_init(std::uint32_t icb0, std::uint32_t icb1, bool acc_to_dest = false,
                   std::uint32_t call_line = __builtin_LINE(), const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::binary_init(emu::compute::BinaryOp::Sub, emu::compute::Bcast::None, icb0, icb1, acc_to_dest,
                              "sub_init", loc);
}

// ELWMUL always accumulates into DEST on Wormhole (Dst += A·B over the fidelity phases); acc_to_dest does
// not change it.
ALWI void mul_init(std::uint32_t icb0, std::uint32_t icb1, bool acc_to_dest = true,
                   std::uint32_t call_line = __builtin_LINE(), const emu::Loc& loc = emu::Loc::here()) {
    (void)call_line;
    emu::compute::binary_init(emu::compute::BinaryOp::Mul, emu::compute::Bcast::None, icb0, icb1, acc_to_dest,
                              "mul_init", loc);
}

template <EltwiseBinaryReuseDestType reuse_dest>
ALWI void add_reuse_dest_init(std::uint32_t, std::uint32_t = 0) {
    static_assert(::emu_unimplemented::value<reuse_dest>, "emulator: add_reuse_dest_init is not implemented");
}
template <EltwiseBinaryReuseDestType reuse_dest>
ALWI void sub_reuse_dest_init(std::uint32_t, std::uint32_t = 0) {
    static_assert(::emu_unimplemented::value<reuse_dest>, "emulator: sub_reuse_dest_init is not implemented");
}
template <EltwiseBinaryReuseDestType reuse_dest>
ALWI void mul_reuse_dest_init(std::uint32_t, std::uint32_t = 0) {
    static_assert(::emu_unimplemented::value<reuse_dest>, "emulator: mul_reuse_dest_init is not implemented");
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void mul_tiles(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t itile0, std::uint32_t itile1,
                    std::uint32_t idst, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu::compute::BinaryOp::Mul, emu::compute::Bcast::None, icb0, icb1, itile0, itile1,
                               idst, 0, "mul_tiles", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void add_tiles(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t itile0, std::uint32_t itile1,
                    std::uint32_t idst, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu::compute::BinaryOp::Add, emu::compute::Bcast::None, icb0, icb1, itile0, itile1,
                               idst, 0, "add_tiles", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sub_tiles(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t itile0, std::uint32_t itile1,
                    std::uint32_t idst, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::binary_tiles(emu::compute::BinaryOp::Sub, emu::compute::Bcast::None, icb0, icb1, itile0, itile1,
                               idst, 0, "sub_tiles", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void mul_block(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t start_itile0, std::uint32_t start_itile1,
                    std::uint32_t start_idst, std::uint32_t ntiles, const emu::Loc& loc = emu::Loc::here()) {
    for (std::uint32_t i = 0; i < ntiles; ++i)
        emu::compute::binary_tiles(emu::compute::BinaryOp::Mul, emu::compute::Bcast::None, icb0, icb1,
                                   start_itile0 + i, start_itile1 + i, start_idst + i, 0, "mul_block", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void add_block(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t start_itile0, std::uint32_t start_itile1,
                    std::uint32_t start_idst, std::uint32_t ntiles, const emu::Loc& loc = emu::Loc::here()) {
    for (std::uint32_t i = 0; i < ntiles; ++i)
        emu::compute::binary_tiles(emu::compute::BinaryOp::Add, emu::compute::Bcast::None, icb0, icb1,
                                   start_itile0 + i, start_itile1 + i, start_idst + i, 0, "add_block", loc);
}

template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sub_block(std::uint32_t icb0, std::uint32_t icb1, std::uint32_t start_itile0, std::uint32_t start_itile1,
                    std::uint32_t start_idst, std::uint32_t ntiles, const emu::Loc& loc = emu::Loc::here()) {
    for (std::uint32_t i = 0; i < ntiles; ++i)
        emu::compute::binary_tiles(emu::compute::BinaryOp::Sub, emu::compute::Bcast::None, icb0, icb1,
                                   start_itile0 + i, start_itile1 + i, start_idst + i, 0, "sub_block", loc);
}

template <EltwiseBinaryReuseDestType reuse_dest, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void add_reuse_dest_tiles(std::uint32_t, std::uint32_t, std::uint32_t) {
    static_assert(::emu_unimplemented::value<reuse_dest>, "emulator: add_reuse_dest_tiles is not implemented");
}
template <EltwiseBinaryReuseDestType reuse_dest, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sub_reuse_dest_tiles(std::uint32_t, std::uint32_t, std::uint32_t) {
    static_assert(::emu_unimplemented::value<reuse_dest>, "emulator: sub_reuse_dest_tiles is not implemented");
}
template <EltwiseBinaryReuseDestType reuse_dest, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void mul_reuse_dest_tiles(std::uint32_t, std::uint32_t, std::uint32_t) {
    static_assert(::emu_unimplemented::value<reuse_dest>, "emulator: mul_reuse_dest_tiles is not implemented");
}

// Legacy start-up (pre-compute_kernel_hw_startup kernels): configures the unpackers for icb0/icb1 and the
// packer for ocb. It does not stand in for the op's own init.
ALWI void binary_op_init_common(uint32_t icb0, uint32_t icb1, uint32_t ocb, const emu::Loc& loc = emu::Loc::here()) {
    emu::compute::hw_startup(icb0, icb1, ocb, "binary_op_init_common", loc);
}

}  // namespace ckernel
