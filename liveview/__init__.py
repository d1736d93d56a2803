"""liveview: live screen and camera analysis over the Gemini Live API."""

from __future__ import annotations

# The one place the version is kept: pyproject.toml reads it (setuptools dynamic), so do the
# spec, the installers' file names and `liveview --version`; CHANGELOG.md and the AppStream
# metainfo's <releases> must agree (tests/packaging/test_version.py).
__version__ = "0.2.0"
