"""ttnn.move with overlap (data_movement/move/device/move_overlap_program_factory.cpp): every core reads its
share of the pages into a CB used as a scratch L1 buffer, the non-controller cores each increment the
controller's semaphore, the controller (logical core 0,0) waits for all of them and multicasts the semaphore
to the rest of the grid, and only then does any core write its pages: a multicast + semaphore handshake."""

from __future__ import annotations

import torch
import ttnn

from tests.emulator.real_programs import wheel

MOVE = "data_movement/move/device/kernels/dataflow"
L1_ALIGNMENT = 16


def _align(n: int, a: int) -> int:
    return (n + a - 1) // a * a


def multicast_regions(all_cores) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The factory's get_multicast_regions for controller (0,0): the cores of all_cores other than the
    controller, as at most three rectangles (its range split right of and below the controller)."""
    ranges = [((r.start.x, r.start.y), (r.end.x, r.end.y)) for r in all_cores.ranges()]

    def split(r):
        (sx, sy), (ex, ey) = r
        assert (sx, sy) == (0, 0)
        out = []
        if ex > 0:
            out.append(((1, 0), (ex, ey)))
        if ey > 0:
            out.append(((0, 1), (0, ey)))
        return out

    if len(ranges) == 1:
        return split(ranges[0])
    first, last = ranges[0], ranges[-1]
    if first[0] == (0, 0):
        return [*split(first), last]
    return [*split(last), first]


def descriptor(inp, out) -> ttnn.ProgramDescriptor:
    device = inp.device()
    tilized = inp.layout == ttnn.TILE_LAYOUT
    page_size = inp.buffer_page_size()
    num_pages = inp.buffer_num_pages()
    all_cores, _g1, _g2, _n1, _n2, per_core = wheel.split(device, num_pages)
    grid = wheel.grid(device)
    banks = grid.x * grid.y
    aligned_page = _align(page_size, L1_ALIGNMENT)
    size_per_bank = (num_pages + banks - 1) // banks * aligned_page
    cbs = [
        ttnn.CBDescriptor(
            total_size=size_per_bank,
            core_ranges=all_cores,
            format_descriptors=[
                ttnn.CBFormatDescriptor(buffer_index=0, data_format=inp.dtype, page_size=aligned_page)
            ],
        )
    ]
    semaphores = [ttnn.SemaphoreDescriptor(id=0, core_ranges=all_cores, initial_value=0)]
    ct = [0] if tilized else [0, page_size]
    ct += [
        *ttnn.TensorAccessorArgs(inp).get_compile_time_args(),
        *ttnn.TensorAccessorArgs(out).get_compile_time_args(),
    ]

    def noc(x, y):
        c = device.worker_core_from_logical_core(ttnn.CoreCoord(x, y))
        return c.x, c.y

    controller = noc(0, 0)
    regions = []
    for (sx, sy), (ex, ey) in multicast_regions(all_cores):
        regions.append([*noc(sx, sy), *noc(ex, ey), (ex - sx + 1) * (ey - sy + 1)])
    padded = regions + [[0, 0, 0, 0, 0]] * (3 - len(regions))
    rt = ttnn.RuntimeArgs()
    done = 0
    for i, ((x, y), n) in enumerate(per_core):
        args = [
            inp.buffer_address(),
            out.buffer_address(),
            done,
            n,
            0,
            *controller,
            len(per_core) - 1,
            int(i == 0),
        ]
        for region in padded:
            args += region
        args.append(len(regions))
        if not tilized:
            args.append(aligned_page)
        rt[x][y] = args
        done += n
    kernel = ttnn.KernelDescriptor(
        kernel_source=wheel.op_kernel(
            MOVE,
            "move_interleaved_with_overlap.cpp"
            if tilized
            else "move_stick_layout_interleaved_with_overlap.cpp",
        ),
        core_ranges=all_cores,
        compile_time_args=ct,
        runtime_args=rt,
        config=ttnn.DataMovementConfigDescriptor(),
    )
    return ttnn.ProgramDescriptor(kernels=[kernel], semaphores=semaphores, cbs=cbs)


def _move(device, x, layout):
    inp = wheel.to_device(x, ttnn.bfloat16, layout, device)
    out = wheel.empty(x.shape, ttnn.bfloat16, layout, device)
    ttnn.generic_op([inp, out], descriptor(inp, out))
    return ttnn.to_torch(out)


def move_overlap_row_major(device):
    """100 sticks over all 64 cores: the controller multicasts to (1,0)-(7,7) and (0,1)-(0,7)."""
    x = torch.randn(1, 1, 100, 64).to(torch.bfloat16)
    wheel.assert_close(_move(device, x, ttnn.ROW_MAJOR_LAYOUT), x.double(), what="move (row-major)")


def move_overlap_tiled(device):
    """20 tiles on 20 cores (two ranges: columns 0-1 and the first four cores of column 2)."""
    x = torch.randn(1, 5, 64, 64).to(torch.bfloat16)
    wheel.assert_close(_move(device, x, ttnn.TILE_LAYOUT), x.double(), what="move (tiled)")
