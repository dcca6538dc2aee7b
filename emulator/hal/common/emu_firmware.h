// The emulator's firmware for one RISC of a Tensix core: what brisck.cc / ncrisck.cc / trisck.cc provide around a
// kernel on silicon. It pulls in the hardware headers in the firmware's order, defines the firmware globals the
// wheel's headers declare extern (one private copy per core and RISC: every kernel object is loaded once per core),
// and fills them at start-up from what the emulator placed on the core (CBs, arguments, semaphores, bank tables).
#pragma once

#include <cstdint>

#include "emu/hal.h"
#include "risc_common.h"
#include "tensix.h"
#include "tensix_types.h"
#include "noc_overlay_parameters.h"
#include "stream_io_map.h"
#include "internal/firmware_common.h"
#include "api/compile_time_args.h"
#include "internal/circular_buffer_interface.h"
#if defined(COMPILE_FOR_TRISC)
#include "emu_tensix.h"
#else
#include "noc_nonblocking_api.h"
#include "api/dataflow/dataflow_api.h"
#endif

uint8_t my_x[NUM_NOCS];
uint8_t my_y[NUM_NOCS];
uint32_t emu_stream_regs_base;
uint32_t emu_tensix_base;
CBInterface cb_interface[NUM_CIRCULAR_BUFFERS];
uint32_t tt_l1_ptr* rta_l1_base;
uint32_t tt_l1_ptr* crta_l1_base;
uint32_t tt_l1_ptr* sem_l1_base[ProgrammableCoreType::COUNT];
bank_noc_xy_t dram_bank_to_noc_xy[NUM_NOCS][NUM_DRAM_BANKS];
int32_t bank_to_dram_offset[NUM_DRAM_BANKS];
bank_noc_xy_t l1_bank_to_noc_xy[NUM_NOCS][NUM_L1_BANKS];
int32_t bank_to_l1_offset[NUM_L1_BANKS];
// This core's logical coordinates (get_absolute_logical_x/y) and those relative to its sub-device
// (get_relative_logical_x/y): the whole grid is one sub-device here, so the two agree.
uint8_t my_logical_x_;
uint8_t my_logical_y_;
uint8_t my_relative_x_;
uint8_t my_relative_y_;
uint8_t worker_logical_col_to_virtual_col[round_up_to_mult_of_4(noc_size_x)];
uint8_t worker_logical_row_to_virtual_row[round_up_to_mult_of_4(noc_size_y)];

#if defined(COMPILE_FOR_TRISC)
// trisc.cc's / trisck.cc's globals. regfile is this thread's general-purpose registers in the core's emulated
// Tensix engine (set at start-up); the register windows reg_base, pc_buf_base and mailbox_base have no memory
// behind them here: ckernel.h reaches semaphores and mailboxes through the engine instead.
uint32_t unp_cfg_context = 0;
uint32_t pack_sync_tile_dst_ptr = 0;
uint32_t math_sync_tile_dst_index = 0;
uint32_t gl_alu_format_spec_reg = 0;
uint32_t op_info_offset = 0;
uint32_t cfg_state_id = 0;
uint32_t volatile tt_l1_ptr l1_buffer[16];
namespace ckernel {
volatile uint32_t tt_reg_ptr* reg_base = nullptr;
volatile uint32_t tt_reg_ptr* regfile = nullptr;
volatile uint32_t tt_reg_ptr* pc_buf_base = nullptr;
volatile uint32_t tt_reg_ptr* mailbox_base[4] = {};
uint32_t cfg_state_id = 0;
uint32_t dest_offset_id = 0;
uint32_t dbg_event_index = 0;
uint32_t dbg_event_end = 0;
uint32_t op_info_offset = 0;
const uint8_t thread_id = COMPILE_FOR_TRISC;
// The debug mailbox record_mailbox_value fills (in L1 on silicon).
uint16_t emu_debug_mailbox[64];
volatile uint16_t tt_reg_ptr* debug_mailbox_base = emu_debug_mailbox;
uint8_t mailbox_index = 0;
const uint8_t mailbox_end = 64;
}  // namespace ckernel
#else
uint32_t noc_reads_num_issued[NUM_NOCS];
uint32_t noc_nonposted_writes_num_issued[NUM_NOCS];
uint32_t noc_nonposted_writes_acked[NUM_NOCS];
uint32_t noc_nonposted_atomics_acked[NUM_NOCS];
uint32_t noc_posted_writes_num_issued[NUM_NOCS];
uint32_t emu_noc_counters[NUM_NOCS][MaxDMProcessorsPerCoreType][NUM_BARRIER_TYPES];
uint32_t emu_noc_cmd_buf[NUM_NOCS][NUM_NOC_CMD_BUFS][EMU_NOC_CMD_BUF_REGS];
// The ethernet firmware's RTOS jump table: internal/ethernet/tunneling.h (which fabric and CCL kernels include on
// Tensix cores too) takes its address at load time. A Tensix core runs no ethernet RTOS, so the table is zeros,
// as the linker leaves any symbol the firmware does not fill; a kernel that calls through it faults.
asm(".pushsection .bss.__erisc_jump_table,\"aw\",@nobits\n"
    ".weak __erisc_jump_table\n.type __erisc_jump_table,@object\n.size __erisc_jump_table,256\n.p2align 4\n"
    "__erisc_jump_table:\n.zero 256\n.popsection\n");
