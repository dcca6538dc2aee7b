#!/usr/bin/env bash
# Creates .venv/ (Python 3.12) at the repo root if missing and installs the project into it.
# Sourced by demo.sh and test.sh; safe to run again (pip skips what is already there).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

find_python312() {
    local c
    for c in python3.12 "$(command -v pyenv >/dev/null 2>&1 && pyenv root)"/versions/3.12*/bin/python3.12; do
        if [ -n "$c" ] && "$c" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1; then
            command -v "$c" || echo "$c"
            return 0
        fi
    done
    return 1
}

# The emulator builds its runtime library with the host's g++ (11 or newer).
if ! command -v g++ >/dev/null 2>&1; then
    echo "error: g++ not found: the Tensix emulator builds its runtime with the host compiler (install g++ 11 or newer)" >&2
    exit 3
fi

# Kernels build against the ttnn wheel's own device headers, which need C++20 that g++ 12
# rejects: clang 17 or newer. Debian 12 packages clang-19; without root, PyPI's ziglang bundles clang 19.
have_clang() {
    local c v
    for c in "${TTNN_EMULATOR_CXX:-}" clang++-19 clang++-20 clang++-18 clang++-17 clang++; do
        [ -n "$c" ] && command -v "${c%% *}" >/dev/null 2>&1 || continue
        v="$($c --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)"
        [ -n "$v" ] && [ "$v" -ge 17 ] && return 0
    done
    return 1
}
if ! have_clang; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing clang-19 (the emulator's kernel compiler)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-19 >/dev/null
    elif [ -n "${SCAFFOLD_ZIGLANG:-}" ]; then
        : # installed into the venv below, as the no-root fallback
    else
        echo "error: clang 17 or newer not found: the Tensix emulator builds kernels against the ttnn wheel's headers with it (install clang-19: sudo apt-get install clang-19; without root: SCAFFOLD_ZIGLANG=1 bash scripts/bootstrap.sh installs PyPI's ziglang)" >&2
        exit 3
    fi
fi

if [ ! -x "$VENV/bin/python" ]; then
    PY="$(find_python312)" || {
        echo "error: Python 3.12 not found (ttnn 0.81.1 ships cp310/cp312 wheels only); install python3.12 or pyenv's 3.12" >&2
        exit 3
    }
    echo "creating $VENV with $PY"
    "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.installed-$(sha1sum "$ROOT/pyproject.toml" | cut -c1-12)"
if [ ! -f "$STAMP" ]; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e "$ROOT[${SCAFFOLD_EXTRAS:-test}]"
    touch "$STAMP"
fi
if [ -n "${SCAFFOLD_ZIGLANG:-}" ] && ! have_clang; then
    "$VENV/bin/python" -m pip install --quiet ziglang
fi
