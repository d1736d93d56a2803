"""The GitHub workflows: valid against GitHub's schema, clean under zizmor's security audit
(offline), and doing what a release needs: the three OSes, the project's own scripts, the frozen
app's --self-test on each, checksummed installers, least privilege, actions pinned by commit."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
BIN = ROOT / ".venv" / "bin"


def _load(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _on(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads a bare `on:` key as True.
    trigger = workflow.get("on", workflow.get(True))
    assert isinstance(trigger, dict)
    return trigger


def _steps(job: dict[str, Any], os_name: str | None = None) -> list[dict[str, Any]]:
    """A job's steps, or those that run for one matrix OS (no `if`, or an `if` naming it)."""
    steps = job["steps"]
    if os_name is None:
        return steps
    return [s for s in steps if "if" not in s or f"matrix.os == '{os_name}'" in s["if"]
            or ("matrix.os != '" in s["if"] and f"!= '{os_name}'" not in s["if"])]  # fmt: skip


def _scripts(steps: list[dict[str, Any]]) -> str:
    return "\n".join(str(s.get("run", "")) for s in steps)


@pytest.mark.parametrize("name", ["ci.yml", "release.yml"])
def test_the_workflow_matches_githubs_schema(name: str) -> None:
    done = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema",
                           "vendor.github-workflows", str(WORKFLOWS / name)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    stepz: []\n")
    done = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema",
                           "vendor.github-workflows", str(broken)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1, done.stdout


