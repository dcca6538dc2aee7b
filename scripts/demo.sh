#!/usr/bin/env bash
# Sets up .venv/ if needed, then runs the main demo on the Tensix emulator.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
exec .venv/bin/python -m scaffolder.demo "$@"
