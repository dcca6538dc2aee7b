// Core interface of the emulator runtime, shared by the kernel-API shadow headers and the runtime library.
//
// Kernels are compiled by host g++ into shared objects that link against libtensix_emu.so. Every API call a
// kernel makes lands in the runtime through the functions declared here, carrying the call-site location so
// that every protocol error can name the kernel file, line, core, CB and call.
#pragma once

#include <cstdint>
#include <cstddef>
#include <string>

namespace emu {

// tt::DataFormat numbering (tt_metal/hw/inc/.../tensix_types.h); only the formats the emulator converts.
enum class DataFormat : uint8_t {
    Float32 = 0,
    Float16 = 1,
    Bfp8 = 2,
    Bfp4 = 3,
    Tf32 = 4,
    Float16_b = 5,
    Bfp8_b = 6,
    Bfp4_b = 7,
    Int32 = 8,
    UInt16 = 9,
    Int8 = 14,
    UInt32 = 24,
    UInt8 = 30,
    Invalid = 0xff,
};

const char* format_name(DataFormat f);
uint32_t format_bytes(DataFormat f);  // bytes per datum; 0 for block formats

// Call-site location, filled in by default arguments of the shadow API functions.
struct Loc {
    const char* file;
    int line;
    static constexpr Loc here(const char* f = __builtin_FILE(), int l = __builtin_LINE()) { return {f, l}; }
};

// Which hardware thread of the core a kernel thread models.
enum class Role : uint8_t { Reader /*BRISC*/, Writer /*NCRISC*/, Compute /*TRISC0..2*/ };

// Thrown to unwind a kernel thread once the op has failed; never caught by kernel code.
struct Abort {};

// Records a protocol violation for the current thread and unwinds it. `cb` < 0 when no CB is involved.
[[noreturn]] void fail(const char* call, int cb, const Loc& loc, const std::string& message);

// ---- per-thread context --------------------------------------------------------------------------------
uint32_t core_x();  // logical core coordinates of the calling kernel thread
uint32_t core_y();
Role role();
const char* kernel_path();

uint32_t runtime_arg(uint32_t index, const Loc& loc);         // get_arg_val, bounds-checked
uint32_t common_runtime_arg(uint32_t index, const Loc& loc);  // get_common_arg_val, bounds-checked
// get_arg_addr / get_common_arg_addr: L1 address of an argument. The lists live in the core's L1 (below the CB
// region, as the kernel-config ring does on hardware); an index may be at most one past the end.
uint32_t runtime_arg_addr(uint32_t index, const Loc& loc);
uint32_t common_runtime_arg_addr(uint32_t index, const Loc& loc);

// Marks forward progress and the call the thread is in; used by the deadlock/livelock report.
void note_call(const char* call, int cb, const Loc& loc);
// Records a non-blocking query (cb_pages_available_at_front, ...) without counting it as progress, so a kernel
// that polls for something no thread will ever do is reported as hung.
void note_poll(const char* call, int cb, const Loc& loc);

// ---- circular buffers (exact hardware semantics; blocking calls wait on the other threads) ------------
void cb_reserve_back(int cb, uint32_t pages, const Loc& loc);
void cb_push_back(int cb, uint32_t pages, const Loc& loc);
void cb_wait_front(int cb, uint32_t pages, const Loc& loc);
void cb_pop_front(int cb, uint32_t pages, const Loc& loc);
bool cb_pages_reservable_at_back(int cb, uint32_t pages, const Loc& loc);
bool cb_pages_available_at_front(int cb, uint32_t pages, const Loc& loc);
uint32_t cb_write_ptr(int cb, const Loc& loc);  // L1 byte address (a host address below 4 GiB)
uint32_t cb_read_ptr(int cb, const Loc& loc);
uint32_t cb_page_size(int cb, const Loc& loc);
uint32_t cb_num_pages(int cb, const Loc& loc);
DataFormat cb_format(int cb, const Loc& loc);

// For the compute API: host pointer to page `index` of the front window (checked against what was waited
// for and against the FIFO end) and of the reserved back window (checked against what was reserved).
uint8_t* cb_front_page(int cb, uint32_t index, const char* call, const Loc& loc);
uint8_t* cb_back_page(int cb, uint32_t index, const char* call, const Loc& loc);

// True if `bytes` at `p` still hold the L1 poison pattern (never written since the op started).
bool is_poisoned(const void* p, size_t bytes);

// ---- compute configuration of the current core's compute kernel --------------------------------------
struct ComputeConfig {
    int math_fidelity = 4;  // 0 LoFi, 2 HiFi2, 3 HiFi3, 4 HiFi4 (tt MathFidelity values)
    bool fp32_dest_acc_en = false;
    bool math_approx_mode = false;
    bool dst_full_sync_en = false;
    uint32_t unpack_to_dest_fp32_mask = 0;  // bit i: CB i uses UnpackToDestFp32
};
const ComputeConfig& compute_config();

// ---- L1 / NoC ------------------------------------------------------------------------------------------
uint32_t l1_base();  // host address of L1 offset 0 of the calling core
uint32_t l1_size();
// NoC address encoding: ((y << 6 | x) << 36) | addr. Workers sit at (x + 1, y + 1); DRAM bank b at (0, b).
constexpr uint64_t noc_encode(uint32_t nx, uint32_t ny, uint64_t addr) {
    return (uint64_t((ny << 6) | nx) << 36) | (addr & ((1ull << 36) - 1));
}
uint32_t noc_x(uint32_t logical_x);  // NoC coordinates of a worker core
uint32_t noc_y(uint32_t logical_y);
uint64_t dram_bank_noc_addr(uint32_t bank, uint32_t addr);  // NoC address of `addr` in DRAM bank `bank`
uint32_t num_dram_banks();
uint64_t l1_bank_noc_addr(uint32_t bank, uint32_t addr);  // NoC address of `addr` in L1 bank `bank`
uint32_t num_l1_banks();
// Transfers are queued and performed at the matching barrier (hardware gives no guarantee before it).
void noc_read(uint64_t src_noc_addr, uint32_t dst_l1, uint32_t bytes, const Loc& loc);
void noc_write(uint32_t src_l1, uint64_t dst_noc_addr, uint32_t bytes, const Loc& loc);
void noc_write_zeros(uint32_t dst_l1, uint32_t bytes, const Loc& loc);
void noc_read_barrier(const Loc& loc);
void noc_write_barrier(const Loc& loc);
const uint8_t* my_x_array();  // NoC x of this core, per NoC (my_x[noc])
const uint8_t* my_y_array();
uint8_t noc_index();  // 0 for RISCV_0 / reader, 1 for RISCV_1 / writer, as configured
void dprint(const std::string& text);
}  // namespace emu
