#!/usr/bin/env bash
# Sets up .venv/ if needed, then runs the test suite: the default (fast) run, then the slow-marked cases.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCAFFOLD_EXTRAS="${SCAFFOLD_EXTRAS:-test}" source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
.venv/bin/python -m pytest "$@"
.venv/bin/python -m pytest -m slow "$@"
