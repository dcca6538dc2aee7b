// Faults in kernel code (a null or wild pointer, a stack overflow from unbounded recursion, a write into an
// L1 guard region) end the kernel's thread, not the process: a SIGSEGV/SIGBUS raised on a kernel thread is
// caught on that thread's alternate signal stack and turned into a failed op that names the kernel, core and
// RISC (by the caller). A fault on any other thread goes to whoever handled the signal before (Python's
// faulthandler, or the default action).
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <sstream>
#include <string>

namespace emu {

namespace {

struct Guard {
    sigjmp_buf env;
    volatile sig_atomic_t active = 0;
    int sig = 0;
    void* addr = nullptr;
    void* pc = nullptr;  // the faulting instruction, to name the kernel line
};

thread_local Guard t_guard;
struct sigaction g_previous_segv, g_previous_bus;
std::mutex g_install_mu;
constexpr size_t kAltStackBytes = 64 * 1024;

void on_fault(int sig, siginfo_t* info, void* context) {
    Guard& g = t_guard;
    if (g.active) {
        g.active = 0;
        g.sig = sig;
        g.addr = info->si_addr;
        g.pc = reinterpret_cast<void*>(static_cast<ucontext_t*>(context)->uc_mcontext.gregs[REG_RIP]);
        siglongjmp(g.env, 1);
    }
    // Not a guarded kernel thread: restore the previous handler; the faulting instruction runs again and
    // raises the signal to it.
    sigaction(sig, sig == SIGBUS ? &g_previous_bus : &g_previous_segv, nullptr);
}

// The calling thread's stack [lo, hi), to tell a stack overflow from a bad pointer.
void stack_bounds(uintptr_t& lo, uintptr_t& hi) {
    lo = hi = 0;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
    void* base = nullptr;
    size_t size = 0;
    if (pthread_attr_getstack(&attr, &base, &size) == 0) {
        lo = reinterpret_cast<uintptr_t>(base);
        hi = lo + size;
    }
    pthread_attr_destroy(&attr);
}

}  // namespace

void install_fault_handlers() {
    std::lock_guard<std::mutex> lock(g_install_mu);
    struct sigaction current {};
    sigaction(SIGSEGV, nullptr, &current);
    if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_fault) return;
    struct sigaction sa {};
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_previous_segv);
    sigaction(SIGBUS, &sa, &g_previous_bus);
}

// The instruction of the calling thread's last caught fault.
void* last_fault_pc() { return t_guard.pc; }

bool run_guarded(void (*fn)(void*), void* arg, std::string& fault, void*& fault_addr) {
    // Unbounded recursion leaves no stack to run a handler on: the handler runs on a stack of its own.
    void* alt = mmap(nullptr, kAltStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    stack_t ss {}, old {};
    if (alt != MAP_FAILED) {
        ss.ss_sp = alt;
        ss.ss_size = kAltStackBytes;
        sigaltstack(&ss, &old);
    }
    struct Restore {  // runs on return, on a C++ exception from fn, and after a fault
        void* alt;
        stack_t old;
        ~Restore() {
            t_guard.active = 0;
            if (alt != MAP_FAILED) {
                sigaltstack(&old, nullptr);
                munmap(alt, kAltStackBytes);
            }
        }
    } restore{alt, old};
    Guard& g = t_guard;
    if (sigsetjmp(g.env, 1) == 0) {
        g.active = 1;
        fn(arg);
        return true;
    }
    fault_addr = g.addr;
    uintptr_t lo, hi;
    stack_bounds(lo, hi);
    const auto addr = reinterpret_cast<uintptr_t>(g.addr);
    std::ostringstream os;
    os << (g.sig == SIGBUS ? "SIGBUS" : "SIGSEGV") << " in kernel code at address " << g.addr;
    if (addr < 4096)
        os << " (a null pointer dereference)";
    else if (lo && addr + (1u << 20) >= lo && addr < hi)
        os << " (stack overflow: unbounded or too deep recursion)";
    fault = os.str();
    return false;
}

}  // namespace emu
