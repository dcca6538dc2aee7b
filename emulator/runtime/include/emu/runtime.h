// Internal state of the emulated device: cores with L1 arenas, circular buffers, DRAM banks, kernel threads.
// Only the runtime's own sources include this; kernels see emu/core.h through the shadow API headers.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "emu/core.h"

namespace emu {

constexpr uint32_t kNumCBs = 32;
// The cores' L1 arenas sit Device::l1_stride apart in one reservation below 4 GiB (kernels hold L1 addresses in 32
// bits), after one arena of pure guard; all but each L1 itself is PROT_NONE, so a stray pointer up to kL1Guard
// past the end of a core's L1 or before its start faults (and is reported) instead of writing another core's L1.
// 64 cores take 65 x 34 MiB = 2.2 GiB. Only where a grid cannot fit below 4 GiB that way is the guard smaller.
constexpr uint64_t kL1Guard = 32ull << 20;
// Lowest address of the reservation: the first 16 MiB are left to whatever a non-PIE host binary maps there.
constexpr uintptr_t kLowMapFloor = 16u << 20;
// Where the per-core hardware blocks (hal.cpp) go, 2.75 GiB, as the runtime-argument pages (program.cpp) go to
// windows from 2.25 GiB: above the L1 of an 8x8 grid (16 MiB..2.2 GiB), and kept for the process's life, so that a
// device reopened with another grid finds its reservation's hole whole again.
constexpr uintptr_t kCoreHardwareWindow = 0xB0000000u;
// Maps `bytes` at the lowest free 16 MiB-aligned address from `from` up to 4 GiB (MAP_FIXED_NOREPLACE); null if
// nothing there is free.
void* map_below_4gib(size_t bytes, uintptr_t from, int prot);
constexpr uint32_t kL1Alignment = 16;           // NOC_L1_READ_ALIGNMENT_BYTES
constexpr uint32_t kDramAlignment = 32;         // NOC_DRAM_READ_ALIGNMENT_BYTES (Wormhole)
constexpr uint32_t kPoisonWord = 0x7fbf7fbfu;   // a NaN in both bf16 halves and as fp32
// Runtime-argument lists in L1 (below the CB region): per kernel role a block of kArgsStride bytes at
// kArgsBase + role * kArgsStride, the per-core list first and the common list kCommonArgsOffset further on.
constexpr uint32_t kArgsBase = 0x1000;
constexpr uint32_t kArgsStride = 0x2000;
constexpr uint32_t kCommonArgsOffset = 0x1000;
constexpr uint32_t kMaxArgs = kCommonArgsOffset / 4;

struct Thread;

// One circular buffer index on one core. Counters are the hardware's 16-bit wrapping registers.
struct CB {
    bool configured = false;
    uint32_t fifo_addr = 0, fifo_size = 0, page_size = 0, num_pages = 0;
    uint32_t rd_ptr = 0, wr_ptr = 0;
    uint16_t received = 0, acked = 0;
    DataFormat format = DataFormat::Invalid;
    // Protocol bookkeeping (not hardware state): windows opened by reserve/wait, owning threads.
    uint32_t reserved = 0;  // pages reserved at the back and not yet pushed
    uint32_t waited = 0;    // pages waited for at the front and not yet popped
    const Thread* producer = nullptr;
    const Thread* consumer = nullptr;
    uint32_t occupied() const { return uint16_t(received - acked); }
};

struct Core;

// A pending NoC transfer, performed only when its barrier (or flush) is reached.
struct Transfer {
    uint8_t* dst;
    const uint8_t* src;
    uint32_t bytes;
    uint32_t l1_addr;  // the local L1 side, for CB-region hazard checks
    Loc loc;
};

enum class ThreadState : uint8_t { Running, Blocked, Done, Failed };

struct KernelInstance {
    Role role = Role::Reader;
    std::string so_path, kernel_path;
    std::vector<uint32_t> args, common_args;
    ComputeConfig compute;
    uint8_t noc = 0;
};

struct Thread {
    Core* core = nullptr;
    KernelInstance kernel;
    void* handle = nullptr;
    void (*entry)() = nullptr;
    ThreadState state = ThreadState::Running;
    // What the thread is doing now, for the deadlock / livelock report.
    const char* call = "start";
    int call_cb = -1;
    Loc call_loc{"", 0};
    uint32_t call_pages = 0;
    uint64_t seen_epoch = 0;  // core epoch at which this blocked thread last found its condition false
    std::vector<Transfer> pending_reads, pending_writes;
    std::array<uint8_t, 2> my_x{}, my_y{};
    uint32_t args_l1 = 0, common_args_l1 = 0;  // L1 addresses of the argument lists (get_arg_addr)
};

struct Core {
    uint32_t x = 0, y = 0, index = 0;
    uint8_t* l1 = nullptr;  // host pointer == L1 address (below 4 GiB)
    std::array<CB, kNumCBs> cbs{};
    std::vector<std::unique_ptr<Thread>> threads;
    std::mutex mu;
    std::condition_variable cv;
    int alive = 0, blocked = 0;
    uint64_t epoch = 0;  // bumped by every CB state change, under mu
};

struct Device {
    uint32_t grid_x = 8, grid_y = 8;
    uint32_t l1_size = 1499136, cb_base = 102400;
    uint32_t num_dram_banks = 12;
    uint64_t dram_bank_size = 1ull << 30;
    // L1-interleaved buffers, as the host allocator laid them out (emulator/device_info.py): bank b lives on
    // worker core l1_bank_core[b]; CBs may not grow past the lowest L1 buffer address (l1_buffer_floor).
    std::vector<std::pair<uint32_t, uint32_t>> l1_bank_core;
    uint32_t l1_buffer_floor = 1499136;
    uint8_t* l1_region = nullptr;  // core 0's L1; core i's is l1_stride * i further on
    uint64_t l1_stride = 0;
    uint8_t* l1_reservation = nullptr;  // l1_region less one stride of guard, l1_reservation_bytes long
    size_t l1_reservation_bytes = 0;
    std::vector<uint8_t*> dram;
    std::vector<std::unique_ptr<Core>> cores;  // index = y * grid_x + x
    Core* core(uint32_t x, uint32_t y) { return cores.at(y * grid_x + x).get(); }
};

Device& device();
Thread* current_thread();  // null outside kernel threads

// Op-wide failure state: the first error wins; every thread unwinds at its next API call or wait.
struct OpStatus {
    std::mutex mu;
    std::atomic<bool> aborted{false};
    int code = 0;  // 0 ok, 1 protocol error, 2 deadlock / no progress
    std::string message;
    std::atomic<uint64_t> progress{0};
};
OpStatus& op_status();
void record_failure(int code, const std::string& message);
[[noreturn]] void unwind();

std::string describe_thread(const Thread& t);
std::string describe_cbs(const Core& core);
std::string where(const Thread* t, const char* call, int cb, const Loc& loc);

// Kernels built against the wheel's headers (TTNN_EMULATOR_API=wheel) carry no call-site arguments: where such a
// thread is comes from symbolizing its stack against the kernel object's line tables.
bool wheel_built(const Thread& t);
const char* risc_of(const Thread& t);  // brisc, ncrisc, trisc0..2
const char* risc_label(const Thread& t);  // "reader (BRISC)", "compute (TRISC1, math)", ...
struct KernelSite {
    bool symbolized = false;
    std::string kernel_file;  // the kernel source's file name, and the innermost line in it (0: none)
    int line = 0;
    std::string api_call, api_loc;  // the innermost wheel call above the emulator's shadows, and its header line
};
KernelSite kernel_site(const Thread& t, const std::vector<void*>& stack);  // return addresses
std::string where_now(const Thread& t);       // "at <kernel>:<line>, in <call> (<header>:<line>)"
std::string where_at(const Thread& t, void* pc);

uint8_t* noc_resolve(uint64_t noc_addr, uint32_t bytes, const char* call, const Loc& loc, bool* is_dram);
void noc_flush_reads(Thread& t);
void noc_flush_writes(Thread& t);
// Fails (naming the first outstanding transfer) if the thread still has NoC transfers in flight: called when a
// kernel returns, where hardware's firmware asserts (under the watcher) that the NoC is idle.
void noc_require_idle(Thread& t);

}  // namespace emu
