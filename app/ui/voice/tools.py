"""The Voice tab's tools: transcribe or translate a file, and speak a text.

:class:`TranscribeTool` — drop (or choose) an audio or video file; it is checked against the API's
25 MB limit *before* anything is read or sent (``app.audio.check_upload_size``), read off the UI
thread, and sent to ``/audio/transcriptions`` or ``/audio/translations`` as plain text, SubRip,
WebVTT or verbose JSON. Verbose JSON's segments (start, end, text) fill a table. Save writes what
the server returned: the text, the subtitles as they are, or the whole JSON.

:class:`SpeakTool` — paste a text, choose voice and speed, Play (the text is cut into sentences and
spoken while later ones are still being fetched, like a voice answer, so a long text starts at once
and is not limited to the endpoint's 4096 characters), or Save as mp3, wav, opus, flac or aac: the
server is asked for that format and its bytes are written as they are, so nothing is re-encoded
(and AAC, which nothing here can encode, works too).
"""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.api.errors import APIError
from app.api.types import Segment, Transcription
from app.audio import AudioError, SpeakWhileStreaming, check_upload_size, speech_source
from app.credentials import CredentialError
from app.ui.context import AppContext
from app.ui.errors import NoTokenError, user_message
from app.ui.voice.controller import MAX_SPEECH_IN_FLIGHT, VoiceController
from app.ui.voice.status_line import StatusLine
from app.ui.widgets.elided_label import ElidedLabel

__all__ = ["FILE_FORMATS", "SAVE_AS_FORMATS", "SPEECH_INPUT_LIMIT", "VOICES", "SegmentsModel", "SpeakTool",
           "TranscribeTool", "format_timestamp"]

log = logging.getLogger(__name__)

