"""Sub-commands of ``scaffold``; each module defines ``register(app: typer.Typer)``."""
