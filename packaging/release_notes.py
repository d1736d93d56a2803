"""One version everywhere: check that the places that name it agree, and print the release notes.

    python3 packaging/release_notes.py               the notes of liveview.__version__
    python3 packaging/release_notes.py --tag v0.2.0  for a release: also the tag is v<version>,
                                                     the changelog entry is dated and the
                                                     metainfo's newest release is that version,
                                                     stable, on the same date

The version is kept in liveview/__init__.py; CHANGELOG.md's top entry and the newest <release>
of the AppStream metainfo must name it. Prints the top entry's text (the GitHub release's notes);
exits 1 naming what disagrees. Standard library only: the release workflow runs it before any
virtual environment exists.
"""

from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METAINFO = Path("resources") / "io.github.liveview.metainfo.xml"
# "## 0.2.0 (unreleased)" or "## 0.2.0 (2026-12-24)"
ENTRY_HEADING = re.compile(r"^## (\S+) \((unreleased|\d{4}-\d{2}-\d{2})\)\s*$", re.M)


@dataclass(frozen=True)
class Entry:
    version: str
    date: str | None  # None while unreleased
    notes: str


@dataclass(frozen=True)
class Release:
    version: str
    date: str
    kind: str  # AppStream's type: "stable" (the default) or "development"


def code_version(root: Path = ROOT) -> str:
    text = (root / "liveview" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if not match:
        raise SystemExit("release_notes.py: liveview/__init__.py has no __version__")
    return match.group(1)


def changelog_entries(text: str) -> list[Entry]:
    """The versioned entries of CHANGELOG.md, newest first, each with the text under it."""
    headings = list(ENTRY_HEADING.finditer(text))
    entries = []
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        date = None if heading.group(2) == "unreleased" else heading.group(2)
        notes = text[heading.end() : end].strip()
        entries.append(Entry(heading.group(1), date, notes))
    return entries


def metainfo_releases(path: Path) -> list[Release]:
    """The <release> elements of an AppStream metainfo file, in file order (newest first)."""
    component = ET.parse(path).getroot()
    return [
        Release(r.get("version", ""), r.get("date", ""), r.get("type", "stable"))
        for r in component.iterfind("releases/release")
    ]


def problems(root: Path = ROOT, tag: str | None = None) -> list[str]:
    """What disagrees with liveview.__version__ (empty when all agree)."""
    version = code_version(root)
    found: list[str] = []
    entries = changelog_entries((root / "CHANGELOG.md").read_text(encoding="utf-8"))
    releases = metainfo_releases(root / METAINFO)
    if not entries or entries[0].version != version:
        top = entries[0].version if entries else "nothing"
        found.append(f"CHANGELOG.md's top entry is {top}, liveview/__init__.py says {version}")
    if not releases or releases[0].version != version:
        top = releases[0].version if releases else "nothing"
        found.append(f"{METAINFO}'s newest release is {top}, liveview/__init__.py says {version}")
    if tag is not None:
        if tag != f"v{version}":
            found.append(f"the tag {tag} is not v{version}")
        if entries and entries[0].date is None:
            found.append(f"CHANGELOG.md's entry for {version} is still marked unreleased")
        if releases and releases[0].kind != "stable":
            found.append(f"{METAINFO}'s release {version} is of type {releases[0].kind}")
        if entries and releases and entries[0].date and entries[0].date != releases[0].date:
            found.append(
                f"CHANGELOG.md dates {version} {entries[0].date}, {METAINFO} {releases[0].date}"
            )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", help="the release tag being built (v<version>)")
    args = parser.parse_args(argv)
    found = problems(ROOT, args.tag)
    for problem in found:
        print(f"release_notes.py: {problem}", file=sys.stderr)
    if found:
        return 1
    entries = changelog_entries((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    print(entries[0].notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
