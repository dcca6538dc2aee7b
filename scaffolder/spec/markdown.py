"""A small markdown reader: headings, tables, bold fields, bullets and code blocks, all with line numbers.

Specs written by people (and agents) vary in heading depth and table column order, so the parser never
relies on positions: it keeps each block with the heading chain above it and lets callers find things
by meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SEPARATOR_CELL = re.compile(r"^:?-{2,}:?$")
_FIELD = re.compile(r"^\s*(?:[-*+]\s+)?\*\*(?P<key>(?:[^*]|\*(?!\*))+?)\*\*\s*:?\s*(?::\s*)?(?P<value>.*)$")
# Backslash escapes of markdown punctuation (`H\*W`, `\_`, `\|`): the character itself, outside code spans.
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")


def unescape(text: str) -> str:
    """Drop markdown's backslash escapes outside `code spans` (where a backslash is literal)."""
    parts = text.split("`")
    return "`".join(_ESCAPE.sub(r"\1", p) if i % 2 == 0 else p for i, p in enumerate(parts))


def clean(text: str) -> str:
    """Strip markdown emphasis and code ticks; collapse whitespace."""
    text = unescape(text).replace("`", "").replace("**", "").replace("__", "")
    return re.sub(r"\s+", " ", text).strip()


def norm_title(text: str) -> str:
    """Lower-case heading text without numbering such as '1.', 'Part 2:', 'Section A —' or '§3'."""
    t = clean(text).lower()
    t = re.sub(r"^(part|section|step|§)\s*[0-9a-z]+\s*[:.\-—–]*\s*", "", t)
    t = re.sub(r"^[0-9]+(\.[0-9]+)*[.)]?\s+", "", t)
    return t.strip(" :—–-")


@dataclass
class Heading:
    level: int
    title: str
    line: int

    @property
    def key(self) -> str:
        return norm_title(self.title)


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    row_lines: list[int]
    line: int
    headings: list[Heading]
    lead: str  # the short text line right above the table (e.g. "**Compile-time (Reader)**:")

    @property
    def columns(self) -> list[str]:
        return [clean(h).lower() for h in self.header]

    def column(self, *patterns: str) -> int | None:
        """Index of the first column whose header matches any pattern (regex, case-insensitive)."""
        for pattern in patterns:
            rx = re.compile(pattern)
            for i, name in enumerate(self.columns):
                if rx.search(name):
                    return i
        return None

    def cell(self, row: list[str], index: int | None) -> str:
        if index is None or index >= len(row):
            return ""
        return row[index].strip()

    @property
    def context(self) -> str:
        return " / ".join(h.key for h in self.headings) + " / " + clean(self.lead).lower()


@dataclass
class Block:
    """A non-table, non-heading line: a bullet, a bold field, or plain text."""

    text: str
    line: int
    headings: list[Heading]


@dataclass
class CodeBlock:
    text: str
    line: int
    headings: list[Heading]


@dataclass
class Document:
    lines: list[str]
    headings: list[Heading] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    code: list[CodeBlock] = field(default_factory=list)

    @property
    def title(self) -> Heading | None:
        return self.headings[0] if self.headings else None

    def section_blocks(self, heading: Heading) -> list[Block]:
        return [b for b in self.blocks if heading in b.headings]

    def section_tables(self, heading: Heading) -> list[Table]:
        return [t for t in self.tables if heading in t.headings]

    def section_code(self, heading: Heading) -> list[CodeBlock]:
        return [c for c in self.code if heading in c.headings]

    def find_headings(self, pattern: str) -> list[Heading]:
        rx = re.compile(pattern)
        return [h for h in self.headings if rx.search(h.key)]


def split_row(line: str) -> list[str]:
    body = line.strip()
    body = body.removeprefix("|")
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells, cur, i = [], [], 0
    in_code = False
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body) and body[i + 1] == "|":
            cur.append("|")
            i += 2
            continue
        if ch == "`":
            in_code = not in_code
        if ch == "|" and not in_code:
            cells.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
        i += 1
    cells.append("".join(cur).strip())
    return [unescape(c) for c in cells]


def _is_separator(cells: list[str]) -> bool:
    return bool(cells) and all(_SEPARATOR_CELL.match(c.replace(" ", "")) for c in cells if c) and any(cells)


def parse_markdown(text: str) -> Document:
    lines = text.splitlines()
    doc = Document(lines=lines)
    stack: list[Heading] = []
    i = 0
    lead = ""
    while i < len(lines):
        line = lines[i]
        lineno = i + 1
        if _FENCE.match(line):
            fence = _FENCE.match(line).group(1)
            start = i
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i])
                i += 1
            doc.code.append(CodeBlock("\n".join(body), start + 1, list(stack)))
            i += 1
            continue
        m = _HEADING.match(line)
        if m:
            h = Heading(len(m.group(1)), m.group(2), lineno)
            while stack and stack[-1].level >= h.level:
                stack.pop()
            stack.append(h)
            doc.headings.append(h)
            lead = ""
            i += 1
            continue
        if line.lstrip().startswith("|"):
            header = split_row(line)
            if (
                i + 1 < len(lines)
                and lines[i + 1].lstrip().startswith("|")
                and _is_separator(split_row(lines[i + 1]))
            ):
                rows, row_lines = [], []
                j = i + 2
                while j < len(lines) and lines[j].lstrip().startswith("|"):
                    rows.append(split_row(lines[j]))
                    row_lines.append(j + 1)
                    j += 1
                doc.tables.append(Table(header, rows, row_lines, lineno, list(stack), lead))
                i = j
                lead = ""
                continue
        if line.strip():
            prev = doc.blocks[-1] if doc.blocks else None
            continuation = (
                prev is not None
                and prev.line + prev.text.count("\n") == lineno - 1
                and line.startswith("  ")
                and not re.match(r"\s*([-*+]|\d+\.)\s", line)
                and re.match(r"\s*([-*+]|\d+\.)\s", prev.text)
            )
            if continuation:  # a wrapped list item: keep it one block
                prev.text += "\n" + line.rstrip()
            else:
                doc.blocks.append(Block(line.rstrip(), lineno, list(stack)))
            lead = line.strip()
        i += 1
    return doc


def field_of(block: Block) -> tuple[str, str] | None:
    """`- **Key**: value` or `**Key**: value` → (key, value)."""
    m = _FIELD.match(block.text)
    if not m:
        return None
    key = clean(m.group("key")).rstrip(":").strip()
    value = m.group("value").strip()
    if value.startswith(":"):
        value = value[1:].strip()
    return key, value
