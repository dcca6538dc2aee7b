// BRISC hands a value to the UNPACK TRISC through its mailbox, as matmul's in0 receiver passes is_batch_valid.
#include <cstdint>
#include "api/dataflow/dataflow_api.h"
#include "ckernel.h"

void kernel_main() {
    ckernel::mailbox_write(ckernel::ThreadId::UnpackThreadId, get_arg_val<uint32_t>(0));
}
