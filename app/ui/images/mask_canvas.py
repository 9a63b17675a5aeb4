"""Painting the edit mask: a brush over the picture, an eraser, clear, invert, undo and redo.

The mask is an 8-bit image (``Format_Alpha8``) of exactly the picture's size, painted without
antialiasing, so every pixel is either painted (255) or not (0) — what the API's mask needs, with
nothing half-transparent to argue about. It is shown over the picture as a tinted overlay. Brush
sizes are in picture pixels, so a 40-pixel stroke covers the same part of the picture whatever
the zoom. Each stroke (and each clear or invert) is one undo step; steps keep compressed copies of
the mask, so a long session costs little memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QPointF, QRect, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QSlider, QToolButton, QVBoxLayout, QWidget

__all__ = ["MaskCanvas", "MaskEditor"]

MIN_BRUSH = 2
MAX_BRUSH = 400
DEFAULT_BRUSH = 48
UNDO_LIMIT = 100
OVERLAY_COLOR = QColor(255, 40, 110, 130)


def _pixels(mask: QImage) -> bytes:
    """The mask's pixels without the padding QImage may add at the end of each row."""
    data = bytes(mask.constBits())[: mask.sizeInBytes()]
    width, stride = mask.width(), mask.bytesPerLine()
    if stride == width:
        return data
    return b"".join(data[row * stride : row * stride + width] for row in range(mask.height()))


def _snapshot(mask: QImage) -> bytes:
    return zlib.compress(bytes(mask.constBits())[: mask.sizeInBytes()], 1)


def _restore(data: bytes, like: QImage) -> QImage:
    raw = zlib.decompress(data)
    image = QImage(raw, like.width(), like.height(), like.bytesPerLine(), QImage.Format.Format_Alpha8)
    return image.copy()  # own the pixels (the QImage above borrows ``raw``)


class _MaskChange(QUndoCommand):
    """One change of the mask: its state before and after, compressed."""

    def __init__(self, canvas: "MaskCanvas", text: str, before: bytes, after: bytes) -> None:
        super().__init__(text)
        self._canvas = canvas
        self._before = before
        self._after = after
        self._applied = True  # pushed after the change was made: the first redo has nothing to do

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._canvas._load_snapshot(self._after)

    def undo(self) -> None:
        self._canvas._load_snapshot(self._before)


