// The runtime side of emu/hal.h: what the shadows of the wheel's lowest headers call. Stream registers (CB
// counters) live in each core's arena above L1; NoC transactions are queued per issuing thread in issue order and
// land when that thread reads the NIU status (a barrier) or waits; the NIU status counters are per core and NoC.
#include "emu/hal.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>
#include <sys/mman.h>

#include <algorithm>
#include <array>

#include <chrono>
#include <cstring>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <vector>

#include "emu/runtime.h"

namespace emu {

namespace {

constexpr uint32_t kNumNocs = 2;
constexpr uint32_t kNumTrids = 16;
// NIU status register indices (Wormhole noc_parameters.h).
constexpr uint32_t kAtomicRespReceived = 0x0, kWrAckReceived = 0x1, kRdRespReceived = 0x2;
constexpr uint32_t kNonpostedWrReqSent = 0xA, kPostedWrReqSent = 0xB;
constexpr uint32_t kReqsOutstandingId = 0x10, kWriteReqsOutgoingId = 0x20;

struct Niu {
    uint32_t rd_resp = 0, wr_ack = 0, atomic_resp = 0, nonposted_sent = 0, posted_sent = 0;
    uint32_t outstanding[kNumTrids] = {};
};

enum class OpKind : uint8_t { Read, Write, Atomic };

struct NocOp {
    OpKind kind;
    uint32_t noc, trid, bytes, value, wrap;
    bool posted;
    uint8_t* dst;
    const uint8_t* src;
    bool local_src = false;  // src is this core's L1 (a write's data; not an inline write's staged word)
    // Return addresses of the call chain that issued it (the wheel's issue functions are not always inlined into
    // the kernel), symbolized only for a report.
    void* issuer[8] = {};
};

struct CoreNiu {
    std::mutex mu;
    Niu niu[kNumNocs];
};

std::mutex g_niu_mu;
std::unordered_map<const Core*, CoreNiu> g_niu;

// The per-core hardware blocks, by core index, kept for the life of the process (device re-opens reuse them).
std::mutex g_hw_mu;
std::vector<uint8_t*> g_hw;

uint8_t* core_hardware(const Core& c) {
    std::lock_guard<std::mutex> lock(g_hw_mu);
    if (g_hw.size() <= c.index) {
        // Every core's block at once, in one mapping above the L1 reservation's range: blocks mapped one at a time
        // as programs reach new cores would land between and beside L1 and split the hole a later device_open needs.
        const size_t n = std::max<size_t>(device().cores.size(), c.index + 1) - g_hw.size();
        void* p = map_below_4gib(n * hal::kCoreHardwareSize, kCoreHardwareWindow, PROT_READ | PROT_WRITE);
        if (!p) throw std::runtime_error("cannot map the cores' stream registers below 4 GiB");
        for (size_t i = 0; i < n; ++i) g_hw.push_back(static_cast<uint8_t*>(p) + i * hal::kCoreHardwareSize);
    }
    return g_hw[c.index];
}

bool in_stream_regs(const Core& c, uint32_t addr) {
    const uintptr_t regs = uintptr_t(core_hardware(c));
    return addr >= regs && addr + 4 <= regs + hal::kNumStreams * hal::kStreamRegSpace;
}

CoreNiu& niu_of(const Core* c) {
    std::lock_guard<std::mutex> lock(g_niu_mu);
    return g_niu[c];
}

// Per kernel thread: its queued transactions and how long it has been polling.
thread_local std::vector<NocOp> t_ops;
// The CB counters as this thread last saw them while it had transactions in flight, and which CBs it produces
// (it polls their acked counter: cb_reserve_back) or consumes (it polls received: cb_wait_front).
thread_local uint16_t t_seen_received[kNumCBs], t_seen_acked[kNumCBs];
thread_local uint32_t t_produces = 0, t_consumes = 0;
thread_local uint32_t t_polls = 0;
thread_local uint64_t t_progress_seen = 0;
thread_local int t_polled_cb = -1;  // the CB whose counter this thread last read
thread_local int t_polled_side = 0;  // 1: its received counter (a wait for pages), 2: acked (a wait for space)

Thread& self() {
    Thread* t = current_thread();
    if (!t) throw std::runtime_error("emulator hardware layer called outside a kernel thread");
    return *t;
}

const Loc kNoLoc{"", 0};

std::string hex(uint64_t v) {
    std::ostringstream os;
    os << "0x" << std::hex << v;
    return os.str();
}

uint8_t* local_l1(Thread& t, uint32_t addr, uint32_t bytes, const char* call) {
    const uintptr_t base = uintptr_t(t.core->l1);
    uintptr_t p = addr;
    if (p < device().l1_size) p += base;  // a raw L1 offset
    if (p < base || p + bytes > base + device().l1_size) {
        fail(call, -1, kNoLoc, "local L1 range " + hex(addr) + "+" + std::to_string(bytes) + " is outside this core's L1");
    }
    return reinterpret_cast<uint8_t*>(p);
}

// The L1 offset a kernel's address names: kernels hold L1 addresses as host addresses inside their own core's
// arena (the arenas sit l1_stride apart in one mapping), or as raw offsets below the L1 size.
uint32_t l1_local_offset(uint64_t noc_addr) {
    const uint64_t addr = noc_addr & ((1ull << 36) - 1);
    const Device& d = device();
    const uintptr_t base = uintptr_t(d.l1_region);
    if (addr >= base && addr < base + uintptr_t(d.cores.size()) * d.l1_stride) return uint32_t((addr - base) % d.l1_stride);
    return uint32_t(addr);
}

// Cores of a multicast rectangle, in NoC coordinates (end at bits 36/42, start at 48/54 of the address).
std::vector<Core*> mcast_cores(uint64_t addr, const char* call) {
    const uint32_t ex = (addr >> 36) & 0x3f, ey = (addr >> 42) & 0x3f, sx = (addr >> 48) & 0x3f,
                   sy = (addr >> 54) & 0x3f;
    Device& d = device();
    std::vector<Core*> out;
    for (uint32_t y = std::min(sy, ey); y <= std::max(sy, ey); ++y)
        for (uint32_t x = std::min(sx, ex); x <= std::max(sx, ex); ++x) {
            if (x == 0 || y == 0 || x - 1 >= d.grid_x || y - 1 >= d.grid_y)
                fail(call, -1, kNoLoc, "multicast rectangle " + hex(addr) + " leaves the worker grid");
            out.push_back(d.core(x - 1, y - 1));
        }
    return out;
}

// " (issued at <kernel>:<line>, in <wheel call> (<header>:<line>))".
std::string issued_at(const Thread& t, const NocOp& op) {
    std::vector<void*> stack;
    for (void* ra : op.issuer)
        if (ra) stack.push_back(ra);
    if (stack.empty()) return "";
    const KernelSite site = kernel_site(t, stack);
    if (site.line <= 0) return "";
    std::string at = " (issued at " + site.kernel_file + ":" + std::to_string(site.line);
    if (!site.api_call.empty()) at += ", in " + site.api_call + " (" + site.api_loc + ")";
    return at + ")";
}

void land(const NocOp& op, Thread& t) {
    Core* issuer = t.core;
    CoreNiu& n = niu_of(issuer);
    switch (op.kind) {
        case OpKind::Read: std::memmove(op.dst, op.src, op.bytes); break;
        case OpKind::Write:
            // Sending L1 that nothing wrote since the program started is always a kernel bug (a wrong pointer, or
            // a page sent before its producer filled it).
            if (op.local_src) {
                for (uint32_t off = 0; off + 16 <= op.bytes; off += 16) {
                    if (!is_poisoned(op.src + off, 16)) continue;
                    std::ostringstream os;
                    os << "sends " << op.bytes << " bytes from L1 " << hex(uintptr_t(op.src))
                       << " that was never written since the program started (poisoned at byte " << off
                       << "); the source pointer, or the cb_wait_front before it, is wrong" << issued_at(t, op);
                    fail("noc_async_write", -1, kNoLoc, os.str());
                }
            }
            std::memmove(op.dst, op.src, op.bytes);
            break;
        case OpKind::Atomic: {
            auto* word = reinterpret_cast<uint32_t*>(op.dst);
            const uint32_t mask = op.wrap >= 31 ? 0xffffffffu : ((2u << op.wrap) - 1);
            __atomic_store_n(word, (__atomic_load_n(word, __ATOMIC_SEQ_CST) & ~mask) |
                                       ((__atomic_load_n(word, __ATOMIC_SEQ_CST) + op.value) & mask),
                             __ATOMIC_SEQ_CST);
            break;
        }
    }
    std::lock_guard<std::mutex> lock(n.mu);
    Niu& s = n.niu[op.noc];
    if (op.kind == OpKind::Read) ++s.rd_resp;
    if (op.kind == OpKind::Atomic && !op.posted) ++s.atomic_resp;
    if (op.kind == OpKind::Write) ++(op.posted ? s.posted_sent : s.nonposted_sent);
    if (op.kind == OpKind::Write && !op.posted) ++s.wr_ack;
    if (s.outstanding[op.trid]) --s.outstanding[op.trid];
}

void land_all(Thread& t) {
    if (t_ops.empty()) return;
    std::vector<NocOp> ops;
    ops.swap(t_ops);
    for (const NocOp& op : ops) land(op, t);
    op_status().progress.fetch_add(1, std::memory_order_relaxed);
    for (auto& c : device().cores) c->cv.notify_all();
}

// The CB whose write (or read) pointer the kernel moved past its FIFO end, from the kernel object's own
// cb_interface (the firmware global LocalCBInterface array: fifo_size, fifo_limit, page size, pages, rd, wr), or -1.
int cb_past_fifo_end(const Thread& t, bool write_side) {
    void* sym = dlsym(t.handle, "cb_interface");
    Dl_info info{};
    void* entry_ptr = nullptr;
    if (!sym || !dladdr1(sym, &info, &entry_ptr, RTLD_DL_SYMENT) || !entry_ptr) return -1;
    const auto* entry = static_cast<const ElfW(Sym)*>(entry_ptr);
    const size_t stride = entry->st_size / kNumCBs;
    if (stride < 24) return -1;
    for (uint32_t i = 0; i < kNumCBs; ++i) {
        const auto* cb = reinterpret_cast<const uint32_t*>(static_cast<const uint8_t*>(sym) + i * stride);
        if (cb[0] != 0 && cb[write_side ? 5 : 4] > cb[1]) return int(i);
    }
    return -1;
}

uint32_t cb_counter(const Core& c, int cb, bool received) {
    const auto* regs = reinterpret_cast<const uint32_t*>(core_hardware(c) + size_t(cb) * hal::kStreamRegSpace);
    return __atomic_load_n(regs + (received ? 4 : 3), __ATOMIC_SEQ_CST);  // REMOTE_DEST_BUF_SIZE / _START
}

void snapshot_counters(const Thread& t) {
    for (uint32_t cb = 0; cb < kNumCBs; ++cb) {
        if (!t.core->cbs[cb].configured) continue;
        t_seen_received[cb] = uint16_t(cb_counter(*t.core, int(cb), true));
        t_seen_acked[cb] = uint16_t(cb_counter(*t.core, int(cb), false));
    }
}

// Whether pages [from, to) of a CB (page counts; page n sits at FIFO slot n % num_pages, as the pointers wrap only
// on the FIFO end) overlap the L1 range [lo, lo + bytes).
bool pages_overlap(const CB& c, uint16_t from, uint16_t to, const uint8_t* lo, uint32_t bytes) {
    const uintptr_t a = uintptr_t(lo), b = a + bytes;
    for (uint32_t n = 0; uint16_t(from + n) != to && n < c.num_pages; ++n) {
        const uintptr_t p = c.fifo_addr + uintptr_t(uint16_t(from + n) % c.num_pages) * c.page_size;
        if (p < b && p + c.page_size > a) return true;
    }
    return false;
}

// At each entry of a thread with transactions in flight: the pages it pushed since its last entry must not be ones
// a read of its own is still filling, nor the pages it popped ones a write of its own is still sending (the
// consumer, or the producer refilling the slot, would see the wrong data on silicon). The wheel's cb_push_back /
// cb_pop_front only add to the counters, so the check runs at the thread's next call into the emulator.
void check_in_flight(Thread& t) {
    if (t_ops.empty()) return;
    for (uint32_t i = 0; i < kNumCBs; ++i) {
        const CB& c = t.core->cbs[i];
        if (!c.configured) continue;
        const int cb = int(i);
        const uint16_t received = uint16_t(cb_counter(*t.core, cb, true));
        const uint16_t acked = uint16_t(cb_counter(*t.core, cb, false));
        for (const NocOp& op : t_ops) {
            if ((t_produces >> i & 1) && received != t_seen_received[i] && op.kind == OpKind::Read &&
                pages_overlap(c, t_seen_received[i], received, op.dst, op.bytes)) {
                fail("cb_push_back", cb, kNoLoc,
                     "pushes pages that a noc_async_read" + issued_at(t, op) +
                         " is still filling; call noc_async_read_barrier() before cb_push_back");
            }
            if ((t_consumes >> i & 1) && acked != t_seen_acked[i] && op.kind == OpKind::Write && op.local_src &&
                pages_overlap(c, t_seen_acked[i], acked, op.src, op.bytes)) {
                fail("cb_pop_front", cb, kNoLoc,
                     "pops pages that a noc_async_write" + issued_at(t, op) +
                         " is still sending; call noc_async_write_barrier() (or noc_async_writes_flushed()) before "
                         "cb_pop_front");
            }
        }
        t_seen_received[i] = received;
        t_seen_acked[i] = acked;
    }
}

// The first queued transaction of this thread whose local L1 side overlaps [p, p + bytes) and is of `kind`.
const NocOp* pending_over(OpKind kind, const uint8_t* p, uint32_t bytes) {
    for (const NocOp& op : t_ops) {
        const uint8_t* local = kind == OpKind::Read ? op.dst : (op.local_src ? op.src : nullptr);
        if (op.kind == kind && local && local < p + bytes && p < local + op.bytes) return &op;
    }
    return nullptr;
}

// NoC transfers move L1 in 16-byte words: a local address off that grid corrupts data on silicon.
void check_local_alignment(const uint8_t* p, const char* call) {
    const uint32_t offset = uint32_t(uintptr_t(p) - uintptr_t(current_thread()->core->l1));
    if (offset % kL1Alignment == 0) return;
    fail(call, -1, kNoLoc,
         "L1 address " + hex(offset) + " is not " + std::to_string(kL1Alignment) +
             "-byte aligned; misaligned NoC transfers corrupt data on hardware");
}

void queue(Thread& t, NocOp op) {
    if (t_ops.empty()) snapshot_counters(t);
    if (op.kind != OpKind::Atomic) {  // where it was issued, for a report naming its kernel line
        // The emulator's own frames come first; symbolizing keeps only those inside the kernel object.
        backtrace(op.issuer, int(sizeof op.issuer / sizeof op.issuer[0]));
    }
    {
        CoreNiu& n = niu_of(t.core);
        std::lock_guard<std::mutex> lock(n.mu);
        ++n.niu[op.noc].outstanding[op.trid];
    }
    t_ops.push_back(op);
    note_call("noc", -1, kNoLoc);
}

}  // namespace

void note_waiting(Thread& t, int cb, int side);

namespace {
// Which thread of each core produces (polls the acked counter: cb_reserve_back) and consumes (polls received:
// cb_wait_front) each CB. Each side keeps its FIFO pointer in its own kernel's cb_interface, so two threads on one
// side move two pointers over one FIFO and overwrite (or re-read) each other's pages.
std::mutex g_side_mu;
std::unordered_map<const Core*, std::array<std::array<const Thread*, 2>, kNumCBs>> g_cb_sides;

void claim_cb_side(Thread& t, int cb, bool producer) {
    const Thread* other;
    {
        std::lock_guard<std::mutex> lock(g_side_mu);
        const Thread*& owner = g_cb_sides[t.core][cb][producer ? 1 : 0];
        if (!owner) owner = &t;
        other = owner;
    }
    if (other == &t) return;
    fail(producer ? "cb_reserve_back" : "cb_wait_front", cb, kNoLoc,
         std::string("two threads move the ") + (producer ? "write" : "read") + " pointer of this CB (already " +
             risc_label(*other) + " " + other->kernel.kernel_path + "); only one thread may be its " +
             (producer ? "producer" : "consumer"));
}
}  // namespace
void note_not_waiting(const Thread& t);
std::string where_now(const Thread& t);

// The wheel's cb_push_back / cb_pop_front add to a CB's received / acked counters with no check; a poll of either
// counter checks that the pages pushed and not yet popped fit the CB (a push past the reserve overfills it, a pop
// past what was pushed runs acked ahead of received).
void check_cb_counters(Thread& t, int cb) {
    if (cb < 0 || uint32_t(cb) >= kNumCBs || !t.core->cbs[cb].configured) return;
    const auto* regs = reinterpret_cast<const uint32_t*>(core_hardware(*t.core) + size_t(cb) * hal::kStreamRegSpace);
    uint32_t acked, received;
    for (;;) {  // a consistent snapshot: both counters only grow
        acked = __atomic_load_n(regs + 3, __ATOMIC_SEQ_CST);     // STREAM_REMOTE_DEST_BUF_START_REG_INDEX
        received = __atomic_load_n(regs + 4, __ATOMIC_SEQ_CST);  // STREAM_REMOTE_DEST_BUF_SIZE_REG_INDEX
        if (__atomic_load_n(regs + 3, __ATOMIC_SEQ_CST) == acked && __atomic_load_n(regs + 4, __ATOMIC_SEQ_CST) == received)
            break;
    }
    const uint16_t held = uint16_t(received - acked);  // the hardware counts pages in 16 bits
    const uint32_t pages = t.core->cbs[cb].num_pages;
    if (held <= pages) return;
    std::ostringstream os;
    if (held < 0x8000)
        os << held << " pages pushed and not popped exceed the CB's " << pages
           << " pages (a cb_push_back past what cb_reserve_back reserved)";
    else
        os << "pages popped run " << uint16_t(acked - received)
           << " ahead of pages pushed (a cb_pop_front past what cb_wait_front waited for)";
    fail("cb counters", cb, kNoLoc, os.str());
}

// A CB's received / acked page counter as the wheel's kernels keep it (its stream's registers).
uint32_t cb_stream_counter(const Core& c, int cb, bool received) { return cb_counter(c, cb, received); }

// Fills the firmware view of one kernel thread (what the firmware's start-up reads from its launch message).
void firmware_view(const Thread& t, EmuFirmwareInit& init, std::vector<uint16_t>& dram_xy,
                   std::vector<int32_t>& dram_off) {
    const Device& d = device();
    std::memset(&init, 0, sizeof(init));
    init.noc_x = uint8_t(noc_x(t.core->x));
    init.noc_y = uint8_t(noc_y(t.core->y));
    init.stream_regs = uint32_t(uintptr_t(core_hardware(*t.core)));
    init.tensix_state = init.stream_regs + hal::kTensixStateOffset;
    init.sem_l1 = uint32_t(uintptr_t(t.core->l1) + hal::kSemaphoreL1Offset);
    init.rta_l1 = t.args_l1;
    init.crta_l1 = t.common_args_l1;
    // The two vectors hold the DRAM banks' entries, then the L1 banks' (filled first: the pointers taken below
    // must not move). A bank table entry is the NoC coordinate word of the bank (x | y << 6), shifted into place
    // above the 36 local address bits by get_noc_addr_from_bank_id's NOC_COORD_REG_OFFSET shift. DRAM bank b sits
    // at NoC (0, b); L1 bank b is worker core l1_bank_core[b]; every bank's offset is 0 (buffers are allocated at
    // the same address in every bank).
    const uint32_t n_l1 = uint32_t(d.l1_bank_core.size());
    dram_xy.clear();
    dram_off.assign(d.num_dram_banks + n_l1, 0);
    for (uint32_t b = 0; b < d.num_dram_banks; ++b) dram_xy.push_back(uint16_t(((b << 6) | 0) << 4));
    for (const auto& [x, y] : d.l1_bank_core) dram_xy.push_back(uint16_t(((noc_y(y) << 6) | noc_x(x)) << 4));
    init.num_dram_banks = d.num_dram_banks;
    init.dram_bank_xy = dram_xy.data();
    init.dram_bank_offset = dram_off.data();
    init.num_l1_banks = n_l1;
    init.l1_bank_xy = dram_xy.data() + d.num_dram_banks;
    init.l1_bank_offset = dram_off.data() + d.num_dram_banks;
    for (uint32_t i = 0; i < kNumCBs; ++i) {
        const CB& cb = t.core->cbs[i];
        if (!cb.configured) continue;
        init.cbs[i] = {cb.fifo_addr, cb.fifo_size, cb.page_size, cb.num_pages};
    }
}

void forget_waits();

namespace {
std::mutex g_sem_mu;
std::unordered_map<uint32_t, std::vector<std::pair<uint32_t, uint32_t>>> g_staged_sems;  // core xy -> (id, value)
}  // namespace

void reset_core_hardware(Core& core) {
    forget_waits();
    {
        std::lock_guard<std::mutex> lock(g_side_mu);
        g_cb_sides.erase(&core);
    }
    {
        std::lock_guard<std::mutex> lock(g_sem_mu);
        auto it = g_staged_sems.find(core.y << 16 | core.x);
        if (it != g_staged_sems.end()) {
            for (auto [id, value] : it->second)
                std::memcpy(core.l1 + hal::kSemaphoreL1Offset + id * 16, &value, 4);
            g_staged_sems.erase(it);
        }
    }
    std::memset(core_hardware(core), 0, hal::kCoreHardwareSize);
    CoreNiu& n = niu_of(&core);
    std::lock_guard<std::mutex> lock(n.mu);
    for (Niu& s : n.niu) s = Niu{};
}

}  // namespace emu

