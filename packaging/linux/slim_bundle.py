"""Make the PyInstaller bundle (dist/liveview) smaller without changing what it can do.

    python packaging/linux/slim_bundle.py [dist/liveview [OPENCV_STAGE]]   (build.sh runs it)

Each step measures what it saves, and the last one proves every native file still loads:

1. opencv: the wheel's OpenCV (111 MB: every module, IPP, OpenBLAS, an FFmpeg with encoders and
   its own OpenSSL) is replaced by the small build of the same version that build_opencv.sh
   makes (OPENCV_STAGE, default build/opencv-minimal/stage): the modules liveview uses and an
   FFmpeg that only decodes.
2. icu: Qt's ICU data (32 MB) is rebuilt without what Qt never asks ICU for: break iterators
   (Qt has its own), transliteration, number spell-out, character names, IDNA/StringPrep/spoof
   tables, and the display names of languages, regions, currencies and units (Qt carries its
   own CLDR tables). Kept: collation (QCollator), converters (QStringConverter), calendars and
   time zone names (QTimeZone), the locale data those read. Needs icupkg (icu-devtools).
3. strip: debug info and static symbol tables out of every native file (`strip
   --strip-unneeded` keeps what the dynamic linker needs).
4. verify: every native file of the bundle is loaded with dlopen, as the bootloader's
   LD_LIBRARY_PATH would find its dependencies; any failure fails the build.

Tools: binutils (strip, nm, readelf), gcc, icupkg (build_tools.sh installs them); the ICU or strip
step whose tool is missing is skipped with a warning (the bundle stays correct, only larger).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# ICU data items Qt never reads (see the module docstring); matched against "icudt73l/<item>".
ICU_DROP = re.compile(
    r"^(brkitr|translit|rbnf|lang|region|curr|unit)/"
    r"|^(unames\.icu|uts46\.nrm|confusables\.cfu)$|\.spp$"
)


def _run(*cmd: str | Path) -> str:
    return subprocess.run([str(c) for c in cmd], check=True, capture_output=True, text=True).stdout


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def _elf_files(bundle: Path) -> list[Path]:
    return sorted(p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink() and _is_elf(p))


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def _dynsyms(path: Path, defined: bool) -> set[str]:
    flag = "--defined-only" if defined else "--undefined-only"
    return {
        line.split()[-1].split("@")[0]
        for line in _run("nm", "-D", flag, path).splitlines()
        if line.strip()
    }


def _tree_size(path: Path) -> int:
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*")) if path.is_dir() else 0


def _bundled_opencv_version(cv2_dir: Path) -> str:
    match = re.search(r'opencv_version\s*=\s*"([^"]+)"', (cv2_dir / "version.py").read_text())
    if not match:
        raise SystemExit(f"slim_bundle: no opencv_version in {cv2_dir / 'version.py'}")
    return match.group(1)


def slim_opencv(internal: Path, stage: Path) -> int:
    """The wheel's cv2 extension and its library folder out, the small build in (see
    build_opencv.sh). The wheel's Python loader stays: the build is of the same version. Its
    G-API and typing helpers go (they import modules the small build does not have)."""
    cv2_dir = internal / "cv2"
    extension = cv2_dir / "cv2.abi3.so"
    if not extension.is_file():
        print("  opencv: nothing to do (no cv2/cv2.abi3.so)")
        return 0
    info = stage / "build-info.json"
    if not info.is_file():
        raise SystemExit(
            f"slim_bundle: no small OpenCV in {stage}: run packaging/linux/build_opencv.sh"
        )
    built = json.loads(info.read_text(encoding="utf-8"))
    bundled = _bundled_opencv_version(cv2_dir)
    if built["opencv"] != bundled:
        raise SystemExit(f"slim_bundle: {stage} is OpenCV {built['opencv']}, the bundle's loader "
                         f"is {bundled}: run packaging/linux/build_opencv.sh")  # fmt: skip
    wheel_libs = internal / "opencv_python_headless.libs"
    links = [p for p in internal.iterdir()
             if p.is_symlink() and wheel_libs.name in str(p.readlink())]  # fmt: skip
    helpers = [cv2_dir / "gapi", cv2_dir / "typing"]
    before = sum(_tree_size(p) for p in [extension, wheel_libs, *links, *helpers])
    shutil.copyfile(stage / "cv2.abi3.so", extension)
    for path in [wheel_libs, *helpers]:
        shutil.rmtree(path, ignore_errors=True)
    for link in links:
        link.unlink()
    added = 0
    for lib in sorted((stage / "lib").iterdir()):
        shutil.copyfile(lib, internal / lib.name)
        added += lib.stat().st_size
    saved = before - extension.stat().st_size - added
    print(f"  opencv: the wheel's OpenCV -> OpenCV {built['opencv']} with FFmpeg "
          f"{built['ffmpeg']}, only what liveview uses: -{_mb(saved)}")  # fmt: skip
    return saved


def slim_icu(internal: Path) -> int:
    found = sorted(internal.rglob("libicudata.so.*"))
    data_lib = next((p for p in found if not p.is_symlink()), None)
    if data_lib is None:
        return 0
    if not shutil.which("icupkg") or not shutil.which("gcc"):
        print(
            "  icu: WARNING: no icupkg (icu-devtools) or gcc, ICU data kept whole", file=sys.stderr
        )
        return 0
    symbol = next((s for s in _dynsyms(data_lib, True) if re.fullmatch(r"icudt\d+_dat", s)), None)
    if symbol is None:
        print(f"  icu: {data_lib.name} has no icudt*_dat symbol, left alone", file=sys.stderr)
        return 0
    offset, size = _symbol_extent(data_lib, symbol)
    before = data_lib.stat().st_size
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        name = symbol.removesuffix("_dat") + "l"  # icudt73l: little-endian, as icupkg names it
        dat = work / f"{name}.dat"
        dat.write_bytes(data_lib.read_bytes()[offset : offset + size])
        items = _run("icupkg", "-l", dat).split()
        drop = [i for i in items if ICU_DROP.search(i)]
        (work / "drop.txt").write_text("\n".join(drop) + "\n", encoding="utf-8")
        _run("icupkg", "-r", work / "drop.txt", dat)
        asm = work / "data.S"
        asm.write_text(
            f".section .rodata\n.globl {symbol}\n.type {symbol}, @object\n.balign 16\n"
            f'{symbol}:\n.incbin "{dat}"\n.size {symbol}, .-{symbol}\n'
            '.section .note.GNU-stack,"",@progbits\n',
            encoding="utf-8",
        )
        out = work / data_lib.name
        _run("gcc", "-shared", "-nostdlib", "-o", out, f"-Wl,-soname,{data_lib.name}", asm)
        shutil.copyfile(out, data_lib)
    saved = before - data_lib.stat().st_size
    print(
        f"  icu: {len(drop)} of {len(items)} data items dropped from {data_lib.name}: -{_mb(saved)}"
    )
    return saved


def _symbol_extent(lib: Path, symbol: str) -> tuple[int, int]:
    """(file offset, size) of a data symbol, from its address and the section holding it."""
    for line in _run("readelf", "-W", "--dyn-syms", lib).splitlines():
        fields = line.split()
        if len(fields) >= 8 and fields[7] == symbol:
            address, size = int(fields[1], 16), int(fields[2], 0)
            break
    else:
        raise SystemExit(f"slim_bundle: {symbol} not in {lib}")
    for line in _run("readelf", "-W", "-S", lib).splitlines():
        m = re.search(r"\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if m:
            start, off, length = (int(g, 16) for g in m.groups())
            if start <= address < start + length:
                return address - start + off, size
    raise SystemExit(f"slim_bundle: no section holds {symbol} in {lib}")


def slim_strip(bundle: Path) -> int:
    """Strip every native file, then load it; a file that no longer loads gets its original back.

    (binutils' strip can re-lay-out a library that patchelf edited, e.g. auditwheel's copies in
    numpy.libs: "ELF load command address/offset not page-aligned". Those stay as they were.)
    """
    if not shutil.which("strip"):
        print("  strip: WARNING: no strip (binutils)", file=sys.stderr)
        return 0
    saved, kept = 0, []
    with tempfile.TemporaryDirectory() as tmp:
        for path in _elf_files(bundle):
            before = path.stat().st_size
            backup = Path(tmp) / "original"
            shutil.copy2(path, backup)
            _run("strip", "--strip-unneeded", path)
            if path.stat().st_size >= before:
                shutil.copy2(backup, path)
            elif path.parent == bundle or path.name.startswith("libpython") or _loads(bundle, path):
                saved += before - path.stat().st_size
            else:
                shutil.copy2(backup, path)
                kept.append(path.name)
    note = f" (left whole, stripped they would not load: {', '.join(kept)})" if kept else ""
    print(f"  strip: -{_mb(saved)}{note}")
    return saved


_LOADER = """
import ctypes, sys
failed = []
for path in sys.argv[1:]:
    try:
        ctypes.CDLL(path, mode=ctypes.RTLD_LOCAL)
    except OSError as exc:
        failed.append(str(exc))
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def _load_error(bundle: Path, path: Path) -> str:
    """'' when `path` loads (dlopen, RTLD_NOW) with the bundle's LD_LIBRARY_PATH, else why not.
    One process per file: no library's symbols can satisfy another's by accident."""
    env = {"LD_LIBRARY_PATH": str(bundle / "_internal"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", _LOADER, str(path)], env=env,
                            capture_output=True, text=True)  # fmt: skip
    return (result.stdout.strip() or result.stderr.strip() or "failed") if result.returncode else ""


def _loads(bundle: Path, path: Path) -> bool:
    return not _load_error(bundle, path)


def verify(bundle: Path) -> None:
    """dlopen every native file (the executable and libpython aside) with the bundle's paths."""
    files = [p for p in _elf_files(bundle / "_internal") if not p.name.startswith("libpython")]
    failed = [error for error in (_load_error(bundle, p) for p in files) if error]
    if failed:
        raise SystemExit("slim_bundle: these no longer load:\n  " + "\n  ".join(failed))
    print(f"  verify: all {len(files)} native files load")


def main() -> int:
    bundle = Path(sys.argv[1] if len(sys.argv) > 1 else "dist/liveview").resolve()
    opencv_stage = Path(sys.argv[2] if len(sys.argv) > 2 else "build/opencv-minimal/stage")
    internal = bundle / "_internal"
    if not internal.is_dir():
        raise SystemExit(f"slim_bundle: no bundle in {bundle}")
    print(f"slim_bundle: {bundle}")
    saved = slim_opencv(internal, opencv_stage) + slim_icu(internal) + slim_strip(bundle)
    verify(bundle)
    print(f"slim_bundle: -{_mb(saved)} in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
