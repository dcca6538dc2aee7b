"""Element-wise programs on the wheel's eltwise kernels, laid out as their factories lay them out:
- unary: eltwise_sfpu.cpp between eltwise/unary's reader/writer_unary_interleaved_start_id.cpp, tiles split
  over the grid by split_work_to_cores (column-major core order), CB c_0 in, c_2 out, the tile count as the
  compute kernel's runtime arg 0, the SFPU op as SFPU_OP_CHAIN_0 built from _INIT_0/_FUNC_0 defines;
- binary: eltwise_binary_kernel.cpp with reader_binary_interleaved_start_id.cpp, ELTWISE_OP/ELTWISE_OP_TYPE
  defines, a fused activation as SFPU_OP_CHAIN_0 on DEST index i, compute runtime args (blocks, block size);
- broadcast: bcast_hw.cpp with the single-core reader_bcast_hw_interleaved.cpp, the defines of
  bcast_op_utils::get_defines(HW, op) and BCAST_SCALAR when the second operand has one batch."""

from __future__ import annotations

import torch
import ttnn

from tests.emulator import wh_oracle
from tests.emulator.real_programs import wheel

UNARY = "eltwise/unary/device/kernels"
BINARY = "eltwise/binary/device/kernels"
BCAST = "data_movement/bcast/device/kernels"


def unary_reader(inp, cores, rt):
    return ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(UNARY, "dataflow/reader_unary_interleaved_start_id.cpp"),
        core_ranges=cores,
        compile_time_args=ttnn.TensorAccessorArgs(inp).get_compile_time_args(),
        runtime_args=rt,
        config=ttnn.ReaderConfigDescriptor(),
    )


def unary_writer(out, out_cb, cores, rt):
    return ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(UNARY, "dataflow/writer_unary_interleaved_start_id.cpp"),
        core_ranges=cores,
        compile_time_args=[out_cb, *ttnn.TensorAccessorArgs(out).get_compile_time_args()],
        runtime_args=rt,
        config=ttnn.WriterConfigDescriptor(),
    )


def sfpu_chain(init: str, func: str, include: str) -> list[tuple[str, str]]:
    return [
        ("SFPU_OP_CHAIN_0", "SFPU_OP_CHAIN_0_INIT_0 SFPU_OP_CHAIN_0_FUNC_0"),
        ("SFPU_OP_CHAIN_0_INIT_0", init),
        ("SFPU_OP_CHAIN_0_FUNC_0", func),
        (include, "1"),
    ]


def unary_descriptor(inp, out, defines, *, approx=False) -> ttnn.ProgramDescriptor:
    num_tiles = inp.buffer_num_pages()
    all_cores, _g1, _g2, _n1, _n2, per_core = wheel.split(inp.device(), num_tiles)
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    start = 0
    for (x, y), n in per_core:
        reader_rt[x][y] = [inp.buffer_address(), n, start]
        writer_rt[x][y] = [out.buffer_address(), n, start]
        compute_rt[x][y] = [n]
        start += n
    compute = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(UNARY, "compute/eltwise_sfpu.cpp"),
        core_ranges=all_cores,
        defines=[*defines, ("INP_FLOAT", "1")],
        runtime_args=compute_rt,
        config=wheel.compute_config(approx=approx),
    )
    cbs = [
        wheel.cb(0, inp.dtype, inp.buffer_page_size(), 2, all_cores),
        wheel.cb(2, out.dtype, out.buffer_page_size(), 2, all_cores),
    ]
    kernels = [unary_reader(inp, all_cores, reader_rt), unary_writer(out, 2, all_cores, writer_rt), compute]
    return ttnn.ProgramDescriptor(kernels=kernels, semaphores=[], cbs=cbs)


def _unary(device, x, defines, **kw):
    inp = wheel.to_device(x, device=device)
    out = wheel.empty(x.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device)
    ttnn.generic_op([inp, out], unary_descriptor(inp, out, defines, **kw))
    return ttnn.to_torch(out)


def unary_exp(device):
    x = (torch.rand(1, 3, 64, 128) * 8 - 4).to(torch.bfloat16)
    got = _unary(device, x, sfpu_chain("exp_tile_init();", "exp_tile(0);", "SFPU_OP_EXP_INCLUDE"))
    wheel.assert_close(got, torch.exp(x.double()), ulps=3, what="exp")


