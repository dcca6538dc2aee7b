// rms_norm reader (RISCV_0 / NoC0).
//
// Builds the constant tiles once (reduce scaler 1/W, epsilon, and a ones scaler when the row is streamed
// in several chunks), in the CB data format (bf16 or fp32). Then, per assigned tile-row:
//   * ROW_MAJOR input: 32 sticks in column blocks of `blk` tiles into cb_rm_in (compute tilizes them);
//   * TILE input: the row's tiles straight into cb_x, `blk` at a time;
// and in the normalize pass the matching gamma blocks as Row0 tiles.
// If the tilized row fits in L1 (chunk == Wt) x is sent once per row, otherwise once per pass.

#include <cstdint>
#include "api/dataflow/dataflow_api.h"
#include "ttnn/cpp/ttnn/kernel_lib/reduce_helpers_dataflow.hpp"

namespace dkl = dataflow_kernel_lib;

constexpr uint32_t cb_rm_in = 0;
constexpr uint32_t cb_gamma = 1;
constexpr uint32_t cb_scaler = 8;
constexpr uint32_t cb_eps = 9;
constexpr uint32_t cb_ones = 10;
constexpr uint32_t cb_neg_half = 11;
constexpr uint32_t cb_x = 24;

constexpr uint32_t Wt = get_compile_time_arg_val(0);
constexpr uint32_t blk = get_compile_time_arg_val(1);
constexpr uint32_t chunk = get_compile_time_arg_val(2);
constexpr bool has_gamma = get_compile_time_arg_val(3) == 1;
constexpr bool tile_layout = get_compile_time_arg_val(4) == 1;
constexpr uint32_t elem_bytes = get_compile_time_arg_val(5);

constexpr uint32_t n_chunks = Wt / chunk;
constexpr uint32_t blocks_per_chunk = chunk / blk;
constexpr uint32_t n_passes = 2;  // sum of squares, normalize
constexpr uint32_t tile_bytes = 32 * 32 * elem_bytes;
constexpr uint32_t face_bytes = 16 * 16 * elem_bytes;
constexpr uint32_t block_row_bytes = blk * 32 * elem_bytes;
constexpr uint32_t stick_bytes = Wt * 32 * elem_bytes;
constexpr uint32_t src_page_bytes = tile_layout ? tile_bytes : stick_bytes;

// fp32 only: the FPU reads fp32 CB data by truncating the mantissa to 10 bits in SrcB. Adding half of the
// dropped part first turns that into round-to-nearest for gamma, the ROW-broadcast SrcB operand. (x needs no
// rounding: compute splits it into the part SrcA reads and the remainder.)
constexpr uint32_t round_half_srcb = 0x1000;

inline void round_for_fpu(uint32_t addr, uint32_t bytes, uint32_t half) {
    if constexpr (elem_bytes == 4) {
        auto* p = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(addr);
        for (uint32_t i = 0; i < bytes / 4; ++i) {
            const uint32_t w = p[i];
            if ((w & 0x7F800000u) != 0x7F800000u) {  // leave inf/NaN alone
                p[i] = w + half;
            }
        }
    }
}

inline void put_elem(uint32_t addr, uint32_t i, uint32_t word) {
    if constexpr (elem_bytes == 2) {
        reinterpret_cast<volatile tt_l1_ptr uint16_t*>(addr)[i] = static_cast<uint16_t>(word);
    } else {
        reinterpret_cast<volatile tt_l1_ptr uint32_t*>(addr)[i] = word;
    }
}

inline void zero_tile(uint32_t addr) {
    auto* p = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(addr);
    for (uint32_t i = 0; i < tile_bytes / 4; ++i) {
        p[i] = 0;
    }
}

// Scalar-broadcast layout: the value at [0, 0], zeros elsewhere.
inline void push_scalar_tile(uint32_t cb, uint32_t word) {
    cb_reserve_back(cb, 1);
    const uint32_t addr = get_write_ptr(cb);
    zero_tile(addr);
    put_elem(addr, 0, word);
    cb_push_back(cb, 1);
}

