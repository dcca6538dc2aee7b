// Emulator shadow of tt-1xx cache.h. The wheel calls invalidate_l1_cache() once per iteration of every wait loop
// (CB counters, semaphores), so here it marks a poll: the emulator yields the host CPU, sleeps once the thread has
// polled a while without anything changing, and counts it for the livelock detector rather than as progress.
#pragma once

#include "emu/hal.h"

inline __attribute__((always_inline)) void invalidate_l1_cache() { emu_poll(); }
