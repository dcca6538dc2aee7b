// Compute-kernel state: start-up, format configuration, the tile_regs (DEST section) protocol and the shared
// checks. Mode A: the whole compute kernel runs in one thread, so a wait that could never be satisfied
// (hardware would hang) is reported as an error instead.
#include <cstdlib>

#include "emu/compute/fpu_numerics.h"
#include "state.h"

#include <cstdio>
#include <memory>

namespace emu::compute {

namespace {
thread_local std::unique_ptr<State> t_state;
}

State& state() {
    if (!t_state) t_state = std::make_unique<State>();
    return *t_state;
}

std::string strf(const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

const char* fmt_name(DataFormat f) {
    switch (f) {
        case DataFormat::Float32: return "Float32";
        case DataFormat::Float16: return "Float16";
        case DataFormat::Float16_b: return "Float16_b";
        case DataFormat::Bfp8_b: return "Bfp8_b";
        case DataFormat::Bfp8: return "Bfp8";
        case DataFormat::Bfp4_b: return "Bfp4_b";
        case DataFormat::Tf32: return "Tf32";
        case DataFormat::Int32: return "Int32";
        case DataFormat::UInt32: return "UInt32";
        case DataFormat::UInt16: return "UInt16";
        case DataFormat::UInt8: return "UInt8";
        case DataFormat::Int8: return "Int8";
        case DataFormat::Invalid: return "Invalid";
        default: return "unknown";
    }
}

void require_started(const char* call, const Loc& loc) {
    if (!state().started)
        fail(call, -1, loc,
             strf("%s called before compute_kernel_hw_startup: call compute_kernel_hw_startup(icb0, icb1, ocb) "
                  "once at the start of the compute kernel, before any other compute API call",
                  call));
}

void require_dest_index(uint32_t idst, const char* call, const Loc& loc) {
    State& s = state();
    if (idst >= uint32_t(s.capacity))
        fail(call, -1, loc,
             strf("DEST index %u is out of range: only %d tiles are usable with fp32_dest_acc_en=%s and "
                  "dst_full_sync_en=%s; use DEST indices 0..%d",
                  idst, s.capacity, s.fp32_dest ? "true" : "false", s.full_sync ? "true" : "false",
                  s.capacity - 1));
}

void require_math_dest(uint32_t idst, const char* call, const Loc& loc) {
    require_started(call, loc);
    if (state().math_section < 0)
        fail(call, -1, loc,
             strf("%s writes DEST without tile_regs_acquire: call tile_regs_acquire() before math ops and "
                  "tile_regs_commit() after them",
                  call));
    require_dest_index(idst, call, loc);
}

float* math_tile(uint32_t idst) {
    State& s = state();
    return s.dest[s.math_section][idst];
}

int pack_section_for(const char* call, const Loc& loc) {
    State& s = state();
    if (s.pack_section >= 0) return s.pack_section;
    if (s.legacy_dst && s.math_section >= 0) return s.math_section;
    fail(call, -1, loc,
         strf("%s reads DEST without tile_regs_wait: after tile_regs_commit(), call tile_regs_wait() before "
              "packing and tile_regs_release() after",
              call));
}

void require_no_dest_held(const char* call, const Loc& loc) {
    State& s = state();
    if (s.math_section >= 0 || s.pack_section >= 0)
        fail(call, -1, loc,
             strf("%s acquires and releases DEST itself, but the kernel still holds a DEST section; call it "
                  "outside tile_regs_acquire()/tile_regs_release()",
                  call));
}

DataFormat compute_format(uint32_t cb, const char* call, const Loc& loc) {
    DataFormat f = cb_format(int(cb), loc);
    if (f != DataFormat::Float16_b && f != DataFormat::Float32)
        fail(call, int(cb), loc,
             strf("CB %u has data format %s, which the emulator's compute path does not convert; use Float16_b "
                  "(bfloat16) or Float32 CBs",
                  cb, fmt_name(f)));
    return f;
}

void check_src_format(SrcSel which, uint32_t cb, const char* call, const Loc& loc) {
    State& s = state();
    DataFormat f = compute_format(cb, call, loc);
    int i = which == SrcSel::A ? 0 : 1;
    if (f != s.src_fmt[i]) {
        const char* reg = i == 0 ? "SrcA" : "SrcB";
        fail(call, int(cb), loc,
             strf("CB %u holds %s data but the %s unpacker is configured for %s (set from CB %d); hardware would "
                  "reinterpret the bytes. Call reconfig_data_format_src%c(%u) (or reconfig_data_format) before "
                  "this op",
                  cb, fmt_name(f), reg, fmt_name(s.src_fmt[i]), s.src_cb[i], i == 0 ? 'a' : 'b', cb));
    }
}

void check_pack_format(uint32_t cb, const char* call, const Loc& loc) {
    State& s = state();
    DataFormat f = compute_format(cb, call, loc);
    if (f != s.pack_fmt)
        fail(call, int(cb), loc,
             strf("CB %u holds %s data but the packer is configured for %s (set from CB %d). Call "
                  "pack_reconfig_data_format(%u) before packing into it",
                  cb, fmt_name(f), fmt_name(s.pack_fmt), s.pack_cb, cb));
}

DataFormat load_front_tile(uint32_t cb, uint32_t itile, float* out, const char* call, const Loc& loc,
                           unsigned faces_read) {
    DataFormat f = compute_format(cb, call, loc);
    const uint8_t* p = cb_front_page(int(cb), itile, call, loc);
    const size_t face_bytes = 256 * format_bytes(f);
    for (int face = 0; face < 4; ++face)
        if (((faces_read >> face) & 1u) && is_poisoned(p + face * face_bytes, face_bytes))
            fail(call, int(cb), loc,
                 strf("tile %u of CB %u (face %d) was never written since the op started (uninitialised L1); "
                      "the producer must fill every page before cb_push_back",
                      itile, cb, face));
    for (int i = 0; i < kTileElems; ++i) out[i] = load_datum(f, p, i);
    return f;
}

bool unpacks_to_dest(uint32_t cb, DataFormat fmt) {
    const State& s = state();
    return fmt == DataFormat::Float32 && s.fp32_dest && cb < 32 && ((s.unpack_to_dest_mask >> cb) & 1u);
}

float datacopy_value(float v, DataFormat fmt, bool to_dest) {
    if (to_dest) return v;  // UnpackToDestFp32: the L1 bits as they are
    const bool fp32_dest = state().fp32_dest;
    return datacopy_a2d(to_src(v, fmt, fp32_dest), fp32_dest);
}

void note_fpu_init(FpuInit init, const Loc& loc) {
    init.line = loc.line;
    state().fpu = init;
}

// ---- start-up and reconfiguration ----------------------------------------------------------------------------

void hw_startup(uint32_t icb_a, uint32_t icb_b, uint32_t ocb, const char* call, const Loc& loc) {
    note_call(call, int(icb_a), loc);
    State& s = state();
    const ComputeConfig& cfg = compute_config();
    s.fp32_dest = cfg.fp32_dest_acc_en;
    s.full_sync = cfg.dst_full_sync_en;
    s.approx = cfg.math_approx_mode;
    s.fidelity = cfg.math_fidelity;
    s.unpack_to_dest_mask = cfg.unpack_to_dest_fp32_mask;
    fpu::set_minus_one_defect(true);  // as silicon: kernels must avoid sums of exactly -1 unit themselves
    s.capacity = (s.full_sync ? 16 : 8) / (s.fp32_dest ? 2 : 1);
    s.num_sections = s.full_sync ? 1 : 2;
    s.src_fmt[0] = cb_format(int(icb_a), loc);
    s.src_cb[0] = int(icb_a);
    s.src_fmt[1] = cb_format(int(icb_b), loc);
    s.src_cb[1] = int(icb_b);
    s.pack_fmt = cb_format(int(ocb), loc);
    s.pack_cb = int(ocb);
    s.started = true;
}

void reconfig_src(SrcSel which, uint32_t cb, const char* call, const Loc& loc) {
    note_call(call, int(cb), loc);
    require_started(call, loc);
    int i = which == SrcSel::A ? 0 : 1;
    state().src_fmt[i] = cb_format(int(cb), loc);
    state().src_cb[i] = int(cb);
}

void reconfig_pack(uint32_t cb, const char* call, const Loc& loc) {
    note_call(call, int(cb), loc);
    require_started(call, loc);
    state().pack_fmt = cb_format(int(cb), loc);
    state().pack_cb = int(cb);
}

bool approx_mode() { return compute_config().math_approx_mode; }

[[noreturn]] void unsupported(const char* call, const Loc& loc) {
    note_call(call, -1, loc);
    fail(call, -1, loc,
         strf("%s is not implemented by the emulator; the supported compute API is listed in "
              "emulator/kernel_api/api/compute/",
              call));
}

// ---- tile_regs protocol --------------------------------------------------------------------------------------

void tile_regs_acquire(const char* call, const Loc& loc) {
    note_call(call, -1, loc);
    require_started(call, loc);
    State& s = state();
    if (s.math_section >= 0)
        fail(call, -1, loc,
             "tile_regs_acquire called twice without tile_regs_commit: MATH already holds a DEST section; call "
             "tile_regs_commit() (and let PACK wait/release it) before acquiring again");
    int sec = s.next_math;
    if (s.section[sec] != SectionState::Free)
        fail(call, -1, loc,
             "tile_regs_acquire would wait forever: no DEST section is free because PACK has not released the "
             "committed ones; call tile_regs_wait(), pack, then tile_regs_release() before acquiring again");
    s.section[sec] = SectionState::Math;
    s.math_section = sec;
    s.next_math = (sec + 1) % s.num_sections;
}

void tile_regs_commit(const char* call, const Loc& loc) {
    note_call(call, -1, loc);
    require_started(call, loc);
    State& s = state();
    if (s.math_section < 0)
        fail(call, -1, loc, "tile_regs_commit without tile_regs_acquire: MATH holds no DEST section to hand over");
    s.section[s.math_section] = SectionState::Committed;
    s.committed[s.num_committed++] = s.math_section;
    s.math_section = -1;
}

void tile_regs_wait(const char* call, const Loc& loc) {
    note_call(call, -1, loc);
    require_started(call, loc);
    State& s = state();
    if (s.pack_section >= 0)
        fail(call, -1, loc,
             "tile_regs_wait called twice without tile_regs_release: PACK already holds a DEST section; call "
             "tile_regs_release() first");
    if (s.num_committed == 0)
        fail(call, -1, loc,
             "tile_regs_wait would wait forever: MATH has not committed a DEST section; call tile_regs_commit() "
             "after the math ops and before tile_regs_wait()");
    s.pack_section = s.committed[0];
    s.committed[0] = s.committed[1];
    s.num_committed--;
    s.section[s.pack_section] = SectionState::Pack;
}

void tile_regs_release(const char* call, const Loc& loc) {
    note_call(call, -1, loc);
    require_started(call, loc);
    State& s = state();
    if (s.pack_section < 0)
        fail(call, -1, loc,
             "tile_regs_release without tile_regs_wait: PACK holds no DEST section; call tile_regs_wait() before "
             "packing and releasing");
    // Releasing zeroes the section (ZEROACC), so the next acquire of it reads zeros.
    int sec = s.pack_section;
    for (int t = 0; t < 16; ++t) {
        for (float& v : s.dest[sec][t]) v = 0.0f;
        s.written[sec][t] = false;
    }
    s.section[sec] = SectionState::Free;
    s.pack_section = -1;
}

void acquire_dst(const char* call, const Loc& loc) {
    tile_regs_acquire(call, loc);
    state().legacy_dst = true;
}

void release_dst(const char* call, const Loc& loc) {
    State& s = state();
    if (!s.legacy_dst || s.math_section < 0)
        fail(call, -1, loc, "release_dst without acquire_dst: pair acquire_dst()/release_dst() (or use tile_regs_*)");
    s.legacy_dst = false;
    tile_regs_commit(call, loc);
    tile_regs_wait(call, loc);
    tile_regs_release(call, loc);
}

}  // namespace emu::compute
