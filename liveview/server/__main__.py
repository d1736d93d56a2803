"""`python -m liveview.server [options]`: the same as `liveview serve`."""

from __future__ import annotations

import sys

from liveview.server.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