def unary_relu(device):
    x = torch.randn(2, 2, 96, 64).to(torch.bfloat16)
    got = _unary(device, x, sfpu_chain("relu_tile_init();", "relu_tile(0);", "SFPU_OP_RELU_FAMILY_INCLUDE"))
    wheel.assert_close(got, torch.relu(x.double()), what="relu")


def unary_sqrt(device):
    x = (torch.rand(1, 1, 128, 96) * 100).to(torch.bfloat16)
    got = _unary(device, x, sfpu_chain("sqrt_tile_init();", "sqrt_tile(0);", "SFPU_OP_SQRT_INCLUDE"))
    wheel.assert_close(got, torch.sqrt(x.double()), ulps=2, what="sqrt")


def unary_gelu(device):
    """ttnn.gelu(x, fast_and_approximate_mode=False): the accurate gelu_tile<false> (its polynomial lands within
    about one bf16 step of erf-gelu)."""
    x = (torch.rand(1, 2, 64, 96) * 8 - 4).to(torch.bfloat16)
    got = _unary(device, x, sfpu_chain("gelu_tile_init<0u>();", "gelu_tile<0u>(0);", "SFPU_OP_GELU_INCLUDE"))
    ref = torch.nn.functional.gelu(x.double())
    wheel.assert_close(got, ref, ulps=2, what="gelu")


def unary_recip(device):
    """ttnn.reciprocal: recip_tile with the DEST precision and approximation of the compute config; the precise
    bf16 reciprocal is correctly rounded on Wormhole (recip.h)."""
    mag = torch.rand(1, 1, 96, 128) * 15.9 + 0.1
    x = (mag * torch.where(torch.rand_like(mag) < 0.5, -1.0, 1.0)).to(torch.bfloat16)
    got = _unary(device, x, sfpu_chain("recip_tile_init();", "recip_tile(0);", "SFPU_OP_RECIP_INCLUDE"))
    wheel.assert_close(got, 1 / x.double(), ulps=0.5, what="recip")


def unary_rsqrt(device):
    x = (torch.rand(2, 1, 64, 64) * 50 + 0.01).to(torch.bfloat16)
    got = _unary(device, x, sfpu_chain("rsqrt_tile_init();", "rsqrt_tile(0);", "SFPU_OP_RSQRT_INCLUDE"))
    wheel.assert_close(got, torch.rsqrt(x.double()), ulps=1, what="rsqrt")


def unary_neg(device):
    x = torch.randn(1, 3, 32, 160).to(torch.bfloat16)
    got = _unary(device, x, sfpu_chain("negative_tile_init();", "negative_tile(0);", "SFPU_OP_NEG_INCLUDE"))
    wheel.assert_close(got, -x.double(), what="neg")


def unary_erf(device):
    """ttnn.erf(x, fast_and_approximate_mode=False)."""
    x = (torch.randn(1, 1, 128, 64) * 1.5).to(torch.bfloat16)
    got = _unary(
        device, x, sfpu_chain("erf_tile_init<0u>();", "erf_tile<0u>(0);", "SFPU_OP_ERF_ERFC_INCLUDE")
    )
    wheel.assert_close(got, torch.erf(x.double()), ulps=2, what="erf")


