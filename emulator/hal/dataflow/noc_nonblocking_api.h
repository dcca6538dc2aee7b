// Emulator shadow of Wormhole's noc_nonblocking_api.h: the NoC interface unit as the dataflow headers drive it.
//
// Each RISC has four command buffers per NoC. Here they are register files in the kernel object (one private copy
// per core and RISC, like the hardware's); writing NOC_CMD_CTRL with the send bit issues the transaction those
// registers describe to the emulator, which queues it and lands it when a barrier reads the NIU status. The NIU
// status counters (reads received, writes sent/acked, atomics, per-transaction-id outstanding) are the
// emulator's, per core and NoC; the software issue counters are the kernel's own globals, as on silicon.
#pragma once

#include <stdint.h>

#include <cstddef>
#include <type_traits>
#include <utility>

#include "api/debug/assert.h"
#include "emu/hal.h"
#include "hostdev/dev_msgs.h"
#include "internal/risc_attribs.h"
#include "internal/tt-1xx/cache.h"
#include "noc_overlay_parameters.h"
#include "noc_parameters.h"

#if defined(COMPILE_FOR_BRISC) || defined(COMPILE_FOR_ERISC) || defined(COMPILE_FOR_IDLE_ERISC)
constexpr std::underlying_type_t<TensixProcessorTypes> proc_type =
    static_cast<std::underlying_type_t<TensixProcessorTypes>>(TensixProcessorTypes::DM0);
#else
constexpr std::underlying_type_t<TensixProcessorTypes> proc_type =
    static_cast<std::underlying_type_t<TensixProcessorTypes>>(TensixProcessorTypes::DM1);
#endif

// Wormhole NoC coordinates are virtual: the same on both NoCs.
#define NOC_0_X(noc_index, noc_size_x, x) x
#define NOC_0_Y(noc_index, noc_size_y, y) y
#define NOC_0_X_PHYS_COORD(noc_index, noc_size_x, x) (noc_index == 0 ? (x) : (noc_size_x - 1 - (x)))
#define NOC_0_Y_PHYS_COORD(noc_index, noc_size_y, y) (noc_index == 0 ? (y) : (noc_size_y - 1 - (y)))
#define MY_NOC_ENCODING(noc_index) NOC_CMD_BUF_READ_REG(noc_index, 0, NOC_CFG(NOC_ID_LOGICAL));

// Command buffer assignment (tt-metal's convention).
constexpr uint32_t DYNAMIC_NOC_NCRISC_WR_CMD_BUF = 2;
constexpr uint32_t DYNAMIC_NOC_NCRISC_WR_REG_CMD_BUF = 2;
constexpr uint32_t DYNAMIC_NOC_NCRISC_AT_CMD_BUF = 3;
constexpr uint32_t DYNAMIC_NOC_NCRISC_RD_CMD_BUF = 3;
constexpr uint32_t DYNAMIC_NOC_BRISC_WR_CMD_BUF = 0;
constexpr uint32_t DYNAMIC_NOC_BRISC_WR_REG_CMD_BUF = 0;
constexpr uint32_t DYNAMIC_NOC_BRISC_AT_CMD_BUF = 1;
constexpr uint32_t DYNAMIC_NOC_BRISC_RD_CMD_BUF = 1;
constexpr uint32_t NCRISC_WR_CMD_BUF = 0;
constexpr uint32_t NCRISC_RD_CMD_BUF = 1;
constexpr uint32_t NCRISC_WR_REG_CMD_BUF = 2;
constexpr uint32_t NCRISC_AT_CMD_BUF = 3;
constexpr uint32_t BRISC_WR_CMD_BUF = 0;
constexpr uint32_t BRISC_RD_CMD_BUF = 1;
constexpr uint32_t BRISC_WR_REG_CMD_BUF = 2;
constexpr uint32_t BRISC_AT_CMD_BUF = 3;
constexpr uint32_t NUM_NOC_CMD_BUFS = 4;

// A NoC address: 36 bits of local address, then the coordinates; the low 32 bits go to the LO register and the
// rest (upper address bits and coordinates) to MID.
constexpr uint32_t NOC_ADDR_COORD_SHIFT = 32;
const uint32_t NOC_TARG_ADDR_COORDINATE = NOC_TARG_ADDR_MID;
const uint32_t NOC_RET_ADDR_COORDINATE = NOC_RET_ADDR_MID;
const uint32_t NOC_COORDINATE_MASK = 0xFFFFFFFF;

// Software issue counters (firmware globals of each RISC).
extern uint32_t noc_reads_num_issued[NUM_NOCS];
extern uint32_t noc_nonposted_writes_num_issued[NUM_NOCS];
extern uint32_t noc_nonposted_writes_acked[NUM_NOCS];
extern uint32_t noc_nonposted_atomics_acked[NUM_NOCS];
extern uint32_t noc_posted_writes_num_issued[NUM_NOCS];

enum class NocBarrierType : uint8_t {
    READS_NUM_ISSUED,
    NONPOSTED_WRITES_NUM_ISSUED,
    NONPOSTED_WRITES_ACKED,
    NONPOSTED_ATOMICS_ACKED,
    POSTED_WRITES_NUM_ISSUED,
    COUNT
};
static constexpr uint8_t NUM_BARRIER_TYPES = static_cast<uint32_t>(NocBarrierType::COUNT);

// Dynamic-NoC mode keeps the counters in L1 instead (MEM_NOC_COUNTER_BASE): here a firmware global of the kernel
// object laid out the same way (per NoC, per data-movement RISC, per barrier type).
extern uint32_t emu_noc_counters[NUM_NOCS][MaxDMProcessorsPerCoreType][NUM_BARRIER_TYPES];

template <uint8_t proc_t, NocBarrierType barrier_type>
inline uint32_t get_noc_counter_address(uint32_t noc) {
    static_assert(proc_t < MaxDMProcessorsPerCoreType);
    return uint32_t(uintptr_t(&emu_noc_counters[noc][proc_t][static_cast<uint8_t>(barrier_type)]));
}
template <uint8_t proc_t, NocBarrierType barrier_type>
inline uint32_t get_noc_counter_val(uint32_t noc) {
    return emu_noc_counters[noc][proc_t][static_cast<uint8_t>(barrier_type)];
}
template <uint8_t proc_t, NocBarrierType barrier_type>
inline void inc_noc_counter_val(uint32_t noc, uint32_t inc = 1) {
    emu_noc_counters[noc][proc_t][static_cast<uint8_t>(barrier_type)] += inc;
}
template <uint8_t proc_t, NocBarrierType barrier_type>
inline void set_noc_counter_val(uint32_t noc, uint32_t val) {
    emu_noc_counters[noc][proc_t][static_cast<uint8_t>(barrier_type)] = val;
}

