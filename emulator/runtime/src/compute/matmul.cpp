// matmul_tiles' MATH step: MVMUL per output face and inner face, every fidelity phase rounding into DEST.
#include "emu/compute/fpu_numerics.h"
#include "emu/compute/numerics.h"

namespace emu::compute {

void matmul_math(const float* in0, const float* in1, float* dst, int math_fidelity, bool fp32_dest) {
    const int phases = fidelity_phases(math_fidelity);
    uint32_t a[16], b[16];
    for (int p = 0; p < phases; ++p)
        for (int r = 0; r < 32; ++r)
            for (int c = 0; c < 32; ++c) {
                uint32_t d = f2u(dst[face_index(r, c)]);
                for (int kf = 0; kf < 2; ++kf) {
                    for (int i = 0; i < 16; ++i) {
                        b[i] = fpu::src19(f2u(in0[face_index(r, kf * 16 + i)]));  // SrcB: a row of in0
                        a[i] = fpu::src19(f2u(in1[face_index(kf * 16 + i, c)]));  // SrcA: a column of in1
                    }
                    d = fpu::dot16(a, b, d, p, fp32_dest);
                }
                dst[face_index(r, c)] = u2f(d);
            }
}

}  // namespace emu::compute
