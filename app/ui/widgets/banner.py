"""A strip above the tabs for messages that must be read: errors and warnings, until dismissed."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

__all__ = ["Banner"]

_TINTS = {
    "info": QColor(60, 130, 220),
    "warning": QColor(220, 160, 30),
    "error": QColor(210, 60, 60),
}


class Banner(QWidget):
    """Non-modal notice with a Dismiss button; hidden while there is nothing to say.

    Its background is the window colour tinted by the level, computed at paint time, so it reads
    well in the light and the dark palette alike.
    """

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._level = "info"
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._close = QToolButton(self)
        self._close.setText(self.tr("Dismiss"))
        self._close.setToolTip(self.tr("Hide this message"))
        self._close.setAutoRaise(True)
        self._close.clicked.connect(self._on_close_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def text(self) -> str:
        return self._label.text()

    def level(self) -> str:
        return self._level

    @Slot(str, str)
    def show_message(self, text: str, level: str = "error") -> None:
        self._level = level if level in _TINTS else "info"
        self._label.setText(text)
        self.setAccessibleName(text)
        self.show()
        self.update()

    @Slot()
    def clear(self) -> None:
        self._label.clear()
        self.hide()

    @Slot()
    def _on_close_clicked(self) -> None:
        self.clear()
        self.dismissed.emit()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        base = self.palette().color(QPalette.ColorRole.Window)
        tint = _TINTS[self._level]
        mix = 0.22
        fill = QColor(
            round(base.red() * (1 - mix) + tint.red() * mix),
            round(base.green() * (1 - mix) + tint.green() * mix),
            round(base.blue() * (1 - mix) + tint.blue() * mix),
        )
        painter.setPen(tint)
        painter.setBrush(fill)
        painter.drawRoundedRect(self.rect().adjusted(4, 2, -4, -2), 6, 6)
