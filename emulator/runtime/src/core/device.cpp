// The emulated chip: one reservation below 4 GiB holding every core's L1 between guard gaps, and DRAM banks as
// lazily committed host mappings. L1 addresses handed to kernels are host addresses, so the uint32_t pointers that
// kernels cast (get_write_ptr, get_read_ptr) dereference directly.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
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

void* map_below_4gib(size_t bytes, uintptr_t from, int prot) {
    constexpr uintptr_t kStep = 16u << 20, kEnd = uintptr_t(1) << 32;
    const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE;
    for (uintptr_t base = (from + kStep - 1) / kStep * kStep; base + bytes <= kEnd; base += kStep) {
        void* want = reinterpret_cast<void*>(base);
        void* m = mmap(want, bytes, prot, flags, -1, 0);
        if (m == want) return m;
        if (m != MAP_FAILED) munmap(m, bytes);  // a kernel without MAP_FIXED_NOREPLACE took it as a hint
    }
    return nullptr;
}

namespace {

// The L1 reservation: one PROT_NONE stride of guard, then a stride per core whose first `l1_size` bytes (rounded up
// to whole pages) are made accessible. The largest guard that fits below 4 GiB wins; anything under kL1Guard is
// said once per grid and guard, since a stray pointer may then reach another core's L1 unreported.
void reserve_l1(Device& d, size_t cores) {
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    const size_t used = (size_t(d.l1_size) + page - 1) / page * page;
    constexpr uint64_t kMiB = 1u << 20;
    for (uint64_t guard = kL1Guard; guard >= kMiB; guard /= 2) {
        const uint64_t stride = (used + guard + kMiB - 1) / kMiB * kMiB;
        const size_t bytes = size_t((cores + 1) * stride);
        if (bytes >= (uint64_t(1) << 32)) continue;
        void* m = map_below_4gib(bytes, kLowMapFloor, PROT_NONE);
        if (!m) continue;
        d.l1_reservation = static_cast<uint8_t*>(m);
        d.l1_reservation_bytes = bytes;
        d.l1_stride = stride;
        d.l1_region = d.l1_reservation + stride;
        for (size_t i = 0; i < cores; ++i) {
            if (mprotect(d.l1_region + i * stride, used, PROT_READ | PROT_WRITE) != 0) {
                munmap(m, bytes);
                d.l1_reservation = d.l1_region = nullptr;
                throw std::runtime_error("cannot make the emulated L1 of core " + std::to_string(i) + " writable");
            }
        }
        static std::pair<size_t, uint64_t> warned{0, 0};
        if (guard < kL1Guard && warned != std::pair{cores, stride}) {
            warned = {cores, stride};
            std::fprintf(stderr,
                         "emulator: warning: the L1 of %ux%u cores fits below 4 GiB only %llu MiB apart, so a stray "
                         "pointer more than %llu MiB past or before a core's L1 may reach another core's L1 "
                         "unreported\n",
                         d.grid_x, d.grid_y, (unsigned long long)(stride / kMiB),
                         (unsigned long long)((stride - used) / kMiB));
        }
        return;
    }
    const uint64_t closest = (used + kMiB + kMiB - 1) / kMiB;
    throw std::runtime_error("cannot place the L1 of " + std::to_string(d.grid_x) + "x" + std::to_string(d.grid_y) +
                             " cores (" + std::to_string(d.l1_size) + " B each, " + std::to_string(closest) +
                             " MiB apart at the least) below 4 GiB, where kernels' 32-bit L1 addresses must lie: "
                             "use a smaller TTNN_EMULATOR_GRID");
}

}  // namespace

void device_close() {
    if (!g_device) return;
    Device& d = *g_device;
    munmap(d.l1_reservation, d.l1_reservation_bytes);
    for (uint8_t* bank : d.dram) munmap(bank, d.dram_bank_size);
    delete g_device;
    g_device = nullptr;
}

void device_open(uint32_t grid_x, uint32_t grid_y, uint32_t l1_size, uint32_t cb_base, uint32_t banks,
                 uint64_t bank_size) {
    device_close();
    if (cb_base < kArgsBase + 3 * kArgsStride || cb_base > l1_size)
        throw std::runtime_error("the CB region must start above the runtime-argument blocks and inside L1");
    auto d = std::make_unique<Device>();
    d->grid_x = grid_x;
    d->grid_y = grid_y;
    d->l1_size = l1_size;
    d->cb_base = cb_base;
    d->num_dram_banks = banks;
    d->dram_bank_size = bank_size;
    d->l1_buffer_floor = l1_size;
    reserve_l1(*d, size_t(grid_x) * grid_y);
    for (uint32_t y = 0; y < grid_y; ++y) {
        for (uint32_t x = 0; x < grid_x; ++x) {
            auto c = std::make_unique<Core>();
            c->x = x;
            c->y = y;
            c->index = y * grid_x + x;
            c->l1 = d->l1_region + size_t(c->index) * d->l1_stride;
            d->cores.push_back(std::move(c));
        }
    }
    for (uint32_t b = 0; b < banks; ++b) {
        void* p = mmap(nullptr, bank_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            for (uint8_t* bank : d->dram) munmap(bank, bank_size);
            munmap(d->l1_reservation, d->l1_reservation_bytes);
            throw std::runtime_error("cannot map emulated DRAM bank");
        }
        d->dram.push_back(static_cast<uint8_t*>(p));
    }
    g_device = d.release();
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