def _zizmor(path: Path) -> subprocess.CompletedProcess[str]:
    # --offline: no GitHub API (no token here); the default persona, no configuration file.
    return subprocess.run([str(BIN / "zizmor"), "--offline", "--no-config", "--no-progress",
                           "--color=never", str(path)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_zizmor_finds_nothing() -> None:
    done = _zizmor(WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout, done.stdout


def test_zizmor_catches_an_unpinned_action_and_an_injection(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.write_text(
        "name: bad\non: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
        "    steps:\n      - uses: actions/checkout@v4\n        with:\n"
        "          persist-credentials: false\n"
        "      - run: echo '${{ github.event.head_commit.message }}'\n"
    )
    done = _zizmor(bad)
    assert done.returncode != 0
    assert "unpinned-uses" in done.stdout and "template-injection" in done.stdout, done.stdout


def test_every_action_is_pinned_to_a_commit_with_its_version() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "uses:" in line:
                assert re.search(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), (
                    f"{path.name}: {line.strip()}"
                )


def test_ci_runs_what_ci_run_runs() -> None:
    ci = _load("ci.yml")
    assert {"push", "pull_request"} <= set(_on(ci))
    assert ci["permissions"] == {"contents": "read"}
    (job,) = ci["jobs"].values()
    assert job["container"] == "debian:12"
    assert _scripts(job["steps"]).rstrip().endswith("bash .ci/run")
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make smoke" in ci_run and "make test" in ci_run
    # The small OpenCV is cached by the key its own script computes.
    assert "build_opencv.sh --print-key" in _scripts(job["steps"])
    (cache,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/cache@")]
    assert cache["with"]["path"] == "build/opencv-minimal/stage"
    assert "${{ steps.opencv.outputs.key }}" in cache["with"]["key"]


def test_the_opencv_key_is_printed_without_building(tmp_path: Path) -> None:
    script = (ROOT / "packaging" / "linux" / "build_opencv.sh").read_text(encoding="utf-8")
    key_at = script.index('if [ "$PRINT_KEY" = 1 ]; then\n    echo "$key"\n    exit 0')
    assert key_at < script.index('echo "== sources:')  # before anything is downloaded or built


RELEASE = _load("release.yml")
BUILD = RELEASE["jobs"]["build"]
MATRIX = BUILD["strategy"]["matrix"]["include"]


def test_release_runs_on_tags_and_by_hand() -> None:
    trigger = _on(RELEASE)
    assert trigger["push"] == {"tags": ["v*"]} and "workflow_dispatch" in trigger


def test_the_matrix_names_the_three_oses() -> None:
    assert {entry["os"] for entry in MATRIX} == {"linux", "windows", "macos"}
    runners = {entry["runner"] for entry in MATRIX}
    assert {"windows-2025", "macos-15", "macos-15-intel"} <= runners
    linux = next(entry for entry in MATRIX if entry["os"] == "linux")
    assert linux["container"] == "debian:12"  # the oldest glibc the bundle supports
    assert BUILD["runs-on"] == "${{ matrix.runner }}"


@pytest.mark.parametrize(
    ("os_name", "builds", "self_test", "installers"),
    [
        ("linux", "bash packaging/build.sh", "bash packaging/smoke_test.sh",
         "packaging/checksums.sh dist/liveview_*.deb dist/liveview-*.tar.gz"),
        ("windows", "./packaging/windows/build.ps1", "./packaging/windows/smoke_test.ps1 -Native",
         "packaging/checksums.sh dist/liveview-*-windows-x64-setup.exe"),
        ("macos", "bash packaging/build.sh",
         "bash packaging/smoke_test.sh dist/liveview.app/Contents/MacOS/liveview",
         "packaging/checksums.sh dist/liveview-*-macos-*.dmg"),
    ],
)  # fmt: skip
def test_each_os_builds_self_tests_and_checksums_with_the_projects_scripts(
    os_name: str, builds: str, self_test: str, installers: str
) -> None:
    scripts = _scripts(_steps(BUILD, os_name))
    assert builds in scripts and self_test in scripts and installers in scripts, scripts
    assert scripts.index(builds) < scripts.index(installers)
    upload = _steps(BUILD, os_name)[-1]
    assert upload["uses"].startswith("actions/upload-artifact@")
    paths = upload["with"]["path"].split()
    assert "dist/SHA256SUMS" in paths and upload["with"]["if-no-files-found"] == "error"
    assert upload["with"]["name"] == "liveview-${{ matrix.name }}"
    for script in re.findall(r"packaging/[\w/.-]+\.(?:sh|ps1|py)", scripts):
        assert (ROOT / script).is_file(), script


def test_windows_build_script_runs_the_offscreen_self_test_before_the_installer() -> None:
    ps1 = (ROOT / "packaging" / "windows" / "build.ps1").read_text(encoding="utf-8")
    smoke_at = ps1.index('& (Join-Path $PSScriptRoot "smoke_test.ps1")')
    assert smoke_at < ps1.index('Invoke-Checked "iscc"')
    smoke = (ROOT / "packaging" / "windows" / "smoke_test.ps1").read_text(encoding="utf-8")
    assert '$env:QT_QPA_PLATFORM = "offscreen"' in smoke and '"--self-test"' in smoke
    assert "liveview-cli.exe" in smoke  # the console twin: it has an exit code and output


def test_signing_runs_only_when_its_secrets_exist() -> None:
    steps = BUILD["steps"]
    signing = [s for s in steps if "secrets." in str(s.get("env", ""))]
    assert len(signing) == 2
    for step in signing:
        assert re.search(r"env\.HAS_(WINDOWS|MACOS)_SIGNING == 'true'", step["if"]), step["name"]
        assert "secrets" not in step["if"]
    assert BUILD["env"]["HAS_WINDOWS_SIGNING"] == "${{ secrets.WINDOWS_SIGN_PFX_BASE64 != '' }}"
    readme = (ROOT / "packaging" / "README.md").read_text(encoding="utf-8")
    for secret in re.findall(r"secrets\.(\w+)", (WORKFLOWS / "release.yml").read_text("utf-8")):
        assert f"`{secret}`" in readme, f"{secret} is not documented in packaging/README.md"


def test_least_privilege() -> None:
    assert RELEASE["permissions"] == {"contents": "read"}
    writers = {name for name, job in RELEASE["jobs"].items() if "permissions" in job}
    assert writers == {"publish"}
    publish = RELEASE["jobs"]["publish"]
    assert publish["permissions"] == {"contents": "write"}
    assert publish["if"] == "github.ref_type == 'tag'" and publish["needs"] == "build"
    # The job that can write checks out no code and runs nothing of the repository's.
    assert not any(s.get("uses", "").startswith("actions/checkout@") for s in publish["steps"])
    scripts = _scripts(publish["steps"])
    assert "sha256sum -c SHA256SUMS" in scripts and "gh release create" in scripts
    for job in [*RELEASE["jobs"].values(), *_load("ci.yml")["jobs"].values()]:
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_a_release_checks_the_tag_against_the_version_first() -> None:
    version = RELEASE["jobs"]["version"]
    assert 'packaging/release_notes.py --tag "$REF_NAME"' in _scripts(version["steps"])
    assert BUILD["needs"] == "version"
