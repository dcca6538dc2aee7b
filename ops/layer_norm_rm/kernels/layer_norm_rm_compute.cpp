// layer_norm_rm compute (TRISC0-2), written around compute_kernel_lib.
//
// Per tile-row; data CBs have the input's format (bf16 or fp32), the row statistics are fp32 CBs, DEST is
// fp32 by default:
//   pass 1  mean  = reduce_row(x) * 1/W                         (Col0 tile)
//           mean_lo = mean - (mean as SrcB reads it)            (exact, in DEST)
//   pass 2  var   = reduce_row((x - mean)^2) * 1/W              (Col0 tile)
//           istd  = rsqrt(var + eps)                            (eps tile broadcast as a scalar)
//   pass 3  y     = (x - mean) * istd [* gamma] [+ beta]        (COL broadcasts for Col0 stats,
//                                                                ROW broadcasts for Row0 gamma/beta)
//           pack-untilize y into cb_out_rm, blk tiles at a time.
// Every phase is a compute_kernel_lib helper, which owns its DEST sync, inits and format reconfig:
// tilize / untilize, reduce (row sums with the scaler CB), and eltwise_chain for the element-wise steps
// (BinaryFpu with COL/ROW/SCALAR broadcasts, CopyTile, UnaryBcast, Rsqrt, MulUnary, PackTile). Steps that
// correct a result accumulate onto DEST: a chain loads a slot (CopyTile, UnaryBcast or an ELWSUB) and the
// ELWMULs after it add their products to it, as ELWMUL always accumulates into DEST. Operands read by
// several steps (x, the row statistics, constant tiles, a block and its low part) are waited and popped
// beside the chains (WaitPolicy::None); streamed blocks use per-block policies.
//
// Centring is x - mean_hi (exact in the fp32 DEST) plus (-1) * mean_lo accumulated by ELWMUL, so rows
// whose mean is large against their spread keep their accuracy (a bf16 mean would be off by 2^-9 |mean|).
// x is tilized in chunks of `chunk` tiles. With chunk == Wt the tilized row stays in cb_x for all three
// passes; otherwise each pass re-tilizes its chunks and the per-chunk sums (taken with a ones scaler)
// are combined by one more reduce with the 1/W scaler.
//
// float32 data (is_fp32). The FPU reads fp32 CB data by truncating the mantissa: 10 bits in SrcB, 9 usable
// bits in SrcA at HiFi4. So that float32 stays close to fp32:
//  * the mean is a reduce of x as SrcB reads it (10 mantissa bits, truncated): up to 2^-10 of the mean of
//    |x| off, so rows whose mean is large against their spread lose accuracy (README);
//  * centring copies x into DEST exactly (UnpackToDestFp32) and accumulates (-1) * mean_hi and
//    (-1) * mean_lo, so x - mean never passes through a source register;
//  * SrcA operands of products (x - mean, the normalized value) are split: lo = v - (v as SrcA reads it),
//    exact in DEST, and v*b is formed as v*b + lo*b;
//  * both splits (and mean_lo's, for bf16 data too) accumulate v * -0.5 twice onto v's exact copy, not -1 * v:
//    Wormhole's DEST adder renormalises a sum of exactly -1 unit (of the largest operand's last
//    significand bit) 27 places short, and -1's first fidelity phase leaves v - (v's top bits) in DEST,
//    exactly -1 unit for a negative v whose remaining bits are 0...01. With -0.5 the first pass leaves
//    v - t/2 (at least |v|/2) and the second adds -t/2 to a DEST one exponent below v's, where the unit
//    is half of v's ulp while every sum is a whole number of v's ulps (exact for |v| >= 2^-120);
//  * SrcB operands compute produces (squares, istd) are scaled by 1 + 2/3 ulp of the SrcB format before
//    packing, which makes their truncation unbiased;
//  * beta is broadcast into DEST exactly (unary ROW broadcast of a 32-bit CB) before gamma's products
//    accumulate onto it, instead of an ELWADD that would truncate both operands.

