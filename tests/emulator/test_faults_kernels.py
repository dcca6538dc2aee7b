"""A kernel that faults is reported, not fatal: a null dereference, unbounded recursion or a pointer
run past a core's L1 becomes an EmulatorError naming the kernel file, core and RISC with the faulting line (the
wheel's API calls inline into the kernel, so that is the kernel's own line). The process and the device stay usable. (A kernel spinning on its runtime args is
test_v2_strict's test_pure_spin_is_a_livelock_naming_the_kernel_line.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import ttnn

from emulator import device_info
from emulator.launcher import EmulatorError

PRELUDE = '#include "api/dataflow/dataflow_api.h"\n'


def _run(device, tmp_path, body: str, core=(1, 2), name="faulty_writer.cpp", args=(7, 0), cb_bytes=4096):
    src = tmp_path / name
    src.write_text(PRELUDE + body)
    cores = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(*core), ttnn.CoreCoord(*core))])
    rt = ttnn.RuntimeArgs()
    rt[core[0]][core[1]] = list(args)
    kernel = ttnn.KernelDescriptor(
        kernel_source=str(src), core_ranges=cores, runtime_args=rt, config=ttnn.WriterConfigDescriptor()
    )
    cb = ttnn.CBDescriptor(
        total_size=cb_bytes,
        core_ranges=cores,
        format_descriptors=[
            ttnn.CBFormatDescriptor(buffer_index=0, data_format=ttnn.bfloat16, page_size=2048)
        ],
    )
    x = ttnn.from_torch(torch.zeros(32, 32, dtype=torch.bfloat16), layout=ttnn.TILE_LAYOUT, device=device)
    ttnn.generic_op([x, x], ttnn.ProgramDescriptor(kernels=[kernel], semaphores=[], cbs=[cb]))
    return src


def _line(src, needle: str) -> int:
    return next(n for n, line in enumerate(src.read_text().splitlines(), 1) if needle in line)


NULL_DEREF = """void kernel_main() {
    uint32_t offset = get_arg_val<uint32_t>(1);
    volatile uint32_t* p = reinterpret_cast<volatile uint32_t*>(uintptr_t(offset));
    *p = 1;  // null
}
"""

RECURSION = """uint32_t depth(volatile uint32_t n) {
    volatile uint8_t frame[512];
    frame[n % 512] = uint8_t(n);
    return depth(n + 1) + frame[0];
}
void kernel_main() {
    uint32_t start = get_arg_val<uint32_t>(0);
    depth(start);
}
"""

OVERRUN = """void kernel_main() {
    cb_reserve_back(0, 1);
    uint32_t past = get_arg_val<uint32_t>(0) * 0 + OFFSET;
    auto* p = reinterpret_cast<volatile uint32_t*>(get_write_ptr(0) + past);
    *p = 42;
}
"""


def _check_named(err: str, src, call: str, fault: str, core=(1, 2)):
    """The report names the kernel file, core and RISC, and the line that faulted (`fault`; the wheel's API calls,
    such as `call`, inline into the kernel)."""
    line = _line(src, fault)
    assert f"{src}:{line} [writer (NCRISC), core ({core[0]},{core[1]})]" in err, err
    assert "] kernel code: SIG" in err, err


def test_null_dereference_is_reported(device, tmp_path):
    with pytest.raises(EmulatorError) as e:
        _run(device, tmp_path, NULL_DEREF)
    src = tmp_path / "faulty_writer.cpp"
    msg = str(e.value)
    _check_named(msg, src, "get_arg_val", "*p = 1")
    assert "SIGSEGV in kernel code at address" in msg and "null pointer dereference" in msg


def test_unbounded_recursion_is_reported(device, tmp_path):
    with pytest.raises(EmulatorError) as e:
        _run(device, tmp_path, RECURSION)
    src = tmp_path / "faulty_writer.cpp"
    msg = str(e.value)
    _check_named(msg, src, "get_arg_val", "uint32_t depth(")  # the frame that no longer fits
    assert "stack overflow" in msg


@pytest.mark.parametrize("mib", [2, 6, 14])
def test_write_past_a_cores_l1_is_reported(device, tmp_path, mib):
    with pytest.raises(EmulatorError) as e:
        _run(device, tmp_path, OVERRUN.replace("OFFSET", f"({mib}u << 20)"))
    msg = str(e.value)
    assert "SIGSEGV in kernel code" in msg and "past the end of core (1,2)'s" in msg, msg
    src = tmp_path / "faulty_writer.cpp"
    _check_named(msg, src, "get_write_ptr", "*p = 42")


# A store at a distance chosen at run time (arg 0) past the end of CB 0 (arg 1 == 0) or below the start of the core's
# L1 (arg 1 == 1; CB 0 starts L1_CB_BASE into it): one build for every distance.
STRAY = f"""void kernel_main() {{
    cb_reserve_back(0, 1);
    uint32_t distance = get_arg_val<uint32_t>(0), below = get_arg_val<uint32_t>(1);
    uint32_t cb = get_write_ptr(0);
    uint32_t at = below ? cb - {device_info.L1_CB_BASE}u - distance : cb + CB_BYTES + distance;
    *reinterpret_cast<volatile uint32_t*>(at) = 42;
}}
"""
STRAY_CB_BYTES = 512 * 1024  # ends 0.6 MB into L1, so 1 MiB past it is already past L1
MIB = 1 << 20


def _stray_write(device, tmp_path, distance: int, below: bool, core):
    body = STRAY.replace("CB_BYTES", f"{STRAY_CB_BYTES}u")
    with pytest.raises(EmulatorError) as e:
        _run(
            device,
            tmp_path,
            body,
            core=core,
            name="stray.cpp",
            args=(distance, int(below)),
            cb_bytes=STRAY_CB_BYTES,
        )
    return str(e.value), tmp_path / "stray.cpp"


FAR = int(31.9 * MIB) // 4 * 4
# Every core's L1 sits between at least 32 MiB of guard pages on either side, so a stray store 1 to 32 MiB away
# faults instead of landing in another core's L1: on a middle core at 1, 8, 17 and 31.9 MiB, and on the grid's
# first and last cores (beside the reservation's ends) at 31.9 MiB.
STRAY_CASES = [
    ((1, 2), mib, below) for mib in (1 * MIB, 8 * MIB, 17 * MIB, FAR) for below in (False, True)
] + [(core, FAR, below) for core in ("first", "last") for below in (False, True)]


@pytest.mark.parametrize(
    "core, distance, below",
    STRAY_CASES,
    ids=[
        f"{c if isinstance(c, str) else 'core_1_2'}-{d / MIB:.1f}MiB-{'below_l1' if b else 'past_cb'}"
        for c, d, b in STRAY_CASES
    ],
)
def test_stray_store_near_a_cores_l1_is_reported(device, tmp_path, core, distance, below):
    grid = device.compute_with_storage_grid_size()
    core = {"first": (0, 0), "last": (grid.x - 1, grid.y - 1)}.get(core, core)
    msg, src = _stray_write(device, tmp_path, distance, below, core)
    where = f"core ({core[0]},{core[1]})'s"
    if below:
        expected = f"({distance} B before the start of {where} L1"
    else:
        past = device_info.L1_CB_BASE + STRAY_CB_BYTES + distance - device_info.WORKER_L1_SIZE
        expected = f"({past} B past the end of {where} {device_info.WORKER_L1_SIZE} B L1"
    assert "SIGSEGV in kernel code" in msg and expected in msg, msg
    _check_named(msg, src, "get_write_ptr", "= 42", core)
    # The device is still usable: a tensor round-trips through DRAM, and the same kernel storing to the CB's last
    # word (distance -4) runs on the same core.
    x = torch.randn(64, 64, dtype=torch.bfloat16)
    assert torch.equal(ttnn.to_torch(ttnn.from_torch(x, layout=ttnn.TILE_LAYOUT, device=device)), x)
    body = STRAY.replace("CB_BYTES", f"{STRAY_CB_BYTES}u")
    _run(device, tmp_path, body, core=core, name="stray.cpp", args=(2**32 - 4, 0), cb_bytes=STRAY_CB_BYTES)


# Reopening the device with other grids, faulting near each grid's last core every time, must neither fail nor
# leave mappings behind: every mapping below 4 GiB after each round is the first round's (the L1 reservation is
# returned on close; register blocks and argument pages are kept for reuse). 13x10 cores do not fit below 4 GiB
# with 32 MiB guards: that grid gets smaller ones and one warning line per process; 62x62 does not fit at all.
REOPEN_PROBE = """
import os, pathlib, sys, tempfile
import ttnn
from emulator.device import DeviceError
from tests.emulator import test_faults_kernels as t

