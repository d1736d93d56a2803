"""Diagnostics-only entry point (never shipped): run the Python file named by LIVEVIEW_DIAG_SCRIPT
inside a frozen build, so a check can see exactly what the bundle carries.
Built by packaging/linux/frozen_checks.sh through the spec's LIVEVIEW_SPEC_ENTRY."""

from __future__ import annotations

import os
import runpy
import sys

if __name__ == "__main__":
    script = os.environ["LIVEVIEW_DIAG_SCRIPT"]
    sys.argv = [script]
    runpy.run_path(script, run_name="__main__")
