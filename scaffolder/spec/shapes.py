"""Test shapes and tolerances in the notations specs use.

Shapes: `(1, 1, 32, 32)`, `[1,1,32,32]`, `1x1x32x32`, `torch.Size([2, 64, 64])`.
Tolerances: `rtol=0.02, atol=0.1`, `rtol 0.05 / atol 0.2`, `atol: 0.1`, `PCC >= 0.999`, `pcc 0.9999`,
`|out - ref| < 1e-2` (an absolute bound), each optionally qualified by a dtype (`bfloat16 rtol 0.01`,
`Tolerance for FLOAT32: rtol=1e-5`, `rtol 0.02 for bf16`) or by tiny inputs (`tiny inputs rtol 0.02`,
`inputs scaled by 0.01: rtol 0.05`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TUPLE = re.compile(r"[\(\[]\s*(\d+(?:\s*,\s*\d+)+)\s*,?\s*[\)\]]")
_CROSS = re.compile(r"\b(\d+(?:\s*[x×]\s*\d+){1,5})\b")
_NUM = r"([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
_RTOL = re.compile(r"\brtol\b\s*(?:[:=]|<=|≤)?\s*" + _NUM, re.IGNORECASE)
_ATOL = re.compile(r"\batol\b\s*(?:[:=]|<=|≤)?\s*" + _NUM, re.IGNORECASE)
_PCC = re.compile(r"\bpcc\b\s*(?:[:=]|>=|≥|>)?\s*" + _NUM, re.IGNORECASE)
# An absolute bound: `|out - ref| < 1e-2`, `|output - torch.mean(x)| < tolerance (1e-2 ...)`, `max abs error 1e-3`.
_ABS = re.compile(
    r"(?:\|[^|\n]{1,80}\||\bmax(?:imum)?\s+abs(?:olute)?\s+(?:error|diff(?:erence)?)\b)\s*(?:<=?|≤|of)?\s*"
    r"(?:tolerance\s*)?\(?\s*" + _NUM,
    re.IGNORECASE,
)
# What a tolerance applies to: a dtype, or tiny inputs (`tiny inputs`, `inputs scaled by 0.01`).
_DTYPE = re.compile(r"\b(?:(bfloat16|bf16)|(float32|fp32|f32))\b", re.IGNORECASE)
_TINY = re.compile(
    r"\btiny\b|\bsmall(?:[- ]magnitude)? (?:inputs?|values)\b|\bscaled by\s*" + _NUM, re.IGNORECASE
)
# Clauses: a tolerance's qualifier reaches to the end of its clause at most.
_CLAUSE = re.compile(r";|\n\s*\n|\n(?=\s*(?:[-*+]|\d+\.)\s)|\.\s+(?=[A-Z])")


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


@dataclass
class Tolerances:
    """A spec's tolerances by what they apply to: `default` (unqualified), one dtype (`by_dtype`), tiny inputs
    (`tiny`, keyed by dtype, "" for any). `first` is the first one given for a dtype, which completes the
    unqualified one into the op's overall tolerance; `tiny_scale` is the factor of tiny inputs when the spec
    states one."""

    default: Tolerance = field(default_factory=Tolerance)
    by_dtype: dict[str, Tolerance] = field(default_factory=dict)
    tiny: dict[str, Tolerance] = field(default_factory=dict)
    first: Tolerance = field(default_factory=Tolerance)
    tiny_scale: float | None = None

    @property
    def overall(self) -> Tolerance:
        """One tolerance for the whole op: the unqualified one, completed by the first one given."""
        return self.default.merged(self.first)

    def for_dtype(self, dtype: str, tiny: bool = False) -> Tolerance:
        """The tolerance for `dtype` (and tiny inputs): its own, completed by the unqualified one; for a dtype
        the spec gives none for, the op's overall tolerance."""
        own = self.by_dtype.get(dtype)
        tol = own.merged(self.default) if own is not None else self.overall
        if tiny:
            for key in (dtype, ""):
                if key in self.tiny:
                    tol = self.tiny[key].merged(tol)
        return tol


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
    """One tolerance from text: the unqualified one, completed by the first one given (whatever it is for)."""
    return find_tolerances(text).overall


def find_tolerances(text: str) -> Tolerances:
    """Tolerances in text, each with what it applies to.

    A qualifier (a dtype, tiny inputs) covers the values after it up to the next qualifier or the end of its
    clause (`;`, a sentence, a list item); qualifiers that only follow a clause's values cover those values
    (`rtol=1e-2, atol=1e-2 (bfloat16 ...)`). The first value of each kind wins for each qualifier."""
    found: dict[tuple[str, bool], dict[str, float]] = {}
    out = Tolerances()
    for clause in _CLAUSE.split(text.replace("`", "")):
        events: list[tuple[int, str, object]] = []
        for m in _DTYPE.finditer(clause):
            events.append((m.start(), "dtype", "bfloat16" if m.group(1) else "float32"))
        for m in _TINY.finditer(clause):
            scale = float(m.group(1)) if m.group(1) else None
            if scale is None or scale < 1:  # "scaled by 10" is large inputs, not tiny ones
                events.append((m.start(), "tiny", scale))
        for key, rx in (("rtol", _RTOL), ("atol", _ATOL), ("pcc", _PCC), ("abs", _ABS)):
            events += [(m.start(), key, float(m.group(1))) for m in rx.finditer(clause)]
        # Runs of qualifiers, each with the values that follow it.
        groups: list[tuple[list[tuple[str, object]], list[tuple[str, float]]]] = [([], [])]
        for _, kind, value in sorted(events, key=lambda e: e[0]):
            if kind in ("dtype", "tiny"):
                if groups[-1][1]:
                    groups.append(([], []))
                groups[-1][0].append((kind, value))
            else:
                groups[-1][1].append((kind, value))
        if len(groups) == 2 and not groups[0][0] and not groups[1][1]:
            groups = [(groups[1][0], groups[0][1])]  # "rtol 0.02, atol 0.1 for bfloat16"
        for quals, values in groups:
            if not values:
                continue
            dtype = next((str(v) for k, v in quals if k == "dtype"), "")
            tiny = [v for k, v in quals if k == "tiny"]
            if tiny and out.tiny_scale is None:
                out.tiny_scale = next((v for v in tiny if v is not None), None)
            got = found.setdefault((dtype, bool(tiny)), {})
            for key, value in values:
                if key == "abs":
                    got.setdefault("atol", value)
                    got.setdefault("abs", 0.0)
                else:
                    got.setdefault(key, value)
    for (dtype, tiny), got in found.items():
        if "abs" in got:
            got.setdefault("rtol", 0.0)  # an absolute bound and nothing relative
        tol = Tolerance(got.get("rtol"), got.get("atol"), got.get("pcc"))
        if tiny:
            out.tiny[dtype] = tol
        elif dtype:
            out.by_dtype[dtype] = tol
        else:
            out.default = tol
        if dtype and not tiny and out.first.empty:
            out.first = tol
    return out
