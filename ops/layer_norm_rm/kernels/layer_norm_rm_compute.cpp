// layer_norm_rm compute (TRISC0-2).
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
// Centring is x - mean_hi (exact in the fp32 DEST) plus (-1) * mean_lo accumulated by ELWMUL, so rows
// whose mean is large against their spread keep their accuracy (a bf16 mean would be off by 2^-9 |mean|).
// Every op reconfigures the unpacker and packer formats it uses, since bf16 and fp32 CBs mix.
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
#include <initializer_list>
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/cb_api.h"
#include "api/compute/reg_api.h"
#include "api/compute/pack.h"
#include "api/compute/tile_move_copy.h"
#include "api/compute/tilize.h"
#include "api/compute/pack_untilize.h"
#include "api/compute/reduce.h"
#include "api/compute/bcast.h"
#include "api/compute/eltwise_binary.h"
#include "api/compute/eltwise_unary/rsqrt.h"
#include "api/compute/eltwise_unary/binop_with_scalar.h"
#include "api/compute/reconfig_data_format.h"

constexpr uint32_t cb_rm_in = 0;
constexpr uint32_t cb_gamma = 1;
constexpr uint32_t cb_beta = 2;
constexpr uint32_t cb_scaler = 8;
constexpr uint32_t cb_eps = 9;
constexpr uint32_t cb_ones = 10;
constexpr uint32_t cb_neg_one = 11;
constexpr uint32_t cb_neg_half = 14;
constexpr uint32_t cb_mean_lo = 12;
constexpr uint32_t cb_lo = 13;
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
// Where each row-sum lands: straight into the statistic, or into per-chunk partials first.
constexpr uint32_t cb_sum_scaler = resident ? cb_scaler : cb_ones;
// fp32 bits of 1 + 2^-11 / 1.5: 2/3 of a SrcB ulp, the mean truncation loss.
constexpr uint32_t round_for_srcb = 0x3F800AABu;

// Commit DEST tiles [0, n) and pack them into `cb` as one push.
inline void pack_to(uint32_t cb, uint32_t n) {
    pack_reconfig_data_format(cb);
    tile_regs_commit();
    cb_reserve_back(cb, n);
    tile_regs_wait();
    for (uint32_t i = 0; i < n; ++i) {
        pack_tile(i, cb);
    }
    tile_regs_release();
    cb_push_back(cb, n);
}

// Make chunk `c` of x available at the front of cb_x (tilizing it when this pass must re-read it).
inline void acquire_chunk(bool first_pass) {
    if (first_pass || !resident) {
        reconfig_data_format_srca(cb_rm_in);
        pack_reconfig_data_format(cb_x);
        tilize_init(cb_rm_in, blk, cb_x);
        for (uint32_t b = 0; b < blocks_per_chunk; ++b) {
            cb_wait_front(cb_rm_in, blk);
            cb_reserve_back(cb_x, blk);
            tilize_block(cb_rm_in, blk, cb_x);
            cb_push_back(cb_x, blk);
            cb_pop_front(cb_rm_in, blk);
        }
        tilize_uninit(cb_rm_in, cb_x);
    }
    cb_wait_front(cb_x, chunk);
}

inline void release_chunk() {
    if constexpr (!resident) {
        cb_pop_front(cb_x, chunk);
    }
}

// One Col0 tile: row sums of tiles [0, n) of `cb_in` times the scaler in `cb_s`, packed into `cb_out`.
inline void reduce_rows(uint32_t cb_in, uint32_t n, uint32_t cb_s, uint32_t cb_out) {
    reconfig_data_format(cb_s, cb_in);
    reduce_init<PoolType::SUM, ReduceDim::REDUCE_ROW>(cb_in, cb_s, cb_out);
    tile_regs_acquire();
    for (uint32_t i = 0; i < n; ++i) {
        reduce_tile<PoolType::SUM, ReduceDim::REDUCE_ROW>(cb_in, cb_s, i, 0, 0);
    }
    pack_reconfig_data_format(cb_out);
    tile_regs_commit();
    cb_reserve_back(cb_out, 1);
    tile_regs_wait();
    pack_tile(0, cb_out);
    tile_regs_release();
    cb_push_back(cb_out, 1);
    reduce_uninit();
}

