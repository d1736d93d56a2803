#!/usr/bin/env bash
# The whole check: lint, types, then the test suite against a real display and sound server.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/test-env.sh
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-xcb}"
# Qt Multimedia probes PipeWire before PulseAudio and says so on stderr: noise, not a problem.
export QT_LOGGING_RULES="${QT_LOGGING_RULES:-qt.multimedia.symbolsresolver=false}"
mkdir -p test-output

echo "== ruff"
.venv/bin/ruff check liveview tests packaging
.venv/bin/ruff format --check liveview tests packaging
echo "== mypy (strict: protocol, transport, server, core, capture, desktop)"
.venv/bin/mypy
echo "== workflows (GitHub's schema, zizmor offline) and desktop metadata (AppStream, .desktop)"
.venv/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
.venv/bin/zizmor --offline --no-progress --quiet .github/workflows
appstreamcli validate --no-net --no-color resources/io.github.liveview.metainfo.xml
desktop-file-validate resources/io.github.liveview.desktop
echo "== pytest"
.venv/bin/pytest -ra --cov=liveview --cov-report=term:skip-covered \
    --junitxml=test-output/junit.xml "$@"
echo "== coverage of liveview/protocol must be 100%"
.venv/bin/coverage report --include='liveview/protocol/*' --fail-under=100 >/dev/null \
    || { .venv/bin/coverage report --include='liveview/protocol/*' -m; exit 1; }
