#!/usr/bin/env bash
# The tools the Linux bundle is built with: a C/C++ toolchain, CMake, Ninja, NASM and the headers
# of OpenSSL and dav1d for the small OpenCV and FFmpeg (packaging/linux/build_opencv.sh); binutils
# (strip, nm, readelf), patchelf and icupkg (icu-devtools) for packaging/linux/slim_bundle.py;
# desktop-file-utils and appstream (+ its compose plugin) for packaging/linux/check_deb.sh.
# Installed with apt when run as root (CI, containers), like scripts/setup-system.sh; otherwise
# only named, and the build stops.
set -euo pipefail
missing=()
have() { command -v "$1" >/dev/null; }
have strip && have readelf && have nm || missing+=(binutils)
have gcc || missing+=(gcc)
have g++ || missing+=(g++)
have make || missing+=(make)
have cmake || missing+=(cmake)
have ninja || missing+=(ninja-build)
have nasm || missing+=(nasm)
have pkg-config || missing+=(pkg-config)
have patchelf || missing+=(patchelf)
have icupkg || missing+=(icu-devtools)
have xz || missing+=(xz-utils)
have pkg-config && pkg-config --exists openssl || missing+=(libssl-dev)
have pkg-config && pkg-config --exists dav1d || missing+=(libdav1d-dev)
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
have desktop-file-validate || missing+=(desktop-file-utils)
have appstreamcli || missing+=(appstream)
appstreamcli compose --help >/dev/null 2>&1 || missing+=(appstream-compose)
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "build_tools.sh: apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "build_tools.sh: missing ${missing[*]}: sudo apt install ${missing[*]}" >&2
    exit 1
fi