def low_mappings():
    with open("/proc/self/maps") as f:
        return sorted(line.split()[0] for line in f if int(line.split("-")[0], 16) < 1 << 32)

tmp = pathlib.Path(tempfile.mkdtemp())
rounds = []
for _ in range(int(sys.argv[1])):
    for grid in ("8x8", "4x3", "13x10", "1x1"):
        os.environ["TTNN_EMULATOR_GRID"] = grid
        dev = ttnn.open_device(device_id=0)
        last = tuple(int(n) - 1 for n in grid.split("x"))
        msg, src = t._stray_write(dev, tmp, 8 << 20, False, last)
        assert f"B past the end of core ({last[0]},{last[1]})'s" in msg, msg
        t._run(dev, tmp, src.read_text(), core=last, name="stray.cpp", args=(2**32 - 4, 0), cb_bytes=t.STRAY_CB_BYTES)
        ttnn.close_device(dev)
    rounds.append(low_mappings())
assert all(r == rounds[0] for r in rounds), [len(r) for r in rounds]
# A grid whose L1 cannot fit below 4 GiB at all is refused by name, and leaves the next open unharmed.
os.environ["TTNN_EMULATOR_GRID"] = "62x62"
try:
    ttnn.open_device(device_id=0)
    raise AssertionError("a 62x62 grid opened")
except DeviceError as e:
    assert "cannot place the L1 of 62x62 cores" in str(e) and "TTNN_EMULATOR_GRID" in str(e), e
os.environ["TTNN_EMULATOR_GRID"] = "8x8"
ttnn.close_device(ttnn.open_device(device_id=0))
assert low_mappings() == rounds[0]
print("reopened", len(rounds), "rounds;", len(rounds[0]), "mappings below 4 GiB each")
"""


def test_reopening_with_other_grids_neither_fails_nor_leaks():
    env = {k: v for k, v in os.environ.items() if k != "TTNN_EMULATOR_GRID"}
    proc = subprocess.run(
        [sys.executable, "-c", REOPEN_PROBE, "3"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0 and "reopened 3 rounds" in proc.stdout, proc.stderr[-3000:]
    warnings = [line for line in proc.stderr.splitlines() if "emulator: warning" in line]
    assert len(warnings) == 1 and "13x10 cores" in warnings[0] and "18 MiB apart" in warnings[0], proc.stderr


def test_device_works_after_a_fault(device, tmp_path):
    with pytest.raises(EmulatorError):
        _run(device, tmp_path, NULL_DEREF, core=(0, 0))
    _run(device, tmp_path, "void kernel_main() { get_arg_val<uint32_t>(0); }\n", core=(0, 0), name="fine.cpp")
