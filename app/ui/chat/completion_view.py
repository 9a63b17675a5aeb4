"""The Chat tab's text completion mode: one document, the model's text streamed in place after it.

:class:`CompletionEditor` is a monospace plain-text editor whose generated runs carry a character
property (:data:`GENERATED`) and a tinted background; whatever the user types or pastes is the
user's (the format is reset at every cursor move and on paste), so :meth:`CompletionEditor.segments`
can always say who wrote what — that is how the document is kept (see ``completion_controller``).
A completion streams into the document under one undo step, with the editor read-only meanwhile.

:class:`CompletionView` puts together the header, the editor, the error bar (with Retry), the
choices of a request with ``n`` > 1, the Complete / Stop buttons with the usage, and the
:class:`CompletionParametersPanel` (model, max tokens, temperature, top_p, stop sequences, suffix,
echo, n). The page owns it; it drives a :class:`~app.ui.chat.completion_controller.CompletionController`.
Keyboard: Ctrl+Enter completes, Esc stops (the page's shortcut), Ctrl+1 puts the cursor in the editor.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, QSignalBlocker, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QHideEvent,
    QKeyEvent,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from app.api.errors import APIError
from app.store import (
    RECOVERED_FINISH_REASON,
    MessageState,
    StoreClosedError,
    StoreError,
)
from app.ui.chat.completion_controller import (
    MAX_CHOICES,
    MAX_STOP_SEQUENCES,
    CompletionController,
    CompletionParameters,
    CompletionState,
    Segment,
    merge_segments,
)
from app.ui.chat.presets import ParameterSpec
from app.ui.chat.settings_panel import (
    ParameterControl,
    parameter_texts,
    parameters_section,
    section_heading,
)
from app.ui.context import AppContext
from app.ui.errors import NoTokenError
from app.ui.widgets.elided_label import ElidedLabel
from app.ui.widgets.model_picker import ModelCatalog, ModelPicker
from app.ui.widgets.scroll_panel import fill_with_vertical_scroll

__all__ = [
    "GENERATED",
    "MESSAGE",
    "CompletionEditor",
    "CompletionParametersPanel",
    "CompletionView",
    "decode_escapes",
    "encode_escapes",
]

log = logging.getLogger(__name__)

#: The character property that marks the model's text in the document.
GENERATED = int(QTextFormat.Property.UserProperty) + 17
#: The character property naming the stored message a generated run belongs to (two completions in
#: a row stay two messages, each with its own state, usage and choices).
MESSAGE = int(QTextFormat.Property.UserProperty) + 18
#: The document is written this long after the last keystroke (and at once on leaving).
SAVE_DELAY_MS = 400
#: Parameter changes are kept after this pause.
PARAMETERS_DELAY_MS = 300

_SPECS = {
    "max_tokens": ParameterSpec("max_tokens", True, 1, 1_000_000, 256, 16, 0),
    "temperature": ParameterSpec("temperature", False, 0.0, 2.0, 1.0, 0.05),
    "top_p": ParameterSpec("top_p", False, 0.0, 1.0, 1.0, 0.05),
}


def encode_escapes(text: str) -> str:
    """A stop sequence as typed in a one-line field: newline as ``\\n``, tab as ``\\t``."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def decode_escapes(text: str) -> str:
    """The inverse of :func:`encode_escapes`; an unknown escape stays as typed."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            mapped = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}.get(nxt)
            if mapped is not None:
                out.append(mapped)
                i += 2
                continue
        out.append(char)
        i += 1
    return "".join(out)


class _GeneratedTint(QSyntaxHighlighter):
    """Paints the background of the runs marked :data:`GENERATED` (layout formats, not the document's)."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._format = QTextCharFormat()

    def color(self) -> QColor:
        return self._format.background().color()

    def set_color(self, color: QColor) -> None:
        if self._format.background().color() == color and self._format.background().style() != Qt.BrushStyle.NoBrush:
            return
        self._format.setBackground(color)
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802
        block = self.currentBlock()
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.isValid() and fragment.charFormat().property(GENERATED):
                self.setFormat(fragment.position() - block.position(), fragment.length(), self._format)
            iterator += 1


class CompletionEditor(QPlainTextEdit):
    """The document: the user's text plain, the model's tinted (see the module docstring)."""

    #: Ctrl+Enter in the editor (the window's shortcut does the same elsewhere).
    complete_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("completion_editor")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), self.font().pointSizeF()))
        self.setFont(font)
        self.document().setDefaultFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        # Tab moves on to the next control (a field that kept Tab would trap the keyboard); a tab
        # character can still be pasted, and stop sequences take \t.
        self.setTabChangesFocus(True)
        self._plain = QTextCharFormat()
        self._plain.setProperty(GENERATED, False)
        # The document only marks the model's text; its tint is painted by the highlighter, from
        # the palette of the moment (a switch to dark mode re-tints it, and adds no undo step).
        self._generated = QTextCharFormat()
        self._generated.setProperty(GENERATED, True)
        self._streaming_started = False
        self.tint = _GeneratedTint(self.document())
        self.update_colors()
        self.cursorPositionChanged.connect(self._reset_typing_format)

    # -- formats ----------------------------------------------------------------------------

    def _generated_format(self, message_id: int | None) -> QTextCharFormat:
        """The model's text, naming its stored message when known."""
        if message_id is None:
            return self._generated
        fmt = QTextCharFormat(self._generated)
        fmt.setProperty(MESSAGE, int(message_id))
        return fmt

    def update_colors(self) -> None:
        """The tint of generated text, from the palette (light and dark themes alike)."""
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        accent = QColor(46, 160, 67)  # green, like the playgrounds: never mistaken for the (blue) selection
        mix = 0.20 if base.lightness() > 128 else 0.32
        tint = QColor(
            round(base.red() * (1 - mix) + accent.red() * mix),
            round(base.green() * (1 - mix) + accent.green() * mix),
            round(base.blue() * (1 - mix) + accent.blue() * mix),
        )
        self.tint.set_color(tint)

    def generated_color(self) -> QColor:
        return self.tint.color()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.update_colors()

    @Slot()
    def _reset_typing_format(self) -> None:
        # What the user types is the user's, even inside or right after the model's text.
        if not self.textCursor().hasSelection() and not self.isReadOnly():
            self.setCurrentCharFormat(self._plain)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802
        """Pasted and dropped text is the user's, as plain text."""
        if source.hasText():
            cursor = self.textCursor()
            cursor.insertText(source.text(), self._plain)
            self.setTextCursor(cursor)
            self.ensureCursorVisible()
            return
        super().insertFromMimeData(source)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier):
                self.complete_requested.emit()
                event.accept()
                return
            if not self.isReadOnly():
                # A plain newline, never Qt's line separator (U+2028) that Shift+Enter would insert.
                self.textCursor().insertText("\n", self._plain)
                self.ensureCursorVisible()
            event.accept()
            return
        text = event.text()
        if (
            text
            and text.isprintable()
            and not self.isReadOnly()
            and self.textCursor().hasSelection()
            and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        ):
            cursor = self.textCursor()  # typing over a selection: the new text is the user's
            cursor.insertText(text, self._plain)
            self.setTextCursor(cursor)
            event.accept()
            return
        super().keyPressEvent(event)

    # -- the document -----------------------------------------------------------------------

    def set_segments(self, segments: list[Segment]) -> None:
        """Show a stored document (no undo history; the cursor at the end)."""
        document = self.document()
        with QSignalBlocker(document):
            self.clear()
        cursor = QTextCursor(document)
        cursor.beginEditBlock()
        for segment in segments:
            cursor.insertText(segment.text, self._generated_format(segment.message_id) if segment.generated else self._plain)
        cursor.endEditBlock()
        document.clearUndoRedoStacks()
        document.setModified(False)
        end = self.textCursor()
        end.movePosition(QTextCursor.MoveOperation.End)
        self.setTextCursor(end)
        self._reset_typing_format()

    def segments(self) -> list[Segment]:
        """Who wrote what, in order (what the store keeps)."""
        out: list[Segment] = []
        document = self.document()
        block = document.begin()
        while block.isValid():
            iterator = block.begin()
            last_generated = False
            last_message: int | None = None
            while not iterator.atEnd():
                fragment = iterator.fragment()
                if fragment.isValid():
                    char_format = fragment.charFormat()
                    generated = bool(char_format.property(GENERATED))
                    last_message = _message_of(char_format) if generated else None
                    out.append(Segment(fragment.text(), generated, last_message))
                    last_generated = generated
                iterator += 1
            nxt = block.next()
            if nxt.isValid():
                # The paragraph separator carries a format too: who typed the newline.
                cursor = QTextCursor(document)
                cursor.setPosition(block.position() + block.length())
                separator_format = cursor.charFormat()
                separator = separator_format.property(GENERATED)
                generated = bool(separator) if separator is not None else last_generated
                message = (_message_of(separator_format) if separator is not None else last_message) if generated else None
                out.append(Segment("\n", generated, message))
            block = nxt
        return merge_segments(
            [Segment(s.text.replace("\u2029", "\n").replace("\u2028", "\n"), s.generated, s.message_id) for s in out]
        )

    def text(self) -> str:
        return self.toPlainText()

    def position_of(self, index: int) -> int:
        """The document position (UTF-16 units) of a Python index into :meth:`text`."""
        return len(self.text()[:index].encode("utf-16-le")) // 2

    def select(self, start: int, end: int) -> None:
        """Select text()[start:end] (Python indices) and show it."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.position_of(start))
        cursor.setPosition(self.position_of(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def begin_stream(self) -> int:
        """The model is about to write after the document: read-only until :meth:`end_stream`.
        Returns where its text will start (a Python index into :meth:`text`)."""
        self.setReadOnly(True)
        self._streaming_started = False
        return len(self.text())

    def append_generated(self, text: str, message_id: int | None = None) -> None:
        """A piece of the completion, at the end; all pieces of one request are one undo step."""
        if not text:
            return
        bar = self.verticalScrollBar()
        follow = bar.value() >= bar.maximum() - 4
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if self._streaming_started:
            cursor.joinPreviousEditBlock()
        else:
            cursor.beginEditBlock()
            self._streaming_started = True
        cursor.insertText(text, self._generated_format(message_id))
        cursor.endEditBlock()
        if follow:
            bar.setValue(bar.maximum())

    def end_stream(self) -> None:
        self.setReadOnly(False)
        self._reset_typing_format()

    def replace_from(self, start: int, text: str, message_id: int | None = None) -> None:
        """Everything from ``start`` (a Python index) to the end becomes ``text``, generated (another choice)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.position_of(start))
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.beginEditBlock()
        cursor.insertText(text, self._generated_format(message_id))
        cursor.endEditBlock()


