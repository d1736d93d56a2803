#!/usr/bin/env bash
# Run a built liveview offscreen with --self-test and fail on anything that smells of a broken
# bundle, even if the exit code says 0: a traceback, a module not found, a Qt plugin that would
# not load, a missing ready line.
#   packaging/smoke_test.sh [BINARY]     (default: dist/liveview/liveview)
# A display ($DISPLAY) and a sound server are used when present (screen grab, audio devices).
# The signs of breakage are in smoke_patterns.txt (windows/smoke_test.ps1 reads the same list).
# Runs on Linux and on macOS (bash 3.2, no GNU timeout or date +%N there).
set -uo pipefail
cd "$(dirname "$0")/.."
BINARY="${1:-dist/liveview/liveview}"
TIMEOUT_S="${SMOKE_TIMEOUT_S:-180}"
LOG="${SMOKE_LOG:-build/smoke-test.log}"
mkdir -p "$(dirname "$LOG")"

[ -x "$BINARY" ] || command -v "$BINARY" >/dev/null || {
    echo "smoke_test.sh: no executable $BINARY (build it with packaging/build.sh)" >&2
    exit 2
}

# A private log folder: the smoke test must not write into the user's logs, and the crash log it
# leaves is checked below.
LOG_DIR="$(mktemp -d)"
trap 'rm -rf "$LOG_DIR"' EXIT
# Where a sound server answers, the bundle must see its devices (a broken libpulse would not).
REQUIRE_AUDIO=0
command -v pactl >/dev/null && pactl info >/dev/null 2>&1 && REQUIRE_AUDIO=1

# GNU timeout where there is one; otherwise (macOS) a watchdog that kills the run, exit code 124.
run_with_timeout() {
    if command -v timeout >/dev/null; then
        timeout --kill-after=10 "$TIMEOUT_S" "$@"
        return
    fi
    "$@" &
    local pid=$! flag="$LOG_DIR/timed-out" status=0
    # Polls once a second, so it ends with the run (no sleeping process is left behind).
    (
        waited=0
        while kill -0 "$pid" 2>/dev/null; do
            if [ "$waited" -ge "$TIMEOUT_S" ]; then touch "$flag"; kill -9 "$pid"; break; fi
            sleep 1
            waited=$((waited + 1))
        done
    ) >/dev/null 2>&1 &
    local watchdog=$!
    wait "$pid" || status=$?
    wait "$watchdog" 2>/dev/null
    if [ -f "$flag" ]; then return 124; fi
    return "$status"
}

started_s=$(date +%s)
QT_QPA_PLATFORM=offscreen LIVEVIEW_LOG_DIR="$LOG_DIR" LIVEVIEW_SELF_TEST_REQUIRE_AUDIO=$REQUIRE_AUDIO \
    run_with_timeout "$BINARY" --self-test >"$LOG" 2>&1
code=$?
elapsed_s=$(( $(date +%s) - started_s ))
cat "$LOG"

fail() { echo "SMOKE TEST FAILED: $*" >&2; exit 1; }
[ "$code" -eq 124 ] && fail "timed out after ${TIMEOUT_S} s"
[ "$code" -eq 0 ] || fail "exit code $code"
while IFS= read -r pattern; do
    case "$pattern" in '' | '#'*) continue ;; esac
    if grep -Eiq "$pattern" "$LOG"; then
        fail "output contains '$pattern': $(grep -Ei -m1 "$pattern" "$LOG")"
    fi
done <packaging/smoke_patterns.txt
grep -q '^liveview self-test: OK' "$LOG" || fail "no ready line 'liveview self-test: OK'"
# Issue 15: the bundle reads text offline (RapidOCR's models and onnxruntime must be in it).
grep -q '^  ok  ocr ' "$LOG" || fail "no 'ok  ocr' step: text recognition is missing from the bundle"
if [ -s "$LOG_DIR/liveview-faults.log" ]; then
    fail "native crash logged: $(head -5 "$LOG_DIR/liveview-faults.log")"
fi
echo "smoke test passed: $BINARY in ${elapsed_s} s"
