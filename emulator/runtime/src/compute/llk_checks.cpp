// The compute strictness checks of the v2 LLK layer (emulator/hal/llk) report through here: the wheel's compute
// API cannot carry call-site arguments, so the report names the LLK call and CB, and the runtime adds the kernel,
// core and RISC of the calling thread.
#include <string>

#include "emu/core.h"

extern "C" [[noreturn]] void emu_llk_violation(const char* call, int cb, const char* message) {
    emu::fail(call, cb, emu::Loc{nullptr, -1}, std::string(message));
}
