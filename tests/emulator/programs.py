"""Small generic_op programs (in the style of tt-metal's test_generic_op.py) used by the emulator tests."""

from __future__ import annotations

from pathlib import Path

import ttnn

KERNELS = Path(__file__).resolve().parent / "kernels"


def each_core(group):
    for r in group.ranges():
        for y in range(r.start.y, r.end.y + 1):
            for x in range(r.start.x, r.end.x + 1):
                yield x, y


def split(device, units):
    """(all_cores, [(core_group, units_per_core), ...]) over the device grid."""
    grid = device.compute_with_storage_grid_size()
    _, all_cores, g1, g2, n1, n2 = ttnn.split_work_to_cores(grid, units)
    return all_cores, [(g, n) for g, n in ((g1, n1), (g2, n2)) if n > 0 and g.num_cores() > 0]


def rm_copy(inp, out, pages_in_cb: int = 2):
    """Row-major stick copy over every core."""
    device = inp.device()
    stick = inp.buffer_page_size()
    sticks = inp.buffer_num_pages()
    all_cores, groups = split(device, sticks)
    reader_rt, writer_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    start = 0
    for group, n in groups:
        for x, y in each_core(group):
            reader_rt[x][y] = [inp.buffer_address(), start, n]
            writer_rt[x][y] = [out.buffer_address(), start, n]
            start += n
    cb = ttnn.CBDescriptor(
        total_size=pages_in_cb * stick,
        core_ranges=all_cores,
        format_descriptors=[ttnn.CBFormatDescriptor(buffer_index=0, data_format=inp.dtype, page_size=stick)],
    )
    reader = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "rm_copy_reader.cpp"),
        core_ranges=all_cores,
        compile_time_args=[0, stick, *ttnn.TensorAccessorArgs(inp).get_compile_time_args()],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    writer = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "rm_copy_writer.cpp"),
        core_ranges=all_cores,
        compile_time_args=[0, stick, *ttnn.TensorAccessorArgs(out).get_compile_time_args()],
        runtime_args=writer_rt,
        config=ttnn.WriterConfigDescriptor(),
    )
    return ttnn.ProgramDescriptor(kernels=[reader, writer], semaphores=[], cbs=[cb])


def tile_writer(out, cores, runtime_args):
    """tile_writer.cpp: pages of CB 16 to `out`; runtime args per core [address, pages, first page]."""
    return ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "tile_writer.cpp"),
        core_ranges=cores,
        compile_time_args=[16, *ttnn.TensorAccessorArgs(out).get_compile_time_args()],
        runtime_args=runtime_args,
        config=ttnn.WriterConfigDescriptor(),
    )


def eltwise(
    inputs, out, defines, *, fp32_dest_acc_en=False, fidelity=ttnn.MathFidelity.HiFi4, unpack_to_dest=False
):
    """Tiled eltwise over every core: one or two inputs, the op chosen by defines (ELTWISE_OP[_INIT] or
    SFPU_OP_CHAIN_0); compute compile-time args per core group, as tt-metal's generic_op test does."""
    device = inputs[0].device()
    tile_bytes = inputs[0].buffer_page_size()
    num_tiles = inputs[0].buffer_num_pages()
    all_cores, groups = split(device, num_tiles)
    src1 = inputs[1] if len(inputs) > 1 else inputs[0]
    reader_rt, writer_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    start = 0
    for group, n in groups:
        for x, y in each_core(group):
            reader_rt[x][y] = [inputs[0].buffer_address(), src1.buffer_address(), n, start]
            writer_rt[x][y] = [out.buffer_address(), n, start]
            start += n
    cbs = [
        ttnn.CBDescriptor(
            total_size=2 * tile_bytes,
            core_ranges=all_cores,
            format_descriptors=[
                ttnn.CBFormatDescriptor(buffer_index=i, data_format=t.dtype, page_size=tile_bytes)
            ],
        )
        for i, t in ((0, inputs[0]), (1, src1))
    ]
    out_bytes = out.buffer_page_size()
    cbs.append(
        ttnn.CBDescriptor(
            total_size=2 * out_bytes,
            core_ranges=all_cores,
            format_descriptors=[
                ttnn.CBFormatDescriptor(buffer_index=16, data_format=out.dtype, page_size=out_bytes)
            ],
        )
    )
    reader = ttnn.KernelDescriptor(
        kernel_source=str(KERNELS / "tile_reader.cpp"),
        core_ranges=all_cores,
        compile_time_args=[
            *ttnn.TensorAccessorArgs(inputs[0]).get_compile_time_args(),
            *ttnn.TensorAccessorArgs(src1).get_compile_time_args(),
        ],
        defines=[("NUM_INPUTS", str(len(inputs)))],
        runtime_args=reader_rt,
        config=ttnn.ReaderConfigDescriptor(),
    )
    writer = tile_writer(out, all_cores, writer_rt)
    computes = []
    for group, n in groups:
        cfg = ttnn.ComputeConfigDescriptor()
        cfg.math_fidelity = fidelity
        cfg.fp32_dest_acc_en = fp32_dest_acc_en
        if unpack_to_dest:
            modes = [ttnn.UnpackToDestMode.Default] * 32
            modes[0] = ttnn.UnpackToDestMode.UnpackToDestFp32
            cfg.unpack_to_dest_mode = modes
        computes.append(
            ttnn.KernelDescriptor(
                kernel_source=str(KERNELS / "eltwise_compute.cpp"),
                core_ranges=group,
                compile_time_args=[n],
                defines=list(defines),
                runtime_args=[],
                config=cfg,
            )
        )
    return ttnn.ProgramDescriptor(kernels=[reader, writer, *computes], semaphores=[], cbs=cbs)


