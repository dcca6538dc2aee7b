"""CB identifiers as specs spell them: `c_0`, `0`, `` `c_16` ``, `c_0 (0)`, `CBIndex::c_24`, `CB_in`, `cb_x (c_1)`."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBERED = re.compile(r"(?:tt::)?(?:CBIndex::)?\bc_(\d{1,2})\b", re.IGNORECASE)
_BARE = re.compile(r"^\s*(\d{1,2})\s*(?:\(.*\))?\s*$")
_PAREN_NUMBER = re.compile(r"\((?:c_)?(\d{1,2})\)")
_NAME = re.compile(r"\b(cb_[A-Za-z0-9_]+|CB_[A-Za-z0-9_]+)\b")


@dataclass(frozen=True)
class CbRef:
    index: int | None
    name: str | None


def parse_cb_id(text: str) -> CbRef:
    """Read one CB reference; either part may be missing. Raises ValueError on an index outside 0..31."""
    t = text.replace("`", "").replace("*", "").strip()
    index = None
    m = _NUMBERED.search(t) or _BARE.match(t) or _PAREN_NUMBER.search(t)
    if m:
        index = int(m.group(1))
        if not 0 <= index <= 31:
            raise ValueError(f"CB index {index} is outside 0..31")
    name = None
    n = _NAME.search(t)
    if n and not re.fullmatch(r"c_\d+", n.group(1), re.IGNORECASE):
        name = n.group(1)
    elif index is None:
        # A plain identifier such as `input_rm` in a "CB" column names the CB.
        ident = re.match(r"^\s*([A-Za-z_][A-Za-z0-9_]*)", t)
        if ident:
            name = ident.group(1)
    return CbRef(index, name)


def find_cb_refs(text: str) -> list[CbRef]:
    """Every `c_N` mentioned in free text, in order (used for phase descriptions)."""
    return [CbRef(int(m.group(1)), None) for m in _NUMBERED.finditer(text) if int(m.group(1)) <= 31]


def find_cb_names(text: str) -> list[str]:
    return [m.group(1) for m in _NAME.finditer(text.replace("`", ""))]
