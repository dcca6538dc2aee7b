// NoC transfers. Every noc_async_* call is queued on the issuing thread and performed only at its barrier
// (or flush), so a kernel that forgets the barrier sees stale data deterministically, and pushes/pops that
// race an in-flight transfer are caught in cb.cpp.
#include <cstring>
#include <sstream>

#include "emu/runtime.h"

namespace emu {

namespace {

std::string hex(uint64_t v) {
    std::ostringstream os;
    os << "0x" << std::hex << v;
    return os.str();
}

// L1 offset of an address a kernel holds: either a host address inside some core's arena (what CB pointers
// are) or a raw offset below the L1 size.
uint32_t l1_offset(uint32_t addr, uint32_t bytes, const char* call, const Loc& loc) {
    Device& d = device();
    const uintptr_t base = reinterpret_cast<uintptr_t>(d.l1_region);
    uint32_t offset;
    if (addr >= base && addr < base + uintptr_t(d.cores.size()) * d.l1_stride) {
        offset = uint32_t((addr - base) % d.l1_stride);
    } else if (addr < d.l1_size) {
        offset = addr;
    } else {
        fail(call, -1, loc, "L1 address " + hex(addr) + " is not inside the core's L1");
    }
    if (uint64_t(offset) + bytes > d.l1_size) {
        fail(call, -1, loc, "L1 range " + hex(offset) + "+" + std::to_string(bytes) + " runs past the end of L1");
    }
    return offset;
}

void check_alignment(uint64_t addr, uint32_t alignment, const char* what, const char* call, const Loc& loc) {
    if (addr % alignment != 0) {
        std::ostringstream os;
        os << what << " address " << hex(addr) << " is not " << alignment
           << "-byte aligned; misaligned NoC transfers corrupt data on hardware";
        fail(call, -1, loc, os.str());
    }
}

Thread& self(const char* call) {
    Thread* t = current_thread();
    if (!t) throw std::runtime_error(std::string(call) + " called outside a kernel thread");
    return *t;
}

}  // namespace

uint8_t* noc_resolve(uint64_t noc_addr, uint32_t bytes, const char* call, const Loc& loc, bool* is_dram) {
    Device& d = device();
    const uint32_t xy = uint32_t(noc_addr >> 36);
    const uint32_t nx = xy & 0x3f, ny = (xy >> 6) & 0x3f;
    const uint64_t local = noc_addr & ((1ull << 36) - 1);
    if (nx == 0) {
        if (ny >= d.num_dram_banks) fail(call, -1, loc, "NoC address " + hex(noc_addr) + " names no DRAM bank");
        if (local + bytes > d.dram_bank_size) {
            fail(call, -1, loc, "DRAM range " + hex(local) + "+" + std::to_string(bytes) + " is past the bank end");
        }
        check_alignment(local, kDramAlignment, "DRAM", call, loc);
        *is_dram = true;
        return d.dram[ny] + local;
    }
    if (nx - 1 >= d.grid_x || ny - 1 >= d.grid_y || ny == 0) {
        fail(call, -1, loc, "NoC address " + hex(noc_addr) + " names no worker core of the grid");
    }
    const uint32_t offset = l1_offset(uint32_t(local), bytes, call, loc);
    check_alignment(offset, kL1Alignment, "remote L1", call, loc);
    *is_dram = false;
    return d.core(nx - 1, ny - 1)->l1 + offset;
}

static uint8_t* own_l1(Thread& t, uint32_t addr, uint32_t bytes, const char* call, const Loc& loc) {
    const uint32_t offset = l1_offset(addr, bytes, call, loc);
    check_alignment(offset, kL1Alignment, "L1", call, loc);
    return t.core->l1 + offset;
}

namespace {
// The first queued transfer of `list` whose local L1 side overlaps [p, p + bytes), or null.
const Transfer* overlapping(const std::vector<Transfer>& list, const uint8_t* p, uint32_t bytes) {
    const uint32_t lo = uint32_t(reinterpret_cast<uintptr_t>(p)), hi = lo + bytes;
    for (const Transfer& tr : list)
        if (tr.l1_addr < hi && tr.l1_addr + tr.bytes > lo) return &tr;
    return nullptr;
}
}  // namespace

void noc_read(uint64_t src_noc_addr, uint32_t dst_l1, uint32_t bytes, const Loc& loc) {
    Thread& t = self("noc_async_read");
    note_call("noc_async_read", -1, loc);
    if (bytes == 0) return;
    bool dram;
    const uint8_t* src = noc_resolve(src_noc_addr, bytes, "noc_async_read", loc, &dram);
    uint8_t* dst = own_l1(t, dst_l1, bytes, "noc_async_read", loc);
    if (const Transfer* w = overlapping(t.pending_writes, dst, bytes)) {
        std::ostringstream os;
        os << "reads into L1 that the noc_async_write issued at line " << w->loc.line
           << " is still sending (no noc_async_write_barrier() in between); on hardware the write may send the new "
              "data instead of the old";
        fail("noc_async_read", -1, loc, os.str());
    }
    t.pending_reads.push_back({dst, src, bytes, uint32_t(reinterpret_cast<uintptr_t>(dst)), loc});
}

void noc_write(uint32_t src_l1, uint64_t dst_noc_addr, uint32_t bytes, const Loc& loc) {
    Thread& t = self("noc_async_write");
    note_call("noc_async_write", -1, loc);
    if (bytes == 0) return;
    bool dram;
    uint8_t* dst = noc_resolve(dst_noc_addr, bytes, "noc_async_write", loc, &dram);
    const uint8_t* src = own_l1(t, src_l1, bytes, "noc_async_write", loc);
    if (const Transfer* r = overlapping(t.pending_reads, src, bytes)) {
        std::ostringstream os;
        os << "sends L1 that the noc_async_read issued at line " << r->loc.line
           << " is still filling; call noc_async_read_barrier() before using data a read brings in";
        fail("noc_async_write", -1, loc, os.str());
    }
    t.pending_writes.push_back({dst, src, bytes, uint32_t(reinterpret_cast<uintptr_t>(src)), loc});
}

// Zero-fill of local L1, as the NoC does from the core's MEM_ZEROS region.
void noc_write_zeros(uint32_t dst_l1, uint32_t bytes, const Loc& loc) {
    Thread& t = self("noc_async_write_zeros");
    note_call("noc_async_write_zeros", -1, loc);
    std::memset(own_l1(t, dst_l1, bytes, "noc_async_write_zeros", loc), 0, bytes);
}

void noc_flush_reads(Thread& t) {
    for (const Transfer& tr : t.pending_reads) std::memmove(tr.dst, tr.src, tr.bytes);
    t.pending_reads.clear();
}

void noc_flush_writes(Thread& t) {
    for (const Transfer& tr : t.pending_writes) {
        // A write that sends never-written L1 out is always a kernel bug (a wrong pointer or a missing wait).
        for (uint32_t off = 0; off + 16 <= tr.bytes; off += 16) {
            if (is_poisoned(tr.src + off, 16)) {
                std::ostringstream os;
                os << "sends " << tr.bytes << " bytes from L1 that was never written since the program started "
                   << "(poisoned at byte " << off << "); the source pointer or its cb_wait_front is wrong";
                fail("noc_async_write", -1, tr.loc, os.str());
            }
        }
        std::memmove(tr.dst, tr.src, tr.bytes);
    }
    t.pending_writes.clear();
}

void noc_require_idle(Thread& t) {
    for (auto* list : {&t.pending_writes, &t.pending_reads}) {
        if (list->empty()) continue;
        const bool writes = list == &t.pending_writes;
        const Transfer& first = list->front();
        std::ostringstream os;
        os << "the kernel returned with " << list->size() << " " << (writes ? "noc_async_write" : "noc_async_read")
           << "(s) still in flight (the first issued here) and no "
           << (writes ? "noc_async_write_barrier()" : "noc_async_read_barrier()")
           << " after them; on hardware the program can end before "
           << (writes ? "the data lands (the host then reads stale DRAM)" : "the data arrives")
           << " and the watcher flags outstanding NoC transactions";
        list->clear();
        fail(writes ? "noc_async_write" : "noc_async_read", -1, first.loc, os.str());
    }
}

void noc_read_barrier(const Loc& loc) {
    Thread& t = self("noc_async_read_barrier");
    note_call("noc_async_read_barrier", -1, loc);
    noc_flush_reads(t);
}

void noc_write_barrier(const Loc& loc) {
    Thread& t = self("noc_async_write_barrier");
    note_call("noc_async_write_barrier", -1, loc);
    noc_flush_writes(t);
}

}  // namespace emu
