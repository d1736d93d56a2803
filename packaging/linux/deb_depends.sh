#!/usr/bin/env bash
# Print the Depends: value for the bundle in dist/liveview, computed on this machine:
# the packages owning every system library the bundle's binaries link against but do not carry,
# plus the libraries Qt opens at run time with dlopen (invisible to ldd).
. "$(dirname "$0")/common.sh"

# dlopen'd at run time: the xcb platform plugin's helpers, GL/EGL, sound, fonts, D-Bus.
RUNTIME_PACKAGES="libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0
 libxcb-render-util0 libxcb-image0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1
 libdbus-1-3 libpulse0"

# Resolve as the bootloader does at run time: the bundle's own folder first.
export LD_LIBRARY_PATH="$BUNDLE/_internal"
# ldd fails on a file that is not a dynamic ELF object: what it printed for the others counts.
libs="$(find "$BUNDLE" -type f \( -name '*.so*' -o -name liveview \) -print0 \
    | { xargs -0 ldd 2>/dev/null || true; } | awk '/=> \// {print $3}' | sort -u)"
packages=""
for lib in $libs; do
    case "$lib" in "$BUNDLE"/*) continue ;; esac
    owner="$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -1 | cut -d: -f1)" || true
    [ -z "$owner" ] && owner="$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1)" || true
    [ -n "$owner" ] && packages="$packages $owner"
done
missing="$(find "$BUNDLE" -type f -name '*.so*' -print0 | { xargs -0 ldd 2>/dev/null || true; } \
    | awk '/not found/ {print $1}' | sort -u | tr '\n' ' ')"
[ -n "$missing" ] && echo "deb_depends.sh: note: not found on this machine: $missing" >&2
# libc6 stays (the bundle needs a glibc at least as new as the build machine's).
echo $packages $RUNTIME_PACKAGES | tr ' ' '\n' | grep -v '^$' | sort -u | paste -sd, - | sed 's/,/, /g'
