#!/usr/bin/env bash
# Build the small OpenCV the Linux bundle ships instead of the wheel's (packaging/linux/slim_bundle.py
# swaps it in). The opencv-python-headless wheel is 111 MB in the bundle: every OpenCV module
# (dnn, gapi, ml, photo, stitching, ...), Intel IPP, an OpenBLAS, and an FFmpeg with AV1/VP9
# encoders, AVIF and its own OpenSSL. liveview uses core, imgproc, imgcodecs (JPEG, PNG), videoio
# (V4L2 cameras; FFmpeg for files and streams) and objdetect (the local server's Haar cascade and
# QR codes). This builds exactly that, from the same OpenCV source as the installed wheel, so the
# wheel's Python loader in the bundle matches the binary, against an FFmpeg with only decoders,
# demuxers and protocols (from Debian's source package, checked by apt's signatures).
#
#   packaging/linux/build_opencv.sh              -> build/opencv-minimal/stage/{cv2.abi3.so,lib/*}
#   packaging/linux/build_opencv.sh --print-key  the reuse key only (CI caches the stage by it)
#
# In the bundle, cv2.abi3.so replaces cv2/cv2.abi3.so and the libraries sit in _internal/ (beside
# the OpenSSL that Python's ssl module already brought, which FFmpeg's https uses too).
#
# About 2.5 min for FFmpeg and 8.5 min for OpenCV on 2 cores; the result is reused while the
# options below, the OpenCV version and Debian's FFmpeg version stay the same. PYTHON: the venv
# the bundle is built from (default .venv/bin/python). Tools: packaging/linux/build_tools.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
PRINT_KEY=0
[ "${1:-}" = --print-key ] && PRINT_KEY=1
ROOT=$PWD
PYTHON=$(realpath -s "${PYTHON:-.venv/bin/python}")  # absolute: CMake runs it from elsewhere
OUT="$ROOT/build/opencv-minimal"
STAGE="$OUT/stage"
JOBS=$(nproc)

# What the bundle's videoio needs from FFmpeg: decoders for what cameras, screen recorders, phones
# and the web produce; the containers those come in; files, HTTP(S), HLS and RTSP/RTMP streams.
# No encoders, filters or devices (OpenCV captures cameras with V4L2 itself).
FFMPEG_DECODERS=h264,hevc,vp8,vp9,libdav1d,mpeg4,mpeg1video,mpeg2video,h263,mjpeg,prores,theora,png,gif,rawvideo
FFMPEG_DEMUXERS=mov,matroska,avi,mpegts,mpegps,flv,ogg,hls,rtsp,sdp,rtp,h264,hevc,m4v,mjpeg,mpjpeg,gif,rawvideo
FFMPEG_PARSERS=h264,hevc,vp8,vp9,av1,mpeg4video,mpegvideo,mjpeg,png,gif
FFMPEG_PROTOCOLS=file,pipe,http,https,httpproxy,tcp,udp,rtp,tls,crypto,hls,rtmp,rtmps
FFMPEG_BSFS=h264_mp4toannexb,hevc_mp4toannexb,vp9_superframe_split,extract_extradata,mpeg4_unpack_bframes
ffmpeg_options=(
    --enable-shared --disable-static --enable-pic --disable-programs --disable-doc --disable-debug
    # version3: OpenSSL 3 (Apache-2.0) with FFmpeg's LGPL needs the LGPL v3.
    --enable-version3 --enable-openssl --enable-libdav1d --enable-network
    --disable-everything --disable-avdevice --disable-avfilter --disable-postproc
    --enable-swscale --enable-swresample
    --enable-decoder="$FFMPEG_DECODERS" --enable-demuxer="$FFMPEG_DEMUXERS"
    --enable-parser="$FFMPEG_PARSERS" --enable-protocol="$FFMPEG_PROTOCOLS"
    --enable-bsf="$FFMPEG_BSFS"
)

