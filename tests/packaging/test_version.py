"""One version everywhere: liveview/__init__.py holds it, and the package metadata, the installer
file names, the AppStream <releases>, CHANGELOG.md and `liveview --version` follow it."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from types import ModuleType

import pytest

import liveview
from liveview import buildinfo

ROOT = Path(__file__).resolve().parents[2]
VERSION = liveview.__version__


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


release_notes = _load("release_notes", ROOT / "packaging" / "release_notes.py")


def test_the_version_is_a_plain_release_number() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION), VERSION


def test_pyproject_takes_the_version_from_the_package() -> None:
    from setuptools.config.pyprojecttoml import read_configuration

    with warnings.catch_warnings():  # older setuptools call [tool.setuptools] "beta"
        warnings.simplefilter("ignore")
        project = read_configuration(ROOT / "pyproject.toml", expand=True)["project"]
    assert project["dynamic"] == ["version"]  # not written twice
    assert project["version"] == VERSION


def test_changelog_and_metainfo_name_the_version() -> None:
    assert release_notes.problems(ROOT) == []
    entries = release_notes.changelog_entries((ROOT / "CHANGELOG.md").read_text("utf-8"))
    assert entries[0].version == VERSION and entries[0].notes
    assert [e.version for e in entries][-1] == "0.1.0"  # the first landing
    releases = release_notes.metainfo_releases(ROOT / release_notes.METAINFO)
    # Every changelog version is a metainfo release, newest first, and the dated ones agree.
    assert [r.version for r in releases] == [e.version for e in entries]
    for entry, release in zip(entries, releases, strict=True):
        if entry.date:
            assert (release.date, release.kind) == (entry.date, "stable"), entry.version


def _tree(tmp_path: Path, changelog: str, release: str) -> Path:
    (tmp_path / "liveview").mkdir(parents=True)
    (tmp_path / "liveview" / "__init__.py").write_text('__version__ = "1.2.0"\n')
    (tmp_path / "CHANGELOG.md").write_text(f"# Changelog\n\n{changelog}\n\n- a change\n")
    metainfo = tmp_path / release_notes.METAINFO
    metainfo.parent.mkdir()
    metainfo.write_text(f"<component><releases>{release}</releases></component>")
    return tmp_path


def test_a_release_tag_needs_the_same_version_dated_everywhere(tmp_path: Path) -> None:
    unreleased = _tree(
        tmp_path / "a", "## 1.2.0 (unreleased)", '<release version="1.2.0" date="2026-12-01" '
        'type="development"/>',
    )  # fmt: skip
    assert release_notes.problems(unreleased) == []  # fine between releases
    assert release_notes.problems(unreleased, "v1.2.0") == [
        "CHANGELOG.md's entry for 1.2.0 is still marked unreleased",
        f"{release_notes.METAINFO}'s release 1.2.0 is of type development",
    ]
    dated = _tree(
        tmp_path / "b", "## 1.2.0 (2026-12-24)", '<release version="1.2.0" date="2026-12-24"/>'
    )
    assert release_notes.problems(dated, "v1.2.0") == []
    assert release_notes.problems(dated, "v1.3.0") == ["the tag v1.3.0 is not v1.2.0"]
    stale = _tree(tmp_path / "c", "## 1.1.0 (2026-11-01)", '<release version="1.1.0" date="x"/>')
    assert len(release_notes.problems(stale)) == 2


def test_release_notes_print_the_top_entry() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "release_notes.py")],
                          capture_output=True, text=True, timeout=30)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("### Added")
    assert f"## {VERSION}" not in done.stdout and "## 0.1.0" not in done.stdout


def test_installer_file_names_come_from_the_package(tmp_path: Path) -> None:
    # Linux: common.sh's VERSION names the .deb and the tarball.
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "liveview").write_text("#!/bin/sh\n")
    (bundle / "liveview").chmod(0o755)
    script = f'. "{ROOT}/packaging/linux/common.sh" && echo "$VERSION"'
    done = subprocess.run(["bash", "-c", script], env={"LIVEVIEW_BUNDLE": str(bundle),
                          "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)  # fmt: skip
    assert done.stdout.strip() == VERSION, done.stderr
    # Windows and macOS (not runnable here): the same expression over the same file.
    init = (ROOT / "liveview" / "__init__.py").read_text("utf-8")
    ps1 = (ROOT / "packaging" / "windows" / "build.ps1").read_text("utf-8")
    pattern = re.search(r"-Pattern '([^']+)'", ps1)
    assert pattern and "liveview\\__init__.py" in ps1
    assert re.search(pattern.group(1), init, re.M).group(1) == VERSION  # type: ignore[union-attr]
    assert '"/DAppVersion=$version"' in ps1
    iss = (ROOT / "packaging" / "windows" / "liveview.iss").read_text("utf-8")
    assert "OutputBaseFilename=liveview-{#AppVersion}-windows-x64-setup" in iss
    dmg = (ROOT / "packaging" / "macos" / "make_dmg.sh").read_text("utf-8")
    sed = re.search(r"sed -n '([^']+)' \"\$ROOT/liveview/__init__.py\"", dmg)
    assert sed and 'DMG="$ROOT/dist/liveview-${VERSION}-macos-${ARCH}.dmg"' in dmg
    done = subprocess.run(["sed", "-n", sed.group(1), str(ROOT / "liveview" / "__init__.py")],
                          capture_output=True, text=True)  # fmt: skip
    assert done.stdout.strip() == VERSION


def test_version_names_the_commit_of_a_checkout() -> None:
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=10", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    liveview_cli = shutil.which("liveview", path=str(ROOT / ".venv" / "bin"))
    command = [liveview_cli] if liveview_cli else [sys.executable, "-m", "liveview"]
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(rf"liveview {re.escape(VERSION)} \(commit {head}(-dirty)?\)\n",
                        done.stdout), done.stdout  # fmt: skip


def test_a_frozen_bundle_reads_the_commit_its_build_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "liveview").mkdir()
    recorded = {"version": "0.0.1", "commit": "1a2b3c4d5e", "built": "2026-12-01"}
    (tmp_path / "liveview" / buildinfo.BUILD_INFO_NAME).write_text(json.dumps(recorded))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    # The code's own version wins over a stale file's.
    assert buildinfo.version_line() == f"liveview {VERSION} (commit 1a2b3c4d5e, built 2026-12-01)"
    (tmp_path / "liveview" / buildinfo.BUILD_INFO_NAME).unlink()
    assert buildinfo.version_line() == f"liveview {VERSION} (commit unknown)"


def test_outside_a_checkout_only_the_version_is_said(tmp_path: Path) -> None:
    assert buildinfo.git_commit(tmp_path) is None
