// rms_norm compute (TRISC0-2), written with compute_kernel_lib's helpers.
//
// Per tile-row; every CB has the input's format (bf16 or fp32) and DEST is fp32 by default:
//   pass 1  ms   = reduce_row(x * x) * 1/W            (Col0 tile)
//           istd = rsqrt(ms + eps)                     (eps tile broadcast as a scalar)
//   pass 2  y    = x * istd [* gamma]                  (COL broadcast for istd, ROW for Row0 gamma)
// ROW_MAJOR input is tilized from cb_rm_in into cb_x and y is pack-untilized into cb_out; TILE input
// arrives in cb_x from the reader and y is packed straight into cb_out.
// With chunk == Wt the tilized row stays in cb_x for both passes; otherwise each pass re-reads its chunks
// and the per-chunk sums (ones scaler) are combined by one more reduce with the 1/W scaler.
//
// cb_x is held by this kernel for a whole chunk (waited once, popped once), so every element that reads
// it is caller-managed (no wait, no pop) and addresses its block by a tile offset.

#include <cstdint>
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/dataflow/dataflow_buffer.h"
#include "ttnn/cpp/ttnn/kernel_lib/tilize_helpers.hpp"
#include "ttnn/cpp/ttnn/kernel_lib/untilize_helpers.hpp"
#include "ttnn/cpp/ttnn/kernel_lib/reduce_helpers_compute.hpp"
#include "ttnn/cpp/ttnn/kernel_lib/eltwise/api/chain.hpp"
#include "ttnn/cpp/ttnn/kernel_lib/eltwise/core/optional.hpp"
#include "ttnn/cpp/ttnn/kernel_lib/eltwise/unary/math.hpp"
#include "ttnn/cpp/ttnn/kernel_lib/eltwise/unary/scalar.hpp"

namespace ckl = compute_kernel_lib;
using ckl::BroadcastDim;
using ckl::InputTileMapping;
using ckl::PopPolicy;
using ckl::PushPolicy;
using ckl::ReservePolicy;
using ckl::WaitPolicy;

constexpr uint32_t cb_rm_in = 0;
constexpr uint32_t cb_gamma = 1;
constexpr uint32_t cb_scaler = 8;
constexpr uint32_t cb_eps = 9;
constexpr uint32_t cb_ones = 10;
constexpr uint32_t cb_neg_half = 11;
constexpr uint32_t cb_out = 16;
constexpr uint32_t cb_x = 24;
constexpr uint32_t cb_sq = 25;
constexpr uint32_t cb_part = 26;
constexpr uint32_t cb_lo = 27;
constexpr uint32_t cb_var = 28;
constexpr uint32_t cb_istd = 29;
constexpr uint32_t cb_t0 = 30;
constexpr uint32_t cb_t1 = 31;

constexpr uint32_t Wt = get_compile_time_arg_val(0);
constexpr uint32_t blk = get_compile_time_arg_val(1);
constexpr uint32_t chunk = get_compile_time_arg_val(2);
constexpr bool has_gamma = get_compile_time_arg_val(3) == 1;
constexpr bool tile_layout = get_compile_time_arg_val(4) == 1;
constexpr bool is_fp32 = get_compile_time_arg_val(5) == 1;

constexpr uint32_t n_chunks = Wt / chunk;
constexpr uint32_t blocks_per_chunk = chunk / blk;
constexpr bool resident = n_chunks == 1;
constexpr uint32_t cb_sum_scaler = resident ? cb_scaler : cb_ones;
constexpr uint32_t cb_row_sum = resident ? cb_var : cb_part;
// Final tiles of a block: straight to the output for TILE layout, else to cb_t1 for pack-untilize.
constexpr uint32_t cb_y = tile_layout ? cb_out : cb_t1;
constexpr uint32_t cb_scaled = has_gamma ? cb_t0 : cb_y;

// One column block of `blk` tiles, one DEST slot per tile.
constexpr auto block_shape = ckl::IterationShape::tiles(blk).block_size(blk);

// Operand specs. A caller-held block of cb_x (or cb_t0) at a runtime tile offset:
constexpr auto held(uint32_t cb) {
    return ckl::input(
        cb,
        WaitPolicy::None,
        PopPolicy::None,
        InputTileMapping::Block,
        ckl::DataFormatReconfig::Enabled,
        ckl::TileAddressing::Offset);
}
// A block the chain waits for and pops itself:
constexpr auto streamed(uint32_t cb) {
    return ckl::input(cb, WaitPolicy::PerBlockSize, PopPolicy::PerBlockSize, InputTileMapping::Block);
}
// A one-tile operand the kernel waits once and pops once (istd, eps, -0.5), broadcast over the block:
constexpr auto pinned(uint32_t cb, BroadcastDim dim) {
    return ckl::input(cb, dim, WaitPolicy::None, PopPolicy::None);
}
constexpr auto block_out(uint32_t cb) {
    return ckl::output(cb, ReservePolicy::PerBlockSize, PushPolicy::PerBlockSize);
}