def _message_of(char_format: QTextCharFormat) -> int | None:
    value = char_format.property(MESSAGE)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class CompletionParametersPanel(QWidget):
    """Model and request parameters of the open completion; reports each change (debounced)."""

    #: (model, parameters) after the user changed something.
    parameters_changed = Signal(str, object)

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, catalog: ModelCatalog | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("completion_parameters")
        self._context = context
        self._extra: dict[str, Any] = {}
        self._updating = False
        self._models_dirty = True
        self._models_task = context.tasks.holder("chat.completion.models")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PARAMETERS_DELAY_MS)
        self._timer.timeout.connect(self.flush)

        content = QWidget(self)
        form = QVBoxLayout(content)
        form.setContentsMargins(10, 10, 10, 10)
        form.setSpacing(4)

        form.addWidget(section_heading(self.tr("Model"), content))
        self.model_picker = ModelPicker(content, catalog=catalog)
        self.model_picker.combo.setAccessibleName(self.tr("Model"))
        self.model_picker.combo.setToolTip(
            self.tr("The model that continues the text. Type any model name; the list is what the server offers.")
        )
        self.model_picker.model_changed.connect(self._on_changed)
        self.model_picker.refresh_requested.connect(lambda: self.load_models(refresh=True))
        form.addWidget(self.model_picker)
        form.addSpacing(6)

        grid = parameters_section(form, content)
        texts = parameter_texts()
        self.controls: dict[str, ParameterControl] = {}
        for row, key in enumerate(("max_tokens", "temperature", "top_p")):
            label, tooltip = texts[key]
            if key == "max_tokens":
                tooltip = self.tr("The longest completion allowed, in tokens; it stops there")
            control = ParameterControl(_SPECS[key], label, tooltip, self.tr("Default"), content)
            control.check.setAccessibleName(label)
            control.spin.setAccessibleName(label)
            if control.slider is not None:
                control.slider.setAccessibleName(label)
            control.changed.connect(self._on_changed)
            grid.addWidget(control.check, row, 0)
            if control.slider is not None:
                grid.addWidget(control.slider, row, 1)
                grid.addWidget(control.spin, row, 2)
            else:
                grid.addWidget(control.spin, row, 1, 1, 2)
            self.controls[key] = control
        form.addLayout(grid)

        n_row = QHBoxLayout()
        n_label = QLabel(self.tr("Choices (n)"), content)
        self.n_spin = QSpinBox(content)
        self.n_spin.setObjectName("completion_n")
        self.n_spin.setRange(1, MAX_CHOICES)
        self.n_spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.n_spin.setAccessibleName(self.tr("Number of choices"))
        self.n_spin.setToolTip(
            self.tr("How many completions to ask for at once; the first streams in place, and you can pick another")
        )
        n_label.setBuddy(self.n_spin)
        n_label.setToolTip(self.n_spin.toolTip())
        self.n_spin.valueChanged.connect(self._on_changed)
        n_row.addWidget(n_label, 1)
        n_row.addWidget(self.n_spin)
        form.addLayout(n_row)

        self.echo_check = QCheckBox(self.tr("Echo the prompt"), content)
        self.echo_check.setObjectName("completion_echo")
        self.echo_check.setAccessibleName(self.tr("Echo the prompt"))
        self.echo_check.setToolTip(
            self.tr("Ask the server to send the prompt back before the completion (it is already in the editor, so it is not repeated)")
        )
        self.echo_check.toggled.connect(self._on_changed)
        form.addWidget(self.echo_check)
        form.addSpacing(6)

        form.addWidget(section_heading(self.tr("Stop sequences"), content))
        stop_note = QLabel(self.tr("Up to four. The completion ends before any of them. Type \\n for a new line."), content)
        stop_note.setWordWrap(True)
        stop_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form.addWidget(stop_note)
        self.stop_edits: list[QLineEdit] = []
        for index in range(MAX_STOP_SEQUENCES):
            edit = QLineEdit(content)
            edit.setObjectName(f"completion_stop_{index + 1}")
            edit.setPlaceholderText(self.tr("Stop sequence {number}").format(number=index + 1))
            edit.setAccessibleName(self.tr("Stop sequence {number}").format(number=index + 1))
            edit.setToolTip(self.tr("The completion ends before this text; \\n is a new line, \\t a tab"))
            edit.setClearButtonEnabled(True)
            edit.textEdited.connect(self._on_changed)
            form.addWidget(edit)
            self.stop_edits.append(edit)
        form.addSpacing(6)

        form.addWidget(section_heading(self.tr("Suffix"), content))
        self.suffix_edit = QPlainTextEdit(content)
        self.suffix_edit.setObjectName("completion_suffix")
        self.suffix_edit.setAccessibleName(self.tr("Suffix"))
        self.suffix_edit.setToolTip(
            self.tr("Text that comes after the completion (fill in the middle); only some models accept it")
        )
        self.suffix_edit.setPlaceholderText(self.tr("Text after the completion (optional)"))
        self.suffix_edit.setTabChangesFocus(True)
        self.suffix_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        self.suffix_edit.textChanged.connect(self._on_changed)
        form.addWidget(self.suffix_edit)
        form.addStretch(1)

        self.scroll = fill_with_vertical_scroll(self, content)

        context.session.client_changed.connect(self._on_client_changed)
        context.session.profiles_changed.connect(self._update_default_model)
        self._update_default_model()

    # -- values -----------------------------------------------------------------------------

    def show_values(self, model: str, parameters: CompletionParameters) -> None:
        """Show a conversation's values (silently)."""
        self._timer.stop()
        self._updating = True
        try:
            self._extra = dict(parameters.extra)
            self.model_picker.set_model(model)
            self.controls["max_tokens"].set_value(parameters.max_tokens)
            self.controls["temperature"].set_value(parameters.temperature)
            self.controls["top_p"].set_value(parameters.top_p)
            with QSignalBlocker(self.n_spin):
                self.n_spin.setValue(parameters.n)
            with QSignalBlocker(self.echo_check):
                self.echo_check.setChecked(parameters.echo)
            for index, edit in enumerate(self.stop_edits):
                edit.setText(encode_escapes(parameters.stop[index]) if index < len(parameters.stop) else "")
            with QSignalBlocker(self.suffix_edit):
                self.suffix_edit.setPlainText(parameters.suffix)
        finally:
            self._updating = False

    def model(self) -> str:
        return self.model_picker.model()

    def parameters(self) -> CompletionParameters:
        """What the controls say now."""
        max_tokens = self.controls["max_tokens"].value()
        temperature = self.controls["temperature"].value()
        top_p = self.controls["top_p"].value()
        stops = [decode_escapes(edit.text()) for edit in self.stop_edits if edit.text()]
        return CompletionParameters(
            max_tokens=int(max_tokens) if max_tokens is not None else None,
            temperature=float(temperature) if temperature is not None else None,
            top_p=float(top_p) if top_p is not None else None,
            stop=tuple(dict.fromkeys(stops)),
            suffix=self.suffix_edit.toPlainText(),
            echo=self.echo_check.isChecked(),
            n=self.n_spin.value(),
            extra=dict(self._extra),
        )

    def has_pending_change(self) -> bool:
        return self._timer.isActive()

    @Slot()
    def flush(self) -> None:
        self._timer.stop()
        self.parameters_changed.emit(self.model(), self.parameters())

    @Slot()
    def _on_changed(self, *_args: object) -> None:
        if not self._updating:
            self._timer.start()

    # -- models -----------------------------------------------------------------------------

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self._models_dirty:
            self.load_models()

    def load_models(self, *, refresh: bool = False) -> None:
        self._models_dirty = False
        self._models_task.start(self._load_models(refresh))

    async def _load_models(self, refresh: bool) -> None:
        session = self._context.session
        try:
            client = session.require_client()
        except NoTokenError as exc:
            self.model_picker.show_error(exc)
            self._models_dirty = True
            return
        try:
            await self.model_picker.load(client, key=f"{session.active_id}\n{client.base_url}", refresh=refresh)
        except APIError as exc:
            self.model_picker.show_error(exc)

    @Slot()
    def _on_client_changed(self) -> None:
        self._update_default_model()
        self._models_task.cancel()
        if self.isVisible():
            self.load_models()
        else:
            self._models_dirty = True

    @Slot()
    def _update_default_model(self) -> None:
        from app.profiles import Capability

        self.model_picker.set_default_model(self._context.session.profile.model_for(Capability.CHAT))


