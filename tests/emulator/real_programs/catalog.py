"""Every real program, and which of them run on the emulator today.

RUNNABLE programs are tests (test_real_programs.py). PENDING ones are written from their factories but do not
run yet; each names what it waits for. `python -m tests.emulator.real_programs` runs all of them and prints
which pass, so a program moves from PENDING to RUNNABLE when it does."""

from __future__ import annotations

from collections.abc import Callable

from tests.emulator.real_programs import copy, eltwise, generic_reduce, layout, matmul, moreh, move, reduce

PROGRAMS: dict[str, Callable] = {
    "copy_tiled": copy.tiled_copy,
    "copy_tiled_backwards": copy.tiled_copy_backwards,
    "copy_row_major": copy.row_major_copy,
    "typecast_copy_bf16_to_fp32": copy.typecast_copy_bf16_to_fp32,
    "typecast_copy_fp32_to_bf16": copy.typecast_copy_fp32_to_bf16,
    "unary_exp": eltwise.unary_exp,
    "unary_relu": eltwise.unary_relu,
    "unary_sqrt": eltwise.unary_sqrt,
    "unary_gelu": eltwise.unary_gelu,
    "unary_recip": eltwise.unary_recip,
    "unary_rsqrt": eltwise.unary_rsqrt,
    "unary_neg": eltwise.unary_neg,
    "unary_erf": eltwise.unary_erf,
    "binary_add": eltwise.binary_add,
    "binary_mul": eltwise.binary_mul,
    "binary_sub": eltwise.binary_sub,
    "binary_sub_relu": eltwise.binary_sub_relu,
    "bcast_scalar_add": eltwise.bcast_scalar_add,
    "bcast_batch_scalar_mul": eltwise.bcast_batch_scalar_mul,
    "pack_untilize_bf16": layout.pack_untilize_bf16,
    "pack_untilize_fp32": layout.pack_untilize_fp32,
    "transpose_wh": layout.transpose_wh,
    "hc_sum_reduce_w": reduce.hc_sum_reduce,
    "reduce_w_sum": generic_reduce.reduce_w_sum,
    "reduce_w_max": generic_reduce.reduce_w_max,
    "reduce_h_sum": generic_reduce.reduce_h_sum,
    "reduce_h_max": generic_reduce.reduce_h_max,
    "bmm_broadcast_batch": matmul.bmm_broadcast_batch,
    "bmm_batched": matmul.bmm_batched,
    "moreh_sgd_momentum": moreh.sgd_momentum,
    "moreh_layer_norm_small": moreh.layer_norm_small,
    "move_overlap_row_major": move.move_overlap_row_major,
    "move_overlap_tiled": move.move_overlap_tiled,
}

# What the wheel-API build (TTNN_EMULATOR_API=wheel) still lacks, as each program's first failure shows it.
MOREH_LAYER_NORM_MEAN = (
    "mean and rstd off (the normalized output is within bounds): writer_moreh_layer_norm.cpp (normalized_dims 1) "
    "reads row 0 of the reduced tile, while REDUCE_ROW leaves the row results in column 0 (emulator and "
    "wh_oracle agree); the mean/rstd shapes this program allocates are to be checked against the factory's"
)

# Written, not yet running: name -> what it waits for.
PENDING: dict[str, str] = {
    "moreh_layer_norm_small": MOREH_LAYER_NORM_MEAN,
}

RUNNABLE: list[str] = [name for name in PROGRAMS if name not in PENDING]