FEED_UNIT = 2048  # bytes per page of the feed/drain DRAM buffers: a bf16 tile; an fp32 tile is two


def compute_alone(
    device,
    kernel: str,
    compile_time_args,
    cbs: dict,
    *,
    runtime_args=(),
    defines=(),
    fp32_dest: bool = False,
    unpack_to_dest_mask: int = 0,
    fidelity=ttnn.MathFidelity.HiFi4,
    out_cb: int = 16,
) -> bytes:
    """One compute kernel on core (0,0) with its input CBs full before it starts: a unit test of the kernel
    alone, through generic_op. ``cbs`` maps each CB to (dtype, pages, input bytes, or None for a CB the kernel
    fills), every page one tile of dtype; each CB holds all its pages. Returns the bytes the kernel pushed
    into ``out_cb``, in push order (all its pages)."""
    core = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(0, 0))])
    page_of = {cb: 1024 * (4 if dtype == ttnn.float32 else 2) for cb, (dtype, _, _) in cbs.items()}
    feed, feed_args = bytearray(), []
    for cb in sorted(cbs):
        _, pages, data = cbs[cb]
        if data is None:
            continue
        if len(data) != pages * page_of[cb]:
            raise ValueError(f"CB {cb}: {len(data)} bytes for {pages} pages of {page_of[cb]} B")
        feed_args += [cb, pages, page_of[cb] // FEED_UNIT, len(feed) // FEED_UNIT]
        feed += data
    out_units = cbs[out_cb][1] * page_of[out_cb] // FEED_UNIT

    def dram(n_units: int, data: bytes | None = None):
        import numpy as np
        import torch

        words = np.frombuffer(bytes(data), np.int32) if data else np.zeros(n_units * FEED_UNIT // 4, np.int32)
        host = torch.from_numpy(words.copy()).reshape(1, 1, n_units, FEED_UNIT // 4)
        return ttnn.from_torch(host, dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT, device=device)

    src = dram(len(feed) // FEED_UNIT, feed)
    out = dram(out_units)
    reader_rt, writer_rt, compute_rt = ttnn.RuntimeArgs(), ttnn.RuntimeArgs(), ttnn.RuntimeArgs()
    reader_rt[0][0] = [src.buffer_address(), len(feed_args) // 4, *feed_args]
    writer_rt[0][0] = [out.buffer_address(), cbs[out_cb][1]]
    compute_rt[0][0] = list(runtime_args)
    config = ttnn.ComputeConfigDescriptor()
    config.math_fidelity = fidelity
    config.fp32_dest_acc_en = fp32_dest
    modes = [ttnn.UnpackToDestMode.Default] * 32
    for i in range(32):
        if unpack_to_dest_mask >> i & 1:
            modes[i] = ttnn.UnpackToDestMode.UnpackToDestFp32
    config.unpack_to_dest_mode = modes
    kernels = [
        ttnn.KernelDescriptor(
            kernel_source=str(KERNELS / "cb_feed_reader.cpp"),
            core_ranges=core,
            compile_time_args=[FEED_UNIT, *ttnn.TensorAccessorArgs(src).get_compile_time_args()],
            runtime_args=reader_rt,
            config=ttnn.ReaderConfigDescriptor(),
        ),
        ttnn.KernelDescriptor(
            kernel_source=str(KERNELS / "cb_drain_writer.cpp"),
            core_ranges=core,
            compile_time_args=[
                out_cb,
                FEED_UNIT,
                page_of[out_cb] // FEED_UNIT,
                *ttnn.TensorAccessorArgs(out).get_compile_time_args(),
            ],
            runtime_args=writer_rt,
            config=ttnn.WriterConfigDescriptor(),
        ),
        ttnn.KernelDescriptor(
            kernel_source=str(kernel),
            core_ranges=core,
            compile_time_args=list(compile_time_args),
            defines=list(defines),
            runtime_args=compute_rt,
            config=config,
        ),
    ]
    cb_descs = [
        ttnn.CBDescriptor(
            total_size=pages * page_of[cb],
            core_ranges=core,
            format_descriptors=[
                ttnn.CBFormatDescriptor(buffer_index=cb, data_format=dtype, page_size=page_of[cb])
            ],
        )
        for cb, (dtype, pages, _) in sorted(cbs.items())
    ]
    ttnn.generic_op([src, out], ttnn.ProgramDescriptor(kernels=kernels, semaphores=[], cbs=cb_descs))
    return ttnn.to_torch(out).numpy().tobytes()
