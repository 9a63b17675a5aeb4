"""Pictures inside the conversation: thumbnails under a message's text, and a viewer to look closer.

A message's pictures (those the user sent, and those a model returned and Parla kept) are image
parts naming attachments by hash. :class:`ChatImageCache` reads them from the store and makes
thumbnails off the UI thread (``make_thumbnail`` through ``asyncio.to_thread``), keeping a bounded
number; :class:`MessageImages` is the row of thumbnails a message widget shows (a fixed height,
so the list's measured heights do not change when a thumbnail arrives); a click opens
:class:`ChatImageViewer` — zoom, fit, 100 %, Copy and Save as.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence, QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.chat_images import make_thumbnail
from app.store import AsyncStore, StoreError
from app.ui.images.viewer import ZoomView
from app.ui.notify import Notifier
from app.ui.tasks import TaskRegistry

__all__ = ["ChatImageCache", "ChatImageViewer", "MessageImages", "MESSAGE_THUMBNAIL_SIDE"]

log = logging.getLogger(__name__)

#: Longest side of a picture's thumbnail in a message.
MESSAGE_THUMBNAIL_SIDE = 160
_CACHE_CAPACITY = 200
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif"}


class ChatImageCache(QObject):
    """Thumbnails of kept pictures by hash, made off the UI thread on first request."""

    #: A thumbnail is ready (or failed: then ``thumbnail`` keeps answering None): hash
    loaded = Signal(str)

    def __init__(self, store: AsyncStore, tasks: TaskRegistry, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._tasks = tasks
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._loading: set[str] = set()
        self._failed: set[str] = set()

    def thumbnail(self, digest: str) -> QPixmap | None:
        """The thumbnail if made; otherwise None, and it is being made (``loaded`` follows)."""
        pixmap = self._pixmaps.get(digest)
        if pixmap is not None:
            self._pixmaps.move_to_end(digest)
            return pixmap
        if digest not in self._loading and digest not in self._failed:
            self._loading.add(digest)
            self._tasks.spawn(self._load(digest), name="chat.thumbnail")
        return None

    async def _load(self, digest: str) -> None:
        try:
            data = await self._store.read_attachment(digest)
            png = await asyncio.to_thread(make_thumbnail, data, MESSAGE_THUMBNAIL_SIDE)
        except asyncio.CancelledError:
            self._loading.discard(digest)
            raise
        except Exception as exc:  # noqa: BLE001 — a missing or damaged picture shows as a placeholder
            log.warning("chat: no thumbnail for %s: %s", digest[:12], type(exc).__name__)
            self._failed.add(digest)
        else:
            pixmap = QPixmap()
            if pixmap.loadFromData(png):
                self._pixmaps[digest] = pixmap
                while len(self._pixmaps) > _CACHE_CAPACITY:
                    self._pixmaps.popitem(last=False)
            else:
                self._failed.add(digest)
        self._loading.discard(digest)
        self.loaded.emit(digest)

    async def picture(self, digest: str) -> tuple[bytes, str]:
        """The kept bytes and their MIME type."""
        record = await self._store.get_attachment(digest)
        if record is None:
            raise StoreError(f"the picture {digest[:12]} is no longer kept")
        return await self._store.read_attachment(digest), record.mime


class _Thumb(QLabel):
    clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message_image")
        self.digest = ""
        self.setFixedSize(QSize(MESSAGE_THUMBNAIL_SIDE, MESSAGE_THUMBNAIL_SIDE))
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(self.tr("Open the picture (zoom, Copy, Save as)"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit(self.digest)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit(self.digest)
            return
        super().keyPressEvent(event)


class MessageImages(QWidget):
    """A message's pictures as a row of thumbnails (wrapping is not needed: they are few)."""

    #: A thumbnail was clicked: the picture's hash
    image_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message_images")
        self._cache: ChatImageCache | None = None
        self._thumbs: list[_Thumb] = []
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 2, 0, 2)
        self._layout.setSpacing(6)
        self._layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def set_cache(self, cache: ChatImageCache | None) -> None:
        if self._cache is not None:
            self._cache.loaded.disconnect(self._on_loaded)
        self._cache = cache
        if cache is not None:
            cache.loaded.connect(self._on_loaded)

    def hashes(self) -> list[str]:
        return [thumb.digest for thumb in self._thumbs if thumb.isVisibleTo(self)]

    def thumb(self, index: int) -> QLabel:
        return self._thumbs[index]

    def set_images(self, hashes: Sequence[str]) -> None:
        while len(self._thumbs) < len(hashes):
            thumb = _Thumb(self)
            thumb.clicked.connect(self.image_clicked)
            self._layout.insertWidget(len(self._thumbs), thumb)
            self._thumbs.append(thumb)
        for index, thumb in enumerate(self._thumbs):
            if index < len(hashes):
                thumb.digest = hashes[index]
                self._show(thumb)
                thumb.show()
            else:
                thumb.digest = ""
                thumb.hide()
        self.setVisible(bool(hashes))

    def _show(self, thumb: _Thumb) -> None:
        pixmap = self._cache.thumbnail(thumb.digest) if self._cache is not None else None
        if pixmap is not None:
            thumb.setPixmap(pixmap)
        else:
            thumb.setPixmap(QPixmap())
            thumb.setText("…")

    @Slot(str)
    def _on_loaded(self, digest: str) -> None:
        for thumb in self._thumbs:
            if thumb.digest == digest and thumb.isVisibleTo(self):
                pixmap = self._cache.thumbnail(digest) if self._cache is not None else None
                if pixmap is not None:
                    thumb.setPixmap(pixmap)
                else:
                    thumb.setText(self.tr("Picture missing"))


