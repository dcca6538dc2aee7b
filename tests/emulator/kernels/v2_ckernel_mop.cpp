// A MOP issued by a kernel: the emulator's LLK layer does an operation's work itself and never runs MOPs, so one
// reaching the emulated Tensix fails the op naming the instruction.
#include <cstdint>
#include "api/compute/common.h"
#include "ckernel.h"

void kernel_main() {
#if defined(TRISC_MATH)
    ckernel::mop_run(1, 4);
#endif
}
