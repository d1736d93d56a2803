"""Runtime hook of the frozen app: runs before any liveview code.

TLS: the frozen interpreter keeps the OpenSSL default paths of the machine it was built on, which
may not exist where it runs (another distribution, macOS, a python.org build). When they do not,
point OpenSSL at the CA bundle carried in the bundle (certifi's, or the build machine's), so the
wss:// connection to the Gemini API verifies. A user's own SSL_CERT_FILE/SSL_CERT_DIR always win,
and so does a working system store (it may hold a company's CA).
"""

from __future__ import annotations

import os
import ssl
import sys


def _use_bundled_ca() -> None:
    if os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR"):
        return
    paths = ssl.get_default_verify_paths()
    system_store = (paths.cafile and os.path.isfile(paths.cafile)) or (
        paths.capath and os.path.isdir(paths.capath) and os.listdir(paths.capath)
    )
    if system_store and sys.platform != "darwin":
        return
    bundled = os.path.join(getattr(sys, "_MEIPASS", ""), "liveview_ca", "cacert.pem")
    if os.path.isfile(bundled):
        os.environ["SSL_CERT_FILE"] = bundled


if sys.platform != "win32":  # Windows: Python reads the system certificate store itself
    _use_bundled_ca()
