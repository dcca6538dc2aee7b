// Emulator shadow of metal/llk_io/llk_io.h (the firmware includes it early, before the descriptors).
#pragma once

#include "internal/circular_buffer_interface.h"