using namespace emu;

// The wheel's cb_push_back / cb_pop_front add to the CB counters with plain stores the emulator never sees. A
// thread that finds a counter of its core moved since it last looked (its own push, or another thread's pop) counts
// it as the program's progress and wakes the core's sleeping waiters: without it a producer's waiter would sleep
// out its back-off, and two threads handing pages to each other would look stalled to the deadlock check.
thread_local uint32_t t_counters_seen[2 * kNumCBs];
thread_local const Core* t_counters_core = nullptr;

void note_counter_moves(Thread& t) {
    bool moved = t_counters_core != t.core;
    t_counters_core = t.core;
    for (uint32_t cb = 0; cb < kNumCBs; ++cb) {
        if (!t.core->cbs[cb].configured) continue;
        for (uint32_t side = 0; side < 2; ++side) {
            const uint32_t now = cb_counter(*t.core, int(cb), side == 0);
            if (now != t_counters_seen[2 * cb + side]) {
                t_counters_seen[2 * cb + side] = now;
                moved = true;
            }
        }
    }
    if (!moved) return;
    op_status().progress.fetch_add(1, std::memory_order_relaxed);
    t.core->cv.notify_all();
}

extern "C" {

uint32_t emu_reg_read(uint32_t addr) {
    Thread& t = self();
    if (in_stream_regs(*t.core, addr)) {
        // Kernels read CB counters in wait loops, some without invalidate_l1_cache(): each read is a poll.
        const uint32_t offset = uint32_t(addr - uintptr_t(core_hardware(*t.core)));
        t_polled_cb = int(offset / hal::kStreamRegSpace);
        const uint32_t reg = offset % hal::kStreamRegSpace / 4;
        t_polled_side = reg == 4 ? 1 : reg == 3 ? 2 : 0;
        if (t_polled_cb < int(kNumCBs) && t_polled_side) {
            uint32_t& mine = t_polled_side == 1 ? t_consumes : t_produces;
            if (!(mine >> t_polled_cb & 1)) claim_cb_side(t, t_polled_cb, t_polled_side == 2);
            mine |= 1u << t_polled_cb;
        }
        check_in_flight(t);
        check_cb_counters(t, t_polled_cb);
        emu_poll();
        return __atomic_load_n(reinterpret_cast<const uint32_t*>(uintptr_t(addr)), __ATOMIC_SEQ_CST);
    }
    fail("reg_read", -1, kNoLoc, "register " + hex(addr) + " is not modelled by the emulator");
}

void emu_reg_write(uint32_t addr, uint32_t value) {
    Thread& t = self();
    check_in_flight(t);
    if (in_stream_regs(*t.core, addr)) {
        __atomic_store_n(reinterpret_cast<uint32_t*>(uintptr_t(addr)), value, __ATOMIC_SEQ_CST);
        op_status().progress.fetch_add(1, std::memory_order_relaxed);
        t.core->cv.notify_all();
        return;
    }
    fail("WRITE_REG", -1, kNoLoc, "register " + hex(addr) + " is not modelled by the emulator");
}

void emu_poll(void) {
    Thread& t = self();
    if (op_status().aborted) unwind();
    check_in_flight(t);
    // A waiting thread's own transactions complete (on silicon they land on their own while it waits).
    land_all(t);
    note_counter_moves(t);
    const uint64_t progress = op_status().progress.load(std::memory_order_relaxed);
    if (progress != t_progress_seen) {
        if (t_polls >= 64) note_not_waiting(t);
        t_progress_seen = progress;
        t_polls = 0;
        t_polled_cb = -1;
    }
    if (++t_polls < 64) {
        std::this_thread::yield();
        return;
    }
    // Nothing changed for a while: the thread waits. Sleep until another thread of the core changes something, or
    // briefly; now and then it checks whether the whole program is stuck.
    if (t_polls % 64 == 0) note_waiting(t, t_polled_cb, t_polled_side);
    if (op_status().aborted) unwind();
    std::unique_lock<std::mutex> lock(t.core->mu);
    t.core->cv.wait_for(lock, std::chrono::microseconds(std::min<uint32_t>(50u << std::min(t_polls / 64, 5u), 1000)));
}

void emu_notify(void) {
    Thread& t = self();
    op_status().progress.fetch_add(1, std::memory_order_relaxed);
    t.core->cv.notify_all();
}

[[noreturn]] void emu_unsupported(const char* what) {
    fail("compute", -1, kNoLoc, std::string(what) + " is not implemented by the emulator");
}

uint64_t emu_wall_clock(void) {
    using namespace std::chrono;
    // Wormhole's wall clock ticks at the AI clock (1 GHz): one tick per nanosecond.
    return uint64_t(duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count());
}

void emu_noc_read(uint32_t noc, uint64_t src_noc_addr, uint32_t dst_l1, uint32_t bytes, uint32_t trid) {
    Thread& t = self();
    check_in_flight(t);
    bool dram;
    const uint8_t* src = bytes ? noc_resolve(src_noc_addr, bytes, "noc_async_read", kNoLoc, &dram) : nullptr;
    uint8_t* dst = local_l1(t, dst_l1, bytes, "noc_async_read");
    if (bytes) {
        check_local_alignment(dst, "noc_async_read");
        if (const NocOp* w = pending_over(OpKind::Write, dst, bytes)) {
            fail("noc_async_read", -1, kNoLoc,
                 "reads into L1 that a noc_async_write" + issued_at(t, *w) +
                     " is still sending (no noc_async_write_barrier() in between); on hardware the write may send "
                     "the new data instead of the old");
        }
    }
    queue(t, {OpKind::Read, noc & 1, trid & 0xf, bytes, 0, 0, false, dst, src});
}

void emu_noc_write(uint32_t noc, uint32_t src_l1, uint64_t dst_noc_addr, uint32_t bytes, int multicast,
                   int include_self, int posted, uint32_t trid) {
    Thread& t = self();
    check_in_flight(t);
    const uint8_t* src = local_l1(t, src_l1, bytes, "noc_async_write");
    if (bytes) {
        check_local_alignment(src, "noc_async_write");
        if (const NocOp* r = pending_over(OpKind::Read, src, bytes)) {
            fail("noc_async_write", -1, kNoLoc,
                 "sends L1 that a noc_async_read" + issued_at(t, *r) +
                     " is still filling; call noc_async_read_barrier() before using data a read brings in");
        }
    }
    auto write_op = [&](uint8_t* dst) {
        NocOp op{OpKind::Write, noc & 1, trid & 0xf, bytes, 0, 0, posted != 0, dst, src};
        op.local_src = true;
        return op;
    };
    if (!multicast) {
        bool dram;
        uint8_t* dst = noc_resolve(dst_noc_addr, bytes, "noc_async_write", kNoLoc, &dram);
        queue(t, write_op(dst));
        return;
    }
    const uint32_t offset = l1_local_offset(dst_noc_addr);
    if (uint64_t(offset) + bytes > device().l1_size)
        fail("noc_async_write_multicast", -1, kNoLoc, "multicast destination " + hex(offset) + "+" +
                                                           std::to_string(bytes) + " runs past the end of L1");
    for (Core* c : mcast_cores(dst_noc_addr, "noc_async_write_multicast")) {
        if (c == t.core && !include_self) continue;
        queue(t, write_op(c->l1 + offset));
    }
}

void emu_noc_atomic_inc(uint32_t noc, uint64_t dst_noc_addr, uint32_t incr, uint32_t wrap, int multicast,
                        int posted) {
    Thread& t = self();
    if (!multicast) {
        bool dram;
        uint8_t* dst = noc_resolve(dst_noc_addr & ~uint64_t(3), 4, "noc_semaphore_inc", kNoLoc, &dram);
        queue(t, {OpKind::Atomic, noc & 1, 0, 4, incr, wrap, posted != 0, dst, nullptr});
        return;
    }
    const uint32_t offset = l1_local_offset(dst_noc_addr);
    for (Core* c : mcast_cores(dst_noc_addr, "noc_semaphore_inc_multicast"))
        queue(t, {OpKind::Atomic, noc & 1, 0, 4, incr, wrap, posted != 0, c->l1 + offset, nullptr});
}

void emu_noc_inline_write(uint32_t noc, uint64_t dst_noc_addr, uint32_t value, uint32_t byte_enable, int multicast,
                          int posted) {
    // An inline write carries its 4 bytes with it: stage them where the queued copy can read them later.
    Thread& t = self();
    auto* staged = new uint32_t(value);  // lives as long as the op; reclaimed with the op list below
    static thread_local std::vector<std::unique_ptr<uint32_t>> keep;
    keep.emplace_back(staged);
    const uint32_t offset = uint32_t(dst_noc_addr & 0xf) & ~3u;
    uint32_t first = 0, count = 0;
    for (uint32_t b = 0; b < 4; ++b)
        if (byte_enable >> (offset + b) & 1) count = b + 1 - first;
    (void)first;
    const uint32_t bytes = count ? count : 4;
    if (!multicast) {
        bool dram;
        uint8_t* dst = noc_resolve(dst_noc_addr, bytes, "noc_inline_dw_write", kNoLoc, &dram);
        queue(t, {OpKind::Write, noc & 1, 0, bytes, 0, 0, posted != 0, dst, reinterpret_cast<uint8_t*>(staged)});
        return;
    }
    const uint32_t local = l1_local_offset(dst_noc_addr);
    for (Core* c : mcast_cores(dst_noc_addr, "noc_inline_dw_write_multicast"))
        queue(t, {OpKind::Write, noc & 1, 0, bytes, 0, 0, posted != 0, c->l1 + local,
                  reinterpret_cast<uint8_t*>(staged)});
}

uint32_t emu_noc_status(uint32_t noc, uint32_t reg_id) {
    Thread& t = self();
    check_in_flight(t);
    land_all(t);
    CoreNiu& n = niu_of(t.core);
    std::lock_guard<std::mutex> lock(n.mu);
    const Niu& s = n.niu[noc & 1];
    switch (reg_id) {
        case kAtomicRespReceived: return s.atomic_resp;
        case kWrAckReceived: return s.wr_ack;
        case kRdRespReceived: return s.rd_resp;
        case kNonpostedWrReqSent: return s.nonposted_sent;
        case kPostedWrReqSent: return s.posted_sent;
        default: break;
    }
    if (reg_id >= kReqsOutstandingId && reg_id < kReqsOutstandingId + kNumTrids)
        return s.outstanding[reg_id - kReqsOutstandingId];
    if (reg_id >= kWriteReqsOutgoingId && reg_id < kWriteReqsOutgoingId + kNumTrids)
        return s.outstanding[reg_id - kWriteReqsOutgoingId];
    fail("NOC_STATUS_READ_REG", -1, kNoLoc, "NIU status register " + hex(reg_id) + " is not modelled");
}

void emu_program_add_semaphore(uint32_t x, uint32_t y, uint32_t id, uint32_t initial_value) {
    std::lock_guard<std::mutex> lock(g_sem_mu);
    g_staged_sems[y << 16 | x].emplace_back(id, initial_value);
}

void emu_noc_clear_outstanding(uint32_t noc, uint32_t trid_mask) {
    Thread& t = self();
    CoreNiu& n = niu_of(t.core);
    std::lock_guard<std::mutex> lock(n.mu);
    for (uint32_t i = 0; i < kNumTrids; ++i)
        if (trid_mask >> i & 1) n.niu[noc & 1].outstanding[i] = 0;
}

[[noreturn]] void emu_assert_failed(const char* condition, const char* file, int line) {
    Thread& t = self();
    const std::string cond = condition;
    const std::string header = std::string(file).substr(std::string(file).find_last_of('/') + 1);
    std::string why;
    int cb = -1;
    if (cond.find("fifo_wr_ptr <=") != std::string::npos || cond.find("fifo_rd_ptr <=") != std::string::npos) {
        const bool push = cond.find("fifo_wr_ptr") != std::string::npos;
        cb = cb_past_fifo_end(t, push);
        why = std::string("moves the ") + (push ? "write" : "read") +
              " pointer past the FIFO end without landing on it; hardware wraps only on an exact landing, so the " +
              (push ? "pushes" : "pops") + " of one trip round the FIFO must add up to exactly the CB's pages (size the "
              "CB as a multiple of the block the kernel moves)";
    }
    fail("ASSERT", cb, kNoLoc,
         (why.empty() ? "" : why + "; ") + "the wheel's watcher assert (" + cond + ") at " + header + ":" +
             std::to_string(line) + " failed");
}

[[noreturn]] void emu_no_entry_point(void) {
    fail("start", -1, kNoLoc, "the kernel defines neither kernel_main() nor the legacy MAIN of its TRISC");
}
}

