// Per-thread kernel context: who is running (kernel, core, role), its arguments, and the error path that
// names kernel, core, CB and call on every protocol violation.
#include <execinfo.h>

#include <cstdio>
#include <sstream>

#include "emu/runtime.h"

namespace emu {

namespace {
thread_local Thread* t_current = nullptr;
OpStatus g_status;

const char* role_name(Role r) {
    switch (r) {
        case Role::Reader: return "reader (BRISC)";
        case Role::Writer: return "writer (NCRISC)";
        default: return "compute (TRISC)";
    }
}
}  // namespace

void set_current_thread(Thread* t) { t_current = t; }
Thread* current_thread() { return t_current; }
OpStatus& op_status() { return g_status; }

static Thread& me(const char* call) {
    if (!t_current) {
        std::fprintf(stderr, "emulator: %s called outside a kernel thread\n", call);
        std::abort();
    }
    return *t_current;
}

uint32_t core_x() { return me("core_x").core->x; }
uint32_t core_y() { return me("core_y").core->y; }
Role role() { return me("role").kernel.role; }
const char* kernel_path() { return me("kernel_path").kernel.kernel_path.c_str(); }

const ComputeConfig& compute_config() { return me("compute_config").kernel.compute; }
uint32_t l1_base() { return uint32_t(reinterpret_cast<uintptr_t>(me("l1_base").core->l1)); }
uint32_t l1_size() { return device().l1_size; }

// A wheel-built thread names its RISC as tt-metal does; its line, when the call site carries none, comes from its
// own stack (symbolized), with the wheel call it is in.
const char* risc_label(const Thread& t) {
    const std::string r = risc_of(t);
    if (r == "brisc") return "reader (BRISC)";
    if (r == "ncrisc") return "writer (NCRISC)";
    if (r == "trisc0") return "compute (TRISC0, unpack)";
    if (r == "trisc1") return "compute (TRISC1, math)";
    if (r == "trisc2") return "compute (TRISC2, pack)";
    return role_name(t.kernel.role);
}

namespace {
std::string site_prefix(const Thread* t, const char* call, int cb, int line, const std::string& in_call) {
    std::ostringstream os;
    if (t) {
        os << t->kernel.kernel_path;
        if (line > 0) os << ":" << line;
        os << " [" << (wheel_built(*t) ? risc_label(*t) : role_name(t->kernel.role)) << ", core (" << t->core->x
           << "," << t->core->y << ")]";
    }
    os << " " << call;
    if (cb >= 0) os << " on CB " << cb;
    if (!in_call.empty()) os << " (in " << in_call << ")";
    return os.str();
}

std::string at_site(const Thread& t, const char* call, int cb, const std::vector<void*>& stack) {
    const KernelSite site = kernel_site(t, stack);
    return site_prefix(&t, call, cb, site.line, site.api_call.empty() ? "" : site.api_call + ", " + site.api_loc);
}
}  // namespace

std::string where(const Thread* t, const char* call, int cb, const Loc& loc) {
    if (t && wheel_built(*t) && loc.line <= 0) {
        std::vector<void*> stack(48);
        stack.resize(size_t(backtrace(stack.data(), int(stack.size()))));
        return at_site(*t, call, cb, stack);
    }
    return site_prefix(t, call, cb, loc.line, "");
}

// A fault at instruction `pc` of a wheel-built kernel: its line, and the wheel call it faulted in (if any).
std::string where_fault(const Thread& t, void* pc) {
    const KernelSite site = kernel_site(t, {static_cast<char*>(pc) + 1});
    return site_prefix(&t, site.api_call.empty() ? "kernel code" : site.api_call.c_str(), -1, site.line,
                       site.api_call.empty() ? "" : site.api_loc);
}

void record_failure(int code, const std::string& message) {
    OpStatus& s = op_status();
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.code == 0) {
        s.code = code;
        s.message = message;
    }
    s.aborted = true;
}

[[noreturn]] void unwind() { throw Abort{}; }

[[noreturn]] void fail(const char* call, int cb, const Loc& loc, const std::string& message) {
    Thread* t = current_thread();
    record_failure(1, where(t, call, cb, loc) + ": " + message);
    // No core lock here: callers may already hold it. The state is only read for reports.
    if (t) t->state = ThreadState::Failed;
    // Wake every core so blocked threads notice the abort.
    for (auto& c : device().cores) c->cv.notify_all();
    unwind();
}

