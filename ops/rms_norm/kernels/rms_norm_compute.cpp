// rms_norm compute (TRISC0-2).
//
// Per tile-row; every CB has the input's format (bf16 or fp32) and DEST is fp32:
//   pass 1  ms   = reduce_row(x * x) * 1/W            (Col0 tile)
//           istd = rsqrt(ms + eps)                     (eps tile broadcast as a scalar)
//   pass 2  y    = x * istd [* gamma]                  (COL broadcast for istd, ROW for Row0 gamma)
// ROW_MAJOR input is tilized from cb_rm_in into cb_x and y is pack-untilized into cb_out; TILE input
// arrives in cb_x from the reader and y is packed straight into cb_out.
// With chunk == Wt the tilized row stays in cb_x for both passes; otherwise each pass re-reads its chunks
// and the per-chunk sums (ones scaler) are combined by one more reduce with the 1/W scaler.

#include <cstdint>
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
// Final tiles of a block: straight to the output for TILE layout, else to cb_t1 for pack-untilize.
constexpr uint32_t cb_y = tile_layout ? cb_out : cb_t1;

// fp32 numerics. The FPU reads fp32 CB data by truncating the mantissa: 10 bits in SrcB, 9 usable bits in
// SrcA at HiFi4. Two remedies keep float32 close to fp32:
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

inline void round_dest_for_fpu(uint32_t n, uint32_t factor_bits) {
    if constexpr (is_fp32) {
        binop_with_scalar_tile_init();
        for (uint32_t i = 0; i < n; ++i) {
            mul_unary_tile(i, factor_bits);
        }
    }
}

inline void pack_to(uint32_t cb, uint32_t n);

// cb_lo <- v - trunc_srca(v) for tiles [base, base + blk) of cb_v (fp32 only).
inline void split_low(uint32_t cb_v, uint32_t base) {
    copy_init(cb_v);
    tile_regs_acquire();
    for (uint32_t i = 0; i < blk; ++i) {
        copy_tile(cb_v, base + i, i);
    }
    mul_bcast_scalar_init(cb_v, cb_neg_half);
    for (uint32_t pass = 0; pass < 2; ++pass) {
        for (uint32_t i = 0; i < blk; ++i) {
            mul_tiles_bcast_scalar(cb_v, cb_neg_half, base + i, 0, i);
        }
    }
    pack_to(cb_lo, blk);
    cb_wait_front(cb_lo, blk);
}

inline void pack_to(uint32_t cb, uint32_t n) {
    tile_regs_commit();
    cb_reserve_back(cb, n);
    tile_regs_wait();
    for (uint32_t i = 0; i < n; ++i) {
        pack_tile(i, cb);
    }
    tile_regs_release();
    cb_push_back(cb, n);
}

inline void acquire_chunk(bool first_pass) {
    if constexpr (!tile_layout) {
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
    }
    cb_wait_front(cb_x, chunk);
}

inline void release_chunk() {
    if constexpr (!resident) {
        cb_pop_front(cb_x, chunk);
    }
}

inline void reduce_rows(uint32_t cb_in, uint32_t n, uint32_t cb_s, uint32_t cb_dst) {
    reconfig_data_format(cb_s, cb_in);
    reduce_init<PoolType::SUM, ReduceDim::REDUCE_ROW>(cb_in, cb_s, cb_dst);
    tile_regs_acquire();
    for (uint32_t i = 0; i < n; ++i) {
        reduce_tile<PoolType::SUM, ReduceDim::REDUCE_ROW>(cb_in, cb_s, i, 0, 0);
    }
    tile_regs_commit();
    cb_reserve_back(cb_dst, 1);
    tile_regs_wait();
    pack_tile(0, cb_dst);
    tile_regs_release();
    cb_push_back(cb_dst, 1);
    reduce_uninit();
}

