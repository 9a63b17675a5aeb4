"""Push to talk on the Voice tab, end to end: fake devices at the boundary, the loopback server
behind the real client. Hold/release → an Opus (or FLAC) 16 kHz mono upload → the transcript as the
user's turn → the answer streamed and spoken sentence by sentence, in order, ≤ 2 requests at once,
starting before the text has finished → stored as a kind="voice" conversation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from app.store import ConversationKind, MessageState, Role
from app.ui.voice.controller import Phase
from tests.ui.voice.voice_fixtures import *
from tests.ui.voice.voice_fixtures import VoiceHarness, resolve, speechlike, upload_info

QUESTION = "Hello there. How are you today? Tell me something nice."
ANSWER = "Echo: " + QUESTION
SENTENCES = ["Echo: Hello there.", "How are you today?", "Tell me something nice."]


def test_hold_and_release_runs_a_whole_spoken_turn(voice: VoiceHarness, loopback: Any, qtbot: Any) -> None:
    loopback.transcription_text = QUESTION
    loopback.stream_delay = 0.03  # the answer streams for ~0.5 s
    seen: dict[str, Any] = {}

    def on_phase(value: str) -> None:
        if value == Phase.SPEAKING.value and "sound_before_text_end" not in seen:
            seen["sound_before_text_end"] = voice.audio.outputs.streams and \
                voice.audio.outputs.stream.first_sound_time() is not None

    voice.controller.phase_changed.connect(on_phase)
    voice.talk(1.5)
    voice.wait_idle()

    # The upload: Ogg/Opus, 16 kHz, mono, the length of what was said.
    upload = voice.upload()
    info = upload_info(upload.data)
    assert (info.format, info.subtype, info.samplerate, info.channels) == ("OGG", "OPUS", 16000, 1)
    assert upload.filename == "speech.ogg"
    assert 1.4 <= info.duration <= 2.0  # 1.5 s said, plus the armed pre-roll (≤ 0.3 s)
    assert len(upload.data) < 0.25 * info.duration * 16000 * 2  # under a quarter of 16-bit WAV

    # The transcript and the answer, in the view and in the store.
    turns = voice.controller.model.turns
    assert [(t.role, t.text) for t in turns] == [(Role.USER, QUESTION), (Role.ASSISTANT, ANSWER)]
    assert turns[1].state is MessageState.COMPLETE

    # Spoken sentence by sentence, in order, at most two requests at once.
    inputs = [r.json["input"] for r in loopback.requests_to("/audio/speech")]
    assert sorted(inputs) == sorted(SENTENCES)
    assert all(r.json["response_format"] == "pcm" for r in loopback.requests_to("/audio/speech"))
    assert voice.controller.sentences_played == SENTENCES
    assert voice.controller.last_speaker.max_seen_in_flight <= 2
    played = voice.audio.played()
    audible = np.count_nonzero(np.abs(np.nan_to_num(played)) > 1e-3) / voice.audio.outputs.stream.samplerate
    expected = sum(min(3.0, 0.2 + 0.02 * len(s)) for s in SENTENCES)
    assert audible == pytest.approx(expected, rel=0.1)
    # …and the first sentence was heard before the text stream had ended.
    assert seen.get("sound_before_text_end") is True

    conversation = voice.controller.conversation
    assert conversation is not None and conversation.kind is ConversationKind.VOICE
    messages = resolve(qtbot, voice.store.messages(conversation.id))
    assert [(m.role, m.text, m.state) for m in messages] == [
        (Role.USER, QUESTION, MessageState.COMPLETE), (Role.ASSISTANT, ANSWER, MessageState.COMPLETE)]
    assert messages[1].model == "gpt-4o-mini" and messages[1].usage and messages[1].usage["total_tokens"] > 0
    stored = resolve(qtbot, voice.store.get_conversation(conversation.id))
    assert stored.kind is ConversationKind.VOICE and stored.title == QUESTION[:len(stored.title)]


def test_space_key_is_push_to_talk_while_the_tab_has_focus(voice: VoiceHarness, loopback: Any, qtbot: Any) -> None:
    page = voice.page
    page.focus_main_input()
    assert page.talk_button.hasFocus()
    qtbot.keyPress(page.talk_button, Qt.Key.Key_Space)
    voice.wait_recording()
    # Auto-repeat (a held key sends release/press pairs) neither ends nor restarts the take.
    for kind in (QEvent.Type.KeyRelease, QEvent.Type.KeyPress):
        QApplication.sendEvent(page.talk_button, QKeyEvent(kind, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier,
                                                           " ", True))
    voice.speak(speechlike(1.0))
    assert voice.controller.phase is Phase.RECORDING
    qtbot.keyRelease(page.talk_button, Qt.Key.Key_Space)
    voice.wait_idle()
    assert len(loopback.requests_to("/audio/transcriptions")) == 1
    assert voice.controller.model.turns[0].role is Role.USER

    # In the transcript list the key works too; in a text field it types a space instead.
    page.transcript_view.setFocus()
    qtbot.keyPress(page.transcript_view, Qt.Key.Key_Space)
    voice.wait_recording()
    voice.speak(speechlike(0.8))
    qtbot.keyRelease(page.transcript_view, Qt.Key.Key_Space)
    voice.wait_idle()
    assert len(loopback.requests_to("/audio/transcriptions")) == 2

    page.tabs.setCurrentIndex(page.SPEAK)
    editor = page.speak_tool.editor
    editor.setFocus()
    qtbot.keyClicks(editor, "a b")
    assert editor.toPlainText() == "a b"
    assert voice.controller.phase is Phase.IDLE


def test_a_changed_push_to_talk_key_is_used(voice: VoiceHarness, qtbot: Any) -> None:
    voice.context.preferences.voice_push_to_talk_key = "F9"
    page = voice.page
    page.focus_main_input()
    qtbot.keyPress(page.talk_button, Qt.Key.Key_Space)
    qtbot.wait(20)
    assert voice.controller.phase is Phase.IDLE
    qtbot.keyPress(page.talk_button, Qt.Key.Key_F9)
    voice.wait_recording()
    qtbot.keyRelease(page.talk_button, Qt.Key.Key_F9)
    voice.wait_idle()
    assert "F9" in page._hint.text()


def test_flac_upload_when_chosen(voice: VoiceHarness, loopback: Any) -> None:
    voice.context.preferences.voice_upload_format = "flac"
    voice.talk(1.0)
    voice.wait_idle()
    upload = voice.upload()
    info = upload_info(upload.data)
    assert (info.format, info.samplerate, info.channels) == ("FLAC", 16000, 1)
    assert upload.filename == "speech.flac" and upload.content_type == "audio/flac"


def test_too_short_or_silent_recordings_are_not_sent(voice: VoiceHarness, loopback: Any) -> None:
    # A tap: well under 0.3 s (the armed pre-roll is only filled by blocks that arrived).
    voice.press()
    voice.wait_recording()
    voice.speak(speechlike(0.1))
    voice.release()
    voice.wait_idle()
    kind, text = voice.page.status_line.kind, voice.page.status_line.text()
    assert kind == "info" and "didn't hear anything" in text and "hold Talk" in text

    # Long enough, but nothing but room noise.
    voice.press()
    voice.wait_recording()
    voice.speak(np.random.default_rng(1).normal(0, 0.003, 16000 * 2).astype(np.float32))
    voice.release()
    voice.wait_idle()
    assert "didn't hear anything" in voice.page.status_line.text()
    assert loopback.requests_to("/audio/transcriptions") == []
    assert voice.controller.model.turns == [] and voice.controller.conversation is None


def test_max_length_counts_down_then_stops_and_sends(voice: VoiceHarness, loopback: Any, qtbot: Any) -> None:
    voice.context.preferences.voice_max_seconds = 20
    assert voice.controller.recorder.max_seconds == 20
    voice.press()
    voice.wait_recording()
    voice.speak(speechlike(8.0), chunk_seconds=0.5)  # + the 0.3 s pre-roll
    qtbot.waitUntil(lambda: voice.page.clock.text().startswith("0:08"), timeout=2000)
    assert "stops in" not in voice.page.clock.text() and not voice.page.clock.property("red")
    voice.speak(speechlike(9.0), chunk_seconds=0.5)
    qtbot.waitUntil(lambda: voice.page.clock.text().startswith("0:17"), timeout=2000)
    assert voice.page.clock.text() == "0:17 · stops in 3 s"
    assert voice.page.clock.property("red") is True
    voice.speak(speechlike(4.0), chunk_seconds=0.5)  # past the limit, still holding the button
    qtbot.waitUntil(lambda: len(loopback.requests_to("/audio/transcriptions")) == 1, timeout=5000)
    voice.release()
    voice.wait_idle()
    info = upload_info(voice.upload().data)
    assert info.duration == pytest.approx(20.0, abs=0.05)
    assert len(loopback.requests_to("/audio/transcriptions")) == 1  # the release sent nothing more
    assert "maximum length" in voice.page.status_line.text()
