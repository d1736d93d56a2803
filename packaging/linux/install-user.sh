#!/bin/sh
# Add liveview from this unpacked folder to your menu (~/.local), no root needed.
# Undo: ./install.sh --uninstall
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
BIN="$HOME/.local/bin"
APP_ID="io.github.liveview"
if [ "${1:-}" = "--uninstall" ]; then
    # liveview.desktop: the name before 0.2.0
    rm -f "$BIN/liveview" "$DATA/applications/$APP_ID.desktop" "$DATA/applications/liveview.desktop" \
        "$DATA/metainfo/$APP_ID.metainfo.xml"
    find "$DATA/icons/hicolor" -name 'liveview.*' -path '*/apps/*' -delete 2>/dev/null || true
    echo "liveview removed from the menu ($HERE itself is left as it is)."
    exit 0
fi
mkdir -p "$BIN" "$DATA/applications" "$DATA/metainfo"
ln -sf "$HERE/liveview" "$BIN/liveview"
sed "s|^Exec=liveview|Exec=$HERE/liveview|; s|^TryExec=liveview|TryExec=$HERE/liveview|" \
    "$HERE/share/applications/$APP_ID.desktop" > "$DATA/applications/$APP_ID.desktop"
cp "$HERE/share/metainfo/$APP_ID.metainfo.xml" "$DATA/metainfo/"
cp -r "$HERE/share/icons" "$DATA/"
command -v update-desktop-database >/dev/null && update-desktop-database "$DATA/applications" || true
echo "liveview is in your menu; run it from a terminal with: $BIN/liveview"
