// TensorAccessor for interleaved DRAM and L1 tensors, driven by the real TensorAccessorArgs (api/tensor/
// tensor_accessor_args.h from the installed wheel, which parses the compile-time words the host emitted).
#pragma once

#include "api/tensor/tensor_accessor_args.h"

template <typename Args>
struct TensorAccessor {
    static_assert(!Args::is_sharded, "sharded tensors are not supported by the emulator");

    Args args;
    uint32_t bank_base_address;
    uint32_t page_size;

    constexpr TensorAccessor(const Args& a, uint32_t base, uint32_t page = 0)
        : args(a), bank_base_address(base), page_size(page) {}

    uint32_t get_aligned_page_size() const { return args.get_aligned_page_size(); }
    FORCE_INLINE uint64_t get_noc_addr(uint32_t page_id, uint32_t offset = 0, uint8_t /*noc*/ = noc_index) const {
        return emu_detail::interleaved_page(bank_base_address, get_aligned_page_size(), page_id, offset, Args::is_dram);
    }
};

template <typename Args>
TensorAccessor(const Args&, uint32_t, uint32_t) -> TensorAccessor<Args>;
template <typename Args>
TensorAccessor(const Args&, uint32_t) -> TensorAccessor<Args>;
