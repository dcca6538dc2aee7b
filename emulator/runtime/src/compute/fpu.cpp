// FPU ops: datacopy (copy_tile, unary broadcast), element-wise binary ops with SrcB broadcast and fidelity
// phases, and reduce through the scaler tile (tensix-semantics §2.6, §2.8, §2.9).
#include <algorithm>

#include "state.h"

namespace emu::compute {

namespace {

const char* op_name(BinaryOp op) {
    switch (op) {
        case BinaryOp::Add: return "add";
        case BinaryOp::Sub: return "sub";
        default: return "mul";
    }
}

const char* bcast_name(Bcast b) {
    switch (b) {
        case Bcast::Col: return "COL";
        case Bcast::Row: return "ROW";
        case Bcast::Scalar: return "SCALAR";
        default: return "NONE";
    }
}

std::string init_for(BinaryOp op, Bcast b) {
    static const char* suffix[] = {"", "cols", "rows", "scalar"};
    if (b == Bcast::None) return strf("%s_init(icb0, icb1)", op_name(op));
    return strf("%s_bcast_%s_init(icb0, icb1) (or bcast_init<ELW%s, BroadcastType::%s>)", op_name(op),
                suffix[int(b)], op == BinaryOp::Add ? "ADD" : op == BinaryOp::Sub ? "SUB" : "MUL", bcast_name(b));
}

std::string current_init() {
    const FpuInit& f = state().fpu;
    if (f.kind == FpuInit::Kind::None) return "no FPU init";
    return strf("the current init is %s (line %d)", f.call, f.line);
}

void require_init(bool ok, const std::string& needed, const char* call, const Loc& loc) {
    if (!ok)
        fail(call, -1, loc,
             strf("%s without its matching init: call %s before it; %s. On hardware the op would run the "
                  "previous init's micro-program and give wrong results",
                  call, needed.c_str(), current_init().c_str()));
}

unsigned bcast_faces(Bcast bcast, uint32_t row_idx) {
    switch (bcast) {
        case Bcast::Col: return 0b0101;
        case Bcast::Row: return row_idx < 16 ? 0b0011 : 0b1100;
        case Bcast::Scalar: return 0b0001;
        default: return 0b1111;
    }
}

void load_src(SrcSel which, uint32_t cb, uint32_t itile, float* out, const char* call, const Loc& loc,
              unsigned faces_read = 0xF) {
    check_src_format(which, cb, call, loc);
    const DataFormat fmt = load_front_tile(cb, itile, out, call, loc, faces_read);
    for (int i = 0; i < kTileElems; ++i) out[i] = to_src(out[i], fmt, state().fp32_dest);
}

}  // namespace

// ---- datacopy -------------------------------------------------------------------------------------------------

void copy_init(uint32_t cb, bool transpose_faces, bool transpose_within_face, const char* call, const Loc& loc) {
    note_call(call, int(cb), loc);
    require_started(call, loc);
    FpuInit f;
    f.kind = FpuInit::Kind::Copy;
    f.transpose_faces = transpose_faces;
    f.transpose_within_face = transpose_within_face;
    f.call = call;
    note_fpu_init(f, loc);
}

void copy_tile(uint32_t cb, uint32_t itile, uint32_t idst, const char* call, const Loc& loc) {
    note_call(call, int(cb), loc);
    require_math_dest(idst, call, loc);
    State& s = state();
    require_init(s.fpu.kind == FpuInit::Kind::Copy, "copy_init(cb)", call, loc);
    check_src_format(SrcSel::A, cb, call, loc);
    float raw[kTileElems];
    DataFormat f = load_front_tile(cb, itile, raw, call, loc);
    const bool direct = unpacks_to_dest(cb, f);
    float* d = math_tile(idst);
    for (int i = 0; i < kTileElems; ++i) d[i] = datacopy_value(raw[i], f, direct);
    if (s.fpu.transpose_faces || s.fpu.transpose_within_face) {
        float tmp[kTileElems];
        for (int i = 0; i < kTileElems; ++i)
            tmp[i] = d[transposed_index(i, s.fpu.transpose_faces, s.fpu.transpose_within_face)];
        std::copy(tmp, tmp + kTileElems, d);
    }
    s.written[s.math_section][idst] = true;
}

void unary_bcast_init(Bcast bcast, uint32_t cb, const char* call, const Loc& loc) {
    note_call(call, int(cb), loc);
    require_started(call, loc);
    FpuInit f;
    f.kind = FpuInit::Kind::UnaryBcast;
    f.bcast = bcast;
    f.call = call;
    note_fpu_init(f, loc);
}

void unary_bcast(Bcast bcast, uint32_t cb, uint32_t itile, uint32_t idst, const char* call, const Loc& loc) {
    note_call(call, int(cb), loc);
    require_math_dest(idst, call, loc);
    State& s = state();
    require_init(s.fpu.kind == FpuInit::Kind::UnaryBcast && s.fpu.bcast == bcast,
                 strf("unary_bcast_init<BroadcastType::%s>(cb)", bcast_name(bcast)), call, loc);
    // 32-bit data goes through SrcA straight to DEST; 16-bit data through SrcB (B2D) with the broadcast: MOVB2D
    // for ROW, an ELWADD onto a zero SrcA for COL and SCALAR.
    DataFormat fmt = compute_format(cb, call, loc);
    const bool wide = fmt == DataFormat::Float32;
    check_src_format(wide ? SrcSel::A : SrcSel::B, cb, call, loc);
    float raw[kTileElems];
    load_front_tile(cb, itile, raw, call, loc, bcast_faces(bcast, 0));
    float* d = math_tile(idst);
    for (int i = 0; i < kTileElems; ++i) {
        float v = raw[bcast_src_index(int(bcast), i, 0)];
        d[i] = wide && s.fp32_dest ? v : datacopy_b2d(to_src(v, fmt, s.fp32_dest), int(bcast), false, s.fp32_dest);
    }
    s.written[s.math_section][idst] = true;
}

void unary_bcast_uninit(Bcast bcast, uint32_t cb, const char* call, const Loc& loc) {
    note_call(call, int(cb), loc);
    require_started(call, loc);
    (void)bcast;
    state().fpu = FpuInit{};
}

// ---- element-wise binary --------------------------------------------------------------------------------------

void binary_init(BinaryOp op, Bcast bcast, uint32_t icb0, uint32_t icb1, bool acc_to_dest, const char* call,
                 const Loc& loc) {
    note_call(call, int(icb0), loc);
    require_started(call, loc);
    (void)icb1;
    FpuInit f;
    f.kind = FpuInit::Kind::Binary;
    f.op = op;
    f.bcast = bcast;
    f.acc_to_dest = acc_to_dest && op != BinaryOp::Mul;  // ELWMUL always accumulates; the flag is unused
    f.call = call;
    note_fpu_init(f, loc);
}

void binary_tiles(BinaryOp op, Bcast bcast, uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1,
                  uint32_t idst, uint32_t bcast_row_idx, const char* call, const Loc& loc) {
    note_call(call, int(icb0), loc);
    require_math_dest(idst, call, loc);
    State& s = state();
    require_init(s.fpu.kind == FpuInit::Kind::Binary && s.fpu.op == op && s.fpu.bcast == bcast, init_for(op, bcast),
                 call, loc);
    if (bcast == Bcast::Row && bcast_row_idx >= 32)
        fail(call, int(icb1), loc, strf("bcast_row_idx %u is outside the tile (0..31)", bcast_row_idx));
    float a[kTileElems], b[kTileElems];
    load_src(SrcSel::A, icb0, itile0, a, call, loc);
    load_src(SrcSel::B, icb1, itile1, b, call, loc, bcast_faces(bcast, bcast_row_idx));
    binary_math(int(op), int(bcast), bcast_row_idx, a, b, math_tile(idst), s.fpu.acc_to_dest, s.fidelity,
                s.fp32_dest);
    s.written[s.math_section][idst] = true;
}

// ---- reduce ----------------------------------------------------------------------------------------------------

void reduce_init(Pool pool, RDim dim, uint32_t icb, uint32_t icb_scaler, uint32_t ocb, const char* call,
                 const Loc& loc) {
    note_call(call, int(icb), loc);
    require_started(call, loc);
    (void)icb_scaler;
    (void)ocb;
    if (pool == Pool::Min) unsupported("reduce_init<PoolType::MIN>", loc);
    FpuInit f;
    f.kind = FpuInit::Kind::Reduce;
    f.pool = pool;
    f.dim = dim;
    f.call = call;
    note_fpu_init(f, loc);
    State& s = state();
    s.reduce_mask = true;
    s.reduce_mask_dim = dim;
}

void reduce_uninit(const char* call, const Loc& loc) {
    note_call(call, -1, loc);
    require_started(call, loc);
    state().reduce_mask = false;
}

void reduce_tile(Pool pool, RDim dim, uint32_t icb, uint32_t icb_scaler, uint32_t itile, uint32_t itile_scaler,
                 uint32_t idst, const char* call, const Loc& loc) {
    note_call(call, int(icb), loc);
    require_math_dest(idst, call, loc);
    State& s = state();
    static const char* pool_names[] = {"SUM", "AVG", "MAX", "MIN"};
    static const char* dim_names[] = {"REDUCE_ROW", "REDUCE_COL", "REDUCE_SCALAR"};
    require_init(s.fpu.kind == FpuInit::Kind::Reduce && s.fpu.pool == pool && s.fpu.dim == dim,
                 strf("reduce_init<PoolType::%s, ReduceDim::%s>(icb, icb_scaler, ocb)", pool_names[int(pool)],
                      dim_names[int(dim)]),
                 call, loc);
    // REDUCE_ROW SUM/AVG swaps operands: the scaler goes through SrcA and the data through SrcB.
    const bool swapped = dim == RDim::Row && pool != Pool::Max;
    float data[kTileElems], scaler[kTileElems];
    load_src(swapped ? SrcSel::B : SrcSel::A, icb, itile, data, call, loc);
    load_src(swapped ? SrcSel::A : SrcSel::B, icb_scaler, itile_scaler, scaler, call, loc);
    reduce_math(int(pool), int(dim), data, scaler, math_tile(idst), s.written[s.math_section][idst], s.fidelity,
                s.fp32_dest);
    s.written[s.math_section][idst] = true;
}

}  // namespace emu::compute