class ChatImageViewer(QDialog):
    """One kept picture at full size: zoom, fit, 100 %, Copy, Save as."""

    def __init__(
        self,
        data: bytes,
        mime: str,
        *,
        tasks: TaskRegistry,
        notifier: Notifier,
        name: str = "picture",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("chat_image_viewer")
        self.setWindowTitle(self.tr("Picture"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._data = data
        self._mime = mime
        self._tasks = tasks
        self._notifier = notifier
        self._name = name
        self.save_dialog: QFileDialog | None = None
        self.image = QImage.fromData(data)
        self.view = ZoomView(self)
        self.view.set_pixmap(QPixmap.fromImage(self.image))
        toolbar = QToolBar(self)
        toolbar.setObjectName("chat_image_toolbar")
        self.fit_action = toolbar.addAction(self.tr("Fit"), self.view.fit)
        self.fit_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_0))
        self.actual_action = toolbar.addAction(self.tr("100 %"), self.view.actual_size)
        self.zoom_in_action = toolbar.addAction(self.tr("Zoom in"), lambda: self.view.zoom_by(1.25))
        self.zoom_in_action.setShortcut(QKeySequence.StandardKey.ZoomIn)
        self.zoom_out_action = toolbar.addAction(self.tr("Zoom out"), lambda: self.view.zoom_by(0.8))
        self.zoom_out_action.setShortcut(QKeySequence.StandardKey.ZoomOut)
        toolbar.addSeparator()
        self.copy_action = toolbar.addAction(self.tr("Copy"), self.copy)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.save_action = toolbar.addAction(self.tr("Save as…"), self.save_as)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.size_label = QLabel(self.tr("{width} × {height} px").format(width=self.image.width(), height=self.image.height()), self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.addWidget(toolbar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.size_label, 0, Qt.AlignmentFlag.AlignCenter)
        self.resize(900, 700)

    @Slot()
    def copy(self) -> None:
        QGuiApplication.clipboard().setImage(self.image)
        self._notifier.info(self.tr("Picture copied."))

    def default_file_name(self) -> str:
        return Path(self._name).stem + _EXTENSIONS.get(self._mime, ".png")

    @Slot()
    def save_as(self) -> None:
        dialog = QFileDialog(self, self.tr("Save picture"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(self.default_file_name())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.save_to)
        self.save_dialog = dialog
        dialog.open()

    @Slot(str)
    def save_to(self, path: str) -> None:
        """Write the kept bytes as they are (what was sent or received), off the UI thread."""
        self._tasks.spawn(self._write(Path(path)), name="chat.save-picture")

    async def _write(self, path: Path) -> None:
        try:
            await asyncio.to_thread(path.write_bytes, self._data)
        except OSError as exc:
            self._notifier.error(exc)
            return
        self._notifier.info(self.tr("Saved {name}.").format(name=path.name))
