"""One picture at full size: zoom, fit, pan, its story (prompt, model, parameters), and every action."""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QMouseEvent, QPainter, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.store.gallery import GalleryImage, Operation
from app.ui.images.actions import ImageAction, make_actions
from app.ui.images.widgets import option_caption, value_label

__all__ = ["ImageViewer", "ZoomView"]

MIN_ZOOM = 0.05
MAX_ZOOM = 16.0
ZOOM_STEP = 1.25
#: Parameters worth showing under a picture, in this order (the rest are technical).
_SHOWN_PARAMETERS = ["size", "quality", "style", "background", "output_format", "n"]


def _pair(caption: str, value: str) -> str:
    """"Size: 1024" — no space after a Chinese full-width colon."""
    return f"{caption}{value}" if caption.endswith("：") else f"{caption} {value}"


class ZoomView(QGraphicsView):
    """A picture that fits the view until the user zooms; then it pans by dragging."""

    #: The zoom changed: the factor (1.0 = one picture pixel per screen pixel), and whether it fits.
    zoom_changed = Signal(float, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("viewer_view")
        self._scene = QGraphicsScene(self)
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._item)
        self.setScene(self._scene)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._fit = True
        self._zoom = 1.0

    @property
    def zoom(self) -> float:
        return self._zoom

    @property
    def fitted(self) -> bool:
        return self._fit

    def has_picture(self) -> bool:
        return not self._item.pixmap().isNull()

    def set_pixmap(self, pixmap: QPixmap) -> None:
        self._item.setPixmap(pixmap)
        self._scene.setSceneRect(QRectF(pixmap.rect()))
        self.fit()

    def clear(self) -> None:
        self._item.setPixmap(QPixmap())
        self._scene.setSceneRect(QRectF())

    def fit(self) -> None:
        """The whole picture in view — never enlarged beyond its own size (small pictures stay sharp)."""
        self._fit = True
        rect = self._scene.sceneRect()
        if rect.isEmpty():
            return
        view = self.viewport().rect()
        scale = min(view.width() / rect.width(), view.height() / rect.height(), 1.0)
        self._apply(max(MIN_ZOOM, scale))

    def actual_size(self) -> None:
        self._fit = False
        self._apply(1.0)

    def zoom_by(self, factor: float) -> None:
        self._fit = False
        self._apply(min(MAX_ZOOM, max(MIN_ZOOM, self._zoom * factor)))

    def _apply(self, zoom: float) -> None:
        self._zoom = zoom
        self.resetTransform()
        self.scale(zoom, zoom)
        self.zoom_changed.emit(zoom, self._fit)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._fit:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom_by(ZOOM_STEP ** steps)
            event.accept()
            return
        super().wheelEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._fit:
            self.actual_size()
        else:
            self.fit()
        event.accept()


