"""A one-line label that shortens its text with "…" instead of growing the window."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QStyleOption, QWidget

__all__ = ["ElidedLabel"]


class ElidedLabel(QWidget):
    """Shows as much of :meth:`text` as fits; the whole text is in the tooltip when it is cut.

    Status-bar sentences (a server's error message) can be long; a plain ``QLabel`` would push the
    window wider or clip mid-letter.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, *, max_width: int = 520) -> None:
        super().__init__(parent)
        self._text = ""
        self._tooltip = ""
        self._max_width = max_width
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 — mirrors QLabel's API
        self._text = text
        self._update_tooltip()
        self.updateGeometry()
        self.update()

    def setDetails(self, details: str) -> None:  # noqa: N802
        """Extra text for the tooltip (shown whether or not the label is cut)."""
        self._tooltip = details
        self._update_tooltip()

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self._text) > self.contentsRect().width()

    def sizeHint(self) -> QSize:  # noqa: N802
        metrics = self.fontMetrics()
        width = min(metrics.horizontalAdvance(self._text) + 4, self._max_width)
        return QSize(width, metrics.height() + 2)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        metrics = self.fontMetrics()
        return QSize(min(metrics.horizontalAdvance("…" * 3) + 4, self.sizeHint().width()), metrics.height() + 2)

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001
        super().resizeEvent(event)
        self._update_tooltip()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, rect.width())
        self.style().drawItemText(
            painter,
            rect,
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            option.palette,
            self.isEnabled(),
            shown,
            self.foregroundRole(),
        )

    def _update_tooltip(self) -> None:
        parts = []
        if self._text and self.is_elided():
            parts.append(self._text)
        if self._tooltip and self._tooltip != self._text:
            parts.append(self._tooltip)
        self.setToolTip("\n\n".join(parts))
