# Shared by the Linux packaging scripts (sourced): version, architecture, the desktop metadata.
# LIVEVIEW_BUNDLE, LIVEVIEW_DIST and LIVEVIEW_WORK move the bundle read, the folder the packages
# are written to and the staging folder (tests build a .deb from a tiny stand-in bundle).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUNDLE="${LIVEVIEW_BUNDLE:-$ROOT/dist/liveview}"
DIST="${LIVEVIEW_DIST:-$ROOT/dist}"
WORK="${LIVEVIEW_WORK:-$ROOT/build}"
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/liveview/__init__.py")"
DEB_ARCH="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
MACHINE="$(uname -m)"
# The AppStream component ID; the desktop entry and the metainfo file are named after it.
APP_ID="io.github.liveview"
DESKTOP_FILE="$ROOT/resources/$APP_ID.desktop"
METAINFO_FILE="$ROOT/resources/$APP_ID.metainfo.xml"

[ -x "$BUNDLE/liveview" ] || { echo "no bundle in $BUNDLE: run packaging/build.sh" >&2; exit 1; }
[ -n "$VERSION" ] || { echo "no __version__ in liveview/__init__.py" >&2; exit 1; }

# Install the icons under a hicolor theme root ($1 = .../share/icons/hicolor): the SVG as
# scalable and every resources/icons/liveview-N.png as NxN, where menus and appstream look.
install_icon() {
    local theme="$1" png size
    install -Dm644 "$ROOT/resources/icons/liveview.svg" "$theme/scalable/apps/liveview.svg"
    for png in "$ROOT"/resources/icons/liveview-*.png; do
        size="${png##*-}"; size="${size%.png}"
        install -Dm644 "$png" "$theme/${size}x${size}/apps/liveview.png"
    done
}

# The menu entry, the AppStream metainfo and the icons under a share folder ($1 = .../share),
# in the places the freedesktop specifications give.
install_desktop_metadata() {
    local share="$1"
    install -Dm644 "$DESKTOP_FILE" "$share/applications/$APP_ID.desktop"
    install -Dm644 "$METAINFO_FILE" "$share/metainfo/$APP_ID.metainfo.xml"
    install_icon "$share/icons/hicolor"
}
