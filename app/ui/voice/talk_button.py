"""The large Talk button and the level meter under it.

:class:`TalkButton` is a round ``QAbstractButton``: the mouse gives ``pressed``/``released`` (hold to
talk). Keys are deliberately *not* handled here — ``QAbstractButton`` would turn Space into a click —
because the push-to-talk key is configurable and must work wherever the focus is in the
conversation pane; the Voice page handles it. The button's colour and text say what is going on
(ready, recording, busy, speaking); the page sets them from the controller's phase.

:class:`LevelMeter` shows the microphone's level in dBFS on a −60…0 dB scale, green, then amber
above −12 dB and red above −3 dB (clipping).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QAbstractButton, QSizePolicy, QWidget

__all__ = ["LevelMeter", "TalkButton"]


class TalkButton(QAbstractButton):
    """Round, large, hold-to-talk. ``state`` is one of "ready", "recording", "busy", "speaking"."""

    STATES = ("ready", "recording", "busy", "speaking", "disabled")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voice_talk_button")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._state = "ready"
        self._level = 0.0

    @property
    def state(self) -> str:
        return self._state

    def set_state(self, state: str) -> None:
        if state not in self.STATES:
            raise ValueError(state)
        if state != self._state:
            self._state = state
            self.update()

    def set_level(self, level: float) -> None:
        """0…1: drawn as a ring around the button while recording."""
        level = max(0.0, min(1.0, level))
        if abs(level - self._level) > 0.01:
            self._level = level
            self.update()

    def sizeHint(self) -> QSize:
        side = max(148, self.fontMetrics().horizontalAdvance(self.text()) + 40)
        return QSize(side, side)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        event.ignore()  # the page decides what keys mean (push-to-talk key, Tab navigation)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        event.ignore()

    def hitButton(self, pos: object) -> bool:
        rect = QRectF(self.rect()).adjusted(6, 6, -6, -6)
        center = rect.center()
        radius = min(rect.width(), rect.height()) / 2
        dx, dy = pos.x() - center.x(), pos.y() - center.y()  # type: ignore[attr-defined]
        return dx * dx + dy * dy <= radius * radius

    def _colours(self) -> tuple[QColor, QColor]:
        palette = self.palette()
        if self._state == "recording":
            return QColor("#d32f2f"), QColor("#ffffff")
        if self._state == "speaking":
            return QColor("#2e7d32"), QColor("#ffffff")
        if self._state in ("busy", "disabled") or not self.isEnabled():
            return palette.color(QPalette.ColorRole.Mid), palette.color(QPalette.ColorRole.ButtonText)
        return palette.color(QPalette.ColorRole.Highlight), palette.color(QPalette.ColorRole.HighlightedText)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill, text = self._colours()
        if self.isDown():
            fill = fill.darker(115)
        outer = QRectF(self.rect()).adjusted(3, 3, -3, -3)
        side = min(outer.width(), outer.height())
        outer = QRectF(outer.center().x() - side / 2, outer.center().y() - side / 2, side, side)
        inner = outer.adjusted(8, 8, -8, -8)
        if self._state == "recording" and self._level > 0:
            ring = QColor(fill)
            ring.setAlphaF(0.25 + 0.5 * self._level)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(ring)
            grow = 8 * self._level
            painter.drawEllipse(inner.adjusted(-grow, -grow, grow, grow))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawEllipse(inner)
        if self.hasFocus():
            pen = QPen(self.palette().color(QPalette.ColorRole.Highlight).darker(140), 2, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(outer.adjusted(1, 1, -1, -1))
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(text)
        painter.drawText(inner.adjusted(10, 10, -10, -10), int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                         self.text())
        painter.end()


class LevelMeter(QWidget):
    """A horizontal bar for the microphone level (``set_dbfs``); ``value()`` is 0…100 for tests and
    screen readers."""

    FLOOR_DB = -60.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voice_level_meter")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(120)
        self._fraction = 0.0
        self._peak = 0.0

    def sizeHint(self) -> QSize:
        return QSize(220, 10)

    def set_dbfs(self, rms_dbfs: float, peak_dbfs: float | None = None) -> None:
        fraction = self.fraction(rms_dbfs)
        peak = self.fraction(peak_dbfs) if peak_dbfs is not None else fraction
        if abs(fraction - self._fraction) > 0.005 or abs(peak - self._peak) > 0.005:
            self._fraction, self._peak = fraction, peak
            self.update()

    @classmethod
    def fraction(cls, dbfs: float) -> float:
        return max(0.0, min(1.0, (dbfs - cls.FLOOR_DB) / -cls.FLOOR_DB))

    def value(self) -> int:
        return round(self._fraction * 100)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        palette = self.palette()
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 3, 3)
        if self._fraction > 0:
            db = self.FLOOR_DB * (1 - self._fraction)
            colour = QColor("#2e7d32") if db < -12 else QColor("#f9a825") if db < -3 else QColor("#d32f2f")
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(QRectF(rect.left(), rect.top(), rect.width() * self._fraction, rect.height()), 3, 3)
        if self._peak > self._fraction:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Text), 1))
            x = rect.left() + rect.width() * self._peak
            painter.drawLine(int(x), int(rect.top()) + 1, int(x), int(rect.bottom()) - 1)
        painter.end()
