#!/usr/bin/env bash
# CI only (the release workflow, when its macOS signing secrets exist): the Developer ID
# certificate into a temporary keychain, and the notary credentials into a keychain profile
# called "liveview", for make_dmg.sh (CODESIGN_IDENTITY, NOTARY_PROFILE, NOTARY_KEYCHAIN).
#   MACOS_CERT_P12_BASE64  the "Developer ID Application" certificate and key, .p12, base64
#   MACOS_CERT_PASSWORD    its password
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD   notarisation (optional: signing only without)
# Prints the keychain's path (make_dmg.sh's NOTARY_KEYCHAIN).
set -euo pipefail
: "${MACOS_CERT_P12_BASE64:?}" "${MACOS_CERT_PASSWORD:?}"
KEYCHAIN="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/liveview-signing.keychain-db"
KEYCHAIN_PASSWORD="$(openssl rand -hex 24)"
P12="$(mktemp)"
trap 'rm -f "$P12"' EXIT
printf '%s' "$MACOS_CERT_P12_BASE64" | openssl base64 -d -A >"$P12"

security create-keychain -p "$KEYCHAIN_PASSWORD" "$KEYCHAIN" >&2
security set-keychain-settings -lut 21600 "$KEYCHAIN" >&2
security unlock-keychain -p "$KEYCHAIN_PASSWORD" "$KEYCHAIN" >&2
security import "$P12" -k "$KEYCHAIN" -P "$MACOS_CERT_PASSWORD" -T /usr/bin/codesign >&2
# codesign may use the key without a prompt (there is no one to click it on a runner).
security set-key-partition-list -S apple-tool:,apple: -s -k "$KEYCHAIN_PASSWORD" "$KEYCHAIN" >/dev/null
# shellcheck disable=SC2046  # the existing search list, one keychain per word
security list-keychains -d user -s "$KEYCHAIN" $(security list-keychains -d user | tr -d '"') >&2
if [ -n "${APPLE_ID:-}" ]; then
    xcrun notarytool store-credentials liveview --apple-id "$APPLE_ID" \
        --team-id "${APPLE_TEAM_ID:?}" --password "${APPLE_APP_PASSWORD:?}" --keychain "$KEYCHAIN" >&2
fi
echo "$KEYCHAIN"
