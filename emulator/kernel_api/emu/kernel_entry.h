// Included after the kernel source: the one symbol the runtime looks up in every kernel object.
#pragma once

extern "C" void emu_kernel_entry() {
    if (&kernel_main != nullptr) {
        kernel_main();
    } else if (&chlkc_emu::kernel_main_legacy != nullptr) {
        chlkc_emu::kernel_main_legacy();
    }
}
