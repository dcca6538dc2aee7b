// The ckernel-level primitives beneath tt-llk, used directly by the three TRISCs of one core: mailboxes (from
// BRISC and between TRISCs), the configuration space the TRISCs share (cfg_reg_rmw_tensix, and WRCFG of a GPR
// set by SETDMAREG, as tt-llk's unpacker configuration issues them), a Tensix semaphore ordering MATH after
// UNPACK's writes, and a mutex. PACK writes what it received into the first words of a tile of CB 16:
//   [0] BRISC's value + 1 (via UNPACK)   [1] the RMW-written config field, read by MATH
//   [2] the WRCFG-written config word     [3] MATH's own GPR after ADDDMAREG   [4] the PRNG seed word
//   [5] the low half of the GPR, written by REG2FLOP into byte 2 of a THCON register (16-bit write)
//   [6], [7] this core's logical x and y (firmware globals)
#include <cstdint>
#include "api/compute/common.h"
#include "api/compute/cb_api.h"
#include "ckernel.h"
#include "ckernel_ops.h"

namespace {
constexpr uint32_t kSem = ckernel::semaphore::UNPACK_SYNC;
constexpr uint32_t kRmwAddr = THCON_SEC0_REG2_Out_data_format_ADDR32;
constexpr uint32_t kWordAddr = UNP0_ADDR_BASE_REG_0_Base_ADDR32;
constexpr uint32_t kGpr = 40;
constexpr uint32_t kThconAddr = THCON_SEC0_REG1_L1_Dest_addr_ADDR32;
}  // namespace

void kernel_main() {
    using namespace ckernel;
#if defined(TRISC_UNPACK)
    const uint32_t v = mailbox_read(ThreadId::BriscThreadId);
    t6_mutex_acquire(mutex::REG_RMW);
    cfg_reg_rmw_tensix<kRmwAddr, 8, 0xFF00>(0x5A);
    t6_mutex_release(mutex::REG_RMW);
    TT_SETDMAREG(0, 0x1234, 0, 2 * kGpr);
    TT_SETDMAREG(0, 0xABCD, 0, 2 * kGpr + 1);
    TTI_WRCFG(kGpr, 0, kWordAddr);
    TTI_REG2FLOP(p_reg2flop::WRITE_2B, 0, 2, 0, kThconAddr - THCON_CFGREG_BASE_ADDR32, kGpr);
    init_prng_seed(0xC0FFEE);
    t6_semaphore_post(kSem);
    mailbox_write(ThreadId::PackThreadId, v + 1);
#elif defined(TRISC_MATH)
    t6_semaphore_wait_on_zero<p_stall::STALL_SYNC>(kSem);
    t6_semaphore_get(kSem);
    mailbox_write(ThreadId::PackThreadId, (cfg_read(kRmwAddr) >> 8) & 0xFF);
    mailbox_write(ThreadId::PackThreadId, cfg_read(kWordAddr));
    mailbox_write(ThreadId::PackThreadId, cfg_read(kThconAddr));
    TT_SETDMAREG(0, 7, 0, 2 * kGpr);
    TT_SETDMAREG(0, 0, 0, 2 * kGpr + 1);
    TTI_ADDDMAREG(1, kGpr, 5, kGpr);
    mailbox_write(ThreadId::PackThreadId, regfile[kGpr]);
#elif defined(TRISC_PACK)
    cb_reserve_back(tt::CBIndex::c_16, 1);
    auto* out = reinterpret_cast<volatile uint32_t*>(uintptr_t(get_local_cb_interface(tt::CBIndex::c_16).fifo_wr_ptr) << 4);
    for (uint32_t i = 0; i < 1024; i++) out[i] = 0;
    out[0] = mailbox_read(ThreadId::UnpackThreadId);
    out[1] = mailbox_read(ThreadId::MathThreadId);
    out[2] = mailbox_read(ThreadId::MathThreadId);
    out[5] = mailbox_read(ThreadId::MathThreadId);
    out[3] = mailbox_read(ThreadId::MathThreadId);
    out[4] = get_cfg_pointer()[PRNG_SEED_Seed_Val_ADDR32];
    out[6] = get_absolute_logical_x();
    out[7] = get_relative_logical_y();
    cb_push_back(tt::CBIndex::c_16, 1);
#endif
}
