"""SFPU programs on the wheel's own kernels, laid out as ttnn's program factories lay them out:
- unary: eltwise_sfpu.cpp with the SFPU_OP_CHAIN_0 defines of ttnn's unary factory (tests.emulator.real_programs
  .eltwise.unary_descriptor);
- binary: eltwise_binary_sfpu_kernel.cpp as binary's ElementWiseMultiCoreSfpu factory builds it: the
  reader_binary_interleaved_start_id / writer_unary_interleaved_start_id pair, CBs c_0, c_1 in and c_2 out,
  the BINOP_INIT / BINARY_SFPU_OP defines of binary_op_utils::get_defines_fp32 (A in DEST tile i*2, B in
  i*2+1, the result over A), fp32 DEST when the output is Float32, and every input CB unpacked straight to
  DEST (UnpackToDestFp32) except for POWER, which unpacks only Float32 inputs that way."""

from __future__ import annotations

import ttnn

from tests.emulator.real_programs import eltwise, wheel

BINARY = "eltwise/binary/device/kernels"

# op: (init, function) as get_defines_fp32 names them for float inputs.
BINARY_SFPU = {
    "add": ("add_binary_tile_init();", "add_binary_tile"),
    "sub": ("sub_binary_tile_init();", "sub_binary_tile"),
    "mul": ("mul_binary_tile_init();", "mul_binary_tile"),
    "div": ("div_binary_tile_init();", "div_binary_tile"),
    "rsub": ("rsub_binary_tile_init();", "rsub_binary_tile"),
    "power": ("power_binary_tile_init();", "power_binary_tile"),
}


def binary_sfpu_defines(op: str) -> list[tuple[str, str]]:
    init, func = BINARY_SFPU[op]
    return [("BINOP_INIT", init), ("BINARY_SFPU_OP", f"{func}(i*2, i*2+1, i*2);")]


def binary_sfpu_compute_config(op: str, a, b, out) -> ttnn.ComputeConfigDescriptor:
    cfg = wheel.compute_config(fp32_dest_acc_en=out.dtype == ttnn.float32)
    modes = [ttnn.UnpackToDestMode.Default] * 32
    for cb, dtype in ((0, a.dtype), (1, b.dtype)):
        if op != "power" or dtype == ttnn.float32:
            modes[cb] = ttnn.UnpackToDestMode.UnpackToDestFp32
    cfg.unpack_to_dest_mode = modes
    return cfg


def binary_sfpu_descriptor(a, b, out, op: str) -> ttnn.ProgramDescriptor:
    num_tiles = a.buffer_num_pages()
    all_cores, _g1, _g2, _n1, _n2, per_core = wheel.split(a.device(), num_tiles)
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    start = 0
    for (x, y), n in per_core:
        reader_rt[x][y] = [a.buffer_address(), b.buffer_address(), n, start, 0, 0, 0]
        writer_rt[x][y] = [out.buffer_address(), n, start]
        compute_rt[x][y] = [n, 1]  # blocks, tiles per block
        start += n
    reader = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(BINARY, "dataflow/reader_binary_interleaved_start_id.cpp"),
        core_ranges=all_cores,
        compile_time_args=[
            0,  # not block or width sharded
            *ttnn.TensorAccessorArgs(a).get_compile_time_args(),
            *ttnn.TensorAccessorArgs(b).get_compile_time_args(),
        ],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    compute = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(BINARY, "compute/eltwise_binary_sfpu_kernel.cpp"),
        core_ranges=all_cores,
        defines=binary_sfpu_defines(op),
        runtime_args=compute_rt,
        config=binary_sfpu_compute_config(op, a, b, out),
    )
    cbs = [
        wheel.cb(0, a.dtype, a.buffer_page_size(), 2, all_cores),
        wheel.cb(1, b.dtype, b.buffer_page_size(), 2, all_cores),
        wheel.cb(2, out.dtype, out.buffer_page_size(), 2, all_cores),
    ]
    kernels = [reader, eltwise.unary_writer(out, 2, all_cores, writer_rt), compute]
    return ttnn.ProgramDescriptor(kernels=kernels, semaphores=[], cbs=cbs)


def run_binary_sfpu(device, xa, xb, op: str, dtype=ttnn.float32):
    """op(xa, xb) through generic_op on the wheel's binary SFPU kernel; returns the output as torch."""
    a = wheel.to_device(xa, dtype=dtype, device=device)
    b = wheel.to_device(xb, dtype=dtype, device=device)
    out = wheel.empty(xa.shape, dtype, ttnn.TILE_LAYOUT, device)
    ttnn.generic_op([a, b, out], binary_sfpu_descriptor(a, b, out, op))
    return ttnn.to_torch(out)
