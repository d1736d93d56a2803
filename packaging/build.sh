#!/usr/bin/env bash
# Build liveview for the machine this runs on: the PyInstaller one-folder bundle in dist/liveview,
# then this OS's installers (Linux: .tar.gz and .deb in dist/; macOS: .app and .dmg).
# Windows: see packaging/README.md (PyInstaller, then Inno Setup's iscc).
#   packaging/build.sh                 bundle + installers
#   packaging/build.sh --bundle-only   just dist/liveview
# PYTHON overrides the interpreter (default: .venv/bin/python, which needs the dev extra).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
started=$(date +%s)

"$PYTHON" -c 'import PyInstaller' 2>/dev/null || {
    echo "build.sh: PyInstaller is missing: $PYTHON -m pip install -e '.[dev]'" >&2
    exit 1
}
if [ "$(uname -s)" = Darwin ]; then
    # The .app icon: an .icns made from resources/icons/*.png. iconutil accepts only these names:
    # icon_NxN.png for N in 16 32 128 256 512, and icon_NxN@2x.png (2N pixels) where there is one.
    iconset=build/icons/liveview.iconset
    rm -rf "$iconset" && mkdir -p "$iconset"
    for size in 16 32 128 256 512; do
        cp "resources/icons/liveview-$size.png" "$iconset/icon_${size}x${size}.png"
        double="resources/icons/liveview-$((size * 2)).png"
        if [ -f "$double" ]; then cp "$double" "$iconset/icon_${size}x${size}@2x.png"; fi
    done
    iconutil -c icns "$iconset" -o build/icons/liveview.icns
fi
if [ "$(uname -s)" = Linux ]; then
    # The small OpenCV the bundle ships (reused once built): packaging/linux/build_opencv.sh.
    bash packaging/linux/build_tools.sh
    PYTHON="$PYTHON" bash packaging/linux/build_opencv.sh
fi
echo "== PyInstaller bundle"
rm -rf dist/liveview dist/liveview.app
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/liveview.spec
if [ "$(uname -s)" = Linux ]; then
    # Shrink the bundle: the small OpenCV in, Qt's ICU data without what Qt never reads,
    # everything stripped, then every native file loaded (packaging/linux/slim_bundle.py).
    "$PYTHON" packaging/linux/slim_bundle.py dist/liveview build/opencv-minimal/stage
fi
echo "bundle: $(du -sh dist/liveview | cut -f1) in dist/liveview"

if [ "${1:-}" != "--bundle-only" ]; then
    case "$(uname -s)" in
        Linux)
            bash packaging/linux/make_tarball.sh
            bash packaging/linux/make_deb.sh
            # the menu entry, metainfo and icons where desktops find them, and valid
            bash packaging/linux/check_deb.sh "dist/liveview_$(sed -n 's/^__version__ = "\(.*\)"/\1/p' liveview/__init__.py)_$(dpkg --print-architecture).deb"
            ;;
        Darwin)
            bash packaging/macos/make_dmg.sh
            ;;
        *)
            echo "build.sh: installers for $(uname -s): see packaging/README.md" >&2
            ;;
    esac
fi
echo "build.sh: done in $(( $(date +%s) - started )) s"
