"""The Voice settings: the in-tab form (applied at once) and the Settings dialog's Voice page
(applied on OK/Apply). Devices are listed off the UI thread and stored by name."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialogButtonBox

from app.settings import Preferences
from app.ui.settings.dialog import SettingsDialog
from app.ui.voice.settings_form import LANGUAGES, language_name, push_to_talk_sequence
from tests.ui.voice.voice_fixtures import *
from tests.ui.voice.voice_fixtures import VoiceHarness


def show_settings(voice: VoiceHarness, qtbot: Any) -> Any:
    voice.page.tabs.setCurrentIndex(voice.page.SETTINGS)
    form = voice.page.settings_form
    qtbot.waitUntil(lambda: form.listing_task is not None and form.listing_task.done(), timeout=5000)
    return form


def test_devices_are_listed_with_the_system_default_first(voice: VoiceHarness, qtbot: Any) -> None:
    form = show_settings(voice, qtbot)
    inputs = [form.input_combo.itemText(i) for i in range(form.input_combo.count())]
    assert inputs == ["System default (Built-in microphone)", "Fake USB microphone", "Built-in microphone"]
    assert form.input_combo.currentData() == ""
    outputs = [form.output_combo.itemData(i) for i in range(form.output_combo.count())]
    assert outputs == ["", "Fake speakers", "Fake headset"]


def test_choosing_a_microphone_applies_at_once_and_rearms_on_it(voice: VoiceHarness, qtbot: Any) -> None:
    form = show_settings(voice, qtbot)
    old_stream = voice.audio.mic
    form.input_combo.setCurrentIndex(1)
    form.input_combo.activated.emit(1)
    assert voice.context.preferences.voice_input_device == "Fake USB microphone"
    qtbot.waitUntil(lambda: voice.audio.mic is not old_stream and voice.audio.mic.device == "Fake USB microphone"
                    and voice.controller.recorder.is_armed, timeout=3000)
    assert old_stream.closed


def test_a_stored_device_that_is_not_connected_stays_selectable(voice: VoiceHarness, qtbot: Any) -> None:
    voice.context.preferences.voice_output_device = "Bluetooth headphones"
    form = show_settings(voice, qtbot)
    assert form.output_combo.currentText() == "Bluetooth headphones (not connected)"
    assert form.output_combo.currentData() == "Bluetooth headphones"


def test_the_other_options_apply_at_once(voice: VoiceHarness, qtbot: Any) -> None:
    form = show_settings(voice, qtbot)
    prefs: Preferences = voice.context.preferences
    form.language_combo.setCurrentIndex(form.language_combo.findData("de"))
    form.language_combo.activated.emit(form.language_combo.currentIndex())
    form.speed_spin.setValue(1.25)
    form.voice_combo.setCurrentText("shimmer")
    form.max_spin.setValue(60)
    form.speak_check.setChecked(False)
    form.format_combo.setCurrentIndex(form.format_combo.findData("opus"))
    form.format_combo.activated.emit(form.format_combo.currentIndex())
    form.key_edit.setKeySequence(QKeySequence("F8"))
    form.key_edit.editingFinished.emit()
    form.transcription_model_edit.setText("gpt-4o-mini-transcribe")
    form.transcription_model_edit.editingFinished.emit()
    assert (prefs.voice_language, prefs.voice_speed, prefs.voice_voice, prefs.voice_max_seconds) == ("de", 1.25, "shimmer", 60)
    assert (prefs.voice_speak_answers, prefs.voice_speech_format, prefs.voice_push_to_talk_key) == (False, "opus", "F8")
    assert prefs.voice_transcription_model == "gpt-4o-mini-transcribe"
    assert voice.controller.recorder.max_seconds == 60
    assert not voice.page.speak_answers_check.isChecked()  # the tab's switch follows
    assert form.speech_model_edit.placeholderText() == "The profile's: tts-1"
    assert language_name("de").startswith("Deutsch") and len(LANGUAGES) > 50
    assert push_to_talk_sequence("").toString() == "Space"


def test_the_settings_dialog_has_a_voice_page_applied_on_ok(qtbot: Any, make_context: Any) -> None:
    context = make_context()
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.show_page(SettingsDialog.VOICE)
    form = dialog._voice_page.form
    # Listed through sounddevice (PortAudio) — or, where there is none, a note saying so.
    qtbot.waitUntil(lambda: form.listing_task is not None and form.listing_task.done(), timeout=10000)
    assert form.input_combo.count() >= 1 and form.input_combo.itemData(0) == ""
    form.voice_combo.setCurrentText("coral")
    form.upload_combo.setCurrentIndex(form.upload_combo.findData("flac"))
    assert context.preferences.voice_voice == "alloy"  # nothing is written before OK/Apply
    dialog.buttons.button(QDialogButtonBox.StandardButton.Apply).click()
    qtbot.waitUntil(lambda: dialog.save_task is not None and dialog.save_task.done(), timeout=10000)
    assert dialog.save_task.result() is True
    assert context.preferences.voice_voice == "coral" and context.preferences.voice_upload_format == "flac"
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    from tests.ui.conftest import run

    run(qtbot, dialog.dispose())