// ---- the command buffers -------------------------------------------------------------------------------------
constexpr uint32_t EMU_NOC_CMD_BUF_REGS = 16;  // NOC_TARG_ADDR_LO .. NOC_CMD_CTRL, one word each
extern uint32_t emu_noc_cmd_buf[NUM_NOCS][NUM_NOC_CMD_BUFS][EMU_NOC_CMD_BUF_REGS];

inline uint32_t& emu_cmd_reg(uint32_t noc, uint32_t buf, uint32_t addr) {
    return emu_noc_cmd_buf[noc][buf][((addr - NOC_REGS_START_ADDR) & ((1u << NOC_CMD_BUF_OFFSET_BIT) - 1)) / 4 %
                                     EMU_NOC_CMD_BUF_REGS];
}

// Hands the transaction the command buffer describes to the emulator (what the send bit does on silicon).
inline void emu_noc_cmd_buf_send(uint32_t noc, uint32_t buf) {
    const uint32_t ctrl = emu_cmd_reg(noc, buf, NOC_CTRL);
    const uint64_t targ = (uint64_t(emu_cmd_reg(noc, buf, NOC_TARG_ADDR_MID)) << 32) | emu_cmd_reg(noc, buf, NOC_TARG_ADDR_LO);
    const uint64_t ret = (uint64_t(emu_cmd_reg(noc, buf, NOC_RET_ADDR_MID)) << 32) | emu_cmd_reg(noc, buf, NOC_RET_ADDR_LO);
    const uint32_t len_be = emu_cmd_reg(noc, buf, NOC_AT_LEN_BE);
    const uint32_t trid = (emu_cmd_reg(noc, buf, NOC_PACKET_TAG) >> 10) & NOC_MAX_TRANSACTION_ID;
    const int mcast = (ctrl & NOC_CMD_BRCST_PACKET) != 0;
    const int posted = (ctrl & NOC_CMD_RESP_MARKED) == 0;
    if (ctrl & NOC_CMD_AT) {
        // Atomic increment: the wrap field sits above the instruction's 32-bit word index.
        emu_noc_atomic_inc(noc, targ, emu_cmd_reg(noc, buf, NOC_AT_DATA), (len_be >> 2) & 0x1f, mcast, posted);
    } else if (ctrl & NOC_CMD_WR_INLINE) {
        emu_noc_inline_write(noc, ret, emu_cmd_reg(noc, buf, NOC_AT_DATA), len_be, mcast, posted);
    } else if (ctrl & NOC_CMD_WR) {
        emu_noc_write(noc, uint32_t(targ), ret, len_be, mcast, (ctrl & NOC_CMD_BRCST_SRC_INCLUDE) != 0, posted, trid);
    } else {
        emu_noc_read(noc, targ, uint32_t(ret), len_be, trid);
    }
}

inline void NOC_CMD_BUF_WRITE_REG(uint32_t noc, uint32_t buf, uint32_t addr, uint32_t val) {
    emu_cmd_reg(noc, buf, addr) = val;
    if (addr == NOC_CMD_CTRL && (val & NOC_CTRL_SEND_REQ)) {
        emu_noc_cmd_buf_send(noc, buf);
        emu_cmd_reg(noc, buf, addr) = NOC_CTRL_STATUS_READY;  // accepted at once: the emulator queues it
    }
}

inline uint32_t NOC_CMD_BUF_READ_REG(uint32_t noc, uint32_t buf, uint32_t addr) {
    if (addr == NOC_CFG(NOC_ID_LOGICAL)) return NOC_XY_ENCODING(my_x[noc], my_y[noc]) >> (NOC_ADDR_LOCAL_BITS % 32);
    return emu_cmd_reg(noc, buf, addr);
}

inline uint32_t NOC_STATUS_READ_REG(uint32_t noc, uint32_t reg_id) { return emu_noc_status(noc, reg_id); }
inline uint32_t NOC_CFG_READ_REG(uint32_t noc, uint32_t reg_id) { return NOC_CMD_BUF_READ_REG(noc, 0, NOC_CFG(reg_id)); }

inline bool noc_cmd_buf_ready(uint32_t noc, uint32_t cmd_buf) {
    return NOC_CMD_BUF_READ_REG(noc, cmd_buf, NOC_CMD_CTRL) == NOC_CTRL_STATUS_READY;
}

inline void noc_clear_outstanding_req_cnt(uint32_t noc, uint32_t id_mask) { emu_noc_clear_outstanding(noc, id_mask); }

struct NocCmdBufState {
    uint32_t ctrl;
    uint32_t ret_addr_coord;
    uint32_t targ_addr_lo;
    uint32_t ret_addr_lo;
    uint32_t at_len_be;
    uint32_t targ_addr_coord;
    uint32_t targ_addr_mid;
    uint32_t packet_tag;
    uint32_t at_data;
    uint32_t ret_addr_mid;
};

inline void noc_cmd_buf_save_state(uint32_t noc, uint32_t cmd_buf, NocCmdBufState* s) {
    *s = {emu_cmd_reg(noc, cmd_buf, NOC_CTRL),         emu_cmd_reg(noc, cmd_buf, NOC_RET_ADDR_MID),
          emu_cmd_reg(noc, cmd_buf, NOC_TARG_ADDR_LO), emu_cmd_reg(noc, cmd_buf, NOC_RET_ADDR_LO),
          emu_cmd_reg(noc, cmd_buf, NOC_AT_LEN_BE),    emu_cmd_reg(noc, cmd_buf, NOC_TARG_ADDR_MID),
          emu_cmd_reg(noc, cmd_buf, NOC_TARG_ADDR_MID), emu_cmd_reg(noc, cmd_buf, NOC_PACKET_TAG),
          emu_cmd_reg(noc, cmd_buf, NOC_AT_DATA),      0};
}

