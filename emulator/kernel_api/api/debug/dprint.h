// DPRINT: printed to stderr when TTNN_EMULATOR_DPRINT=1, otherwise discarded (as without the print server).
#pragma once

#include <cstdlib>
#include <sstream>
#include <string>

#include "emu/core.h"

namespace emu_dprint {
struct Endl {};
struct Sink {
    std::ostringstream os;
    static bool enabled() {
        static const bool on = [] {
            const char* v = std::getenv("TTNN_EMULATOR_DPRINT");
            return v && v[0] == '1';
        }();
        return on;
    }
    template <class T>
    Sink& operator<<(const T& v) {
        if (enabled()) os << v;
        return *this;
    }
    Sink& operator<<(Endl) {
        if (enabled()) {
            os << "\n";
            emu::dprint(os.str());
            os.str("");
        }
        return *this;
    }
};
inline thread_local Sink sink;
}  // namespace emu_dprint

inline emu_dprint::Endl ENDL() { return {}; }
#define DPRINT emu_dprint::sink
#define DPRINT_DATA0(x) x
#define DPRINT_DATA1(x) x
#define DPRINT_MATH(x) x
#define DPRINT_PACK(x) x
#define DPRINT_UNPACK(x) x
