"""packaging/linux/slim_bundle.py: the OpenCV swap puts the small build exactly where the wheel's
was, and the trimmed ICU data gives the same results as the library it replaces (checked against
the venv's own wheel). The whole slimmed bundle, with the real small OpenCV, is checked by
packaging/linux/frozen_checks.sh and the smoke test (both run by `make smoke`)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ROOT / "tests" / "packaging" / "frozen_checks.py"

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not (shutil.which("gcc") and shutil.which("readelf")),
    reason="the bundle is slimmed on Linux with gcc and binutils",
)


def _slim() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "slim_bundle", ROOT / "packaging/linux/slim_bundle.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run_check(function: str, env: dict[str, str]) -> tuple[dict, str]:
    code = f"import sys, json; sys.path.insert(0, {str(CHECKS.parent)!r}); import frozen_checks as c; print(json.dumps(c.{function}()))"
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env},
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1]), result.stderr


def _wheel_like_internal(tmp_path: Path, version: str) -> Path:
    """An _internal laid out as PyInstaller lays out the OpenCV wheel (placeholder contents)."""
    internal = tmp_path / "_internal"
    libs = internal / "opencv_python_headless.libs"
    libs.mkdir(parents=True)
    (libs / "libavcodec-1234.so.62").write_bytes(b"x" * 5000)
    (internal / "libavcodec-1234.so.62").symlink_to(
        "opencv_python_headless.libs/libavcodec-1234.so.62"
    )
    (internal / "libssl.so.3").write_bytes(b"ssl")  # Python's own: must stay
    cv2_dir = internal / "cv2"
    for helper in ("gapi", "typing", "utils"):
        (cv2_dir / helper).mkdir(parents=True)
        (cv2_dir / helper / "__init__.py").write_text("import cv2\n")
    (cv2_dir / "version.py").write_text(f'opencv_version = "{version}"\n')
    (cv2_dir / "cv2.abi3.so").write_bytes(b"w" * 20000)
    return internal


def _stage(tmp_path: Path, version: str) -> Path:
    stage = tmp_path / "stage"
    (stage / "lib").mkdir(parents=True)
    (stage / "cv2.abi3.so").write_bytes(b"small" * 100)
    (stage / "lib" / "libavcodec.so.59").write_bytes(b"c" * 300)
    (stage / "build-info.json").write_text(json.dumps({"opencv": version, "ffmpeg": "5.1.9"}))
    return stage


def test_opencv_swap_puts_the_small_build_in_place_of_the_wheels(tmp_path: Path) -> None:
    internal = _wheel_like_internal(tmp_path, "4.14.0.94")
    saved = _slim().slim_opencv(internal, _stage(tmp_path, "4.14.0.94"))
    assert (internal / "cv2" / "cv2.abi3.so").read_bytes() == b"small" * 100
    assert (internal / "libavcodec.so.59").read_bytes() == b"c" * 300
    assert not (internal / "opencv_python_headless.libs").exists()
    assert not (internal / "libavcodec-1234.so.62").is_symlink(), "a link into the removed folder"
    assert not (internal / "cv2" / "gapi").exists() and not (internal / "cv2" / "typing").exists()
    assert (internal / "cv2" / "utils" / "__init__.py").is_file()
    assert (internal / "libssl.so.3").read_bytes() == b"ssl"
    link = len("opencv_python_headless.libs/libavcodec-1234.so.62")  # a symlink's own size
    helpers = 2 * len("import cv2\n")
    assert saved == (20000 + 5000 + link + helpers) - (500 + 300)


def test_opencv_swap_refuses_a_build_of_another_version(tmp_path: Path) -> None:
    internal = _wheel_like_internal(tmp_path, "4.14.0.94")
    with pytest.raises(SystemExit, match=r"OpenCV 4\.13\.0\.92.*build_opencv\.sh"):
        _slim().slim_opencv(internal, _stage(tmp_path, "4.13.0.92"))
    assert (internal / "cv2" / "cv2.abi3.so").read_bytes() == b"w" * 20000, "nothing touched"
    with pytest.raises(SystemExit, match=r"no small OpenCV in .*build_opencv\.sh"):
        _slim().slim_opencv(internal, tmp_path / "never-built")


def test_trimmed_icu_data_sorts_and_names_as_before(tmp_path: Path) -> None:
    if not shutil.which("icupkg"):
        pytest.skip("icupkg (icu-devtools) is needed to trim the ICU data")
    import PySide6

    qt_lib = Path(PySide6.__file__).parent / "Qt" / "lib"
    data = next(p for p in qt_lib.glob("libicudata.so.*") if not p.is_symlink())
    internal = tmp_path / "_internal"
    internal.mkdir()
    shutil.copy2(data, internal / data.name)
    assert _slim().slim_icu(internal) > 10_000_000
    before, _ = _run_check("_icu", {})
    after, _ = _run_check("_icu", {"LD_LIBRARY_PATH": str(internal)})
    assert after == before
    assert after["collation"]["sv_SE"].index("Äpfel") > after["collation"]["sv_SE"].index("zebra")


def _leaves(tree: object) -> list[object]:
    if isinstance(tree, dict):
        return [leaf for value in tree.values() for leaf in _leaves(value)]
    return [tree]


def test_frozen_checks_pass_from_the_source_tree() -> None:
    # packaging/linux/frozen_checks.sh requires the frozen build to print exactly this.
    result = subprocess.run([sys.executable, str(CHECKS)], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)  # fmt: skip
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    booleans = [leaf for leaf in _leaves(results) if isinstance(leaf, bool)]
    assert booleans and all(booleans), results
    assert results["video"]["clip.mp4"]["frames"] == 10
