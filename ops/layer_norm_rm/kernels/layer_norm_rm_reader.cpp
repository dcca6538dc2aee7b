// layer_norm_rm reader (RISCV_0 / NoC0).
//
// Per core: builds the constant tiles once (reduce scaler 1/W, epsilon, a tile of -1, and a ones scaler
// when the row is streamed in several chunks), then for each assigned tile-row pushes the 32 input sticks in column blocks
// of `blk` tiles into cb_rm_in (row-major strips that compute tilizes), and in the normalize pass the
// matching gamma/beta blocks as Row0 tiles.
//
// If the tilized row fits in L1 (chunk == Wt) x is sent once per row; otherwise once per pass
// (mean, variance, normalize), chunk by chunk.

#include <cstdint>
#include "api/dataflow/dataflow_api.h"

constexpr uint32_t cb_rm_in = 0;
constexpr uint32_t cb_gamma = 1;
constexpr uint32_t cb_beta = 2;
constexpr uint32_t cb_scaler = 8;
constexpr uint32_t cb_eps = 9;
constexpr uint32_t cb_ones = 10;
constexpr uint32_t cb_neg_one = 11;
constexpr uint32_t cb_neg_half = 14;

constexpr uint32_t Wt = get_compile_time_arg_val(0);
constexpr uint32_t blk = get_compile_time_arg_val(1);
constexpr uint32_t chunk = get_compile_time_arg_val(2);
constexpr bool has_gamma = get_compile_time_arg_val(3) == 1;
constexpr bool has_beta = get_compile_time_arg_val(4) == 1;
constexpr uint32_t elem_bytes = get_compile_time_arg_val(5);

constexpr uint32_t n_chunks = Wt / chunk;
constexpr uint32_t blocks_per_chunk = chunk / blk;
constexpr uint32_t n_passes = 3;  // mean, variance, normalize
constexpr uint32_t tile_bytes = 32 * 32 * elem_bytes;
constexpr uint32_t face_bytes = 16 * 16 * elem_bytes;
constexpr uint32_t block_row_bytes = blk * 32 * elem_bytes;  // one stick's share of a column block
constexpr uint32_t stick_bytes = Wt * 32 * elem_bytes;

// Store one element (bf16 or fp32 bit pattern) at element index `i` of the tile at `addr`.
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

// Reduce-scaler layout: zeros except row 0 of each of the four faces.
inline void push_scaler_tile(uint32_t cb, uint32_t word) {
    cb_reserve_back(cb, 1);
    const uint32_t addr = get_write_ptr(cb);
    zero_tile(addr);
    for (uint32_t face = 0; face < 4; ++face) {
        for (uint32_t c = 0; c < 16; ++c) {
            put_elem(addr, face * 256 + c, word);
        }
    }
    cb_push_back(cb, 1);
}

// Every element `word` (the -1 tile compute uses to subtract the low part of the mean).
inline void push_filled_tile(uint32_t cb, uint32_t word) {
    cb_reserve_back(cb, 1);
    const uint32_t addr = get_write_ptr(cb);
    for (uint32_t i = 0; i < 32 * 32; ++i) {
        put_elem(addr, i, word);
    }
    cb_push_back(cb, 1);
}

// Scalar-broadcast layout: the value at [0, 0], zeros elsewhere.
inline void push_scalar_tile(uint32_t cb, uint32_t word) {
    cb_reserve_back(cb, 1);
    const uint32_t addr = get_write_ptr(cb);
    zero_tile(addr);
    put_elem(addr, 0, word);
    cb_push_back(cb, 1);
}

// 32 sticks starting at `stick0`, columns [col_tile * 32, (col_tile + blk) * 32), as a row-major strip.
template <typename Accessor>
inline void push_rm_block(const Accessor& src, uint32_t stick0, uint32_t col_tile) {
    cb_reserve_back(cb_rm_in, blk);
    const uint32_t l1 = get_write_ptr(cb_rm_in);
    const uint32_t col_offset = col_tile * 32 * elem_bytes;
    for (uint32_t s = 0; s < 32; ++s) {
        noc_async_read(src.get_noc_addr(stick0 + s, col_offset), l1 + s * block_row_bytes, block_row_bytes);
    }
    noc_async_read_barrier();
    cb_push_back(cb_rm_in, blk);
}

