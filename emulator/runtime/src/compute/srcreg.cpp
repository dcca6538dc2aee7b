// Unpack (L1 → SrcA/SrcB) and the datacopy moves (Src → DEST) of Wormhole's FPU.
#include <utility>

#include "emu/compute/fpu_numerics.h"
#include "emu/compute/numerics.h"

namespace emu::compute {

int fidelity_phases(int math_fidelity) { return fpu::phase_count(math_fidelity); }

float to_src(float v, DataFormat l1_fmt, bool fp32_dest) {
    uint32_t u = f2u(v);
    if (l1_fmt != DataFormat::Float32) return v;     // bf16 lands as is
    if (fp32_dest) return u2f(u & 0xFFFFE000u);      // TF32: truncate, denormals kept
    if ((u & 0x7FFFFFFFu) < 0x800000u) u &= 0x80000000u;  // bf16: denormals to a signed zero, then truncate
    return u2f(u & 0xFFFF0000u);
}

int transposed_index(int i, bool faces, bool within) {
    int fr = row_of(i) / 16, fc = col_of(i) / 16, ir = row_of(i) % 16, ic = col_of(i) % 16;
    if (faces) std::swap(fr, fc);
    if (within) std::swap(ir, ic);
    return face_index(fr * 16 + ir, fc * 16 + ic);
}

float datacopy_a2d(float src, bool fp32_dest) {
    if (!fp32_dest) return u2f(f2u(src) & 0xFFFF0000u);  // MOVA2D, zero flag off: bf16 bits unchanged
    const uint32_t a = fpu::src19(f2u(src));
    return u2f(fpu::elwadd(a, 0, 0, fpu::exp_zero(a), false, false, true));
}

float datacopy_b2d(float src, int bcast, bool src_tf32, bool fp32_dest) {
    if (bcast == 2) return u2f(f2u(src) & (src_tf32 && fp32_dest ? 0xFFFFE000u : 0xFFFF0000u));  // MOVB2D
    return u2f(fpu::elwadd(0, fpu::src19(f2u(src)), 0, true, false, false, fp32_dest));          // 0 + B
}

float mov_to_dest(float src, bool src_tf32, bool keep_zero) {
    const uint32_t u = f2u(src);
    if (!keep_zero && (u & 0x7F800000u) == 0) return 0.0f;
    return u2f(u & (src_tf32 ? 0xFFFFE000u : 0xFFFF0000u));
}

}  // namespace emu::compute