#include <cstdint>
#include "api/compute/compute_kernel_hw_startup.h"
#include "ttnn/cpp/ttnn/kernel_lib/tilize_helpers.hpp"
#include "ttnn/cpp/ttnn/kernel_lib/untilize_helpers.hpp"
#include "ttnn/cpp/ttnn/kernel_lib/reduce_helpers_compute.hpp"
#include "ttnn/cpp/ttnn/kernel_lib/eltwise/api/chain.hpp"
#include "ttnn/cpp/ttnn/kernel_lib/eltwise/api/convenience.hpp"
#include "ttnn/cpp/ttnn/kernel_lib/eltwise/unary/math.hpp"
#include "ttnn/cpp/ttnn/kernel_lib/eltwise/unary/scalar.hpp"
#include "ttnn/cpp/ttnn/kernel_lib/eltwise/broadcast/bcast.hpp"
#include "ttnn/cpp/ttnn/kernel_lib/eltwise/core/optional.hpp"

namespace ckl = compute_kernel_lib;
using ckl::BroadcastDim;
using ckl::PopPolicy;
using ckl::WaitPolicy;

constexpr uint32_t cb_rm_in = 0;
constexpr uint32_t cb_gamma = 1;
constexpr uint32_t cb_beta = 2;
constexpr uint32_t cb_scaler = 8;
constexpr uint32_t cb_eps = 9;
constexpr uint32_t cb_ones = 10;
constexpr uint32_t cb_neg_one = 11;
constexpr uint32_t cb_mean_lo = 12;
constexpr uint32_t cb_lo = 13;
constexpr uint32_t cb_neg_half = 14;
constexpr uint32_t cb_out_rm = 16;
constexpr uint32_t cb_x = 24;
constexpr uint32_t cb_sq = 25;
constexpr uint32_t cb_part = 26;
constexpr uint32_t cb_mean = 27;
constexpr uint32_t cb_var = 28;
constexpr uint32_t cb_istd = 29;
constexpr uint32_t cb_t0 = 30;
constexpr uint32_t cb_t1 = 31;

constexpr uint32_t Wt = get_compile_time_arg_val(0);
constexpr uint32_t blk = get_compile_time_arg_val(1);
constexpr uint32_t chunk = get_compile_time_arg_val(2);
constexpr bool has_gamma = get_compile_time_arg_val(3) == 1;
constexpr bool has_beta = get_compile_time_arg_val(4) == 1;
constexpr bool is_fp32 = get_compile_time_arg_val(5) == 1;

constexpr uint32_t n_chunks = Wt / chunk;
constexpr uint32_t blocks_per_chunk = chunk / blk;
constexpr bool resident = n_chunks == 1;
// Where each pass's row sum lands: straight into the statistic (1/W scaler), or into per-chunk partials
// (ones scaler) that one more reduce combines.
constexpr uint32_t cb_sum_scaler = resident ? cb_scaler : cb_ones;
// fp32 bits of 1 + 2^-11 / 1.5: 2/3 of a SrcB ulp, the mean truncation loss.
constexpr uint32_t round_for_srcb = 0x3F800AABu;

// Where pass 3 leaves y: each step writes the temporary the previous one did not (fp32 folds beta into
// the last product).
constexpr uint32_t cb_y = is_fp32 ? (has_gamma ? cb_t0 : cb_t1)
                                  : ((has_gamma != has_beta) ? cb_t0 : cb_t1);

// One block of blk tiles, synchronised (wait/pop, reserve/push) as one group.
constexpr auto block_shape = ckl::IterationShape::tiles(blk).block_size(blk, ckl::BlockTailSync::FullBlock);
constexpr auto per_block_in(uint32_t cb) {
    return ckl::input(cb, WaitPolicy::PerBlockSize, PopPolicy::PerBlockSize, ckl::InputTileMapping::Block);
}
constexpr auto per_block_out(uint32_t cb) {
    return ckl::output(cb, ckl::ReservePolicy::PerBlockSize, ckl::PushPolicy::PerBlockSize);
}

// Caller-managed operands (waited and popped beside the chains).
constexpr auto held(uint32_t cb) { return ckl::input(cb, WaitPolicy::None, PopPolicy::None); }
constexpr auto held_col(uint32_t cb) { return ckl::input(held(cb), BroadcastDim::Col); }
constexpr auto x_block = ckl::input(
    cb_x, WaitPolicy::None, PopPolicy::None, ckl::InputTileMapping::Block, ckl::DataFormatReconfig::Enabled,
    ckl::TileAddressing::Offset);

