#!/usr/bin/env bash
# Runs op tests on the Tensix emulator or on real hardware, with tt-metal's test-runner contract:
#   scripts/dev-test.sh <test path> [pytest args...]
# exit 0 pass, 1 test failure, 2 hang, 3 setup error. A device lock serialises runs; a per-operation timeout
# and an outer wall-clock timeout turn hangs into exit 2 with a short triage summary. On hardware the device
# is reset only after a hang. Only processes this script started are ever signalled. On the emulator, a hang
# report that the tests expect and catch (pytest passes) is a pass; on hardware every hang is one.
# A pass means pytest reported every collected test passed (scripts/dev_test_report.py), not merely exit 0;
# a crash (abort, signal) is a failure; a bad knob, an unknown pytest option or test id is a setup error.
# SIGTERM/SIGINT end the run's process group and release the lock (exit 128+signal).
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
# Each knob is a positive number of seconds (timeout(1) would read 0 as "no limit").
for knob in DEV_TEST_TIMEOUT:"$OUTER_TIMEOUT" DEV_TEST_OP_TIMEOUT:"$OP_TIMEOUT" DEV_TEST_LOCK_WAIT:"$LOCK_WAIT"; do
    value="${knob#*:}"
    if ! [[ "$value" =~ ^[0-9]+(\.[0-9]+)?$ ]] || [[ "$value" =~ ^0+(\.0+)?$ ]]; then
        die_setup "${knob%%:*}='$value' is not a positive number of seconds"
    fi
done

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
if [ "$MODE" = emulator ]; then
    command -v g++ >/dev/null 2>&1 || die_setup "no g++ on PATH: the emulator builds its runtime with the host g++ (11 or newer)"
    # Kernels build against the ttnn wheel's own headers with clang >= 17: say what to install before any test runs.
    WHY=$("$PY" -c 'from emulator import runtime_lib
try:
    runtime_lib.kernel_compiler()
except runtime_lib.ToolchainError as exc:
    print(exc)' 2>/dev/null)
    [ -z "$WHY" ] || die_setup "$WHY"
fi
LOCK="$STATE_DIR/device-0.lock"
DIRTY="$STATE_DIR/device-0.dirty"
TRIAGE="$STATE_DIR/triage-$$.log"
REPORT="$STATE_DIR/report-$$.json"
# The triage log is kept only when something was written to it; the pytest report never outlives the run.
cleanup() {
    rm -f "$REPORT" "$REPORT.part"
    [ -s "$TRIAGE" ] || rm -f "$TRIAGE"
}
trap cleanup EXIT

reset_device() {
    if [ "$MODE" = hardware ] && command -v tt-smi >/dev/null 2>&1; then
        echo "resetting device (tt-smi -r)"
        tt-smi -r >/dev/null 2>&1 9>&- || echo "warning: tt-smi -r failed" >&2
        sleep 2
    fi
}

# fd 9 holds the lock; every command below is started with 9>&- so that nothing it leaves running (a daemon a
# test starts) keeps the lock after this script exits.
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
: > "$TRIAGE"

export TT_METAL_OPERATION_TIMEOUT_SECONDS="$OP_TIMEOUT"
export TTNN_EMULATOR_TIMEOUT="$OP_TIMEOUT"
export TTNN_EMULATOR_TRIAGE_LOG="$TRIAGE"
if [ "$MODE" = hardware ] && [ -n "${TT_METAL_HOME:-}" ] && [ -f "$TT_METAL_HOME/tools/tt-triage.py" ]; then
    export TT_METAL_DISPATCH_TIMEOUT_COMMAND_TO_EXECUTE="python3 $TT_METAL_HOME/tools/tt-triage.py --disable-progress >> $TRIAGE 2>&1"
fi

RUN_PID=""
# A signal to this script ends the run's own process group (timeout(1) makes it one: pytest and whatever it
# started), waits for it, and leaves neither the lock nor a dirty marker behind (a hardware device is reset).
interrupted() {
    trap '' TERM INT HUP
    if [ -n "$RUN_PID" ]; then
        kill -TERM -- "-$RUN_PID" "$RUN_PID" 2>/dev/null
        wait "$RUN_PID" 2>/dev/null
    fi
    reset_device
    rm -f "$DIRTY"
    echo "DEV_TEST_RESULT: INTERRUPTED (SIG$1)"
    exit "$2"
}
trap 'interrupted TERM 143' TERM
trap 'interrupted INT 130' INT
trap 'interrupted HUP 129' HUP

echo "dev-test: $MODE, $TEST_PATH (op timeout ${OP_TIMEOUT}s, outer timeout ${OUTER_TIMEOUT}s)"
# timeout(1) runs pytest in its own process group and signals only that group: our processes, nobody else's.
# It runs in the background so that this script's signal traps fire while the tests run.
DEV_TEST_REPORT="$REPORT" PYTHONPATH="$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}" \
    timeout -k 10 "$OUTER_TIMEOUT" "$PY" -m pytest "$TEST_PATH" -x -v -p no:cacheprovider -p dev_test_report "$@" \
    9>&- &
RUN_PID=$!
wait "$RUN_PID"
RC=$?
RUN_PID=""

# 124: the wall clock ran out (or the emulator's watchdog ended a kernel it could not unwind); 137: timeout(1)
# had to kill. A crash (abort, an uncaught C++ exception, a signal) is a failure, not a hang.
HANG=0
case "$RC" in 124|137) HANG=1 ;; esac
HANDLED=0
if [ -s "$TRIAGE" ]; then
    # An emulated hang that the tests expected and caught (pytest passed) leaves no device state behind; on
    # hardware any hang means the chip needs a reset.
    if [ "$RC" = 0 ] && [ "$MODE" = emulator ]; then
        HANDLED=$(grep -cE "^(deadlock|no progress for)" "$TRIAGE")
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
        grep -E "deadlock|BLOCKED|waiting at|spinning at|no progress|CB [0-9]+:|running, last call" "$TRIAGE" | head -40
    fi
    echo "full triage log: $TRIAGE"
    reset_device
    rm -f "$DIRTY"
    echo "DEV_TEST_RESULT: HANG"
    exit 2
fi
rm -f "$DIRTY" "$TRIAGE"
case "$RC" in
    4) echo "DEV_TEST_RESULT: SETUP_ERROR (pytest usage error: unknown option or test id not found)"; exit 3 ;;
    5) echo "DEV_TEST_RESULT: SETUP_ERROR (no tests collected)"; exit 3 ;;
esac
if [ "$RC" = 0 ]; then
    # Status 0 alone is not a pass: a test or kernel calling exit(0) ends pytest with 0 before its tests ran.
    if WHY=$("$PY" "$ROOT/scripts/dev_test_report.py" "$REPORT" 9>&-); then
        [ "$HANDLED" -gt 0 ] && echo "note: the tests raised and handled $HANDLED emulated hang report(s); nothing to reset"
        echo "DEV_TEST_RESULT: PASS"
        exit 0
    fi
    echo "exit status 0, but $WHY"
elif [ "$RC" -gt 128 ]; then
    echo "pytest was killed by signal $((RC - 128)) (a crash: abort, an uncaught C++ exception or a fault)"
fi
echo "DEV_TEST_RESULT: FAIL"
exit 1
