"""Decides whether the emulator replaces ttnn's device entry points, and does so."""

from __future__ import annotations

import glob
import os

ENV = "TTNN_EMULATOR"
# Set by users of tt-metal's own simulator (ttsim): they get ttsim, not this emulator, unless they force it.
SIMULATOR_ENV = "TT_METAL_SIMULATOR"


def hardware_present() -> bool:
    """A Tenstorrent PCIe device node exists (what tt-metal's UMD opens)."""
    return bool(glob.glob("/dev/tenstorrent/*") or glob.glob("/dev/tenstorrent*"))


def wanted() -> bool:
    """``TTNN_EMULATOR=1`` forces the emulator on, ``0`` off; otherwise on exactly when no device exists and
    tt-metal's simulator is not selected (``TT_METAL_SIMULATOR``)."""
    value = os.environ.get(ENV, "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    if os.environ.get(SIMULATOR_ENV):
        return False
    return not hardware_present()


def activate_if_needed(ttnn_module) -> bool:
    if not wanted():
        return False
    from emulator.patch import install

    install(ttnn_module)
    return True
