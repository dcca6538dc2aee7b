// The C ABI the Python launcher drives through ctypes.
#include <cstring>
#include <string>

#include "emu/runtime.h"

namespace emu {
void device_open(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint64_t);
void device_close();
void program_reset();
void program_add_cb(uint32_t, uint32_t, uint32_t, const uint32_t*, const uint32_t*, const uint32_t*, uint32_t);
void program_add_kernel(uint32_t, uint32_t, KernelInstance);
int program_run(std::string&, double);
}  // namespace emu

using namespace emu;

namespace {
void copy_out(const std::string& s, char* buf, size_t len) {
    if (!buf || len == 0) return;
    std::strncpy(buf, s.c_str(), len - 1);
    buf[len - 1] = 0;
}
}  // namespace

extern "C" {

int emu_device_open(uint32_t grid_x, uint32_t grid_y, uint32_t l1_size, uint32_t cb_base, uint32_t banks,
                    uint64_t bank_size, char* err, size_t errlen) {
    try {
        device_open(grid_x, grid_y, l1_size, cb_base, banks, bank_size);
        return 0;
    } catch (const std::exception& e) {
        copy_out(e.what(), err, errlen);
        return 1;
    }
}

void emu_device_close() { device_close(); }

uint8_t* emu_dram_bank(uint32_t bank) { return device().dram.at(bank); }

uint8_t* emu_core_l1(uint32_t x, uint32_t y) { return device().core(x, y)->l1; }

// The L1 bank table (bank b on worker core (xs[b], ys[b])) and the lowest address any L1 buffer occupies.
void emu_set_l1_banks(const uint32_t* xs, const uint32_t* ys, uint32_t n) {
    Device& d = device();
    d.l1_bank_core.clear();
    for (uint32_t b = 0; b < n; ++b) d.l1_bank_core.emplace_back(xs[b], ys[b]);
}

void emu_set_l1_buffer_floor(uint32_t addr) { device().l1_buffer_floor = addr; }

void emu_program_reset() { program_reset(); }

void emu_program_add_cb(uint32_t x, uint32_t y, uint32_t total_size, const uint32_t* indices, const uint32_t* formats,
                        const uint32_t* page_sizes, uint32_t n) {
    program_add_cb(x, y, total_size, indices, formats, page_sizes, n);
}

void emu_program_add_kernel(uint32_t x, uint32_t y, uint32_t role, uint32_t noc, const char* so_path,
                            const char* kernel_path, const uint32_t* args, uint32_t nargs, const uint32_t* common,
                            uint32_t ncommon, int fidelity, int fp32_dest, int approx, int full_sync,
                            uint32_t unpack_to_dest_mask) {
    KernelInstance k;
    k.role = Role(role);
    k.noc = uint8_t(noc);
    k.so_path = so_path;
    k.kernel_path = kernel_path;
    k.args.assign(args, args + nargs);
    k.common_args.assign(common, common + ncommon);
    k.compute.math_fidelity = fidelity;
    k.compute.fp32_dest_acc_en = fp32_dest != 0;
    k.compute.math_approx_mode = approx != 0;
    k.compute.dst_full_sync_en = full_sync != 0;
    k.compute.unpack_to_dest_fp32_mask = unpack_to_dest_mask;
    program_add_kernel(x, y, std::move(k));
}

// 0: ran clean; 1: protocol error or bad program; 2: deadlock / no progress. The message says which.
int emu_program_run(double timeout_s, char* message, size_t len) {
    std::string msg;
    int code = program_run(msg, timeout_s);
    copy_out(msg, message, len);
    return code;
}
}