numpy_include=$("$PYTHON" -c 'import numpy; print(numpy.get_include())')
python_include=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
opencv_options=(
    -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DENABLE_PRECOMPILED_HEADERS=OFF
    # objdetect brings calib3d, features2d and flann along (its dependencies)
    -DBUILD_LIST=core,imgproc,imgcodecs,videoio,objdetect,python3
    -DBUILD_opencv_python3=ON -DBUILD_opencv_python2=OFF -DPYTHON3_LIMITED_API=ON
    -DPYTHON3_EXECUTABLE="$PYTHON" -DPYTHON3_INCLUDE_DIR="$python_include"
    -DPYTHON3_NUMPY_INCLUDE_DIRS="$numpy_include" -DOPENCV_SKIP_PYTHON_LOADER=ON
    -DBUILD_TESTS=OFF -DBUILD_PERF_TESTS=OFF -DBUILD_DOCS=OFF -DBUILD_EXAMPLES=OFF
    -DBUILD_opencv_apps=OFF -DBUILD_JAVA=OFF
    # OpenCV's own code instead of IPP (a download), LAPACK (OpenBLAS) and OpenCL
    -DWITH_IPP=OFF -DWITH_LAPACK=OFF -DWITH_OPENCL=OFF -DWITH_ITT=OFF -DWITH_EIGEN=OFF
    -DWITH_PROTOBUF=OFF -DWITH_FLATBUFFERS=OFF -DWITH_TBB=OFF -DWITH_OPENMP=OFF -DWITH_ADE=OFF
    -DWITH_GTK=OFF -DWITH_QT=OFF -DWITH_GSTREAMER=OFF -DWITH_1394=OFF -DWITH_VA=OFF
    -DWITH_VA_INTEL=OFF -DWITH_OPENVX=OFF -DWITH_CUDA=OFF -DWITH_OBSENSOR=OFF -DWITH_FASTCV=OFF
    -DWITH_KLEIDICV=OFF -DWITH_VTK=OFF -DWITH_HALIDE=OFF -DWITH_OPENVINO=OFF -DWITH_ONNX=OFF
    -DWITH_V4L=ON -DWITH_FFMPEG=ON -DOPENCV_FFMPEG_ENABLE_LIBAVDEVICE=OFF
    # images: JPEG (libjpeg-turbo, SIMD) and PNG, built in
    -DWITH_JPEG=ON -DBUILD_JPEG=ON -DWITH_PNG=ON -DBUILD_PNG=ON -DWITH_SPNG=OFF -DBUILD_ZLIB=ON
    -DWITH_TIFF=OFF -DWITH_WEBP=OFF -DWITH_OPENJPEG=OFF -DWITH_JASPER=OFF -DWITH_OPENEXR=OFF
    -DWITH_AVIF=OFF -DWITH_JPEGXL=OFF -DWITH_GDAL=OFF -DWITH_GDCM=OFF -DWITH_QUIRC=ON
    # the wheel's dispatch set but AVX-512 (few kernels, much compile time)
    "-DCPU_DISPATCH=SSE4_1;SSE4_2;AVX;FP16;AVX2"
)

opencv_version=$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("opencv-python-headless"))')

# Debian's FFmpeg source package for this system's release, through a private apt configuration
# (nothing of the system's is changed; works without root).
. /etc/os-release
APT_DIR="$OUT/apt"
mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian ${VERSION_CODENAME} main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security ${VERSION_CODENAME}-security main" \
    >"$APT_DIR/sources.list"
APT=(-o "Dir::Etc::SourceList=$APT_DIR/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o "Dir::State::Lists=$APT_DIR/lists" -o "Dir::Cache=$APT_DIR/cache" -o Debug::NoLocking=1
     -o "APT::Sandbox::User=$(id -un)")
if ! apt-get "${APT[@]}" update -qq; then
    # Offline: a stage already built still serves (it cannot be checked against Debian's version).
    if [ "$PRINT_KEY" = 1 ]; then
        echo "build_opencv.sh: deb.debian.org unreachable: the key holds Debian's FFmpeg version" >&2
        exit 1
    fi
    if [ -f "$STAGE/key" ]; then
        echo "build_opencv.sh: WARNING: deb.debian.org unreachable, reusing $STAGE as it is" >&2
        exit 0
    fi
    echo "build_opencv.sh: deb.debian.org unreachable: FFmpeg's source comes from there (once)" >&2
    exit 1
fi
ffmpeg_version=$(apt-cache "${APT[@]}" showsrc ffmpeg | awk '/^Version:/ {print $2}' | sort -V | tail -1)

# The build is reused while what goes into it stays the same (comments may change freely);
# STAGE_LAYOUT: bump it when the staging steps at the end change.
STAGE_LAYOUT=1
key=$(echo "$STAGE_LAYOUT ${ffmpeg_options[*]} ${opencv_options[*]} $opencv_version $ffmpeg_version" \
    | sha256sum | cut -c1-16)
if [ "$PRINT_KEY" = 1 ]; then
    echo "$key"
    exit 0
