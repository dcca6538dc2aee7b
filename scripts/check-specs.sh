#!/usr/bin/env bash
# Runs the whole chain over every spec under a directory (for example a tt-metal checkout's
# ttnn/ttnn/operations): parse, scaffold new-op, import, program descriptor, kernel builds on the
# emulator, generated tests. Prints a table per spec and step; exits non-zero if any spec fails a step.
#
#   scripts/check-specs.sh DIR [--out KEEP_DIR] [--no-tests] [--timeout S] [--pytest-arg ARG ...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "$#" -lt 1 ]; then
    echo "usage: $0 DIR [--out KEEP_DIR] [--no-tests] [--timeout S] [--pytest-arg ARG ...]" >&2
    exit 2
fi
source "$ROOT/scripts/bootstrap.sh"
exec "$ROOT/.venv/bin/python" -m scaffolder.cli check-specs "$@"
