"""The desktop metadata Linux software centres and menus read: the AppStream metainfo and the
desktop entry validate with the distribution's own tools, and agree with each other and the app."""

from __future__ import annotations

import configparser
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.liveview"
METAINFO = ROOT / "resources" / f"{APP_ID}.metainfo.xml"
DESKTOP = ROOT / "resources" / f"{APP_ID}.desktop"
RAW_BASE = "https://raw.githubusercontent.com/liveview/liveview/main/"


def _validate_metainfo(path: Path) -> subprocess.CompletedProcess[str]:
    # --no-net: the screenshot URL is not fetched (nothing is published from here).
    return subprocess.run(["appstreamcli", "validate", "--no-net", "--no-color", str(path)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_metainfo_validates_with_no_warning() -> None:
    done = _validate_metainfo(METAINFO)
    assert done.returncode == 0, done.stdout + done.stderr
    # Infos are allowed (AppStream 0.16 does not know 1.0's <developer> yet); warnings are not.
    assert "W:" not in done.stdout and "E:" not in done.stdout, done.stdout


def test_the_validator_rejects_broken_metainfo(tmp_path: Path) -> None:
    broken = tmp_path / f"{APP_ID}.metainfo.xml"
    text = METAINFO.read_text("utf-8")
    broken.write_text(text.replace("<summary>", "<!-- ").replace("</summary>", " -->"))
    done = _validate_metainfo(broken)
    assert done.returncode != 0 and "summary" in done.stdout, done.stdout


def test_the_desktop_entry_validates_without_hints() -> None:
    done = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0 and done.stdout + done.stderr == "", done.stdout + done.stderr


def test_the_desktop_validator_rejects_a_broken_entry(tmp_path: Path) -> None:
    broken = tmp_path / f"{APP_ID}.desktop"
    broken.write_text(DESKTOP.read_text("utf-8").replace("Type=Application\n", ""))
    done = subprocess.run(["desktop-file-validate", str(broken)], capture_output=True, text=True)
    assert done.returncode != 0, done.stdout


def test_the_desktop_entry_has_categories_keywords_and_the_installed_command() -> None:
    entry = _desktop_entry()
    assert entry["Categories"].rstrip(";").split(";") == ["Utility"]  # one main category
    keywords = entry["Keywords"].rstrip(";").split(";")
    assert {"screen", "camera", "voice", "assistant"} <= set(keywords)
    assert entry["Exec"] == "liveview" and entry["TryExec"] == "liveview"
    assert entry["Icon"] == "liveview" and (ROOT / "resources/icons/liveview.svg").is_file()
    # Qt names the X11 window class after the application name ("liveview").
    assert entry["StartupWMClass"] == "liveview"


def test_the_metainfo_describes_liveview() -> None:
    component = ET.parse(METAINFO).getroot()
    assert component.get("type") == "desktop-application"
    assert component.findtext("id") == APP_ID == METAINFO.name.removesuffix(".metainfo.xml")
    assert component.findtext("name") == "liveview"
    assert component.findtext("summary")
    assert len(component.findall("description/p")) >= 2
    assert component.findtext("project_license") == "Apache-2.0"
    assert component.findtext("metadata_license") == "CC0-1.0"
    launchable = component.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    rating = component.find("content_rating")
    assert rating is not None and rating.get("type") == "oars-1.1"
    assert component.find("releases/release") is not None  # versions: test_version.py


def test_the_screenshot_is_the_readmes() -> None:
    image = ET.parse(METAINFO).getroot().find("screenshots/screenshot[@type='default']/image")
    assert image is not None and image.text and image.text.startswith(RAW_BASE)
    local = ROOT / image.text.removeprefix(RAW_BASE)
    assert local == ROOT / "docs" / "screenshot.png"
    assert "docs/screenshot.png" in (ROOT / "README.md").read_text("utf-8")
    # The declared size is the file's (PNG IHDR: width, height as big-endian 32-bit numbers).
    width, height = struct.unpack(">II", local.read_bytes()[16:24])
    assert (image.get("width"), image.get("height")) == (str(width), str(height))


def test_the_macos_bundle_id_is_the_appstream_id() -> None:
    import plistlib

    plist = plistlib.loads((ROOT / "packaging" / "macos" / "Info.plist").read_bytes())
    assert plist["CFBundleIdentifier"] == APP_ID
