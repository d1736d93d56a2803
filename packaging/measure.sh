#!/usr/bin/env bash
# Sizes of dist/ and the frozen app's start-to-window median, as JSON (see measure.py).
#   packaging/measure.sh [--binary PATH] [--launches N] [--skip-startup]
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-.venv/bin/python}" packaging/measure.py "$@"
