"""What the capture benches put on the screen: a private Xvfb, a desktop-like root picture, and an
animated panel that changes every frame (a video playing in a window, for the whole-process run).

Needs an X display and ImageMagick's `display` (it sets the root window's picture).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from liveview.desktop.geometry import Region

CHANGE_BOX = Region(600, 380, 720, 320)  # where the change-delay run alters the screen
ANIMATION_BOX = Region(960, 300, 900, 400)  # the animated panel (over the right-hand window)
ANIMATION_FPS = 25.0  # faster than any frame rate the app sends: every grab sees a new picture
_WORDS = ("the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "liveview", "frame",
          "screen", "model", "text")  # fmt: skip


@contextmanager
def private_display() -> Iterator[None]:
    """A private Xvfb, so other programs' windows cannot change "static" content mid-run.

    -noreset: with no client connected Xvfb would reset and drop the root picture between the
    moment `display` sets it and the moment the bench connects."""
    if shutil.which("Xvfb") is None:
        raise RuntimeError("--own-display needs Xvfb (apt install xvfb)")
    number = next(
        n
        for n in range(140, 240)
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists()
    )
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    previous = os.environ.get("DISPLAY")
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"Xvfb :{number} did not start")
            time.sleep(0.05)
        os.environ["DISPLAY"] = f":{number}"
        yield
    finally:
        if previous is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = previous
        server.terminate()
        server.wait(timeout=10)


def render_desktop(width: int, height: int, variant: str, seed: int = 7) -> np.ndarray:
    """A desktop-like picture: wallpaper, windows with lines of text, a photo-like area."""
    rng = random.Random(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    wallpaper = np.dstack([80 + 60 * xx / width, 60 + 80 * yy / height, 120 + 0 * xx])
    image = wallpaper.astype(np.uint8)
    for wx, wy, ww, wh in ((40, 40, 860, 620), (940, 90, 940, 520), (120, 700, 700, 340)):
        cv2.rectangle(image, (wx, wy), (wx + ww, wy + wh), (245, 245, 245), -1)
        cv2.rectangle(image, (wx, wy), (wx + ww, wy + 28), (70, 70, 90), -1)
        for y in range(wy + 52, wy + wh - 10, 22):
            line = " ".join(rng.choice(_WORDS) for _ in range(ww // 60))
            cv2.putText(image, line, (wx + 12, y), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (30, 30, 30), 1)
    # A photo-like area: smooth colour fields with fine noise.
    noise = np.random.default_rng(seed).integers(0, 255, (44, 64, 3), dtype=np.uint8)
    photo = cv2.resize(noise, (900, 330), interpolation=cv2.INTER_CUBIC)
    grain = np.random.default_rng(seed + 1).integers(-12, 12, photo.shape, dtype=np.int16)
    image[720:1050, 960:1860] = np.clip(photo.astype(np.int16) + grain, 0, 255).astype(np.uint8)
    if variant == "b":  # a dialog pops up over the middle
        box = CHANGE_BOX
        corner = (box.x + box.width, box.y + box.height)
        cv2.rectangle(image, (box.x, box.y), corner, (200, 230, 255), -1)
        origin = (box.x + 40, box.y + 160)
        cv2.putText(image, "Saved 3 files", origin, cv2.FONT_HERSHEY_SIMPLEX, 1.6, (0, 0, 0), 3)
    return image


@contextmanager
def desktop_content(tmp: Path, monitor: Any) -> Iterator[Callable[[str], str]]:
    """Yields show(variant): puts that picture on the X root window and waits until it is seen."""
    if shutil.which("display") is None:
        raise RuntimeError(
            "the capture bench needs ImageMagick's `display` (apt install imagemagick)"
        )
    files = {}
    for variant in ("a", "b"):
        files[variant] = tmp / f"desktop-{variant}.png"
        cv2.imwrite(str(files[variant]), render_desktop(monitor.width, monitor.height, variant))
    black = tmp / "black.png"
    cv2.imwrite(str(black), np.zeros((monitor.height, monitor.width, 3), np.uint8))

    def show(variant: str) -> str:
        # `display -window root` sets the root background and exits (its status is 1 even then).
        subprocess.run(["display", "-window", "root", str(files[variant])], check=False, timeout=30)
        return f"desktop-like picture '{variant}' on the root window (text windows, photo area)"

    try:
        yield show
    finally:
        subprocess.run(["display", "-window", "root", str(black)], check=False, timeout=30)


@dataclass
class Animation:
    drawn: int = 0  # pictures drawn so far
    native_id: int | None = None  # the drawing thread (to leave out of this process's CPU)


@contextmanager
def animated_panel(box: Region = ANIMATION_BOX, fps: float = ANIMATION_FPS) -> Iterator[Animation]:
    """An override-redirect window over `box` redrawn `fps` times a second (moving colour bars
    and a frame counter) from a thread of this process: every grab sees a new picture."""
    from Xlib import X, display

    conn = display.Display()
    screen = conn.screen()
    window = screen.root.create_window(
        box.x, box.y, box.width, box.height, 0, screen.root_depth, X.InputOutput,
        X.CopyFromParent, background_pixel=screen.black_pixel, override_redirect=True,
    )  # fmt: skip
    gc = window.create_gc(foreground=screen.white_pixel, background=screen.black_pixel)
    window.map()
    conn.sync()
    stop = threading.Event()
    animation = Animation()

    def draw() -> None:
        animation.native_id = threading.get_native_id()
        started = time.monotonic()
        bar_h = box.height // 12
        while not stop.is_set():
            i = animation.drawn
            gc.change(foreground=screen.black_pixel)
            window.fill_rectangle(gc, 0, 0, box.width, box.height)
            for k in range(12):
                red, green, blue = (i * 5 + k * 40) % 256, (k * 20) % 256, (255 - i * 3) % 256
                colour = red << 16 | green << 8 | blue
                gc.change(foreground=colour)
                window.fill_rectangle(gc, (i * 7 + k * 75) % box.width, k * bar_h, 160, bar_h)
            gc.change(foreground=screen.white_pixel)
            window.draw_text(gc, 20, box.height - 10, f"frame {i}".encode())
            conn.flush()
            animation.drawn = i + 1
            stop.wait(max(0.0, started + (i + 1) / fps - time.monotonic()))

    thread = threading.Thread(target=draw, name="bench: animated panel", daemon=True)
    thread.start()
    try:
        yield animation
    finally:
        stop.set()
        thread.join(timeout=5)
        window.destroy()
        conn.close()
