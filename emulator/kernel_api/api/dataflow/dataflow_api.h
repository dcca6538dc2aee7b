// Data-movement kernel API of ttnn 0.81.1 (api/dataflow/dataflow_api.h), implemented on the emulator.
// Names, template parameters and defaults follow the real header so kernels compile unchanged; every call
// forwards to the runtime with its call site. Calls not declared here fail to compile, by name.
#pragma once

#include <cstring>
#include <type_traits>

#include "emu/kernel_prelude.h"
#include "hostdevcommon/kernel_structs.h"
#include "tensix_types.h"
#include "api/compile_time_args.h"
#include "api/debug/dprint.h"

#define noc_index (emu::noc_index())
#define my_x (emu::my_x_array())
#define my_y (emu::my_y_array())

constexpr uint32_t NOC_MAX_BURST_SIZE = 8192;

// ---- arguments -----------------------------------------------------------------------------------------
template <typename T>
FORCE_INLINE T get_arg_val(int arg_idx, const emu::Loc& loc = emu::Loc::here()) {
    static_assert(sizeof(T) == 4, "runtime args are 32-bit words");
    uint32_t word = emu::runtime_arg(uint32_t(arg_idx), loc);
    T value;
    std::memcpy(&value, &word, 4);
    return value;
}

// L1 addresses of the argument lists, as kernels that walk their arguments through a pointer use them.
static FORCE_INLINE uintptr_t get_arg_addr(int arg_idx, const emu::Loc& loc = emu::Loc::here()) {
    return emu::runtime_arg_addr(uint32_t(arg_idx), loc);
}
static FORCE_INLINE uintptr_t get_common_arg_addr(int arg_idx, const emu::Loc& loc = emu::Loc::here()) {
    return emu::common_runtime_arg_addr(uint32_t(arg_idx), loc);
}

// Signature fixed by the forward declaration in the real api/tensor/tensor_accessor_args.h.
template <typename T>
T get_common_arg_val(int arg_idx) {
    static_assert(sizeof(T) == 4, "runtime args are 32-bit words");
    uint32_t word = emu::common_runtime_arg(uint32_t(arg_idx), emu::Loc{"", 0});
    T value;
    std::memcpy(&value, &word, 4);
    return value;
}

inline uint8_t get_absolute_logical_x() { return uint8_t(emu::core_x()); }
inline uint8_t get_absolute_logical_y() { return uint8_t(emu::core_y()); }
inline uint8_t get_relative_logical_x() { return uint8_t(emu::core_x()); }
inline uint8_t get_relative_logical_y() { return uint8_t(emu::core_y()); }

// ---- circular buffers ----------------------------------------------------------------------------------
FORCE_INLINE void cb_reserve_back(int32_t operand, int32_t num_pages, const emu::Loc& loc = emu::Loc::here()) {
    emu::cb_reserve_back(operand, uint32_t(num_pages), loc);
}
FORCE_INLINE void cb_push_back(const int32_t operand, const int32_t num_pages, const emu::Loc& loc = emu::Loc::here()) {
    emu::cb_push_back(operand, uint32_t(num_pages), loc);
}
FORCE_INLINE void cb_wait_front(int32_t operand, int32_t num_pages, const emu::Loc& loc = emu::Loc::here()) {
    emu::cb_wait_front(operand, uint32_t(num_pages), loc);
}
FORCE_INLINE void cb_pop_front(int32_t operand, int32_t num_pages, const emu::Loc& loc = emu::Loc::here()) {
    emu::cb_pop_front(operand, uint32_t(num_pages), loc);
}
FORCE_INLINE bool cb_pages_reservable_at_back(int32_t operand, int32_t num_pages,
                                              const emu::Loc& loc = emu::Loc::here()) {
    return emu::cb_pages_reservable_at_back(operand, uint32_t(num_pages), loc);
}
FORCE_INLINE bool cb_pages_available_at_front(int32_t operand, int32_t num_pages,
                                              const emu::Loc& loc = emu::Loc::here()) {
    return emu::cb_pages_available_at_front(operand, uint32_t(num_pages), loc);
}
FORCE_INLINE uint32_t get_write_ptr(uint32_t operand, const emu::Loc& loc = emu::Loc::here()) {
    return emu::cb_write_ptr(int(operand), loc);
}
FORCE_INLINE uint32_t get_read_ptr(uint32_t operand, const emu::Loc& loc = emu::Loc::here()) {
    return emu::cb_read_ptr(int(operand), loc);
}
inline uint32_t get_tile_size(uint32_t operand, const emu::Loc& loc = emu::Loc::here()) {
    return emu::cb_page_size(int(operand), loc);
}
inline uint32_t get_tile_hw(uint32_t /*operand*/) { return 32 * 32; }
inline DataFormat get_dataformat(uint32_t operand, const emu::Loc& loc = emu::Loc::here()) {
    return emu::cb_format(int(operand), loc);
}

