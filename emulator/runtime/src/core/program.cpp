// Running one program: CB placement per core, kernel loading, one OS thread per kernel instance
// (reader, writer, compute on every core, all concurrent), and the watchdog for livelocks.
#include <dlfcn.h>
#include <sys/mman.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "emu/hal.h"
#include "emu/runtime.h"

namespace emu {

void set_current_thread(Thread* t);
void poison_cbs(Core& core);
void install_fault_handlers();
bool run_guarded(void (*fn)(void*), void* arg, std::string& fault, void*& fault_addr);
void reset_core_hardware(Core& core);
void firmware_view(const Thread& t, EmuFirmwareInit& init, std::vector<uint16_t>& dram_xy,
                   std::vector<int32_t>& dram_off);
void hal_require_idle(Thread& t);
void* last_fault_pc();
std::string where_fault(const Thread& t, void* pc);
std::string sample_kernel_lines(const std::vector<std::pair<const Thread*, pthread_t>>& running);

namespace {

// Runtime args of kernels built against the wheel: its get_arg_val reads rta_l1_base[i] unchecked (the bounds
// ASSERT exists only in watcher builds). Each list ends exactly at the end of a page of its own, followed by an
// inaccessible page, so an index past the list faults and is reported by name. Pages per (core, role), kept.
constexpr uintptr_t kPage = 4096;
static_assert(kMaxArgs * 4 <= kPage, "one page holds a full argument list");
std::mutex g_arg_mu;
std::map<std::pair<uint32_t, int>, uint8_t*> g_arg_pages;

uint8_t* guarded_arg_pages(const Core& c, Role role) {
    std::lock_guard<std::mutex> lock(g_arg_mu);
    uint8_t*& p = g_arg_pages[{c.index, int(role)}];
    if (!p) {
        // [per-core page][guard][common page][guard] at a fixed slot per (core, role) in the 2.25..4 GiB windows:
        // below 4 GiB (the firmware holds L1 addresses in 32 bits) and above the L1 reservation of an 8x8 grid,
        // which a reopened device needs whole (runtime.h).
        // Other libraries of the process may hold parts of those windows: try a few, then MAP_32BIT.
        const uintptr_t slot = uintptr_t(c.index) * 3 + uintptr_t(role);
        void* m = MAP_FAILED;
        for (uintptr_t window : {0xC0000000u, 0xA0000000u, 0xE0000000u, 0x90000000u}) {
            if (slot >= (uintptr_t(1) << 28) / (4 * kPage)) break;
            void* want = reinterpret_cast<void*>(window + slot * 4 * kPage);
            m = mmap(want, 4 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
            if (m == want) break;
            if (m != MAP_FAILED) munmap(m, 4 * kPage);
            m = MAP_FAILED;
        }
        if (m == MAP_FAILED)
            m = mmap(nullptr, 4 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
        if (m == MAP_FAILED) throw std::runtime_error("cannot map runtime-argument pages below 4 GiB");
        p = static_cast<uint8_t*>(m);
        mprotect(p + kPage, kPage, PROT_NONE);
        mprotect(p + 3 * kPage, kPage, PROT_NONE);
    }
    return p;
}

// Places the kernel's lists at the ends of their pages.
void place_guarded_args(Thread& t) {
    uint8_t* p = guarded_arg_pages(*t.core, t.kernel.role);
    const auto& a = t.kernel.args;
    const auto& c = t.kernel.common_args;
    std::memcpy(p + kPage - 4 * a.size(), a.data(), 4 * a.size());
    std::memcpy(p + 3 * kPage - 4 * c.size(), c.data(), 4 * c.size());
    t.args_l1 = uint32_t(uintptr_t(p + kPage - 4 * a.size()));
    t.common_args_l1 = uint32_t(uintptr_t(p + 3 * kPage - 4 * c.size()));
}

// A fault in the page after a guarded argument list: which list and index, or "".
std::string arg_fault(const Thread& t, uintptr_t addr) {
    struct List {
        const char* call;
        const char* what;
        uintptr_t base;
        size_t n;
    };
    for (const List& l : {List{"get_arg_val", "per-core", t.args_l1, t.kernel.args.size()},
                          List{"get_common_arg_val", "common", t.common_args_l1, t.kernel.common_args.size()}}) {
        const uintptr_t end = l.base + 4 * l.n;
        if (end % kPage || addr < end || addr >= end + kPage) continue;
        std::ostringstream os;
        os << l.call << ": " << l.what << " runtime arg index " << (addr - l.base) / 4 << " is past the " << l.n
           << " " << l.what << " runtime args";
        return os.str();
    }
    return "";
}

}  // namespace

uint32_t noc_x(uint32_t logical_x) { return logical_x + 1; }
uint32_t noc_y(uint32_t logical_y) { return logical_y + 1; }
uint64_t dram_bank_noc_addr(uint32_t bank, uint32_t addr) { return noc_encode(0, bank, addr); }
uint32_t num_dram_banks() { return device().num_dram_banks; }
uint64_t l1_bank_noc_addr(uint32_t bank, uint32_t addr) {
    const auto& [x, y] = device().l1_bank_core.at(bank);
    return noc_encode(noc_x(x), noc_y(y), addr);
}
uint32_t num_l1_banks() { return uint32_t(device().l1_bank_core.size()); }
uint8_t noc_index() {
    Thread* t = current_thread();
    return t ? t->kernel.noc : 0;
}

const uint8_t* my_x_array() { return current_thread()->my_x.data(); }
const uint8_t* my_y_array() { return current_thread()->my_y.data(); }

void dprint(const std::string& text) {
    static std::mutex mu;
    std::lock_guard<std::mutex> lock(mu);
    Thread* t = current_thread();
    if (t) std::fprintf(stderr, "DPRINT (%u,%u) ", t->core->x, t->core->y);
    std::fputs(text.c_str(), stderr);
}

struct StagedCB {
    uint32_t total_size;
    std::vector<uint32_t> indices, formats, page_sizes;
};

struct StagedProgram {
    std::map<std::pair<uint32_t, uint32_t>, std::vector<StagedCB>> cbs;
    std::map<std::pair<uint32_t, uint32_t>, std::vector<KernelInstance>> kernels;
};

static StagedProgram g_staged;

void program_reset() { g_staged = StagedProgram{}; }

void program_add_cb(uint32_t x, uint32_t y, uint32_t total_size, const uint32_t* indices, const uint32_t* formats,
                    const uint32_t* page_sizes, uint32_t n) {
    StagedCB cb{total_size, {indices, indices + n}, {formats, formats + n}, {page_sizes, page_sizes + n}};
    g_staged.cbs[{x, y}].push_back(std::move(cb));
}

void program_add_kernel(uint32_t x, uint32_t y, KernelInstance k) { g_staged.kernels[{x, y}].push_back(std::move(k)); }

namespace {

std::string configure_cbs(Core& core, const std::vector<StagedCB>& staged) {
    Device& d = device();
    const uint32_t budget = d.l1_buffer_floor - d.cb_base;
    uint32_t offset = d.cb_base, total = 0;
    for (auto& cb : core.cbs) cb = CB{};
    for (const StagedCB& s : staged) {
        total += s.total_size;
        if (total > budget) continue;  // reported below with the full sum
        const uint32_t addr = uint32_t(reinterpret_cast<uintptr_t>(core.l1)) + offset;
        for (size_t i = 0; i < s.indices.size(); ++i) {
            const uint32_t idx = s.indices[i];
            std::ostringstream os;
            os << "CB " << idx << " on core (" << core.x << "," << core.y << "): ";
            if (idx >= kNumCBs) return os.str() + "index out of range 0..31";
            if (core.cbs[idx].configured) return os.str() + "configured twice";
            if (s.page_sizes[i] == 0 || s.total_size % s.page_sizes[i] != 0) {
                os << "total_size " << s.total_size << " is not a multiple of page_size " << s.page_sizes[i];
                return os.str();
            }
            CB& c = core.cbs[idx];
            c.configured = true;
            c.fifo_addr = c.rd_ptr = c.wr_ptr = addr;
            c.fifo_size = s.total_size;
            c.page_size = s.page_sizes[i];
            c.num_pages = s.total_size / s.page_sizes[i];
            c.format = DataFormat(s.formats[i]);
        }
        offset += (s.total_size + kL1Alignment - 1) / kL1Alignment * kL1Alignment;
    }
    if (total > budget) {
        std::ostringstream os;
        os << "circular buffers on core (" << core.x << "," << core.y << ") need " << total
           << " B of L1 but only " << budget << " B are available to CBs (L1 " << d.l1_size << " B, of which "
           << d.cb_base << " B are reserved for firmware and kernel config";
        if (d.l1_buffer_floor < d.l1_size)
            os << ", and L1-interleaved tensors occupy " << d.l1_buffer_floor << ".." << d.l1_size;
        os << "); CBs:";
        for (const StagedCB& s : staged) {
            os << " [";
            for (size_t i = 0; i < s.indices.size(); ++i) os << (i ? "," : "") << "c_" << s.indices[i];
            os << ": " << s.total_size << " B]";
        }
        return os.str();
    }
    return "";
}

// Where a faulting address lies in the L1 reservation (all guard pages but the L1s), from the faulting core's L1:
// kernels reach only their own core's L1 by pointer.
std::string l1_context(uintptr_t addr, const Core& own) {
    Device& d = device();
    const auto lo = reinterpret_cast<uintptr_t>(d.l1_reservation), l1 = reinterpret_cast<uintptr_t>(own.l1);
    if (addr < lo || addr >= lo + d.l1_reservation_bytes) return "";
    std::ostringstream os;
    if (addr < l1)
        os << " (" << (l1 - addr) << " B before the start of core (" << own.x << "," << own.y
           << ")'s L1: a pointer or offset runs below a CB or buffer)";
    else if (addr >= l1 + d.l1_size)
        os << " (" << (addr - l1 - d.l1_size) << " B past the end of core (" << own.x << "," << own.y << ")'s "
           << d.l1_size << " B L1: a pointer or size overruns a CB or buffer)";
    return os.str();
}

void thread_main(Thread* t) {
    set_current_thread(t);
    try {
        // Kernels built against the wheel's headers carry the emulator's firmware: start it on this thread.
        using FirmwareStart = void (*)(const EmuFirmwareInit*);
        if (auto start = reinterpret_cast<FirmwareStart>(dlsym(t->handle, "emu_firmware_start"))) {
            EmuFirmwareInit init;
            std::vector<uint16_t> dram_xy;
            std::vector<int32_t> dram_off;
            firmware_view(*t, init, dram_xy, dram_off);
            start(&init);
        }
        std::string fault;
        void* addr = nullptr;
        if (!run_guarded([](void* p) { static_cast<Thread*>(p)->entry(); }, t, fault, addr)) {
            const std::string arg = arg_fault(*t, reinterpret_cast<uintptr_t>(addr));
            if (!arg.empty()) {
                record_failure(1, t->kernel.kernel_path + " on core (" + std::to_string(t->core->x) + "," +
                                      std::to_string(t->core->y) + ") " + risc_of(*t) + ": " + arg + " (" +
                                      where_at(*t, last_fault_pc()) + ")");
                throw Abort{};
            }
            // A wheel-built kernel's faulting line is known; otherwise the last kernel-API call before it.
            const std::string site = wheel_built(*t) ? where_fault(*t, last_fault_pc())
                                                     : where(t, t->call, -1, t->call_loc);
            record_failure(1, site + ": " + fault + (wheel_built(*t) ? "" : "; the faulting code runs after this call") +
                                  l1_context(reinterpret_cast<uintptr_t>(addr), *t->core));
            throw Abort{};
        }
        noc_require_idle(*t);
        hal_require_idle(*t);
        t->state = ThreadState::Done;
    } catch (const Abort&) {
        t->state = ThreadState::Failed;
    } catch (const std::exception& e) {
        record_failure(1, where(t, t->call, -1, t->call_loc) + ": " + e.what());
        t->state = ThreadState::Failed;
    }
    {
        std::lock_guard<std::mutex> lock(t->core->mu);
        --t->core->alive;
        ++t->core->epoch;
    }
    for (auto& c : device().cores) c->cv.notify_all();
    set_current_thread(nullptr);
}

std::string everyone(const std::vector<Core*>& cores) {
    std::ostringstream os;
    for (Core* c : cores) {
        std::lock_guard<std::mutex> lock(c->mu);
        for (auto& t : c->threads) os << describe_thread(*t);
        os << "  circular buffers of core (" << c->x << "," << c->y << "):\n" << describe_cbs(*c);
    }
    return os.str();
}

}  // namespace

int program_run(std::string& message, double timeout_s) {
    Device& d = device();
    OpStatus& st = op_status();
    install_fault_handlers();  // each run: a handler installed since (faulthandler) would have replaced ours
    st.aborted = false;
    st.code = 0;
    st.message.clear();

    std::vector<Core*> used;
    for (auto& [xy, kernels] : g_staged.kernels) {
        if (xy.first >= d.grid_x || xy.second >= d.grid_y) {
            message = "kernel placed on core (" + std::to_string(xy.first) + "," + std::to_string(xy.second) +
                      ") outside the " + std::to_string(d.grid_x) + "x" + std::to_string(d.grid_y) + " grid";
            return 1;
        }
        Core* core = d.core(xy.first, xy.second);
        core->threads.clear();
        std::string err = configure_cbs(*core, g_staged.cbs[xy]);
        if (!err.empty()) {
            message = err;
            return 1;
        }
        poison_cbs(*core);
        reset_core_hardware(*core);
        for (KernelInstance& k : kernels) {
            if (k.args.size() > kMaxArgs || k.common_args.size() > kMaxArgs) {
                message = "kernel " + k.kernel_path + " on core (" + std::to_string(xy.first) + "," +
                          std::to_string(xy.second) + ") has more than " + std::to_string(kMaxArgs) +
                          " runtime args (per-core or common)";
                return 1;
            }
            auto t = std::make_unique<Thread>();
            t->core = core;
            t->kernel = k;
            // The argument lists live in L1, where get_arg_addr / get_common_arg_addr point.
            const uint32_t block = kArgsBase + uint32_t(k.role) * kArgsStride;
            auto* l1 = core->l1;
            std::memcpy(l1 + block, k.args.data(), 4 * k.args.size());
            std::memcpy(l1 + block + kCommonArgsOffset, k.common_args.data(), 4 * k.common_args.size());
            t->args_l1 = uint32_t(reinterpret_cast<uintptr_t>(l1 + block));
            t->common_args_l1 = t->args_l1 + kCommonArgsOffset;
            t->my_x = {uint8_t(noc_x(core->x)), uint8_t(noc_x(core->x))};
            t->my_y = {uint8_t(noc_y(core->y)), uint8_t(noc_y(core->y))};
            t->handle = dlopen(k.so_path.c_str(), RTLD_NOW | RTLD_LOCAL);
            if (!t->handle) {
                message = "cannot load kernel " + k.kernel_path + ": " + dlerror();
                return 1;
            }
            if (dlsym(t->handle, "emu_firmware_start")) {
                try {
                    place_guarded_args(*t);
                } catch (const std::exception& e) {
                    message = e.what();
                    return 1;
                }
            }
            t->entry = reinterpret_cast<void (*)()>(dlsym(t->handle, "emu_kernel_entry"));
            if (!t->entry) {
                message = "kernel " + k.kernel_path + " defines neither kernel_main() nor MAIN";
                return 1;
            }
            core->threads.push_back(std::move(t));
        }
        core->alive = int(core->threads.size());
        core->blocked = 0;
        used.push_back(core);
    }

    std::vector<std::thread> threads;
    for (Core* c : used)
        for (auto& t : c->threads) threads.emplace_back(thread_main, t.get());

    // Watchdog: a thread spinning without API calls (or all cores waiting on each other) stops the
    // progress counter; report every thread and end the op.
    std::atomic<bool> finished{false};
    std::mutex watch_mu;
    std::condition_variable watch_cv;
    std::thread watchdog([&] {
        uint64_t last = st.progress.load();
        auto since = std::chrono::steady_clock::now();
        while (!finished) {
            {
                std::unique_lock<std::mutex> lock(watch_mu);
                watch_cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return finished.load(); });
            }
            if (finished) break;
            uint64_t now = st.progress.load();
            if (now != last) {
                last = now;
                since = std::chrono::steady_clock::now();
            } else if (!st.aborted &&
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count() > timeout_s) {
                std::ostringstream os;
                os << "no progress for " << timeout_s << " s (a kernel spins without kernel-API calls, or waits "
                   << "on something no thread will do); threads:\n"
                   << everyone(used);
                // Threads of wheel-built kernels: where each one spins, from its own stack.
                std::vector<std::pair<const Thread*, pthread_t>> running;
                size_t i = 0;
                for (Core* c : used)
                    for (auto& t : c->threads) {
                        std::thread& th = threads[i++];
                        if (t->state == ThreadState::Running && dlsym(t->handle, "emu_firmware_start"))
                            running.emplace_back(t.get(), th.native_handle());
                    }
                if (!running.empty()) os << "where the wheel-built kernels spin:\n" << sample_kernel_lines(running);
                record_failure(2, os.str());
                for (Core* c : used) c->cv.notify_all();
                // Threads stuck in pure loops cannot be unwound; give them a moment, then end the process.
                {
                    std::unique_lock<std::mutex> lock(watch_mu);
                    watch_cv.wait_for(lock, std::chrono::seconds(1), [&] { return finished.load(); });
                }
                if (!finished) {
                    std::fprintf(stderr, "EMULATOR HANG: %s\n", st.message.c_str());
                    if (const char* log = std::getenv("TTNN_EMULATOR_TRIAGE_LOG")) {
                        if (FILE* f = std::fopen(log, "a")) {
                            std::fprintf(f, "%s\n", st.message.c_str());
                            std::fclose(f);
                        }
                    }
                    std::fflush(stderr);
                    std::_Exit(124);
                }
            }
        }
    });
    for (auto& th : threads) th.join();
    {
        std::lock_guard<std::mutex> lock(watch_mu);
        finished = true;
    }
    watch_cv.notify_all();
    watchdog.join();

    for (Core* c : used) {
        for (auto& t : c->threads) dlclose(t->handle);
        c->threads.clear();
    }
    g_staged = StagedProgram{};
    message = st.message;
    return st.code;
}

}  // namespace emu
