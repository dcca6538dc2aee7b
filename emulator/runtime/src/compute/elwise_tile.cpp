// Element-wise binary FPU ops on whole tiles, with SrcB broadcasts and ELWMUL's fidelity phases.
#include "emu/compute/fpu_numerics.h"
#include "emu/compute/numerics.h"

namespace emu::compute {

int bcast_src_index(int bcast, int i, uint32_t row_idx) {
    switch (bcast) {
        case 1: return face_index(row_of(i), 0);            // COL: B's column 0 (faces 0 and 2)
        case 2: return face_index(int(row_idx), col_of(i)); // ROW: B's row (faces 0 and 1)
        case 3: return 0;                                   // SCALAR: B[0, 0]
        default: return i;
    }
}

void binary_math(int op, int bcast, uint32_t row_idx, const float* a, const float* b, float* dst, bool acc,
                 int math_fidelity, bool fp32_dest) {
    const int phases = op == 0 ? fidelity_phases(math_fidelity) : 1;
    for (int i = 0; i < kTileElems; ++i) {
        const uint32_t va = fpu::src19(f2u(a[i]));
        uint32_t vb = fpu::src19(f2u(b[bcast_src_index(bcast, i, row_idx)]));
        if (op == 3) vb ^= 1u << 18;  // ELWSUB flips SrcB's sign
        const bool za = fpu::exp_zero(va), zb = fpu::exp_zero(vb);
        uint32_t d = f2u(dst[i]);
        if (op == 0)
            for (int p = 0; p < phases; ++p) d = fpu::elwmul(va, vb, d, za, zb, p, fp32_dest);
        else
            d = fpu::elwadd(va, vb, d, za, zb, acc, fp32_dest);
        dst[i] = u2f(d);
    }
}

}  // namespace emu::compute
