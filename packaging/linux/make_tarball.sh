#!/usr/bin/env bash
# dist/liveview -> dist/liveview-<version>-linux-<machine>.tar.gz: unpack anywhere and run
# ./liveview-<version>/liveview (or ./install.sh for a menu entry in ~/.local).
. "$(dirname "$0")/common.sh"

NAME="liveview-${VERSION}-linux-${MACHINE}"
STAGE="$ROOT/build/tarball/$NAME"
OUT="$ROOT/dist/$NAME.tar.gz"
rm -rf "$STAGE" "$OUT"
mkdir -p "$(dirname "$STAGE")"
cp -a "$BUNDLE" "$STAGE"
install -Dm644 "$(find_desktop)" "$STAGE/share/liveview.desktop"
install_icon "$STAGE/share/icons/hicolor"
install -m755 "$ROOT/packaging/linux/install-user.sh" "$STAGE/install.sh"
tar -C "$(dirname "$STAGE")" --owner=0 --group=0 --numeric-owner -czf "$OUT" "$NAME"
echo "tar.gz: $OUT ($(du -h "$OUT" | cut -f1))"
