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
# CPython 3.11.7 keeps the AST constructor's recursion depth in global state (gh-106905, fixed in
# 3.11.8): two threads turning source into AST objects at once fail with "SystemError: AST
# constructor recursion depth mismatch". Python 3.11 formats every traceback with ast.parse (for
# its ^^^ carets), so a worker thread logging an exception while the main thread parses (pytest's
# assertion rewriting, tests reading sources) trips it. Without the column tables there are no
# carets and no parsing.
export PYTHONNODEBUGRANGES=1
.venv/bin/pytest -ra --cov=liveview --cov-report=term:skip-covered \
    --junitxml=test-output/junit.xml "$@"
echo "== coverage of liveview/protocol must be 100%"
.venv/bin/coverage report --include='liveview/protocol/*' --fail-under=100 >/dev/null \
    || { .venv/bin/coverage report --include='liveview/protocol/*' -m; exit 1; }
