"""One line of news under a Voice tab pane: a sentence (information or error) and, when there is
something to do about it, one button (Retry, Send)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

__all__ = ["StatusLine"]


class StatusLine(QWidget):
    """``show_message(kind, text, action_text)``; ``action_triggered`` when its button is clicked."""

    action_triggered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = ""
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._button = QPushButton(self)
        self._button.hide()
        self._button.clicked.connect(self.action_triggered)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.setVisible(False)

    @property
    def label(self) -> QLabel:
        return self._label

    @property
    def button(self) -> QPushButton:
        return self._button

    @property
    def kind(self) -> str:
        return self._kind

    def text(self) -> str:
        return self._label.text()

    def show_message(self, kind: str, text: str, action_text: str = "") -> None:
        self._kind = kind if text else ""
        self._label.setText(text)
        self._label.setAccessibleName(text)
        palette = self._label.palette()
        colour = self.palette().color(QPalette.ColorRole.WindowText)
        if kind == "error":
            dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
            colour = QColor("#ff8a80") if dark else QColor("#c62828")
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        self._label.setPalette(palette)
        self._button.setText(action_text)
        self._button.setToolTip(text)  # what went wrong is what the button is about
        self._button.setVisible(bool(action_text))
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.show_message("", "")