class MaskCanvas(QWidget):
    """The picture, scaled to fit, with the painted area over it."""

    #: The painted area changed (a stroke, clear, invert, undo, redo, or a new picture).
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mask_canvas")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 160)
        self.setAccessibleName(self.tr("Mask painting area"))
        self._image = QImage()
        self._mask = QImage()
        self._brush = DEFAULT_BRUSH
        self._erasing = False
        self._overlay_visible = True
        self._stroke_before: bytes | None = None
        self._last: QPointF | None = None
        self._cursor: QPointF | None = None
        self._overlay_cache: tuple[tuple[int, int, int, int], QImage] | None = None
        self._version = 0
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self.empty_text = ""

    # -- state -----------------------------------------------------------------------------------

    def set_image(self, image: QImage | None) -> None:
        """Paint over ``image`` from now on (a fresh, empty mask; the undo history starts over)."""
        self._image = QImage() if image is None else image
        if self._image.isNull():
            self._mask = QImage()
        else:
            self._mask = QImage(self._image.size(), QImage.Format.Format_Alpha8)
            self._mask.fill(0)
        self.undo_stack.clear()
        self._touch()

    def image(self) -> QImage:
        return self._image

    def mask(self) -> QImage:
        """The mask: ``Format_Alpha8``, the picture's size, 255 where painted and 0 elsewhere."""
        return self._mask

    def has_image(self) -> bool:
        return not self._image.isNull()

    def has_painting(self) -> bool:
        if self._mask.isNull():
            return False
        return bool(_pixels(self._mask).strip(b"\x00"))

    def painted_bytes(self) -> tuple[int, int, bytes, int]:
        """(width, height, bytes, bytes per line) of the mask, for ``app.imaging.painted_from_alpha8``."""
        mask = self._mask
        return mask.width(), mask.height(), bytes(mask.constBits())[: mask.sizeInBytes()], mask.bytesPerLine()

    @property
    def brush_size(self) -> int:
        return self._brush

    def set_brush_size(self, size: int) -> None:
        self._brush = max(MIN_BRUSH, min(MAX_BRUSH, int(size)))
        self.update()

    @property
    def erasing(self) -> bool:
        return self._erasing

    def set_erasing(self, erasing: bool) -> None:
        self._erasing = bool(erasing)
        self.update()

    @property
    def overlay_visible(self) -> bool:
        return self._overlay_visible

    def set_overlay_visible(self, visible: bool) -> None:
        self._overlay_visible = bool(visible)
        self.update()

    # -- editing (mouse strokes and tests both come through here) ------------------------------------

    def paint_stroke(self, points: Sequence[QPointF], *, erase: bool | None = None, size: int | None = None) -> None:
        """One undoable stroke through ``points`` (picture coordinates) with the brush or the eraser."""
        if self._mask.isNull() or not points:
            return
        before = _snapshot(self._mask)
        self._draw(points, self._erasing if erase is None else erase, self._brush if size is None else size)
        self._push(self.tr("Erase") if (self._erasing if erase is None else erase) else self.tr("Paint"), before)

    def clear(self) -> None:
        if self._mask.isNull() or not self.has_painting():
            return
        before = _snapshot(self._mask)
        self._mask.fill(0)
        self._push(self.tr("Clear"), before)

    def invert(self) -> None:
        if self._mask.isNull():
            return
        before = _snapshot(self._mask)
        raw = bytes(self._mask.constBits())[: self._mask.sizeInBytes()]
        inverted = raw.translate(bytes(255 if value == 0 else 0 for value in range(256)))
        self._mask = QImage(inverted, self._mask.width(), self._mask.height(), self._mask.bytesPerLine(),
                            QImage.Format.Format_Alpha8).copy()
        self._push(self.tr("Invert"), before)

    def _draw(self, points: Sequence[QPointF], erase: bool, size: int) -> None:
        painter = QPainter(self._mask)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if erase:
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
        pen = QPen(QColor(0, 0, 0, 255), max(1, size), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        if len(points) == 1:
            painter.drawPoint(points[0])
        else:
            for start, end in zip(points, points[1:]):
                painter.drawLine(start, end)
        painter.end()
        self._touch(emit=False)

    def _push(self, text: str, before: bytes) -> None:
        self.undo_stack.push(_MaskChange(self, text, before, _snapshot(self._mask)))
        self._touch()

    def _load_snapshot(self, data: bytes) -> None:
        self._mask = _restore(data, self._mask)
        self._touch()

    def _touch(self, emit: bool = True) -> None:
        self._version += 1
        self._overlay_cache = None
        self.update()
        if emit:
            self.changed.emit()

    # -- geometry --------------------------------------------------------------------------------

    def image_rect(self) -> QRectF:
        """Where the picture is drawn in the widget (scaled to fit, centred, never enlarged past 4×)."""
        if self._image.isNull():
            return QRectF()
        area = self.rect().adjusted(4, 4, -4, -4)
        scale = min(area.width() / self._image.width(), area.height() / self._image.height(), 4.0)
        width, height = self._image.width() * scale, self._image.height() * scale
        return QRectF(area.left() + (area.width() - width) / 2, area.top() + (area.height() - height) / 2, width, height)

    def scale(self) -> float:
        rect = self.image_rect()
        return rect.width() / self._image.width() if not rect.isEmpty() else 1.0

    def to_image(self, point: QPointF) -> QPointF:
        rect = self.image_rect()
        scale = self.scale()
        return QPointF((point.x() - rect.left()) / scale, (point.y() - rect.top()) / scale)

    def to_widget(self, point: QPointF) -> QPointF:
        rect = self.image_rect()
        scale = self.scale()
        return QPointF(rect.left() + point.x() * scale, rect.top() + point.y() * scale)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(480, 360)

    # -- mouse -----------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton or self._mask.isNull():
            super().mousePressEvent(event)
            return
        self._stroke_before = _snapshot(self._mask)
        self._last = self.to_image(event.position())
        self._draw([self._last], self._erasing, self._brush)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._cursor = event.position()
        if self._stroke_before is not None and self._last is not None:
            point = self.to_image(event.position())
            self._draw([self._last, point], self._erasing, self._brush)
            self._last = point
        else:
            self.update()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self._stroke_before is not None:
            before, self._stroke_before = self._stroke_before, None
            self._last = None
            self._push(self.tr("Erase") if self._erasing else self.tr("Paint"), before)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def leaveEvent(self, event: object) -> None:  # noqa: N802
        self._cursor = None
        self.update()

    # -- painting --------------------------------------------------------------------------------

    def _overlay(self, target: QRect) -> QImage:
        key = (self._version, target.width(), target.height(), int(self._overlay_visible))
        if self._overlay_cache is not None and self._overlay_cache[0] == key:
            return self._overlay_cache[1]
        overlay = QImage(target.size(), QImage.Format.Format_ARGB32_Premultiplied)
        overlay.fill(OVERLAY_COLOR)
        painter = QPainter(overlay)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
        painter.drawImage(QRect(0, 0, target.width(), target.height()), self._mask)
        painter.end()
        self._overlay_cache = (key, overlay)
        return overlay

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        if self._image.isNull():
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect().adjusted(16, 16, -16, -16),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text)
            painter.end()
            return
        rect = self.image_rect()
        target = rect.toAlignedRect()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(rect, self._image)
        if self._overlay_visible and not target.isEmpty():
            painter.drawImage(target.topLeft(), self._overlay(target))
        if self._cursor is not None and rect.contains(self._cursor):
            radius = self._brush * self.scale() / 2
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor(255, 255, 255, 220), 1.5))
            painter.drawEllipse(self._cursor, radius, radius)
            painter.setPen(QPen(QColor(0, 0, 0, 200), 1, Qt.PenStyle.DashLine))
            painter.drawEllipse(self._cursor, radius, radius)
        painter.end()


