// Emulator shadow of api/dataflow/buf_rw_note.h. On silicon each NoC call on a bound tensor emits a (slot, kind)
// record into an ELF note section for the host loader, through RISC-V assembler directives; the emulator's loader
// has no use for them, so the records are dropped. The names and the endpoint trait are the same.
#pragma once

#include <cstdint>
#include <type_traits>

#include "hostdev/buf_rw_common.h"
#include "internal/tensor/binding_id.h"

namespace tt_buf_rw {

template <uint32_t Slot, uint32_t Kind>
inline void note() {}

inline void note_opaque() { note<kOpaqueSlot, kOpaque>(); }

// The op-to-op binding an endpoint type carries (a bound TensorAccessor's DSpec::binding_id), if any.
template <typename T, typename = void>
struct endpoint {
    static constexpr bool present = false;
    static constexpr uint32_t slot = 0;
};
template <typename T>
struct endpoint<T, std::void_t<decltype(T::DSpec::binding_id)>> {
    static constexpr uint32_t slot = T::DSpec::binding_id;
    static constexpr bool present = slot != tensor_accessor::NO_BINDING_ID;
};

template <uint32_t Kind, typename T>
inline void note_if_bound() {
    if constexpr (endpoint<T>::present) note<endpoint<T>::slot, Kind>();
}

template <typename T>
inline constexpr uint32_t binding_of = endpoint<T>::present ? endpoint<T>::slot : tensor_accessor::NO_BINDING_ID;

template <uint32_t Slot>
inline void note_read_write() {
    if constexpr (Slot != tensor_accessor::NO_BINDING_ID) {
        note<Slot, kRead>();
        note<Slot, kWrite>();
    }
}

}  // namespace tt_buf_rw
