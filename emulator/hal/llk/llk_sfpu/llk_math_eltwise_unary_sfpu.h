// tt-llk's unary SFPU init against the emulator's ckernel.h: the SFPU configuration register and the
// address modifiers the algorithms step DEST with (ADDR_MOD_7: stay, ADDR_MOD_6: two rows).
#pragma once

#include "ckernel_addrmod.h"
#include "ckernel_sfpu.h"
#include "cmath_common.h"
#include "llk_math_eltwise_sfpu_common.h"
#include "llk_sfpu_types.h"

using namespace ckernel;

namespace ckernel::emu_sfpu {
inline void set_dest_incr(std::uint8_t addr_mod, std::int16_t incr) {
    addr_mod_t{.srca = {.incr = 0}, .srcb = {.incr = 0}, .dest = {.incr = incr}}.set(addr_mod);
}
// Binary and ternary ops whose algorithms store with ADDR_MOD_6 (two rows per store).
constexpr bool binary_steps_two_rows(SfpuType op) {
    switch (op) {
    case SfpuType::mul_int32: case SfpuType::mul_uint16: case SfpuType::max: case SfpuType::min:
    case SfpuType::max_int32: case SfpuType::min_int32: case SfpuType::max_uint32: case SfpuType::min_uint32:
    case SfpuType::lt_int: case SfpuType::gt_int: case SfpuType::le_int: case SfpuType::ge_int:
    case SfpuType::eq_int: case SfpuType::ne_int: case SfpuType::lt: case SfpuType::gt: case SfpuType::le:
    case SfpuType::ge: case SfpuType::eq: case SfpuType::ne: return true;
    default: return false;
    }
}
constexpr bool ternary_steps_two_rows(SfpuType op) { return op == SfpuType::where; }
}  // namespace ckernel::emu_sfpu

template <SfpuType op>
inline void eltwise_unary_sfpu_configure_addrmod() {
    emu_sfpu::set_dest_incr(ADDR_MOD_7, 0);
    if constexpr (op == SfpuType::topk_local_sort) emu_sfpu::set_dest_incr(ADDR_MOD_6, 32);
    if constexpr (op == SfpuType::typecast || op == SfpuType::unary_max || op == SfpuType::unary_min ||
                  op == SfpuType::unary_max_int32 || op == SfpuType::unary_min_int32 ||
                  op == SfpuType::unary_max_uint32 || op == SfpuType::unary_min_uint32 || op == SfpuType::signbit ||
                  op == SfpuType::not_equal_zero || op == SfpuType::equal_zero || op == SfpuType::less_than_zero ||
                  op == SfpuType::greater_than_equal_zero || op == SfpuType::greater_than_zero ||
                  op == SfpuType::less_than_equal_zero)
        emu_sfpu::set_dest_incr(ADDR_MOD_6, 2);
}

template <SfpuType op>
inline void _llk_math_eltwise_unary_sfpu_init_() {
    sfpu::_init_sfpu_config_reg();
    eltwise_unary_sfpu_configure_addrmod<op>();
    math::reset_counters(p_setrwc::SET_ABD_F);
}

inline void _llk_math_eltwise_unary_sfpu_init_once_() {
    sfpu::_init_sfpu_config_reg();
    emu_sfpu::set_dest_incr(ADDR_MOD_7, 0);
}
