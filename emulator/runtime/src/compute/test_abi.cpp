// C entry points into the compute numerics for the Python unit tests (ctypes), on flat arrays. They run
// the same functions the kernel API uses, without a kernel, CBs or DEST state.
#include <cstdint>

#include "emu/compute/numerics.h"

using namespace emu::compute;

extern "C" {

void emu_test_to_src(const float* in, float* out, int n, int fp32_dest) {
    for (int i = 0; i < n; ++i) out[i] = to_src(in[i], fp32_dest != 0);
}

// mode 0: bf16 ties-away (16-bit DEST), 1: fp32 DEST.
void emu_test_round_to_dest(const double* in, float* out, int n, int fp32_dest) {
    for (int i = 0; i < n; ++i) out[i] = round_to_dest(in[i], fp32_dest != 0);
}

void emu_test_pack_bf16(const float* in, uint16_t* out, int n) {
    for (int i = 0; i < n; ++i) out[i] = pack_bf16(in[i]);
}

// ELWMUL of operands unpacked as TF32 (fp32 DEST): exact sum of the fidelity phases (before DEST rounding).
void emu_test_fidelity_product(const float* a, const float* b, double* out, int n, int math_fidelity) {
    for (int i = 0; i < n; ++i) out[i] = fidelity_product(to_src(a[i]), to_src(b[i]), math_fidelity);
}

// One FPU element-wise op on whole tiles in storage order, as add/sub/mul_tiles[_bcast_*] compute it:
// op 0 mul, 2 add, 3 sub (EltwiseBinaryType numbering); bcast 0 none, 1 col, 2 row, 3 scalar. `dst` holds the
// DEST tile before the op (accumulated into by mul and by add/sub with acc) and receives the result.
void emu_test_binary_tile(const float* a, const float* b, float* dst, int op, int bcast, int row_idx,
                          int math_fidelity, int fp32_dest, int acc_to_dest) {
    float as[kTileElems], bs[kTileElems];
    for (int i = 0; i < kTileElems; ++i) as[i] = to_src(a[i], fp32_dest != 0), bs[i] = to_src(b[i], fp32_dest != 0);
    binary_math(op, bcast, uint32_t(row_idx), as, bs, dst, acc_to_dest != 0, math_fidelity, fp32_dest != 0);
}

// reduce_tile's math on one data tile and one scaler tile (raw values; converted to Src form here).
void emu_test_reduce_tile(const float* data, const float* scaler, float* dst, int pool, int dim, int had,
                          int math_fidelity, int fp32_dest) {
    float ds[kTileElems], ss[kTileElems];
    for (int i = 0; i < kTileElems; ++i) ds[i] = to_src(data[i], fp32_dest != 0), ss[i] = to_src(scaler[i], fp32_dest != 0);
    reduce_math(pool, dim, ds, ss, dst, had != 0, math_fidelity, fp32_dest != 0);
}

// SFPU ops on n values read from DEST: op 0 sqrt, 1 rsqrt, 2 recip.
void emu_test_sfpu(const float* in, float* out, int n, int op, int approx, int fast, int fp32_dest) {
    for (int i = 0; i < n; ++i) {
        if (op == 0) out[i] = sfpu_sqrt(in[i], approx != 0, fast != 0, fp32_dest != 0);
        else if (op == 1) out[i] = sfpu_rsqrt(in[i], approx != 0, fast != 0, fp32_dest != 0);
        else out[i] = sfpu_recip(in[i], approx != 0, fp32_dest != 0);
    }
}

void emu_test_binop_scalar(const float* in, float* out, int n, int mode, uint32_t param_bits, int fp32_dest) {
    for (int i = 0; i < n; ++i) out[i] = sfpu_binop_scalar(in[i], ScalarOp(mode), param_bits, fp32_dest != 0);
}

int emu_test_face_index(int r, int c) { return face_index(r, c); }

}
