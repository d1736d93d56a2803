#!/usr/bin/env bash
# dist/liveview.app -> dist/liveview-<version>-macos-<arch>.dmg (run on macOS, after build.sh's
# PyInstaller step; build.sh calls this). Signing and notarisation happen when the identity and
# the notary profile are given:
#   CODESIGN_IDENTITY="Developer ID Application: NAME (TEAMID)" NOTARY_PROFILE=liveview \
#       packaging/macos/make_dmg.sh
# (create the profile once: xcrun notarytool store-credentials liveview --apple-id ... --team-id ...)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
APP="$ROOT/dist/liveview.app"
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/liveview/__init__.py")"
ARCH="$(uname -m)"
DMG="$ROOT/dist/liveview-${VERSION}-macos-${ARCH}.dmg"
[ -d "$APP" ] || { echo "no $APP: run packaging/build.sh first" >&2; exit 1; }

/usr/libexec/PlistBuddy -c "Print :NSCameraUsageDescription" "$APP/Contents/Info.plist" >/dev/null
/usr/libexec/PlistBuddy -c "Print :NSMicrophoneUsageDescription" "$APP/Contents/Info.plist" >/dev/null

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
hdiutil create -volname "liveview $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO \
    -imagekey zlib-level=9 "$DMG"

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$DMG"
    if [ -n "${NOTARY_PROFILE:-}" ]; then
        xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
        xcrun stapler staple "$DMG"
    fi
fi
echo "dmg: $DMG ($(du -h "$DMG" | cut -f1))"
