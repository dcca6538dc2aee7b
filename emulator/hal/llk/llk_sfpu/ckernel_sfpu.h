// tt-llk's ckernel_sfpu.h (what SFPU algorithms include first) against the emulator's ckernel.h.
#pragma once

#include <limits>

#include "ckernel.h"
#include "ckernel_defs.h"
#include "llk_sfpu_types.h"
#include "sfpi.h"
#include "sfpu/ckernel_sfpu_load_config.h"