// fp32 numerics. The FPU reads fp32 CB data by truncating the mantissa: 10 bits in SrcB, 9 usable bits in
// SrcA at HiFi4. Two remedies keep float32 close to fp32, both as plain chain elements (ELWMUL accumulates
// onto DEST, so consecutive BinaryFpu elements on one slot sum their products):
//  * SrcA operands (x, x*istd) are split: lo = v - (v as SrcA reads it), computed exactly in the fp32 DEST
//    (copy with UnpackToDestFp32, then ELWMUL-accumulate v * -0.5 twice), and the product is formed as
//    v*b + lo*b, both accumulated in DEST; lo's own truncation is ~2^-18 of v.
//    Why -0.5 twice and not -1 once: Wormhole's DEST adder renormalises a sum of exactly -1 unit (of the
//    largest operand's last significand bit) 27 places short. With -1, the first fidelity phase leaves
//    v - (v's top 5 bits) in DEST, which is exactly -1 unit for a negative v whose significand bits 18..0
//    are 0...01. With -0.5, the first pass only brings DEST down to v - t/2 (at least |v|/2), and the
//    second pass adds -t/2 to a DEST one exponent below v's, where the unit is half of v's ulp while every
//    sum (lo + part of t/2) is a whole number of v's ulps: never -1 unit. Exact for |v| >= 2^-120 (below
//    that a product underflows; with -1 the bound was 2^-121).
//  * SrcB operands that compute produces (squares, istd) are scaled by 1 + 2/3 ulp of the SrcB format before
//    packing, which makes their truncation unbiased. 0x3F800AAB = fp32 bits of 1 + 2^-11/1.5.
constexpr uint32_t round_for_srcb = 0x3F800AABu;
using RoundForSrcB = ckl::Optional<is_fp32, ckl::MulUnary<>>;

// cb_lo <- v - trunc_srca(v) for the caller-held tiles [base, base + blk) of cb_v (fp32 only).
template <uint32_t cb_v>
inline void split_low(DataflowBuffer& v, DataflowBuffer& neg_half, DataflowBuffer& lo, uint32_t base) {
    if constexpr (is_fp32) {
        using MinusHalf = ckl::BinaryFpu<ckl::BinaryFpuOp::Mul, held(cb_v), pinned(cb_neg_half, BroadcastDim::Scalar)>;
        ckl::eltwise_chain(
            block_shape,
            ckl::CopyTile<held(cb_v)>{v, base},
            MinusHalf{v, neg_half, base, 0u},
            MinusHalf{v, neg_half, base, 0u},
            ckl::PackTile<block_out(cb_lo)>{lo});
    }
}