#: response_format → file suffix for Save.
FILE_FORMATS: dict[str, str] = {"text": ".txt", "srt": ".srt", "vtt": ".vtt", "verbose_json": ".json"}
#: Formats Speak text can save (asked from /audio/speech as they are).
SAVE_AS_FORMATS = ("mp3", "wav", "opus", "flac", "aac")
#: /audio/speech takes at most this many characters per request.
SPEECH_INPUT_LIMIT = 4096
#: The voices OpenAI's speech models offer; the list is editable (other servers name theirs).
VOICES = ("alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse")
#: Files the transcription endpoint reads (audio, and video whose sound track it extracts).
MEDIA_SUFFIXES = ("flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "oga", "opus", "wav", "webm")

_EXPECTED = (APIError, NoTokenError, CredentialError, AudioError, OSError)


def format_timestamp(seconds: float) -> str:
    """``01:02:03.450`` — hours only when needed."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}.{millis:03d}"
    return f"{minutes:02d}:{secs:02d}.{millis:03d}"


Index = QModelIndex | QPersistentModelIndex


class SegmentsModel(QAbstractTableModel):
    """Verbose JSON's segments: start, end, text."""

    COLUMNS = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._segments: list[Segment] = []

    def set_segments(self, segments: list[Segment]) -> None:
        self.beginResetModel()
        self._segments = list(segments)
        self.endResetModel()

    @property
    def segments(self) -> list[Segment]:
        return list(self._segments)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._segments)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._segments):
            return None
        segment = self._segments[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return format_timestamp(segment.start)
            if column == 1:
                return format_timestamp(segment.end)
            return segment.text.strip()
        if role == Qt.ItemDataRole.UserRole:
            return (segment.start, segment.end, segment.text)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column < 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return (self.tr("Start"), self.tr("End"), self.tr("Text"))[section] if 0 <= section < 3 else None


class DropArea(QFrame):
    """Where a file can be dropped; a Choose… button beside the words."""

    file_dropped = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voice_drop_area")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFrameShadow(QFrame.Shadow.Sunken)
        self.setAcceptDrops(True)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.choose_button = QPushButton(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.choose_button)

    @staticmethod
    def _local_file(event: QDragEnterEvent | QDropEvent) -> str | None:
        mime = event.mimeData()
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile():
                return url.toLocalFile()
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._local_file(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._local_file(event)
        if path:
            event.acceptProposedAction()
            self.file_dropped.emit(path)


def _when_done(task: asyncio.Task[Any], widget: QWidget, callback: Callable[[], None]) -> None:
    """Run ``callback`` once ``task`` has finished (buttons depend on whether it still runs)."""
    task.add_done_callback(lambda _task: callback() if isValid(widget) else None)


def _cancel_on_destroy(widget: QWidget, *holders: object) -> None:
    """A widget's jobs stop when it goes (the lambda holds the holders, not the widget)."""
    widget.destroyed.connect(lambda *_: [h.cancel() for h in holders])  # type: ignore[attr-defined]


def _save_dialog(parent: QWidget, caption: str, suggested: str, name_filter: str,
                 on_selected: object) -> QFileDialog:
    """A non-blocking Save dialog (``open()``, never ``exec()``: no nested event loop under qasync)."""
    dialog = QFileDialog(parent, caption, suggested, name_filter)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.fileSelected.connect(on_selected)  # type: ignore[arg-type]
    dialog.open()
    return dialog


class TranscribeTool(QWidget):
    """Transcribe (or translate into English) an audio or video file, show it, save it."""

    #: A job finished (successfully or not); tests and the page listen.
    finished = Signal()

    def __init__(self, context: AppContext, controller: VoiceController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._controller = controller
        self._job = context.tasks.holder("voice.transcribe_file")
        self._saving = context.tasks.holder("voice.transcribe_save")
        self._path: str | None = None
        self._result: Transcription | None = None
        self._result_format = "text"
        self._result_source = ""
        _cancel_on_destroy(self, self._job, self._saving)

        self._drop = DropArea(self)
        self._drop.label.setText(self.tr("Drop an audio or video file here (up to 25 MB), or"))
        self._drop.choose_button.clicked.connect(self._on_choose_clicked)
        self._drop.file_dropped.connect(self.set_file)
        self.setAcceptDrops(True)
        self._file_label = ElidedLabel(self.tr("No file chosen."), self, max_width=900)

        self._transcribe_radio = QRadioButton(self.tr("Transcribe"), self)
        self._translate_radio = QRadioButton(self.tr("Translate into English"), self)
        self._transcribe_radio.setChecked(True)
        self._task_group = QButtonGroup(self)
        self._task_group.addButton(self._transcribe_radio)
        self._task_group.addButton(self._translate_radio)
        self._task_group.buttonToggled.connect(self._update_buttons)

        self._format_combo = QComboBox(self)
        self._format_combo.addItem(self.tr("Plain text"), "text")
        self._format_combo.addItem(self.tr("Subtitles (SRT)"), "srt")
        self._format_combo.addItem(self.tr("Subtitles (WebVTT)"), "vtt")
        self._format_combo.addItem(self.tr("Detailed, with timestamps (verbose JSON)"), "verbose_json")

        self._run_button = QPushButton(self)
        self._run_button.setDefault(True)
        self._run_button.clicked.connect(self.start)
        self._cancel_button = QPushButton(self.tr("Cancel"), self)
        self._cancel_button.clicked.connect(self.cancel)
        self._save_button = QPushButton(self.tr("Save…"), self)
        self._save_button.clicked.connect(self._on_save_clicked)
        self._status = StatusLine(self)

        self._text = QPlainTextEdit(self)
        self._text.setReadOnly(True)
        self._text.setObjectName("voice_transcription_text")
        self._text.setPlaceholderText(self.tr("The transcription appears here."))
        self._segments = SegmentsModel(self)
        self._table = QTableView(self)
        self._table.setModel(self._segments)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setWordWrap(True)
        self._table.verticalHeader().hide()
        header = self._table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self._table.hide()
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self._text)
        splitter.addWidget(self._table)
        splitter.setChildrenCollapsible(False)

        options = QFormLayout()
        options.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        task_row = QHBoxLayout()
        task_row.addWidget(self._transcribe_radio)
        task_row.addWidget(self._translate_radio)
        task_row.addStretch(1)
        options.addRow(self.tr("File:"), self._file_label)
        self._task_caption = QLabel(self.tr("&Task:"), self)
        options.addRow(self._task_caption, task_row)
        format_row = QHBoxLayout()
        format_row.addWidget(self._format_combo)
        format_row.addStretch(1)
        self._result_caption = QLabel(self.tr("Res&ult:"), self)
        options.addRow(self._result_caption, format_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self._run_button)
        buttons.addWidget(self._cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self._save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self._drop)
        layout.addLayout(options)
        layout.addLayout(buttons)
        layout.addWidget(self._status)
        layout.addWidget(splitter, 1)
        self._describe_controls()
        self._update_buttons()

    def _describe_controls(self) -> None:
        """Names for screen readers, tooltips, and Alt+letter captions that move the focus."""
        described: list[tuple[QWidget, str, str]] = [
            (self._drop.choose_button, self.tr("Choose a file"), self.tr("Pick the audio or video file to transcribe")),
            (self._transcribe_radio, self.tr("Transcribe"), self.tr("Write down what is said, in its own language")),
            (self._translate_radio, self.tr("Translate into English"), self.tr("Write what is said in English")),
            (self._format_combo, self.tr("Result format"),
             self.tr("Plain text, subtitles, or a detailed list of timed segments")),
            (self._run_button, "", self.tr("Send the file to the server (Ctrl+Enter)")),  # named by its text
            (self._cancel_button, self.tr("Cancel"), self.tr("Stop the transcription")),
            (self._save_button, self.tr("Save the result"), self.tr("Save the result to a file")),
            (self._text, self.tr("Transcription"), self.tr("The text of the file; select and copy it, or Save…")),
            (self._table, self.tr("Timed segments"), self.tr("Each segment with its start and end time")),
        ]
        for widget, name, tip in described:
            if name:
                widget.setAccessibleName(name)
            widget.setToolTip(tip)
        self._drop.choose_button.setText(self.tr("C&hoose a file…"))
        self._task_caption.setBuddy(self._transcribe_radio)
        self._result_caption.setBuddy(self._format_combo)

    # -- public --------------------------------------------------------------------------------
    @property
    def path(self) -> str | None:
        return self._path

    @property
    def result(self) -> Transcription | None:
        return self._result

    @property
    def text_view(self) -> QPlainTextEdit:
        return self._text

    @property
    def segments_model(self) -> SegmentsModel:
        return self._segments

    @property
    def segments_table(self) -> QTableView:
        return self._table

    @property
    def status(self) -> StatusLine:
        return self._status

    @property
    def run_button(self) -> QPushButton:
        return self._run_button

    @property
    def save_button(self) -> QPushButton:
        return self._save_button

    @property
    def format_combo(self) -> QComboBox:
        return self._format_combo

    @property
    def translate_radio(self) -> QRadioButton:
        return self._translate_radio

    @property
    def job(self) -> asyncio.Task[None] | None:
        return self._job.task

    def set_format(self, fmt: str) -> None:
        self._format_combo.setCurrentIndex(self._format_combo.findData(fmt))

    def set_translate(self, translate: bool) -> None:
        (self._translate_radio if translate else self._transcribe_radio).setChecked(True)

    @Slot(str)
    def set_file(self, path: str) -> None:
        self._path = path
        name = Path(path).name
        try:
            size = Path(path).stat().st_size
            self._file_label.setText(self.tr("{name} ({size} MB)").format(name=name, size=f"{size / 1048576:.1f}"))
        except OSError:
            self._file_label.setText(name)
        self._file_label.setDetails(path)
        self._status.clear()
        self._update_buttons()

    @Slot()
    def start(self) -> None:
        if self._path is None or self._job.is_running():
            return
        task = self._job.start(self._run(self._path, self._translate_radio.isChecked(),
                                         str(self._format_combo.currentData())))
        _when_done(task, self, self._update_buttons)
        self._update_buttons()

    @Slot()
    def cancel(self) -> None:
        if self._job.cancel():
            self._status.show_message("info", self.tr("Cancelled."))
        self._update_buttons()

    def save_to(self, path: str) -> asyncio.Task[bool]:
        """Write the result to ``path`` (the Save dialog calls this)."""
        task = self._saving.start(self._save(path))
        _when_done(task, self, self._update_buttons)
        return task

    # -- work ----------------------------------------------------------------------------------
    async def _run(self, path: str, translate: bool, fmt: str) -> None:
        preferences = self._context.preferences
        model = self._controller.transcription_model()
        self._status.show_message("info", self.tr("Translating…") if translate else self.tr("Transcribing…"))
        try:
            await asyncio.to_thread(check_upload_size, path)  # before reading a byte of it
            data = await asyncio.to_thread(Path(path).read_bytes)
            name = Path(path).name
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            client = self._context.session.require_client()
            prompt = preferences.voice_prompt.strip() or None
            if translate:
                result = await client.audio.translate((name, data, content_type), model=model, response_format=fmt,
                                                      prompt=prompt)
            else:
                result = await client.audio.transcribe((name, data, content_type), model=model, response_format=fmt,
                                                       language=preferences.voice_language or None, prompt=prompt)
        except _EXPECTED as exc:
            log.info("file transcription failed: %s", type(exc).__name__)
            self._status.show_message("error", user_message(exc, model=model if isinstance(exc, APIError) else None))
            return
        finally:
            if isValid(self):
                self._update_buttons()
                self.finished.emit()
        self._show_result(result, fmt, Path(path).stem)
        done = self.tr("Translated.") if translate else self.tr("Transcribed.")
        if result.duration:
            done = self.tr("{done} {seconds} s of audio.").format(done=done, seconds=f"{result.duration:.1f}")
        self._status.show_message("info", done)
        self._update_buttons()

    def _show_result(self, result: Transcription, fmt: str, source: str) -> None:
        self._result, self._result_format, self._result_source = result, fmt, source
        self._text.setPlainText(result.text.strip() if fmt in ("text", "verbose_json") else result.text)
        self._segments.set_segments(result.segments if fmt == "verbose_json" else [])
        self._table.setVisible(fmt == "verbose_json")
        self._table.resizeRowsToContents()

    def result_bytes(self) -> bytes:
        """What Save writes: the text as returned, or the whole verbose JSON."""
        result = self._result
        if result is None:
            return b""
        if self._result_format == "verbose_json" and isinstance(result.raw, dict):
            return (json.dumps(result.raw, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        text = result.text if self._result_format in ("srt", "vtt") else result.text.strip() + "\n"
        return text.encode("utf-8")

    async def _save(self, path: str) -> bool:
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(FILE_FORMATS.get(self._result_format, ".txt"))
        try:
            await asyncio.to_thread(target.write_bytes, self.result_bytes())
        except OSError as exc:
            self._status.show_message("error", user_message(exc))
            return False
        self._status.show_message("info", self.tr("Saved to {path}.").format(path=str(target)))
        return True

    # -- reactions -----------------------------------------------------------------------------
    @Slot()
    def _update_buttons(self, *_args: object) -> None:
        running = self._job.is_running()
        translate = self._translate_radio.isChecked()
        self._run_button.setText(self.tr("Translate") if translate else self.tr("Transcribe"))
        self._run_button.setEnabled(self._path is not None and not running)
        self._cancel_button.setEnabled(running)
        self._save_button.setEnabled(self._result is not None and not running)

    @Slot()
    def _on_choose_clicked(self) -> None:
        patterns = " ".join(f"*.{suffix}" for suffix in MEDIA_SUFFIXES)
        name_filter = self.tr("Audio and video ({patterns});;All files (*)").format(patterns=patterns)
        dialog = QFileDialog(self, self.tr("Choose an audio or video file"), str(Path(self._path).parent) if self._path else "",
                             name_filter)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.set_file)
        dialog.open()

    @Slot()
    def _on_save_clicked(self) -> None:
        if self._result is None:
            return
        suffix = FILE_FORMATS.get(self._result_format, ".txt")
        suggested = (self._result_source or "transcription") + suffix
        if self._path:
            suggested = str(Path(self._path).with_name(suggested))
        _save_dialog(self, self.tr("Save the transcription"), suggested,
                     self.tr("{kind} (*{suffix});;All files (*)").format(kind=self._format_combo.currentText(), suffix=suffix),
                     self.save_to)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._drop.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._drop.dropEvent(event)


class SpeakTool(QWidget):
    """Speak a pasted text with a chosen voice and speed; play it, or save it in a chosen format."""

    finished = Signal()

    def __init__(self, context: AppContext, controller: VoiceController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._controller = controller
        self._playing = context.tasks.holder("voice.speak_text")
        self._saving = context.tasks.holder("voice.speak_save")
        self._speaker: SpeakWhileStreaming | None = None
        preferences = context.preferences
        _cancel_on_destroy(self, self._playing, self._saving)

        self._editor = QPlainTextEdit(self)
        self._editor.setObjectName("voice_speak_text")
        self._editor.setPlaceholderText(self.tr("Type or paste the text to speak."))
        self._editor.textChanged.connect(self._update_buttons)
        self._voice_combo = QComboBox(self)
        self._voice_combo.setEditable(True)
        self._voice_combo.addItems(list(VOICES))
        self._voice_combo.setCurrentText(preferences.voice_voice or "alloy")
        self._voice_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._speed_spin = QDoubleSpinBox(self)
        self._speed_spin.setRange(0.25, 4.0)
        self._speed_spin.setSingleStep(0.05)
        self._speed_spin.setDecimals(2)
        self._speed_spin.setSuffix("×")
        self._speed_spin.setValue(preferences.voice_speed)
        self._play_button = QPushButton(self.tr("Play"), self)
        self._play_button.clicked.connect(self.play)
        self._stop_button = QPushButton(self.tr("Stop"), self)
        self._stop_button.clicked.connect(self.stop)
        self._format_combo = QComboBox(self)
        for fmt in SAVE_AS_FORMATS:
            self._format_combo.addItem(fmt.upper() if fmt != "opus" else "Opus", fmt)
        self._save_button = QPushButton(self.tr("Save as…"), self)
        self._save_button.clicked.connect(self._on_save_clicked)
        self._status = StatusLine(self)
        self._count_label = QLabel(self)
        self._count_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        controller.interrupted.connect(self._on_interrupted)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        voice_caption = QLabel(self.tr("Vo&ice:"), self)
        voice_caption.setBuddy(self._voice_combo)
        speed_caption = QLabel(self.tr("Spee&d:"), self)
        speed_caption.setBuddy(self._speed_spin)
        form.addRow(voice_caption, self._voice_combo)
        form.addRow(speed_caption, self._speed_spin)
        actions = QHBoxLayout()
        actions.addWidget(self._play_button)
        actions.addWidget(self._stop_button)
        actions.addStretch(1)
        format_caption = QLabel(self.tr("F&ormat:"), self)
        format_caption.setBuddy(self._format_combo)
        actions.addWidget(format_caption)
        actions.addWidget(self._format_combo)
        actions.addWidget(self._save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self._editor, 1)
        layout.addWidget(self._count_label)
        layout.addLayout(form)
        layout.addLayout(actions)
        layout.addWidget(self._status)
        described: list[tuple[QWidget, str, str]] = [
            (self._editor, self.tr("Text to speak"), self.tr("Type or paste the text; Ctrl+Enter plays it")),
            (self._voice_combo, self.tr("Voice"), self.tr("The voice that speaks; pick one or type a name the server knows")),
            (self._speed_spin, self.tr("Speed"), self.tr("How fast the voice speaks: 1× is normal")),
            (self._play_button, self.tr("Play"), self.tr("Speak the text now (Ctrl+Enter)")),
            (self._stop_button, self.tr("Stop"), self.tr("Stop speaking")),
            (self._format_combo, self.tr("File format"), self.tr("The audio format Save as… writes")),
            (self._save_button, self.tr("Save as"), self.tr("Have the text spoken into an audio file")),
        ]
        for widget, name, tip in described:
            widget.setAccessibleName(name)
            widget.setToolTip(tip)
        self._editor.setTabChangesFocus(True)
        self._update_buttons()

    # -- public --------------------------------------------------------------------------------
    @property
    def editor(self) -> QPlainTextEdit:
        return self._editor

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
    def play_button(self) -> QPushButton:
        return self._play_button

    @property
    def stop_button(self) -> QPushButton:
        return self._stop_button

    @property
    def save_button(self) -> QPushButton:
        return self._save_button

    @property
    def status(self) -> StatusLine:
        return self._status

    @property
    def play_task(self) -> asyncio.Task[None] | None:
        return self._playing.task

    def set_format(self, fmt: str) -> None:
        self._format_combo.setCurrentIndex(self._format_combo.findData(fmt))

    def voice(self) -> str:
        return self._voice_combo.currentText().strip() or "alloy"

    def speed(self) -> float | None:
        value = round(self._speed_spin.value(), 2)
        return None if abs(value - 1.0) < 1e-6 else value

    @Slot()
    def play(self) -> None:
        text = self._editor.toPlainText().strip()
        if not text:
            return
        self._controller.barge_in()  # one voice at a time
        _when_done(self._playing.start(self._play(text)), self, self._update_buttons)
        self._update_buttons()

    @Slot()
    def stop(self) -> None:
        speaker, self._speaker = self._speaker, None
        if speaker is not None:
            speaker.cancel()
        self._playing.cancel()
        self._update_buttons()

    def save_to(self, path: str) -> asyncio.Task[bool]:
        """Ask for the chosen format and write it to ``path`` (the Save dialog calls this)."""
        task = self._saving.start(self._save(path, str(self._format_combo.currentData())))
        _when_done(task, self, self._update_buttons)
        return task

    # -- work ----------------------------------------------------------------------------------
    async def _play(self, text: str) -> None:
        model = self._controller.speech_model()
        failed: list[BaseException] = []

        def on_error(_index: int, _sentence: str, exc: BaseException) -> None:
            if not failed:
                failed.append(exc)
                self._status.show_message("error", user_message(exc, model=model))

        self._status.show_message("info", self.tr("Speaking…"))
        speaker: SpeakWhileStreaming | None = None
        try:
            client = self._context.session.require_client()
            await self._controller.prepare_output()
            speaker = SpeakWhileStreaming(
                speech_source(client.audio, model=model, voice=self.voice(), speed=self.speed()),
                self._controller.player, max_in_flight=MAX_SPEECH_IN_FLIGHT, on_error=on_error)
            self._speaker = speaker
            speaker.feed(text)
            speaker.end()
            completed = await speaker.wait()
        except _EXPECTED as exc:
            self._status.show_message("error", user_message(exc))
            return
        finally:
            if speaker is not None and not speaker.done:
                speaker.cancel()
            if self._speaker is speaker:
                self._speaker = None
            if isValid(self):
                self._update_buttons()
                self.finished.emit()
        if not failed:
            self._status.show_message("info", self.tr("Done.") if completed else self.tr("Stopped."))

    async def _save(self, path: str, fmt: str) -> bool:
        text = self._editor.toPlainText().strip()
        if not text:
            return False
        if len(text) > SPEECH_INPUT_LIMIT:
            self._status.show_message("error", self.tr(
                "Speech can be saved for up to {limit} characters at a time — this text has {count}. "
                "Save it in parts, or use Play to hear all of it.").format(limit=SPEECH_INPUT_LIMIT, count=len(text)))
            return False
        target = Path(path)
        if target.suffix.lower().lstrip(".") != fmt:
            target = target.with_name(target.name + "." + fmt) if target.suffix else target.with_suffix("." + fmt)
        model = self._controller.speech_model()
        self._status.show_message("info", self.tr("Saving…"))
        self._update_buttons()
        try:
            client = self._context.session.require_client()
            async with client.audio.speech(text, model=model, voice=self.voice(), response_format=fmt,
                                           speed=self.speed()) as stream:
                data = await stream.read()
            await asyncio.to_thread(target.write_bytes, data)
        except _EXPECTED as exc:
            self._status.show_message("error", user_message(exc, model=model if isinstance(exc, APIError) else None))
            return False
        finally:
            if isValid(self):
                self._update_buttons()
                self.finished.emit()
        self._status.show_message("info", self.tr("Saved to {path}.").format(path=str(target)))
        return True

    # -- reactions -----------------------------------------------------------------------------
    @Slot()
    def _update_buttons(self) -> None:
        text = self._editor.toPlainText().strip()
        playing = self._playing.is_running()
        self._play_button.setEnabled(bool(text) and not playing)
        self._stop_button.setEnabled(playing)
        self._save_button.setEnabled(bool(text) and not self._saving.is_running())
        count = len(text)
        self._count_label.setText(self.tr("{count} characters").format(count=count) if count else "")

    @Slot()
    def _on_interrupted(self) -> None:
        if self._playing.is_running():
            self.stop()

    @Slot()
    def _on_save_clicked(self) -> None:
        fmt = str(self._format_combo.currentData())
        _save_dialog(self, self.tr("Save the speech"), f"speech.{fmt}",
                     self.tr("{format} audio (*.{suffix});;All files (*)").format(format=self._format_combo.currentText(),
                                                                                 suffix=fmt),
                     self.save_to)
