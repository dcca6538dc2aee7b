// Circular buffers with the hardware's semantics (api/dataflow/dataflow_api.h, api/compute/cb_api.h):
// 16-bit wrapping received/acked counters, pointers that wrap only when they land exactly on the FIFO end,
// blocking reserve/wait. On top of that, the protocol checks that turn hardware hangs and silent corruption
// into errors, and the exact deadlock report when every thread of a core is blocked.
#include <chrono>
#include <sstream>

#include "emu/runtime.h"

namespace emu {

namespace {

Thread& self(const char* call) {
    Thread* t = current_thread();
    if (!t) throw std::runtime_error(std::string(call) + " called outside a kernel thread");
    return *t;
}

CB& checked_cb(Thread& t, int cb, const char* call, const Loc& loc) {
    if (cb < 0 || cb >= int(kNumCBs)) {
        fail(call, cb, loc, "CB index out of range 0..31");
    }
    CB& c = t.core->cbs[cb];
    if (!c.configured) {
        fail(call, cb, loc, "this CB is not configured on this core (no CBDescriptor covers it)");
    }
    return c;
}

void claim(const Thread*& owner, Thread& t, const char* side, const char* call, int cb, const Loc& loc) {
    if (owner == nullptr) {
        owner = &t;
    } else if (owner != &t) {
        std::ostringstream os;
        os << "two threads move the " << side << " pointer of this CB (already moved by "
           << owner->kernel.kernel_path << "); only one thread may be its " << (side[0] == 'w' ? "producer" : "consumer");
        fail(call, cb, loc, os.str());
    }
}

std::string deadlock_report(Core& core) {
    std::ostringstream os;
    os << "deadlock on core (" << core.x << "," << core.y << "): every kernel thread is blocked and none can "
       << "progress\n";
    for (auto& th : core.threads) os << describe_thread(*th);
    os << "  circular buffers:\n" << describe_cbs(core);
    return os.str();
}

// A blocked thread may not have re-evaluated its condition since another thread changed a CB; only when
// all have, and all are blocked, is the core truly stuck.
bool everyone_rechecked(const Core& core) {
    for (const auto& th : core.threads) {
        if (th->state == ThreadState::Blocked && th->seen_epoch != core.epoch) return false;
    }
    return true;
}

// Blocks the calling thread until `ready()` holds, under the core's lock. Declares a deadlock when every
// live thread of the core is blocked: cores share no synchronisation, so nothing could wake them.
template <class Ready>
void block_until(Thread& t, std::unique_lock<std::mutex>& lock, const char* call, int cb, uint32_t pages,
                 const Loc& loc, Ready ready) {
    Core& core = *t.core;
    if (ready()) return;
    t.state = ThreadState::Blocked;
    t.call = call;
    t.call_cb = cb;
    t.call_loc = loc;
    t.call_pages = pages;
    ++core.blocked;
    while (!ready()) {
        if (op_status().aborted) {
            --core.blocked;
            t.state = ThreadState::Failed;
            unwind();
        }
        t.seen_epoch = core.epoch;
        if (core.blocked == core.alive && everyone_rechecked(core)) {
            std::string report = deadlock_report(core);
            --core.blocked;
            t.state = ThreadState::Failed;
            record_failure(2, report);
            lock.unlock();
            for (auto& c : device().cores) c->cv.notify_all();
            unwind();
        }
        core.cv.wait_for(lock, std::chrono::milliseconds(50));
    }
    --core.blocked;
    t.state = ThreadState::Running;
}

void advance(uint32_t& ptr, const CB& c, uint32_t pages, const char* call, int cb, const Loc& loc) {
    ptr += pages * c.page_size;
    const uint32_t limit = c.fifo_addr + c.fifo_size;
    if (ptr == limit) {
        ptr = c.fifo_addr;
    } else if (ptr > limit) {
        fail(call, cb, loc,
             "this call moves the pointer past the FIFO end without landing on it; hardware wraps only on an exact "
             "landing, so pushes (and pops) within one trip round the FIFO must add up to exactly num_pages");
    }
}

}  // namespace

void cb_reserve_back(int cb, uint32_t pages, const Loc& loc) {
    Thread& t = self("cb_reserve_back");
    note_call("cb_reserve_back", cb, loc);
    std::unique_lock<std::mutex> lock(t.core->mu);
    CB& c = checked_cb(t, cb, "cb_reserve_back", loc);
    claim(c.producer, t, "write", "cb_reserve_back", cb, loc);
    if (pages > c.num_pages) {
        std::ostringstream os;
        os << "reserves " << pages << " pages but the CB holds only " << c.num_pages << " (certain hang on hardware)";
        fail("cb_reserve_back", cb, loc, os.str());
    }
    if (c.wr_ptr + pages * c.page_size > c.fifo_addr + c.fifo_size) {
        std::ostringstream os;
        os << "the reserved region of " << pages << " pages would cross the FIFO end (write pointer at page "
           << (c.wr_ptr - c.fifo_addr) / c.page_size << " of " << c.num_pages
           << "); make the CB size a multiple of the push size";
        fail("cb_reserve_back", cb, loc, os.str());
    }
    block_until(t, lock, "cb_reserve_back", cb, pages, loc, [&] { return c.num_pages - c.occupied() >= pages; });
    if (pages > c.reserved) c.reserved = pages;
}

void cb_push_back(int cb, uint32_t pages, const Loc& loc) {
    Thread& t = self("cb_push_back");
    note_call("cb_push_back", cb, loc);
    std::unique_lock<std::mutex> lock(t.core->mu);
    CB& c = checked_cb(t, cb, "cb_push_back", loc);
    claim(c.producer, t, "write", "cb_push_back", cb, loc);
    if (pages > c.reserved) {
        std::ostringstream os;
        os << "pushes " << pages << " pages but only " << c.reserved << " were reserved with cb_reserve_back";
        fail("cb_push_back", cb, loc, os.str());
    }
    const uint32_t lo = c.wr_ptr, hi = c.wr_ptr + pages * c.page_size;
    for (const Transfer& tr : t.pending_reads) {
        if (tr.l1_addr < hi && tr.l1_addr + tr.bytes > lo) {
            fail("cb_push_back", cb, loc,
                 "pushes pages that an in-flight noc_async_read is still filling; call noc_async_read_barrier() "
                 "before cb_push_back");
        }
    }
    c.received = uint16_t(c.received + pages);
    ++t.core->epoch;
    advance(c.wr_ptr, c, pages, "cb_push_back", cb, loc);
    c.reserved -= pages;
    lock.unlock();
    t.core->cv.notify_all();
}

void cb_wait_front(int cb, uint32_t pages, const Loc& loc) {
    Thread& t = self("cb_wait_front");
    note_call("cb_wait_front", cb, loc);
    std::unique_lock<std::mutex> lock(t.core->mu);
    CB& c = checked_cb(t, cb, "cb_wait_front", loc);
    claim(c.consumer, t, "read", "cb_wait_front", cb, loc);
    if (pages > c.num_pages) {
        std::ostringstream os;
        os << "waits for " << pages << " pages but the CB holds only " << c.num_pages << " (certain hang on hardware)";
        fail("cb_wait_front", cb, loc, os.str());
    }
    block_until(t, lock, "cb_wait_front", cb, pages, loc, [&] { return c.occupied() >= pages; });
    if (pages > c.waited) c.waited = pages;
}

void cb_pop_front(int cb, uint32_t pages, const Loc& loc) {
    Thread& t = self("cb_pop_front");
    note_call("cb_pop_front", cb, loc);
    std::unique_lock<std::mutex> lock(t.core->mu);
    CB& c = checked_cb(t, cb, "cb_pop_front", loc);
    claim(c.consumer, t, "read", "cb_pop_front", cb, loc);
    if (pages > c.waited) {
        std::ostringstream os;
        os << "pops " << pages << " pages but only " << c.waited
           << " were waited for with cb_wait_front (pop beyond the wait)";
        fail("cb_pop_front", cb, loc, os.str());
    }
    const uint32_t lo = c.rd_ptr, hi = c.rd_ptr + pages * c.page_size;
    for (const Transfer& tr : t.pending_writes) {
        if (tr.l1_addr < hi && tr.l1_addr + tr.bytes > lo) {
            fail("cb_pop_front", cb, loc,
                 "pops pages that an in-flight noc_async_write is still reading; call noc_async_write_barrier() "
                 "(or noc_async_writes_flushed()) before cb_pop_front");
        }
    }
    c.acked = uint16_t(c.acked + pages);
    ++t.core->epoch;
    advance(c.rd_ptr, c, pages, "cb_pop_front", cb, loc);
    c.waited -= pages;
    lock.unlock();
    t.core->cv.notify_all();
}

bool cb_pages_reservable_at_back(int cb, uint32_t pages, const Loc& loc) {
    Thread& t = self("cb_pages_reservable_at_back");
    note_poll("cb_pages_reservable_at_back", cb, loc);
    std::lock_guard<std::mutex> lock(t.core->mu);
    CB& c = checked_cb(t, cb, "cb_pages_reservable_at_back", loc);
    return c.num_pages - c.occupied() >= pages;
}

bool cb_pages_available_at_front(int cb, uint32_t pages, const Loc& loc) {
    Thread& t = self("cb_pages_available_at_front");
    note_poll("cb_pages_available_at_front", cb, loc);
    std::lock_guard<std::mutex> lock(t.core->mu);
    CB& c = checked_cb(t, cb, "cb_pages_available_at_front", loc);
    return c.occupied() >= pages;
}

uint32_t cb_write_ptr(int cb, const Loc& loc) {
    Thread& t = self("get_write_ptr");
    note_call("get_write_ptr", cb, loc);
    std::lock_guard<std::mutex> lock(t.core->mu);
    CB& c = checked_cb(t, cb, "get_write_ptr", loc);
    if (c.reserved == 0) {
        fail("get_write_ptr", cb, loc, "called outside a reservation; call cb_reserve_back first");
    }
    return c.wr_ptr;
}

uint32_t cb_read_ptr(int cb, const Loc& loc) {
    Thread& t = self("get_read_ptr");
    note_call("get_read_ptr", cb, loc);
    std::lock_guard<std::mutex> lock(t.core->mu);
    CB& c = checked_cb(t, cb, "get_read_ptr", loc);
    if (c.waited == 0) {
        fail("get_read_ptr", cb, loc, "called before cb_wait_front; the front pages may not have arrived yet");
    }
    return c.rd_ptr;
}

uint32_t cb_page_size(int cb, const Loc& loc) {
    Thread& t = self("get_tile_size");
    std::lock_guard<std::mutex> lock(t.core->mu);
    return checked_cb(t, cb, "get_tile_size", loc).page_size;
}

uint32_t cb_num_pages(int cb, const Loc& loc) {
    Thread& t = self("cb_num_pages");
    std::lock_guard<std::mutex> lock(t.core->mu);
    return checked_cb(t, cb, "cb_num_pages", loc).num_pages;
}

DataFormat cb_format(int cb, const Loc& loc) {
    Thread& t = self("get_dataformat");
    std::lock_guard<std::mutex> lock(t.core->mu);
    return checked_cb(t, cb, "get_dataformat", loc).format;
}

static uint8_t* window_page(int cb, uint32_t index, const char* call, const Loc& loc, bool front) {
    Thread& t = self(call);
    std::lock_guard<std::mutex> lock(t.core->mu);
    CB& c = checked_cb(t, cb, call, loc);
    const uint32_t window = front ? c.waited : c.reserved;
    if (index >= window) {
        std::ostringstream os;
        if (front) {
            os << "reads page " << index << " but only " << window << " page(s) were waited for with cb_wait_front "
               << "(waits are cumulative: to use page " << index << " wait for " << index + 1 << ")";
        } else {
            os << "writes page " << index << " but only " << window << " page(s) were reserved with cb_reserve_back";
        }
        fail(call, cb, loc, os.str());
    }
    const uint32_t addr = (front ? c.rd_ptr : c.wr_ptr) + index * c.page_size;
    if (addr + c.page_size > c.fifo_addr + c.fifo_size) {
        std::ostringstream os;
        os << "page " << index << " of the " << (front ? "front" : "back")
           << " window lies past the FIFO end (hardware does not wrap inside a window); size the CB as a multiple of "
              "the block the kernel waits for";
        fail(call, cb, loc, os.str());
    }
    return reinterpret_cast<uint8_t*>(uintptr_t(addr));
}

uint8_t* cb_front_page(int cb, uint32_t index, const char* call, const Loc& loc) {
    return window_page(cb, index, call, loc, true);
}

uint8_t* cb_back_page(int cb, uint32_t index, const char* call, const Loc& loc) {
    return window_page(cb, index, call, loc, false);
}

}  // namespace emu
