// Emulator shadow of internal/debug/assert_common.h: the ASSERT macro of the wheel's device headers.
//
// On silicon ASSERT is compiled in only under the watcher. Data-movement kernels here always check it, as the
// watcher would: a failed condition (a cb_push_back / cb_pop_front that moves the FIFO pointer past the FIFO end,
// a TensorAccessor page id past the tensor, ...) fails the op, named by kernel line, core and RISC. Compute builds
// keep the wheel's no-op form (their checks live in the emulator's LLK layer).
#pragma once

#include "hostdev/dev_msgs.h"  // debug_assert_type_t
#include "internal/risc_attribs.h"

#if defined(COMPILE_FOR_BRISC) || defined(COMPILE_FOR_NCRISC)

extern "C" [[noreturn]] void emu_assert_failed(const char* condition, const char* file, int line);

#define ASSERT(condition, ...) (void((condition) ? 0 : (emu_assert_failed(#condition, __FILE__, __LINE__), 0)))

#define ASSERT_ENABLED 1
#define WATCHER_ASSERT_ENABLED 0
#define LIGHTWEIGHT_ASSERT_ENABLED 0

#else

#define ASSERT(condition, ...) (void(sizeof(decltype(not(condition)))))

#define ASSERT_ENABLED 0
#define LIGHTWEIGHT_ASSERT_ENABLED 0
#define WATCHER_ASSERT_ENABLED 0

#endif