// Tilize the next chunk of x into cb_x when this pass must (re)read it; the consumers wait for it.
inline void tilize_chunk(bool first_pass) {
    if (first_pass || !resident) {
        ckl::tilize<blk, cb_rm_in, cb_x>(blocks_per_chunk);
    }
}

inline void release_chunk(DataflowBuffer& x) {
    if constexpr (!resident) {
        x.pop_front(chunk);
    }
}

// Row sum of the chunk's tiles of `cb_in` into the statistic, or into the chunk's partial.
template <uint32_t cb_in, uint32_t cb_stat, ckl::ReduceInputPolicy policy>
inline void sum_rows() {
    ckl::reduce<PoolType::SUM, ReduceDim::REDUCE_ROW, cb_in, cb_sum_scaler, resident ? cb_stat : cb_part, policy>(
        ckl::ReduceInputBlockShape::row(chunk));
}

// Combine the per-chunk partial sums into the statistic (no-op when the row is resident).
template <uint32_t cb_stat>
inline void finish_stat() {
    if constexpr (!resident) {
        ckl::reduce<
            PoolType::SUM,
            ReduceDim::REDUCE_ROW,
            cb_part,
            cb_scaler,
            cb_stat,
            ckl::ReduceInputPolicy::BulkWaitBulkPop>(ckl::ReduceInputBlockShape::row(n_chunks));
    }
}

// cb_mean_lo <- mean - (mean as SrcB reads it): exact copy of mean into DEST, then ELWMUL accumulates
// (-0.5) * mean through SrcB twice (header: why not (-1) * mean once).
inline void split_mean(DataflowBuffer& mean, DataflowBuffer& neg_half, DataflowBuffer& mean_lo) {
    using HalfMean = ckl::BinaryFpu<ckl::BinaryFpuOp::Mul, held(cb_neg_half), held(cb_mean)>;
    mean.wait_front(1);
    ckl::eltwise_chain(
        ckl::IterationShape::one_tile(),
        ckl::CopyTile<held(cb_mean)>{mean},
        HalfMean{neg_half, mean},
        HalfMean{neg_half, mean},
        ckl::PackTile<ckl::output(cb_mean_lo)>{mean_lo});
    mean_lo.wait_front(1);
}

// Operands of one block, read at their front blk tiles (caller-managed waits and pops).
constexpr auto held_block(uint32_t cb) {
    return ckl::input(cb, WaitPolicy::None, PopPolicy::None, ckl::InputTileMapping::Block);
}
// fp32: DEST times 1 + 2/3 ulp of SrcB before packing a result the FPU reads through SrcB.
using RoundForSrcB = ckl::Optional<is_fp32, ckl::MulUnary<>>;

// cb_lo <- v - (v as SrcA reads it) for the blk front tiles of cb_v (fp32 only): v's exact copy plus
// (-0.5) * v through SrcA twice (header).
template <uint32_t cb_v>
inline void split_low(DataflowBuffer& v, DataflowBuffer& neg_half, DataflowBuffer& lo) {
    using HalfV = ckl::BinaryFpu<
        ckl::BinaryFpuOp::Mul, held_block(cb_v), ckl::input(held(cb_neg_half), BroadcastDim::Scalar)>;
    ckl::eltwise_chain(
        block_shape,
        ckl::CopyTile<held_block(cb_v)>{v},
        HalfV{v, neg_half},
        HalfV{v, neg_half},
        ckl::PackTile<per_block_out(cb_lo)>{lo});
    lo.wait_front(blk);
}

