"""Generation of generic_op packages from an op model."""

from __future__ import annotations

from pathlib import Path

from scaffolder.audit import run_audits
from scaffolder.generate.breadcrumbs import breadcrumbs
from scaffolder.generate.files import format_python
from scaffolder.generate.render import render_package
from scaffolder.spec.parser import ParseResult


def generate(result: ParseResult, spec_file: str | Path) -> dict[str, str]:
    """Every file of the package, relative to ``<out>/<op>/``, formatted."""
    files = format_python(render_package(result.spec, str(spec_file)))
    log = breadcrumbs(
        result.spec, result.confidence, sorted(files), run_audits(result.spec), Path(spec_file).name
    )
    files["agent_logs/scaffolder_breadcrumbs.jsonl"] = log
    return files


__all__ = ["generate"]
