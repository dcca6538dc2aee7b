// tt::DataFormat numbers by name, for the LLK layer's reports of a CB format the unpacker or packer is not
// configured for.
#pragma once

#include <cstdint>

namespace emu::tensix {
inline const char* format_name(int32_t f) {
    switch (f) {
        case 0: return "Float32";
        case 1: return "Float16";
        case 2: return "Bfp8";
        case 3: return "Bfp4";
        case 4: return "Tf32";
        case 5: return "Float16_b";
        case 6: return "Bfp8_b";
        case 7: return "Bfp4_b";
        case 8: return "Int32";
        case 9: return "UInt16";
        case 14: return "Int8";
        case 24: return "UInt32";
        case 30: return "UInt8";
        default: return "an invalid format";
    }
}
}  // namespace emu::tensix
