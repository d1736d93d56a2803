#!/usr/bin/env bash
# SHA256SUMS for release files, written beside them (names only, so `sha256sum -c SHA256SUMS`
# or `shasum -a 256 -c SHA256SUMS` checks them where they are downloaded):
#   packaging/checksums.sh dist/liveview_0.2.0_amd64.deb dist/liveview-0.2.0-linux-x86_64.tar.gz
# All files must be in one folder. Runs on Linux, macOS and Git Bash on Windows.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: checksums.sh FILE..." >&2; exit 2; }
dir="$(dirname "$1")"
names=()
for file in "$@"; do
    [ -f "$file" ] || { echo "checksums.sh: no file $file" >&2; exit 1; }
    [ "$(dirname "$file")" = "$dir" ] || { echo "checksums.sh: $file is not in $dir" >&2; exit 1; }
    names+=("$(basename "$file")")
done
if command -v sha256sum >/dev/null; then sum=(sha256sum); else sum=(shasum -a 256); fi
cd "$dir"
"${sum[@]}" "${names[@]}" >SHA256SUMS
"${sum[@]}" -c SHA256SUMS >&2
cat SHA256SUMS
