// Emulator shadow of api/compute/common_globals.h (ttnn 0.81.1).
//
// Mode A: one host thread runs the whole compute kernel, so UNPACK(), MATH() and PACK() all keep their
// arguments. The kernel-API functions live in namespace ckernel, as in the real headers, and are made visible
// unqualified the way the real build does (chlkc_list.h: `using namespace ckernel;`). Every API function takes
// a defaulted trailing `const emu::Loc&` so errors name the kernel line.
#pragma once

#include <cstdint>

#if __has_include("emu/kernel_prelude.h")
#include "emu/kernel_prelude.h"
#endif
#if __has_include("hostdevcommon/kernel_structs.h")
#include "hostdevcommon/kernel_structs.h"
#endif
#include "emu/compute/api.h"
#include "emu/core.h"

#ifndef ALWI
#define ALWI inline __attribute__((always_inline))
#endif
#ifndef FORCE_INLINE
#define FORCE_INLINE inline __attribute__((always_inline))
#endif
#ifndef tt_l1_ptr
#define tt_l1_ptr
#endif

#define UNPACK(...) __VA_ARGS__
#define MATH(...) __VA_ARGS__
#define PACK(...) __VA_ARGS__

// Legacy `namespace NAMESPACE { void MAIN { ... } }` kernels; the runtime calls chlkc_emu::kernel_main_legacy().
#define NAMESPACE chlkc_emu
#define MAIN kernel_main_legacy()

// Compile-time configuration the JIT normally generates. The kernel builder defines these from the op's
// ComputeConfig; the fallbacks keep a kernel compilable on its own. The runtime takes the numerics
// configuration from emu::compute_config(), never from these macros.
#ifndef DST_ACCUM_MODE
#define DST_ACCUM_MODE false
#endif
#ifndef APPROX
#define APPROX false
#endif
#ifndef MATH_FIDELITY
#define MATH_FIDELITY ckernel::MathFidelity::HiFi4
#endif
#ifndef DST_SYNC_MODE
#define DST_SYNC_MODE ckernel::DstSync::SyncHalf
#endif

namespace ckernel {

// Same enumerators and values as tt-llk's llk_defs.h.
enum class VectorMode : std::uint8_t { None = 0, R = 1, C = 2, RC = 4, RC_custom = 6, Invalid = 0xFF };
enum class ReduceDim : std::uint8_t { REDUCE_ROW, REDUCE_COL, REDUCE_SCALAR };
enum class PoolType : std::uint8_t { SUM, AVG, MAX, MIN };
enum class DataCopyType : std::uint8_t { A2D, B2D };
enum class EltwiseBinaryType : std::uint8_t { ELWMUL, ELWDIV, ELWADD, ELWSUB, ELWLESS };
enum class EltwiseBinaryReuseDestType { NONE = 0, DEST_TO_SRCA = 1, DEST_TO_SRCB = 2 };
enum class DstSync : std::uint8_t { SyncHalf = 0, SyncFull = 1 };
enum class BroadcastType : std::uint8_t { NONE = 0x0, COL = 0x1, ROW = 0x2, SCALAR = 0x3 };
enum class Transpose : std::uint8_t { None = 0, IntraFace = 1, InterFace = 2, Both = 3 };
enum class MathFidelity : std::uint8_t { LoFi = 0, HiFi2 = 2, HiFi3 = 3, HiFi4 = 4 };
enum class SrcOrder : std::uint8_t { Regular = 0, Reverse = 1 };
constexpr bool UnpackToDestEn = true;
constexpr bool UnpackToDestDis = false;

namespace emu_detail {
inline emu::compute::Bcast bcast(BroadcastType b) { return static_cast<emu::compute::Bcast>(b); }
inline emu::compute::Pool pool(PoolType p) { return static_cast<emu::compute::Pool>(p); }
inline emu::compute::RDim rdim(ReduceDim d) { return static_cast<emu::compute::RDim>(d); }
template <EltwiseBinaryType t>
constexpr emu::compute::BinaryOp binop() {
    static_assert(t == EltwiseBinaryType::ELWADD || t == EltwiseBinaryType::ELWSUB || t == EltwiseBinaryType::ELWMUL,
                  "the emulator implements ELWADD, ELWSUB and ELWMUL only");
    return static_cast<emu::compute::BinaryOp>(t);
}
}  // namespace emu_detail

}  // namespace ckernel

using namespace ckernel;

// Calls the emulator knows but does not implement fail at build time, naming themselves (the kernel builder
// reports "emulator: <call> is not implemented"). Dependent on the caller's template arguments so that only
// a kernel that uses the call fails.
namespace emu_unimplemented {
template <auto...>
inline constexpr bool value = false;
template <typename...>
inline constexpr bool type = false;
}  // namespace emu_unimplemented