inline void noc_cmd_buf_restore_state(uint32_t noc, uint32_t cmd_buf, const NocCmdBufState* s) {
    emu_cmd_reg(noc, cmd_buf, NOC_CTRL) = s->ctrl;
    emu_cmd_reg(noc, cmd_buf, NOC_RET_ADDR_MID) = s->ret_addr_coord;
    emu_cmd_reg(noc, cmd_buf, NOC_TARG_ADDR_LO) = s->targ_addr_lo;
    emu_cmd_reg(noc, cmd_buf, NOC_RET_ADDR_LO) = s->ret_addr_lo;
    emu_cmd_reg(noc, cmd_buf, NOC_AT_LEN_BE) = s->at_len_be;
    emu_cmd_reg(noc, cmd_buf, NOC_TARG_ADDR_MID) = s->targ_addr_coord;
    emu_cmd_reg(noc, cmd_buf, NOC_PACKET_TAG) = s->packet_tag;
    emu_cmd_reg(noc, cmd_buf, NOC_AT_DATA) = s->at_data;
}

inline void noc_clear_packet_tag(uint32_t noc, uint32_t cmd_buf) { emu_cmd_reg(noc, cmd_buf, NOC_PACKET_TAG) = 0; }
inline void noc_clear_packet_tags(uint32_t noc) {
    for (uint32_t b = 0; b < NUM_NOC_CMD_BUFS; b++) noc_clear_packet_tag(noc, b);
}
inline void noc_clear_all_packet_tags() {
    for (uint32_t n = 0; n < NUM_NOCS; n++) noc_clear_packet_tags(n);
}
inline bool ncrisc_noc_packet_tags_cleared(uint32_t noc) {
    for (uint32_t b = 0; b < NUM_NOC_CMD_BUFS; b++)
        if (emu_cmd_reg(noc, b, NOC_PACKET_TAG) != 0) return false;
    return true;
}

// ---- software counters ---------------------------------------------------------------------------------------
inline uint32_t noc_get_reads_issued(uint32_t noc) { return noc_reads_num_issued[noc]; }
inline uint32_t noc_get_nonposted_writes_issued(uint32_t noc) { return noc_nonposted_writes_num_issued[noc]; }
inline uint32_t noc_get_nonposted_writes_acked(uint32_t noc) { return noc_nonposted_writes_acked[noc]; }
inline uint32_t noc_get_nonposted_atomics_acked(uint32_t noc) { return noc_nonposted_atomics_acked[noc]; }
inline uint32_t noc_get_posted_writes_issued(uint32_t noc) { return noc_posted_writes_num_issued[noc]; }
inline void noc_increment_nonposted_writes_acked(uint32_t noc, uint32_t delta) { noc_nonposted_writes_acked[noc] += delta; }
inline void noc_increment_nonposted_writes_issued(uint32_t noc, uint32_t delta) {
    noc_nonposted_writes_num_issued[noc] += delta;
}

// Issue-side bookkeeping of one transaction: the software counter the matching barrier compares against.
template <uint8_t noc_mode>
inline void emu_count_issue(uint32_t noc, NocBarrierType type, uint32_t n = 1) {
    if constexpr (noc_mode == DM_DYNAMIC_NOC) {
        emu_noc_counters[noc][proc_type][static_cast<uint8_t>(type)] += n;
    } else {
        switch (type) {
            case NocBarrierType::READS_NUM_ISSUED: noc_reads_num_issued[noc] += n; break;
            case NocBarrierType::NONPOSTED_WRITES_NUM_ISSUED: noc_nonposted_writes_num_issued[noc] += n; break;
            case NocBarrierType::NONPOSTED_WRITES_ACKED: noc_nonposted_writes_acked[noc] += n; break;
            case NocBarrierType::NONPOSTED_ATOMICS_ACKED: noc_nonposted_atomics_acked[noc] += n; break;
            case NocBarrierType::POSTED_WRITES_NUM_ISSUED: noc_posted_writes_num_issued[noc] += n; break;
            default: break;
        }
    }
}

inline bool noc_nonposted_writes_sent_at_count(uint32_t noc, uint32_t expected_count) {
    return int32_t(NOC_STATUS_READ_REG(noc, NIU_MST_NONPOSTED_WR_REQ_SENT) - expected_count) >= 0;
}

// ---- address registers ---------------------------------------------------------------------------------------
inline void noc_cmd_buf_set_targ_addr_coordinate(uint32_t noc, uint32_t cmd_buf, uint32_t coord) {
    emu_cmd_reg(noc, cmd_buf, NOC_TARG_ADDR_MID) = coord;
}
inline void noc_cmd_buf_set_targ_addr(uint32_t noc, uint32_t cmd_buf, uint64_t targ_addr) {
    emu_cmd_reg(noc, cmd_buf, NOC_TARG_ADDR_LO) = uint32_t(targ_addr);
    emu_cmd_reg(noc, cmd_buf, NOC_TARG_ADDR_MID) = uint32_t(targ_addr >> 32);
}
inline void noc_cmd_buf_set_ret_addr_coordinate(uint32_t noc, uint32_t cmd_buf, uint32_t coord) {
    emu_cmd_reg(noc, cmd_buf, NOC_RET_ADDR_MID) = coord;
}
inline void noc_cmd_buf_set_ret_addr(uint32_t noc, uint32_t cmd_buf, uint64_t ret_addr) {
    emu_cmd_reg(noc, cmd_buf, NOC_RET_ADDR_LO) = uint32_t(ret_addr);
    emu_cmd_reg(noc, cmd_buf, NOC_RET_ADDR_MID) = uint32_t(ret_addr >> 32);
}
inline uint32_t noc_debug_read_at_len_be(uint32_t noc, uint32_t cmd_buf) { return emu_cmd_reg(noc, cmd_buf, NOC_AT_LEN_BE); }