// cb_t0 <- x[base .. base+blk) - mean, as (x - mean_hi) + (-1) * mean_lo in the fp32 DEST. For fp32 data
// x itself is copied into DEST exactly and both parts of the mean are accumulated as (-1) * part.
inline void center_block(DataflowBuffer& x, DataflowBuffer& mean, DataflowBuffer& mean_lo, DataflowBuffer& neg_one,
                         DataflowBuffer& t0, uint32_t base) {
    x.wait_front(chunk);
    using MinusMeanLo = ckl::BinaryFpu<ckl::BinaryFpuOp::Mul, held(cb_neg_one), held_col(cb_mean_lo)>;
    if constexpr (is_fp32) {
        ckl::eltwise_chain(
            block_shape,
            ckl::CopyTile<x_block>{x, base},
            ckl::BinaryFpu<ckl::BinaryFpuOp::Mul, held(cb_neg_one), held_col(cb_mean)>{neg_one, mean},
            MinusMeanLo{neg_one, mean_lo},
            ckl::PackTile<per_block_out(cb_t0)>{t0});
    } else {
        ckl::eltwise_chain(
            block_shape,
            ckl::BinaryFpu<ckl::BinaryFpuOp::Sub, x_block, held_col(cb_mean)>{x, mean, base},
            MinusMeanLo{neg_one, mean_lo},
            ckl::PackTile<per_block_out(cb_t0)>{t0});
    }
}

// fp32: cb_out <- cb_a (blk tiles, popped) times cb_b (COL: its one Col0 tile; ROW: blk Row0 tiles, popped)
// with cb_a split into the part SrcA reads and its exact remainder; with add_beta, beta is broadcast into
// DEST first and the products accumulate onto it.
template <uint32_t cb_a, uint32_t cb_b, uint32_t cb_out, BroadcastDim bcast, bool add_beta>
inline void exact_product(
    DataflowBuffer& a, DataflowBuffer& b, DataflowBuffer& out, DataflowBuffer& beta, DataflowBuffer& neg_half,
    DataflowBuffer& lo) {
    constexpr bool col = bcast == BroadcastDim::Col;
    constexpr auto b_in = ckl::input(col ? held(cb_b) : held_block(cb_b), bcast);
    a.wait_front(blk);
    split_low<cb_a>(a, neg_half, lo);
    if constexpr (!col) {
        b.wait_front(blk);
    }
    if constexpr (add_beta) {
        beta.wait_front(blk);
    }
    ckl::eltwise_chain(
        block_shape,
        ckl::Optional<add_beta, ckl::UnaryBcast<BroadcastDim::Row, held_block(cb_beta)>>{beta},
        ckl::BinaryFpu<ckl::BinaryFpuOp::Mul, held_block(cb_a), b_in>{a, b},
        ckl::BinaryFpu<ckl::BinaryFpuOp::Mul, held_block(cb_lo), b_in>{lo, b},
        ckl::PackTile<per_block_out(cb_out)>{out});
    lo.pop_front(blk);
    a.pop_front(blk);
    if constexpr (!col) {
        b.pop_front(blk);
    }
    if constexpr (add_beta) {
        beta.pop_front(blk);
    }
}

// fp32: cb_sq <- (cb_t0)^2 for one block (cb_t0 popped), with the SrcA operand split and the square rounded
// for the SrcB read of the variance reduce.
inline void exact_square(DataflowBuffer& t0, DataflowBuffer& sq, DataflowBuffer& neg_half, DataflowBuffer& lo) {
    t0.wait_front(blk);
    split_low<cb_t0>(t0, neg_half, lo);
    ckl::eltwise_chain(
        block_shape,
        ckl::BinaryFpu<ckl::BinaryFpuOp::Mul, held_block(cb_t0), held_block(cb_t0)>{t0, t0},
        ckl::BinaryFpu<ckl::BinaryFpuOp::Mul, held_block(cb_lo), held_block(cb_t0)>{lo, t0},
        RoundForSrcB{round_for_srcb},
        ckl::PackTile<per_block_out(cb_sq)>{sq});
    lo.pop_front(blk);
    t0.pop_front(blk);
}

