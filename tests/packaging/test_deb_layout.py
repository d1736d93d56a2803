"""The .deb puts the menu entry, the AppStream metainfo and the icons where desktops and software
centres find them. Built by the real packaging/linux/make_deb.sh from a tiny stand-in bundle (the
real one takes minutes; its layout is the same script's), installed with dpkg into a private root
(nothing of this machine's is touched), listed back, validated there, and removed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import liveview

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.liveview"
ICON_SIZES = sorted(int(p.stem.split("-")[1]) for p in (ROOT / "resources/icons").glob("*-*.png"))
CHECK_DEB = ROOT / "packaging" / "linux" / "check_deb.sh"


@pytest.fixture(scope="module")
def deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("deb")
    bundle = work / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "liveview").write_text('#!/bin/sh\necho "liveview stand-in $*"\n')
    (bundle / "liveview").chmod(0o755)
    env = {**os.environ, "LIVEVIEW_BUNDLE": str(bundle), "LIVEVIEW_DIST": str(work / "dist"),
           "LIVEVIEW_WORK": str(work / "build")}  # fmt: skip
    done = subprocess.run(["bash", str(ROOT / "packaging/linux/make_deb.sh")], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True)
    path = work / "dist" / f"liveview_{liveview.__version__}_{arch.stdout.strip()}.deb"
    assert path.is_file(), done.stdout
    return path


def _check(deb: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(CHECK_DEB), str(deb)], capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def test_the_deb_holds_metadata_and_icons_in_the_standard_places(deb: Path) -> None:
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True).stdout
    paths = {line.split()[-1] for line in listing.splitlines()}
    assert f"./usr/share/applications/{APP_ID}.desktop" in paths
    assert f"./usr/share/metainfo/{APP_ID}.metainfo.xml" in paths
    assert "./usr/share/icons/hicolor/scalable/apps/liveview.svg" in paths
    assert ICON_SIZES == [16, 24, 32, 48, 64, 128, 256, 512]
    for size in ICON_SIZES:
        assert f"./usr/share/icons/hicolor/{size}x{size}/apps/liveview.png" in paths
    assert {"./usr/bin/liveview", "./opt/liveview/liveview"} <= paths
    done = _check(deb)
    assert done.returncode == 0, done.stdout + done.stderr


def _rebuilt_without(deb: Path, tmp_path: Path, member: str) -> Path:
    tree = tmp_path / "tree"
    subprocess.run(["dpkg-deb", "-R", str(deb), str(tree)], check=True)
    (tree / member).unlink()
    out = tmp_path / deb.name
    subprocess.run(["dpkg-deb", "--root-owner-group", "--build", str(tree), str(out)],
                   check=True, capture_output=True)  # fmt: skip
    return out


@pytest.mark.parametrize(
    "member",
    [
        f"usr/share/metainfo/{APP_ID}.metainfo.xml",
        "usr/share/icons/hicolor/64x64/apps/liveview.png",
    ],
)
def test_the_check_fails_when_a_part_is_missing(deb: Path, tmp_path: Path, member: str) -> None:
    done = _check(_rebuilt_without(deb, tmp_path, member))
    assert done.returncode == 1 and member in done.stderr, done.stderr


def _dpkg(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A private dpkg database and root: the package's own files, nothing of this machine's.
    return subprocess.run(["dpkg", f"--root={root}", "--force-depends", *args],
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_installed_with_dpkg_it_lists_back_and_validates(deb: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    for folder in ("updates", "info", "triggers"):
        (root / "var/lib/dpkg" / folder).mkdir(parents=True)
    (root / "var/lib/dpkg/status").touch()
    installed = _dpkg(root, "-i", str(deb))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    listed = set(_dpkg(root, "-L", "liveview").stdout.split())
    desktop = f"/usr/share/applications/{APP_ID}.desktop"
    metainfo = f"/usr/share/metainfo/{APP_ID}.metainfo.xml"
    icons = {f"/usr/share/icons/hicolor/{s}x{s}/apps/liveview.png" for s in ICON_SIZES}
    assert {desktop, metainfo, "/usr/bin/liveview", *icons} <= listed

    validated = subprocess.run(["desktop-file-validate", str(root / desktop.lstrip("/"))],
                               capture_output=True, text=True)  # fmt: skip
    assert validated.returncode == 0 and not validated.stdout, validated.stdout
    validated = subprocess.run(["appstreamcli", "validate-tree", "--no-net", str(root)],
                               capture_output=True, text=True)  # fmt: skip
    assert validated.returncode == 0, validated.stdout + validated.stderr
    # A software-centre catalog composed from the installed root, as a distribution's generator
    # does: it finds the component through the metainfo, the desktop entry and the icon.
    catalog = tmp_path / "catalog"
    composed = subprocess.run(["appstreamcli", "compose", "--no-net", "--origin=test",
                               f"--result-root={catalog}", str(root)],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
    assert composed.returncode == 0, composed.stdout + composed.stderr
    cached = sorted(p.parent.name for p in catalog.rglob(f"icons/test/*/{APP_ID}.png"))
    assert cached == ["128x128", "48x48", "64x64"], cached

    removed = _dpkg(root, "-r", "liveview")
    assert removed.returncode == 0, removed.stderr
    left = [p for p in (root / "usr").rglob("*") if p.is_file()] + list((root / "opt").rglob("*"))
    assert left == [], left
    shutil.rmtree(root)
