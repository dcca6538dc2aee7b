// Level-1 numerics of the Tensix compute path (tensix-semantics §2.7–§2.10), as pure functions on host floats
// carrying fp32 bit patterns (the FPU's bit-level rules are in fpu_numerics.h).
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

// ---- unpack: L1 → SrcA/SrcB ----------------------------------------------------------------------------------
// A Float32 CB unpacks to TF32 when DEST is fp32 and to bf16 otherwise (the JIT's conditional unpack format):
// TF32 drops the low 13 mantissa bits and keeps denormals; bf16 flushes denormals to a signed zero, then drops
// the low 16 bits. Float16_b data lands unchanged (denormals and −0 included). No rounding anywhere.
float to_src(float v, DataFormat l1_fmt, bool fp32_dest);

// ---- datacopy: Src → DEST -----------------------------------------------------------------------------------------
// A2D into a 16-bit DEST is MOVA2D with the zero flag off: the Src datum unchanged (bf16 −0 and denormals kept).
// Into a 32-bit DEST it is ELWADD with a zero SrcB: exponent 0 → +0, exponent 255 → ±Inf, else the TF32 value.
float datacopy_a2d(float src, bool fp32_dest);
// B2D broadcast of one SrcB datum: ROW uses MOVB2D (bf16 precision unless SrcB holds TF32, denormals kept),
// COL and SCALAR use ELWADD with a zero SrcA (as datacopy_a2d on a 32-bit DEST, rounded to bf16 otherwise).
float datacopy_b2d(float src, int bcast, bool src_tf32, bool fp32_dest);
// Fast tilize's MOVA2D/MOVB2D: a Src datum moved as it is, 32 bits of a TF32 Src into a 32-bit DEST, the bf16
// bits otherwise; with the Src zero flag at its default (not `keep_zero`), an exponent-0 datum becomes +0.
float mov_to_dest(float src, bool src_tf32, bool keep_zero);

// Source element of output element i when a tile is unpacked transposed: `faces` swaps faces 1 and 2,
// `within` transposes each 16×16 face (both: the whole 32×32 tile, transpose_wh).
int transposed_index(int i, bool faces, bool within);

// ---- FPU tile math (operands already in Src form, storage order) -------------------------------------------
// Index into a SrcB tile of the datum broadcast to output element i (bcast: 0 none, 1 COL, 2 ROW, 3 SCALAR).
int bcast_src_index(int bcast, int i, uint32_t row_idx);
// ELWADD (op 2) / ELWSUB (op 3) / ELWMUL (op 0) into DEST tile `dst`: add/sub accumulate only with `acc`;
// ELWMUL always accumulates, one instruction per fidelity phase, each rounded into DEST.
void binary_math(int op, int bcast, uint32_t row_idx, const float* a, const float* b, float* dst, bool acc,
                 int math_fidelity, bool fp32_dest);
// reduce_tile's MATH step (pool 0 SUM, 1 AVG, 2 MAX; dim 0 ROW, 1 COL, 2 SCALAR) on Src images of the data and
// scaler tiles. The scaler datum for data (r, c) is row 0 of the same face at the index along the reduced
// dimension. SUM/AVG: REDUCE_ROW is MVMUL with the data in SrcB, REDUCE_COL is GAPOOL with the data in SrcA;
// each face and each fidelity phase rounds into DEST. REDUCE_SCALAR pools every face into a scratch DEST row,
// moves it back through SrcB (truncated to the data's Src format: TF32 on a 32-bit DEST, else bf16) into SrcA
// and pools it again with the scaler. MAX is GMPOOL (the scaler is not applied; hardware requires 1.0), ROW's
// result passing through an ELWADD transpose. `had`: the DEST slot already holds a result of this reduce.
void reduce_math(int pool, int dim, const float* data, const float* scaler, float* dst, bool had, int math_fidelity,
                 bool fp32_dest);
// matmul_tiles' MATH step: DEST += in0 · in1 (in0 through SrcB, in1 through SrcA), one MVMUL per output face,
// inner face and fidelity phase, phases outermost.
void matmul_math(const float* in0, const float* in1, float* dst, int math_fidelity, bool fp32_dest);

// ---- pack: DEST → L1 ----------------------------------------------------------------------------------------
// DEST → bf16 L1: NaN → ±Inf, round half up on the magnitude ((bits + 0x8000) >> 16), then a result below
// the smallest normal (denormal or ±0) is written as +0.
uint16_t pack_bf16(float v);
// DEST → fp32 L1: a 32-bit DEST is written as is; a 16-bit DEST goes through the bf16 rules above, widened.
uint32_t pack_fp32(float v, bool fp32_dest);

// Decode one datum of an L1 tile in `fmt` (Float16_b or Float32 only).
inline float load_datum(DataFormat fmt, const uint8_t* p, int i) {
    if (fmt == DataFormat::Float32) { uint32_t u; std::memcpy(&u, p + 4 * i, 4); return u2f(u); }
    uint16_t h; std::memcpy(&h, p + 2 * i, 2); return u2f(uint32_t(h) << 16);
}
inline void store_datum(DataFormat fmt, uint8_t* p, int i, float v, bool fp32_dest) {
    if (fmt == DataFormat::Float32) { uint32_t u = pack_fp32(v, fp32_dest); std::memcpy(p + 4 * i, &u, 4); }
    else { uint16_t h = pack_bf16(v); std::memcpy(p + 2 * i, &h, 2); }
}

}  // namespace emu::compute