// `blk` Row0 tiles of a (1, W) row-major vector: elements 0-15 of each tile's 32 go to face 0 row 0,
// 16-31 to face 1 row 0; everything else is zero (what a ROW broadcast reads).
template <typename Accessor>
inline void push_row0_block(uint32_t cb, const Accessor& src, uint32_t col_tile) {
    cb_reserve_back(cb, blk);
    const uint32_t l1 = get_write_ptr(cb);
    for (uint32_t t = 0; t < blk; ++t) {
        const uint32_t tile_l1 = l1 + t * tile_bytes;
        zero_tile(tile_l1);
        const uint32_t col_offset = (col_tile + t) * 32 * elem_bytes;
        noc_async_read(src.get_noc_addr(0, col_offset), tile_l1, 16 * elem_bytes);
        noc_async_read(src.get_noc_addr(0, col_offset + 16 * elem_bytes), tile_l1 + face_bytes, 16 * elem_bytes);
    }
    noc_async_read_barrier();
    cb_push_back(cb, blk);
}

void kernel_main() {
    const uint32_t src_addr = get_arg_val<uint32_t>(0);
    const uint32_t gamma_addr = get_arg_val<uint32_t>(1);
    const uint32_t beta_addr = get_arg_val<uint32_t>(2);
    const uint32_t start_row = get_arg_val<uint32_t>(3);
    const uint32_t num_rows = get_arg_val<uint32_t>(4);
    const uint32_t scaler_bits = get_arg_val<uint32_t>(5);
    const uint32_t eps_bits = get_arg_val<uint32_t>(6);
    if (num_rows == 0) {
        return;
    }

    constexpr auto src_args = TensorAccessorArgs<6>();
    constexpr auto gamma_args = TensorAccessorArgs<src_args.next_compile_time_args_offset()>();
    constexpr auto beta_args = TensorAccessorArgs<gamma_args.next_compile_time_args_offset()>();
    const auto src = TensorAccessor(src_args, src_addr, stick_bytes);
    const auto gamma = TensorAccessor(gamma_args, gamma_addr, stick_bytes);
    const auto beta = TensorAccessor(beta_args, beta_addr, stick_bytes);

    push_scaler_tile(cb_scaler, scaler_bits);
    push_scalar_tile(cb_eps, eps_bits);
    if constexpr (n_chunks > 1) {
        push_scaler_tile(cb_ones, elem_bytes == 2 ? 0x3F80u : 0x3F800000u);
    }
    push_filled_tile(cb_neg_one, elem_bytes == 2 ? 0xBF80u : 0xBF800000u);
    push_filled_tile(cb_neg_half, elem_bytes == 2 ? 0xBF00u : 0xBF000000u);

    for (uint32_t row = 0; row < num_rows; ++row) {
        const uint32_t stick0 = (start_row + row) * 32;
        for (uint32_t pass = 0; pass < n_passes; ++pass) {
            const bool send_x = pass == 0 || n_chunks > 1;
            for (uint32_t c = 0; c < n_chunks; ++c) {
                if (send_x) {
                    for (uint32_t b = 0; b < blocks_per_chunk; ++b) {
                        push_rm_block(src, stick0, (c * blocks_per_chunk + b) * blk);
                    }
                }
                // Affine blocks follow their chunk so compute never waits on them while holding x.
                if (pass == n_passes - 1) {
                    for (uint32_t b = 0; b < blocks_per_chunk; ++b) {
                        const uint32_t col_tile = (c * blocks_per_chunk + b) * blk;
                        if constexpr (has_gamma) {
                            push_row0_block(cb_gamma, gamma, col_tile);
                        }
                        if constexpr (has_beta) {
                            push_row0_block(cb_beta, beta, col_tile);
                        }
                    }
                }
            }
        }
    }
}
