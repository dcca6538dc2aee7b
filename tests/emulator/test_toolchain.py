"""Which compiler builds kernels against the wheel's headers, and the one-line error when there is none."""

from __future__ import annotations

import pytest

from emulator import runtime_lib


@pytest.fixture(autouse=True)
def fresh_choice(monkeypatch):
    monkeypatch.setattr(runtime_lib, "_kernel_cxx", None)
    monkeypatch.setattr(runtime_lib, "_kernel_cxx_id", None)


def test_override_wins(monkeypatch):
    monkeypatch.setenv(runtime_lib.KERNEL_CXX_ENV, "/opt/llvm/bin/clang++ --gcc-toolchain=/usr")
    assert runtime_lib.kernel_compiler() == ["/opt/llvm/bin/clang++", "--gcc-toolchain=/usr"]


def test_a_clang_older_than_17_is_not_chosen(monkeypatch):
    monkeypatch.delenv(runtime_lib.KERNEL_CXX_ENV, raising=False)
    monkeypatch.setattr(runtime_lib.shutil, "which", lambda name: "/usr/bin/" + name)
    versions = {"/usr/bin/clang++-19": 0, "/usr/bin/clang++-18": 16, "/usr/bin/clang++-17": 17}
    monkeypatch.setattr(runtime_lib, "_clang_major", lambda cmd: versions.get(cmd[0], 0))
    assert runtime_lib.kernel_compiler() == ["/usr/bin/clang++-17"]


def test_no_clang_names_what_to_install(monkeypatch):
    monkeypatch.delenv(runtime_lib.KERNEL_CXX_ENV, raising=False)
    monkeypatch.setattr(runtime_lib.shutil, "which", lambda name: None)
    monkeypatch.setattr(runtime_lib.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(runtime_lib.ToolchainError) as err:
        runtime_lib.kernel_compiler()
    message = str(err.value)
    assert "\n" not in message
    assert "apt-get install clang-19" in message and "ziglang" in message


def test_this_machine_has_a_kernel_compiler():
    """bootstrap.sh installs clang-19; the tests of the wheel-header build need it."""
    cmd = runtime_lib.kernel_compiler()
    assert runtime_lib._clang_major(cmd) >= runtime_lib.MIN_CLANG
    assert "clang version" in runtime_lib.kernel_compiler_id()
