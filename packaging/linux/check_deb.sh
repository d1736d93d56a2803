#!/usr/bin/env bash
# Check a built liveview .deb without installing it: its version is liveview.__version__, the
# bundle, the launcher, the menu entry, the AppStream metainfo and every icon size are where
# desktops and software centres look, and what they read validates:
#   desktop-file-validate      the menu entry (any hint fails too)
#   appstreamcli validate      the metainfo (--no-net: the screenshot URL is not fetched)
#   appstreamcli compose       a software-centre catalog made from the unpacked tree, the way a
#                              distribution's generator does: fails when it cannot find the icon
#   packaging/linux/check_deb.sh dist/liveview_<version>_<arch>.deb
# Needs: dpkg-deb, desktop-file-utils, appstream, appstream-compose (scripts/setup-system.sh test).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DEB="${1:?usage: check_deb.sh PACKAGE.deb}"
APP_ID="io.github.liveview"
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/liveview/__init__.py")"

fail() { echo "check_deb.sh: $DEB: $*" >&2; exit 1; }
[ -f "$DEB" ] || fail "no such file"

[ "$(dpkg-deb -f "$DEB" Package)" = liveview ] || fail "Package is not liveview"
deb_version="$(dpkg-deb -f "$DEB" Version)"
[ "$deb_version" = "$VERSION" ] || fail "Version $deb_version, liveview/__init__.py says $VERSION"

expected=(
    ./opt/liveview/liveview
    ./usr/bin/liveview
    "./usr/share/applications/$APP_ID.desktop"
    "./usr/share/metainfo/$APP_ID.metainfo.xml"
    ./usr/share/icons/hicolor/scalable/apps/liveview.svg
)
for png in "$ROOT"/resources/icons/liveview-*.png; do
    size="${png##*-}"; size="${size%.png}"
    expected+=("./usr/share/icons/hicolor/${size}x${size}/apps/liveview.png")
done
listing="$(dpkg-deb -c "$DEB" | awk '{print $6}')"
for path in "${expected[@]}"; do
    grep -qxF "$path" <<<"$listing" || fail "does not contain $path"
done

TREE="$(mktemp -d)"
trap 'rm -rf "$TREE"' EXIT
dpkg-deb -x "$DEB" "$TREE/root"
desktop="$TREE/root/usr/share/applications/$APP_ID.desktop"
hints="$(desktop-file-validate "$desktop" 2>&1)" || fail "desktop-file-validate: $hints"
[ -z "$hints" ] || fail "desktop-file-validate: $hints"
appstreamcli validate --no-net --no-color "$TREE/root/usr/share/metainfo/$APP_ID.metainfo.xml" \
    >"$TREE/validate.log" 2>&1 || fail "appstreamcli validate: $(cat "$TREE/validate.log")"
appstreamcli compose --no-net --no-color --origin=liveview --result-root="$TREE/catalog" \
    "$TREE/root" >"$TREE/compose.log" 2>&1 || fail "appstreamcli compose: $(cat "$TREE/compose.log")"
# The catalog names the component, and the icon the desktop entry names was found and cached.
zcat "$TREE/catalog/usr/share/swcatalog/xml/liveview.xml.gz" | grep -q "<id>$APP_ID</id>" \
    || fail "the composed catalog has no $APP_ID"
ls "$TREE"/catalog/usr/share/swcatalog/icons/liveview/*/"$APP_ID.png" >/dev/null 2>&1 \
    || fail "appstreamcli compose cached no icon"
echo "check_deb.sh: $DEB: liveview $VERSION, ${#expected[@]} paths, metadata valid"
