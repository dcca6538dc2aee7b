// DataFormat as kernels see it (get_dataformat), with tt::DataFormat's numbering.
#pragma once

#include "emu/core.h"

using DataFormat = emu::DataFormat;
