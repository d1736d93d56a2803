#!/usr/bin/env bash
# Install the Debian/Ubuntu packages liveview needs: as root it installs them, otherwise it
# prints the exact apt line to run and fails.   Usage: scripts/setup-system.sh run|test
set -euo pipefail

# What the Qt window, screen capture and sound need at run time.
RUNTIME="libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-shape0 libxcb-randr0
 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1
 libfontconfig1 libdbus-1-3 libpulse0 libpulse-mainloop-glib0 espeak-ng"
# What the tests add: a virtual display with a window manager and a tray host, a real sound
# server to record from, the validators of the desktop metadata (AppStream, the desktop entry)
# the packages install, and the fonts the legibility pages are drawn with (bench/pages.py).
TEST="xvfb xauth x11-utils xdotool imagemagick openbox trayer pulseaudio pulseaudio-utils sox
 appstream appstream-compose desktop-file-utils fonts-dejavu-core"

want="$RUNTIME"
[ "${1:-run}" = "test" ] && want="$RUNTIME $TEST"
python3 -c 'import ensurepip, venv' 2>/dev/null || want="$want python3-venv"

missing=()
for pkg in $want; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "liveview needs these system packages. Run:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
