from __future__ import annotations

from pathlib import Path

import pytest

from liveview.capture import Region, SyntheticSource, open_source, parse_region, parse_source_spec
from liveview.capture.spec import SourceSpec
from liveview.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("none", SourceSpec("none")),
        ("screen", SourceSpec("screen")),
        ("screen:2", SourceSpec("screen", index=2)),
        ("camera", SourceSpec("camera", index=0)),
        ("camera:1", SourceSpec("camera", index=1)),
        ("url:rtsp://cam.local/stream", SourceSpec("url", url="rtsp://cam.local/stream")),
        ("http://127.0.0.1:8080/video", SourceSpec("url", url="http://127.0.0.1:8080/video")),
        ("test", SourceSpec("test")),
        ("test:640x360", SourceSpec("test", size=(640, 360))),
        (" Screen:1 ", SourceSpec("screen", index=1)),
    ],
)
def test_parse_source_spec(text: str, expected: SourceSpec) -> None:
    assert parse_source_spec(text) == expected


def test_file_spec_needs_an_existing_file(tmp_path: Path) -> None:
    clip = tmp_path / "a.mp4"
    clip.write_bytes(b"")
    assert parse_source_spec(f"file:{clip}") == SourceSpec("file", path=clip)
    with pytest.raises(ConfigError, match=r"b\.mp4' does not exist"):
        parse_source_spec(f"file:{tmp_path / 'b.mp4'}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("screen:0", "not a number >= 1"),
        ("screen:x", "not a number"),
        ("camera:-1", "not a number >= 0"),
        ("file:", "give the video file"),
        ("url:ftp://host/x", "not a stream address"),
        ("url:localhost", "not a stream address"),
        ("test:big", "not WIDTHxHEIGHT"),
        ("webcam", "unknown source"),
        ("", "unknown source"),
    ],
)
def test_bad_specs_say_what_is_accepted(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_source_spec(text)
    assert message in str(caught.value)
    assert "screen[:N] | window:TITLE | camera[:N] | file:PATH | url:URL | test" in str(
        caught.value
    )


def test_region_parsing() -> None:
    assert parse_region("10,20,300,200") == Region(10, 20, 300, 200)
    assert parse_region(" 0, 0, 64 ,48") == Region(0, 0, 64, 48)
    for bad in ("1,2,3", "a,b,c,d", "0,0,0,10", "0,0,10,-5"):
        with pytest.raises(ConfigError, match="region"):
            parse_region(bad)


def test_region_only_for_screens() -> None:
    with pytest.raises(ConfigError, match="only applies to a screen"):
        parse_source_spec("camera:0", region="0,0,10,10")
    assert parse_source_spec("screen:1", region="0,0,10,10").region == Region(0, 0, 10, 10)


def test_open_source_none_and_test() -> None:
    assert open_source("none") is None
    source = open_source("test:320x240", test_fps=5)
    assert isinstance(source, SyntheticSource)
    assert source.describe() == "test pattern 320x240"
    assert source.frame_interval_s == pytest.approx(0.2)
