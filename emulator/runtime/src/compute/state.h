// Per-thread state of one core's compute kernel (mode A: UNPACK, MATH and PACK run in one thread) and the
// checks shared by the compute API implementation files.
#pragma once

#include <cstdarg>
#include <cstdint>
#include <string>

#include "emu/compute/api.h"
#include "emu/compute/numerics.h"
#include "emu/core.h"

namespace emu::compute {

enum class SectionState : uint8_t { Free, Math, Committed, Pack };

// The FPU program (MOP) the last init set up; each FPU op must match it.
struct FpuInit {
    enum class Kind : uint8_t { None, Copy, Binary, Reduce, Tilize, Untilize, PackUntilize, UnaryBcast };
    Kind kind = Kind::None;
    BinaryOp op = BinaryOp::Add;
    Bcast bcast = Bcast::None;
    Pool pool = Pool::Sum;
    RDim dim = RDim::Row;
    bool acc_to_dest = false;
    bool transpose_faces = false;
    bool transpose_within_face = false;
    const char* call = "";
    int line = 0;
};

struct State {
    bool started = false;
    // Formats the unpackers (SrcA, SrcB) and the packer are programmed for, and the CB that set each.
    DataFormat src_fmt[2] = {DataFormat::Invalid, DataFormat::Invalid};
    int src_cb[2] = {-1, -1};
    DataFormat pack_fmt = DataFormat::Invalid;
    int pack_cb = -1;

    // Configuration (from the kernel's ComputeConfig, read at start-up).
    bool fp32_dest = false;
    bool full_sync = false;
    bool approx = false;
    int fidelity = 4;
    uint32_t unpack_to_dest_mask = 0;
    int capacity = 8;     // usable DEST tiles per section
    int num_sections = 2; // SyncHalf: two sections MATH and PACK alternate on; SyncFull: one

    // DEST: sections × slots × tile. A released section reads as zero; `written` tells an accumulation
    // that a slot holds no result yet (a max-reduce then starts from −inf rather than from the zero).
    float dest[2][16][kTileElems] = {};
    bool written[2][16] = {};
    SectionState section[2] = {SectionState::Free, SectionState::Free};
    int math_section = -1;
    int pack_section = -1;
    int next_math = 0;
    int committed[2] = {-1, -1};  // FIFO of committed sections waiting for PACK
    int num_committed = 0;
    bool legacy_dst = false;      // inside acquire_dst()/release_dst(): PACK may read MATH's section

    FpuInit fpu;
    SfpuInit sfpu = SfpuInit::None;
    bool sfpu_approx = false;
    bool sfpu_fp32 = false;
    bool reduce_mask = false;     // packer edge mask set by reduce_init, cleared by reduce_uninit
    RDim reduce_mask_dim = RDim::Row;
    bool pack_untilize_mode = false;

    uint32_t pack_counter[32] = {};  // sequential pack_tile position per CB, reset by cb_push_back
};

State& state();

std::string strf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Checks that stop the kernel with a message saying what is wrong and what to do.
void require_started(const char* call, const Loc& loc);
void require_math_dest(uint32_t idst, const char* call, const Loc& loc);  // MATH owns a section; idst in range
float* math_tile(uint32_t idst);                                          // after require_math_dest
int pack_section_for(const char* call, const Loc& loc);                   // section PACK may read now
void require_dest_index(uint32_t idst, const char* call, const Loc& loc);
void require_no_dest_held(const char* call, const Loc& loc);              // ops that run their own acquire

const char* fmt_name(DataFormat f);
// The CB's format, which must be one the compute path converts (Float16_b or Float32).
DataFormat compute_format(uint32_t cb, const char* call, const Loc& loc);
// The unpacker `which` must be programmed for the CB's format.
void check_src_format(SrcSel which, uint32_t cb, const char* call, const Loc& loc);
void check_pack_format(uint32_t cb, const char* call, const Loc& loc);

// Unpacks tile `itile` of the waited-for front of `cb` into raw values (storage order); fails on poisoned L1.
// faces_read: bit f set when the consumer reads face f (a broadcast operand reads only the faces holding its
// row or column, and generators such as generate_bcast_col_scalar leave the others unwritten).
DataFormat load_front_tile(uint32_t cb, uint32_t itile, float* out, const char* call, const Loc& loc,
                           unsigned faces_read = 0xF);
// True when a datacopy of this CB goes straight to an fp32 DEST (UnpackToDestFp32), bypassing SrcA.
bool unpacks_to_dest(uint32_t cb, DataFormat fmt);
// Value a datacopy (copy_tile, tilize, untilize) leaves in DEST for raw L1 value v of format fmt.
float datacopy_value(float v, DataFormat fmt, bool to_dest);

void note_fpu_init(FpuInit init, const Loc& loc);

}  // namespace emu::compute