fi
if [ -f "$STAGE/key" ] && [ "$(cat "$STAGE/key")" = "$key" ]; then
    echo "build_opencv.sh: reusing $STAGE (OpenCV $opencv_version, FFmpeg $ffmpeg_version)"
    exit 0
fi
started=$(date +%s)
rm -rf "$OUT/src" "$OUT/ffmpeg" "$OUT/opencv" "$STAGE"
mkdir -p "$OUT/src" "$STAGE/lib"

echo "== sources: opencv-python-headless $opencv_version (PyPI), FFmpeg $ffmpeg_version (Debian)"
(cd "$OUT/src" && apt-get "${APT[@]}" source --download-only -qq "ffmpeg=$ffmpeg_version" >/dev/null)
tar -xf "$(ls "$OUT"/src/ffmpeg_*.orig.tar.* | grep -v '\.asc$')" -C "$OUT/src"
"$PYTHON" - "$opencv_version" "$OUT/src" <<'EOF'
# The sdist's address and sha256 from the package index (PEP 503), then the download, checked.
import hashlib, os, re, sys, urllib.parse, urllib.request
version, folder = sys.argv[1], sys.argv[2]
index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
page = urllib.request.urlopen(f"{index}/opencv-python-headless/", timeout=60).read().decode()
name = f"opencv_python_headless-{version}.tar.gz"
match = re.search(r'href="([^"#]*/' + re.escape(name) + r')#sha256=([0-9a-f]{64})"', page)
if not match:
    sys.exit(f"build_opencv.sh: {name} is not on {index}")
url, sha256 = match.groups()
url = urllib.parse.urljoin(f"{index}/opencv-python-headless/", url)
data = urllib.request.urlopen(url, timeout=600).read()
if hashlib.sha256(data).hexdigest() != sha256:
    sys.exit(f"build_opencv.sh: {name}: sha256 mismatch")
with open(os.path.join(folder, name), "wb") as f:
    f.write(data)
EOF
tar -xzf "$OUT/src/opencv_python_headless-$opencv_version.tar.gz" -C "$OUT/src"

echo "== FFmpeg $ffmpeg_version: decoders, demuxers and protocols only"
mkdir -p "$OUT/ffmpeg"
(
    cd "$OUT"/src/ffmpeg-*/
    ./configure --prefix="$OUT/ffmpeg" "${ffmpeg_options[@]}" >"$OUT/ffmpeg-configure.log"
    make -j"$JOBS" >"$OUT/ffmpeg-make.log" 2>&1
    make install >/dev/null
)

echo "== OpenCV $opencv_version: core imgproc imgcodecs videoio objdetect, Python (abi3)"
PKG_CONFIG_PATH="$OUT/ffmpeg/lib/pkgconfig" cmake -S "$OUT/src/opencv_python_headless-$opencv_version/opencv" \
    -B "$OUT/opencv" -G Ninja "${opencv_options[@]}" >"$OUT/opencv-cmake.log"
grep -q "FFMPEG:.*YES" "$OUT/opencv-cmake.log" || { echo "build_opencv.sh: OpenCV found no FFmpeg" >&2; exit 1; }
ninja -C "$OUT/opencv" -j"$JOBS" opencv_python3 >"$OUT/opencv-build.log"

echo "== stage"
cp "$OUT/opencv/lib/python3/cv2.abi3.so" "$STAGE/"
for lib in "$OUT"/ffmpeg/lib/lib*.so.*.*.*; do
    soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    cp "$lib" "$STAGE/lib/$soname"
done
dav1d=$(ldd "$STAGE"/lib/libavcodec.so.* | awk '/libdav1d/ {print $3}')
cp "$dav1d" "$STAGE/lib/"
strip --strip-unneeded "$STAGE/cv2.abi3.so" "$STAGE"/lib/*
# Found where the bundle puts them: cv2/cv2.abi3.so -> _internal/, the libraries beside each other.
patchelf --set-rpath '$ORIGIN/..' "$STAGE/cv2.abi3.so"
for lib in "$STAGE"/lib/*; do patchelf --set-rpath '$ORIGIN' "$lib"; done
printf '{"opencv": "%s", "ffmpeg": "%s", "seconds": %d}\n' "$opencv_version" "$ffmpeg_version" \
    $(( $(date +%s) - started )) >"$STAGE/build-info.json"
echo "$key" >"$STAGE/key"
rm -rf "$OUT/src" "$OUT/ffmpeg" "$OUT/opencv"
echo "build_opencv.sh: $(du -sh "$STAGE" | cut -f1) in $STAGE, $(( $(date +%s) - started )) s"
