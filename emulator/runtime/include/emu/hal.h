// The emulator's hardware layer as the wheel's own device headers see it (TTNN_EMULATOR_API=wheel).
//
// Our shadows of the lowest wheel headers (risc_common.h, cache.h, stream_io_map.h, noc_nonblocking_api.h) and
// the firmware glue call these C functions instead of touching registers. Everything above them -- dataflow_api.h,
// noc.h, TensorAccessor, the compute API -- is the wheel's unmodified code. L1 addresses are host addresses below
// 4 GiB (each core's L1 arena lives in one low reservation), so the uint32_t pointers kernels cast dereference directly.
#pragma once

#include <cstdint>

namespace emu::hal {
// Per-core hardware beside L1 (one low block per core, below 4 GiB like L1 so that kernels' uint32_t addresses
// reach it): the overlay's 64 streams x 4 KiB of registers -- the CB page counters behind cb_push_back /
// cb_pop_front live in stream N's registers for CB N -- then the Tensix engine state the three TRISCs share
// (semaphores, source registers, DEST).
constexpr uint32_t kNumStreams = 64;
constexpr uint32_t kStreamRegSpace = 0x1000;
constexpr uint32_t kTensixStateOffset = kNumStreams * kStreamRegSpace;
constexpr uint32_t kTensixStateSize = 0x20000;
constexpr uint32_t kCoreHardwareSize = kTensixStateOffset + kTensixStateSize;
// The program's semaphores sit in L1's firmware-reserved region (below the CBs), one 16-byte slot per id, as the
// kernel-config ring holds them on silicon.
constexpr uint32_t kSemaphoreL1Offset = 0x8000;
constexpr uint32_t kMaxSemaphores = 16;

// RISC ids of one Tensix core, the order of tt-metal's processor index.
enum Risc : uint32_t { BRISC = 0, NCRISC = 1, TRISC0 = 2, TRISC1 = 3, TRISC2 = 4, kNumRiscs = 5 };

}  // namespace emu::hal

extern "C" {
// Firmware start-up of one kernel thread: what the kernel object's own copy of the firmware globals holds.
struct EmuFirmwareInit {
    uint32_t risc;  // emu::hal::Risc
    uint8_t noc_x, noc_y;  // this core's NoC coordinates (the same on both NoCs on Wormhole)
    uint32_t stream_regs;  // address of this core's stream register block
    uint32_t tensix_state;  // ... and of its Tensix engine state
    uint32_t rta_l1, crta_l1, sem_l1;  // runtime args, common runtime args, semaphores
    uint32_t num_dram_banks, num_l1_banks;
    const uint16_t* dram_bank_xy;  // packed NoC xy of each bank (x | y << 6), as the bank tables hold them
    const int32_t* dram_bank_offset;
    const uint16_t* l1_bank_xy;
    const int32_t* l1_bank_offset;
    struct CB {
        uint32_t addr, size, page_size, num_pages;  // addr 0: not configured on this core
    } cbs[64];
};

// Register space: stream registers (CB counters) and the few debug registers kernels read (wall clock).
uint32_t emu_reg_read(uint32_t addr);
void emu_reg_write(uint32_t addr, uint32_t value);
// A wait loop's iteration (invalidate_l1_cache() in the wheel's wait loops): counts as a poll, not progress, and
// yields the host CPU, sleeping when the thread has polled for a while without anything changing.
void emu_poll(void);
uint64_t emu_wall_clock(void);
// Something other threads may be waiting for changed (a shared register or semaphore written by plain stores).
void emu_notify(void);
// The kernel reached a feature the emulator does not model: fails the op naming it.
[[noreturn]] void emu_unsupported(const char* what);

// NoC transactions, as a command buffer's send bit issues them. They are queued and land when a barrier reads the
// NIU status (the hardware gives no earlier guarantee).
void emu_noc_read(uint32_t noc, uint64_t src_noc_addr, uint32_t dst_l1, uint32_t bytes, uint32_t trid);
void emu_noc_write(uint32_t noc, uint32_t src_l1, uint64_t dst_noc_addr, uint32_t bytes, int multicast,
                   int include_self, int posted, uint32_t trid);
void emu_noc_atomic_inc(uint32_t noc, uint64_t dst_noc_addr, uint32_t incr, uint32_t wrap, int multicast,
                        int posted);
void emu_noc_inline_write(uint32_t noc, uint64_t dst_noc_addr, uint32_t value, uint32_t byte_enable, int multicast,
                          int posted);
// A ProgramDescriptor semaphore: its initial value on core (x, y), written into L1 when the next program starts.
void emu_program_add_semaphore(uint32_t x, uint32_t y, uint32_t id, uint32_t initial_value);
// The NIU status counters of this core (NOC_STATUS(NIU_MST_*)): reading one lands this RISC's queued transactions.
uint32_t emu_noc_status(uint32_t noc, uint32_t reg_id);
void emu_noc_clear_outstanding(uint32_t noc, uint32_t trid_mask);
// A data-movement kernel's ASSERT (the wheel's watcher checks) failed: fails the op naming the kernel line.
[[noreturn]] void emu_assert_failed(const char* condition, const char* file, int line);
// The kernel object has neither kernel_main() nor the legacy namespace NAMESPACE { void MAIN }.
[[noreturn]] void emu_no_entry_point(void);
}
