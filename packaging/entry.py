"""PyInstaller entry point of the frozen app: the same `main()` as the `liveview` console script."""

from __future__ import annotations

import sys

from liveview.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
