#!/usr/bin/env bash
# dist/liveview.app -> dist/liveview-<version>-macos-<arch>.dmg (run on macOS, after build.sh's
# PyInstaller step; build.sh calls this). Signing and notarisation happen when the identity and
# the notary profile are given:
#   CODESIGN_IDENTITY="Developer ID Application: NAME (TEAMID)" NOTARY_PROFILE=liveview \
#       packaging/macos/make_dmg.sh
# (create the profile once: xcrun notarytool store-credentials liveview --apple-id ... --team-id ...;
# NOTARY_KEYCHAIN names the keychain holding it when that is not the login one, as in CI:
# packaging/macos/import_signing.sh). Run again with them to replace an unsigned .dmg.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
APP="$ROOT/dist/liveview.app"
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/liveview/__init__.py")"
ARCH="$(uname -m)"
DMG="$ROOT/dist/liveview-${VERSION}-macos-${ARCH}.dmg"
[ -d "$APP" ] || { echo "no $APP: run packaging/build.sh first" >&2; exit 1; }

# The purpose strings macOS shows when liveview asks for the camera, the microphone and the
# screen (it terminates an app that asks for the first two without one).
for key in NSCameraUsageDescription NSMicrophoneUsageDescription NSScreenCaptureUsageDescription; do
    /usr/libexec/PlistBuddy -c "Print :$key" "$APP/Contents/Info.plist" >/dev/null \
        || { echo "make_dmg.sh: Info.plist has no $key" >&2; exit 1; }
done
# A background-only app has no Dock icon and no menu bar (PyInstaller sets it for console exes).
if [ "$(/usr/libexec/PlistBuddy -c "Print :LSBackgroundOnly" "$APP/Contents/Info.plist" 2>/dev/null)" = true ]; then
    echo "make_dmg.sh: the .app is LSBackgroundOnly (console=True in liveview.spec?)" >&2
    exit 1
fi

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    codesign --force --deep --timestamp --options runtime \
        --entitlements "$ROOT/packaging/macos/entitlements.plist" \
        --sign "$CODESIGN_IDENTITY" "$APP"
    codesign --verify --strict --verbose=2 "$APP"
fi

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
# hdiutil on CI runners sometimes fails with "Resource busy" while the disk arbitration daemon
# is still looking at the new image: try again a few times.
for attempt in 1 2 3 4 5; do
    hdiutil create -volname "liveview $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO \
        -imagekey zlib-level=9 "$DMG" && break
    [ "$attempt" = 5 ] && { echo "make_dmg.sh: hdiutil create failed $attempt times" >&2; exit 1; }
    rm -f "$DMG"
    sleep $((attempt * 5))
done

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$DMG"
    if [ -n "${NOTARY_PROFILE:-}" ]; then
        # (no empty-array expansion: macOS's bash 3.2 calls it unbound under set -u)
        if [ -n "${NOTARY_KEYCHAIN:-}" ]; then
            xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" \
                --keychain "$NOTARY_KEYCHAIN" --wait
        else
            xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
        fi
        xcrun stapler staple "$DMG"
    fi
fi
echo "dmg: $DMG ($(du -h "$DMG" | cut -f1))"
