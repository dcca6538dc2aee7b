// Deadlock detection for kernels built against the wheel's headers. Their waits are polling loops in the wheel's
// own code (CB counters, semaphores, NIU status), so a waiting thread registers itself here from its polls, with
// its stack captured once per wait. When every live thread of the program waits and nothing has changed for a
// while, the op ends with a report that names, per thread, the kernel line it waits at (the stack symbolized
// against the kernel object's line tables), the wheel call it is in, the core, the RISC and the CB it polls.
#include <dlfcn.h>
#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <ucontext.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <vector>

#include "emu/hal.h"
#include "emu/runtime.h"

namespace emu {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStall = std::chrono::milliseconds(300);

struct Wait {
    uint64_t progress;  // the progress counter when the wait began to sleep
    Clock::time_point since;
    std::vector<void*> stack;
    int cb;  // the CB whose counter the thread polls, or -1
    int side;  // 1: the CB's received counter (waiting for pages), 2: acked (waiting for free space)
};

std::mutex g_mu;
std::unordered_map<const Thread*, Wait> g_waits;

const char* risc_name(const Thread& t) {
    const std::string& so = t.kernel.so_path;
    for (const char* name : {"brisc", "ncrisc", "trisc0", "trisc1", "trisc2"})
        if (so.find(std::string(".") + name + ".") != std::string::npos) return name;
    return t.kernel.role == Role::Reader ? "brisc" : t.kernel.role == Role::Writer ? "ncrisc" : "trisc";
}

std::string run(const std::string& cmd) {
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
        pclose(p);
    }
    return out;
}

}  // namespace

// Where a wheel-built kernel thread is, from return addresses on its stack: the innermost kernel line and the
// innermost wheel call above our shadows (the call the kernel is in), symbolized against the kernel object.
KernelSite kernel_site(const Thread& t, const std::vector<void*>& stack) {
    KernelSite site;
    std::ostringstream addrs;
    std::string object;
    for (void* frame : stack) {
        Dl_info info{};
        if (!dladdr(frame, &info) || !info.dli_fname) continue;
        if (std::string(info.dli_fname).find("kernels-wheel") == std::string::npos) continue;
        object = info.dli_fname;
        addrs << " 0x" << std::hex << (uintptr_t(frame) - uintptr_t(info.dli_fbase) - 1);
    }
    if (object.empty()) return site;
    site.symbolized = true;
    std::string out;
    for (const char* tool : {"llvm-symbolizer-19", "llvm-symbolizer"}) {
        out = run(std::string(tool) + " --inlining --functions=short --obj=" + object + addrs.str() + " 2>/dev/null");
        if (!out.empty()) break;
    }
    // Output: per address, (function, file:line:col) pairs innermost first, a blank line between addresses.
    std::istringstream in(out);
    std::string fn, loc;
    const std::string& kernel = t.kernel.kernel_path;
    const std::string kernel_name = kernel.substr(kernel.find_last_of('/') + 1);
    while (std::getline(in, fn)) {
        if (fn.empty() || !std::getline(in, loc)) continue;
        const std::string file = loc.substr(0, loc.find(':'));
        const std::string line = loc.substr(loc.find(':') + 1, loc.rfind(':') - loc.find(':') - 1);
        const bool in_kernel = file == kernel || file.substr(file.find_last_of('/') + 1) == kernel_name;
        if (in_kernel && site.line == 0) {
            site.kernel_file = kernel_name;
            site.line = std::atoi(line.c_str());
        }
        // The innermost wheel function is the call the kernel is in (our shadows beneath it are skipped).
        const bool shadow = file.find("/hal/common/") != std::string::npos ||
                            file.find("/hal/dataflow/") != std::string::npos ||
                            file.find("/hal/llk/") != std::string::npos;
        if (!in_kernel && !shadow && site.line == 0 && site.api_call.empty()) {
            site.api_call = fn;
            site.api_loc = file.substr(file.find_last_of('/') + 1) + ":" + line;
        }
    }
    return site;
}

namespace {

// "at <kernel>:<line>, in <wheel call> (<header>:<line>)" from the frames inside the kernel object.
std::string where_waiting(const Thread& t, const std::vector<void*>& stack) {
    const KernelSite site = kernel_site(t, stack);
    if (!site.symbolized) return "(no kernel frame on the stack)";
    std::ostringstream os;
    if (site.line > 0) os << "at " << site.kernel_file << ":" << site.line;
    if (!site.api_call.empty()) os << (site.line > 0 ? ", " : "") << "in " << site.api_call << " (" << site.api_loc << ")";
    return os.str().empty() ? "(kernel frames have no line information)" : os.str();
}

}  // namespace

