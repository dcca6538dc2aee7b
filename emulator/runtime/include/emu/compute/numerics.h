// Level-1 numerics of the Tensix compute path (tensix-semantics §2.7–§2.10), as pure functions on host floats.
//
// A tile is 1024 values in storage (face) order: element (r, c) lives at face_index(r, c). DEST slots, SrcA/SrcB
// images and L1 tiles all use that order, so unpack and pack are element-wise and only broadcasts and reduces
// need (row, column) coordinates.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#include "emu/core.h"

namespace emu::compute {

constexpr int kTileElems = 1024;
constexpr int kFaceDim = 16;

inline constexpr int face_index(int r, int c) { return ((r / 16) * 2 + c / 16) * 256 + (r % 16) * 16 + c % 16; }
inline constexpr int row_of(int i) { return (i / 512) * 16 + (i % 256) / 16; }
inline constexpr int col_of(int i) { return ((i / 256) % 2) * 16 + i % 16; }

inline uint32_t f2u(float f) { return std::bit_cast<uint32_t>(f); }
inline float u2f(uint32_t u) { return std::bit_cast<float>(u); }

// Which multiplier passes an ELWMUL/MVMUL makes (tt MathFidelity numbering: 0 LoFi, 2 HiFi2, 3 HiFi3, 4 HiFi4).
int fidelity_phases(int math_fidelity);

// ---- unpack: L1 → SrcA/SrcB (19-bit) ------------------------------------------------------------------
// Float32 CBs unpack to TF32 when DEST is fp32 and to bf16 otherwise (the JIT's conditional unpack format);
// both conversions truncate and flush denormals to a signed zero. bf16 data is already representable, so
// this is exact for it. A datacopy (MOVA2D) passes the Src value to DEST unchanged.
float to_src(float v, bool fp32_dest = true);

// ---- DEST rounding ----------------------------------------------------------------------------------------
// Round an exact value (held in a double) to bf16, ties away from zero, denormals flushed; what an FPU op
// writes into a 16-bit DEST.
float round_bf16_ties_away(double v);
// Round an exact value to the DEST format: bf16 (ties away) or fp32 (nearest-even, denormals flushed).
float round_to_dest(double v, bool fp32_dest);
// SFPU store into a 16-bit DEST keeps the top 16 bits (truncation).
inline float sfpu_store_bf16(float v) { return u2f(f2u(v) & 0xFFFF0000u); }
// Explicit round-to-nearest-even to bf16 (sfpi convert<vFloat16b>(…, RoundMode::Nearest)); NaN stays NaN.
float round_bf16_rne(float v);

// ---- FPU multiply with fidelity phases ------------------------------------------------------------------
// Exact sum of the partial products the multiplier produces for SrcA value a and SrcB value b (both already
// in Src form) in the phases `math_fidelity` selects: A contributes 5 + 5 significand bits (hidden bit + 4,
// then the next 5; its last TF32 bit is never used), B contributes 7 + 4 bits (hidden bit + 6, then 4).
double fidelity_product(float a, float b, int math_fidelity);

// ---- FPU tile math (operands already in Src form, storage order) -------------------------------------------
// Index into a SrcB tile of the datum broadcast to output element i (bcast: 0 none, 1 COL, 2 ROW, 3 SCALAR).
int bcast_src_index(int bcast, int i, uint32_t row_idx);
// ELWADD (op 2) / ELWSUB (op 3) / ELWMUL (op 0) into DEST tile `dst`: ELWMUL always accumulates into DEST (a
// fresh section reads zero), add/sub only with `acc`. One rounding to the DEST format per element.
void binary_math(int op, int bcast, uint32_t row_idx, const float* a, const float* b, float* dst, bool acc,
                 int math_fidelity, bool fp32_dest);
// reduce_tile's MATH step (pool 0 SUM, 1 AVG, 2 MAX; dim 0 ROW, 1 COL, 2 SCALAR) on Src images of the data and
// scaler tiles. The scaler datum for data (r, c) is row 0 of the same face at the index along the reduced
// dimension. SUM/AVG multiply with fidelity phases: REDUCE_ROW with the scaler as the SrcA operand (operand
// swap), REDUCE_COL with the data as SrcA, REDUCE_SCALAR in two pools (so the scaler applies twice). MAX
// compares bf16-truncated data scaled by the scaler's exponent only (GMPOOL). Results land in column 0 (ROW),
// row 0 (COL) or [0, 0] (SCALAR), accumulated onto DEST (MAX: onto DEST's value when `had` says the slot holds
// a result, else from −inf) with one rounding to the DEST format per call (per pool for SCALAR).
void reduce_math(int pool, int dim, const float* data, const float* scaler, float* dst, bool had, int math_fidelity,
                 bool fp32_dest);

// ---- pack: DEST → L1 ----------------------------------------------------------------------------------
// fp32 → bf16 bits as the packer writes them: (bits + 0x8000) >> 16 on the magnitude (ties away from zero),
// denormal inputs flush to zero, −0 → +0, NaN → ±Inf.
uint16_t pack_bf16(float v);
// fp32 → fp32 L1 (identity).
inline uint32_t pack_fp32(float v) { return f2u(v); }

// Decode one datum of an L1 tile in `fmt` (Float16_b or Float32 only).
inline float load_datum(DataFormat fmt, const uint8_t* p, int i) {
    if (fmt == DataFormat::Float32) { uint32_t u; std::memcpy(&u, p + 4 * i, 4); return u2f(u); }
    uint16_t h; std::memcpy(&h, p + 2 * i, 2); return u2f(uint32_t(h) << 16);
}
inline void store_datum(DataFormat fmt, uint8_t* p, int i, float v) {
    if (fmt == DataFormat::Float32) { uint32_t u = pack_fp32(v); std::memcpy(p + 4 * i, &u, 4); }
    else { uint16_t h = pack_bf16(v); std::memcpy(p + 2 * i, &h, 2); }
}

// ---- SFPU algorithms (host fp32 rerun of tt-metal's Wormhole kernels) --------------------------------------
// Each takes the fp32 value the SFPU reads from DEST and returns what it writes back, including the
// rounding/truncation of the store into a bf16 DEST when `fp32_dest` is false.
float sfpu_sqrt(float x, bool approx, bool fast, bool fp32_dest);
float sfpu_rsqrt(float x, bool approx, bool fast, bool fp32_dest);
float sfpu_recip(float x, bool approx, bool fp32_dest);
enum class ScalarOp : int { Add = 0, Sub = 1, Mul = 2, Div = 3, Rsub = 4 };
float sfpu_binop_scalar(float x, ScalarOp op, uint32_t param_bits, bool fp32_dest);

}  // namespace emu::compute
