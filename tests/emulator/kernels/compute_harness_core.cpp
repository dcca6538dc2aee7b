// A minimal stand-in for the emulator's core runtime, used only by the compute unit tests: one core, CBs as
// host arrays, no other threads. It lets a compute kernel run through the real shadow headers and the real
// compute runtime without the launcher. Usage:
//   harness <out_dir> <fp32_dest> <fidelity> <approx> <full_sync> <unpack_to_dest_mask> {<cb> <fmt> <pages> <file|->}…
// Input CBs (a file) start with all their pages pushed; the others start empty and poisoned. At the end each CB's
// whole FIFO is written to <out_dir>/cb<cb>.bin. Runtime args come from $EMU_HARNESS_ARGS ("1,2,3"). A protocol error prints "EMU_FAIL <call>: <message>" and exits 3.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "emu/core.h"

namespace {
constexpr uint8_t kPoison = 0xA5;
struct Cb {
    bool used = false;
    emu::DataFormat fmt = emu::DataFormat::Invalid;
    uint32_t page = 0, pages = 0, rd = 0, wr = 0, avail = 0, reserved = 0, waited = 0;
    std::vector<uint8_t> data;
};
Cb g_cb[32];
emu::ComputeConfig g_cfg;
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};
Cb& cb_of(int cb, const emu::Loc& loc) {
    if (cb < 0 || cb >= 32 || !g_cb[cb].used) emu::fail("cb", cb, loc, "CB " + std::to_string(cb) + " is not configured");
    return g_cb[cb];
}
}  // namespace

namespace emu {
const char* format_name(DataFormat) { return "?"; }
uint32_t format_bytes(DataFormat f) { return f == DataFormat::Float32 ? 4 : 2; }
[[noreturn]] void fail(const char* call, int, const Loc&, const std::string& message) {
    throw Failure(std::string(call) + ": " + message);
}
uint32_t core_x() { return 0; }
uint32_t core_y() { return 0; }
Role role() { return Role::Compute; }
const char* kernel_path() { return "harness"; }
std::vector<uint32_t> g_args;  // from $EMU_HARNESS_ARGS ("1,2,3")
uint32_t runtime_arg(uint32_t i, const Loc& loc) {
    if (i >= g_args.size()) fail("get_arg_val", -1, loc, "runtime arg " + std::to_string(i) + " was not supplied");
    return g_args[i];
}
uint32_t common_runtime_arg(uint32_t, const Loc& loc) { fail("get_common_arg_val", -1, loc, "no args"); }
uint32_t runtime_arg_addr(uint32_t, const Loc& loc) { fail("get_arg_addr", -1, loc, "no args"); }
uint32_t common_runtime_arg_addr(uint32_t, const Loc& loc) { fail("get_common_arg_addr", -1, loc, "no args"); }
void note_call(const char*, int, const Loc&) {}
void note_poll(const char*, int, const Loc&) {}
void cb_reserve_back(int cb, uint32_t n, const Loc& loc) {
    Cb& c = cb_of(cb, loc);
    if (c.pages - c.avail < n) fail("cb_reserve_back", cb, loc, "would block forever (single-threaded harness)");
    c.reserved = n;
}
void cb_push_back(int cb, uint32_t n, const Loc& loc) {
    Cb& c = cb_of(cb, loc);
    c.wr = (c.wr + n) % c.pages;
    c.avail += n;
    c.reserved = 0;
}
void cb_wait_front(int cb, uint32_t n, const Loc& loc) {
    Cb& c = cb_of(cb, loc);
    if (c.avail < n) fail("cb_wait_front", cb, loc, "would block forever (single-threaded harness)");
    c.waited = n;
}
void cb_pop_front(int cb, uint32_t n, const Loc& loc) {
    Cb& c = cb_of(cb, loc);
    c.rd = (c.rd + n) % c.pages;
    c.avail -= n;
    c.waited = 0;
}
bool cb_pages_reservable_at_back(int cb, uint32_t n, const Loc& loc) { Cb& c = cb_of(cb, loc); return c.pages - c.avail >= n; }
bool cb_pages_available_at_front(int cb, uint32_t n, const Loc& loc) { return cb_of(cb, loc).avail >= n; }
uint32_t cb_write_ptr(int, const Loc& loc) { fail("get_write_ptr", -1, loc, "not in the harness"); }
uint32_t cb_read_ptr(int, const Loc& loc) { fail("get_read_ptr", -1, loc, "not in the harness"); }
uint32_t cb_page_size(int cb, const Loc& loc) { return cb_of(cb, loc).page; }
uint32_t cb_num_pages(int cb, const Loc& loc) { return cb_of(cb, loc).pages; }
DataFormat cb_format(int cb, const Loc& loc) { return cb_of(cb, loc).fmt; }
uint8_t* cb_front_page(int cb, uint32_t i, const char* call, const Loc& loc) {
    Cb& c = cb_of(cb, loc);
    if (i >= c.waited) fail(call, cb, loc, "page " + std::to_string(i) + " was not waited for");
    return c.data.data() + size_t((c.rd + i) % c.pages) * c.page;
}
uint8_t* cb_back_page(int cb, uint32_t i, const char* call, const Loc& loc) {
    Cb& c = cb_of(cb, loc);
    if (i >= c.reserved) fail(call, cb, loc, "page " + std::to_string(i) + " was not reserved");
    return c.data.data() + size_t((c.wr + i) % c.pages) * c.page;
}
bool is_poisoned(const void* p, size_t n) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i)
        if (b[i] != kPoison) return false;
    return true;
}
const ComputeConfig& compute_config() { return g_cfg; }
uint32_t l1_base() { return 0; }
uint32_t l1_size() { return 0; }
}  // namespace emu