class CompletionView(QWidget):
    """The completion mode's whole area (see the module docstring)."""

    #: Something to say outside the view (a failure of the store): the page's notifier shows it.
    error_occurred = Signal(object)

    def __init__(self, context: AppContext, controller: CompletionController, parent: QWidget | None = None,
                 *, catalog: ModelCatalog | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("completion_view")
        self._context = context
        self.controller = controller
        self._own_tasks: set[asyncio.Task[Any]] = set()
        own = self._own_tasks
        self.destroyed.connect(lambda *_: [task.cancel() for task in list(own)])
        self._dirty = False
        self._dirty_conversation: int | None = None
        self._choice_start: int | None = None
        self._choice_message: int | None = None
        self._choices: list[str] = []
        self._programmatic = 0

        self.title_label = ElidedLabel("", self, max_width=2000)
        self.title_label.setObjectName("completion_title")
        title_font = self.title_label.font()
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.mode_label = QLabel(self.tr("Text completion"), self)
        self.mode_label.setObjectName("completion_mode_label")
        self.mode_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.mode_label.setToolTip(self.tr("The model continues your text (the /completions endpoint), with no chat roles"))
        self.parameters_button = QPushButton(self.tr("Parameters"), self)
        self.parameters_button.setObjectName("completion_parameters_button")
        self.parameters_button.setCheckable(True)
        self.parameters_button.setChecked(True)
        self.parameters_button.setAccessibleName(self.tr("Show parameters"))
        self.parameters_button.setToolTip(self.tr("Model and parameters of this completion"))
        header = QHBoxLayout()
        header.setContentsMargins(14, 8, 10, 4)
        header.setSpacing(8)
        header.addWidget(self.title_label, 1)
        header.addWidget(self.mode_label)
        header.addWidget(self.parameters_button)

        self.editor = CompletionEditor(self)
        self.editor.setAccessibleName(self.tr("Prompt and completion"))
        self.editor.setToolTip(
            self.tr("Write the beginning of a text; Complete (Ctrl+Enter) continues it here. The model's text is tinted and can be edited.")
        )
        self.editor.setPlaceholderText(self.tr("Write the beginning of a text, then press Ctrl+Enter to let the model continue it."))
        self.editor.complete_requested.connect(self.complete)
        self.editor.textChanged.connect(self._on_text_changed)

        self.error_bar = QFrame(self)
        self.error_bar.setObjectName("completion_error_bar")
        self.error_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.error_label = QLabel(self.error_bar)
        self.error_label.setObjectName("completion_error")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton(self.tr("Retry"), self.error_bar)
        self.retry_button.setObjectName("completion_retry")
        self.retry_button.setAccessibleName(self.tr("Retry the completion"))
        self.retry_button.setToolTip(self.tr("Ask again for a completion of the text (what the failed request wrote is replaced)"))
        self.retry_button.clicked.connect(self.retry)
        error_layout = QHBoxLayout(self.error_bar)
        error_layout.setContentsMargins(10, 6, 6, 6)
        error_layout.addWidget(self.error_label, 1)
        error_layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
        self.error_bar.hide()

        self.choices_bar = QWidget(self)
        self.choices_bar.setObjectName("completion_choices_bar")
        choices_label = QLabel(self.tr("Choices:"), self.choices_bar)
        self.choices_tabs = QTabBar(self.choices_bar)
        self.choices_tabs.setObjectName("completion_choices")
        self.choices_tabs.setAccessibleName(self.tr("Choices"))
        self.choices_tabs.setToolTip(self.tr("The request gave several completions: pick the one to keep in the text"))
        self.choices_tabs.setDrawBase(False)
        self.choices_tabs.setExpanding(False)
        self.choices_tabs.currentChanged.connect(self._on_choice_picked)
        choices_label.setBuddy(self.choices_tabs)
        choices_layout = QHBoxLayout(self.choices_bar)
        choices_layout.setContentsMargins(10, 2, 10, 0)
        choices_layout.addWidget(choices_label)
        choices_layout.addWidget(self.choices_tabs, 1)
        self.choices_bar.hide()

        self.status_label = QLabel(self)
        self.status_label.setObjectName("completion_status")
        self.status_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.status_label.setWordWrap(True)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.usage_label = QLabel(self)
        self.usage_label.setObjectName("completion_usage")
        self.usage_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.usage_label.setToolTip(self.tr("Tokens the server counted for the last request"))
        self.usage_label.hide()
        self.stop_button = QPushButton(self.tr("Stop"), self)
        self.stop_button.setObjectName("completion_stop")
        self.stop_button.setAccessibleName(self.tr("Stop the completion"))
        self.stop_button.setToolTip(self.tr("Stop the completion; the text so far is kept (Esc)"))
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.hide()
        self.complete_button = QPushButton(self.tr("Complete"), self)
        self.complete_button.setObjectName("completion_complete")
        self.complete_button.setAccessibleName(self.tr("Complete the text"))
        self.complete_button.setToolTip(self.tr("Let the model continue the text after its end (Ctrl+Enter)"))
        self.complete_button.setDefault(True)
        self.complete_button.clicked.connect(self.complete)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(10, 4, 10, 8)
        bottom.setSpacing(8)
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.usage_label)
        bottom.addWidget(self.stop_button)
        bottom.addWidget(self.complete_button)

        editor_column = QWidget(self)
        column = QVBoxLayout(editor_column)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.editor, 1)
        column.addWidget(self.choices_bar)
        column.addWidget(self.error_bar)
        column.addLayout(bottom)

        self.parameters_panel = CompletionParametersPanel(context, self, catalog=catalog)
        self.parameters_panel.parameters_changed.connect(self._on_parameters_changed)
        self.parameters_button.toggled.connect(self.parameters_panel.setVisible)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("completion_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(editor_column)
        self.splitter.addWidget(self.parameters_panel)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([640, 280])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.splitter, 1)

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._save_now)

        controller.text_arrived.connect(self._on_text_arrived)
        controller.streaming_changed.connect(self._on_streaming_changed)
        controller.run_finished.connect(self._on_run_finished)
        controller.current_changed.connect(self._update_header)
        self._update_header()

    # -- opening ----------------------------------------------------------------------------

    async def open(self, conversation_id: int | None) -> None:
        """Show a stored completion (None: a new, empty one)."""
        await self.flush()
        state = await self.controller.open(conversation_id)
        self.show_state(state)

    def show_state(self, state: CompletionState) -> None:
        self._programmatic += 1
        try:
            self.editor.set_segments(state.segments)
        finally:
            self._programmatic -= 1
        self._dirty = False
        self.parameters_panel.show_values(self.controller.model, self.controller.parameters)
        self._hide_error()
        self.status_label.clear()
        last = state.last
        self._show_usage(last.usage if last is not None else None)
        if last is not None and last.state is MessageState.ERROR:
            self._show_error(last.error or self.tr("The completion failed."))
            self._failed_tail = last.text if state.segments and state.segments[-1].generated else ""
        elif last is not None and last.state is MessageState.STOPPED:
            if last.finish_reason == RECOVERED_FINISH_REASON:
                self.status_label.setText(self.tr("Interrupted — Parla closed before the completion finished."))
            else:
                self.status_label.setText(self.tr("Stopped."))
        self._set_choices(state.choices, last.id if last is not None else None, len(self.editor.text()) - len(last.text) if last is not None else None)
        self._on_streaming_changed()
        self._update_header()

    @Slot()
    def _update_header(self) -> None:
        conversation = self.controller.current
        title = conversation.title if conversation is not None else ""
        self.title_label.setText(title or self.tr("New text completion"))

    # -- actions ----------------------------------------------------------------------------

    @Slot()
    def complete(self) -> None:
        """Complete (Ctrl+Enter): the whole text is the prompt; the completion follows it."""
        if self.controller.is_streaming() or self._starting:
            return
        if not self.editor.text().strip():
            self.status_label.setText(self.tr("Write some text first: the model continues it."))
            self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._starting = True  # busy from the click on: no second request, Stop shown at once
        self._stop_requested = False
        self._on_streaming_changed()
        self._spawn(self._complete(), "chat.completion.start")

    _starting = False
    _stop_requested = False

    async def _complete(self) -> None:
        started = False
        try:
            self._save_timer.stop()
            if self.parameters_panel.has_pending_change():
                self.parameters_panel.flush()
            await self.controller.set_parameters(self.parameters_panel.model(), self.parameters_panel.parameters())
            self._hide_error()
            self._set_choices([], None, None)
            self.status_label.setText(self.tr("Waiting for the model…"))
            self._choice_start = self.editor.begin_stream()
            segments = self.editor.segments()
            self._dirty = False  # the request writes the document first
            started = await self.controller.complete(segments)
            if started and self._stop_requested:
                self.controller.stop()  # Stop was pressed while the request was being prepared
        finally:
            self._starting = False
            if not started:
                self.editor.end_stream()
                self.status_label.clear()
                self._mark_dirty()  # nothing was written for the request: keep the text the usual way
            self._on_streaming_changed()

    @Slot()
    def stop(self) -> None:
        if not self.controller.stop() and self._starting:
            # Still writing the prompt: the request is stopped the moment it starts (a write
            # cancelled half-way would leave a reply marked as streaming).
            self._stop_requested = True

    @Slot()
    def retry(self) -> None:
        """Ask again: what the failed request wrote (still at the end, unchanged) is replaced."""
        if self.controller.is_streaming():
            return
        tail = self._failed_tail
        text = self.editor.text()
        if tail and text.endswith(tail):
            segments = self.editor.segments()
            if segments and segments[-1].generated and segments[-1].text.endswith(tail):
                self._programmatic += 1
                try:
                    cursor = QTextCursor(self.editor.document())
                    cursor.setPosition(self.editor.position_of(len(text) - len(tail)))
                    cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
                    cursor.removeSelectedText()
                finally:
                    self._programmatic -= 1
        self._failed_tail = ""
        self.complete()

    _failed_tail = ""

    # -- reports from the controller --------------------------------------------------------

    @Slot(str)
    def _on_text_arrived(self, piece: str) -> None:
        if self.status_label.text():
            self.status_label.clear()
        run = self.controller.run
        self._programmatic += 1
        try:
            self.editor.append_generated(piece, run.message_id if run is not None else None)
        finally:
            self._programmatic -= 1

    @Slot()
    def _on_streaming_changed(self) -> None:
        streaming = self.controller.is_streaming() or self._starting
        self.stop_button.setVisible(streaming)
        self.complete_button.setVisible(not streaming)
        self.parameters_panel.setEnabled(not streaming)
        if not streaming and self.editor.isReadOnly():
            self.editor.end_stream()

    @Slot(int, str, str, str, object, list)
    def _on_run_finished(
        self, message_id: int, state: str, error: str, finish_reason: str, usage: object, choices: list
    ) -> None:
        self.editor.end_stream()
        start = self._choice_start
        text_after = self.editor.text()[start:] if start is not None else ""
        self._show_usage(usage if isinstance(usage, dict) else None)
        if state == MessageState.ERROR.value:
            self._failed_tail = text_after
            self.status_label.clear()
            self._show_error(error or self.tr("The completion failed."))
        elif state == MessageState.STOPPED.value:
            self.status_label.setText(self.tr("Stopped."))
        elif finish_reason == "length":
            self.status_label.setText(self.tr("Cut short: the completion reached the max tokens limit."))
        elif finish_reason == "content_filter":
            self.status_label.setText(self.tr("Cut short by the server's content filter."))
        elif not text_after:
            self.status_label.setText(self.tr("The model added nothing."))
        else:
            self.status_label.clear()
        self._set_choices([str(c) for c in choices], message_id, start)
        if self.isVisible():
            self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    async def reveal_message(self, message_id: int) -> None:
        """Select a stored segment's text (a search hit in this completion) and scroll to it."""
        await self.flush()
        found = await self.controller.message_offset(message_id)
        if found is None:
            return
        start, length = found
        self.editor.select(start, start + length)

    # -- choices (n > 1) --------------------------------------------------------------------

    def _set_choices(self, choices: list[str], message_id: int | None, start: int | None) -> None:
        self._choices = list(choices) if len(choices) > 1 else []
        self._choice_message = message_id
        self._choice_start = start
        with QSignalBlocker(self.choices_tabs):
            while self.choices_tabs.count():
                self.choices_tabs.removeTab(0)
            tail = self.editor.text()[start:] if start is not None else None
            current = self._choices.index(tail) if tail in self._choices else 0
            for index, text in enumerate(self._choices):
                self.choices_tabs.addTab(self.tr("Choice {number}").format(number=index + 1))
                preview = text if len(text) <= 400 else text[:400] + "…"
                self.choices_tabs.setTabToolTip(index, preview or self.tr("(empty)"))
            if self._choices:
                self.choices_tabs.setCurrentIndex(current)
        self.choices_bar.setVisible(bool(self._choices))

    @Slot(int)
    def _on_choice_picked(self, index: int) -> None:
        if not 0 <= index < len(self._choices) or self._choice_start is None or self.controller.is_streaming():
            return
        text = self._choices[index]
        self._programmatic += 1
        try:
            self.editor.replace_from(self._choice_start, text, self._choice_message)
        finally:
            self._programmatic -= 1
        self._mark_dirty()

    # -- saving -----------------------------------------------------------------------------

    @Slot()
    def _on_text_changed(self) -> None:
        if self._programmatic or self.controller.is_streaming():
            return
        if self._choices:
            # The user edits: the choices no longer describe the end of the text.
            self._set_choices([], None, None)
        self._mark_dirty()

    def _mark_dirty(self) -> None:
        self._dirty = True
        self._dirty_conversation = self.controller.current_id
        self._save_timer.start()

    @Slot()
    def _save_now(self) -> None:
        if self._dirty:
            self._spawn(self.flush(), "chat.completion.save")

    async def flush(self) -> None:
        """Write the document and a pending parameter change now (switching away, leaving)."""
        self._save_timer.stop()
        if self.parameters_panel.has_pending_change():
            self.parameters_panel.flush()
        if not self._dirty or self.controller.is_streaming():
            return
        self._dirty = False
        conversation_id = self._dirty_conversation
        if conversation_id is not None and conversation_id != self.controller.current_id:
            return  # typed in a conversation no longer open: it was written when leaving it
        await self.controller.save_document(self.editor.segments())

    def has_unsaved_text(self) -> bool:
        return self._dirty

    def save_immediately(self) -> None:
        """Queue the document's write at once (the tab hides, the window closes)."""
        self._save_timer.stop()
        if self.parameters_panel.has_pending_change():
            self.parameters_panel.flush()
        if not self._dirty or self.controller.is_streaming():
            return
        cid = self.controller.current_id
        if cid is None or self._dirty_conversation not in (None, cid):
            self._spawn(self.flush(), "chat.completion.save")
            return
        self._dirty = False
        try:
            future = self.controller.queue_save(cid, self.editor.segments())
        except StoreError:
            return
        future.add_done_callback(_log_future)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        self.save_immediately()
        super().hideEvent(event)

    @Slot(str, object)
    def _on_parameters_changed(self, model: str, parameters: object) -> None:
        if isinstance(parameters, CompletionParameters):
            self._spawn(self.controller.set_parameters(model, parameters), "chat.completion.parameters")

    # -- showing ----------------------------------------------------------------------------

    def _show_usage(self, usage: dict[str, Any] | None) -> None:
        prompt = usage.get("prompt_tokens") if usage else None
        completion = usage.get("completion_tokens") if usage else None
        if prompt is None and completion is None:
            self.usage_label.clear()
            self.usage_label.hide()
            return
        self.usage_label.setText(
            self.tr("Tokens: {prompt} prompt · {completion} completion").format(
                prompt="—" if prompt is None else f"{prompt:,}", completion="—" if completion is None else f"{completion:,}"
            )
        )
        self.usage_label.show()

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_bar.show()

    def _hide_error(self) -> None:
        self.error_label.clear()
        self.error_bar.hide()

    # -- plumbing ---------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = self._context.tasks.spawn(self._guard(coro), name=name)
        self._own_tasks.add(task)
        task.add_done_callback(self._own_tasks.discard)
        task.add_done_callback(lambda _task: coro.close())
        return task

    async def _guard(self, coro: Coroutine[Any, Any, Any]) -> Any:
        try:
            return await coro
        except StoreClosedError:
            log.info("completion: the store closed under a task (Parla is quitting)")
            return None
        except (StoreError, OSError, APIError) as exc:
            log.warning("completion: %s", type(exc).__name__, exc_info=exc)
            self.error_occurred.emit(exc)
            return None


def _log_future(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("saving a completion's text failed", exc_info=future.exception())