// ---- NoC addressing ------------------------------------------------------------------------------------
FORCE_INLINE uint64_t get_noc_addr(uint32_t noc_x, uint32_t noc_y, uint32_t addr, uint8_t /*noc*/ = noc_index) {
    return emu::noc_encode(noc_x, noc_y, addr);
}
FORCE_INLINE uint64_t get_noc_addr(uint32_t addr, uint8_t /*noc*/ = noc_index) {
    return emu::noc_encode(emu::noc_x(emu::core_x()), emu::noc_y(emu::core_y()), addr);
}
template <bool DRAM>
FORCE_INLINE uint64_t get_noc_addr_from_bank_id(uint32_t bank_id, uint32_t bank_address_offset,
                                                uint8_t /*noc*/ = noc_index) {
    return DRAM ? emu::dram_bank_noc_addr(bank_id, bank_address_offset)
                : emu::l1_bank_noc_addr(bank_id, bank_address_offset);
}

namespace emu_detail {
constexpr uint32_t align_up(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }
// Page `id` of an interleaved buffer: bank id % banks, at base + (id / banks) * aligned_page in that bank.
inline uint64_t interleaved_page(uint32_t base, uint32_t aligned_page, uint32_t id, uint32_t offset,
                                 bool dram = true) {
    const uint32_t banks = dram ? emu::num_dram_banks() : emu::num_l1_banks();
    const uint32_t addr = base + (id / banks) * aligned_page + offset;
    return dram ? emu::dram_bank_noc_addr(id % banks, addr) : emu::l1_bank_noc_addr(id % banks, addr);
}
}  // namespace emu_detail

template <bool DRAM>
struct InterleavedAddrGen {
    static_assert(DRAM, "L1-interleaved buffers are not supported by the emulator");
    uint32_t bank_base_address;
    uint32_t page_size;
    uint32_t get_aligned_page_size() const { return emu_detail::align_up(page_size, 32); }
    FORCE_INLINE uint64_t get_noc_addr(uint32_t id, uint32_t offset = 0, uint8_t /*noc*/ = noc_index) const {
        return emu_detail::interleaved_page(bank_base_address, get_aligned_page_size(), id, offset);
    }
};

template <bool DRAM, uint32_t tile_hw = 1024>
struct InterleavedAddrGenFast {
    static_assert(DRAM, "L1-interleaved buffers are not supported by the emulator");
    uint32_t bank_base_address;
    uint32_t page_size;
    DataFormat data_format;
    uint32_t get_aligned_page_size() const { return emu_detail::align_up(page_size, 32); }
    FORCE_INLINE uint64_t get_noc_addr(uint32_t id, uint32_t offset = 0, uint8_t /*noc*/ = noc_index) const {
        return emu_detail::interleaved_page(bank_base_address, get_aligned_page_size(), id, offset);
    }
};

template <typename AddrGen, typename = std::enable_if_t<std::is_class_v<AddrGen>>>
FORCE_INLINE uint64_t get_noc_addr(uint32_t id, const AddrGen& addrgen, uint32_t offset = 0,
                                   uint8_t noc = noc_index) {
    return addrgen.get_noc_addr(id, offset, noc);
}

// ---- NoC transfers (queued; performed at the barrier) --------------------------------------------------
template <uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1, bool enable_noc_tracing = true>
inline void noc_async_read(uint64_t src_noc_addr, uint32_t dst_local_l1_addr, uint32_t size,
                           uint8_t /*noc*/ = noc_index, const emu::Loc& loc = emu::Loc::here()) {
    emu::noc_read(src_noc_addr, dst_local_l1_addr, size, loc);
}

template <bool enable_noc_tracing = true>
FORCE_INLINE void noc_async_read_one_packet(uint64_t src_noc_addr, uint32_t dst_local_l1_addr, uint32_t size,
                                            uint8_t /*noc*/ = noc_index, const emu::Loc& loc = emu::Loc::here()) {
    emu::noc_read(src_noc_addr, dst_local_l1_addr, size, loc);
}

namespace emu_detail {
struct ReadState {
    uint64_t src = 0;
    uint32_t size = 0;
};
inline thread_local ReadState read_state;
}  // namespace emu_detail

template <bool use_vc = false>
FORCE_INLINE void noc_async_read_one_packet_set_state(uint64_t src_noc_addr, uint32_t size,
                                                      uint8_t /*noc*/ = noc_index, uint8_t /*vc*/ = 0) {
    emu_detail::read_state = {src_noc_addr, size};
}