#endif

// Called by the emulator on the kernel's thread before the kernel runs.
extern "C" void emu_firmware_start(const EmuFirmwareInit* init) {
    for (uint32_t n = 0; n < NUM_NOCS; n++) {
        my_x[n] = init->noc_x;
        my_y[n] = init->noc_y;
    }
    // Worker (x, y) sits at NoC (x + 1, y + 1), as the bank and coordinate tables below lay the grid out.
    my_logical_x_ = my_relative_x_ = uint8_t(init->noc_x - 1);
    my_logical_y_ = my_relative_y_ = uint8_t(init->noc_y - 1);
    emu_stream_regs_base = init->stream_regs;
    emu_tensix_base = init->tensix_state;
#if defined(COMPILE_FOR_TRISC)
    ckernel::regfile = emu::tensix::state().gpr[emu::tensix::kThread];
#endif
    rta_l1_base = reinterpret_cast<uint32_t*>(uintptr_t(init->rta_l1));
    crta_l1_base = reinterpret_cast<uint32_t*>(uintptr_t(init->crta_l1));
    for (auto& base : sem_l1_base) base = reinterpret_cast<uint32_t*>(uintptr_t(init->sem_l1));
    for (uint32_t n = 0; n < NUM_NOCS; n++) {
        for (uint32_t b = 0; b < NUM_DRAM_BANKS && b < init->num_dram_banks; b++)
            dram_bank_to_noc_xy[n][b] = init->dram_bank_xy[b];
        for (uint32_t b = 0; b < NUM_L1_BANKS && b < init->num_l1_banks; b++)
            l1_bank_to_noc_xy[n][b] = init->l1_bank_xy[b];
    }
    for (uint32_t b = 0; b < NUM_DRAM_BANKS && b < init->num_dram_banks; b++)
        bank_to_dram_offset[b] = init->dram_bank_offset[b];
    for (uint32_t b = 0; b < NUM_L1_BANKS && b < init->num_l1_banks; b++)
        bank_to_l1_offset[b] = init->l1_bank_offset[b];
    // Worker logical -> NoC coordinates: the emulator's workers sit at (x + 1, y + 1).
    for (uint32_t i = 0; i < sizeof(worker_logical_col_to_virtual_col); i++) worker_logical_col_to_virtual_col[i] = i + 1;
    for (uint32_t i = 0; i < sizeof(worker_logical_row_to_virtual_row); i++) worker_logical_row_to_virtual_row[i] = i + 1;

    // The packer and unpacker address L1 in 16-byte words; the data-movement RISCs in bytes.
#if defined(COMPILE_FOR_TRISC)
    constexpr uint32_t shift = CIRCULAR_BUFFER_COMPUTE_ADDR_SHIFT;
#else
    constexpr uint32_t shift = 0;
#endif
    for (uint32_t i = 0; i < NUM_CIRCULAR_BUFFERS && i < 64; i++) {
        LocalCBInterface& cb = cb_interface[i].local_cb_interface;
        const auto& c = init->cbs[i];
        cb = {};
        if (c.addr == 0) continue;
        cb.fifo_size = c.size >> shift;
        cb.fifo_limit = (c.addr + c.size) >> shift;
        cb.fifo_page_size = c.page_size >> shift;
        cb.fifo_num_pages = c.num_pages;
        cb.fifo_rd_ptr = cb.fifo_wr_ptr = c.addr >> shift;
        cb.fifo_wr_tile_ptr = 0;
    }
#if !defined(COMPILE_FOR_TRISC)
    for (auto& noc : emu_noc_cmd_buf)
        for (auto& buf : noc)
            for (auto& reg : buf) reg = 0;
    for (auto& noc : emu_noc_counters)
        for (auto& risc : noc)
            for (auto& c : risc) c = 0;
    for (uint32_t n = 0; n < NUM_NOCS; n++) noc_local_state_init(n);
#endif
}

#if defined(COMPILE_FOR_TRISC)
#include "emu_tensix_insn.h"
#endif
