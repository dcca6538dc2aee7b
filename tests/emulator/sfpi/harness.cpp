// Test driver for the x86 SFPI layer: reads 4 DEST tiles (fp32 words) from stdin, runs one operation through
// sfpi / TTI_SFP* code (or one of the wheel's ckernel_sfpu algorithms over tile 0, face by face as
// _llk_math_eltwise_sfpu_apply_vector_mode_ does), writes the 4 tiles back to stdout.
// Build: -DDEST_FP32=0|1 -DAPPROX=0|1 with the wheel's compute include list behind emulator/hal/sfpi.
#include <array>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

#include "ckernel.h"
#include "ckernel_defs.h"
#include "ckernel_sfpu.h"
#include "llk_math_eltwise_binary_sfpu_macros.h"
#include "llk_math_eltwise_unary_sfpu_macros.h"
#include "ckernel_sfpu_abs.h"
#include "ckernel_sfpu_binary.h"
#include "ckernel_sfpu_cumsum.h"
#include "ckernel_sfpu_erf.h"
#include "ckernel_sfpu_exp.h"
#include "ckernel_sfpu_gelu.h"
#include "ckernel_sfpu_log.h"
#include "ckernel_sfpu_negative.h"
#include "ckernel_sfpu_recip.h"
#include "ckernel_sfpu_relu.h"
#include "ckernel_sfpu_rsqrt.h"
#include "ckernel_sfpu_sigmoid.h"
#include "ckernel_sfpu_silu.h"
#include "ckernel_sfpu_sqrt.h"
#include "ckernel_sfpu_square.h"
#include "ckernel_sfpu_tanh.h"
#include "ckernel_sfpu_typecast.h"

static uint32_t g_dest[1024 * 16];
extern "C" EmuSfpuDest emu_sfpu_dest(void) { return {g_dest, 1024, DEST_FP32}; }
extern "C" void emu_sfpu_fail(const char* message) {
    std::fprintf(stderr, "SFPU: %s\n", message);
    std::exit(3);
}
volatile uint32_t __instrn_buffer[1];
namespace ckernel {
uint32_t cfg_state_id, dest_offset_id, dbg_event_index, dbg_event_end;
}

using namespace sfpi;

constexpr int kTileWords = 1024;

// Tile t's 32 SFPU row pairs: dst_reg index 32 t + i covers rows 64 t + 2 i (even/odd column halves).
template <typename F>
static void each_row_pair(F f) {
    for (int i = 0; i < 32; i++) f(i);
}


