// What a compute kernel has included before any ckernel_sfpu_*.h (ckernel core, the SFPU types, sfpi, lltt,
// the converter helpers): many of the wheel's algorithm headers rely on their includer for these.
#include <array>
#include <limits>

#include "ckernel.h"
#include "ckernel_defs.h"
#include "ckernel_sfpu.h"
#include "llk_sfpu_types.h"
#include "lltt.h"
#include "sfpu/ckernel_sfpu_converter.h"
