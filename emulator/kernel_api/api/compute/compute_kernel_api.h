// Emulator shadow of api/compute/compute_kernel_api.h. The real header gathers the whole SFPU zoo; the
// emulator provides the subset listed under api/compute/ (a kernel using anything else fails to compile,
// naming the function).
#pragma once

#include "api/compute/common.h"
#include "api/compute/tile_move_copy.h"
#include "api/compute/eltwise_unary/eltwise_unary.h"
#include "api/compute/eltwise_unary/binop_with_scalar.h"
#include "api/compute/eltwise_unary/recip.h"
#include "api/compute/eltwise_unary/rsqrt.h"
#include "api/compute/eltwise_unary/sqrt.h"