// Combine the per-chunk partial sums into the statistic (no-op when the row is resident).
inline void finish_stat(uint32_t cb_stat) {
    if constexpr (!resident) {
        cb_wait_front(cb_part, n_chunks);
        reduce_rows(cb_part, n_chunks, cb_scaler, cb_stat);
        cb_pop_front(cb_part, n_chunks);
    }
}

// cb_mean_lo <- mean - (mean as SrcB reads it): exact copy of mean into DEST, then ELWMUL accumulates
// (-0.5) * mean through SrcB twice (header: why not (-1) * mean once).
inline void split_mean() {
    reconfig_data_format_srca(cb_mean);
    copy_init(cb_mean);
    tile_regs_acquire();
    copy_tile(cb_mean, 0, 0);
    reconfig_data_format(cb_neg_half, cb_mean);
    mul_init(cb_neg_half, cb_mean, false);
    mul_tiles(cb_neg_half, cb_mean, 0, 0, 0);
    mul_tiles(cb_neg_half, cb_mean, 0, 0, 0);
    pack_to(cb_mean_lo, 1);
    cb_wait_front(cb_mean_lo, 1);
}

// Scale DEST tiles [0, n) by 1 + 2/3 ulp of SrcB before packing a result the FPU reads through SrcB.
inline void round_dest_for_srcb(uint32_t n) {
    if constexpr (is_fp32) {
        binop_with_scalar_tile_init();
        for (uint32_t i = 0; i < n; ++i) {
            mul_unary_tile(i, round_for_srcb);
        }
    }
}

// cb_lo <- v - (v as SrcA reads it) for tiles [base, base+blk) of cb_v (fp32 only).
inline void split_low(uint32_t cb_v, uint32_t base) {
    reconfig_data_format_srca(cb_v);
    copy_init(cb_v);
    tile_regs_acquire();
    for (uint32_t i = 0; i < blk; ++i) {
        copy_tile(cb_v, base + i, i);
    }
    reconfig_data_format(cb_v, cb_neg_half);
    mul_bcast_scalar_init(cb_v, cb_neg_half);
    for (uint32_t pass = 0; pass < 2; ++pass) {  // (-0.5) * v twice: header
        for (uint32_t i = 0; i < blk; ++i) {
            mul_tiles_bcast_scalar(cb_v, cb_neg_half, base + i, 0, i);
        }
    }
    pack_to(cb_lo, blk);
    cb_wait_front(cb_lo, blk);
}

// cb_t0 <- x[base .. base+blk) - mean, as (x - mean_hi) + (-1) * mean_lo in the fp32 DEST. For fp32 data
// x itself is copied into DEST exactly and both parts of the mean are accumulated as (-1) * part.
inline void center_block(uint32_t base) {
    if constexpr (is_fp32) {
        reconfig_data_format_srca(cb_x);
        copy_init(cb_x);
        tile_regs_acquire();
        for (uint32_t i = 0; i < blk; ++i) {
            copy_tile(cb_x, base + i, i);
        }
        reconfig_data_format(cb_neg_one, cb_mean);
        mul_bcast_cols_init(cb_neg_one, cb_mean);
        for (uint32_t i = 0; i < blk; ++i) {
            mul_tiles_bcast_cols(cb_neg_one, cb_mean, 0, 0, i);
        }
    } else {
        reconfig_data_format(cb_x, cb_mean);
        sub_bcast_cols_init(cb_x, cb_mean);
        tile_regs_acquire();
        for (uint32_t i = 0; i < blk; ++i) {
            sub_tiles_bcast_cols(cb_x, cb_mean, base + i, 0, i);
        }
    }
    reconfig_data_format(cb_neg_one, cb_mean_lo);
    mul_bcast_cols_init(cb_neg_one, cb_mean_lo);
    for (uint32_t i = 0; i < blk; ++i) {
        mul_tiles_bcast_cols(cb_neg_one, cb_mean_lo, 0, 0, i);
    }
    pack_to(cb_t0, blk);
}

// cb_out <- cb_a (blk tiles, popped) op cb_b; the broadcast kind follows the valid region of cb_b.
enum class Step { MulCol, MulRow, AddRow, Square };