// Column block `col_tile .. col_tile+blk` of tile-row `tile_row`.
template <typename Accessor>
inline void push_x_block(const Accessor& src, uint32_t tile_row, uint32_t col_tile) {
    if constexpr (tile_layout) {
        cb_reserve_back(cb_x, blk);
        const uint32_t l1 = get_write_ptr(cb_x);
        for (uint32_t t = 0; t < blk; ++t) {
            noc_async_read(src.get_noc_addr(tile_row * Wt + col_tile + t), l1 + t * tile_bytes, tile_bytes);
        }
        noc_async_read_barrier();
        cb_push_back(cb_x, blk);
    } else {
        cb_reserve_back(cb_rm_in, blk);
        const uint32_t l1 = get_write_ptr(cb_rm_in);
        const uint32_t col_offset = col_tile * 32 * elem_bytes;
        for (uint32_t s = 0; s < 32; ++s) {
            noc_async_read(
                src.get_noc_addr(tile_row * 32 + s, col_offset), l1 + s * block_row_bytes, block_row_bytes);
        }
        noc_async_read_barrier();
        cb_push_back(cb_rm_in, blk);
    }
}

// `blk` Row0 tiles of the (1, W) row-major gamma: elements 0-15 of each tile's 32 go to face 0 row 0,
// 16-31 to face 1 row 0, zeros elsewhere (what a ROW broadcast reads).
template <typename Accessor>
inline void push_row0_block(const Accessor& src, uint32_t col_tile) {
    cb_reserve_back(cb_gamma, blk);
    const uint32_t l1 = get_write_ptr(cb_gamma);
    for (uint32_t t = 0; t < blk; ++t) {
        const uint32_t tile_l1 = l1 + t * tile_bytes;
        zero_tile(tile_l1);
        const uint32_t col_offset = (col_tile + t) * 32 * elem_bytes;
        noc_async_read(src.get_noc_addr(0, col_offset), tile_l1, 16 * elem_bytes);
        noc_async_read(src.get_noc_addr(0, col_offset + 16 * elem_bytes), tile_l1 + face_bytes, 16 * elem_bytes);
    }
    noc_async_read_barrier();
    round_for_fpu(l1, blk * tile_bytes, round_half_srcb);
    cb_push_back(cb_gamma, blk);
}

void kernel_main() {
    const uint32_t src_addr = get_arg_val<uint32_t>(0);
    const uint32_t gamma_addr = get_arg_val<uint32_t>(1);
    const uint32_t start_row = get_arg_val<uint32_t>(2);
    const uint32_t num_rows = get_arg_val<uint32_t>(3);
    const uint32_t scaler_bits = get_arg_val<uint32_t>(4);
    const uint32_t eps_bits = get_arg_val<uint32_t>(5);
    if (num_rows == 0) {
        return;
    }

    constexpr auto src_args = TensorAccessorArgs<6>();
    constexpr auto gamma_args = TensorAccessorArgs<src_args.next_compile_time_args_offset()>();
    const auto src = TensorAccessor(src_args, src_addr, src_page_bytes);
    const auto gamma = TensorAccessor(gamma_args, gamma_addr, stick_bytes);

    // The host rounds 1/W to what the reduce's SrcA reads (bf16 words arrive in the low half).
    dkl::prepare_reduce_scaler<cb_scaler, dkl::PoolType::SUM, dkl::ReduceDim::REDUCE_ROW>(
        __builtin_bit_cast(float, elem_bytes == 2 ? scaler_bits << 16 : scaler_bits));
    if constexpr (n_chunks > 1) {
        dkl::calculate_and_prepare_reduce_scaler<cb_ones, dkl::PoolType::SUM, dkl::ReduceDim::REDUCE_ROW>();
    }
    push_scalar_tile(cb_eps, eps_bits);
    if constexpr (elem_bytes == 4) {
        push_scalar_tile(cb_neg_half, 0xBF000000u);  // -0.5 for compute's hi/lo operand split
    }

    for (uint32_t row = 0; row < num_rows; ++row) {
        const uint32_t tile_row = start_row + row;
        for (uint32_t pass = 0; pass < n_passes; ++pass) {
            const bool send_x = pass == 0 || n_chunks > 1;
            for (uint32_t c = 0; c < n_chunks; ++c) {
                if (send_x) {
                    for (uint32_t b = 0; b < blocks_per_chunk; ++b) {
                        push_x_block(src, tile_row, (c * blocks_per_chunk + b) * blk);
                    }
                }
                if constexpr (has_gamma) {
                    if (pass == n_passes - 1) {
                        for (uint32_t b = 0; b < blocks_per_chunk; ++b) {
                            push_row0_block(gamma, (c * blocks_per_chunk + b) * blk);
                        }
                    }
                }
            }
        }
    }
}