class ImageViewer(QWidget):
    """The viewer page: a toolbar, the picture, and what is known about it."""

    back_requested = Signal()
    #: Show the previous (-1) or next (+1) picture of the gallery.
    step_requested = Signal(int)
    #: ``action`` (an :class:`ImageAction` value) for the picture shown.
    action_requested = Signal(str, list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("image_viewer")
        self._image: GalleryImage | None = None
        self.view = ZoomView(self)
        self.view.setAccessibleName(self.tr("Picture"))
        self.view.setToolTip(self.tr("Arrows: previous and next; + and −: zoom; F: fit; 1: real size; Esc: back"))
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("viewer_toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)

        self.back_action = QAction(self.tr("Back to gallery"), self)
        self.back_action.setToolTip(self.tr("Show the gallery again"))
        self.back_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.back_action.triggered.connect(self.back_requested)
        self.previous_action = QAction(self.tr("Previous"), self)
        self.previous_action.setToolTip(self.tr("The previous picture of the gallery"))
        self.previous_action.setShortcut(QKeySequence(Qt.Key.Key_Left))
        self.previous_action.triggered.connect(lambda: self.step_requested.emit(-1))
        self.next_action = QAction(self.tr("Next"), self)
        self.next_action.setToolTip(self.tr("The next picture of the gallery"))
        self.next_action.setShortcut(QKeySequence(Qt.Key.Key_Right))
        self.next_action.triggered.connect(lambda: self.step_requested.emit(1))
        # Plain keys, not Ctrl+…: the window uses Ctrl+=/−/0 for the text size, and the viewer has no text field.
        self.zoom_out_action = QAction(self.tr("Zoom out"), self)
        self.zoom_out_action.setToolTip(self.tr("Show the picture smaller"))
        self.zoom_out_action.setShortcuts([QKeySequence("-")])
        self.zoom_out_action.triggered.connect(lambda: self.view.zoom_by(1 / 1.25))
        self.zoom_in_action = QAction(self.tr("Zoom in"), self)
        self.zoom_in_action.setToolTip(self.tr("Show the picture bigger"))
        self.zoom_in_action.setShortcuts([QKeySequence("+"), QKeySequence("=")])
        self.zoom_in_action.triggered.connect(lambda: self.view.zoom_by(1.25))
        self.fit_action = QAction(self.tr("Fit"), self)
        self.fit_action.setToolTip(self.tr("Fit the whole picture in the view"))
        self.fit_action.setShortcut(QKeySequence("F"))
        self.fit_action.triggered.connect(self.view.fit)
        self.actual_action = QAction(self.tr("100%"), self)
        self.actual_action.setToolTip(self.tr("Show the picture at its real size, one pixel per pixel"))
        self.actual_action.setShortcut(QKeySequence("1"))
        self.actual_action.triggered.connect(self.view.actual_size)
        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("viewer_zoom")
        self.zoom_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("0000%") + 8)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.actions_by_kind = make_actions(self, shortcuts=True)
        for action in self.actions_by_kind.values():
            action.triggered.connect(self._on_action_triggered)
        for action in (self.back_action, self.previous_action, self.next_action, self.zoom_out_action,
                       self.zoom_in_action, self.fit_action, self.actual_action, *self.actions_by_kind.values()):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
            keys = ", ".join(seq.toString(QKeySequence.SequenceFormat.NativeText) for seq in action.shortcuts())
            if keys:
                action.setToolTip(self.tr("{tip} ({keys})").format(tip=action.toolTip(), keys=keys))

        bar = self.toolbar
        bar.addAction(self.back_action)
        bar.addAction(self.previous_action)
        bar.addAction(self.next_action)
        bar.addSeparator()
        bar.addAction(self.zoom_out_action)
        bar.addWidget(self.zoom_label)
        bar.addAction(self.zoom_in_action)
        bar.addAction(self.fit_action)
        bar.addAction(self.actual_action)

        # What to do with the picture: the frequent ones as buttons, the rest behind "More".
        self.action_bar = QToolBar(self)
        self.action_bar.setObjectName("viewer_actions")
        self.action_bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for kind in (ImageAction.EDIT, ImageAction.VARY, ImageAction.REUSE_PROMPT, ImageAction.SEND_TO_CHAT):
            self.action_bar.addAction(self.actions_by_kind[kind])
        self.more_menu = QMenu(self)
        for kind in (ImageAction.COPY, ImageAction.SAVE_AS, ImageAction.SHOW_IN_FOLDER):
            self.more_menu.addAction(self.actions_by_kind[kind])
        self.more_menu.addSeparator()
        self.more_menu.addAction(self.actions_by_kind[ImageAction.DELETE])
        self.more_button = QToolButton(self)
        self.more_button.setObjectName("viewer_more_button")
        self.more_button.setText(self.tr("More"))
        self.more_button.setToolTip(self.tr("Copy, save, show in folder or delete the picture"))
        self.more_button.setAccessibleName(self.tr("More actions"))
        self.more_button.setMenu(self.more_menu)
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.action_bar.addWidget(self.more_button)

        self.details = QLabel(self)
        self.details.setObjectName("viewer_details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                             | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.details.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.details.setMargin(6)
        self.status = QLabel(self)
        self.status.setObjectName("viewer_status")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.action_bar)
        layout.addWidget(self.details)
        self.view.zoom_changed.connect(self._on_zoom_changed)
        self._on_zoom_changed(1.0, True)

    @property
    def image(self) -> GalleryImage | None:
        return self._image

    def show_image(self, image: GalleryImage, pixmap: QPixmap | None) -> None:
        """Show ``image``; ``pixmap`` None means its file could not be read (said so, metadata kept)."""
        self._image = image
        if pixmap is None or pixmap.isNull():
            self.view.clear()
            self.status.setText(self.tr("The picture's file is missing or damaged."))
            self.status.show()
        else:
            self.status.hide()
            self.view.set_pixmap(pixmap)
        self.details.setText(self.describe(image))
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_navigation(self, has_previous: bool, has_next: bool) -> None:
        self.previous_action.setEnabled(has_previous)
        self.next_action.setEnabled(has_next)

    def describe(self, image: GalleryImage) -> str:
        operation = {
            Operation.GENERATE: self.tr("Generated"),
            Operation.EDIT: self.tr("Edited"),
            Operation.VARIATION: self.tr("Variation"),
        }[image.operation]
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(image.created_at))
        lines = []
        if image.prompt:
            lines.append(self.tr("Prompt: {prompt}").format(prompt=image.prompt))
        if image.revised_prompt and image.revised_prompt != image.prompt:
            lines.append(self.tr("Revised by the model: {prompt}").format(prompt=image.revised_prompt))
        facts = [operation, f"{image.width} × {image.height}", when]
        if image.model:
            facts.insert(1, image.model)
        lines.append(" · ".join(facts))
        shown = [(k, v) for k, v in image.parameters.items() if k in _SHOWN_PARAMETERS]
        if shown:
            shown.sort(key=lambda item: _SHOWN_PARAMETERS.index(item[0]))
            lines.append(" · ".join(_pair(option_caption(key), value_label(key, str(value))) for key, value in shown))
        if image.source_name:
            lines.append(self.tr("From: {name}").format(name=image.source_name))
        return "\n".join(lines)

    @Slot(float, bool)
    def _on_zoom_changed(self, zoom: float, fitted: bool) -> None:
        self.zoom_label.setText(f"{round(zoom * 100)}%")

    @Slot()
    def _on_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction) and self._image is not None:
            self.action_requested.emit(str(action.data()), [self._image])
