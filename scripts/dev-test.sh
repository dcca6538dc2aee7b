#!/usr/bin/env bash
# Runs op tests on the Tensix emulator or on real hardware, with tt-metal's test-runner contract:
#   scripts/dev-test.sh <test path> [pytest args...]
# exit 0 pass, 1 test failure, 2 hang, 3 setup error. A device lock serialises runs; a per-operation timeout
# and an outer wall-clock timeout turn hangs into exit 2 with a short triage summary. On hardware the device
# is reset only after a hang. Only processes this script started are ever signalled. On the emulator, a hang
# report that the tests expect and catch (pytest passes) is a pass; on hardware every hang is one.
# Knobs: DEV_TEST_TIMEOUT (wall clock, s), DEV_TEST_OP_TIMEOUT (per op, s), DEV_TEST_LOCK_WAIT (s),
# DEV_TEST_STATE_DIR (lock and markers), DEV_TEST_DEVICE_NODES (glob of device nodes), DEV_TEST_PYTHON.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${DEV_TEST_PYTHON:-$ROOT/.venv/bin/python}"
OUTER_TIMEOUT="${DEV_TEST_TIMEOUT:-300}"
OP_TIMEOUT="${DEV_TEST_OP_TIMEOUT:-5}"
LOCK_WAIT="${DEV_TEST_LOCK_WAIT:-900}"
STATE_DIR="${DEV_TEST_STATE_DIR:-${XDG_RUNTIME_DIR:-${TMPDIR:-/tmp}}/ttnn-scaffold}"
DEVICE_NODES="${DEV_TEST_DEVICE_NODES:-/dev/tenstorrent*}"  # glob of the device nodes that mean "hardware"

die_setup() { echo "DEV_TEST_RESULT: SETUP_ERROR ($*)" >&2; exit 3; }

[ $# -ge 1 ] || die_setup "usage: scripts/dev-test.sh <test path> [pytest args...]"
TEST_PATH="$1"; shift
[ -e "${TEST_PATH%%::*}" ] || die_setup "test path not found: ${TEST_PATH%%::*}"
[ -x "$PY" ] || die_setup "no Python at $PY; run 'bash scripts/test.sh' once to create .venv/"
mkdir -p "$STATE_DIR" || die_setup "cannot create $STATE_DIR"

if compgen -G "$DEVICE_NODES" >/dev/null && [ "${TTNN_EMULATOR:-}" != "1" ]; then
    MODE=hardware
else
    MODE=emulator
fi
if [ "$MODE" = emulator ] && ! command -v g++ >/dev/null 2>&1; then
    die_setup "no g++ on PATH: the emulator compiles kernels with the host g++ (11 or newer)"
fi
LOCK="$STATE_DIR/device-0.lock"
DIRTY="$STATE_DIR/device-0.dirty"
TRIAGE="$STATE_DIR/triage-$$.log"
: > "$TRIAGE"

reset_device() {
    if [ "$MODE" = hardware ] && command -v tt-smi >/dev/null 2>&1; then
        echo "resetting device (tt-smi -r)"
        tt-smi -r >/dev/null 2>&1 || echo "warning: tt-smi -r failed" >&2
        sleep 2
    fi
}

exec 9>"$LOCK" || die_setup "cannot open lock $LOCK"
if ! flock -w "$LOCK_WAIT" 9; then
    die_setup "device lock $LOCK still held after ${LOCK_WAIT}s"
fi
export TT_DEVICE_LOCK_HELD=1

if [ -f "$DIRTY" ]; then
    echo "previous run left the device dirty; resetting first"
    reset_device
fi
touch "$DIRTY"

export TT_METAL_OPERATION_TIMEOUT_SECONDS="$OP_TIMEOUT"
export TTNN_EMULATOR_TIMEOUT="$OP_TIMEOUT"
export TTNN_EMULATOR_TRIAGE_LOG="$TRIAGE"
if [ "$MODE" = hardware ] && [ -n "${TT_METAL_HOME:-}" ] && [ -f "$TT_METAL_HOME/tools/tt-triage.py" ]; then
    export TT_METAL_DISPATCH_TIMEOUT_COMMAND_TO_EXECUTE="python3 $TT_METAL_HOME/tools/tt-triage.py --disable-progress >> $TRIAGE 2>&1"
fi

echo "dev-test: $MODE, $TEST_PATH (op timeout ${OP_TIMEOUT}s, outer timeout ${OUTER_TIMEOUT}s)"
# timeout(1) runs pytest in its own process group and signals only that group: our processes, nobody else's.
timeout -k 10 "$OUTER_TIMEOUT" "$PY" -m pytest "$TEST_PATH" -x -v -p no:cacheprovider "$@"
RC=$?

HANG=0
case "$RC" in 124|134|137) HANG=1 ;; esac
HANDLED=0
if [ -s "$TRIAGE" ]; then
    # An emulated hang that the tests expected and caught (pytest passed) leaves no device state behind; on
    # hardware any hang means the chip needs a reset.
    if [ "$RC" = 0 ] && [ "$MODE" = emulator ]; then
        HANDLED=$(grep -cE "^(deadlock on core|no progress for)" "$TRIAGE")
    else
        HANG=1
    fi
fi

if [ "$HANG" = 1 ]; then
    echo "================ HANG TRIAGE ================"
    if [ ! -s "$TRIAGE" ] && { [ "$RC" = 124 ] || [ "$RC" = 137 ]; }; then
        echo "pytest exceeded the ${OUTER_TIMEOUT}s wall-clock limit (exit $RC)"
    elif [ "$RC" = 124 ]; then
        echo "the emulator ended pytest: a kernel made no progress for ${OP_TIMEOUT}s and could not be unwound"
    fi
    if [ -s "$TRIAGE" ]; then
        grep -E "deadlock|BLOCKED|no progress|CB [0-9]+:|running, last call" "$TRIAGE" | head -40
    fi
    echo "full triage log: $TRIAGE"
    reset_device
    rm -f "$DIRTY"
    echo "DEV_TEST_RESULT: HANG"
    exit 2
fi
rm -f "$DIRTY" "$TRIAGE"
if [ "$RC" = 0 ]; then
    [ "$HANDLED" -gt 0 ] && echo "note: the tests raised and handled $HANDLED emulated hang report(s); nothing to reset"
    echo "DEV_TEST_RESULT: PASS"
    exit 0
fi
if [ "$RC" = 5 ]; then
    echo "DEV_TEST_RESULT: SETUP_ERROR (no tests collected)"
    exit 3
fi
echo "DEV_TEST_RESULT: FAIL"
exit 1