def binary_descriptor(a, b, out, op: str, llk: str, activation=None) -> ttnn.ProgramDescriptor:
    num_tiles = a.buffer_num_pages()
    all_cores, _g1, _g2, _n1, _n2, per_core = wheel.split(a.device(), num_tiles)
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    start = 0
    for (x, y), n in per_core:
        reader_rt[x][y] = [a.buffer_address(), b.buffer_address(), n, start, 0, 0, 0]
        writer_rt[x][y] = [out.buffer_address(), n, start]
        compute_rt[x][y] = [n, 1]
        start += n
    reader = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(BINARY, "dataflow/reader_binary_interleaved_start_id.cpp"),
        core_ranges=all_cores,
        compile_time_args=[
            0,
            *ttnn.TensorAccessorArgs(a).get_compile_time_args(),
            *ttnn.TensorAccessorArgs(b).get_compile_time_args(),
        ],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    defines = [("ELTWISE_OP", op), ("ELTWISE_OP_TYPE", llk)]
    if activation is not None:
        defines += activation
    compute = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(BINARY, "compute/eltwise_binary_kernel.cpp"),
        core_ranges=all_cores,
        defines=defines,
        runtime_args=compute_rt,
        config=wheel.compute_config(),
    )
    cbs = [
        wheel.cb(0, a.dtype, a.buffer_page_size(), 2, all_cores),
        wheel.cb(1, b.dtype, b.buffer_page_size(), 2, all_cores),
        wheel.cb(2, out.dtype, out.buffer_page_size(), 2, all_cores),
    ]
    kernels = [reader, unary_writer(out, 2, all_cores, writer_rt), compute]
    return ttnn.ProgramDescriptor(kernels=kernels, semaphores=[], cbs=cbs)


def _binary(device, xa, xb, op, llk, activation=None):
    a = wheel.to_device(xa, device=device)
    b = wheel.to_device(xb, device=device)
    out = wheel.empty(xa.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device)
    ttnn.generic_op([a, b, out], binary_descriptor(a, b, out, op, llk, activation))
    return ttnn.to_torch(out)


def binary_add(device):
    xa, xb = torch.randn(2, 64, 160).to(torch.bfloat16), torch.randn(2, 64, 160).to(torch.bfloat16)
    got = _binary(device, xa, xb, "add_tiles", "EltwiseBinaryType::ELWADD")
    wheel.assert_close(got, xa.double() + xb.double(), ulps=1, what="add")


def assert_fpu_mul(got: torch.Tensor, xa: torch.Tensor, xb: torch.Tensor, what: str):
    """An FPU multiply of bf16 tiles (HiFi4, 16-bit DEST: the factories' default ComputeConfig). Each of ELWMUL's
    fidelity phases accumulates into DEST and is rounded to bf16 there, so a product can land one bf16 step
    from the correctly rounded one: within 2 ulp of float64, the bound tt-metal's own test of its FPU multiply
    (test_mul.py, fast_and_approximate_mode) allows. The bits must also be the Wormhole model's (wh_oracle)."""
    wheel.assert_close(got, xa.double() * xb.double(), ulps=2, what=what)
    a = xa.float().contiguous().numpy().view("uint32").ravel()
    b = xb.expand_as(xa).float().contiguous().numpy().view("uint32").ravel()
    dest = wh_oracle.elwmul(a, b, 0 * a, wh_oracle.HIFI4, fp32_dest=False)
    want = wh_oracle.pack_bf16(dest)
    have = got.float().contiguous().numpy().view("uint32").ravel() >> 16
    off = int((have != want).sum())
    assert off == 0, f"{what}: {off} of {want.size} elements differ from the Wormhole FPU model's bits"


def binary_mul(device):
    xa, xb = torch.randn(1, 3, 64, 96).to(torch.bfloat16), torch.randn(1, 3, 64, 96).to(torch.bfloat16)
    got = _binary(device, xa, xb, "mul_tiles", "EltwiseBinaryType::ELWMUL")
    assert_fpu_mul(got, xa, xb, "mul")


def binary_sub(device):
    xa, xb = torch.randn(3, 96, 64).to(torch.bfloat16), torch.randn(3, 96, 64).to(torch.bfloat16)
    got = _binary(device, xa, xb, "sub_tiles", "EltwiseBinaryType::ELWSUB")
    wheel.assert_close(got, xa.double() - xb.double(), ulps=1, what="sub")


def binary_sub_relu(device):
    """sub with a fused relu, as the binary factory chains a fused activation on each DEST tile i."""
    xa, xb = torch.randn(1, 1, 128, 128).to(torch.bfloat16), torch.randn(1, 1, 128, 128).to(torch.bfloat16)
    relu = sfpu_chain("relu_tile_init();", "relu_tile(i);", "SFPU_OP_RELU_FAMILY_INCLUDE")
    got = _binary(device, xa, xb, "sub_tiles", "EltwiseBinaryType::ELWSUB", relu)
    wheel.assert_close(got, torch.relu(xa.double() - xb.double()), ulps=1, what="sub+relu")


