// The emulated chip: one low (MAP_32BIT) mapping holding every core's L1, and DRAM banks as lazily
// committed host mappings. L1 addresses handed to kernels are host addresses, so the uint32_t pointers that
// kernels cast (get_write_ptr, get_read_ptr) dereference directly.
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "emu/runtime.h"

namespace emu {

namespace {
Device* g_device = nullptr;
}

Device& device() {
    if (!g_device) throw std::runtime_error("emulated device is not open");
    return *g_device;
}

const char* format_name(DataFormat f) {
    switch (f) {
        case DataFormat::Float32: return "Float32";
        case DataFormat::Float16: return "Float16";
        case DataFormat::Bfp8: return "Bfp8";
        case DataFormat::Bfp4: return "Bfp4";
        case DataFormat::Tf32: return "Tf32";
        case DataFormat::Float16_b: return "Float16_b";
        case DataFormat::Bfp8_b: return "Bfp8_b";
        case DataFormat::Bfp4_b: return "Bfp4_b";
        case DataFormat::Int32: return "Int32";
        case DataFormat::UInt16: return "UInt16";
        case DataFormat::Int8: return "Int8";
        case DataFormat::UInt32: return "UInt32";
        case DataFormat::UInt8: return "UInt8";
        default: return "Invalid";
    }
}

uint32_t format_bytes(DataFormat f) {
    switch (f) {
        case DataFormat::Float32: case DataFormat::Tf32: case DataFormat::Int32: case DataFormat::UInt32: return 4;
        case DataFormat::Float16: case DataFormat::Float16_b: case DataFormat::UInt16: return 2;
        case DataFormat::Int8: case DataFormat::UInt8: return 1;
        default: return 0;
    }
}

bool is_poisoned(const void* p, size_t bytes) {
    const auto* w = static_cast<const uint8_t*>(p);
    uint32_t word;
    for (size_t i = 0; i + 4 <= bytes; i += 4) {
        std::memcpy(&word, w + i, 4);
        if (word != kPoisonWord) return false;
    }
    return bytes >= 4;
}

// The cores' L1 arenas in one mapping below 2 GiB (L1 addresses are 32-bit host addresses). Placed from 16 MiB
// upward, below MAP_32BIT's 1..2 GiB window, so that the per-core register blocks and argument pages other parts of
// the runtime take from that window can never split the hole a later device_open needs; MAP_32BIT is the fallback.
static void* map_l1_region(size_t bytes) {
    constexpr uintptr_t kFirst = 16u << 20, kStep = 16u << 20, kEnd = uintptr_t(2) << 30;
    const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    for (uintptr_t base = kFirst; base + bytes <= kEnd; base += kStep) {
        void* want = reinterpret_cast<void*>(base);
        void* m = mmap(want, bytes, PROT_READ | PROT_WRITE, flags | MAP_FIXED_NOREPLACE, -1, 0);
        if (m == want) return m;
        if (m != MAP_FAILED) munmap(m, bytes);  // a kernel without MAP_FIXED_NOREPLACE took it as a hint
    }
    return mmap(nullptr, bytes, PROT_READ | PROT_WRITE, flags | MAP_32BIT, -1, 0);
}

void device_close() {
    if (!g_device) return;
    Device& d = *g_device;
    munmap(d.l1_region, size_t(d.cores.size()) * kL1Stride);
    for (uint8_t* bank : d.dram) munmap(bank, d.dram_bank_size);
    delete g_device;
    g_device = nullptr;
}

void device_open(uint32_t grid_x, uint32_t grid_y, uint32_t l1_size, uint32_t cb_base, uint32_t banks,
                 uint64_t bank_size) {
    device_close();
    if (l1_size > kL1Stride) throw std::runtime_error("L1 size above the emulator's 16 MiB arena stride");
    if (cb_base < kArgsBase + 3 * kArgsStride || cb_base > l1_size)
        throw std::runtime_error("the CB region must start above the runtime-argument blocks and inside L1");
    auto* d = new Device();
    d->grid_x = grid_x;
    d->grid_y = grid_y;
    d->l1_size = l1_size;
    d->cb_base = cb_base;
    d->num_dram_banks = banks;
    d->dram_bank_size = bank_size;
    d->l1_buffer_floor = l1_size;
    const size_t l1_bytes = size_t(grid_x) * grid_y * kL1Stride;
    void* l1 = map_l1_region(l1_bytes);
    if (l1 == MAP_FAILED) {
        delete d;
        throw std::runtime_error("cannot map the emulated L1 below 2 GiB");
    }
    d->l1_region = static_cast<uint8_t*>(l1);
    for (uint32_t y = 0; y < grid_y; ++y) {
        for (uint32_t x = 0; x < grid_x; ++x) {
            auto c = std::make_unique<Core>();
            c->x = x;
            c->y = y;
            c->index = y * grid_x + x;
            c->l1 = d->l1_region + size_t(c->index) * kL1Stride;
            const size_t page = size_t(sysconf(_SC_PAGESIZE));
            const size_t used = (size_t(l1_size) + page - 1) / page * page;
            mprotect(c->l1 + used, kL1Stride - used, PROT_NONE);  // guard: see kL1Stride
            d->cores.push_back(std::move(c));
        }
    }
    for (uint32_t b = 0; b < banks; ++b) {
        void* p = mmap(nullptr, bank_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) throw std::runtime_error("cannot map emulated DRAM bank");
        d->dram.push_back(static_cast<uint8_t*>(p));
    }
    g_device = d;
}

// Hardware L1 holds whatever the previous program left; the emulator fills every CB with a NaN pattern at
// the start of every program so that reads of never-written memory are caught instead of silently used.
void poison_cbs(Core& core) {
    for (const CB& cb : core.cbs) {
        if (!cb.configured) continue;
        auto* w = reinterpret_cast<uint32_t*>(uintptr_t(cb.fifo_addr));
        for (uint32_t i = 0; i < cb.fifo_size / 4; ++i) w[i] = kPoisonWord;
    }
}

}  // namespace emu
