"""Hands-free turn taking (voice activity starts and ends turns; the microphone is ignored while
Parla speaks), the tray's and Ctrl+Enter's latched takes, and one history: voice turns stored as a
kind="voice" conversation like chat turns, new / continue latest / continue any conversation."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.store import ConversationKind, MessageState, Role
from app.ui.voice.controller import Mode, Phase
from tests.ui.voice.voice_fixtures import *
from tests.ui.voice.voice_fixtures import (
    FakeAudio,
    VoiceHarness,
    resolve,
    silence,
    speechlike,
)


def test_hands_free_takes_turns_and_ignores_the_microphone_while_parla_speaks(
        make_voice: Any, loopback: Any, qtbot: Any) -> None:
    voice = make_voice(FakeAudio(speed=1.0))
    loopback.transcription_text = "Tell me a short story about the sea."
    voice.page.hands_free_check.setChecked(True)
    assert voice.page.talk_button.text() == "Listening"
    voice.speak(silence(0.6))  # the room: the detector learns its level
    assert voice.controller.phase is Phase.IDLE
    voice.speak(speechlike(1.2))
    assert voice.controller.phase is Phase.RECORDING and voice.controller.mode is Mode.VAD
    voice.speak(silence(1.0))  # the pause that ends the turn
    qtbot.waitUntil(lambda: len(loopback.requests_to("/audio/transcriptions")) == 1, timeout=5000)

    # While Parla answers and speaks, loud sound from the microphone (its own voice) starts nothing.
    qtbot.waitUntil(lambda: voice.controller.player.is_playing, timeout=5000)
    while voice.controller.player.is_playing or voice.controller.phase is not Phase.IDLE:
        voice.speak(speechlike(0.2))
        qtbot.wait(10)
    assert voice.controller.phase is Phase.IDLE
    voice.speak(silence(0.5))  # the echo tail passes
    assert len(loopback.requests_to("/audio/transcriptions")) == 1
    assert len(voice.controller.model.turns) == 2

    # Once it has finished, the user's next turn is heard again.
    loopback.transcription_text = "And another one."
    voice.speak(speechlike(1.0))
    voice.speak(silence(1.0))
    qtbot.waitUntil(lambda: len(loopback.requests_to("/audio/transcriptions")) == 2, timeout=5000)
    voice.wait_idle()
    assert [t.text for t in voice.controller.model.turns][2:] == ["And another one.", "Echo: And another one."]

    # Off again: sound no longer starts turns; the Talk button still works.
    voice.page.hands_free_check.setChecked(False)
    voice.speak(speechlike(1.0))
    voice.speak(silence(1.0))
    assert voice.controller.phase is Phase.IDLE and len(loopback.requests_to("/audio/transcriptions")) == 2


def test_hands_free_keeps_the_microphone_armed_when_the_tab_is_hidden(voice: VoiceHarness, qtbot: Any) -> None:
    voice.page.hands_free_check.setChecked(True)
    voice.page.hide()
    qtbot.wait(50)
    assert voice.controller.recorder.is_armed
    voice.page.hands_free_check.setChecked(False)
    qtbot.waitUntil(lambda: not voice.controller.recorder.is_open, timeout=3000)
    voice.page.show()
    voice.wait_armed()


def test_hidden_tab_disarms_the_microphone(voice: VoiceHarness, qtbot: Any) -> None:
    stream = voice.audio.mic
    voice.page.hide()
    qtbot.waitUntil(lambda: stream.closed, timeout=3000)
    voice.page.show()
    voice.wait_armed()
    assert voice.audio.mic is not stream and voice.audio.mic.active


def test_tray_push_to_talk_records_until_silence(voice: VoiceHarness, loopback: Any, qtbot: Any) -> None:
    voice.page.start_push_to_talk()
    assert voice.controller.phase is Phase.RECORDING and voice.controller.mode is Mode.LATCHED
    voice.wait_recording()
    assert voice.page.talk_button.text() == "Listening… press to send"
    voice.speak(silence(0.3))
    voice.speak(speechlike(1.0))
    voice.speak(silence(1.0))
    qtbot.waitUntil(lambda: len(loopback.requests_to("/audio/transcriptions")) == 1, timeout=5000)
    voice.wait_idle()
    assert voice.controller.model.turns[0].role is Role.USER


def test_ctrl_enter_starts_and_sends_a_take(voice: VoiceHarness, loopback: Any, qtbot: Any) -> None:
    voice.page.trigger_main_action()
    voice.wait_recording()
    voice.speak(speechlike(1.0))
    voice.page.trigger_main_action()
    voice.wait_idle()
    assert len(loopback.requests_to("/audio/transcriptions")) == 1
    # A click on Talk also ends a latched take.
    voice.page.trigger_main_action()
    voice.wait_recording()
    voice.speak(speechlike(1.0))
    voice.press()
    voice.release()
    voice.wait_idle()
    assert len(loopback.requests_to("/audio/transcriptions")) == 2


def test_voice_turns_are_one_history_with_chat(voice: VoiceHarness, loopback: Any, qtbot: Any) -> None:
    store = voice.store
    loopback.transcription_text = "First voice question."
    voice.talk()
    voice.wait_idle()
    first = voice.controller.conversation
    assert first is not None and first.kind is ConversationKind.VOICE
    assert voice.page.title_label.text() == "First voice question."

    # New conversation: empty, then a second stored voice conversation.
    qtbot.mouseClick(voice.page.new_button, Qt.MouseButton.LeftButton)
    assert voice.controller.model.turns == [] and voice.page.title_label.text() == "New voice conversation"
    loopback.transcription_text = "Second voice question."
    voice.talk()
    voice.wait_idle()
    second = voice.controller.conversation
    assert second is not None and second.id != first.id
    voices = resolve(qtbot, store.list_conversations(kind=ConversationKind.VOICE))
    assert {c.id for c in voices} == {first.id, second.id}

    # Continue latest: the newest voice conversation, whose turns go into the next request.
    qtbot.mouseClick(voice.page.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: voice.page.continue_action.isEnabled(), timeout=3000)
    voice.page.continue_action.trigger()
    qtbot.waitUntil(lambda: voice.controller.conversation is not None, timeout=3000)
    assert voice.controller.conversation.id == second.id
    assert [t.text for t in voice.controller.model.turns] == ["Second voice question.", "Echo: Second voice question."]
    loopback.transcription_text = "Follow-up."
    voice.talk()
    voice.wait_idle()
    sent = loopback.last("/chat/completions").json["messages"]
    assert [(m["role"], m["content"]) for m in sent] == [
        ("user", "Second voice question."), ("assistant", "Echo: Second voice question."), ("user", "Follow-up.")]

    # A chat conversation (typed, with a system prompt) can be continued by voice, and stays a chat.
    async def make_chat() -> int:
        chat = await store.create_conversation(kind=ConversationKind.CHAT, settings={"system_prompt": "Be brief.",
                                                                                    "temperature": 0.3})
        await store.append_message(chat.id, Role.USER, "Typed question")
        await store.append_message(chat.id, Role.ASSISTANT, "Typed answer", model="gpt-4o-mini")
        return chat.id

    chat_id = resolve(qtbot, make_chat())
    voice.controller.load_recent()
    qtbot.waitUntil(lambda: any(c.id == chat_id for c in voice.controller.recent), timeout=3000)
    entries = [a.text() for a in voice.page.recent_menu.actions()]
    assert entries[0] == "Chat: Typed question" and "Voice: Follow-up." not in entries
    assert "Voice: Second voice question." in entries and "Voice: First voice question." in entries
    voice.page.recent_menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: voice.controller.conversation is not None and voice.controller.conversation.id == chat_id,
                    timeout=3000)
    assert voice.page.title_label.text() == "Typed question (a chat, continued by voice)"
    loopback.transcription_text = "Spoken follow-up."
    voice.talk()
    voice.wait_idle()
    request = loopback.last("/chat/completions").json
    assert request["messages"][0] == {"role": "system", "content": "Be brief."}
    assert request["temperature"] == 0.3
    messages = resolve(qtbot, store.messages(chat_id))
    assert [(m.role, m.text) for m in messages] == [
        (Role.USER, "Typed question"), (Role.ASSISTANT, "Typed answer"),
        (Role.USER, "Spoken follow-up."), (Role.ASSISTANT, "Echo: Spoken follow-up.")]
    assert messages[-1].state is MessageState.COMPLETE and messages[-1].model == "gpt-4o-mini"
    assert resolve(qtbot, store.get_conversation(chat_id)).kind is ConversationKind.CHAT


def test_the_transcript_model_is_a_sound_qt_model(voice: VoiceHarness, qtmodeltester: Any) -> None:
    voice.talk()
    voice.wait_idle()
    qtmodeltester.check(voice.controller.model)
    view = voice.page.transcript_view
    view.selectAll()
    assert view.selected_text().startswith("You: Loopback heard speech.ogg.")


def test_a_latched_take_without_speech_ends_by_itself(voice: VoiceHarness, loopback: Any, qtbot: Any) -> None:
    voice.page.start_push_to_talk()
    voice.wait_recording()
    voice.speak(silence(7.0), chunk_seconds=0.5)
    assert voice.controller.phase is Phase.RECORDING
    voice.speak(silence(1.5), chunk_seconds=0.5)
    qtbot.waitUntil(lambda: voice.controller.phase is Phase.IDLE, timeout=3000)
    assert "didn't hear anything" in voice.page.status_line.text()
    assert loopback.requests_to("/audio/transcriptions") == []
