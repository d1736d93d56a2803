"""Make the PyInstaller bundle (dist/liveview) smaller without changing what it can do.

    python packaging/linux/slim_bundle.py [dist/liveview]      (build.sh runs it on Linux)

Each step measures what it saves, and the last one proves every native file still loads:

1. blas: OpenCV's wheel ships its own OpenBLAS (~39 MB, plus a libgfortran) for 19 BLAS/LAPACK
   routines; NumPy ships another. blas_shim/cv2_blas_shim.c, compiled here under the name cv2
   links against, forwards those 19 calls to NumPy's (see the C file). Skipped, with a note, when
   cv2 needs a routine the shim does not have or NumPy's library lacks one (a newer wheel).
2. icu: Qt's ICU data (32 MB) is rebuilt without what Qt never asks ICU for: break iterators
   (Qt has its own), transliteration, number spell-out, character names, IDNA/StringPrep/spoof
   tables, and the display names of languages, regions, currencies and units (Qt carries its
   own CLDR tables). Kept: collation (QCollator), converters (QStringConverter), calendars and
   time zone names (QTimeZone), the locale data those read. Needs icupkg (icu-devtools).
3. strip: debug info and static symbol tables out of every native file (`strip
   --strip-unneeded` keeps what the dynamic linker needs).
4. verify: every native file of the bundle is loaded with dlopen, as the bootloader's
   LD_LIBRARY_PATH would find its dependencies; any failure fails the build.

Tools: binutils (strip, nm, readelf), gcc, icupkg; a step whose tool is missing is skipped with a
warning (the bundle stays correct, only larger).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHIM_SOURCE = HERE / "blas_shim" / "cv2_blas_shim.c"
# What the shim provides (cv2 4.x imports these from its OpenBLAS).
SHIM_SYMBOLS = {
    "cblas_sgemm", "cblas_dgemm", "cblas_cgemm", "cblas_zgemm", "sgetrf_", "dgetrf_", "sgesv_",
    "dgesv_", "spotrf_", "dpotrf_", "sposv_", "dposv_", "sgeqrf_", "dgeqrf_", "sgels_", "dgels_",
    "sgesdd_", "dgesdd_", "dgeev_",
}  # fmt: skip
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


def _needed(path: Path) -> list[str]:
    return re.findall(r"\(NEEDED\).*\[(.+)\]", _run("readelf", "-d", path))


def _needed_map(internal: Path) -> dict[Path, list[str]]:
    return {p: _needed(p) for p in _elf_files(internal)}


def _unused(internal: Path, soname: str) -> bool:
    return not any(soname in needed for needed in _needed_map(internal).values())


def slim_blas(internal: Path) -> int:
    cv2_libs = internal / "opencv_python_headless.libs"
    blas = sorted(cv2_libs.glob("libopenblas*.so*"))
    numpy_blas = sorted((internal / "numpy.libs").glob("libscipy_openblas64_*.so*"))
    if not blas or not numpy_blas:
        print("  blas: nothing to do (no OpenCV OpenBLAS, or no NumPy OpenBLAS)")
        return 0
    if not shutil.which("gcc"):
        print("  blas: WARNING: no gcc, OpenCV keeps its own OpenBLAS", file=sys.stderr)
        return 0
    blas, numpy_blas = blas[0], numpy_blas[0]
    users = [p for p, needed in _needed_map(internal).items() if blas.name in needed]
    wanted = set().union(*(_dynsyms(u, defined=False) for u in users)) & _dynsyms(blas, True)
    provided = _dynsyms(numpy_blas, defined=True)
    missing = wanted - SHIM_SYMBOLS
    lacking = {
        s
        for s in wanted
        if f"scipy_{s}64_" not in provided and f"scipy_{s[:-1]}_64_" not in provided
    }
    if missing or lacking:
        print(f"  blas: WARNING: kept OpenCV's OpenBLAS (shim lacks {sorted(missing)}, "
              f"NumPy's lacks {sorted(lacking)})", file=sys.stderr)  # fmt: skip
        return 0
    before = blas.stat().st_size
    private = _needed(blas)  # its libgfortran (and that one's libquadmath): wheel-private copies
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / blas.name
        _run("gcc", "-shared", "-fPIC", "-O2", "-o", out, f"-Wl,-soname,{blas.name}", SHIM_SOURCE,
             f"-L{numpy_blas.parent}", f"-l:{numpy_blas.name}", "-Wl,--no-undefined",
             "-Wl,-rpath,$ORIGIN/../numpy.libs:$ORIGIN")  # fmt: skip
        shutil.copyfile(out, blas)
    saved = before - blas.stat().st_size
    # Those copies go when nothing else needs them (the shim does not).
    while private:
        lib = blas.parent / private.pop()
        if lib.is_file() and _unused(internal, lib.name):
            private.extend(_needed(lib))
            saved += lib.stat().st_size
            lib.unlink()
            link = internal / lib.name  # PyInstaller's top-level symlink to it
            if link.is_symlink():
                link.unlink()
    print(f"  blas: OpenCV's {blas.name} -> shim onto {numpy_blas.name}: -{_mb(saved)}")
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
    internal = bundle / "_internal"
    if not internal.is_dir():
        raise SystemExit(f"slim_bundle: no bundle in {bundle}")
    print(f"slim_bundle: {bundle}")
    saved = slim_blas(internal) + slim_icu(internal) + slim_strip(bundle)
    verify(bundle)
    print(f"slim_bundle: -{_mb(saved)} in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
