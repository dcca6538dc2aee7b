"""The entry point's checks that come from the spec's words: the input's rank, and each scalar parameter's
valid range (``{-1, -2}``, ``> 0``, ``finite, >= 0``, ``(0, 1]``), as Python conditions that are true
when the value is out of range, each raised with the spec's error hint."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scaffolder.model import OpSpec, Parameter

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_INF = r"[-+]?(?:inf(?:inity)?|∞)"


@dataclass(frozen=True)
class Check:
    param: str
    condition: str  # Python, true when the value is rejected
    message: str  # Python expression of the error text
    bad_value: str  # a Python literal the condition rejects, for the generated rejection test
    match: str  # the start of the error text, for pytest.raises(match=)


def _bad_value(cond: str, members: list[str] | None) -> str:
    if members is not None:
        return str(min(float(m) for m in members) - 1).removesuffix(".0")
    if cond.startswith("not math.isfinite"):
        return 'float("nan")'
    op, value = cond.split()[1:3]
    step = {"<=": 0, ">=": 0, "<": -1, ">": 1}[op]
    return str(float(value) + step).removesuffix(".0") if step else value


def _members(text: str) -> list[str] | None:
    """`{-1, -2}`, `-1 or -2`, `one of -1, -2`, `∈ {-1,-2}` -> the literals; None when not a set."""
    braces = re.search(r"\{([^{}]*)\}", text)
    body = braces.group(1) if braces else None
    if body is None and re.search(r"\bone of\b|\bor\b", text):
        body = re.sub(r".*\bone of\b", "", text)
    if body is None:
        return None
    items = [i.strip(" `'\"") for i in re.split(r",|\bor\b", body) if i.strip(" `")]
    if not items or not all(re.fullmatch(_NUM, i) or i in ("True", "False") for i in items):
        return None
    return items


def _bounds(name: str, text: str) -> list[str]:
    """Comparison conditions (true when violated) for `> 0`, `>= 1`, `(0, inf)`, `[0, 1]`, `finite`."""
    out = []
    low = text.lower()
    if "finite" in low:
        out.append(f"not math.isfinite({name})")
    m = re.search(rf"([(\[])\s*({_NUM}|{_INF})\s*,\s*({_NUM}|{_INF})\s*([)\]])", low)
    if m:
        lo, hi = m.group(2), m.group(3)
        if not re.fullmatch(_INF, lo):
            out.append(f"{name} {'<=' if m.group(1) == '(' else '<'} {lo}")
        if not re.fullmatch(_INF, hi):
            out.append(f"{name} {'>=' if m.group(4) == ')' else '>'} {hi}")
        return out
    negate = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "≥": "<", "≤": ">"}
    for op, value in re.findall(rf"(>=|<=|≥|≤|>|<)\s*({_NUM})", low):
        out.append(f"{name} {negate[op]} {value}")
    if not out and re.search(r"\bpositive\b", low):
        out.append(f"{name} <= 0")
    if not out and re.search(r"\bnon-?negative\b", low):
        out.append(f"{name} < 0")
    return out


def _hint(spec: OpSpec, p: Parameter) -> str | None:
    return next((r.error_hint for r in spec.requirements if r.subject == p.name and r.error_hint), None)


def range_checks(spec: OpSpec, params: list[Parameter], annotation) -> list[Check]:
    """A check per numeric scalar parameter whose valid range the spec states in a form read above."""
    out = []
    for p in params:
        ann = annotation(p)
        if p.is_tensor or not p.valid_range or not ann.startswith(("int", "float")):
            continue
        text = p.valid_range.replace("`", "")
        members = _members(text)
        if members is not None:
            conds = [f"{p.name} not in ({', '.join(members)}{',' if len(members) == 1 else ''})"]
            what = f"one of {', '.join(members)}"
        else:
            conds = _bounds(p.name, text)
            what = text.strip()
        if not conds:
            continue
        cond = " or ".join(conds)
        if p.default == "None":
            cond = f"{p.name} is not None and ({cond})"
        hint = _hint(spec, p)
        text = f"{p.name} must be {what}".replace("{", "{{").replace("}", "}}")
        message = repr(hint) if hint else "f" + repr(text + f", got {{{p.name}!r}}")
        match = re.escape(hint[:40] if hint else f"{p.name} must be")
        out.append(Check(p.name, cond, message, _bad_value(conds[0], members), match))
    return out


def rank_check(spec: OpSpec) -> tuple[str, str | None]:
    """(`len(shape) ...` condition true when the input's rank is rejected, the spec's hint or None)."""
    texts = [
        (r.requirement, r.error_hint)
        for r in spec.requirements
        if r.subject == "input_tensor"
        and (r.property == "rank" or re.search(r"(?i)\brank\b|\b\d-?d\b|\bdimensions?\b", r.requirement))
    ]
    primary = spec.tensor_params[0] if spec.tensor_params else None
    if primary is not None and primary.valid_range:
        texts.append((primary.valid_range, None))
    for text, hint in texts:
        low = text.lower().replace("`", "")
        # "2D [N,W] or 4D [1,1,N,W]": several exact ranks.
        ranks = sorted({int(n) for n in re.findall(r"\b(\d)-?d\b(?!\s*or more)", low)})
        if len(ranks) > 1 and re.search(r"\d-?d\b[^;\n]{0,40}?\bor\b\s*\d-?d\b", low):
            return f"len(shape) not in {tuple(ranks)}", hint
        exact = re.search(
            r"rank\s*(?:==|=|is|of|exactly)\s*(\d)\b|\bexactly\s*(\d)\b|\b(\d)-?d\b(?!\s*or more)"
            r"|^\s*(\d)\b(?!\s*or more)",  # a Rank row that is only the number: "4 (N, C, H, W)"
            low,
        )
        at_least = re.search(r"(?:>=|≥)\s*(\d)|\b(\d)-?d\s*or more|\bat least\s*(\d)", low)
        if at_least:
            n = next(g for g in at_least.groups() if g)
            return f"len(shape) < {n}", hint
        if exact:
            n = next(g for g in exact.groups() if g)
            return f"len(shape) != {n}", hint
    return "len(shape) < 2", None


def conform_rank(shapes, rank: str) -> list[tuple[int, ...]]:
    """Test shapes the entry point accepts: a shape short of the spec's rank gets leading 1s (a spec's
    "single tile (32x32)" of a 4-D op is (1, 1, 32, 32)); one longer than an exact rank is left out."""
    m = re.fullmatch(r"len\(shape\) (<|!=|not in) (\d|\([\d, ]+\))", rank)
    if not m:
        return [tuple(s) for s in shapes]
    allowed = sorted(int(n) for n in re.findall(r"\d", m.group(2)))
    out = []
    for s in map(tuple, shapes):
        if m.group(1) == "<":
            s = (1,) * max(0, allowed[0] - len(s)) + s
        elif len(s) not in allowed:
            # pad to the nearest rank above, or drop leading 1s down to the nearest rank below
            up = [n for n in allowed if n > len(s)]
            down = [n for n in allowed if n < len(s) and all(d == 1 for d in s[: len(s) - n])]
            if up:
                s = (1,) * (up[0] - len(s)) + s
            elif down:
                s = s[len(s) - down[-1] :]
            else:
                continue
        if s not in out:
            out.append(s)
    return out
