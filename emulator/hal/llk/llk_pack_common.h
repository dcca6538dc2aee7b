// Emulator shadow of tt-llk's llk_pack_common.h: the _llk_* layer that programs the Tensix engine's registers beneath
// metal's llk_api. The emulator's llk_api headers (this directory) do that work themselves, so nothing here is
// needed by them; the compute API headers include it only for its declarations.
#pragma once

#include "ckernel.h"