template <bool inc_num_issued = true, bool use_vc = false>
FORCE_INLINE void noc_async_read_one_packet_with_state(uint32_t src_local_l1_addr, uint32_t dst_local_l1_addr,
                                                       uint8_t /*noc*/ = noc_index, uint8_t /*vc*/ = 0,
                                                       const emu::Loc& loc = emu::Loc::here()) {
    const uint64_t src = (emu_detail::read_state.src & ~((1ull << 36) - 1)) | src_local_l1_addr;
    emu::noc_read(src, dst_local_l1_addr, emu_detail::read_state.size, loc);
}

template <uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1, bool enable_noc_tracing = true, bool posted = false>
inline void noc_async_write(uint32_t src_local_l1_addr, uint64_t dst_noc_addr, uint32_t size,
                            uint8_t /*noc*/ = noc_index, const emu::Loc& loc = emu::Loc::here()) {
    emu::noc_write(src_local_l1_addr, dst_noc_addr, size, loc);
}

template <bool enable_noc_tracing = true, bool posted = false>
FORCE_INLINE void noc_async_write_one_packet(uint32_t src_local_l1_addr, uint64_t dst_noc_addr, uint32_t size,
                                             uint8_t /*noc*/ = noc_index, const emu::Loc& loc = emu::Loc::here()) {
    emu::noc_write(src_local_l1_addr, dst_noc_addr, size, loc);
}

namespace emu_detail {
template <typename AddrGen>
uint32_t page_bytes(const AddrGen& addrgen) {
    return addrgen.get_aligned_page_size();
}
}  // namespace emu_detail

template <typename AddrGen, bool enable_noc_tracing = true>
FORCE_INLINE void noc_async_read_page(const uint32_t id, const AddrGen& addrgen, uint32_t dst_local_l1_addr,
                                      uint32_t offset = 0, uint8_t noc = noc_index,
                                      const emu::Loc& loc = emu::Loc::here()) {
    emu::noc_read(addrgen.get_noc_addr(id, offset, noc), dst_local_l1_addr, emu_detail::page_bytes(addrgen), loc);
}

template <typename AddrGen>
FORCE_INLINE void noc_async_read_tile(const uint32_t id, const AddrGen& addrgen, uint32_t dst_local_l1_addr,
                                      uint32_t offset = 0, uint8_t noc = noc_index,
                                      const emu::Loc& loc = emu::Loc::here()) {
    emu::noc_read(addrgen.get_noc_addr(id, offset, noc), dst_local_l1_addr, emu_detail::page_bytes(addrgen), loc);
}

template <typename AddrGen, bool enable_noc_tracing = true, bool posted = false>
FORCE_INLINE void noc_async_write_page(const uint32_t id, const AddrGen& addrgen, uint32_t src_local_l1_addr,
                                       uint32_t size = 0, uint32_t offset = 0, uint8_t noc = noc_index,
                                       const emu::Loc& loc = emu::Loc::here()) {
    const uint32_t bytes = size ? size : emu_detail::page_bytes(addrgen);
    emu::noc_write(src_local_l1_addr, addrgen.get_noc_addr(id, offset, noc), bytes, loc);
}

template <typename AddrGen>
FORCE_INLINE void noc_async_write_tile(const uint32_t id, const AddrGen& addrgen, uint32_t src_local_l1_addr,
                                       uint8_t noc = noc_index, const emu::Loc& loc = emu::Loc::here()) {
    emu::noc_write(src_local_l1_addr, addrgen.get_noc_addr(id, 0, noc), emu_detail::page_bytes(addrgen), loc);
}

FORCE_INLINE void noc_async_read_barrier(uint8_t /*noc*/ = noc_index, const emu::Loc& loc = emu::Loc::here()) {
    emu::noc_read_barrier(loc);
}
FORCE_INLINE void noc_async_write_barrier(uint8_t /*noc*/ = noc_index, const emu::Loc& loc = emu::Loc::here()) {
    emu::noc_write_barrier(loc);
}
FORCE_INLINE void noc_async_writes_flushed(uint8_t /*noc*/ = noc_index, const emu::Loc& loc = emu::Loc::here()) {
    emu::noc_write_barrier(loc);
}
FORCE_INLINE void noc_async_posted_writes_flushed(uint8_t /*noc*/ = noc_index,
                                                  const emu::Loc& loc = emu::Loc::here()) {
    emu::noc_write_barrier(loc);
}
FORCE_INLINE void noc_async_atomic_barrier(uint8_t /*noc_idx*/ = noc_index) {}
FORCE_INLINE void noc_async_full_barrier(uint8_t /*noc_idx*/ = noc_index, const emu::Loc& loc = emu::Loc::here()) {
    emu::noc_read_barrier(loc);
    emu::noc_write_barrier(loc);
}

#include "api/dataflow/circular_buffer.h"
#include "api/tensor/tensor_accessor.h"
