"""A kernel that faults or spins is reported, not fatal: a null dereference, unbounded recursion or a pointer
run past a core's L1 becomes an EmulatorError naming the kernel file, core, RISC and the last kernel-API call
and line; a kernel that only re-reads its runtime args is reported as a livelock. The process and the device
stay usable."""

from __future__ import annotations

import re

import pytest
import torch
import ttnn

from emulator.launcher import EmulatorError, EmulatorHang

PRELUDE = '#include "api/dataflow/dataflow_api.h"\n'


def _run(device, tmp_path, body: str, core=(1, 2), name="faulty_writer.cpp"):
    src = tmp_path / name
    src.write_text(PRELUDE + body)
    cores = ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(*core), ttnn.CoreCoord(*core))])
    rt = ttnn.RuntimeArgs()
    rt[core[0]][core[1]] = [7, 0]
    kernel = ttnn.KernelDescriptor(
        kernel_source=str(src), core_ranges=cores, runtime_args=rt, config=ttnn.WriterConfigDescriptor()
    )
    cb = ttnn.CBDescriptor(
        total_size=4096,
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


def _check_named(err: str, src, line: int, call: str, core=(1, 2)):
    assert f"{src}:{line} [writer" in err and f"core ({core[0]},{core[1]})]" in err, err
    assert f"] {call}:" in err, err


def test_null_dereference_is_reported(device, tmp_path):
    with pytest.raises(EmulatorError) as e:
        _run(device, tmp_path, NULL_DEREF)
    src = tmp_path / "faulty_writer.cpp"
    msg = str(e.value)
    _check_named(msg, src, _line(src, "get_arg_val<uint32_t>(1)"), "get_arg_val")
    assert "SIGSEGV in kernel code at address" in msg and "null pointer dereference" in msg


def test_unbounded_recursion_is_reported(device, tmp_path):
    with pytest.raises(EmulatorError) as e:
        _run(device, tmp_path, RECURSION)
    src = tmp_path / "faulty_writer.cpp"
    msg = str(e.value)
    _check_named(msg, src, _line(src, "get_arg_val<uint32_t>(0)"), "get_arg_val")
    assert "stack overflow" in msg


@pytest.mark.parametrize("mib", [2, 6, 14])
def test_write_past_a_cores_l1_is_reported(device, tmp_path, mib):
    with pytest.raises(EmulatorError) as e:
        _run(device, tmp_path, OVERRUN.replace("OFFSET", f"({mib}u << 20)"))
    msg = str(e.value)
    assert "SIGSEGV in kernel code" in msg and "past the end of core (1,2)'s" in msg, msg
    src = tmp_path / "faulty_writer.cpp"
    _check_named(msg, src, _line(src, "get_write_ptr"), "get_write_ptr")


def test_device_works_after_a_fault(device, tmp_path):
    with pytest.raises(EmulatorError):
        _run(device, tmp_path, NULL_DEREF, core=(0, 0))
    _run(device, tmp_path, "void kernel_main() { get_arg_val<uint32_t>(0); }\n", core=(0, 0), name="fine.cpp")


def test_spinning_on_get_arg_val_is_a_livelock(device, tmp_path, monkeypatch):
    monkeypatch.setenv("TTNN_EMULATOR_TIMEOUT", "1")
    body = "void kernel_main() {\n    while (get_arg_val<uint32_t>(0) != 0) {\n    }\n}\n"
    with pytest.raises(EmulatorHang, match=r"no progress for 1 s") as e:
        _run(device, tmp_path, body, name="spins_on_args.cpp")
    src = tmp_path / "spins_on_args.cpp"
    assert re.search(
        rf"spins_on_args.cpp on core \(1,2\): running, last call get_arg_val at line {_line(src, 'while')}",
        str(e.value),
    )
