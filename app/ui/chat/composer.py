"""Where the user writes: a growing multi-line editor, Send and Stop, and what the request is doing.

Enter sends and Shift+Enter starts a new line, or the other way round (Settings ▸ General,
``Preferences.enter_sends``); Ctrl+Enter always sends (the window's main-action shortcut). Send
is disabled while the text is blank or while a reply streams in this conversation; Stop shows
instead of Send while one does. The composer never clears itself: the page clears it once the
message is safely in the store, so typed text survives every failure.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from app.settings import Preferences
from app.ui.chat.attachments import AttachmentStrip, ImageSource, image_sources

__all__ = ["Composer", "ComposerEdit"]

_MIN_LINES = 2
_MAX_LINES = 10


class ComposerEdit(QPlainTextEdit):
    """The text field; Enter (or Shift+Enter, as chosen) asks to send instead of breaking the line."""

    submit_requested = Signal()
    #: Pictures were pasted or dropped onto the text: list[ImageSource]
    images_inserted = Signal(list)

    def __init__(self, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._preferences = preferences
        self.setObjectName("composer_edit")
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()

    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802
        return bool(image_sources(source)) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802
        """Ctrl+V (or a drop) of pictures or picture files attaches them; text is pasted as text."""
        sources: list[ImageSource] = image_sources(source)
        if sources:
            self.images_inserted.emit(sources)
            return
        super().insertFromMimeData(source)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier):
                event.ignore()  # Ctrl+Enter: the window's shortcut sends
                return
            shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
            if shift != self._preferences.enter_sends:
                self.submit_requested.emit()
            else:
                # A plain newline, never Qt's line separator (U+2028) that Shift+Enter would insert.
                self.insertPlainText("\n")
                self.ensureCursorVisible()
            event.accept()
            return
        super().keyPressEvent(event)

    @Slot()
    def _fit(self) -> None:
        """Grow with the text from two to ten lines, then scroll."""
        line = self.fontMetrics().lineSpacing()
        lines = self.document().size().height()  # in lines for a QPlainTextEdit layout
        shown = max(_MIN_LINES, min(_MAX_LINES, int(lines)))
        margins = self.contentsMargins()
        height = shown * line + int(2 * self.document().documentMargin()) + margins.top() + margins.bottom() + 2
        if self.height() != height:
            self.setFixedHeight(height)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(400, self.height())


class Composer(QWidget):
    """The editor, Send/Stop, and a line saying what the request is doing."""

    send_requested = Signal()
    stop_requested = Signal()
    #: The Attach button was clicked.
    attach_requested = Signal()

    def __init__(self, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self._preferences = preferences
        self._streaming = False
        self._available = True
        self.editor = ComposerEdit(preferences, self)
        self.editor.setAccessibleName(self.tr("Message"))
        self.editor.submit_requested.connect(self._on_submit)
        self.editor.textChanged.connect(self._update_buttons)
        self.attachments = AttachmentStrip(self)
        self.attachments.changed.connect(self._update_buttons)
        self.attach_button = QPushButton(self.tr("Attach…"), self)
        self.attach_button.setObjectName("attach_button")
        self.attach_button.setAccessibleName(self.tr("Attach pictures"))
        self.attach_button.setToolTip(
            self.tr("Attach pictures to the message (you can also drop them here or paste them with Ctrl+V)")
        )
        self.attach_button.clicked.connect(self.attach_requested)

        self.send_button = QPushButton(self.tr("Send"), self)
        self.send_button.setObjectName("send_button")
        self.send_button.setAccessibleName(self.tr("Send"))
        self.send_button.setDefault(False)
        self.send_button.clicked.connect(self._on_submit)
        self.stop_button = QPushButton(self.tr("Stop"), self)
        self.stop_button.setObjectName("stop_button")
        self.stop_button.setAccessibleName(self.tr("Stop"))
        self.stop_button.setToolTip(self.tr("Stop the reply (Esc); what arrived so far is kept."))
        self.stop_button.clicked.connect(self.stop_requested)
        self.stop_button.hide()

        self.status = QLabel(self)
        self.status.setObjectName("composer_status")
        self.status.setWordWrap(True)

        buttons = QVBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.attach_button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.editor, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 10)
        layout.setSpacing(4)
        layout.addWidget(self.status)
        layout.addWidget(self.attachments)
        layout.addLayout(row)
        self.status.hide()
        preferences.changed.connect(self._on_preference_changed)
        self._update_placeholder()
        self._update_buttons()

    # -- public -----------------------------------------------------------------------------

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the text (a conversation's draft), cursor at the end, without an undo step."""
        self.editor.blockSignals(True)
        try:
            self.editor.setPlainText(text)
        finally:
            self.editor.blockSignals(False)
        cursor = self.editor.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.editor.setTextCursor(cursor)
        self._update_buttons()

    def clear(self) -> None:
        self.editor.clear()

    def set_streaming(self, streaming: bool) -> None:
        self._streaming = streaming
        self.send_button.setVisible(not streaming)
        self.stop_button.setVisible(streaming)
        self._update_buttons()

    def set_available(self, available: bool) -> None:
        """False when there is nowhere to send (no conversation store)."""
        self._available = available
        self.editor.setReadOnly(not available)
        self.attach_button.setEnabled(available)
        self._update_buttons()

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def can_send(self) -> bool:
        """Something to send (text or pictures), somewhere to send it, and no reply streaming here."""
        has_content = bool(self.text().strip()) or self.attachments.count() > 0
        return self._available and not self._streaming and has_content

    # -- slots ------------------------------------------------------------------------------

    @Slot()
    def _on_submit(self) -> None:
        if self.can_send():
            self.send_requested.emit()

    @Slot()
    def _update_buttons(self) -> None:
        self.send_button.setEnabled(self.can_send())

    @Slot(str)
    def _on_preference_changed(self, name: str) -> None:
        if name == "enter_sends":
            self._update_placeholder()

    def _update_placeholder(self) -> None:
        if self._preferences.enter_sends:
            hint = self.tr("Message — Enter to send, Shift+Enter for a new line")
        else:
            hint = self.tr("Message — Shift+Enter to send, Enter for a new line")
        self.editor.setPlaceholderText(hint)
        self.editor.setToolTip(hint)
        # The key to send follows the preference too (Ctrl+Enter always sends).
        if self._preferences.enter_sends:
            self.send_button.setToolTip(self.tr("Send the message (Enter or Ctrl+Enter in the text)"))
        else:
            self.send_button.setToolTip(self.tr("Send the message (Shift+Enter or Ctrl+Enter in the text)"))
