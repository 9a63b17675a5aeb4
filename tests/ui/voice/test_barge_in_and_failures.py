"""Barge-in, and everything that can go wrong around a voice turn: no microphone, a busy or
unplugged device, PortAudio missing, transcription / answer / speech errors — each is a sentence in
the tab, the recording is kept for Retry, and the rest of the app keeps working."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from PySide6.QtCore import Qt

from app.audio.errors import AudioUnavailableError, DeviceError, NoDeviceError
from app.store import MessageState, Role
from app.ui.voice.controller import Phase
from tests.loopback.server import Fault
from tests.ui.voice.voice_fixtures import *
from tests.ui.voice.voice_fixtures import (
    FakeAudio,
    VoiceHarness,
    resolve,
    speechlike,
    upload_info,
)

LONG = ("The first sentence of a long answer is here. The second sentence keeps going for a while. "
        "A third sentence follows after that one. Then a fourth sentence arrives in time. "
        "The fifth sentence is nearly the last. And the sixth sentence ends it all.")


def sound_after(audio: FakeAudio, moment: float) -> float:
    """The loudest sample the fake device pulled after ``moment`` (time.monotonic)."""
    stream = audio.outputs.stream
    with stream._lock:
        blocks = [b for t, b in zip(stream._times, stream._blocks, strict=True) if t > moment]
    return float(np.max(np.abs(np.nan_to_num(np.concatenate(blocks))))) if blocks else 0.0


def test_pressing_talk_while_parla_speaks_silences_it_and_cancels_speech_at_once(
        make_voice: Any, loopback: Any, qtbot: Any) -> None:
    voice = make_voice(FakeAudio(speed=1.0))  # real time: there is something to interrupt
    loopback.transcription_text = LONG
    loopback.stream_delay = 0.05  # the text streams for ~2.5 s
    loopback.speech_chunk_delay = 0.1  # and speech requests stay open a while
    voice.talk(1.0)
    qtbot.waitUntil(lambda: voice.controller.player.is_playing, timeout=10000)
    assert voice.controller.phase is Phase.ANSWERING  # the text is still streaming
    speaker = voice.controller.speaker
    assert speaker is not None and speaker.in_flight >= 1

    pressed_at = time.monotonic()
    voice.press()  # barge in
    assert not voice.controller.player.is_playing  # silent now, not after the sentence
    assert speaker.cancelled
    assert voice.controller.phase is Phase.RECORDING
    requests_at_barge_in = len(loopback.requests_to("/audio/speech"))
    qtbot.wait(400)
    assert sound_after(voice.audio, pressed_at + 0.05) == 0.0  # within one buffer, nothing more is heard
    assert speaker.in_flight == 0
    assert len(loopback.requests_to("/audio/speech")) == requests_at_barge_in  # nothing new was asked
    assert any(r.disconnected.is_set() for r in loopback.requests_to("/audio/speech")) or all(
        r.completed.is_set() for r in loopback.requests_to("/audio/speech"))

    # The interrupted answer keeps what arrived, as stopped; the new take goes on normally.
    loopback.transcription_text = "Short question."
    loopback.stream_delay = 0.0
    voice.speak(speechlike(1.0))
    voice.release()
    voice.wait_idle()
    turns = voice.controller.model.turns
    assert [t.role for t in turns] == [Role.USER, Role.ASSISTANT, Role.USER, Role.ASSISTANT]
    assert turns[1].state is MessageState.STOPPED and 0 < len(turns[1].text) < len("Echo: " + LONG)
    assert turns[3].text == "Echo: Short question." and turns[3].state is MessageState.COMPLETE
    messages = resolve(qtbot, voice.store.messages(voice.controller.conversation.id))
    assert [m.state for m in messages] == [MessageState.COMPLETE, MessageState.STOPPED, MessageState.COMPLETE,
                                           MessageState.COMPLETE]
    assert messages[1].text == turns[1].text
    # The next question carried the interrupted answer in its history.
    history = loopback.last("/chat/completions").json["messages"]
    assert [m["role"] for m in history] == ["user", "assistant", "user"]


def test_unplugged_microphone_keeps_the_recording_to_send(voice: VoiceHarness, loopback: Any, qtbot: Any) -> None:
    voice.press()
    voice.wait_recording()
    voice.speak(speechlike(1.2))
    first_stream = voice.audio.mic
    first_stream.unplug()
    qtbot.waitUntil(lambda: voice.controller.phase is Phase.IDLE, timeout=3000)
    status = voice.page.status_line
    assert status.kind == "error" and "stopped working" in status.text() and "is kept" in status.text()
    assert status.button.isVisible() and status.button.text() == "Send"
    assert loopback.requests_to("/audio/transcriptions") == []
    voice.release()  # the mouse comes up later: nothing happens
    # The microphone is armed again (the system default is still there).
    qtbot.waitUntil(lambda: voice.controller.recorder.is_armed and voice.audio.mic is not first_stream, timeout=3000)

    qtbot.mouseClick(status.button, Qt.MouseButton.LeftButton)
    voice.wait_idle()
    assert 1.2 <= upload_info(voice.upload().data).duration <= 1.6
    assert [t.role for t in voice.controller.model.turns] == [Role.USER, Role.ASSISTANT]
    assert not status.isVisible() or status.kind != "error"


def test_no_microphone_is_said_in_the_tab_and_the_rest_works(make_voice: Any, loopback: Any, qtbot: Any) -> None:
    audio = FakeAudio()
    audio.inputs.error = NoDeviceError("input")
    voice = make_voice(audio, armed=False)
    qtbot.waitUntil(lambda: voice.controller.mic_error is not None, timeout=3000)
    assert "No microphone was found" in voice.page.status_line.text()
    assert voice.page.clock.text() == "Microphone unavailable"
    voice.press()
    qtbot.waitUntil(lambda: voice.controller.phase is Phase.IDLE, timeout=3000)
    voice.release()
    assert "No microphone was found" in voice.page.status_line.text()

    # Speaking a text still works: the output is fine.
    tool = voice.page.speak_tool
    voice.page.tabs.setCurrentIndex(voice.page.SPEAK)
    tool.editor.setPlainText("Still speaking without a microphone.")
    tool.play_button.click()
    qtbot.waitUntil(lambda: tool.play_task is not None and tool.play_task.done(), timeout=10000)
    assert tool.status.text() == "Done."
    assert len(loopback.requests_to("/audio/speech")) == 1


def test_a_busy_device_and_missing_portaudio_are_explained(make_voice: Any, loopback: Any, qtbot: Any) -> None:
    audio = FakeAudio()
    audio.inputs.error = DeviceError("Device unavailable [PaErrorCode -9985]", device="Fake USB microphone")
    voice = make_voice(audio, armed=False)
    qtbot.waitUntil(lambda: voice.controller.mic_error is not None, timeout=3000)
    assert "“Fake USB microphone” could not be used" in voice.page.status_line.text()

    audio2 = FakeAudio()
    audio2.inputs.error = AudioUnavailableError("PortAudio is not available: PortAudio library not found")
    audio2.outputs.error = AudioUnavailableError("PortAudio is not available: PortAudio library not found")
    voice2 = make_voice(audio2, armed=False)
    qtbot.waitUntil(lambda: voice2.controller.mic_error is not None, timeout=3000)
    assert "PortAudio" in voice2.page.status_line.text()
    tool = voice2.page.speak_tool
    tool.editor.setPlainText("No sound at all.")
    tool.play_button.click()
    qtbot.waitUntil(lambda: tool.play_task is not None and tool.play_task.done(), timeout=10000)
    assert tool.status.kind == "error" and "PortAudio" in tool.status.text()
    # Transcribing a file needs no sound device.
    assert voice2.page.transcribe_tool.isEnabled()


def test_transcription_error_keeps_the_recording_for_retry(voice: VoiceHarness, loopback: Any, qtbot: Any) -> None:
    loopback.inject("/audio/transcriptions", Fault(status=400, error={"message": "Audio file is unreadable.",
                                                                      "type": "invalid_request_error"}))
    voice.talk(1.0)
    voice.wait_idle()
    status = voice.page.status_line
    assert status.kind == "error" and "Audio file is unreadable." in status.text() and "kept for Retry" in status.text()
    assert status.button.text() == "Retry" and status.button.isVisible()
    first = voice.upload(0).data
    assert voice.controller.model.turns == []

    qtbot.mouseClick(status.button, Qt.MouseButton.LeftButton)
    voice.wait_idle()
    assert voice.upload(1).data == first  # the same recording, sent again
    assert [t.role for t in voice.controller.model.turns] == [Role.USER, Role.ASSISTANT]
    assert voice.controller.kept_recording is None


def test_answer_error_is_shown_on_the_turn_and_retried(voice: VoiceHarness, loopback: Any, qtbot: Any) -> None:
    loopback.transcription_text = "What time is it?"
    loopback.inject("/chat/completions", Fault(status=404, error={"message": "The model does not exist.",
                                                                   "code": "model_not_found"}))
    voice.talk(1.0)
    voice.wait_idle()
    turns = voice.controller.model.turns
    assert turns[1].state is MessageState.ERROR and "gpt-4o-mini" in (turns[1].error or "")
    assert voice.page.status_line.button.text() == "Retry"
    qtbot.mouseClick(voice.page.status_line.button, Qt.MouseButton.LeftButton)
    voice.wait_idle()
    turns = voice.controller.model.turns
    assert [(t.role, t.state) for t in turns] == [(Role.USER, MessageState.COMPLETE),
                                                  (Role.ASSISTANT, MessageState.COMPLETE)]
    assert turns[1].text == "Echo: What time is it?"
    messages = resolve(qtbot, voice.store.messages(voice.controller.conversation.id))
    assert [(m.role, m.state) for m in messages] == [(Role.USER, MessageState.COMPLETE),
                                                     (Role.ASSISTANT, MessageState.COMPLETE)]
    assert len(loopback.requests_to("/audio/transcriptions")) == 1  # only the answer was asked again


def test_a_failed_sentence_is_reported_and_the_rest_is_spoken(voice: VoiceHarness, loopback: Any) -> None:
    loopback.transcription_text = "One sentence here. Another sentence there. A third one too."
    loopback.inject("/audio/speech", Fault(status=400, error={"message": "Voice not available."}))
    voice.talk(1.0)
    voice.wait_idle()
    assert "Speaking the answer failed" in voice.page.status_line.text()
    assert "Voice not available." in voice.page.status_line.text()
    assert len(voice.controller.sentences_played) == 2
    assert voice.controller.model.turns[1].state is MessageState.COMPLETE


def test_missing_devices_fall_back_to_the_default_and_say_so(make_voice: Any, voice_context: Any, qtbot: Any) -> None:
    voice_context.preferences.voice_input_device = "Gone microphone"
    voice_context.preferences.voice_output_device = "Gone speakers"
    voice = make_voice()
    assert "“Gone microphone” is not connected" in voice.page.status_line.text()
    assert "Built-in microphone" in voice.page.status_line.text()
    assert voice.audio.mic.device is None  # the system default
    voice.talk(1.0)
    voice.wait_idle()
    assert "“Gone speakers” are not connected" in voice.page.status_line.text()
    assert voice.audio.outputs.stream.device is None
    # A device that exists is used by name.
    voice_context.preferences.voice_input_device = "Fake USB microphone"
    qtbot.waitUntil(lambda: voice.audio.mic.device == "Fake USB microphone" and voice.controller.recorder.is_armed,
                    timeout=3000)


def test_answers_are_not_spoken_when_switched_off(voice: VoiceHarness, loopback: Any) -> None:
    voice.page.speak_answers_check.setChecked(False)
    assert voice.context.preferences.voice_speak_answers is False
    voice.talk(1.0)
    voice.wait_idle()
    assert voice.controller.model.turns[1].text.startswith("Echo: ")
    assert loopback.requests_to("/audio/speech") == []


def test_compressed_answer_audio_is_decoded_and_played(voice: VoiceHarness, loopback: Any) -> None:
    voice.context.preferences.voice_speech_format = "mp3"
    loopback.transcription_text = "Play this in mp3 please."
    voice.talk(1.0)
    voice.wait_idle()
    requests = loopback.requests_to("/audio/speech")
    assert [r.json["response_format"] for r in requests] == ["mp3"]
    played = np.nan_to_num(voice.audio.played())
    audible = np.count_nonzero(np.abs(played) > 1e-3) / voice.audio.outputs.stream.samplerate
    assert abs(audible - (0.2 + 0.02 * len("Echo: Play this in mp3 please."))) < 0.15
