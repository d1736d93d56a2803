"""packaging/checksums.sh: the SHA256SUMS uploaded beside each OS's installers."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "checksums.sh"


def _run(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), *map(str, files)], capture_output=True,
                          text=True, timeout=60)  # fmt: skip


def test_sums_are_written_beside_the_files_by_name(tmp_path: Path) -> None:
    deb, tarball = tmp_path / "liveview_1.0.0_amd64.deb", tmp_path / "liveview-1.0.0.tar.gz"
    deb.write_bytes(b"deb")
    tarball.write_bytes(b"tarball")
    done = _run(deb, tarball)
    assert done.returncode == 0, done.stderr
    expected = "".join(
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n" for path in (deb, tarball)
    )
    assert (tmp_path / "SHA256SUMS").read_text() == expected == done.stdout
    # Where they are downloaded, the standard tool checks them; a changed byte fails.
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True)
    assert check.returncode == 0
    deb.write_bytes(b"dEb")
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True)
    assert check.returncode == 1


def test_files_from_two_folders_or_none_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x").write_text("x")
    (tmp_path / "b" / "y").write_text("y")
    done = _run(tmp_path / "a" / "x", tmp_path / "b" / "y")
    assert done.returncode == 1 and "is not in" in done.stderr
    assert not (tmp_path / "a" / "SHA256SUMS").exists()
    done = _run(tmp_path / "a" / "missing.dmg")
    assert done.returncode == 1 and "no file" in done.stderr
    assert _run().returncode == 2