// One transaction through a command buffer: program its registers, then send.
inline void emu_send(uint32_t noc, uint32_t buf, uint32_t ctrl, uint64_t targ, uint64_t ret, uint32_t len_be,
                     uint32_t at_data = 0, uint32_t trid = 0) {
    noc_cmd_buf_set_targ_addr(noc, buf, targ);
    noc_cmd_buf_set_ret_addr(noc, buf, ret);
    emu_cmd_reg(noc, buf, NOC_CTRL) = ctrl;
    emu_cmd_reg(noc, buf, NOC_AT_LEN_BE) = len_be;
    emu_cmd_reg(noc, buf, NOC_AT_DATA) = at_data;
    if (trid) emu_cmd_reg(noc, buf, NOC_PACKET_TAG) = NOC_PACKET_TAG_TRANSACTION_ID(trid);
    NOC_CMD_BUF_WRITE_REG(noc, buf, NOC_CMD_CTRL, NOC_CTRL_SEND_REQ);
}

inline uint32_t emu_write_ctrl(uint32_t vc, bool mcast, bool linked, bool path_reserve, bool posted) {
    return NOC_CMD_CPY | NOC_CMD_WR | NOC_CMD_VC_STATIC | NOC_CMD_STATIC_VC(vc) | (linked ? NOC_CMD_VC_LINKED : 0) |
           (mcast ? (path_reserve ? NOC_CMD_PATH_RESERVE : 0) | NOC_CMD_BRCST_PACKET : 0) |
           (posted ? 0 : NOC_CMD_RESP_MARKED);
}

// ---- reads ---------------------------------------------------------------------------------------------------
template <uint8_t noc_mode = DM_DEDICATED_NOC>
inline void ncrisc_noc_fast_read(uint32_t noc, uint32_t cmd_buf, uint64_t src_addr, uint32_t dest_addr,
                                 uint32_t len_bytes, uint32_t read_req_vc = 1) {
    emu_count_issue<noc_mode>(noc, NocBarrierType::READS_NUM_ISSUED);
    emu_send(noc, cmd_buf, NOC_CMD_RD, src_addr, NOC_XY_ADDR(my_x[noc], my_y[noc], dest_addr), len_bytes);
}

template <uint8_t noc_mode = DM_DEDICATED_NOC>
inline void ncrisc_noc_fast_read_any_len(uint32_t noc, uint32_t cmd_buf, uint64_t src_addr, uint32_t dest_addr,
                                         uint32_t len_bytes, uint32_t read_req_vc = 1) {
    // The NIU splits transfers above its maximum burst; each piece counts as one read, as on silicon.
    while (len_bytes > NOC_MAX_BURST_SIZE) {
        ncrisc_noc_fast_read<noc_mode>(noc, cmd_buf, src_addr, dest_addr, NOC_MAX_BURST_SIZE, read_req_vc);
        src_addr += NOC_MAX_BURST_SIZE;
        dest_addr += NOC_MAX_BURST_SIZE;
        len_bytes -= NOC_MAX_BURST_SIZE;
    }
    ncrisc_noc_fast_read<noc_mode>(noc, cmd_buf, src_addr, dest_addr, len_bytes, read_req_vc);
}

inline bool ncrisc_dynamic_noc_reads_flushed(uint32_t noc) {
    return NOC_STATUS_READ_REG(noc, NIU_MST_RD_RESP_RECEIVED) ==
           get_noc_counter_val<proc_type, NocBarrierType::READS_NUM_ISSUED>(noc) +
               get_noc_counter_val<1 - proc_type, NocBarrierType::READS_NUM_ISSUED>(noc);
}
inline bool ncrisc_noc_reads_flushed(uint32_t noc) {
    return NOC_STATUS_READ_REG(noc, NIU_MST_RD_RESP_RECEIVED) == noc_reads_num_issued[noc];
}
inline bool ncrisc_noc_read_with_transaction_id_flushed(uint32_t noc, uint32_t trid) {
    return NOC_STATUS_READ_REG(noc, NIU_MST_REQS_OUTSTANDING_ID(trid)) == 0;
}
inline uint32_t noc_available_transactions(uint32_t noc, uint32_t trid) {
    return NOC_MAX_TRANSACTION_ID_COUNT - NOC_STATUS_READ_REG(noc, NIU_MST_REQS_OUTSTANDING_ID(trid));
}

// ---- writes --------------------------------------------------------------------------------------------------
template <uint8_t noc_mode = DM_DEDICATED_NOC, bool use_trid = false, bool update_counter = true>
inline void ncrisc_noc_fast_write(uint32_t noc, uint32_t cmd_buf, uint32_t src_addr, uint64_t dest_addr,
                                  uint32_t len_bytes, uint32_t vc, bool mcast, bool linked, uint32_t num_dests,
                                  bool multicast_path_reserve, bool posted = false, uint32_t trid = 0) {
    if constexpr (update_counter) {
        if (posted) {
            emu_count_issue<noc_mode>(noc, NocBarrierType::POSTED_WRITES_NUM_ISSUED);
        } else {
            emu_count_issue<noc_mode>(noc, NocBarrierType::NONPOSTED_WRITES_NUM_ISSUED);
            emu_count_issue<noc_mode>(noc, NocBarrierType::NONPOSTED_WRITES_ACKED, num_dests);
        }
    }
    emu_send(noc, cmd_buf, emu_write_ctrl(vc, mcast, linked, multicast_path_reserve, posted),
             NOC_XY_ADDR(my_x[noc], my_y[noc], src_addr), dest_addr, len_bytes, 0, use_trid ? trid : 0);
}

template <uint8_t noc_mode = DM_DEDICATED_NOC>
inline void ncrisc_noc_fast_write_loopback_src(uint32_t noc, uint32_t cmd_buf, uint32_t src_addr, uint64_t dest_addr,
                                               uint32_t len_bytes, uint32_t vc, bool mcast, bool linked,
                                               uint32_t num_dests, bool multicast_path_reserve) {
    emu_count_issue<noc_mode>(noc, NocBarrierType::NONPOSTED_WRITES_NUM_ISSUED);
    emu_count_issue<noc_mode>(noc, NocBarrierType::NONPOSTED_WRITES_ACKED, num_dests);
    emu_send(noc, cmd_buf,
             emu_write_ctrl(vc, mcast, linked, multicast_path_reserve, false) | NOC_CMD_BRCST_SRC_INCLUDE,
             NOC_XY_ADDR(my_x[noc], my_y[noc], src_addr), dest_addr, len_bytes);
}

