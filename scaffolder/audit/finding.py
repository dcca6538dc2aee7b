from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    audit: str  # "cb_balance", "l1", "dest", "scaler", "broadcast"
    subject: str  # what was checked, e.g. "c_24 cb_var"
    status: str  # "ok" | "warn" | "fail"
    detail: str
    line: int = 0

    @property
    def failed(self) -> bool:
        return self.status == "fail"