namespace emu {
// At kernel return: NoC transactions still queued were never waited for (the firmware's watcher asserts the NoC
// is idle when a kernel ends).
void hal_require_idle(Thread& t) {
    note_not_waiting(t);
    t_polls = 0;
    if (t_ops.empty()) return;
    check_in_flight(t);
    size_t reads = 0, writes = 0, atomics = 0;
    const NocOp* first[3] = {};
    for (const NocOp& op : t_ops) {
        const int k = int(op.kind);
        (op.kind == OpKind::Read ? reads : op.kind == OpKind::Write ? writes : atomics)++;
        if (!first[k]) first[k] = &op;
    }
    const bool r = reads > 0;
    const NocOp& op = *(r ? first[0] : writes ? first[1] : first[2]);
    const size_t n = r ? reads : writes ? writes : atomics;
    const std::string kind = r ? "noc_async_read" : writes ? "noc_async_write" : "noc_semaphore_inc";
    const std::string barrier = r ? "noc_async_read_barrier()" : writes ? "noc_async_write_barrier()" : "noc_async_atomic_barrier()";
    const std::string what = std::to_string(n) + " " + kind + "(s) still in flight" + issued_at(t, op) + " and no " +
                             barrier + " after them; on hardware the program can end before " +
                             (r ? "the data arrives" : "the data lands (the host then reads stale memory)") +
                             " and the watcher flags outstanding NoC transactions";
    t_ops.clear();
    fail("kernel end", -1, kNoLoc, "the kernel returned with " + what);
}
}  // namespace emu
