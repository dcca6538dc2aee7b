// Spins until runtime arg 0 (read through a volatile pointer, as a host-updated flag would be) becomes 0; it is
// 7 and nothing changes it: a livelock with no emulator call in the loop.
#include "api/dataflow/dataflow_api.h"

void kernel_main() {
    volatile tt_l1_ptr uint32_t* flag = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_arg_addr(0));
    while (*flag != 0) {
    }
}
