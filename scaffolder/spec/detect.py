"""Which of tt-metal's spec formats a document is.

* ``planner``   — ``{op}_spec.md``: one ``##`` heading per topic, per-kernel argument tables.
* ``architect`` — ``op_design.md`` with Part 1 (architecture) / Part 2 (kernel implementation), TDD stage plan.
* ``design``    — the newer ``op_design.md``: Overview field table, API mapping, compute-phase table.
* ``kernel_design`` — ``kernel_design.md``; only a supplement to a planner spec (``--design``).
"""

from __future__ import annotations

from scaffolder.spec.markdown import Document, clean

FORMATS = ("planner", "architect", "design", "kernel_design")


def detect_format(doc: Document) -> tuple[str, str]:
    """Return (format, confidence) where confidence is HIGH, MEDIUM or LOW (breadcrumb vocabulary)."""
    title = clean(doc.title.title).lower() if doc.title else ""
    keys = [h.key for h in doc.headings]

    def has(fragment: str) -> bool:
        return any(fragment in k for k in keys)

    field_table = any(
        t.column(r"^field$") is not None and t.column(r"^value$") is not None for t in doc.tables
    )
    if title.startswith("kernel design"):
        return "kernel_design", "HIGH"
    if has("api mapping") or (has("compute phases") and field_table):
        return "design", "HIGH"
    if any(
        h.title.lower().startswith("part 1") or h.title.lower().startswith("part 2") for h in doc.headings
    ):
        return "architect", "HIGH"
    if "functional specification" in title or has("api specification"):
        return "planner", "HIGH"
    if title.startswith("operation design") or has("tdd stage plan"):
        return "architect", "MEDIUM"
    if field_table:
        return "design", "MEDIUM"
    if has("circular buffer"):
        return "planner", "LOW"
    return "planner", "LOW"
