"""Reduce-scaler format: ``generate_reduce_scaler`` writes a 16-bit tile, so its CB must be bfloat16."""

from __future__ import annotations

from scaffolder.audit.finding import Finding
from scaffolder.model import OpSpec


def audit_scaler(spec: OpSpec) -> list[Finding]:
    out = []
    for cb in spec.cbs:
        text = f"{cb.name} {cb.purpose}".lower()
        if "scaler" not in text:
            continue
        fmt = cb.data_format.lower()
        subject = f"c_{cb.index} {cb.name}"
        if ("fp32" in fmt or "float32" in fmt) and "bfloat16" not in fmt:
            out.append(
                Finding(
                    "scaler",
                    subject,
                    "fail",
                    f"scaler CB is {cb.data_format}; generate_reduce_scaler fills a bfloat16 tile",
                    cb.line,
                )
            )
        elif cb.valid_region and "row0" not in cb.valid_region.lower().replace(" ", ""):
            out.append(
                Finding(
                    "scaler",
                    subject,
                    "fail",
                    f"valid region {cb.valid_region!r}; a reduce scaler fills row 0 of each face",
                    cb.line,
                )
            )
        elif "bfloat16" in fmt or "bf16" in fmt:
            out.append(Finding("scaler", subject, "ok", "bfloat16, row 0 of each face", cb.line))
        else:
            status = "warn" if "float32" in spec.input_dtypes else "ok"
            out.append(
                Finding(
                    "scaler",
                    subject,
                    status,
                    "format not stated; the generator makes scaler CBs bfloat16 for every input dtype",
                    cb.line,
                )
            )
    return out