template <uint8_t noc_mode = DM_DEDICATED_NOC, bool use_trid = false, bool one_packet = false>
inline void ncrisc_noc_fast_write_any_len(uint32_t noc, uint32_t cmd_buf, uint32_t src_addr, uint64_t dest_addr,
                                          uint32_t len_bytes, uint32_t vc, bool mcast, bool linked,
                                          uint32_t num_dests, bool multicast_path_reserve, bool posted = false,
                                          uint32_t trid = 0) {
    while (!one_packet && len_bytes > NOC_MAX_BURST_SIZE) {
        ncrisc_noc_fast_write<noc_mode, use_trid>(noc, cmd_buf, src_addr, dest_addr, NOC_MAX_BURST_SIZE, vc, mcast,
                                                  linked, num_dests, multicast_path_reserve, posted, trid);
        src_addr += NOC_MAX_BURST_SIZE;
        dest_addr += NOC_MAX_BURST_SIZE;
        len_bytes -= NOC_MAX_BURST_SIZE;
    }
    ncrisc_noc_fast_write<noc_mode, use_trid>(noc, cmd_buf, src_addr, dest_addr, len_bytes, vc, mcast, linked,
                                              num_dests, multicast_path_reserve, posted, trid);
}

template <uint8_t noc_mode = DM_DEDICATED_NOC>
inline void ncrisc_noc_fast_write_any_len_loopback_src(uint32_t noc, uint32_t cmd_buf, uint32_t src_addr,
                                                       uint64_t dest_addr, uint32_t len_bytes, uint32_t vc, bool mcast,
                                                       bool linked, uint32_t num_dests, bool multicast_path_reserve) {
    while (len_bytes > NOC_MAX_BURST_SIZE) {
        ncrisc_noc_fast_write_loopback_src<noc_mode>(noc, cmd_buf, src_addr, dest_addr, NOC_MAX_BURST_SIZE, vc, mcast,
                                                     linked, num_dests, multicast_path_reserve);
        src_addr += NOC_MAX_BURST_SIZE;
        dest_addr += NOC_MAX_BURST_SIZE;
        len_bytes -= NOC_MAX_BURST_SIZE;
    }
    ncrisc_noc_fast_write_loopback_src<noc_mode>(noc, cmd_buf, src_addr, dest_addr, len_bytes, vc, mcast, linked,
                                                 num_dests, multicast_path_reserve);
}

inline bool ncrisc_dynamic_noc_nonposted_writes_sent(uint32_t noc) {
    return NOC_STATUS_READ_REG(noc, NIU_MST_NONPOSTED_WR_REQ_SENT) ==
           get_noc_counter_val<proc_type, NocBarrierType::NONPOSTED_WRITES_NUM_ISSUED>(noc) +
               get_noc_counter_val<1 - proc_type, NocBarrierType::NONPOSTED_WRITES_NUM_ISSUED>(noc);
}
inline bool ncrisc_noc_nonposted_writes_sent(uint32_t noc) {
    return NOC_STATUS_READ_REG(noc, NIU_MST_NONPOSTED_WR_REQ_SENT) == noc_nonposted_writes_num_issued[noc];
}
inline bool ncrisc_dynamic_noc_posted_writes_sent(uint32_t noc) {
    return NOC_STATUS_READ_REG(noc, NIU_MST_POSTED_WR_REQ_SENT) ==
           get_noc_counter_val<proc_type, NocBarrierType::POSTED_WRITES_NUM_ISSUED>(noc) +
               get_noc_counter_val<1 - proc_type, NocBarrierType::POSTED_WRITES_NUM_ISSUED>(noc);
}
inline bool ncrisc_noc_posted_writes_sent(uint32_t noc) {
    return NOC_STATUS_READ_REG(noc, NIU_MST_POSTED_WR_REQ_SENT) == noc_posted_writes_num_issued[noc];
}
inline bool ncrisc_dynamic_noc_nonposted_writes_flushed(uint32_t noc) {
    return NOC_STATUS_READ_REG(noc, NIU_MST_WR_ACK_RECEIVED) ==
           get_noc_counter_val<proc_type, NocBarrierType::NONPOSTED_WRITES_ACKED>(noc) +
               get_noc_counter_val<1 - proc_type, NocBarrierType::NONPOSTED_WRITES_ACKED>(noc);
}
inline bool ncrisc_noc_nonposted_writes_flushed(uint32_t noc) {
    return NOC_STATUS_READ_REG(noc, NIU_MST_WR_ACK_RECEIVED) == noc_nonposted_writes_acked[noc];
}
inline bool ncrisc_noc_nonposted_write_with_transaction_id_sent(uint32_t noc, uint32_t trid) {
    return NOC_STATUS_READ_REG(noc, NIU_MST_WRITE_REQS_OUTGOING_ID(trid)) == 0;
}
inline bool ncrisc_noc_nonposted_write_with_transaction_id_flushed(uint32_t noc, uint32_t trid) {
    return NOC_STATUS_READ_REG(noc, NIU_MST_REQS_OUTSTANDING_ID(trid)) == 0;
}
inline bool ncrisc_dynamic_noc_nonposted_atomics_flushed(uint32_t noc) {
    return NOC_STATUS_READ_REG(noc, NIU_MST_ATOMIC_RESP_RECEIVED) ==
           get_noc_counter_val<proc_type, NocBarrierType::NONPOSTED_ATOMICS_ACKED>(noc) +
               get_noc_counter_val<1 - proc_type, NocBarrierType::NONPOSTED_ATOMICS_ACKED>(noc);
}
inline bool ncrisc_noc_nonposted_atomics_flushed(uint32_t noc) {
    return NOC_STATUS_READ_REG(noc, NIU_MST_ATOMIC_RESP_RECEIVED) == noc_nonposted_atomics_acked[noc];
}

