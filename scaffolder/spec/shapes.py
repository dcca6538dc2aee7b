"""Test shapes and tolerances in the notations specs use.

Shapes: `(1, 1, 32, 32)`, `[1,1,32,32]`, `1x1x32x32`, `torch.Size([2, 64, 64])`.
Tolerances: `rtol=0.02, atol=0.1`, `rtol 0.05 / atol 0.2`, `atol: 0.1`, `PCC >= 0.999`, `pcc 0.9999`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TUPLE = re.compile(r"[\(\[]\s*(\d+(?:\s*,\s*\d+)+)\s*,?\s*[\)\]]")
_CROSS = re.compile(r"\b(\d+(?:\s*[x×]\s*\d+){1,5})\b")
_NUM = r"([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
_RTOL = re.compile(r"\brtol\b\s*(?:[:=]|<=|≤)?\s*" + _NUM, re.IGNORECASE)
_ATOL = re.compile(r"\batol\b\s*(?:[:=]|<=|≤)?\s*" + _NUM, re.IGNORECASE)
_PCC = re.compile(r"\bpcc\b\s*(?:[:=]|>=|≥|>)?\s*" + _NUM, re.IGNORECASE)


@dataclass(frozen=True)
class Tolerance:
    rtol: float | None = None
    atol: float | None = None
    pcc: float | None = None

    def merged(self, other: Tolerance) -> Tolerance:
        return Tolerance(
            self.rtol if self.rtol is not None else other.rtol,
            self.atol if self.atol is not None else other.atol,
            self.pcc if self.pcc is not None else other.pcc,
        )

    @property
    def empty(self) -> bool:
        return self.rtol is None and self.atol is None and self.pcc is None


def find_shapes(text: str) -> list[tuple[int, ...]]:
    """All shapes mentioned in text, in order, without duplicates."""
    found: list[tuple[int, ...]] = []
    t = text.replace("`", "")
    for m in _TUPLE.finditer(t):
        before = t[: m.start()].rstrip()
        if before.endswith("[") or (before.endswith("(") and not re.search(r"\w\($", before)):
            continue  # a nested literal such as [[1, 2, 3, 4, 5]] is data; torch.Size([...]) is a shape
        found.append(tuple(int(x) for x in re.split(r"\s*,\s*", m.group(1).strip())))
    if not found:
        for m in _CROSS.finditer(t):
            found.append(tuple(int(x) for x in re.split(r"\s*[x×]\s*", m.group(1))))
    out: list[tuple[int, ...]] = []
    for s in found:
        if 2 <= len(s) <= 6 and s not in out:
            out.append(s)
    return out


def find_tolerance(text: str) -> Tolerance:
    t = text.replace("`", "")
    r, a, p = _RTOL.search(t), _ATOL.search(t), _PCC.search(t)
    return Tolerance(
        float(r.group(1)) if r else None,
        float(a.group(1)) if a else None,
        float(p.group(1)) if p else None,
    )
