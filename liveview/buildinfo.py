"""Which build this is: the version (liveview.__version__, the one place it is kept) and the commit.

A frozen bundle has no git: packaging/liveview.spec writes `liveview/build-info.json` (version,
commit, date, platform) into it at build time. A checkout asks git. An installed wheel has
neither and says only its version.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import liveview

BUILD_INFO_NAME = "build-info.json"
GIT_TIMEOUT_S = 5.0
_SOURCE_ROOT = Path(liveview.__file__).resolve().parent.parent


def frozen_root() -> Path | None:
    """The bundle's data folder (PyInstaller's sys._MEIPASS) when frozen, else None."""
    meipass = getattr(sys, "_MEIPASS", None)
    return Path(meipass) if getattr(sys, "frozen", False) and meipass else None


def git_commit(root: Path = _SOURCE_ROOT) -> str | None:
    """`git describe` of a checkout: the short commit, with `-dirty` for uncommitted changes.

    None when `root` is not a git work tree or git is missing (an installed wheel, a tarball).
    """
    if not (root / ".git").exists():
        return None
    # --exclude=*: never a tag name, always the commit itself.
    command = ["git", "-C", str(root), "describe", "--always", "--dirty", "--abbrev=10"]
    try:
        done = subprocess.run(
            [*command, "--exclude=*"],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def build_info() -> dict[str, Any]:
    """{'version', 'frozen', 'commit'?, 'built'?, 'platform'?} of the running liveview."""
    info: dict[str, Any] = {"version": liveview.__version__, "frozen": False}
    root = frozen_root()
    if root is not None:
        info["frozen"] = True
        try:
            recorded = json.loads((root / "liveview" / BUILD_INFO_NAME).read_text("utf-8"))
        except (OSError, ValueError):
            recorded = {"commit": "unknown"}
        # The version is the code's own: a stale file must not make the bundle lie about it.
        info.update({k: v for k, v in recorded.items() if k != "version"})
        return info
    commit = git_commit()
    if commit:
        info["commit"] = commit
    return info


def version_line() -> str:
    """What `liveview --version` prints: `liveview 0.2.0 (commit 1a2b3c4d5e, built 2026-12-01)`."""
    info = build_info()
    details = [f"commit {info['commit']}"] if info.get("commit") else []
    if info.get("built"):
        details.append(f"built {info['built']}")
    suffix = f" ({', '.join(details)})" if details else ""
    return f"liveview {info['version']}{suffix}"
