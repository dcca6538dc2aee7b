// Emulator shadow of tt-llk's ckernel_include.h: the wheel's pure definitions, without the address-modifier
// programming (ckernel_addrmod.h writes Tensix configuration registers the emulator does not have).
#pragma once

#include "ckernel_defs.h"
#include "ckernel_gpr_map.h"
#include "ckernel_instr_params.h"
#include "ckernel_structs.h"
#include "tensix.h"
