// Entry points of the compute kernel API, implemented in the runtime library (src/compute/).
//
// The shadow headers under kernel_api/api/compute/ are thin inline wrappers that forward here with the call
// name and the call-site location. Each function records the call (emu::note_call), checks the compute
// protocol (startup, inits, configured formats, tile_regs, DEST capacity) and stops the kernel with
// emu::fail on a violation. Per-thread state (DEST, sections, formats, current inits) is thread_local.
#pragma once

#include <cstdint>

#include "emu/core.h"

namespace emu::compute {

// Numeric values match ckernel::EltwiseBinaryType / BroadcastType / PoolType / ReduceDim.
enum class BinaryOp : uint8_t { Mul = 0, Add = 2, Sub = 3 };
enum class Bcast : uint8_t { None = 0, Col = 1, Row = 2, Scalar = 3 };
enum class Pool : uint8_t { Sum = 0, Avg = 1, Max = 2, Min = 3 };
enum class RDim : uint8_t { Row = 0, Col = 1, Scalar = 2 };
enum class SrcSel : uint8_t { A, B };

// ---- start-up and formats ---------------------------------------------------------------------------------
void hw_startup(uint32_t icb_a, uint32_t icb_b, uint32_t ocb, const char* call, const Loc& loc);
void reconfig_src(SrcSel which, uint32_t cb, const char* call, const Loc& loc);
void reconfig_pack(uint32_t cb, const char* call, const Loc& loc);

// ---- DEST sync --------------------------------------------------------------------------------------------
void tile_regs_acquire(const char* call, const Loc& loc);
void tile_regs_commit(const char* call, const Loc& loc);
void tile_regs_wait(const char* call, const Loc& loc);
void tile_regs_release(const char* call, const Loc& loc);
void acquire_dst(const char* call, const Loc& loc);  // legacy: acquire for MATH and PACK at once
void release_dst(const char* call, const Loc& loc);  // legacy: commit + release

// ---- copy / datacopy ----------------------------------------------------------------------------------------
void copy_init(uint32_t cb, bool transpose_faces, bool transpose_within_face, const char* call, const Loc& loc);
void copy_tile(uint32_t cb, uint32_t itile, uint32_t idst, const char* call, const Loc& loc);
void unary_bcast_init(Bcast bcast, uint32_t cb, const char* call, const Loc& loc);
void unary_bcast(Bcast bcast, uint32_t cb, uint32_t itile, uint32_t idst, const char* call, const Loc& loc);
void unary_bcast_uninit(Bcast bcast, uint32_t cb, const char* call, const Loc& loc);

// ---- FPU element-wise binary (with SrcB broadcast) --------------------------------------------------------
void binary_init(BinaryOp op, Bcast bcast, uint32_t icb0, uint32_t icb1, bool acc_to_dest, const char* call,
                 const Loc& loc);
void binary_tiles(BinaryOp op, Bcast bcast, uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1,
                  uint32_t idst, uint32_t bcast_row_idx, const char* call, const Loc& loc);

// ---- reduce ----------------------------------------------------------------------------------------------
void reduce_init(Pool pool, RDim dim, uint32_t icb, uint32_t icb_scaler, uint32_t ocb, const char* call,
                 const Loc& loc);
void reduce_tile(Pool pool, RDim dim, uint32_t icb, uint32_t icb_scaler, uint32_t itile, uint32_t itile_scaler,
                 uint32_t idst, const char* call, const Loc& loc);
void reduce_uninit(const char* call, const Loc& loc);

// ---- pack and layout ------------------------------------------------------------------------------------
void pack_init(uint32_t ocb, const char* call, const Loc& loc);
// cb_push_back on the compute side restarts pack_tile's sequential output position for that CB.
void pack_counter_reset(uint32_t cb);
void pack_tile(uint32_t idst, uint32_t ocb, bool out_of_order, uint32_t out_idx, const char* call, const Loc& loc);
void tilize_init(uint32_t icb, uint32_t block, uint32_t ocb, const char* call, const Loc& loc);
void tilize_block(uint32_t icb, uint32_t block, uint32_t ocb, uint32_t in_idx, uint32_t out_idx, const char* call,
                  const Loc& loc);
void tilize_uninit(uint32_t icb, uint32_t ocb, const char* call, const Loc& loc);
void untilize_init(uint32_t icb, const char* call, const Loc& loc);
void untilize_block(uint32_t block_ct_dim, uint32_t icb, uint32_t full_ct_dim, uint32_t ocb, const char* call,
                    const Loc& loc);
void untilize_uninit(uint32_t icb, const char* call, const Loc& loc);
void pack_untilize_init(uint32_t block_ct_dim, uint32_t full_ct_dim, uint32_t icb, uint32_t ocb, const char* call,
                        const Loc& loc);
void pack_untilize_dest_init(uint32_t block_ct_dim, uint32_t full_ct_dim, uint32_t ocb, const char* call,
                             const Loc& loc);
void pack_untilize_block(uint32_t block_ct_dim, uint32_t full_ct_dim, uint32_t icb, uint32_t block_rt_dim,
                         uint32_t ocb, uint32_t block_c_index, const char* call, const Loc& loc);
void pack_untilize_dest(uint32_t block_ct_dim, uint32_t full_ct_dim, uint32_t ocb, uint32_t block_rt_dim,
                        uint32_t block_c_index, uint32_t tile_dst_rt_offset, const char* call, const Loc& loc);
void pack_untilize_uninit(uint32_t ocb, const char* call, const Loc& loc);

// ---- SFPU ------------------------------------------------------------------------------------------------
enum class SfpuInit : uint8_t { None, SqrtFamily, Recip, BinopScalar };
// `approx` is the approximation the init programs; `fp32` (recip only) the DEST width it assumes.
void sfpu_init(SfpuInit which, bool approx, bool fp32, const char* call, const Loc& loc);
void sqrt_tile(uint32_t idst, bool fast, const char* call, const Loc& loc);
void rsqrt_tile(uint32_t idst, bool fast, const char* call, const Loc& loc);
void recip_tile(uint32_t idst, bool approx, bool fp32, const char* call, const Loc& loc);
void binop_scalar_tile(int mode, uint32_t idst, uint32_t param_bits, const char* call, const Loc& loc);

// Whether the current compute config approximates (APPROX); used by the headers' defaults.
bool approx_mode();

// Rejects an API call the emulator does not implement, naming it.
[[noreturn]] void unsupported(const char* call, const Loc& loc);

}  // namespace emu::compute
