// reduce_tile's MATH step: GAPOOL/MVMUL sums through the scaler and GMPOOL maxima, face by face as the LLK's
// instruction sequence runs them.
#include <algorithm>

#include "emu/compute/fpu_numerics.h"
#include "emu/compute/numerics.h"

namespace emu::compute {

namespace {

using fpu::src19;

// What MOVD2B reads out of DEST for the next pass: the data's Src precision.
uint32_t movd2b(uint32_t d, bool fp32_dest) { return d & (fp32_dest ? 0xFFFFE000u : 0xFFFF0000u); }

// ELWADD of a zero SrcA and a SrcB datum with the zero flag off: how moves through the FPU write DEST.
uint32_t elwadd_copy(uint32_t src, bool fp32_dest) {
    return fpu::elwadd(0, src19(src), 0, true, false, false, fp32_dest);
}

// GMPOOL's running maximum of a DEST datum and Src data (exponent-0 data compare as +0). A 32-bit DEST is read
// at TF32 precision.
uint32_t gmpool(uint32_t current, const uint32_t* data, int n, bool fp32_dest) {
    uint32_t mx = current == fpu::kGmpoolEmpty ? current : (fp32_dest ? current & 0xFFFFE000u : current);
    for (int i = 0; i < n; ++i) {
        const uint32_t v = (data[i] & 0x7F800000u) ? data[i] : 0u;
        if (fpu::total_order(v) > fpu::total_order(mx)) mx = v;
    }
    return mx;
}

}  // namespace

void reduce_math(int pool, int dim, const float* data, const float* scaler, float* dst, bool had, int math_fidelity,
                 bool fp32_dest) {
    auto bits = [](float f) { return f2u(f); };
    auto at = [&](int r, int c) { return bits(data[face_index(r, c)]); };
    auto scale_of = [&](int r, int c) {  // row 0 of the data's face, at the index along the reduced dimension
        const int face = (r / 16) * 2 + c / 16;
        return bits(scaler[face * 256 + (dim == 0 ? c % 16 : r % 16)]);
    };
    const int phases = fidelity_phases(math_fidelity);
    uint32_t a[16], b[16], col[16];

    if (pool == 2) {  // MAX
        auto start = [&](int i) { return had ? bits(dst[i]) : fpu::kGmpoolEmpty; };
        if (dim == 1) {  // per column: faces (0, fc) then (1, fc) into row 0 of face (0, fc)
            for (int c = 0; c < 32; ++c) {
                uint32_t mx = start(face_index(0, c));
                for (int fr = 0; fr < 2; ++fr) {
                    for (int i = 0; i < 16; ++i) col[i] = at(fr * 16 + i, c);
                    mx = gmpool(mx, col, 16, fp32_dest);
                }
                dst[face_index(0, c)] = u2f(mx);
            }
        } else if (dim == 0) {  // data unpacked transposed: the row maxima form DEST row 0, then an ELWADD transpose
            for (int fr = 0; fr < 2; ++fr) {
                uint32_t v[16];
                for (int k = 0; k < 16; ++k) {
                    const int r = fr * 16 + k;
                    uint32_t mx = start(face_index(fr * 16, k));
                    for (int fc = 0; fc < 2; ++fc) {
                        for (int i = 0; i < 16; ++i) col[i] = at(r, fc * 16 + i);
                        mx = gmpool(mx, col, 16, fp32_dest);
                    }
                    v[k] = elwadd_copy(movd2b(mx, fp32_dest), fp32_dest);
                }
                for (int k = 0; k < 16; ++k) {
                    dst[face_index(fr * 16, k)] = u2f(v[k]);  // row 0 keeps the running maxima
                    dst[face_index(fr * 16 + k, 0)] = u2f(v[k]);
                }
            }
        } else {  // SCALAR: column maxima of all faces in a scratch row, moved to SrcA column 0, pooled again
            uint32_t w[16];
            for (int c = 0; c < 16; ++c) {
                uint32_t mx = fpu::kGmpoolEmpty;
                for (int f = 0; f < 4; ++f) {
                    for (int i = 0; i < 16; ++i) col[i] = bits(data[f * 256 + i * 16 + c]);
                    mx = gmpool(mx, col, 16, fp32_dest);
                }
                const uint32_t moved = movd2b(mx, fp32_dest);
                w[c] = (moved & 0x7F800000u) ? moved : 0u;  // MOVB2A flushes exponent-0 data
            }
            dst[0] = u2f(gmpool(start(0), w, 16, fp32_dest));
        }
        return;
    }

    if (dim == 0) {  // ROW: MVMUL, DEST column 0 += data row (SrcB) · scaler (SrcA column 0); phases outermost
        for (int p = 0; p < phases; ++p)
            for (int r = 0; r < 32; ++r) {
                uint32_t d = bits(dst[face_index(r, 0)]);
                for (int fc = 0; fc < 2; ++fc) {
                    for (int i = 0; i < 16; ++i) {
                        b[i] = src19(at(r, fc * 16 + i));
                        a[i] = src19(scale_of(r, fc * 16 + i));
                    }
                    d = fpu::dot16(a, b, d, p, fp32_dest);
                }
                dst[face_index(r, 0)] = u2f(d);
            }
    } else if (dim == 1) {  // COL: GAPOOL, DEST row 0 += scaler row (SrcB) · data column (SrcA); per face, all phases
        for (int fr = 0; fr < 2; ++fr)
            for (int c = 0; c < 32; ++c) {
                for (int i = 0; i < 16; ++i) {
                    a[i] = src19(at(fr * 16 + i, c));
                    b[i] = src19(scale_of(fr * 16 + i, c));
                }
                uint32_t d = bits(dst[face_index(0, c)]);
                for (int p = 0; p < phases; ++p) d = fpu::dot16(a, b, d, p, fp32_dest);
                dst[face_index(0, c)] = u2f(d);
            }
    } else {  // SCALAR: every face GAPOOLs into a zeroed scratch row; its columns come back as SrcA column 0
        uint32_t scratch[16] = {};
        for (int f = 0; f < 4; ++f)
            for (int c = 0; c < 16; ++c) {
                for (int i = 0; i < 16; ++i) {
                    a[i] = src19(bits(data[f * 256 + i * 16 + c]));
                    b[i] = src19(bits(scaler[f * 256 + i]));
                }
                for (int p = 0; p < phases; ++p) scratch[c] = fpu::dot16(a, b, scratch[c], p, fp32_dest);
            }
        for (int i = 0; i < 16; ++i) {
            a[i] = src19(movd2b(scratch[i], fp32_dest));  // MOVB2A flushes exponent 0: the FPU's zero flag
            b[i] = src19(bits(scaler[i]));
        }
        uint32_t d = bits(dst[0]);
        for (int p = 0; p < phases; ++p) d = fpu::dot16(a, b, d, p, fp32_dest);
        dst[0] = u2f(d);
    }
}

}  // namespace emu::compute
