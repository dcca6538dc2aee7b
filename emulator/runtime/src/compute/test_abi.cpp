// C entry points into the compute numerics for the Python unit tests (ctypes), on flat arrays of fp32 bit
// patterns. They run the same functions the kernel API uses, without a kernel, CBs or DEST state.
// Formats: 0 Float16_b (values already bf16), 1 Float32.
#include <cstdint>

#include "emu/compute/fpu_numerics.h"
#include "emu/compute/numerics.h"

using namespace emu::compute;
using emu::DataFormat;

namespace {
DataFormat fmt_of(int f) { return f ? DataFormat::Float32 : DataFormat::Float16_b; }
void unpack(const float* in, float* out, int n, int fmt, int fp32_dest) {
    for (int i = 0; i < n; ++i) out[i] = to_src(in[i], fmt_of(fmt), fp32_dest != 0);
}
}  // namespace

extern "C" {

void emu_test_to_src(const float* in, float* out, int n, int fmt, int fp32_dest) { unpack(in, out, n, fmt, fp32_dest); }

void emu_test_pack_bf16(const float* in, uint16_t* out, int n) {
    for (int i = 0; i < n; ++i) out[i] = pack_bf16(in[i]);
}

void emu_test_pack_fp32(const float* in, uint32_t* out, int n, int fp32_dest) {
    for (int i = 0; i < n; ++i) out[i] = pack_fp32(in[i], fp32_dest != 0);
}

// copy_tile's DEST value (not UnpackToDestFp32).
void emu_test_datacopy(const float* in, float* out, int n, int fmt, int fp32_dest) {
    for (int i = 0; i < n; ++i) out[i] = datacopy_a2d(to_src(in[i], fmt_of(fmt), fp32_dest != 0), fp32_dest != 0);
}

// transpose_wh_tile: fp32 data into an fp32 DEST goes straight to DEST and is transposed there (transpose_dest,
// all 32 bits kept); otherwise the tile is unpacked transposed (faces swapped, each face transposed) and copied.
void emu_test_transpose(const float* in, float* out, int fmt, int fp32_dest) {
    const bool exact = fmt_of(fmt) == DataFormat::Float32 && fp32_dest != 0;
    for (int i = 0; i < kTileElems; ++i) {
        const float v = in[transposed_index(i, true, true)];
        out[i] = exact ? v : datacopy_a2d(to_src(v, fmt_of(fmt), fp32_dest != 0), fp32_dest != 0);
    }
}

// One FPU element-wise op on whole tiles in storage order, as add/sub/mul_tiles[_bcast_*] compute it:
// op 0 mul, 2 add, 3 sub (EltwiseBinaryType numbering); bcast 0 none, 1 col, 2 row, 3 scalar. `dst` holds the
// DEST tile before the op (accumulated into by mul and by add/sub with acc) and receives the result.
void emu_test_binary_tile(const float* a, const float* b, float* dst, int op, int bcast, int row_idx, int fmt_a,
                          int fmt_b, int math_fidelity, int fp32_dest, int acc_to_dest) {
    float as[kTileElems], bs[kTileElems];
    unpack(a, as, kTileElems, fmt_a, fp32_dest);
    unpack(b, bs, kTileElems, fmt_b, fp32_dest);
    binary_math(op, bcast, uint32_t(row_idx), as, bs, dst, acc_to_dest != 0, math_fidelity, fp32_dest != 0);
}

// reduce_tile's math on one data tile and one scaler tile (raw L1 values; unpacked here).
void emu_test_reduce_tile(const float* data, const float* scaler, float* dst, int pool, int dim, int had, int fmt,
                          int math_fidelity, int fp32_dest) {
    float ds[kTileElems], ss[kTileElems];
    unpack(data, ds, kTileElems, fmt, fp32_dest);
    unpack(scaler, ss, kTileElems, 0, fp32_dest);
    reduce_math(pool, dim, ds, ss, dst, had != 0, math_fidelity, fp32_dest != 0);
}

// matmul_tiles' math: dst += in0 · in1.
void emu_test_matmul_tile(const float* in0, const float* in1, float* dst, int fmt, int math_fidelity, int fp32_dest) {
    float a[kTileElems], b[kTileElems];
    unpack(in0, a, kTileElems, fmt, fp32_dest);
    unpack(in1, b, kTileElems, fmt, fp32_dest);
    matmul_math(a, b, dst, math_fidelity, fp32_dest != 0);
}

// The DEST adder on one term and a DEST value (fp32 bits).
uint32_t emu_test_dest_add(uint32_t sign, int32_t exp, uint32_t man, uint32_t dst, int fp32_dest) {
    return fpu::dest_add(fpu::Term{sign, exp, man}, fpu::Term{}, dst, fp32_dest != 0);
}

void emu_test_set_minus_one_defect(int on) { fpu::set_minus_one_defect(on != 0); }

// SFPU ops on n values read from DEST: op 0 sqrt, 1 rsqrt, 2 recip.
int emu_test_face_index(int r, int c) { return face_index(r, c); }

}