const char* risc_of(const Thread& t) { return risc_name(t); }

bool wheel_built(const Thread& t) { return t.kernel.so_path.find("kernels-wheel") != std::string::npos; }

// Where the calling kernel thread is now (a violation found in one of its calls).
std::string where_now(const Thread& t) {
    std::vector<void*> stack(48);
    stack.resize(size_t(backtrace(stack.data(), int(stack.size()))));
    return where_waiting(t, stack);
}

// Where a kernel thread is at instruction `pc` (a fault, a violation): kernel line and the wheel call it is in.
std::string where_at(const Thread& t, void* pc) {
    return where_waiting(t, {static_cast<char*>(pc) + 1});  // where_waiting takes return addresses
}

uint32_t cb_stream_counter(const Core& c, int cb, bool received);

namespace {

// A wait that can never end whatever other threads do: more pages than the CB holds. Empty CB and still waiting for
// space (cb_reserve_back), or full CB and still waiting for pages (cb_wait_front). "" if the wait is not one.
std::string beyond_capacity(const Thread& t, const Wait& w) {
    if (w.cb < 0 || w.cb >= int(kNumCBs) || !t.core->cbs[w.cb].configured) return "";
    const CB& c = t.core->cbs[w.cb];
    const uint16_t held = uint16_t(cb_stream_counter(*t.core, w.cb, true) - cb_stream_counter(*t.core, w.cb, false));
    std::ostringstream os;
    if (w.side == 2 && held == 0)
        os << "waits for more free pages than the CB holds (" << c.num_pages << " pages of " << c.page_size
           << " B, all free): a cb_reserve_back beyond the CB's capacity never returns (certain hang on hardware)";
    else if (w.side == 1 && held == c.num_pages)
        os << "waits for more pages than the CB holds (" << c.num_pages << " pages of " << c.page_size
           << " B, all filled): a cb_wait_front beyond the CB's capacity never returns (certain hang on hardware)";
    return os.str();
}

std::string describe_counters(const Core& core) {
    std::ostringstream os;
    for (uint32_t i = 0; i < kNumCBs; ++i) {
        const CB& cb = core.cbs[i];
        if (!cb.configured) continue;
        const uint32_t received = cb_stream_counter(core, int(i), true), acked = cb_stream_counter(core, int(i), false);
        os << "    CB " << i << ": " << cb.num_pages << " pages x " << cb.page_size << " B " << format_name(cb.format)
           << "; received " << uint16_t(received) << ", acked " << uint16_t(acked) << " ("
           << uint16_t(received - acked) << " in FIFO)\n";
    }
    return os.str();
}

std::string deadlock_report(const std::vector<const Thread*>& live) {
    std::ostringstream os;
    os << "deadlock: every kernel thread is waiting and none can progress\n";
    constexpr size_t kShown = 16;
    for (size_t i = 0; i < live.size() && i < kShown; ++i) {
        const Thread* t = live[i];
        const Wait& w = g_waits.at(t);
        os << "  " << risc_name(*t) << " " << t->kernel.kernel_path << " on core (" << t->core->x << "," << t->core->y
           << "): waiting " << where_waiting(*t, w.stack);
        if (w.cb >= 0) os << " on CB " << w.cb;
        os << "\n";
    }
    if (live.size() > kShown) os << "  ... and " << live.size() - kShown << " more waiting threads\n";
    std::vector<const Core*> cores;
    for (const Thread* t : live)
        if (std::find(cores.begin(), cores.end(), t->core) == cores.end()) cores.push_back(t->core);
    for (size_t i = 0; i < cores.size() && i < 4; ++i)
        os << "  circular buffers of core (" << cores[i]->x << "," << cores[i]->y << "):\n" << describe_counters(*cores[i]);
    return os.str();
}

}  // namespace