void kernel_main() {
    const uint32_t num_rows = get_arg_val<uint32_t>(0);
    if (num_rows == 0) {
        return;
    }
    DataflowBuffer x(cb_x), sq(cb_sq), var(cb_var), istd(cb_istd), lo(cb_lo);
    DataflowBuffer scaler(cb_scaler), eps(cb_eps), ones(cb_ones), neg_half(cb_neg_half);
    DataflowBuffer gamma(cb_gamma), t0(cb_t0), y(cb_y);
    DataflowBuffer& scaled = has_gamma ? t0 : y;

    compute_kernel_hw_startup(cb_x, cb_scaler, cb_sq);
    eps.wait_front(1);
    if constexpr (is_fp32) {
        neg_half.wait_front(1);
    }

    // The tilized chunk lands in cb_x (ROW_MAJOR input: in the first pass, and in every pass when the row
    // is streamed); TILE input arrives there from the reader.
    auto acquire_chunk = [&](bool first_pass) {
        if constexpr (!tile_layout) {
            if (first_pass || !resident) {
                ckl::tilize<blk, cb_rm_in, cb_x>(blocks_per_chunk);
            }
        }
        x.wait_front(chunk);
    };
    auto release_chunk = [&]() {
        if constexpr (!resident) {
            x.pop_front(chunk);
        }
    };

    for (uint32_t row = 0; row < num_rows; ++row) {
        // Pass 1: mean of squares.
        for (uint32_t c = 0; c < n_chunks; ++c) {
            acquire_chunk(true);
            for (uint32_t b = 0; b < blocks_per_chunk; ++b) {
                const uint32_t base = b * blk;
                split_low<cb_x>(x, neg_half, lo, base);
                // x*x [+ lo*x]; the squares enter the reduce through SrcB.
                ckl::eltwise_chain(
                    block_shape,
                    ckl::BinaryFpu<ckl::BinaryFpuOp::Mul, held(cb_x), held(cb_x)>{x, x, base, base},
                    ckl::Optional<is_fp32, ckl::BinaryFpu<ckl::BinaryFpuOp::Mul, streamed(cb_lo), held(cb_x)>>{
                        lo, x, 0u, base},
                    RoundForSrcB{round_for_srcb},
                    ckl::PackTile<block_out(cb_sq)>{sq});
            }
            ckl::reduce<
                PoolType::SUM,
                ReduceDim::REDUCE_ROW,
                cb_sq,
                cb_sum_scaler,
                cb_row_sum,
                ckl::ReduceInputPolicy::BulkWaitBulkPop>(ckl::ReduceInputBlockShape::row(chunk));
            release_chunk();
        }
        if constexpr (!resident) {
            ckl::reduce<
                PoolType::SUM,
                ReduceDim::REDUCE_ROW,
                cb_part,
                cb_scaler,
                cb_var,
                ckl::ReduceInputPolicy::BulkWaitBulkPop>(ckl::ReduceInputBlockShape::row(n_chunks));
        }

        // istd = rsqrt(ms + eps), in DEST without an intermediate pack; istd is the COL-broadcast SrcB
        // operand of pass 2.
        ckl::eltwise_chain(
            ckl::IterationShape::one_tile(),
            ckl::BinaryFpu<ckl::BinaryFpuOp::Add, ckl::input(cb_var), pinned(cb_eps, BroadcastDim::Scalar)>{var, eps},
            ckl::Rsqrt<ckl::Approx::Exact>{},
            RoundForSrcB{round_for_srcb},
            ckl::PackTile<ckl::output(cb_istd)>{istd});
        istd.wait_front(1);

        // Pass 2: scale, optional gamma, output.
        for (uint32_t c = 0; c < n_chunks; ++c) {
            acquire_chunk(false);
            for (uint32_t b = 0; b < blocks_per_chunk; ++b) {
                const uint32_t base = b * blk;
                split_low<cb_x>(x, neg_half, lo, base);
                ckl::eltwise_chain(
                    block_shape,
                    ckl::BinaryFpu<ckl::BinaryFpuOp::Mul, held(cb_x), pinned(cb_istd, BroadcastDim::Col)>{
                        x, istd, base, 0u},
                    ckl::Optional<
                        is_fp32,
                        ckl::BinaryFpu<ckl::BinaryFpuOp::Mul, streamed(cb_lo), pinned(cb_istd, BroadcastDim::Col)>>{
                        lo, istd},
                    ckl::PackTile<block_out(cb_scaled)>{scaled});

                if constexpr (has_gamma) {
                    // gamma's Row0 block is read by both products, so the first waits for it and pops it
                    // only when the chain ends.
                    constexpr auto gamma_block = ckl::input(
                        cb_gamma, BroadcastDim::Row, WaitPolicy::Upfront, PopPolicy::AtEnd, InputTileMapping::Block);
                    constexpr auto gamma_held =
                        ckl::input(cb_gamma, BroadcastDim::Row, WaitPolicy::None, PopPolicy::None, InputTileMapping::Block);
                    if constexpr (is_fp32) {
                        scaled.wait_front(blk);
                        split_low<cb_t0>(scaled, neg_half, lo, 0);
                    }
                    ckl::eltwise_chain(
                        block_shape,
                        ckl::BinaryFpu<ckl::BinaryFpuOp::Mul, streamed(cb_t0), gamma_block>{scaled, gamma},
                        ckl::Optional<is_fp32, ckl::BinaryFpu<ckl::BinaryFpuOp::Mul, streamed(cb_lo), gamma_held>>{
                            lo, gamma},
                        ckl::PackTile<block_out(cb_y)>{y});
                }

                if constexpr (!tile_layout) {
                    ckl::untilize<blk, cb_t1, cb_out>(1);
                }
            }
            release_chunk();
        }
        istd.pop_front(1);
        if constexpr (resident) {
            x.pop_front(Wt);
        }
    }
    // The constant tiles were pushed once by the reader and read by every row.
    scaler.pop_front(1);
    eps.pop_front(1);
    if constexpr (!resident) {
        ones.pop_front(1);
    }
    if constexpr (is_fp32) {
        neg_half.pop_front(1);
    }
}
