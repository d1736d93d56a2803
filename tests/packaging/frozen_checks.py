"""What the slimmed bundle must still do, run both in the source tree and inside a frozen build.

    .venv/bin/python tests/packaging/frozen_checks.py            (from the source tree)
    bash packaging/linux/frozen_checks.sh                         (builds a diagnostic bundle,
                                                                   runs this inside it, compares)

Prints one JSON object of results that do not depend on how the code is packaged; the frozen run
must print the same object. It covers what packaging/linux/slim_bundle.py changes and the smoke
test does not reach: OpenCV's linear algebra (the bundle's small OpenCV has its own, the wheel
uses OpenBLAS), video files decoded through OpenCV's FFmpeg (MJPEG, MPEG-4, VP8, VP9), the Haar
cascade, JPEG and PNG, Qt's ICU (collation, time zone names, case mapping), and keyring's Secret
Service crypto (cryptography).
Not a pytest module: tests/packaging/test_slim_bundle.py runs it from the source tree.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import cv2
import numpy as np


def _linear_algebra() -> dict[str, Any]:
    rng = np.random.default_rng(7)
    out: dict[str, Any] = {}
    for dtype, tol in ((np.float32, 1e-3), (np.float64, 1e-9)):
        a = rng.standard_normal((24, 24)).astype(dtype)
        b = rng.standard_normal((24, 2)).astype(dtype)
        spd = (a @ a.T + 24 * np.eye(24)).astype(dtype)
        tall = rng.standard_normal((40, 12)).astype(dtype)
        rhs = rng.standard_normal((40, 2)).astype(dtype)
        ref_lstsq = np.linalg.lstsq(tall.astype(np.float64), rhs.astype(np.float64), rcond=None)[0]
        checks = {
            "gemm": np.allclose(cv2.gemm(a, b, 1.0, None, 0.0), a @ b, atol=tol),
            "solve_lu": np.allclose(a @ cv2.solve(a, b, flags=cv2.DECOMP_LU)[1], b, atol=tol),
            "solve_cholesky": np.allclose(
                spd @ cv2.solve(spd, b, flags=cv2.DECOMP_CHOLESKY)[1], b, atol=tol
            ),
            "solve_qr": np.allclose(a @ cv2.solve(a, b, flags=cv2.DECOMP_QR)[1], b, atol=tol * 10),
            "lstsq_qr": np.allclose(cv2.solve(tall, rhs, flags=cv2.DECOMP_QR)[1], ref_lstsq, atol=tol * 10),
            "lstsq_svd": np.allclose(cv2.solve(tall, rhs, flags=cv2.DECOMP_SVD)[1], ref_lstsq, atol=tol * 10),
            "svd": np.allclose(
                cv2.SVDecomp(a)[0].ravel(), np.linalg.svd(a.astype(np.float64))[1], atol=tol * 10
            ),
            "invert": np.allclose(a @ cv2.invert(a, flags=cv2.DECOMP_LU)[1], np.eye(24), atol=tol * 10),
            "determinant": bool(np.isclose(cv2.determinant(a), np.linalg.det(a.astype(np.float64)), rtol=tol * 10)),
        }  # fmt: skip
        out[np.dtype(dtype).name] = {k: bool(v) for k, v in checks.items()}
    basis = rng.standard_normal((8, 8)) + 8 * np.eye(8)
    known = basis @ np.diag(np.arange(1.0, 9.0)) @ np.linalg.inv(basis)  # eigenvalues 1..8
    values = np.sort(cv2.eigenNonSymmetric(known)[0].ravel())
    out["eigen_nonsymmetric"] = bool(np.allclose(values, np.arange(1.0, 9.0), atol=1e-6))
    return out


def _frames(count: int) -> list[np.ndarray]:
    frames = []
    for i in range(count):
        frame = np.zeros((120, 160, 3), np.uint8)
        cv2.rectangle(frame, (10 + 8 * i, 20), (60 + 8 * i, 90), (40, 200, 90), -1)
        frames.append(frame)
    return frames


# Clips in the formats people pick as a video source, written by the source tree's OpenCV (the
# bundle's decodes only: its FFmpeg has no encoders) and read back by both.
CLIPS = (("clip.avi", "MJPG"), ("clip.mp4", "mp4v"), ("clip.mkv", "VP90"), ("clip.webm", "VP80"))


def _write_clips(folder: Path) -> None:
    for name, fourcc in CLIPS:
        writer = cv2.VideoWriter(
            str(folder / name), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*fourcc), 10, (160, 120)
        )
        for frame in _frames(10):
            writer.write(frame)
        writer.release()


def _video(folder: Path) -> dict[str, Any]:
    if not all((folder / name).is_file() for name, _ in CLIPS):
        _write_clips(folder)
    out: dict[str, Any] = {}
    for name, _ in CLIPS:
        cap = cv2.VideoCapture(str(folder / name), cv2.CAP_FFMPEG)
        decoded = []
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            decoded.append(frame)
        cap.release()
        close = (
            bool(decoded) and float(np.abs(decoded[-1].astype(int) - _frames(10)[-1]).mean()) < 12
        )
        out[name] = {"frames": len(decoded), "last_frame_close": close}
    image = _frames(1)[0]
    for suffix in (".jpg", ".png"):
        ok, encoded = cv2.imencode(suffix, image)
        decoded = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
        out[suffix] = bool(ok) and decoded is not None and decoded.shape == image.shape
    return out


def _haar() -> dict[str, Any]:
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    grey = np.full((240, 320), 128, np.uint8)
    faces = cascade.detectMultiScale(grey) if not cascade.empty() else None
    return {"loaded": not cascade.empty(), "faces_in_blank": 0 if faces is None else len(faces)}


def _icu() -> dict[str, Any]:
    from PySide6.QtCore import QByteArray, QCollator, QLocale, QTimeZone

    words = ["zebra", "Äpfel", "apple", "Öl", "ångström", "Zürich", "éclair", "ezh", "中文", "日本"]
    sorted_by = {}
    for name in ("de_DE", "sv_SE", "fr_FR", "zh_CN", "ja_JP", "en_US"):
        collator = QCollator(QLocale(name))
        sorted_by[name] = sorted(words, key=collator.sortKey)
    berlin = QTimeZone(QByteArray(b"Europe/Berlin"))
    names = {
        loc: berlin.displayName(
            QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, QLocale(loc)
        )
        for loc in ("en_US", "fr_FR", "de_DE", "ja_JP")
    }
    return {
        "collation": sorted_by,
        "time_zone_names": names,
        "upper_tr": QLocale("tr_TR").toUpper("istanbul"),
        "lower_de": QLocale("de_DE").toLower("STRASSE"),
    }


def _keyring_crypto() -> dict[str, Any]:
    # What keyring's Secret Service backend does with cryptography (modules the bundle carries).
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from keyring.backends import SecretService  # noqa: F401 -- the backend liveview would use
    from secretstorage.dhcrypto import Session
    from secretstorage.util import format_secret

    client, service = Session(), Session()  # a Diffie-Hellman exchange, both ends here
    client.set_server_public_key(service.my_public_key)
    service.set_server_public_key(client.my_public_key)
    client.object_path = "/org/freedesktop/secrets/session/1"
    _, iv, encrypted, _ = format_secret(client, b"liveview api key", "text/plain")
    assert service.aes_key is not None
    decryptor = Cipher(algorithms.AES(service.aes_key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(encrypted) + decryptor.finalize()
    return {"dh_aes_roundtrip": padded[: -padded[-1]] == b"liveview api key"}


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="liveview-frozen-checks-") as tmp:
        # LIVEVIEW_CHECK_CLIPS: a folder shared by the source and the frozen run (the first writes)
        clips = Path(os.environ.get("LIVEVIEW_CHECK_CLIPS") or tmp)
        clips.mkdir(parents=True, exist_ok=True)
        return {
            "linear_algebra": _linear_algebra(),
            "video": _video(clips),
            "haar": _haar(),
            "icu": _icu(),
            "keyring": _keyring_crypto(),
        }


if __name__ == "__main__":
    json.dump(run(), sys.stdout, indent=1, ensure_ascii=False, sort_keys=True)
    print()
