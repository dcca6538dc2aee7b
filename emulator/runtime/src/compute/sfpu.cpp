// SFPU tile ops: sqrt/rsqrt/recip and binop_with_scalar, applied in place to one DEST tile (all four faces).
// Each op needs its own init to be the current SFPU init: the init loads the algorithm constants.
#include "state.h"

namespace emu::compute {

namespace {

const char* sfpu_init_name(SfpuInit k) {
    switch (k) {
        case SfpuInit::SqrtFamily: return "sqrt_tile_init/rsqrt_tile_init";
        case SfpuInit::Recip: return "recip_tile_init";
        case SfpuInit::BinopScalar: return "binop_with_scalar_tile_init";
        default: return "none";
    }
}

void require_sfpu(SfpuInit needed, const char* init_call, const char* call, const Loc& loc) {
    const State& s = state();
    if (s.sfpu != needed)
        fail(call, -1, loc,
             strf("%s without its SFPU init: call %s before it (the current SFPU init is %s); on hardware the op "
                  "would run with another op's constants",
                  call, init_call, sfpu_init_name(s.sfpu)));
}

}  // namespace

void sfpu_init(SfpuInit which, bool approx, bool fp32, const char* call, const Loc& loc) {
    note_call(call, -1, loc);
    require_started(call, loc);
    State& s = state();
    s.sfpu = which;
    s.sfpu_approx = approx;
    s.sfpu_fp32 = fp32;
}

void sqrt_tile(uint32_t idst, bool fast, const char* call, const Loc& loc) {
    note_call(call, -1, loc);
    require_math_dest(idst, call, loc);
    require_sfpu(SfpuInit::SqrtFamily, "sqrt_tile_init()", call, loc);
    State& s = state();
    float* d = math_tile(idst);
    for (int i = 0; i < kTileElems; ++i) d[i] = sfpu_sqrt(d[i], s.sfpu_approx, fast, s.fp32_dest);
}

void rsqrt_tile(uint32_t idst, bool fast, const char* call, const Loc& loc) {
    note_call(call, -1, loc);
    require_math_dest(idst, call, loc);
    require_sfpu(SfpuInit::SqrtFamily, "rsqrt_tile_init()", call, loc);
    State& s = state();
    float* d = math_tile(idst);
    for (int i = 0; i < kTileElems; ++i) d[i] = sfpu_rsqrt(d[i], s.sfpu_approx, fast, s.fp32_dest);
}

void recip_tile(uint32_t idst, bool approx, bool fp32, const char* call, const Loc& loc) {
    note_call(call, -1, loc);
    require_math_dest(idst, call, loc);
    require_sfpu(SfpuInit::Recip, "recip_tile_init()", call, loc);
    State& s = state();
    if (s.sfpu_approx != approx || s.sfpu_fp32 != fp32)
        fail(call, -1, loc,
             strf("recip_tile<%s, %s> does not match the last recip_tile_init<%s, %s>, whose constants are loaded; "
                  "use the same template arguments for the init and the op",
                  fp32 ? "FP32" : "BF16", approx ? "Approximate" : "Precise", s.sfpu_fp32 ? "FP32" : "BF16",
                  s.sfpu_approx ? "Approximate" : "Precise"));
    float* d = math_tile(idst);
    for (int i = 0; i < kTileElems; ++i) d[i] = sfpu_recip(d[i], approx, s.fp32_dest);
}

void binop_scalar_tile(int mode, uint32_t idst, uint32_t param_bits, const char* call, const Loc& loc) {
    note_call(call, -1, loc);
    require_math_dest(idst, call, loc);
    require_sfpu(SfpuInit::BinopScalar, "binop_with_scalar_tile_init()", call, loc);
    State& s = state();
    float* d = math_tile(idst);
    for (int i = 0; i < kTileElems; ++i) d[i] = sfpu_binop_scalar(d[i], ScalarOp(mode), param_bits, s.fp32_dest);
}

}  // namespace emu::compute