// ---- start-up (firmware) -------------------------------------------------------------------------------------
template <uint8_t MAX_NOCS_TO_INIT = NUM_NOCS>
inline void noc_init(uint32_t atomic_ret_val) {}
inline void dynamic_noc_init() {}
inline void ncrisc_noc_counters_init() {
    for (uint32_t n = 0; n < NUM_NOCS; n++) {
        noc_reads_num_issued[n] = NOC_STATUS_READ_REG(n, NIU_MST_RD_RESP_RECEIVED);
        noc_nonposted_writes_num_issued[n] = NOC_STATUS_READ_REG(n, NIU_MST_NONPOSTED_WR_REQ_SENT);
        noc_nonposted_writes_acked[n] = NOC_STATUS_READ_REG(n, NIU_MST_WR_ACK_RECEIVED);
        noc_nonposted_atomics_acked[n] = NOC_STATUS_READ_REG(n, NIU_MST_ATOMIC_RESP_RECEIVED);
        noc_posted_writes_num_issued[n] = NOC_STATUS_READ_REG(n, NIU_MST_POSTED_WR_REQ_SENT);
    }
}
inline void noc_local_state_init(int noc) {
    noc_reads_num_issued[noc] = NOC_STATUS_READ_REG(noc, NIU_MST_RD_RESP_RECEIVED);
    noc_nonposted_writes_num_issued[noc] = NOC_STATUS_READ_REG(noc, NIU_MST_NONPOSTED_WR_REQ_SENT);
    noc_nonposted_writes_acked[noc] = NOC_STATUS_READ_REG(noc, NIU_MST_WR_ACK_RECEIVED);
    noc_nonposted_atomics_acked[noc] = NOC_STATUS_READ_REG(noc, NIU_MST_ATOMIC_RESP_RECEIVED);
    noc_posted_writes_num_issued[noc] = NOC_STATUS_READ_REG(noc, NIU_MST_POSTED_WR_REQ_SENT);
}
inline void dynamic_noc_local_state_init() {
    for (uint32_t n = 0; n < NUM_NOCS; n++) {
        set_noc_counter_val<proc_type, NocBarrierType::READS_NUM_ISSUED>(n, 0);
        set_noc_counter_val<proc_type, NocBarrierType::NONPOSTED_WRITES_NUM_ISSUED>(n, 0);
        set_noc_counter_val<proc_type, NocBarrierType::NONPOSTED_WRITES_ACKED>(n, 0);
        set_noc_counter_val<proc_type, NocBarrierType::NONPOSTED_ATOMICS_ACKED>(n, 0);
        set_noc_counter_val<proc_type, NocBarrierType::POSTED_WRITES_NUM_ISSUED>(n, 0);
    }
}
inline void ncrisc_noc_full_sync() {
    for (uint32_t n = 0; n < NUM_NOCS; n++) {
        while (!ncrisc_noc_reads_flushed(n)) invalidate_l1_cache();
        while (!ncrisc_noc_nonposted_writes_flushed(n)) invalidate_l1_cache();
        while (!ncrisc_noc_nonposted_atomics_flushed(n)) invalidate_l1_cache();
        while (!ncrisc_noc_posted_writes_sent(n)) invalidate_l1_cache();
    }
}
template <uint8_t MAX_NOCS_TO_INIT = NUM_NOCS>
inline void ncrisc_dynamic_noc_full_sync() {
    for (uint32_t n = 0; n < MAX_NOCS_TO_INIT; n++) {
        while (!ncrisc_dynamic_noc_reads_flushed(n)) invalidate_l1_cache();
        while (!ncrisc_dynamic_noc_nonposted_writes_flushed(n)) invalidate_l1_cache();
        while (!ncrisc_dynamic_noc_nonposted_atomics_flushed(n)) invalidate_l1_cache();
        while (!ncrisc_dynamic_noc_posted_writes_sent(n)) invalidate_l1_cache();
    }
}

// ---- inline writes and atomics -------------------------------------------------------------------------------
template <uint8_t noc_mode = DM_DEDICATED_NOC, InlineWriteDst dst_type = InlineWriteDst::DEFAULT, bool flush = true>
inline void noc_fast_write_dw_inline_impl(uint32_t noc, uint32_t cmd_buf, uint32_t val, uint64_t dest_addr,
                                          uint32_t be, uint32_t static_vc, bool mcast, bool posted,
                                          uint32_t customized_src_addr, uint32_t num_dests) {
    if (posted) {
        emu_count_issue<noc_mode>(noc, NocBarrierType::POSTED_WRITES_NUM_ISSUED);
    } else {
        emu_count_issue<noc_mode>(noc, NocBarrierType::NONPOSTED_WRITES_NUM_ISSUED);
        emu_count_issue<noc_mode>(noc, NocBarrierType::NONPOSTED_WRITES_ACKED, num_dests);
    }
    const uint32_t ctrl = NOC_CMD_CPY | NOC_CMD_WR | NOC_CMD_WR_INLINE | NOC_CMD_VC_STATIC |
                          NOC_CMD_STATIC_VC(static_vc) | (mcast ? NOC_CMD_BRCST_PACKET : 0) |
                          (posted ? 0 : NOC_CMD_RESP_MARKED);
    emu_send(noc, cmd_buf, ctrl, 0, dest_addr, be, val);
}

template <uint8_t noc_mode = DM_DEDICATED_NOC, InlineWriteDst dst_type = InlineWriteDst::DEFAULT, bool flush = true>
inline void noc_fast_write_dw_inline(uint32_t noc, uint32_t cmd_buf, uint32_t val, uint64_t dest_addr, uint32_t be,
                                     uint32_t static_vc, bool mcast, bool posted = false,
                                     uint32_t customized_src_addr = 0) {
    noc_fast_write_dw_inline_impl<noc_mode, dst_type, flush>(noc, cmd_buf, val, dest_addr, be, static_vc, mcast,
                                                             posted, customized_src_addr, 1);
}

template <uint8_t noc_mode = DM_DEDICATED_NOC, InlineWriteDst dst_type = InlineWriteDst::DEFAULT, bool flush = true>
inline void noc_fast_write_dw_inline_multicast(uint32_t noc, uint32_t cmd_buf, uint32_t val, uint64_t dest_addr,
                                               uint32_t be, uint32_t static_vc, bool mcast, bool posted = false,
                                               uint32_t customized_src_addr = 0, uint32_t num_dests = 1) {
    noc_fast_write_dw_inline_impl<noc_mode, dst_type, flush>(noc, cmd_buf, val, dest_addr, be, static_vc, mcast,
                                                             posted, customized_src_addr, num_dests);
}

