"""The Voice settings, as one form used in two places: the Voice tab's Settings pane (changes apply
at once) and the Settings dialog's Voice page (they apply on OK or Apply).

Devices are listed from sounddevice off the UI thread (PortAudio can block); the first entry of each
list is "System default", which follows whatever the desktop uses as it changes. A device is
stored by name (PortAudio's numbers change with plugging order). A stored device that is not
connected now stays selectable, marked, so opening the form never silently drops the choice.
Models are free text with the profile's model as placeholder: empty means "the profile's".
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QLocale, QSignalBlocker, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.audio import AudioError, DeviceInfo
from app.profiles import Capability
from app.ui.context import AppContext
from app.ui.errors import user_message
from app.ui.voice.backend import AudioBackend
from app.ui.voice.tools import VOICES

__all__ = ["DEFAULT_PUSH_TO_TALK_KEY", "LANGUAGES", "VoiceSettingsForm", "push_to_talk_sequence"]

log = logging.getLogger(__name__)

DEFAULT_PUSH_TO_TALK_KEY = "Space"
#: ISO-639-1 codes the transcription models know (Whisper's list, the widely spoken ones).
LANGUAGES = (
    "af", "ar", "hy", "az", "be", "bs", "bg", "ca", "zh", "hr", "cs", "da", "nl", "en", "et", "fi", "fr", "gl",
    "de", "el", "he", "hi", "hu", "is", "id", "it", "ja", "kn", "kk", "ko", "lv", "lt", "mk", "ms", "mr", "mi",
    "ne", "no", "fa", "pl", "pt", "ro", "ru", "sr", "sk", "sl", "es", "sw", "sv", "tl", "ta", "th", "tr", "uk",
    "ur", "vi", "cy",
)
SPEECH_FORMATS = ("pcm", "wav", "flac", "opus", "mp3")


def push_to_talk_sequence(text: str) -> QKeySequence:
    """The stored key as a one-key sequence; the default when empty or unreadable."""
    sequence = QKeySequence(text or DEFAULT_PUSH_TO_TALK_KEY, QKeySequence.SequenceFormat.PortableText)
    if sequence.isEmpty():
        sequence = QKeySequence(DEFAULT_PUSH_TO_TALK_KEY)
    return sequence


def language_name(code: str) -> str:
    """The language named in itself ("Deutsch"), so it can be found whatever the UI language."""
    locale = QLocale(code)
    if locale.language() == QLocale.Language.C:
        return code
    name = locale.nativeLanguageName() or QLocale.languageToString(locale.language())
    return f"{name[:1].upper()}{name[1:]} ({code})" if name else code


class VoiceSettingsForm(QWidget):
    """Edits the ``voice_*`` preferences. ``auto_apply``: write each change at once."""

    #: The device lists were (re)loaded.
    devices_listed = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, backend: AudioBackend | None = None,
                 auto_apply: bool = False) -> None:
        super().__init__(parent)
        self._context = context
        self._preferences = context.preferences
        self._backend = backend or AudioBackend()
        self._auto_apply = auto_apply
        self._loading = False
        self._listed = False
        self._listing = context.tasks.holder("voice.settings.devices")
        listing = self._listing
        self.destroyed.connect(lambda *_: listing.cancel())

        # Devices
        self._input_combo = QComboBox(self)
        self._output_combo = QComboBox(self)
        for combo in (self._input_combo, self._output_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(24)
        self._refresh_button = QPushButton(self.tr("Refresh"), self)
        self._refresh_button.clicked.connect(self.list_devices)
        self._device_note = QLabel(self)
        self._device_note.setWordWrap(True)
        self._device_note.hide()

        # Listening
        self._transcription_model = QLineEdit(self)
        self._language_combo = QComboBox(self)
        self._language_combo.addItem(self.tr("Detect automatically"), "")
        for code in sorted(LANGUAGES, key=lambda c: language_name(c).casefold()):
            self._language_combo.addItem(language_name(code), code)
        self._prompt = QLineEdit(self)
        self._prompt.setPlaceholderText(self.tr("Names and words to spell right, or the topic (optional)"))
        self._upload_combo = QComboBox(self)
        self._upload_combo.addItem(self.tr("Opus — about 6× smaller (recommended)"), "opus")
        self._upload_combo.addItem(self.tr("FLAC — lossless, larger"), "flac")
        self._key_edit = QKeySequenceEdit(self)
        self._key_edit.setMaximumSequenceLength(1)
        self._key_edit.setClearButtonEnabled(True)
        self._key_reset = QPushButton(self.tr("Default"), self)
        self._key_reset.clicked.connect(lambda: self._key_edit.setKeySequence(QKeySequence(DEFAULT_PUSH_TO_TALK_KEY)))
        self._max_spin = QSpinBox(self)
        self._max_spin.setRange(10, 600)
        self._max_spin.setSingleStep(10)
        self._max_spin.setSuffix(self.tr(" s"))

        # Speaking
        self._speak_check = QCheckBox(self.tr("Speak ans&wers aloud"), self)
        self._speech_model = QLineEdit(self)
        self._voice_combo = QComboBox(self)
        self._voice_combo.setEditable(True)
        self._voice_combo.addItems(list(VOICES))
        self._speed_spin = QDoubleSpinBox(self)
        self._speed_spin.setRange(0.25, 4.0)
        self._speed_spin.setSingleStep(0.05)
        self._speed_spin.setDecimals(2)
        self._speed_spin.setSuffix("×")
        self._format_combo = QComboBox(self)
        self._format_combo.addItem(self.tr("PCM — starts playing soonest (recommended)"), "pcm")
        self._format_combo.addItem("WAV", "wav")  # a format's name is not translated
        self._format_combo.addItem("FLAC", "flac")  # a format's name is not translated
        self._format_combo.addItem(self.tr("Opus — smallest download"), "opus")
        self._format_combo.addItem("MP3", "mp3")  # a format's name is not translated

        self._describe_fields()
        QWidget.setTabOrder(self._input_combo, self._refresh_button)  # Refresh sits beside the microphone
        QWidget.setTabOrder(self._refresh_button, self._output_combo)

        devices = QGroupBox(self.tr("Sound devices"), self)
        device_form = QFormLayout(devices)
        device_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        input_row = QHBoxLayout()
        input_row.addWidget(self._input_combo)
        input_row.addWidget(self._refresh_button)
        input_row.addStretch(1)
        device_form.addRow(self._label(self.tr("&Microphone:"), self._input_combo), input_row)
        device_form.addRow(self._label(self.tr("S&peakers:"), self._output_combo), self._output_combo)
        device_form.addRow(self._device_note)

        listening = QGroupBox(self.tr("Listening"), self)
        listen_form = QFormLayout(listening)
        listen_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        listen_form.addRow(self._label(self.tr("&Transcription model:"), self._transcription_model),
                           self._transcription_model)
        listen_form.addRow(self._label(self.tr("&Language:"), self._language_combo), _at_size_hint(self._language_combo))
        listen_form.addRow(self._label(self.tr("Pr&ompt:"), self._prompt), self._prompt)
        listen_form.addRow(self._label(self.tr("&Send recordings as:"), self._upload_combo),
                           _at_size_hint(self._upload_combo))
        key_row = QHBoxLayout()
        key_row.addWidget(self._key_edit)
        key_row.addWidget(self._key_reset)
        key_row.addStretch(1)
        listen_form.addRow(self._label(self.tr("Push-to-talk &key:"), self._key_edit), key_row)
        key_note = QLabel(self.tr("Hold it while the Voice tab has the focus (not while typing in a text field)."), self)
        key_note.setWordWrap(True)
        key_note.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        listen_form.addRow("", key_note)
        listen_form.addRow(self._label(self.tr("Longest &recording:"), self._max_spin), _at_size_hint(self._max_spin))

        speaking = QGroupBox(self.tr("Speaking"), self)
        speak_form = QFormLayout(speaking)
        speak_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        speak_form.addRow(self._speak_check)
        speak_form.addRow(self._label(self.tr("Sp&eech model:"), self._speech_model), self._speech_model)
        speak_form.addRow(self._label(self.tr("Vo&ice:"), self._voice_combo), _at_size_hint(self._voice_combo))
        speak_form.addRow(self._label(self.tr("Spee&d:"), self._speed_spin), _at_size_hint(self._speed_spin))
        speak_form.addRow(self._label(self.tr("A&udio format:"), self._format_combo), _at_size_hint(self._format_combo))

        content = QWidget(self)
        content_layout = QVBoxLayout(content)
        content_layout.addWidget(devices)
        content_layout.addWidget(listening)
        content_layout.addWidget(speaking)
        content_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        self.load()
        if auto_apply:
            for combo in (self._input_combo, self._output_combo, self._language_combo, self._upload_combo,
                          self._format_combo):
                combo.activated.connect(self._on_edited)
            self._voice_combo.currentTextChanged.connect(self._on_edited)
            for edit in (self._transcription_model, self._prompt, self._speech_model):
                edit.editingFinished.connect(self._on_edited)
            self._key_edit.editingFinished.connect(self._on_edited)
            self._key_reset.clicked.connect(self._on_edited)
            self._max_spin.valueChanged.connect(self._on_edited)
            self._speed_spin.valueChanged.connect(self._on_edited)
            self._speak_check.toggled.connect(self._on_edited)
            self._preferences.changed.connect(self._on_preference_changed)
        context.session.profiles_changed.connect(self._update_placeholders)

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        """A form caption whose Alt+letter moves the focus to ``buddy``."""
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    def _describe_fields(self) -> None:
        """Names for screen readers and tooltips (a combo box's name would otherwise be its value)."""
        described: list[tuple[QWidget, str, str]] = [
            (self._input_combo, self.tr("Microphone"), self.tr("The microphone Parla records from")),
            (self._output_combo, self.tr("Speakers"), self.tr("Where Parla plays spoken answers")),
            (self._transcription_model, self.tr("Transcription model"),
             self.tr("The model that turns your speech into text; empty uses the profile's")),
            (self._language_combo, self.tr("Language"),
             self.tr("The language you speak; naming it helps with short recordings")),
            (self._prompt, self.tr("Transcription prompt"),
             self.tr("Names and words the transcription should spell right, or the topic")),
            (self._upload_combo, self.tr("Send recordings as"), self.tr("The audio format recordings are uploaded in")),
            (self._key_edit, self.tr("Push-to-talk key"),
             self.tr("Click here and press the key to hold while talking; Default puts back Space")),
            (self._key_reset, self.tr("Default push-to-talk key"), self.tr("Use the Space bar again")),
            (self._max_spin, self.tr("Longest recording"), self.tr("A recording stops by itself after this long")),
            (self._speak_check, self.tr("Speak answers aloud"), self.tr("Read the assistant's answers out loud")),
            (self._speech_model, self.tr("Speech model"),
             self.tr("The model that speaks the answers; empty uses the profile's")),
            (self._voice_combo, self.tr("Voice"), self.tr("The voice that speaks; pick one or type a name the server knows")),
            (self._speed_spin, self.tr("Speed"), self.tr("How fast the voice speaks: 1× is normal")),
            (self._format_combo, self.tr("Audio format"), self.tr("The format the spoken answers are downloaded in")),
            (self._refresh_button, self.tr("Refresh the device lists"), self.tr("List the sound devices again")),
        ]
        for widget, name, tip in described:
            widget.setAccessibleName(name)
            widget.setToolTip(tip)

    # -- widgets (tests) -------------------------------------------------------------------------
    @property
    def input_combo(self) -> QComboBox:
        return self._input_combo

    @property
    def output_combo(self) -> QComboBox:
        return self._output_combo

    @property
    def language_combo(self) -> QComboBox:
        return self._language_combo

    @property
    def key_edit(self) -> QKeySequenceEdit:
        return self._key_edit

    @property
    def voice_combo(self) -> QComboBox:
        return self._voice_combo

    @property
    def speed_spin(self) -> QDoubleSpinBox:
        return self._speed_spin

    @property
    def format_combo(self) -> QComboBox:
        return self._format_combo

    @property
    def upload_combo(self) -> QComboBox:
        return self._upload_combo

    @property
    def max_spin(self) -> QSpinBox:
        return self._max_spin

    @property
    def speak_check(self) -> QCheckBox:
        return self._speak_check

    @property
    def transcription_model_edit(self) -> QLineEdit:
        return self._transcription_model

    @property
    def speech_model_edit(self) -> QLineEdit:
        return self._speech_model

    @property
    def prompt_edit(self) -> QLineEdit:
        return self._prompt

    @property
    def device_note(self) -> QLabel:
        return self._device_note

    @property
    def listing_task(self) -> asyncio.Task[None] | None:
        return self._listing.task

    # -- load / apply ----------------------------------------------------------------------------
    def load(self) -> None:
        """Show the stored preferences."""
        prefs = self._preferences
        self._loading = True
        try:
            self._select_device(self._input_combo, prefs.voice_input_device)
            self._select_device(self._output_combo, prefs.voice_output_device)
            self._transcription_model.setText(prefs.voice_transcription_model)
            self._language_combo.setCurrentIndex(max(0, self._language_combo.findData(prefs.voice_language)))
            self._prompt.setText(prefs.voice_prompt)
            self._upload_combo.setCurrentIndex(max(0, self._upload_combo.findData(prefs.voice_upload_format)))
            self._key_edit.setKeySequence(push_to_talk_sequence(prefs.voice_push_to_talk_key))
            self._max_spin.setValue(prefs.voice_max_seconds)
            self._speak_check.setChecked(prefs.voice_speak_answers)
            self._speech_model.setText(prefs.voice_speech_model)
            self._voice_combo.setCurrentText(prefs.voice_voice)
            self._speed_spin.setValue(prefs.voice_speed)
            self._format_combo.setCurrentIndex(max(0, self._format_combo.findData(prefs.voice_speech_format)))
        finally:
            self._loading = False
        self._update_placeholders()

    def apply(self) -> None:
        """Write the form's values to the preferences."""
        prefs = self._preferences
        prefs.voice_input_device = str(self._input_combo.currentData() or "")
        prefs.voice_output_device = str(self._output_combo.currentData() or "")
        prefs.voice_transcription_model = self._transcription_model.text().strip()
        prefs.voice_language = str(self._language_combo.currentData() or "")
        prefs.voice_prompt = self._prompt.text().strip()
        prefs.voice_upload_format = str(self._upload_combo.currentData() or "opus")
        sequence = self._key_edit.keySequence()
        prefs.voice_push_to_talk_key = (sequence.toString(QKeySequence.SequenceFormat.PortableText)
                                        if not sequence.isEmpty() else DEFAULT_PUSH_TO_TALK_KEY)
        prefs.voice_max_seconds = self._max_spin.value()
        prefs.voice_speak_answers = self._speak_check.isChecked()
        prefs.voice_speech_model = self._speech_model.text().strip()
        prefs.voice_voice = self._voice_combo.currentText().strip() or "alloy"
        prefs.voice_speed = round(self._speed_spin.value(), 2)
        prefs.voice_speech_format = str(self._format_combo.currentData() or "pcm")

    # -- devices ---------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        """The devices are listed when the form is first shown: PortAudio is not woken for a
        Settings dialog opened to change a token."""
        super().showEvent(event)
        if not self._listed:
            self.list_devices()

    @Slot()
    def list_devices(self) -> asyncio.Task[None]:
        """List the input and output devices (off the UI thread) into the two combo boxes."""
        self._listed = True
        return self._listing.start(self._list_devices())

    async def _list_devices(self) -> None:
        self._refresh_button.setEnabled(False)
        try:
            inputs = await asyncio.to_thread(self._backend.list_inputs)
            outputs = await asyncio.to_thread(self._backend.list_outputs)
        except AudioError as exc:
            self._device_note.setText(user_message(exc))
            self._device_note.show()
            return
        finally:
            if isValid(self):  # the dialog may be gone when a cancelled listing unwinds
                self._refresh_button.setEnabled(True)
        self._device_note.hide()
        self._loading = True
        try:
            self._fill_devices(self._input_combo, inputs, self._preferences.voice_input_device)
            self._fill_devices(self._output_combo, outputs, self._preferences.voice_output_device)
        finally:
            self._loading = False
        if not inputs:
            self._device_note.setText(self.tr("No microphone is connected."))
            self._device_note.show()
        self.devices_listed.emit()

    def _select_device(self, combo: QComboBox, stored: str) -> None:
        """Select ``stored`` (adding it, marked, when it is not listed)."""
        if combo.count() == 0:
            combo.addItem(self.tr("System default"), "")
        index = combo.findData(stored)
        if index < 0 and stored:
            combo.addItem(self.tr("{name} (not connected)").format(name=stored), stored)
            index = combo.count() - 1
        combo.setCurrentIndex(max(0, index))

    def _fill_devices(self, combo: QComboBox, devices: list[DeviceInfo], stored: str) -> None:
        blocker = QSignalBlocker(combo)
        current = str(combo.currentData() or stored)
        combo.clear()
        default = next((d for d in devices if d.is_default), None)
        label = self.tr("System default") if default is None else self.tr("System default ({name})").format(
            name=default.name)
        combo.addItem(label, "")
        seen: set[str] = set()
        for device in devices:
            if device.name in seen:  # the same device under several host APIs: one entry, by name
                continue
            seen.add(device.name)
            combo.addItem(device.name, device.name)
            combo.setItemData(combo.count() - 1, device.label, Qt.ItemDataRole.ToolTipRole)
        self._select_device(combo, current)
        del blocker

    # -- reactions -------------------------------------------------------------------------------
    @Slot()
    def _update_placeholders(self) -> None:
        profile = self._context.session.profile
        self._transcription_model.setPlaceholderText(
            self.tr("The profile's: {model}").format(model=profile.model_for(Capability.TRANSCRIPTION)))
        self._speech_model.setPlaceholderText(
            self.tr("The profile's: {model}").format(model=profile.model_for(Capability.SPEECH)))

    @Slot()
    def _on_edited(self, *_args: object) -> None:
        if not self._loading:
            self._applying = True
            try:
                self.apply()
            finally:
                self._applying = False

    @Slot(str)
    def _on_preference_changed(self, name: str) -> None:
        if name.startswith("voice_") and not getattr(self, "_applying", False):
            self.load()


def _at_size_hint(widget: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(widget)
    row.addStretch(1)
    widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    return row
