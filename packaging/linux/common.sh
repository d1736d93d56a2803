# Shared by the Linux packaging scripts (sourced): version, architecture, the icon.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUNDLE="$ROOT/dist/liveview"
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/liveview/__init__.py")"
DEB_ARCH="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
MACHINE="$(uname -m)"

[ -x "$BUNDLE/liveview" ] || { echo "no bundle in $BUNDLE: run packaging/build.sh" >&2; exit 1; }
[ -n "$VERSION" ] || { echo "no __version__ in liveview/__init__.py" >&2; exit 1; }

# The desktop entry: the UI's (resources/), else the packaging one.
find_desktop() {
    local candidate
    for candidate in "$ROOT/resources/liveview.desktop" "$ROOT/packaging/linux/liveview.desktop"; do
        [ -f "$candidate" ] && { echo "$candidate"; return 0; }
    done
    return 1
}

# Install the icons under a hicolor theme root ($1 = .../share/icons/hicolor): the SVG as
# scalable and every resources/icons/liveview-N.png as NxN; the packaging SVG as a fallback.
install_icon() {
    local theme="$1" png size found=0
    for svg in "$ROOT/resources/icons/liveview.svg" "$ROOT/resources/liveview.svg"; do
        if [ -f "$svg" ]; then
            install -Dm644 "$svg" "$theme/scalable/apps/liveview.svg"
            found=1
            break
        fi
    done
    for png in "$ROOT"/resources/icons/liveview-*.png; do
        [ -f "$png" ] || continue
        size="${png##*-}"; size="${size%.png}"
        install -Dm644 "$png" "$theme/${size}x${size}/apps/liveview.png"
        found=1
    done
    if [ "$found" = 0 ]; then
        install -Dm644 "$ROOT/packaging/linux/liveview.svg" "$theme/scalable/apps/liveview.svg"
    fi
}