template <Step step>
inline void block_step(uint32_t cb_a, uint32_t cb_b, uint32_t cb_out) {
    cb_wait_front(cb_a, blk);
    reconfig_data_format(cb_a, cb_b);
    if constexpr (step == Step::MulCol) {
        mul_bcast_cols_init(cb_a, cb_b);
    } else if constexpr (step == Step::MulRow) {
        mul_bcast_rows_init(cb_a, cb_b);
    } else if constexpr (step == Step::AddRow) {
        add_bcast_rows_init(cb_a, cb_b);
    } else {
        mul_init(cb_a, cb_a, false);
    }
    tile_regs_acquire();
    for (uint32_t i = 0; i < blk; ++i) {
        if constexpr (step == Step::MulCol) {
            mul_tiles_bcast_cols(cb_a, cb_b, i, 0, i);
        } else if constexpr (step == Step::MulRow) {
            mul_tiles_bcast_rows(cb_a, cb_b, i, i, i);
        } else if constexpr (step == Step::AddRow) {
            add_tiles_bcast_rows(cb_a, cb_b, i, i, i);
        } else {
            mul_tiles(cb_a, cb_a, i, i, i);
        }
    }
    pack_to(cb_out, blk);
    cb_pop_front(cb_a, blk);
}

// fp32: cb_out <- cb_a (blk tiles, popped) times cb_b with the given broadcast, with cb_a split into the
// part SrcA reads and its exact remainder; beta, when given, is broadcast into DEST first and the products
// accumulate onto it. The result is the last of a block when beta is folded in.
template <Step step>
inline void exact_product(uint32_t cb_a, uint32_t cb_b, uint32_t cb_out, bool add_beta) {
    cb_wait_front(cb_a, blk);
    split_low(cb_a, 0);
    tile_regs_acquire();
    if (add_beta) {
        cb_wait_front(cb_beta, blk);
        reconfig_data_format_srca(cb_beta);
        unary_bcast_init<BroadcastType::ROW>(cb_beta);
        for (uint32_t i = 0; i < blk; ++i) {
            unary_bcast<BroadcastType::ROW>(cb_beta, i, i);
        }
        unary_bcast_uninit<BroadcastType::ROW>(cb_beta);
    }
    for (uint32_t cb : {cb_a, cb_lo}) {
        reconfig_data_format(cb, cb_b);
        if constexpr (step == Step::MulCol) {
            mul_bcast_cols_init(cb, cb_b);
        } else {
            mul_bcast_rows_init(cb, cb_b);
        }
        for (uint32_t i = 0; i < blk; ++i) {
            if constexpr (step == Step::MulCol) {
                mul_tiles_bcast_cols(cb, cb_b, i, 0, i);
            } else {
                mul_tiles_bcast_rows(cb, cb_b, i, i, i);
            }
        }
    }
    pack_to(cb_out, blk);
    cb_pop_front(cb_lo, blk);
    cb_pop_front(cb_a, blk);
    if (add_beta) {
        cb_pop_front(cb_beta, blk);
    }
}

// fp32: cb_sq <- (cb_t0)^2 for one block (cb_t0 popped), with the SrcA operand split and the square rounded
// for the SrcB read of the variance reduce.
inline void exact_square() {
    cb_wait_front(cb_t0, blk);
    split_low(cb_t0, 0);
    tile_regs_acquire();
    for (uint32_t cb : {cb_t0, cb_lo}) {
        reconfig_data_format(cb, cb_t0);
        mul_init(cb, cb_t0, false);
        for (uint32_t i = 0; i < blk; ++i) {
            mul_tiles(cb, cb_t0, i, i, i);
        }
    }
    round_dest_for_srcb(blk);
    pack_to(cb_sq, blk);
    cb_pop_front(cb_lo, blk);
    cb_pop_front(cb_t0, blk);
}