void kernel_main();

int main(int argc, char** argv) {
    if (argc < 7) return 2;
    const std::string out = argv[1];
    g_cfg.fp32_dest_acc_en = std::atoi(argv[2]);
    g_cfg.math_fidelity = std::atoi(argv[3]);
    g_cfg.math_approx_mode = std::atoi(argv[4]);
    g_cfg.dst_full_sync_en = std::atoi(argv[5]);
    g_cfg.unpack_to_dest_fp32_mask = uint32_t(std::strtoul(argv[6], nullptr, 0));
    for (int a = 7; a + 3 < argc; a += 4) {
        Cb& c = g_cb[std::atoi(argv[a])];
        c.used = true;
        c.fmt = static_cast<emu::DataFormat>(std::atoi(argv[a + 1]));
        c.pages = uint32_t(std::atoi(argv[a + 2]));
        c.page = 1024 * emu::format_bytes(c.fmt);
        c.data.assign(size_t(c.page) * c.pages, kPoison);
        if (std::strcmp(argv[a + 3], "-") != 0) {
            FILE* f = std::fopen(argv[a + 3], "rb");
            size_t got = f ? std::fread(c.data.data(), 1, c.data.size(), f) : 0;
            if (f) std::fclose(f);
            if (got != c.data.size()) return 2;
            c.avail = c.pages;
        }
    }
    if (const char* a = std::getenv("EMU_HARNESS_ARGS"))
        for (const char* p = a; *p;) {
            char* end;
            emu::g_args.push_back(uint32_t(std::strtoul(p, &end, 0)));
            p = *end ? end + 1 : end;
        }
    int rc = 0;
    try {
        kernel_main();
    } catch (const Failure& e) {
        std::printf("EMU_FAIL %s\n", e.what());
        rc = 3;
    }
    for (int i = 0; i < 32; ++i) {
        if (!g_cb[i].used) continue;
        FILE* f = std::fopen((out + "/cb" + std::to_string(i) + ".bin").c_str(), "wb");
        std::fwrite(g_cb[i].data.data(), 1, g_cb[i].data.size(), f);
        std::fclose(f);
    }
    return rc;
}