template <uint8_t noc_mode = DM_DEDICATED_NOC, bool program_ret_addr = false>
inline void noc_fast_atomic_increment(uint32_t noc, uint32_t cmd_buf, uint64_t addr, uint32_t vc, uint32_t incr,
                                      uint32_t wrap, bool linked, bool posted = false, uint32_t atomic_ret_val = 0) {
    if (!posted) emu_count_issue<noc_mode>(noc, NocBarrierType::NONPOSTED_ATOMICS_ACKED);
    const uint32_t ctrl = NOC_CMD_AT | NOC_CMD_CPY | NOC_CMD_VC_STATIC | NOC_CMD_STATIC_VC(vc) |
                          (linked ? NOC_CMD_VC_LINKED : 0) | (posted ? 0 : NOC_CMD_RESP_MARKED);
    emu_send(noc, cmd_buf, ctrl, addr, 0, NOC_AT_INS(NOC_AT_INS_INCR_GET) | NOC_AT_WRAP(wrap), incr);
}

template <uint8_t noc_mode = DM_DEDICATED_NOC>
inline void noc_fast_multicast_atomic_increment(uint32_t noc, uint32_t cmd_buf, uint64_t addr, uint32_t vc,
                                                uint32_t incr, uint32_t wrap, bool linked, uint32_t num_dests,
                                                bool multicast_path_reserve, bool posted = false,
                                                uint32_t atomic_ret_val = 0) {
    if (!posted) emu_count_issue<noc_mode>(noc, NocBarrierType::NONPOSTED_ATOMICS_ACKED, num_dests);
    const uint32_t ctrl = NOC_CMD_AT | NOC_CMD_CPY | NOC_CMD_VC_STATIC | NOC_CMD_STATIC_VC(vc) |
                          NOC_CMD_BRCST_PACKET | (multicast_path_reserve ? NOC_CMD_PATH_RESERVE : 0) |
                          (linked ? NOC_CMD_VC_LINKED : 0) | (posted ? 0 : NOC_CMD_RESP_MARKED);
    emu_send(noc, cmd_buf, ctrl, addr, 0, NOC_AT_INS(NOC_AT_INS_INCR_GET) | NOC_AT_WRAP(wrap), incr);
}

// ---- transaction ids -----------------------------------------------------------------------------------------
inline void ncrisc_noc_set_transaction_id(uint32_t noc, uint32_t cmd_buf, uint32_t trid) {
    emu_cmd_reg(noc, cmd_buf, NOC_PACKET_TAG) = NOC_PACKET_TAG_TRANSACTION_ID(trid);
}

template <uint8_t noc_mode = DM_DEDICATED_NOC, bool skip_ptr_update = false, bool skip_cmdbuf_chk = false>
inline void ncrisc_noc_fast_read_with_transaction_id(uint32_t noc, uint32_t cmd_buf, uint32_t src_base_addr,
                                                     uint32_t src_addr, uint32_t dest_addr, uint32_t trid) {
    if constexpr (!skip_ptr_update) emu_count_issue<noc_mode>(noc, NocBarrierType::READS_NUM_ISSUED);
    // The target coordinate and length were set up by a read_set_state on this command buffer.
    ncrisc_noc_set_transaction_id(noc, cmd_buf, trid);
    emu_cmd_reg(noc, cmd_buf, NOC_TARG_ADDR_LO) = src_base_addr + src_addr;
    emu_cmd_reg(noc, cmd_buf, NOC_RET_ADDR_LO) = dest_addr;
    emu_cmd_reg(noc, cmd_buf, NOC_RET_ADDR_MID) = uint32_t(NOC_XY_ADDR(my_x[noc], my_y[noc], 0) >> 32);
    NOC_CMD_BUF_WRITE_REG(noc, cmd_buf, NOC_CMD_CTRL, NOC_CTRL_SEND_REQ);
}

// ---- stateful issue: set_state programs the fixed part, with_state supplies the rest -------------------------
template <uint8_t noc_mode = DM_DEDICATED_NOC, bool one_packet = false, bool use_vc = false>
inline void ncrisc_noc_read_set_state(uint32_t noc, uint32_t cmd_buf, uint64_t src_noc_addr, uint32_t len_bytes = 0,
                                      const uint32_t vc = 0) {
    emu_cmd_reg(noc, cmd_buf, NOC_CTRL) = NOC_CMD_RD;
    emu_cmd_reg(noc, cmd_buf, NOC_TARG_ADDR_MID) = uint32_t(src_noc_addr >> 32);
    emu_cmd_reg(noc, cmd_buf, NOC_RET_ADDR_MID) = uint32_t(NOC_XY_ADDR(my_x[noc], my_y[noc], 0) >> 32);
    if constexpr (one_packet) emu_cmd_reg(noc, cmd_buf, NOC_AT_LEN_BE) = len_bytes;
}

template <uint8_t noc_mode = DM_DEDICATED_NOC, bool inc_num_issued = true, bool one_packet = false>
inline void ncrisc_noc_read_with_state(uint32_t noc, uint32_t cmd_buf, uint32_t src_local_addr,
                                       uint32_t dst_local_addr, uint32_t len_bytes = 0) {
    if constexpr (inc_num_issued) emu_count_issue<noc_mode>(noc, NocBarrierType::READS_NUM_ISSUED);
    emu_cmd_reg(noc, cmd_buf, NOC_TARG_ADDR_LO) = src_local_addr;
    emu_cmd_reg(noc, cmd_buf, NOC_RET_ADDR_LO) = dst_local_addr;
    if constexpr (!one_packet) emu_cmd_reg(noc, cmd_buf, NOC_AT_LEN_BE) = len_bytes;
    NOC_CMD_BUF_WRITE_REG(noc, cmd_buf, NOC_CMD_CTRL, NOC_CTRL_SEND_REQ);
}

template <uint8_t noc_mode = DM_DEDICATED_NOC, bool inc_num_issued = true>
inline void ncrisc_noc_read_any_len_with_state(uint32_t noc, uint32_t cmd_buf, uint32_t src_local_addr,
                                               uint32_t dst_local_addr, uint32_t len_bytes) {
    while (len_bytes > NOC_MAX_BURST_SIZE) {
        ncrisc_noc_read_with_state<noc_mode, inc_num_issued>(noc, cmd_buf, src_local_addr, dst_local_addr,
                                                             NOC_MAX_BURST_SIZE);
        src_local_addr += NOC_MAX_BURST_SIZE;
        dst_local_addr += NOC_MAX_BURST_SIZE;
        len_bytes -= NOC_MAX_BURST_SIZE;
    }
    ncrisc_noc_read_with_state<noc_mode, inc_num_issued>(noc, cmd_buf, src_local_addr, dst_local_addr, len_bytes);
}

