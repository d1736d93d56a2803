#!/usr/bin/env bash
# The tools packaging/linux/slim_bundle.py needs: binutils (strip, nm, readelf), gcc (the BLAS
# shim, the ICU data library) and icupkg (icu-devtools). Installed with apt when run as root
# (CI, containers), like scripts/setup-system.sh; otherwise only named.
set -euo pipefail
missing=()
command -v strip >/dev/null && command -v readelf >/dev/null && command -v nm >/dev/null || missing+=(binutils)
command -v gcc >/dev/null || missing+=(gcc)
command -v icupkg >/dev/null || missing+=(icu-devtools)
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "build_tools.sh: apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "build_tools.sh: WARNING: missing ${missing[*]} (sudo apt install ${missing[*]});" \
        "the bundle will be larger" >&2
fi
