"""Profiles: the shipped ones, the user's JSON files (broken ones named with their line), and
how a profile lands on the session settings."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from liveview.core.profiles import (
    BUILTIN_PROFILES,
    TRANSLATE_MODEL,
    Profile,
    ProfileError,
    ReplyMode,
    apply_profile,
    delete_profile,
    export_profiles,
    import_profiles,
    load_profiles,
    profiles_folder,
    save_profile,
)
from liveview.core.settings import LOCAL_MODEL, Backend, SessionSettings
from liveview.core.video_pipeline import VideoSettings
from liveview.errors import ConfigError
from liveview.protocol.catalogue import lookup
from tests.support.history import point_xdg_at


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    point_xdg_at(tmp_path, monkeypatch)
    return tmp_path / "config" / "liveview" / "profiles"


def test_the_shipped_profiles_are_there_and_valid(folder: Path) -> None:
    assert profiles_folder() == folder
    loaded = load_profiles()
    names = [p.name for p in loaded.profiles]
    assert names == ["Explain my screen", "Pair programmer", "Describe for me", "Live translator"]
    assert loaded.problems == ()
    assert lookup(TRANSLATE_MODEL).translation  # the catalogue's translate model
    for profile in BUILTIN_PROFILES:  # each one survives its own JSON form
        path = save_profile(profile)
        assert load_profiles().get(profile.name) == profile
        path.unlink()


def test_a_broken_file_is_named_with_its_line_and_the_rest_still_load(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "good.json").write_text(json.dumps({"name": "Good one", "voice": "Puck"}))
    (folder / "broken.json").write_text('{\n  "name": "Broken",\n  "voice": "Puck",,\n}\n')
    (folder / "wrong.json").write_text('{\n  "name": "Wrong",\n\n  "fps": 99\n}\n')
    (folder / "odd.json").write_text('{\n  "name": "Odd",\n  "colour": "red"\n}\n')
    loaded = load_profiles()
    assert loaded.get("good one") == Profile(name="Good one", voice="Puck")
    assert {(p.path.name, p.line) for p in loaded.problems} == {
        ("broken.json", 3),
        ("wrong.json", 4),
        ("odd.json", 3),
    }
    by_file = {p.path.name: str(p) for p in loaded.problems}
    assert by_file["broken.json"].startswith(f"{folder / 'broken.json'}:3: not valid JSON")
    assert "fps" in by_file["wrong.json"] and "out of range" in by_file["wrong.json"]
    assert "unknown key 'colour'" in by_file["odd.json"]
    assert len(loaded.profiles) == len(BUILTIN_PROFILES) + 1


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ('{"name": "x", "voice": "Nobody"}', 1, "unknown voice"),
        ('{"name": "x",\n "tools": ["search", "teleport"]}', 2, "tools must be a list"),
        ('{"name": "x",\n "reply_mode": "mime"}', 2, "reply_mode must be one of"),
        ('{"name": "x",\n\n "source": "screen:zero"}', 3, "--source"),
        ('{"name": "  "}', 1, "no name"),
        ("[1, 2]", 1, "a profile is a JSON object"),
    ],
)
def test_each_bad_value_is_said_with_its_line(
    folder: Path, text: str, line: int, says: str
) -> None:
    path = folder.parent / "in.json"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(ProfileError) as caught:
        import_profiles(path)
    assert caught.value.problem.line == line and says in str(caught.value)
    assert not folder.exists()  # nothing was saved


def test_a_user_profile_with_a_builtin_name_replaces_it_until_deleted(folder: Path) -> None:
    mine = Profile(name="Pair programmer", system_instruction="Be terse.", fps=0.5)
    save_profile(mine)
    assert load_profiles().get("pair programmer") == mine
    assert delete_profile("Pair programmer") and not delete_profile("Pair programmer")
    assert load_profiles().get("Pair programmer") == BUILTIN_PROFILES[1]


def test_export_and_import_round_trip(folder: Path, tmp_path: Path) -> None:
    mine = [
        Profile(name="Meetings", reply_mode=ReplyMode.TEXT, tools=(), language="de-DE"),
        Profile(name="Lectures", source="screen:2", fps=0.5, voice="Kore"),
    ]
    out = tmp_path / "mine.json"
    export_profiles(mine, out)
    assert json.loads(out.read_text())["liveview_profiles"] == 1
    assert import_profiles(out) == mine
    loaded = load_profiles()
    assert [loaded.get("Meetings"), loaded.get("Lectures")] == mine
    assert sorted(p.name for p in folder.iterdir()) == ["lectures.json", "meetings.json"]


def test_an_unknown_profile_name_lists_the_profiles(folder: Path) -> None:
    with pytest.raises(ConfigError, match=r"No profile named 'Nope'.*'Explain my screen'"):
        load_profiles().require("Nope")


# -- applying -------------------------------------------------------------------------------------

GEMINI = SessionSettings(backend=Backend.GEMINI, model="gemini-3.8-live", voice="Puck")
LOCAL = SessionSettings(backend=Backend.LOCAL, model=LOCAL_MODEL)


def test_a_profile_sets_what_it_names_and_leaves_the_rest() -> None:
    profile = BUILTIN_PROFILES[1]  # Pair programmer
    applied = apply_profile(profile, GEMINI, VideoSettings(fps=2.0, max_side=768))
    s = applied.settings
    assert s.system_instruction == profile.system_instruction
    assert (s.functions, s.google_search, s.code_execution) == (True, True, False)
    assert s.video_enabled and applied.source == "screen"
    assert applied.video == VideoSettings(fps=1.0, max_side=768)
    assert (s.voice, s.model, s.backend) == ("Puck", "gemini-3.8-live", Backend.GEMINI)
    assert applied.notes == ()


def test_the_translator_uses_the_translate_model_where_the_backend_serves_it() -> None:
    translator = BUILTIN_PROFILES[3]
    on_gemini = apply_profile(translator, GEMINI, VideoSettings())
    assert on_gemini.settings.model == TRANSLATE_MODEL
    assert on_gemini.settings.system_instruction == translator.system_instruction
    assert not on_gemini.settings.video_enabled and on_gemini.notes == ()
    offline = apply_profile(translator, LOCAL, VideoSettings())
    assert offline.settings.model == LOCAL_MODEL
    assert offline.settings.system_instruction == translator.instruction_without_model
    assert offline.notes and "instruction instead" in offline.notes[0]
    custom = replace(GEMINI, backend=Backend.CUSTOM)
    assert apply_profile(translator, custom, VideoSettings()).settings.model == "gemini-3.8-live"


def test_reply_mode_and_an_empty_tool_list_are_applied() -> None:
    start = SessionSettings(google_search=True, functions=True, audio_replies=True)
    applied = apply_profile(
        Profile("T", reply_mode=ReplyMode.TEXT, tools=()), start, VideoSettings()
    )
    s = applied.settings
    assert not s.audio_replies and not (s.google_search or s.functions or s.code_execution)
    untouched = apply_profile(Profile("Nothing"), start, VideoSettings(fps=3.0))
    assert untouched.settings == start and untouched.video == VideoSettings(fps=3.0)
