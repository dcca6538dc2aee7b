// Bit-level numerics of Wormhole's FPU (the matrix unit behind ELWADD/ELWSUB/ELWMUL, MVMUL/GAPOOL, GMPOOL and
// the datacopy moves), as silicon computes them.
//
// Values travel as fp32 bit patterns. A Src register datum is what the unpacker wrote (bf16 or TF32 precision,
// denormals kept); the FPU reads its top 19 bits: sign (bit 18), 8-bit biased exponent, 10-bit mantissa. An
// operand whose exponent field is 0 reads as zero (the zero flag) and one whose exponent is 255 is an ordinary
// number, so Inf and NaN take part in arithmetic like huge finite values. A 16-bit DEST holds bf16 (the low 16
// bits of the pattern are 0); a 32-bit DEST holds fp32.
#pragma once

#include <cstdint>

namespace emu::compute::fpu {

// ---- the DEST adder -------------------------------------------------------------------------------------------
// One term of a sum the FPU writes into DEST: sign, biased exponent, magnitude with the leading (hidden) bit at
// bit 23 (it may carry into bit 24 and beyond for sums of products).
struct Term {
    uint32_t sign = 0;
    int32_t exp = 0;
    uint32_t man = 0;
};
// Adds up to two terms and the current DEST value: every operand is aligned to the largest exponent (rounded
// half up in magnitude for DEST, half towards +inf for the terms), a 16-bit DEST first rounds each aligned
// operand to 11 significant bits, the sum is renormalised and rounded half up to 24 (fp32) or 8 (bf16) bits.
// Exponent <= 0 gives +0 (also for an exact cancellation), exponent >= 255 gives a signed Inf.
uint32_t dest_add(const Term& t0, const Term& t1, uint32_t dst, bool fp32_dest);
// Wormhole's leading-sign counter reads a sum of exactly −1 (in units of the aligned significand's last bit) as
// all ones and renormalises it 27 places short: the result is −2^(e+4) instead of −2^(e−23). Always on in kernel
// runs (as silicon); only the test ABI turns it off. Example: v copied to DEST, then ELWMUL-accumulated with
// v · −1, leaves exactly −1 unit after the first fidelity phase for a negative v whose significand bits 18..0
// are 0…01 (the ops' float32 splits accumulate v · −0.5 twice instead).
void set_minus_one_defect(bool on);
bool minus_one_defect();

// ---- element-wise ------------------------------------------------------------------------------------------------
// Src datum (fp32 bits) → the 19-bit datum the FPU reads.
inline uint32_t src19(uint32_t bits) { return bits >> 13; }
inline bool exp_zero(uint32_t v19) { return (v19 & 0x3FFFF) < 0x400; }

// ELWADD of 19-bit operands: the smaller magnitude is aligned to the larger one's 11-bit significand (rounded
// half up, gone at an exponent gap of 12 or more) before the add. `acc` adds DEST too (dest_accum_en);
// zero_a/zero_b make an operand zero (the zero flag: exponent 0 while flushing is on).
uint32_t elwadd(uint32_t a19, uint32_t b19, uint32_t dst, bool zero_a, bool zero_b, bool acc, bool fp32_dest);
// One ELWMUL fidelity phase (0..3), always accumulating into DEST: phase bit 0 selects SrcA's low 5 significand
// bits instead of its high 5, bit 1 SrcB's low 4 instead of its high 7. A product whose biased exponent sum is
// <= 0 is zero.
uint32_t elwmul(uint32_t a19, uint32_t b19, uint32_t dst, bool zero_a, bool zero_b, int phase, bool fp32_dest);

// ---- sums of products (MVMUL, GAPOOL) ----------------------------------------------------------------------
// DEST += Σ_{i<16} b[i]·a[i] for one fidelity phase: 16 partial products in two groups of 8, each group aligned to
// its largest exponent and summed exactly, then both group sums and DEST go through dest_add.
uint32_t dot16(const uint32_t* a19, const uint32_t* b19, uint32_t dst, int phase, bool fp32_dest);

// ---- max pool (GMPOOL) ---------------------------------------------------------------------------------------
// Max by sign-magnitude order (so NaN above +Inf, −NaN below −Inf); exponent-0 data compare as +0.
int32_t total_order(uint32_t bits);
// The value GMPOOL reads from a DEST row that holds no result yet: below every datum.
constexpr uint32_t kGmpoolEmpty = 0xFFFFFFFFu;

// Fidelity phases a MathFidelity value runs (LoFi 1, HiFi2 2, HiFi3 3, HiFi4 4).
int phase_count(int math_fidelity);

}  // namespace emu::compute::fpu
