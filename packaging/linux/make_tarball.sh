#!/usr/bin/env bash
# dist/liveview -> dist/liveview-<version>-linux-<machine>.tar.gz: unpack anywhere and run
# ./liveview-<version>/liveview (or ./install.sh for a menu entry in ~/.local).
. "$(dirname "$0")/common.sh"

NAME="liveview-${VERSION}-linux-${MACHINE}"
STAGE="$WORK/tarball/$NAME"
OUT="$DIST/$NAME.tar.gz"
rm -rf "$STAGE" "$OUT"
mkdir -p "$(dirname "$STAGE")" "$DIST"
cp -a "$BUNDLE" "$STAGE"
# share/ mirrors ~/.local/share: install.sh copies it there.
install_desktop_metadata "$STAGE/share"
install -m755 "$ROOT/packaging/linux/install-user.sh" "$STAGE/install.sh"
tar -C "$(dirname "$STAGE")" --owner=0 --group=0 --numeric-owner -czf "$OUT" "$NAME"
echo "tar.gz: $OUT ($(du -h "$OUT" | cut -f1))"