void note_poll(const char* call, int cb, const Loc& loc) {
    Thread& t = me(call);
    if (op_status().aborted) unwind();
    t.call = call;
    t.call_cb = cb;
    t.call_loc = loc;
}

void note_call(const char* call, int cb, const Loc& loc) {
    note_poll(call, cb, loc);
    op_status().progress.fetch_add(1, std::memory_order_relaxed);
}

// Reading an argument changes nothing another thread waits for: it is a poll, not progress, so a kernel that
// spins on get_arg_val alone is reported as a livelock.
uint32_t runtime_arg(uint32_t index, const Loc& loc) {
    Thread& t = me("get_arg_val");
    note_poll("get_arg_val", -1, loc);
    if (index >= t.kernel.args.size()) {
        std::ostringstream os;
        os << "runtime arg index " << index << " is past the " << t.kernel.args.size()
           << " per-core runtime args supplied for this core (hardware would read stale L1)";
        fail("get_arg_val", -1, loc, os.str());
    }
    return t.kernel.args[index];
}

uint32_t common_runtime_arg(uint32_t index, const Loc& loc) {
    Thread& t = me("get_common_arg_val");
    note_poll("get_common_arg_val", -1, loc);
    if (index >= t.kernel.common_args.size()) {
        std::ostringstream os;
        os << "common runtime arg index " << index << " is past the " << t.kernel.common_args.size()
           << " common runtime args supplied";
        fail("get_common_arg_val", -1, loc, os.str());
    }
    return t.kernel.common_args[index];
}

static uint32_t arg_addr(const char* call, const char* which, uint32_t base, size_t count, uint32_t index,
                         const Loc& loc) {
    note_poll(call, -1, loc);
    if (index > count) {
        std::ostringstream os;
        os << which << " arg index " << index << " is past the " << count << " " << which
           << " runtime args supplied (an address at most one past the last is allowed; reading there would read "
              "stale L1 on hardware)";
        fail(call, -1, loc, os.str());
    }
    return base + 4 * index;
}

uint32_t runtime_arg_addr(uint32_t index, const Loc& loc) {
    Thread& t = me("get_arg_addr");
    return arg_addr("get_arg_addr", "per-core", t.args_l1, t.kernel.args.size(), index, loc);
}

uint32_t common_runtime_arg_addr(uint32_t index, const Loc& loc) {
    Thread& t = me("get_common_arg_addr");
    return arg_addr("get_common_arg_addr", "common", t.common_args_l1, t.kernel.common_args.size(), index, loc);
}

std::string describe_cbs(const Core& core) {
    std::ostringstream os;
    for (uint32_t i = 0; i < kNumCBs; ++i) {
        const CB& cb = core.cbs[i];
        if (!cb.configured) continue;
        os << "    CB " << i << ": " << cb.num_pages << " pages x " << cb.page_size << " B " << format_name(cb.format)
           << "; received " << cb.received << ", acked " << cb.acked << " (" << cb.occupied()
           << " in FIFO); reserved " << cb.reserved << ", waited " << cb.waited << "; rd +"
           << (cb.rd_ptr - cb.fifo_addr) << " wr +" << (cb.wr_ptr - cb.fifo_addr) << "\n";
    }
    return os.str();
}

std::string describe_thread(const Thread& t) {
    std::ostringstream os;
    os << "  " << role_name(t.kernel.role) << " " << t.kernel.kernel_path << " on core (" << t.core->x << ","
       << t.core->y << "): ";
    switch (t.state) {
        case ThreadState::Done: os << "finished"; break;
        case ThreadState::Failed: os << "failed"; break;
        case ThreadState::Blocked: os << "BLOCKED in "; break;
        case ThreadState::Running: os << "running, last call "; break;
    }
    if (t.state == ThreadState::Blocked || t.state == ThreadState::Running) {
        os << t.call;
        if (t.call_cb >= 0) os << "(cb " << t.call_cb;
        if (t.call_cb >= 0 && t.state == ThreadState::Blocked) os << ", " << t.call_pages << " pages";
        if (t.call_cb >= 0) os << ")";
        if (t.call_loc.line > 0) os << " at line " << t.call_loc.line;
    }
    os << "\n";
    return os.str();
}

}  // namespace emu