void kernel_main() {
    const uint32_t num_rows = get_arg_val<uint32_t>(0);
    if (num_rows == 0) {
        return;
    }
    compute_kernel_hw_startup(cb_x, cb_scaler, cb_t0);
    cb_wait_front(cb_scaler, 1);
    cb_wait_front(cb_eps, 1);
    if constexpr (!resident) {
        cb_wait_front(cb_ones, 1);
    }
    cb_wait_front(cb_neg_one, 1);
    cb_wait_front(cb_neg_half, 1);

    for (uint32_t row = 0; row < num_rows; ++row) {
        // Pass 1: mean.
        for (uint32_t c = 0; c < n_chunks; ++c) {
            acquire_chunk(true);
            reduce_rows(cb_x, chunk, cb_sum_scaler, resident ? cb_mean : cb_part);
            release_chunk();
        }
        finish_stat(cb_mean);
        cb_wait_front(cb_mean, 1);
        split_mean();

        // Pass 2: population variance of the centred values.
        for (uint32_t c = 0; c < n_chunks; ++c) {
            acquire_chunk(false);
            for (uint32_t b = 0; b < blocks_per_chunk; ++b) {
                center_block(b * blk);
                if constexpr (is_fp32) {
                    exact_square();
                } else {
                    block_step<Step::Square>(cb_t0, cb_t0, cb_sq);
                }
            }
            cb_wait_front(cb_sq, chunk);
            reduce_rows(cb_sq, chunk, cb_sum_scaler, resident ? cb_var : cb_part);
            cb_pop_front(cb_sq, chunk);
            release_chunk();
        }
        finish_stat(cb_var);

        // istd = rsqrt(var + eps), computed in DEST without an intermediate pack.
        cb_wait_front(cb_var, 1);
        reconfig_data_format(cb_var, cb_eps);
        add_bcast_scalar_init(cb_var, cb_eps);
        tile_regs_acquire();
        add_tiles_bcast_scalar(cb_var, cb_eps, 0, 0, 0);
        rsqrt_tile_init();
        rsqrt_tile(0);
        round_dest_for_srcb(1);  // istd is the COL-broadcast SrcB operand
        pack_to(cb_istd, 1);
        cb_pop_front(cb_var, 1);
        cb_wait_front(cb_istd, 1);

        // Pass 3: normalize, optional affine, untilize.
        for (uint32_t c = 0; c < n_chunks; ++c) {
            acquire_chunk(false);
            for (uint32_t b = 0; b < blocks_per_chunk; ++b) {
                center_block(b * blk);
                uint32_t cur = cb_t1;
                if constexpr (is_fp32) {
                    exact_product<Step::MulCol>(cb_t0, cb_istd, cb_t1, has_beta && !has_gamma);
                    if constexpr (has_gamma) {
                        cb_wait_front(cb_gamma, blk);
                        exact_product<Step::MulRow>(cb_t1, cb_gamma, cb_t0, has_beta);
                        cb_pop_front(cb_gamma, blk);
                        cur = cb_t0;
                    }
                } else {
                    block_step<Step::MulCol>(cb_t0, cb_istd, cb_t1);
                }
                if constexpr (has_gamma && !is_fp32) {
                    cb_wait_front(cb_gamma, blk);
                    block_step<Step::MulRow>(cur, cb_gamma, cb_t0);
                    cb_pop_front(cb_gamma, blk);
                    cur = cb_t0;
                }
                if constexpr (has_beta && !is_fp32) {
                    const uint32_t next = cur == cb_t0 ? cb_t1 : cb_t0;
                    cb_wait_front(cb_beta, blk);
                    block_step<Step::AddRow>(cur, cb_beta, next);
                    cb_pop_front(cb_beta, blk);
                    cur = next;
                }
                reconfig_data_format_srca(cur);
                pack_reconfig_data_format(cb_out_rm);
                pack_untilize_init<blk, blk>(cur, cb_out_rm);
                cb_wait_front(cur, blk);
                cb_reserve_back(cb_out_rm, blk);
                pack_untilize_block<blk, blk>(cur, 1, cb_out_rm);
                cb_push_back(cb_out_rm, blk);
                cb_pop_front(cur, blk);
                pack_untilize_uninit(cb_out_rm);
            }
            release_chunk();
        }
        cb_pop_front(cb_mean, 1);
        cb_pop_front(cb_mean_lo, 1);
        cb_pop_front(cb_istd, 1);
        if constexpr (resident) {
            cb_pop_front(cb_x, Wt);
        }
    }
}
