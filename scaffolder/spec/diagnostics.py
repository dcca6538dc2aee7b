"""Problems found in a spec, each tied to the file and line that caused it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "error" | "warning"
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"


@dataclass
class Diagnostics:
    """Collects errors and warnings while the parser keeps going."""

    file: str
    items: list[Diagnostic] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.items.append(Diagnostic("error", self.file, line, message))

    def warning(self, line: int, message: str) -> None:
        self.items.append(Diagnostic("warning", self.file, line, message))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]


class SpecError(ValueError):
    """A spec that cannot be used; carries every error found, not just the first."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))