def bcast_hw_descriptor(a, b, out, math: int) -> ttnn.ProgramDescriptor:
    """Single core (0,0); math 0/1/2 = add/sub/mul as bcast_op_utils orders them."""
    shape = a.padded_shape
    nc = shape[0] * shape[1]
    ht, wt = shape[2] // wheel.TILE, shape[3] // wheel.TILE
    b_shape = b.padded_shape
    bnc1 = b_shape[0] * b_shape[1] == 1
    core = wheel.core_range(0, 0, 0, 0)
    num_tiles = nc * ht * wt
    reader_defines = [("BCAST_SCALAR", "1")] if bnc1 else []
    compute_defines = [
        ("BCAST_OP", ["add_tiles_bcast", "sub_tiles_bcast", "mul_tiles_bcast"][math]),
        (
            "BCAST_LLKOP",
            ["EltwiseBinaryType::ELWADD", "EltwiseBinaryType::ELWSUB", "EltwiseBinaryType::ELWMUL"][math],
        ),
        ("BCAST_DIM", "BroadcastType::SCALAR"),
        ("CHAIN_BCAST_OP", "compute_kernel_lib::BinaryFpuOp::" + ["Add", "Sub", "Mul"][math]),
        ("CHAIN_BCAST_DIM", "compute_kernel_lib::BroadcastDim::Scalar"),
        *reader_defines,
    ]
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    reader_rt[0][0] = [
        a.buffer_address(),
        0,
        0,
        num_tiles,
        b.buffer_address(),
        0,
        0,
        0,
        num_tiles,
        nc,
        ht,
        wt,
        int(bnc1),
    ]
    writer_rt[0][0] = [out.buffer_address(), num_tiles, 0]
    compute_rt[0][0] = [nc, ht, wt]
    reader = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(BCAST, "dataflow/reader_bcast_hw_interleaved.cpp"),
        core_ranges=core,
        compile_time_args=[
            *ttnn.TensorAccessorArgs(a).get_compile_time_args(),
            *ttnn.TensorAccessorArgs(b).get_compile_time_args(),
        ],
        defines=reader_defines,
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    compute = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(BCAST, "compute/bcast_hw.cpp"),
        core_ranges=core,
        defines=compute_defines,
        runtime_args=compute_rt,
        config=wheel.compute_config(),
    )
    cbs = [
        wheel.cb(0, a.dtype, a.buffer_page_size(), 2, core),
        wheel.cb(1, b.dtype, b.buffer_page_size(), 2, core),
        wheel.cb(16, out.dtype, out.buffer_page_size(), 2, core),
    ]
    kernels = [reader, unary_writer(out, 16, core, writer_rt), compute]
    return ttnn.ProgramDescriptor(kernels=kernels, semaphores=[], cbs=cbs)


def _bcast(device, xa, xb, math):
    a = wheel.to_device(xa, device=device)
    b = wheel.to_device(xb, device=device)
    out = wheel.empty(xa.shape, ttnn.bfloat16, ttnn.TILE_LAYOUT, device)
    ttnn.generic_op([a, b, out], bcast_hw_descriptor(a, b, out, math))
    return ttnn.to_torch(out)


def bcast_scalar_add(device):
    """a + b[0,0,0,0] for every element: one scalar tile read once (BCAST_SCALAR)."""
    xa, xb = torch.randn(2, 3, 64, 96).to(torch.bfloat16), torch.randn(1, 1, 1, 1).to(torch.bfloat16)
    got = _bcast(device, xa, xb, 0)
    wheel.assert_close(got, xa.double() + xb.double(), ulps=1, what="bcast scalar add")


def bcast_batch_scalar_mul(device):
    """a[n,c] * b[n,c,0,0]: one scalar per batch (no BCAST_SCALAR; the reader steps b per batch)."""
    xa, xb = torch.randn(2, 2, 64, 64).to(torch.bfloat16), torch.randn(2, 2, 1, 1).to(torch.bfloat16)
    got = _bcast(device, xa, xb, 2)
    assert_fpu_mul(got, xa, xb, "bcast per-batch scalar mul")