// Called from a thread's poll once it has polled a while without seeing progress; `cb` is the CB whose counter it
// last read (-1 if none). Ends the op when the whole program is stuck.
void note_waiting(Thread& t, int cb, int side) {
    const uint64_t progress = op_status().progress.load();
    std::lock_guard<std::mutex> lock(g_mu);
    if (op_status().aborted) return;  // the op already failed (perhaps by this very report)
    auto it = g_waits.find(&t);
    if (it == g_waits.end() || it->second.progress != progress) {
        Wait w{progress, Clock::now(), std::vector<void*>(48), cb, side};
        w.stack.resize(size_t(backtrace(w.stack.data(), int(w.stack.size()))));
        g_waits[&t] = std::move(w);
        return;
    }
    it->second.cb = cb;
    it->second.side = side;
    std::vector<const Thread*> live;
    for (auto& core : device().cores)
        for (auto& th : core->threads)
            if (th->state == ThreadState::Running) live.push_back(th.get());
    Clock::time_point latest{};
    for (const Thread* th : live) {
        auto w = g_waits.find(th);
        if (w == g_waits.end() || w->second.progress != progress) return;
        latest = std::max(latest, w->second.since);
    }
    if (Clock::now() - latest < kStall) return;
    // A wait beyond a CB's capacity is the kernel's error, not the program's: name it first.
    for (const Thread* th : live) {
        const Wait& w = g_waits.at(th);
        const std::string why = beyond_capacity(*th, w);
        if (why.empty()) continue;
        const KernelSite site = kernel_site(*th, w.stack);
        std::ostringstream os;
        os << th->kernel.kernel_path;
        if (site.line > 0) os << ":" << site.line;
        os << " [" << risc_label(*th) << ", core (" << th->core->x << "," << th->core->y << ")] "
           << (site.api_call.empty() ? "wait" : site.api_call) << " on CB " << w.cb << ": " << why << "\n"
           << deadlock_report(live);
        record_failure(1, os.str());
        for (auto& c : device().cores) c->cv.notify_all();
        return;
    }
    record_failure(2, deadlock_report(live));
    for (auto& c : device().cores) c->cv.notify_all();
}

// A new program starts: no thread waits.
void forget_waits() {
    std::lock_guard<std::mutex> lock(g_mu);
    g_waits.clear();
}

// A thread's wait ended (it saw progress) or the thread finished.
void note_not_waiting(const Thread& t) {
    std::lock_guard<std::mutex> lock(g_mu);
    g_waits.erase(&t);
}

namespace {

// A livelocked thread spins in kernel code the emulator never sees; a signal to it records where it is.
struct Sample {
    const Thread* thread;
    void* frames[64];
    int n;
    std::atomic<bool> done;
};
std::vector<Sample>* g_samples = nullptr;  // read-only while signals are out
const int kSampleSignal = SIGRTMIN + 3;

void on_sample(int, siginfo_t*, void* context) {
    const Thread* t = current_thread();
    if (!t || !g_samples) return;
    for (Sample& s : *g_samples) {
        if (s.thread != t) continue;
        s.frames[0] = reinterpret_cast<char*>(static_cast<ucontext_t*>(context)->uc_mcontext.gregs[REG_RIP]) + 1;
        s.n = 1 + backtrace(s.frames + 1, 63);
        s.done = true;
    }
}

}  // namespace

// Where each running kernel thread is now: one line per thread, "<kernel> on core (x,y) <risc>: at <line>, in <call>".
std::string sample_kernel_lines(const std::vector<std::pair<const Thread*, pthread_t>>& running) {
    static std::mutex mu;
    std::lock_guard<std::mutex> lock(mu);
    struct sigaction sa {};
    sa.sa_sigaction = on_sample;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(kSampleSignal, &sa, nullptr);
    std::vector<Sample> samples(running.size());
    for (size_t i = 0; i < running.size(); ++i) {
        samples[i].thread = running[i].first;
        samples[i].n = 0;
        samples[i].done = false;
    }
    g_samples = &samples;
    for (const auto& [t, handle] : running) pthread_kill(handle, kSampleSignal);
    const auto deadline = Clock::now() + std::chrono::milliseconds(500);
    for (Sample& s : samples)
        while (!s.done && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::ostringstream os;
    for (Sample& s : samples) {
        if (!s.done) continue;
        const Thread& t = *s.thread;
        os << "  " << risc_name(t) << " " << t.kernel.kernel_path << " on core (" << t.core->x << "," << t.core->y
           << "): spinning " << where_waiting(t, std::vector<void*>(s.frames, s.frames + s.n)) << "\n";
    }
    g_samples = nullptr;
    return os.str();
}

}  // namespace emu
