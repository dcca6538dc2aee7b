// Emulator shadow: see internal/tt-1xx/risc_common.h (the wheel includes it under both names).
#include "internal/tt-1xx/risc_common.h"
