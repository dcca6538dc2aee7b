"""Replaces ttnn's device-bound entry points with the emulator's (filled in as the launcher lands)."""


def install(ttnn) -> None:
    ttnn.EMULATED = True
