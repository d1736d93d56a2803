"""packaging/linux/slim_bundle.py: the BLAS shim and the trimmed ICU data give the same results
as the libraries they replace, checked here against the venv's own wheels (no bundle needed).
The whole slimmed bundle is checked by packaging/linux/frozen_checks.sh and the smoke test."""

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


def _fake_internal(tmp_path: Path) -> Path:
    """A bundle-like _internal with the venv's OpenCV and NumPy library folders."""
    import cv2
    import numpy

    internal = tmp_path / "_internal"
    site = Path(numpy.__file__).parents[1]
    for name in ("numpy.libs", "opencv_python_headless.libs"):
        shutil.copytree(site / name, internal / name)
    (internal / "cv2").mkdir()
    shutil.copy2(Path(cv2.__file__).parent / next(
        p.name for p in Path(cv2.__file__).parent.glob("cv2*.so")), internal / "cv2")  # fmt: skip
    return internal


def test_blas_shim_serves_opencv_from_numpys_openblas(tmp_path: Path) -> None:
    internal = _fake_internal(tmp_path)
    blas = next((internal / "opencv_python_headless.libs").glob("libopenblas*.so*"))
    assert _slim().slim_blas(internal) > 30_000_000  # the wheel's OpenBLAS and its libgfortran
    assert blas.stat().st_size < 100_000
    env = {"LD_PRELOAD": str(blas), "LD_LIBRARY_PATH": str(internal / "numpy.libs"),
           "LD_DEBUG": "bindings"}  # fmt: skip
    results, bindings = _run_check("_linear_algebra", env)
    bound = {line.split("`")[1].rstrip("'") for line in bindings.splitlines()
             if "cv2" in line and f"to {blas}" in line and "`" in line}  # fmt: skip
    assert bound == _slim().SHIM_SYMBOLS, "cv2 must call every routine through the shim"
    flat = [
        v
        for group in results.values()
        for v in (group.values() if isinstance(group, dict) else [group])
    ]
    assert flat and all(flat), results


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
