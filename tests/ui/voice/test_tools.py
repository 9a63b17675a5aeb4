"""The Voice tab's tools against the loopback server: transcribe a file in every format (verbose
JSON's segments in a table) and save it, translate, refuse files over 25 MB before sending; speak a
text with a voice and speed, play it, and save it in every format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog

from app.ui.voice.tools import SAVE_AS_FORMATS, format_timestamp
from tests.ui.voice.voice_fixtures import *
from tests.ui.voice.voice_fixtures import VoiceHarness, speechlike

SPOKEN = "The quick brown fox jumps. It lands softly! Then it runs away?"


@pytest.fixture
def clip_file(tmp_path: Path) -> Path:
    path = tmp_path / "meeting notes.wav"
    sf.write(path, speechlike(2.0), 16000)
    return path


def transcribe(voice: VoiceHarness, qtbot: Any, path: Path, fmt: str, *, translate: bool = False) -> Any:
    tool = voice.page.transcribe_tool
    voice.page.tabs.setCurrentIndex(voice.page.TRANSCRIBE)
    tool.set_file(str(path))
    tool.set_format(fmt)
    tool.set_translate(translate)
    assert tool.run_button.isEnabled()
    with qtbot.waitSignal(tool.finished, timeout=10000):
        tool.run_button.click()
    qtbot.waitUntil(lambda: tool.job.done() and tool.run_button.isEnabled(), timeout=5000)
    return tool


@pytest.mark.parametrize("fmt", ["text", "srt", "vtt", "verbose_json"])
def test_transcribe_a_file_in_every_format_and_save_it(voice: VoiceHarness, loopback: Any, qtbot: Any,
                                                       clip_file: Path, tmp_path: Path, fmt: str) -> None:
    loopback.transcription_text = SPOKEN
    tool = transcribe(voice, qtbot, clip_file, fmt)
    request = loopback.last("/audio/transcriptions")
    assert request.form["response_format"] == [fmt] and request.form["model"] == ["whisper-1"]
    upload = request.files["file"][0]
    assert upload.filename == "meeting notes.wav" and upload.data == clip_file.read_bytes()
    assert upload.content_type in ("audio/wav", "audio/x-wav")
    shown = tool.text_view.toPlainText()
    if fmt in ("text", "verbose_json"):
        assert shown == SPOKEN
    elif fmt == "srt":
        assert shown.startswith("1\n00:00:00,000 --> ") and "It lands softly!" in shown
    else:
        assert shown.startswith("WEBVTT") and "00:00:00.000 --> " in shown
    table = tool.segments_table
    if fmt == "verbose_json":
        assert table.isVisible()
        model = tool.segments_model
        assert model.rowCount() == 3
        assert [model.index(r, 2).data() for r in range(3)] == ["The quick brown fox jumps.", "It lands softly!",
                                                              "Then it runs away?"]
        assert model.index(0, 0).data() == "00:00.000"
        assert model.index(2, 1).data() == format_timestamp(model.segments[2].end)
        assert model.segments[2].end == pytest.approx(2.0, abs=0.01)  # the file's duration
        assert "2.0 s of audio" in tool.status.text()
    else:
        assert not table.isVisible()

    target = tmp_path / "out" 
    target.mkdir()
    saved_task = tool.save_to(str(target / "result"))
    qtbot.waitUntil(saved_task.done, timeout=5000)
    assert saved_task.result() is True
    suffix = {"text": ".txt", "srt": ".srt", "vtt": ".vtt", "verbose_json": ".json"}[fmt]
    written = (target / ("result" + suffix)).read_text(encoding="utf-8")
    if fmt == "verbose_json":
        data = json.loads(written)
        assert data["text"] == SPOKEN and len(data["segments"]) == 3 and data["language"] == "english"
    elif fmt == "text":
        assert written == SPOKEN + "\n"
    else:
        assert written == tool.result.text
    assert "Saved to" in tool.status.text()


def test_translate_a_file_into_english(voice: VoiceHarness, loopback: Any, qtbot: Any, clip_file: Path) -> None:
    voice.context.preferences.voice_language = "de"  # the spoken language is for transcription only
    tool = transcribe(voice, qtbot, clip_file, "text", translate=True)
    request = loopback.last("/audio/translations")
    assert "language" not in request.form and request.form["response_format"] == ["text"]
    assert tool.text_view.toPlainText() == f"Loopback translated meeting notes.wav. It was {clip_file.stat().st_size} bytes long."
    assert tool.run_button.text() == "Translate"
    assert loopback.requests_to("/audio/transcriptions") == []


def test_language_and_prompt_settings_are_sent(voice: VoiceHarness, loopback: Any, qtbot: Any, clip_file: Path) -> None:
    voice.context.preferences.voice_language = "fr"
    voice.context.preferences.voice_prompt = "Parla, Qt, PySide"
    voice.context.preferences.voice_transcription_model = "gpt-4o-transcribe"
    transcribe(voice, qtbot, clip_file, "verbose_json")
    request = loopback.last("/audio/transcriptions")
    assert request.form["language"] == ["fr"] and request.form["prompt"] == ["Parla, Qt, PySide"]
    assert request.form["model"] == ["gpt-4o-transcribe"]
    assert voice.page.transcribe_tool.result.language == "french"


def test_files_over_25_mb_are_refused_before_sending(voice: VoiceHarness, loopback: Any, qtbot: Any,
                                                      tmp_path: Path) -> None:
    big = tmp_path / "long recording.mp3"
    with big.open("wb") as handle:
        handle.truncate(25 * 1024 * 1024 + 1)  # sparse: nothing is really written
    tool = transcribe(voice, qtbot, big, "text")
    assert tool.status.kind == "error"
    assert tool.status.text() == ("The file is too large: 25.0 MB is over the API's 25 MB upload limit — "
                                  "shorten or compress it.")
    assert loopback.requests_to("/audio/transcriptions") == []
    assert tool.result is None and not tool.save_button.isEnabled()


def test_a_missing_file_and_a_server_error_are_explained(voice: VoiceHarness, loopback: Any, qtbot: Any,
                                                          tmp_path: Path, clip_file: Path) -> None:
    tool = transcribe(voice, qtbot, tmp_path / "gone.wav", "text")
    assert tool.status.kind == "error" and "File not found" in tool.status.text()
    from tests.loopback.server import Fault

    loopback.inject("/audio/transcriptions", Fault(status=400, error={"message": "Invalid file format."}))
    tool = transcribe(voice, qtbot, clip_file, "text")
    assert "Invalid file format." in tool.status.text()


def test_a_dropped_file_is_taken(voice: VoiceHarness, clip_file: Path, qtbot: Any) -> None:
    tool = voice.page.transcribe_tool
    voice.page.tabs.setCurrentIndex(voice.page.TRANSCRIBE)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(clip_file))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    tool.dropEvent(event)  # what Qt calls when a file is dropped on the tool
    assert event.isAccepted()
    assert tool.path == str(clip_file)
    assert tool.run_button.isEnabled()


def test_choose_and_save_use_non_blocking_dialogs(voice: VoiceHarness, qtbot: Any, clip_file: Path) -> None:
    tool = transcribe(voice, qtbot, clip_file, "srt")
    tool.save_button.click()
    dialog = tool.findChild(QFileDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    assert dialog.selectedFiles()[0].endswith("meeting notes.srt")
    dialog.reject()


def test_speak_text_plays_with_the_chosen_voice_and_speed(voice: VoiceHarness, loopback: Any, qtbot: Any) -> None:
    tool = voice.page.speak_tool
    voice.page.tabs.setCurrentIndex(voice.page.SPEAK)
    tool.editor.setPlainText("Good morning. 早上好，今天天气很好！This is the news.")
    tool.voice_combo.setCurrentText("nova")
    tool.speed_spin.setValue(1.5)
    tool.play_button.click()
    assert tool.stop_button.isEnabled() and not tool.play_button.isEnabled()
    qtbot.waitUntil(lambda: tool.play_task.done(), timeout=10000)
    requests = loopback.requests_to("/audio/speech")
    assert sorted(r.json["input"] for r in requests) == sorted(["Good morning.", "早上好，今天天气很好！", "This is the news."])
    assert {(r.json["voice"], r.json["speed"], r.json["response_format"], r.json["model"]) for r in requests} == {
        ("nova", 1.5, "pcm", "tts-1")}
    played = np.nan_to_num(voice.audio.played())
    assert np.count_nonzero(np.abs(played) > 1e-3) > 0
    assert tool.status.text() == "Done."


def test_speak_text_stop_silences_it(make_voice: Any, loopback: Any, qtbot: Any) -> None:
    from tests.ui.voice.voice_fixtures import FakeAudio

    voice = make_voice(FakeAudio(speed=1.0))
    tool = voice.page.speak_tool
    tool.editor.setPlainText("A rather long sentence that takes a while to say out loud. " * 4)
    tool.play_button.click()
    qtbot.waitUntil(lambda: voice.controller.player.is_playing, timeout=5000)
    tool.stop_button.click()
    assert not voice.controller.player.is_playing
    qtbot.waitUntil(lambda: tool.play_task.done(), timeout=3000)
    assert tool.status.text() == "Speaking…" or tool.status.text() == "Stopped."


@pytest.mark.parametrize("fmt", SAVE_AS_FORMATS)
def test_speak_text_saves_every_format(voice: VoiceHarness, loopback: Any, qtbot: Any, tmp_path: Path,
                                       fmt: str) -> None:
    tool = voice.page.speak_tool
    text = "Save this sentence, please."
    tool.editor.setPlainText(text)
    tool.voice_combo.setCurrentText("echo")
    tool.speed_spin.setValue(0.75)
    tool.set_format(fmt)
    task = tool.save_to(str(tmp_path / "speech"))
    qtbot.waitUntil(task.done, timeout=10000)
    assert task.result() is True
    saved = tmp_path / f"speech.{fmt}"
    assert saved.read_bytes() == loopback.speech(text, 0.75, fmt)
    request = loopback.last("/audio/speech")
    assert request.json["response_format"] == fmt and request.json["voice"] == "echo"
    if fmt != "aac":
        data, rate = sf.read(saved)
        assert len(data) / rate == pytest.approx((0.2 + 0.02 * len(text)) / 0.75, abs=0.08)


def test_speak_text_refuses_to_save_over_the_input_limit(voice: VoiceHarness, loopback: Any, qtbot: Any,
                                                         tmp_path: Path) -> None:
    tool = voice.page.speak_tool
    tool.editor.setPlainText("word " * 1000)
    task = tool.save_to(str(tmp_path / "long.mp3"))
    qtbot.waitUntil(task.done, timeout=5000)
    assert task.result() is False
    assert "up to 4096 characters" in tool.status.text() and "4999" in tool.status.text()
    assert loopback.requests_to("/audio/speech") == []
    assert not (tmp_path / "long.mp3").exists()



def test_the_segments_table_is_a_sound_qt_model(voice: VoiceHarness, qtbot: Any, clip_file: Path,
                                                qtmodeltester: Any, loopback: Any) -> None:
    loopback.transcription_text = SPOKEN
    tool = transcribe(voice, qtbot, clip_file, "verbose_json")
    qtmodeltester.check(tool.segments_model)
    assert tool.segments_model.headerData(2, Qt.Orientation.Horizontal) == "Text"
    assert format_timestamp(3723.45) == "1:02:03.450"
