"""Voice end to end on a real sound server: the local server speaks through the speaker, the
test talks over it into the virtual microphone, playback stops and the reply is marked cut off."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator

import pytest

from liveview.bench.pulse import (
    KeepRunning,
    MonitorRecorder,
    SinkFeeder,
    espeak_pcm,
    pactl,
    pulse_available,
)
from liveview.core import events as core
from liveview.core.controller import SessionController
from liveview.core.session_audio import AudioPlan, SessionAudio
from liveview.core.settings import Backend, SessionSettings
from liveview.core.transcript import Role, Transcript
from liveview.protocol import events as ev
from liveview.protocol.catalogue import LOCAL_MODEL
from liveview.server.app import LocalLiveServer, running_in_thread
from liveview.transport.endpoint import local_endpoint

pytestmark = pytest.mark.pulse


@pytest.fixture(scope="module")
def sound_server() -> Iterator[None]:
    if not pulse_available():
        pytest.skip("no PulseAudio server: run the tests after `. scripts/test-env.sh`")
    speaker, mic_feed = KeepRunning("liveview_speaker"), KeepRunning("liveview_mic_feed")
    yield
    speaker.close()
    mic_feed.close()


async def wait_for(predicate, timeout_s: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout_s):
        while not predicate():
            await asyncio.sleep(0.01)


async def test_talking_over_the_model_silences_it_and_marks_the_reply(sound_server: None) -> None:
    with running_in_thread(LocalLiveServer()) as server:
        settings = SessionSettings(backend=Backend.LOCAL, model=LOCAL_MODEL)
        controller = SessionController(settings, local_endpoint(server.url))
        transcript = Transcript()
        seen: list[tuple[float, object]] = []
        controller.subscribe(lambda e: seen.append((time.monotonic(), e)))
        controller.subscribe(lambda e: transcript.apply(e, time.time()))
        audio = SessionAudio()
        await audio.attach(controller, AudioPlan(mic=True, speaker=True, echo="off"))
        assert audio.player is not None and audio.mic is not None
        speech = espeak_pcm("stop, stop, please stop talking now", 16_000)
        with MonitorRecorder("liveview_speaker.monitor") as recorder:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(controller.run())
                await wait_for(lambda: controller.connected)
                controller.send_text("describe everything you can, at length")
                await wait_for(lambda: audio.player is not None and audio.player.is_playing)
                await asyncio.sleep(1.0)  # the model is well into its reply
                feeder = SinkFeeder("liveview_mic_feed", 16_000)
                feeder.write(speech)
                await wait_for(lambda: any(isinstance(e, ev.Interrupted) for _, e in seen))
                await asyncio.sleep(1.0)
                feeder.close()
                controller.stop()
            recording = recorder.snapshot()
        await audio.aclose(controller)

    interrupted_at = next(t for t, e in seen if isinstance(e, ev.Interrupted))
    first_audio_at = next(t for t, e in seen if isinstance(e, ev.ModelAudio))
    # Sound came out before the barge-in, and stopped right after it.
    assert recording.first_sound_after(first_audio_at - 0.5) is not None
    last = recording.last_sound_before(interrupted_at + 0.8)
    assert last is not None and last - interrupted_at < 0.15
    assert not len(recording.sound_indices(interrupted_at + 0.15, interrupted_at + 0.8))
    cut = [e for _, e in seen if isinstance(e, core.ReplyCutOff)]
    assert cut and cut[0].heard_ms > 500
    replies = [e for e in transcript.entries if e.role is Role.MODEL]
    assert replies[0].interrupted and replies[0].heard_ms == cut[0].heard_ms


@pytest.fixture
def room(sound_server: None) -> Iterator[None]:
    """The speaker leaks into the microphone: module-loopback, 50 ms late, at 40 % volume."""
    module = pactl("load-module", "module-loopback", "source=liveview_speaker.monitor",
                   "sink=liveview_mic_feed", "latency_msec=50", "source_dont_move=true",
                   "sink_dont_move=true")  # fmt: skip
    try:
        listing = pactl("list", "sink-inputs")
        match = re.search(rf"Sink Input #(\d+)(?:(?!Sink Input #).)*?Owner Module: {module}\b",
                          listing, re.S)  # fmt: skip
        assert match, "the loopback's sink input is missing"
        pactl("set-sink-input-volume", match.group(1), "40%")
        time.sleep(0.5)
        yield
    finally:
        pactl("unload-module", module)


REPLIES_FOR_S = 60.0


async def test_the_models_own_voice_never_interrupts_it_but_a_person_still_does(room: None) -> None:
    with running_in_thread(LocalLiveServer()) as server:
        settings = SessionSettings(backend=Backend.LOCAL, model=LOCAL_MODEL)
        controller = SessionController(settings, local_endpoint(server.url))
        seen: list[object] = []
        controller.subscribe(seen.append)
        audio = SessionAudio()
        await audio.attach(controller, AudioPlan(mic=True, speaker=True, echo="cancel"))
        loop = asyncio.get_running_loop()

        def keep_talking(event: object) -> None:  # the next question as soon as a reply ends
            if isinstance(event, ev.TurnComplete) and loop.time() < talk_until:
                controller.send_text("and what else do you see?")

        controller.subscribe(keep_talking)
        talk_until = loop.time() + REPLIES_FOR_S
        async with asyncio.TaskGroup() as tg:
            tg.create_task(controller.run())
            await wait_for(lambda: controller.connected)
            controller.send_text("describe everything you can")
            await asyncio.sleep(REPLIES_FOR_S)
            replies = sum(isinstance(e, ev.TurnComplete) for e in seen)
            self_interruptions = sum(isinstance(e, ev.Interrupted) for e in seen)
            # Now a person talks over the reply: that must still cut in.
            controller.send_text("one more, please describe it all again at length")
            await wait_for(lambda: audio.player is not None and audio.player.is_playing)
            await asyncio.sleep(0.8)
            feeder = SinkFeeder("liveview_mic_feed", 16_000)
            feeder.write(espeak_pcm("stop, stop, please stop talking now", 16_000, voice="en+f3"))
            await wait_for(lambda: any(isinstance(e, ev.Interrupted) for e in seen))
            feeder.close()
            controller.stop()
        await audio.aclose(controller)
    assert replies >= 5, "the server did not keep talking"
    assert self_interruptions == 0
