"""Static audits of an op model: the mistakes hardware punishes with hangs or silent corruption."""

from __future__ import annotations

from scaffolder.audit.balance import audit_balance
from scaffolder.audit.broadcast import audit_broadcasts
from scaffolder.audit.dest import audit_dest
from scaffolder.audit.finding import Finding
from scaffolder.audit.l1 import audit_l1
from scaffolder.audit.scaler import audit_scaler
from scaffolder.model import OpSpec

AUDITS = (audit_balance, audit_l1, audit_dest, audit_scaler, audit_broadcasts)


def run_audits(spec: OpSpec) -> list[Finding]:
    findings: list[Finding] = []
    for audit in AUDITS:
        findings.extend(audit(spec))
    return findings


__all__ = ["Finding", "run_audits"]
