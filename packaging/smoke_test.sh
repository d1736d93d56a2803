#!/usr/bin/env bash
# Run a built liveview offscreen with --self-test and fail on anything that smells of a broken
# bundle, even if the exit code says 0: a traceback, a module not found, a Qt plugin that would
# not load, a missing ready line.
#   packaging/smoke_test.sh [BINARY]     (default: dist/liveview/liveview)
# A display ($DISPLAY) and a sound server are used when present (screen grab, audio devices).
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
started_ms=$(( $(date +%s%N) / 1000000 ))
QT_QPA_PLATFORM=offscreen LIVEVIEW_LOG_DIR="$LOG_DIR" LIVEVIEW_SELF_TEST_REQUIRE_AUDIO=$REQUIRE_AUDIO \
    timeout --kill-after=10 "$TIMEOUT_S" "$BINARY" --self-test >"$LOG" 2>&1
code=$?
elapsed_ms=$(( $(date +%s%N) / 1000000 - started_ms ))
cat "$LOG"

fail() { echo "SMOKE TEST FAILED: $*" >&2; exit 1; }
[ "$code" -eq 124 ] && fail "timed out after ${TIMEOUT_S} s"
[ "$code" -eq 0 ] || fail "exit code $code"
patterns=(
    'Traceback \(most recent call last\)'
    'ModuleNotFoundError' 'No module named' 'ImportError'
    'could not load the Qt platform plugin' 'could not find the Qt platform plugin'
    'no Qt platform plugin could be initialized' 'Cannot load library' 'Failed to load'
    'Failed to execute script' 'Fatal Python error' 'Segmentation fault'
    'error while loading shared libraries'
)
for pattern in "${patterns[@]}"; do
    if grep -Eiq "$pattern" "$LOG"; then
        fail "output contains '$pattern': $(grep -Ei -m1 "$pattern" "$LOG")"
    fi
done
grep -q '^liveview self-test: OK' "$LOG" || fail "no ready line 'liveview self-test: OK'"
# Issue 15: the bundle reads text offline (RapidOCR's models and onnxruntime must be in it).
grep -q '^  ok  ocr ' "$LOG" || fail "no 'ok  ocr' step: text recognition is missing from the bundle"
if [ -s "$LOG_DIR/liveview-faults.log" ]; then
    fail "native crash logged: $(head -5 "$LOG_DIR/liveview-faults.log")"
fi
echo "smoke test passed: $BINARY in ${elapsed_ms} ms"
