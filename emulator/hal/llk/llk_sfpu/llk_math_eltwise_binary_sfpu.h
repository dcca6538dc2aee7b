// tt-llk's binary SFPU init against the emulator's ckernel.h (see llk_math_eltwise_unary_sfpu.h).
#pragma once

#include "llk_math_eltwise_unary_sfpu.h"

template <SfpuType op>
inline void eltwise_binary_sfpu_configure_addrmod() {
    emu_sfpu::set_dest_incr(ADDR_MOD_7, 0);
    if constexpr (emu_sfpu::binary_steps_two_rows(op)) emu_sfpu::set_dest_incr(ADDR_MOD_6, 2);
}

template <SfpuType op>
inline void _llk_math_eltwise_binary_sfpu_init_() {
    sfpu::_init_sfpu_config_reg();
    eltwise_binary_sfpu_configure_addrmod<op>();
    math::reset_counters(p_setrwc::SET_ABD_F);
}