// The wheel's SFPU ops as its compute API issues them (api/compute/*.h): the init and call macros of
// llk_api/llk_sfpu reach the ckernel_sfpu algorithm through _llk_math_eltwise_{unary,binary}_sfpu_params_,
// unmodified. Unary ops work in place on DEST tile 0; binary ones write tile 0 from tiles 0 and 1.
#define SYNC DstSync::SyncHalf
static void run_llk(const std::string& op) {
    using namespace ckernel;
    constexpr bool fp32 = DEST_FP32;
    constexpr bool approx = APPROX;
    if (op == "unary:exp") {
        SFPU_UNARY_INIT_FN(exponential, sfpu::exp_init, (approx, 0x3F800000, true, fp32));
        SFPU_UNARY_CALL(SYNC, fp32, calculate_exponential, (approx, fp32, false, 8, true), 0, VectorMode::RC, p_sfpu::kCONST_1_FP16B);
    } else if (op == "unary:log") {
        SFPU_UNARY_INIT_FN(log, sfpu::log_init, (approx, false, fp32));
        SFPU_UNARY_CALL(SYNC, fp32, calculate_log, (approx, false, false, fp32), 0, VectorMode::RC, 0);
    } else if (op == "unary:gelu") {
        SFPU_UNARY_INIT_FN(gelu, sfpu::gelu_init, (approx, fp32));
        SFPU_UNARY_CALL(SYNC, fp32, calculate_gelu, (approx, fp32), 0, VectorMode::RC);
    } else if (op == "unary:sigmoid") {
        SFPU_UNARY_INIT_FN(sigmoid, sfpu::sigmoid_init, (approx));
        SFPU_UNARY_CALL(SYNC, fp32, calculate_sigmoid, (approx, fp32, 8), 0, VectorMode::RC);
    } else if (op == "unary:tanh") {
        SFPU_UNARY_INIT_FN(tanh, sfpu::tanh_init, (approx, fp32));
        SFPU_UNARY_CALL(SYNC, fp32, calculate_tanh, (approx, fp32, 8), 0, VectorMode::RC);
    } else if (op == "unary:silu") {
        SFPU_UNARY_INIT_FN(silu, sfpu::silu_init, (approx));
        SFPU_UNARY_CALL(SYNC, fp32, calculate_silu, (fp32, 8), 0, VectorMode::RC);
    } else if (op == "unary:recip") {
        SFPU_UNARY_INIT_FN(reciprocal, sfpu::recip_init, (approx, fp32, !approx && !fp32));
        SFPU_UNARY_CALL(SYNC, fp32, calculate_reciprocal, (approx, fp32, 8), 0, VectorMode::RC);
    } else if (op == "unary:sqrt") {
        SFPU_UNARY_INIT_FN(sqrt, sfpu::sqrt_init, (approx));
        SFPU_UNARY_CALL(SYNC, fp32, calculate_sqrt, (approx, 8, fp32, false), 0, VectorMode::RC);
    } else if (op == "unary:rsqrt") {
        SFPU_UNARY_INIT_FN(rsqrt, sfpu::rsqrt_init, (approx));
        SFPU_UNARY_CALL(SYNC, fp32, calculate_rsqrt, (approx, 8, fp32, false), 0, VectorMode::RC);
    } else if (op == "unary:relu") {
        SFPU_UNARY_INIT(relu_min);
        SFPU_UNARY_CALL(SYNC, fp32, _relu_min_, (sfpi::vFloat, approx, 8, uint32_t), 0, VectorMode::RC, 0);
    } else if (op == "unary:abs") {
        SFPU_UNARY_INIT(abs);
        SFPU_UNARY_CALL(SYNC, fp32, calculate_abs, (approx), 0, VectorMode::RC);
    } else if (op == "unary:neg") {
        SFPU_UNARY_INIT(negative);
        SFPU_UNARY_CALL(SYNC, fp32, _calculate_negative_, (approx, 8), 0, VectorMode::RC);
    } else if (op == "unary:square") {
        SFPU_UNARY_INIT(square);
        SFPU_UNARY_CALL(SYNC, fp32, calculate_square, (approx, fp32), 0, VectorMode::RC);
    } else if (op == "unary:erf") {
        SFPU_UNARY_INIT_FN(erf, sfpu::erf_init, (approx));
        SFPU_UNARY_CALL(SYNC, fp32, calculate_erf, (approx), 0, VectorMode::RC);
    } else if (op == "unary:cumsum") {  // SFPTRANSP, REPLAY and SFPADD chains down each column
        SFPU_UNARY_INIT_FN(cumsum, sfpu::cumsum_init, (false));
        SFPU_UNARY_CALL(SYNC, fp32, calculate_cumsum, (false), 0, VectorMode::RC_custom, true);
    } else if (op == "unary:typecast_fp32_int32") {  // SFPEXEXP/SFPIADD condition codes, SFPSHFT, SFPCOMPC
        SFPU_UNARY_INIT(typecast);
        SFPU_UNARY_CALL(SYNC, fp32, calculate_typecast_fp32_to_int32, (approx, 8), 0, VectorMode::RC);
    } else if (op == "unary:typecast_int32_fp32") {  // SFPABS, SFPCAST, SFPSETSGN, SFPADDI under a condition
        SFPU_UNARY_INIT_FN(typecast, sfpu::init_typecast_int32_to_fp32, (approx));
        SFPU_UNARY_CALL(SYNC, fp32, calculate_typecast_int32_to_fp32, (approx, 8), 0, VectorMode::RC);
    } else if (op == "binary:div") {
        SFPU_BINARY_INIT_FN(unused, sfpu::sfpu_binary_init, (approx, BinaryOp::DIV));
        SFPU_BINARY_CALL(SYNC, fp32, calculate_sfpu_binary_div, (approx, BinaryOp::DIV, 8, fp32), 0, 1, 0, VectorMode::RC);
    } else {
        emu_sfpu_fail(("unknown op " + op).c_str());
    }
}