void kernel_main() {
    const uint32_t num_rows = get_arg_val<uint32_t>(0);
    if (num_rows == 0) {
        return;
    }
    compute_kernel_hw_startup(cb_x, cb_scaler, cb_t0);
    DataflowBuffer t0(cb_t0), t1(cb_t1), sq(cb_sq), var(cb_var), eps(cb_eps), istd(cb_istd);
    DataflowBuffer gamma(cb_gamma), beta(cb_beta);
    DataflowBuffer x(cb_x), mean(cb_mean), mean_lo(cb_mean_lo), neg_one(cb_neg_one), neg_half(cb_neg_half), lo(cb_lo);
    eps.wait_front(1);
    neg_one.wait_front(1);
    neg_half.wait_front(1);

    for (uint32_t row = 0; row < num_rows; ++row) {
        // Pass 1: mean.
        for (uint32_t c = 0; c < n_chunks; ++c) {
            tilize_chunk(true);
            sum_rows<cb_x, cb_mean, ckl::ReduceInputPolicy::WaitUpfrontNoPop>();  // x stays for pass 2
            release_chunk(x);
        }
        finish_stat<cb_mean>();
        split_mean(mean, neg_half, mean_lo);

        // Pass 2: population variance of the centred values.
        for (uint32_t c = 0; c < n_chunks; ++c) {
            tilize_chunk(false);
            for (uint32_t b = 0; b < blocks_per_chunk; ++b) {
                center_block(x, mean, mean_lo, neg_one, t0, b * blk);
                if constexpr (is_fp32) {
                    exact_square(t0, sq, neg_half, lo);
                } else {
                    ckl::square<per_block_in(cb_t0), per_block_out(cb_sq)>(block_shape, t0, sq);
                }
            }
            sum_rows<cb_sq, cb_var, ckl::ReduceInputPolicy::BulkWaitBulkPop>();
            release_chunk(x);
        }
        finish_stat<cb_var>();

        // istd = rsqrt(var + eps) in DEST; for fp32 rounded for its SrcB reads.
        ckl::eltwise_chain(
            ckl::IterationShape::one_tile(),
            ckl::BinaryFpu<
                ckl::BinaryFpuOp::Add,
                ckl::input(cb_var),
                ckl::input(cb_eps, BroadcastDim::Scalar, WaitPolicy::None, PopPolicy::None)>{var, eps},
            ckl::Rsqrt<>{},
            RoundForSrcB{round_for_srcb},
            ckl::PackTile<ckl::output(cb_istd)>{istd});
        istd.wait_front(1);

        // Pass 3: normalize, optional affine, untilize.
        for (uint32_t c = 0; c < n_chunks; ++c) {
            tilize_chunk(false);
            for (uint32_t b = 0; b < blocks_per_chunk; ++b) {
                center_block(x, mean, mean_lo, neg_one, t0, b * blk);
                if constexpr (is_fp32) {
                    exact_product<cb_t0, cb_istd, cb_t1, BroadcastDim::Col, has_beta && !has_gamma>(
                        t0, istd, t1, beta, neg_half, lo);
                    if constexpr (has_gamma) {
                        exact_product<cb_t1, cb_gamma, cb_t0, BroadcastDim::Row, has_beta>(
                            t1, gamma, t0, beta, neg_half, lo);
                    }
                } else {
                    ckl::mul<
                        per_block_in(cb_t0),
                        ckl::input(cb_istd, BroadcastDim::Col, WaitPolicy::None, PopPolicy::None),
                        per_block_out(cb_t1)>(block_shape, t0, istd, t1);
                    if constexpr (has_gamma) {
                        ckl::mul<
                            per_block_in(cb_t1),
                            ckl::input(per_block_in(cb_gamma), BroadcastDim::Row),
                            per_block_out(cb_t0)>(block_shape, t1, gamma, t0);
                    }
                    if constexpr (has_beta) {
                        constexpr uint32_t cb_a = has_gamma ? cb_t0 : cb_t1;
                        constexpr uint32_t cb_c = has_gamma ? cb_t1 : cb_t0;
                        ckl::add<
                            per_block_in(cb_a),
                            ckl::input(per_block_in(cb_beta), BroadcastDim::Row),
                            per_block_out(cb_c)>(block_shape, has_gamma ? t0 : t1, beta, has_gamma ? t1 : t0);
                    }
                }
                ckl::untilize<blk, cb_y, cb_out_rm>(1);
            }
            release_chunk(x);
        }
        mean.pop_front(1);
        mean_lo.pop_front(1);
        istd.pop_front(1);
        if constexpr (resident) {
            x.pop_front(Wt);
        }
    }
}