template <bool posted = false, bool one_packet = false>
inline void ncrisc_noc_write_set_state(uint32_t noc, uint32_t cmd_buf, uint64_t dst_noc_addr, uint32_t len_bytes = 0,
                                       const uint32_t vc = 0) {
    emu_cmd_reg(noc, cmd_buf, NOC_CTRL) = emu_write_ctrl(vc, false, false, false, posted);
    emu_cmd_reg(noc, cmd_buf, NOC_RET_ADDR_MID) = uint32_t(dst_noc_addr >> 32);
    emu_cmd_reg(noc, cmd_buf, NOC_TARG_ADDR_MID) = uint32_t(NOC_XY_ADDR(my_x[noc], my_y[noc], 0) >> 32);
    if constexpr (one_packet) emu_cmd_reg(noc, cmd_buf, NOC_AT_LEN_BE) = len_bytes;
}

template <uint8_t noc_mode = DM_DEDICATED_NOC, bool posted = false, bool update_counter = true, bool one_packet = false>
inline void ncrisc_noc_write_with_state(uint32_t noc, uint32_t cmd_buf, uint32_t src_local_addr,
                                        uint32_t dst_local_addr, uint32_t len_bytes = 0) {
    if constexpr (update_counter) {
        if constexpr (posted) {
            emu_count_issue<noc_mode>(noc, NocBarrierType::POSTED_WRITES_NUM_ISSUED);
        } else {
            emu_count_issue<noc_mode>(noc, NocBarrierType::NONPOSTED_WRITES_NUM_ISSUED);
            emu_count_issue<noc_mode>(noc, NocBarrierType::NONPOSTED_WRITES_ACKED);
        }
    }
    emu_cmd_reg(noc, cmd_buf, NOC_TARG_ADDR_LO) = src_local_addr;
    emu_cmd_reg(noc, cmd_buf, NOC_RET_ADDR_LO) = dst_local_addr;
    if constexpr (!one_packet) emu_cmd_reg(noc, cmd_buf, NOC_AT_LEN_BE) = len_bytes;
    NOC_CMD_BUF_WRITE_REG(noc, cmd_buf, NOC_CMD_CTRL, NOC_CTRL_SEND_REQ);
}

template <uint8_t noc_mode = DM_DEDICATED_NOC, bool posted = false, bool update_counter = true>
inline void ncrisc_noc_write_any_len_with_state(uint32_t noc, uint32_t cmd_buf, uint32_t src_local_addr,
                                                uint32_t dst_local_addr, uint32_t len_bytes) {
    while (len_bytes > NOC_MAX_BURST_SIZE) {
        ncrisc_noc_write_with_state<noc_mode, posted, update_counter>(noc, cmd_buf, src_local_addr, dst_local_addr,
                                                                      NOC_MAX_BURST_SIZE);
        src_local_addr += NOC_MAX_BURST_SIZE;
        dst_local_addr += NOC_MAX_BURST_SIZE;
        len_bytes -= NOC_MAX_BURST_SIZE;
    }
    ncrisc_noc_write_with_state<noc_mode, posted, update_counter>(noc, cmd_buf, src_local_addr, dst_local_addr,
                                                                  len_bytes);
}

template <bool posted = false, bool set_val = false>
inline void noc_fast_write_dw_inline_set_state(uint32_t noc, uint32_t cmd_buf, uint64_t dest_addr, uint32_t be,
                                               uint32_t static_vc, uint32_t val = 0) {
    emu_cmd_reg(noc, cmd_buf, NOC_CTRL) = NOC_CMD_CPY | NOC_CMD_WR | NOC_CMD_WR_INLINE | NOC_CMD_VC_STATIC |
                                          NOC_CMD_STATIC_VC(static_vc) | (posted ? 0 : NOC_CMD_RESP_MARKED);
    noc_cmd_buf_set_ret_addr(noc, cmd_buf, dest_addr);
    emu_cmd_reg(noc, cmd_buf, NOC_AT_LEN_BE) = be;
    if constexpr (set_val) emu_cmd_reg(noc, cmd_buf, NOC_AT_DATA) = val;
}

template <uint8_t noc_mode = DM_DEDICATED_NOC, bool update_addr_lo = false, bool update_addr_hi = false,
          bool update_val = false, bool posted = false, bool update_counter = true,
          InlineWriteDst dst_type = InlineWriteDst::DEFAULT>
inline void noc_fast_write_dw_inline_with_state(uint32_t noc, uint32_t cmd_buf, uint32_t val = 0,
                                                uint64_t dest_addr = 0) {
    if constexpr (update_counter) {
        if constexpr (posted) {
            emu_count_issue<noc_mode>(noc, NocBarrierType::POSTED_WRITES_NUM_ISSUED);
        } else {
            emu_count_issue<noc_mode>(noc, NocBarrierType::NONPOSTED_WRITES_NUM_ISSUED);
            emu_count_issue<noc_mode>(noc, NocBarrierType::NONPOSTED_WRITES_ACKED);
        }
    }
    if constexpr (update_val) emu_cmd_reg(noc, cmd_buf, NOC_AT_DATA) = val;
    if constexpr (update_addr_lo) emu_cmd_reg(noc, cmd_buf, NOC_RET_ADDR_LO) = uint32_t(dest_addr);
    if constexpr (update_addr_hi) emu_cmd_reg(noc, cmd_buf, NOC_RET_ADDR_MID) = uint32_t(dest_addr >> 32);
    NOC_CMD_BUF_WRITE_REG(noc, cmd_buf, NOC_CMD_CTRL, NOC_CTRL_SEND_REQ);
}

template <bool write, bool posted>
inline uint32_t get_noc_counter_for_debug(uint32_t noc) {
    if constexpr (!write) return noc_reads_num_issued[noc];
    if constexpr (posted) return noc_posted_writes_num_issued[noc];
    return noc_nonposted_writes_num_issued[noc];
}