static void run(const std::string& op) {
    if (op == "tti_mad") {  // tile3 = tile0 * tile1 + tile2, one SFPMAD per lane
        each_row_pair([](int i) {
            TT_SFPLOAD(0, 3, 3, 2 * i);
            TT_SFPLOAD(1, 3, 3, 64 + 2 * i);
            TT_SFPLOAD(2, 3, 3, 128 + 2 * i);
            TTI_SFPMAD(0, 1, 2, 3, 0);
            TT_SFPSTORE(3, 3, 3, 192 + 2 * i);
        });
    } else if (op == "sfpi_mad") {  // the same written in sfpi: one fused expression
        each_row_pair([](int i) { dst_reg[96 + i] = vFloat(dst_reg[i]) * vFloat(dst_reg[32 + i]) + vFloat(dst_reg[64 + i]); });
    } else if (op == "sfpi_mul_add") {  // two statements: rounded product, then the add
        each_row_pair([](int i) {
            vFloat p = vFloat(dst_reg[i]) * vFloat(dst_reg[32 + i]);
            dst_reg[96 + i] = p + vFloat(dst_reg[64 + i]);
        });
    } else if (op == "pred") {  // nested predication: tile3 from tile0
        each_row_pair([](int i) {
            vFloat x = dst_reg[i];
            vFloat y = 7.0f;
            v_if(x < 0.0f) { y = -x; }
            v_elseif(x < 1.5f) {
                y = x + 10.0f;
                v_if(x >= 1.0f) { y = 20.0f; }
                v_endif;
            }
            v_else { y = 30.0f; }
            v_endif;
            dst_reg[96 + i] = y;
        });
    } else if (op == "lut8") {
        each_row_pair([](int i) {
            vUInt l0 = vLut8si(0.25f, 0.5f), l1 = vLut8si(-0.125f, 1.0f), l2 = vLut8si(0.0f, 0.75f);
            dst_reg[96 + i] = lut(dst_reg[i], l0, l1, l2);
        });
    } else if (op == "lut16") {
        each_row_pair([](int i) {
            vUInt s01 = vLut16ss(0.5f, 0.25f), i01 = vLut16ii(0.0f, 0.125f);
            vUInt s23 = vLut16ss(-0.75f, 2.0f), i23 = vLut16ii(1.5f, -1.0f);
            vUInt s45 = vLut16ss(0.0625f, 0.0f), i45 = vLut16ii(0.875f, 1.0f);
            dst_reg[96 + i] = lut(dst_reg[i], s01, i01, s23, i23, s45, i45, LutSign::Update);
        });
    } else if (op == "minmax") {  // SFPSWAP min/max through sfpi: tile2 = min, tile3 = max of tiles 0 and 1
        each_row_pair([](int i) {
            vFloat a = dst_reg[i], b = dst_reg[32 + i];
            dst_reg[64 + i] = sfpi::min(a, b);
            dst_reg[96 + i] = sfpi::max(a, b);
        });
    } else if (op == "tti_replay") {  // REPLAY: record while executing, then replay; INCRWC walks DEST
        // tile3 = tile0 * 2 + 1, four row pairs per replayed block.
        TTI_SFPLOADI(p_sfpu::LREG1, sfpi::SFPLOADI_MOD0_FLOATB, 0x4000);  // 2.0
        lltt::record<lltt::Exec>(0, 4);
        TTI_SFPLOAD(p_sfpu::LREG0, 3, 3, 0);
        TTI_SFPMAD(p_sfpu::LREG0, p_sfpu::LREG1, p_sfpu::LCONST_1, p_sfpu::LREG2, 0);
        TTI_SFPSTORE(p_sfpu::LREG2, 3, 3, 192);
        TTI_INCRWC(0, 2, 0, 0);
        for (int i = 1; i < 32; i++) lltt::replay(0, 4);
    } else if (op == "store_bf16") {  // fp32 words from tile0 into a 16-bit DEST (tile3)
        each_row_pair([](int i) {
            TT_SFPLOAD(0, 3, 3, 2 * i);
            TT_SFPSTORE(0, 2, 3, 192 + 2 * i);
        });
    } else if (op == "round_bf16") {
        each_row_pair([](int i) { dst_reg[96 + i] = vFloat(convert<vFloat16b>(vFloat(dst_reg[i]), RoundMode::Nearest)); });
    } else if (op == "cast_int") {  // two's complement int32 words to float
        each_row_pair([](int i) {
            vInt x = dst_reg[i].mode<sfpi::DataLayout::I32>();
            dst_reg[96 + i] = convert<vFloat>(x, RoundMode::Nearest);
        });
    } else if (op.rfind("unary:", 0) == 0 || op.rfind("binary:", 0) == 0) {
        run_llk(op);
    } else {
        emu_sfpu_fail(("unknown op " + op).c_str());
    }
}

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    if (std::fread(g_dest, 4, 4 * kTileWords, stdin) != 4 * kTileWords) return 2;
    // EMU_HARNESS_REPEAT=n runs the op n times and reports the mean time per run on stderr (benchmarks).
    const char* rep = std::getenv("EMU_HARNESS_REPEAT");
    const int n = rep ? std::atoi(rep) : 1;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; i++) run(argv[1]);
    const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    if (rep) std::fprintf(stderr, "us_per_run %.3f\n", us / n);
    std::fwrite(g_dest, 4, 4 * kTileWords, stdout);
    return 0;
}
