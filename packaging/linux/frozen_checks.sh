#!/usr/bin/env bash
# Prove the slimmed bundle still does what the app needs beyond the smoke test: build a
# diagnostics bundle from the same spec and the same slimming (entry: packaging/diag_entry.py),
# run tests/packaging/frozen_checks.py inside it and from the source tree, and require the same
# results (the small OpenCV's linear algebra, video clips through its FFmpeg, Haar, JPEG, PNG,
# Qt's ICU collation and time zone names, keyring's crypto). `make smoke` runs it.
#   packaging/linux/frozen_checks.sh          (about a minute once build_opencv.sh has run)
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-.venv/bin/python}"
OUT=build/diag
rm -rf "$OUT/dist"
LIVEVIEW_SPEC_ENTRY="$PWD/packaging/diag_entry.py" "$PYTHON" -m PyInstaller --noconfirm --clean \
    --log-level ERROR --distpath "$OUT/dist" --workpath "$OUT/work" packaging/liveview.spec
bash packaging/linux/build_tools.sh
PYTHON="$PYTHON" bash packaging/linux/build_opencv.sh
"$PYTHON" packaging/linux/slim_bundle.py "$OUT/dist/liveview" build/opencv-minimal/stage
# Both runs must print the same results. OpenCV's FFmpeg prints notes on stderr: kept apart.
# The source run writes the clips (the bundle's FFmpeg only decodes), both read them.
rm -rf "$OUT/clips"
export LIVEVIEW_CHECK_CLIPS="$PWD/$OUT/clips"
"$PYTHON" tests/packaging/frozen_checks.py >"$OUT/source.json" 2>"$OUT/source.err"
LIVEVIEW_DIAG_SCRIPT=tests/packaging/frozen_checks.py QT_QPA_PLATFORM=offscreen \
    "$OUT/dist/liveview/liveview" >"$OUT/frozen.json" 2>"$OUT/frozen.err" || {
    cat "$OUT/frozen.err" >&2
    echo "frozen_checks.sh: FAILED: the checks did not run in the frozen build" >&2
    exit 1
}
if ! diff -u "$OUT/source.json" "$OUT/frozen.json"; then
    echo "frozen_checks.sh: FAILED: the frozen build differs from the source tree (above)" >&2
    exit 1
fi
grep -q '"dh_aes_roundtrip": true' "$OUT/frozen.json"
if grep -q ': false' "$OUT/frozen.json"; then
    echo "frozen_checks.sh: FAILED: a check is false in both runs: $(grep ': false' "$OUT/frozen.json")" >&2
    exit 1
fi
echo "frozen_checks.sh: OK: the frozen build gives the source tree's results ($OUT/frozen.json)"
