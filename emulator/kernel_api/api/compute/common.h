// Emulator shadow of api/compute/common.h: the core compute headers plus runtime-argument access.
#pragma once

#include <cstdint>
#include <cstring>

#include "api/compute/common_globals.h"
#include "api/compute/reg_api.h"
#include "api/compute/pack.h"
#include "api/compute/reconfig_data_format.h"
#include "api/compute/cb_api.h"
#include "api/compute/compute_kernel_hw_startup.h"

#if defined(KERNEL_COMPILE_TIME_ARGS) && __has_include("api/compile_time_args.h")
#include "api/compile_time_args.h"
#endif

// Runtime arguments (compute kernels do not include the dataflow API, which has its own definitions).
#ifndef EMU_RUNTIME_ARG_API
#define EMU_RUNTIME_ARG_API
static FORCE_INLINE uint32_t get_arg_addr(int arg_idx, const emu::Loc& loc = emu::Loc::here()) {
    return emu::runtime_arg_addr(uint32_t(arg_idx), loc);
}
static FORCE_INLINE uint32_t get_common_arg_addr(int arg_idx, const emu::Loc& loc = emu::Loc::here()) {
    return emu::common_runtime_arg_addr(uint32_t(arg_idx), loc);
}

template <typename T>
FORCE_INLINE T get_arg_val(int arg_idx, const emu::Loc& loc = emu::Loc::here()) {
    static_assert(sizeof(T) == 4, "Error: only 4B args are supported");
    const uint32_t bits = emu::runtime_arg(uint32_t(arg_idx), loc);
    T v;
    std::memcpy(&v, &bits, 4);
    return v;
}

// One parameter, like the forward declaration in the real api/tensor/tensor_accessor_args.h.
template <typename T>
T get_common_arg_val(int arg_idx) {
    static_assert(sizeof(T) == 4, "Error: only 4B args are supported");
    const uint32_t bits = emu::common_runtime_arg(uint32_t(arg_idx), emu::Loc{"", 0});
    T v;
    std::memcpy(&v, &bits, 4);
    return v;
}

inline uint8_t get_absolute_logical_x() { return uint8_t(emu::core_x()); }
inline uint8_t get_absolute_logical_y() { return uint8_t(emu::core_y()); }
inline uint8_t get_relative_logical_x() { return uint8_t(emu::core_x()); }
inline uint8_t get_relative_logical_y() { return uint8_t(emu::core_y()); }
#endif
