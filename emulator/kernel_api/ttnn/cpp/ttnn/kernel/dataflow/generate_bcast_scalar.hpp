// Broadcast-constant tile generators of ttnn 0.81.1, same contract: only the region the matching broadcast
// reads is written (COL: column 0 of faces 0 and 2; ROW: row 0 of faces 0 and 1; SCALAR: element [0, 0]);
// the rest of the tile keeps whatever L1 held. `scalar` is bf16 in the upper 16 bits.
#pragma once

#include "api/dataflow/dataflow_api.h"

FORCE_INLINE void generate_bcast_col_scalar(CircularBuffer cb, uint32_t scalar) {
    const uint16_t value = uint16_t(scalar >> 16);
    cb.reserve_back(1);
    auto* ptr = reinterpret_cast<volatile uint16_t*>(uintptr_t(cb.get_write_ptr()));
    for (int face = 0; face < 4; face += 2)
        for (int row = 0; row < 16; ++row) ptr[(face << 8) + row * 16] = value;
    cb.push_back(1);
}

FORCE_INLINE void generate_bcast_row_scalar(CircularBuffer cb, uint32_t scalar) {
    cb.reserve_back(1);
    auto* ptr = reinterpret_cast<volatile uint32_t*>(uintptr_t(cb.get_write_ptr()));
    for (int face = 0; face < 2; ++face)
        for (int j = 0; j < 8; ++j) ptr[(face << 7) + j] = scalar;
    cb.push_back(1);
}

FORCE_INLINE void generate_bcast_unary_scalar(CircularBuffer cb, uint32_t scalar) {
    cb.reserve_back(1);
    auto* ptr = reinterpret_cast<volatile uint32_t*>(uintptr_t(cb.get_write_ptr()));
    ptr[0] = scalar >> 16;
    cb.push_back(1);
}