class MaskEditor(QWidget):
    """The canvas with its tools: brush or eraser, size, clear, invert, undo, redo, overlay."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mask_editor")
        self.canvas = MaskCanvas(self)
        stack = self.canvas.undo_stack

        self.brush_action = QAction(self.tr("Brush"), self)
        self.brush_action.setToolTip(self.tr("Paint the area to change"))
        self.brush_action.setShortcut(QKeySequence("B"))
        self.eraser_action = QAction(self.tr("Eraser"), self)
        self.eraser_action.setToolTip(self.tr("Take paint away"))
        self.eraser_action.setShortcut(QKeySequence("E"))
        group = QActionGroup(self)
        for action in (self.brush_action, self.eraser_action):
            action.setCheckable(True)
            group.addAction(action)
        self.brush_action.setChecked(True)
        self.eraser_action.toggled.connect(self.canvas.set_erasing)

        self.clear_action = QAction(self.tr("Clear"), self)
        self.clear_action.setToolTip(self.tr("Remove all paint"))
        self.clear_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.clear_action.triggered.connect(self.canvas.clear)
        self.invert_action = QAction(self.tr("Invert"), self)
        self.invert_action.setToolTip(self.tr("Paint what is not painted and clear what is"))
        self.invert_action.setShortcut(QKeySequence("I"))
        self.invert_action.triggered.connect(self.canvas.invert)
        # Fixed words (not QUndoStack's "Undo Paint"): the toolbar must not change width as you paint.
        self.undo_action = QAction(self.tr("Undo"), self)
        self.undo_action.setToolTip(self.tr("Take back the last stroke"))
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_action.triggered.connect(stack.undo)
        stack.canUndoChanged.connect(self.undo_action.setEnabled)
        self.undo_action.setEnabled(False)
        self.redo_action = QAction(self.tr("Redo"), self)
        self.redo_action.setToolTip(self.tr("Do again what Undo took back"))
        self.redo_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Redo))
        self.redo_action.triggered.connect(stack.redo)
        stack.canRedoChanged.connect(self.redo_action.setEnabled)
        self.redo_action.setEnabled(False)
        self.overlay_action = QAction(self.tr("Show mask"), self)
        self.overlay_action.setToolTip(self.tr("Show the painted area over the picture"))
        self.overlay_action.setShortcut(QKeySequence("M"))
        self.overlay_action.setCheckable(True)
        self.overlay_action.setChecked(True)
        self.overlay_action.toggled.connect(self.canvas.set_overlay_visible)

        self.size_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.size_slider.setObjectName("brush_size_slider")
        self.size_slider.setRange(MIN_BRUSH, MAX_BRUSH)
        self.size_slider.setValue(DEFAULT_BRUSH)
        self.size_slider.setAccessibleName(self.tr("Brush size"))
        self.size_slider.setMinimumWidth(80)
        self.size_label = QLabel(self)
        self.size_label.setMinimumWidth(self.fontMetrics().horizontalAdvance(self.tr("{size} px").format(size=400)) + 4)
        self.size_slider.valueChanged.connect(self._on_size_changed)
        self.smaller_action = QAction(self.tr("Smaller brush"), self)
        self.smaller_action.setToolTip(self.tr("Make the brush smaller"))
        self.smaller_action.setShortcut(QKeySequence("["))
        self.smaller_action.triggered.connect(lambda: self.size_slider.setValue(int(self.size_slider.value() / 1.25)))
        self.bigger_action = QAction(self.tr("Bigger brush"), self)
        self.bigger_action.setToolTip(self.tr("Make the brush bigger"))
        self.bigger_action.setShortcut(QKeySequence("]"))
        self.bigger_action.triggered.connect(
            lambda: self.size_slider.setValue(max(self.size_slider.value() + 1, int(self.size_slider.value() * 1.25)))
        )

        for action in (self.brush_action, self.eraser_action, self.clear_action, self.invert_action,
                       self.undo_action, self.redo_action, self.overlay_action, self.smaller_action,
                       self.bigger_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
            _show_keys(action)
        self.size_slider.setToolTip(self.tr("Brush size ({smaller} smaller, {bigger} bigger)").format(
            smaller=_keys(self.smaller_action), bigger=_keys(self.bigger_action)))

        self.tool_buttons: dict[str, QToolButton] = {}
        tools = QHBoxLayout()
        tools.setSpacing(2)
        for name, action in (("brush", self.brush_action), ("eraser", self.eraser_action)):
            tools.addWidget(self._button(name, action))
        size_caption = QLabel(self.tr("Size:"), self)
        tools.addSpacing(6)
        tools.addWidget(size_caption)
        tools.addWidget(self.size_slider, 1)
        tools.addWidget(self.size_label)
        for name, action in (("clear", self.clear_action), ("invert", self.invert_action),
                             ("undo", self.undo_action), ("redo", self.redo_action),
                             ("overlay", self.overlay_action)):
            tools.addWidget(self._button(name, action))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(tools)
        layout.addWidget(self.canvas, 1)
        self.canvas.changed.connect(self._refresh)
        self._on_size_changed(self.size_slider.value())
        self._refresh()

    def tab_chain(self) -> list[QWidget]:
        """The tools in the order they are laid out, then the canvas (where the tool keys work)."""
        buttons = self.tool_buttons
        return [buttons["brush"], buttons["eraser"], self.size_slider,
                *(buttons[name] for name in ("clear", "invert", "undo", "redo", "overlay")), self.canvas]

    def _button(self, name: str, action: QAction) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(f"mask_{name}_button")
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setAutoRaise(True)
        self.tool_buttons[name] = button
        return button

    @Slot(int)
    def _on_size_changed(self, value: int) -> None:
        self.canvas.set_brush_size(value)
        self.size_label.setText(self.tr("{size} px").format(size=value))

    @Slot()
    def _refresh(self) -> None:
        has_image = self.canvas.has_image()
        for action in (self.brush_action, self.eraser_action, self.invert_action, self.overlay_action):
            action.setEnabled(has_image)
        self.clear_action.setEnabled(has_image and self.canvas.has_painting())
        self.size_slider.setEnabled(has_image)


def _keys(action: QAction) -> str:
    """The action's main key ("Ctrl+Shift+Z", not every platform binding such as the Redo key)."""
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def _show_keys(action: QAction) -> None:
    """Add the action's keys to its tooltip: "Paint the area to change (B)"."""
    keys = _keys(action)
    tip = action.toolTip() or action.text().replace("&", "")
    if keys:
        tip = QCoreApplication.translate("MaskEditor", "{tip} ({keys})").format(tip=tip, keys=keys)
    action.setToolTip(tip)
