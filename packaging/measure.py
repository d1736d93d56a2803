"""Measure the built app: bundle and installer sizes, and process start to main window shown.

    .venv/bin/python packaging/measure.py [--binary dist/liveview/liveview] [--launches 7]

Start-up uses the window's own report (LIVEVIEW_STARTUP_REPORT: the wall-clock time of its first
paint, as `liveview bench startup` does for the source tree), on the real display ($DISPLAY, xcb),
with a throwaway settings file, the local backend, no video source and no microphone. The first
launch only warms the file cache and is not counted. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from liveview.bench.startup import seconds_to_window

ROOT = Path(__file__).resolve().parent.parent
BUNDLE_TARGET_MB = 250
INSTALLER_TARGET_MB = 100
STARTUP_TARGET_S = 2.0


def _mb(size_bytes: int) -> float:
    return round(size_bytes / 1_000_000, 1)


def _tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def sizes() -> dict[str, object]:
    dist = ROOT / "dist"
    result: dict[str, object] = {}
    if (dist / "liveview").is_dir():
        bundle = _mb(_tree_bytes(dist / "liveview"))
        result["bundle_mb"] = bundle
        result["bundle_ok"] = bundle <= BUNDLE_TARGET_MB
    installers = {"deb_mb": "liveview_*.deb", "tar_gz_mb": "liveview-*.tar.gz",
                  "dmg_mb": "liveview-*.dmg", "setup_exe_mb": "liveview-*-setup.exe"}  # fmt: skip
    for key, pattern in installers.items():
        found = sorted(dist.glob(pattern))
        if found:
            result[key] = _mb(found[-1].stat().st_size)
            result[key.replace("_mb", "_ok")] = result[key] <= INSTALLER_TARGET_MB  # type: ignore[operator]
    return result


def startup(binary: str, launches: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="liveview-measure-") as tmp:
        seconds_to_window(Path(tmp), -1, [binary])  # warm the file cache; not counted
        times = [seconds_to_window(Path(tmp), i, [binary]) for i in range(launches)]
    median = statistics.median(times)
    return {"startup_launches": launches, "startup_median_s": round(median, 3),
            "startup_min_s": round(min(times), 3), "startup_max_s": round(max(times), 3),
            "startup_ok": median <= STARTUP_TARGET_S}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(ROOT / "dist" / "liveview" / "liveview"))
    parser.add_argument("--launches", type=int, default=7)
    parser.add_argument("--skip-startup", action="store_true")
    args = parser.parse_args()
    result = sizes()
    if not args.skip_startup:
        result.update(startup(args.binary, args.launches))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
