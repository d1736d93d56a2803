#!/usr/bin/env bash
# dist/liveview -> dist/liveview_<version>_<arch>.deb
#   /opt/liveview/                                   the bundle
#   /usr/bin/liveview                                the launcher
#   /usr/share/applications/io.github.liveview.desktop          the menu entry
#   /usr/share/metainfo/io.github.liveview.metainfo.xml         AppStream (software centres)
#   /usr/share/icons/hicolor/{16x16..512x512,scalable}/apps/liveview.{png,svg}
# No maintainer scripts: the desktop database and icon cache are refreshed by the dpkg triggers of
# desktop-file-utils and hicolor-icon-theme, so `dpkg -r liveview` leaves nothing behind.
# packaging/linux/check_deb.sh checks the result (layout, metadata validators).
. "$(dirname "$0")/common.sh"

DEPENDS="$(bash "$ROOT/packaging/linux/deb_depends.sh")"
STAGE="$WORK/deb/liveview_${VERSION}_${DEB_ARCH}"
OUT="$DIST/liveview_${VERSION}_${DEB_ARCH}.deb"
rm -rf "$STAGE" "$OUT"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$DIST"

cp -a "$BUNDLE" "$STAGE/opt/liveview"
install -m755 "$ROOT/packaging/linux/launcher.sh" "$STAGE/usr/bin/liveview"
install_desktop_metadata "$STAGE/usr/share"
install -Dm644 "$ROOT/packaging/linux/copyright" "$STAGE/usr/share/doc/liveview/copyright"
# Owned by root, readable by all, whatever the umask of the build was.
chmod -R u+rwX,go+rX,go-w "$STAGE"

INSTALLED_KB="$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)"
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: liveview
Version: ${VERSION}
Architecture: ${DEB_ARCH}
Maintainer: liveview maintainers <liveview@users.noreply.github.com>
Installed-Size: ${INSTALLED_KB}
Depends: ${DEPENDS}
Recommends: espeak-ng, pulseaudio | pipewire-pulse
Section: video
Priority: optional
Homepage: https://github.com/liveview/liveview
Description: live screen and camera analysis with the Gemini Live API
 liveview streams your screen or camera, plus the microphone, to a real-time
 multimodal model (the Gemini Live API) and shows its streaming text and plays
 its spoken replies, which you can interrupt by talking. With no API key and no
 network it runs against a built-in local server that speaks the same protocol.
CONTROL

# xz -9: about a third smaller than gzip for this payload, and every dpkg reads it.
dpkg-deb --root-owner-group -Zxz -z9 --threads-max="$(nproc)" --build "$STAGE" "$OUT" >/dev/null
echo "deb: $OUT ($(du -h "$OUT" | cut -f1); installed ${INSTALLED_KB} kB)"
echo "     Depends: ${DEPENDS}"
