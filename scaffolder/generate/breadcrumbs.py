"""``agent_logs/scaffolder_breadcrumbs.jsonl`` in tt-metal's breadcrumb format: one JSON event per line."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from scaffolder.audit import Finding
from scaffolder.model import OpSpec
from scaffolder.sizing import cb_page_size, cb_pages, shape_env


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def breadcrumbs(
    spec: OpSpec, confidence: str, files: list[str], findings: list[Finding], spec_file: str
) -> str:
    events = [
        {
            "event": "start",
            "agent": "scaffolder",
            "operation": spec.name,
            "input_files": [spec_file] + ([spec.design_path] if spec.design_path else []),
            "predecessor_agent": "none",
        }
    ]
    events.append(
        {
            "event": "input_parse",
            "field": "format",
            "value": spec.format,
            "confidence": confidence,
            "notes": f"{len(spec.cbs)} CBs, {len(spec.phases)} phases, {len(spec.stages)} stages",
        }
    )
    for field, value in (
        ("parameters", [p.name for p in spec.parameters]),
        ("layouts", spec.input_layouts),
        ("dtypes", spec.input_dtypes),
        ("test_shapes", [list(s) for s in spec.test_shapes]),
    ):
        events.append({"event": "input_parse", "field": field, "value": value, "confidence": confidence})
    shape = max(spec.test_shapes, key=lambda s: s[-1]) if spec.test_shapes else (1, 1, 32, 32)
    env = shape_env(shape)
    for cb in spec.cbs:
        events.append(
            {
                "event": "cb_config",
                "cb_id": cb.index,
                "page_size": cb_page_size(cb, env, "bfloat16"),
                "num_pages": cb.pages.expr if cb.pages else None,
                "num_pages_at_max_shape": cb_pages(cb, env),
                "purpose": cb.purpose or cb.name,
            }
        )
    events.append(
        {
            "event": "work_distribution",
            "grid": "compute_with_storage_grid_size()",
            "total_tiles": "NC * Ht tile-rows (split_work_to_cores)",
            "tiles_per_core": "runtime arg per core group",
        }
    )
    for f in files:
        events.append({"event": "file_created", "file": f, "type": f.rsplit(".", 1)[-1]})
    balance = [f for f in findings if f.audit == "cb_balance"]
    for f in balance:
        events.append(
            {"event": "cb_audit", "cb": f.subject, "detail": f.detail, "balanced": f.status != "fail"}
        )
    events.append(
        {
            "event": "cb_sync_summary",
            "total_cbs": len(spec.cbs),
            "all_balanced": not any(f.failed for f in balance),
        }
    )
    events.append(
        {
            "event": "complete",
            "final_status": "SUCCESS",
            "stages_completed": ["scaffold"],
            "final_commit": None,
        }
    )
    return "".join(json.dumps({**e, "ts": _now()}) + "\n" for e in events)