void kernel_main() {
    const uint32_t num_rows = get_arg_val<uint32_t>(0);
    if (num_rows == 0) {
        return;
    }
    compute_kernel_hw_startup(cb_x, cb_scaler, cb_sq);
    cb_wait_front(cb_scaler, 1);
    cb_wait_front(cb_eps, 1);
    if constexpr (!resident) {
        cb_wait_front(cb_ones, 1);
    }
    if constexpr (is_fp32) {
        cb_wait_front(cb_neg_half, 1);
    }

    for (uint32_t row = 0; row < num_rows; ++row) {
        // Pass 1: mean of squares.
        for (uint32_t c = 0; c < n_chunks; ++c) {
            acquire_chunk(true);
            for (uint32_t b = 0; b < blocks_per_chunk; ++b) {
                if constexpr (is_fp32) {
                    split_low(cb_x, b * blk);
                }
                mul_init(cb_x, cb_x, false);
                tile_regs_acquire();
                for (uint32_t i = 0; i < blk; ++i) {
                    mul_tiles(cb_x, cb_x, b * blk + i, b * blk + i, i);
                }
                if constexpr (is_fp32) {
                    mul_init(cb_lo, cb_x, false);
                    for (uint32_t i = 0; i < blk; ++i) {
                        mul_tiles(cb_lo, cb_x, i, b * blk + i, i);
                    }
                }
                round_dest_for_fpu(blk, round_for_srcb);  // squares enter the reduce through SrcB
                pack_to(cb_sq, blk);
                if constexpr (is_fp32) {
                    cb_pop_front(cb_lo, blk);
                }
            }
            cb_wait_front(cb_sq, chunk);
            reduce_rows(cb_sq, chunk, cb_sum_scaler, resident ? cb_var : cb_part);
            cb_pop_front(cb_sq, chunk);
            release_chunk();
        }
        if constexpr (!resident) {
            cb_wait_front(cb_part, n_chunks);
            reduce_rows(cb_part, n_chunks, cb_scaler, cb_var);
            cb_pop_front(cb_part, n_chunks);
        }

        // istd = rsqrt(ms + eps), in DEST without an intermediate pack.
        cb_wait_front(cb_var, 1);
        add_bcast_scalar_init(cb_var, cb_eps);
        tile_regs_acquire();
        add_tiles_bcast_scalar(cb_var, cb_eps, 0, 0, 0);
        rsqrt_tile_init();
        rsqrt_tile(0);
        round_dest_for_fpu(1, round_for_srcb);  // istd is the COL-broadcast SrcB operand
        pack_to(cb_istd, 1);
        cb_pop_front(cb_var, 1);
        cb_wait_front(cb_istd, 1);

        // Pass 2: scale, optional gamma, output.
        for (uint32_t c = 0; c < n_chunks; ++c) {
            acquire_chunk(false);
            for (uint32_t b = 0; b < blocks_per_chunk; ++b) {
                constexpr uint32_t cb_scaled = has_gamma ? cb_t0 : cb_y;
                if constexpr (is_fp32) {
                    split_low(cb_x, b * blk);
                }
                mul_bcast_cols_init(cb_x, cb_istd);
                tile_regs_acquire();
                for (uint32_t i = 0; i < blk; ++i) {
                    mul_tiles_bcast_cols(cb_x, cb_istd, b * blk + i, 0, i);
                }
                if constexpr (is_fp32) {
                    mul_bcast_cols_init(cb_lo, cb_istd);
                    for (uint32_t i = 0; i < blk; ++i) {
                        mul_tiles_bcast_cols(cb_lo, cb_istd, i, 0, i);
                    }
                }
                pack_to(cb_scaled, blk);
                if constexpr (is_fp32) {
                    cb_pop_front(cb_lo, blk);
                }

                if constexpr (has_gamma) {
                    cb_wait_front(cb_t0, blk);
                    cb_wait_front(cb_gamma, blk);
                    if constexpr (is_fp32) {
                        split_low(cb_t0, 0);
                    }
                    mul_bcast_rows_init(cb_t0, cb_gamma);
                    tile_regs_acquire();
                    for (uint32_t i = 0; i < blk; ++i) {
                        mul_tiles_bcast_rows(cb_t0, cb_gamma, i, i, i);
                    }
                    if constexpr (is_fp32) {
                        mul_bcast_rows_init(cb_lo, cb_gamma);
                        for (uint32_t i = 0; i < blk; ++i) {
                            mul_tiles_bcast_rows(cb_lo, cb_gamma, i, i, i);
                        }
                    }
                    pack_to(cb_y, blk);
                    if constexpr (is_fp32) {
                        cb_pop_front(cb_lo, blk);
                    }
                    cb_pop_front(cb_t0, blk);
                    cb_pop_front(cb_gamma, blk);
                }

                if constexpr (!tile_layout) {
                    reconfig_data_format_srca(cb_t1);
                    pack_reconfig_data_format(cb_out);
                    pack_untilize_init<blk, blk>(cb_t1, cb_out);
                    cb_wait_front(cb_t1, blk);
                    cb_reserve_back(cb_out, blk);
                    pack_untilize_block<blk, blk>(cb_t1, 1, cb_out);
                    cb_push_back(cb_out, blk);
                    cb_pop_front(cb_t1, blk);
                    pack_untilize_uninit(cb_out);
                }
            }
            release_chunk();
        }
        cb_pop_front(cb_istd, 1);
        if constexpr (resident) {
            cb_pop_front(cb_x, Wt);
        }
    }
}
