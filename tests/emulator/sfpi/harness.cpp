// Test driver for the x86 SFPI layer: reads 4 DEST tiles (fp32 words) from stdin, runs one operation through
// sfpi / TTI_SFP* code (or one of the wheel's ckernel_sfpu algorithms over tile 0, face by face as
// _llk_math_eltwise_sfpu_apply_vector_mode_ does), writes the 4 tiles back to stdout.
// Build: -DDEST_FP32=0|1 -DAPPROX=0|1 with the wheel's compute include list behind emulator/hal/sfpi.
#include <array>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

#include "ckernel.h"
#include "ckernel_defs.h"
#include "ckernel_sfpu.h"
#include "ckernel_sfpu_exp.h"
#include "ckernel_sfpu_recip.h"
#include "ckernel_sfpu_rsqrt.h"
#include "ckernel_sfpu_sqrt.h"
#include "ckernel_sfpu_negative.h"
#include "ckernel_sfpu_sigmoid.h"
#include "ckernel_sfpu_gelu.h"
#include "ckernel_sfpu_erf.h"
#include "ckernel_sfpu_log.h"

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

static void face_loop(void (*fn)()) {
    for (int face = 0; face < 4; face++) {
        fn();
        TTI_SETRWC(p_setrwc::CLR_NONE, p_setrwc::CR_D, 8, 0, 0, p_setrwc::SET_D);
        TTI_SETRWC(p_setrwc::CLR_NONE, p_setrwc::CR_D, 8, 0, 0, p_setrwc::SET_D);
    }
}

static void run(const std::string& op) {
    auto& s = emu::sfpu::state();
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
    } else if (op.rfind("unary:", 0) == 0) {
        std::string u = op.substr(6);
        s.dst_rwc = 0;
        constexpr bool fp32 = DEST_FP32;
        using namespace ckernel::sfpu;
        if (u == "exp") {
            exp_init<APPROX, p_sfpu::kCONST_1_FP16B, false, fp32>();
            face_loop([] { calculate_exponential<APPROX, fp32, false, 8, false>(p_sfpu::kCONST_1_FP16B); });
        } else if (u == "recip") {
            recip_init<APPROX, fp32>();
            face_loop([] { calculate_reciprocal<APPROX, fp32, 8>(); });
        } else if (u == "sqrt") {
            sqrt_init<APPROX>();
            face_loop([] { calculate_sqrt<APPROX, 8, fp32, false>(); });
        } else if (u == "rsqrt") {
            rsqrt_init<APPROX>();
            face_loop([] { calculate_rsqrt<APPROX, 8, fp32, false>(); });
        } else if (u == "neg") {
            face_loop([] { _calculate_negative_<APPROX, 8>(); });
        } else if (u == "sigmoid") {
            sigmoid_init<APPROX>();
            face_loop([] { calculate_sigmoid<APPROX, fp32, 8>(); });
        } else if (u == "gelu") {
            gelu_init<APPROX, fp32>();
            face_loop([] { calculate_gelu<APPROX, fp32>(); });
        } else if (u == "erf") {
            erf_init<APPROX>();
            face_loop([] { calculate_erf<APPROX>(); });
        } else if (u == "log") {
            log_init<APPROX, false, fp32>();
            face_loop([] { calculate_log<APPROX, false, false, fp32>(0); });
        } else {
            emu_sfpu_fail(("unknown unary op " + u).c_str());
        }
    } else {
        emu_sfpu_fail(("unknown op " + op).c_str());
    }
}

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    if (std::fread(g_dest, 4, 4 * kTileWords, stdin) != 4 * kTileWords) return 2;
    run(argv[1]);
    std::fwrite(g_dest, 4, 4 * kTileWords, stdout);
    return 0;
}
