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
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QMimeData,
    QObject,
    QPoint,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QDrag,
    QGuiApplication,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPixmap,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.chat_images import make_thumbnail
from app.store import AsyncStore, StoreError
from app.ui.notify import Notifier
from app.ui.tasks import TaskRegistry

__all__ = [
    "ChatImageCache",
    "ChatImageViewer",
    "DRAG_COPY_MAX_AGE",
    "INLINE_IMAGE_SIDE",
    "MESSAGE_THUMBNAIL_SIDE",
    "MessageImages",
    "MessageWebImages",
    "remove_old_drag_copies",
    "set_drag_root",
]

log = logging.getLogger(__name__)

#: Longest side of a picture's thumbnail in a message.
MESSAGE_THUMBNAIL_SIDE = 160
#: Longest side of a kept picture shown in a reply's text, in place of its markdown.
INLINE_IMAGE_SIDE = 360
_CACHE_CAPACITY = 200
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif"}


#: Where this run's drag copies go (the page points it at the cache: ``<cache>/drag``).
_drag_root: Path | None = None
_drag_dir: Path | None = None
#: A drag copy folder older than this is removed at start (a file manager may still be reading a younger one).
DRAG_COPY_MAX_AGE = 24 * 3600
_DRAG_PREFIX = "parla-drag-"


def set_drag_root(root: Path | None) -> None:
    """Put the drag copies of this run under ``root`` (a new ``parla-drag-*`` folder there)."""
    global _drag_root, _drag_dir  # noqa: PLW0603 — one folder per run
    _drag_root = root
    _drag_dir = None


def remove_old_drag_copies(root: Path, *, max_age: float = DRAG_COPY_MAX_AGE, now: float | None = None) -> int:
    """Delete the ``parla-drag-*`` folders under ``root`` not touched for ``max_age`` seconds (blocking).

    Returns how many were removed; this run's own folder is never removed.
    """
    import shutil
    import time

    now = time.time() if now is None else now
    removed = 0
    try:
        candidates = [path for path in root.iterdir() if path.name.startswith(_DRAG_PREFIX) and path.is_dir()]
    except OSError:
        return 0
    for path in candidates:
        if _drag_dir is not None and path == _drag_dir:
            continue
        try:
            newest = max([path.stat().st_mtime, *(child.stat().st_mtime for child in path.iterdir())])
        except OSError:
            continue
        if now - newest < max_age:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed += not path.exists()
    return removed


def write_drag_copy(data: bytes, mime: str, name: str) -> Path:
    """A copy of a kept picture with a proper extension, for dragging out (blocking: a file write).

    The copies live in a private folder for this run (under the cache, see :func:`set_drag_root`);
    a file manager reads them when the drop lands — possibly a while later — so they are removed
    only by :func:`remove_old_drag_copies` at a later start, once they are a day old.
    """
    global _drag_dir  # noqa: PLW0603 — one folder per run
    if _drag_dir is None or not _drag_dir.is_dir():
        if _drag_root is not None:
            _drag_root.mkdir(parents=True, exist_ok=True)
        _drag_dir = Path(tempfile.mkdtemp(prefix=_DRAG_PREFIX, dir=_drag_root))
    path = _drag_dir / (Path(name).stem + _EXTENSIONS.get(mime, ".png"))
    if not path.exists() or path.stat().st_size != len(data):
        path.write_bytes(data)
    return path


def drag_mime_data(path: Path, data: bytes, mime: str) -> QMimeData:
    """What a dragged picture carries: the file (for file managers and the desktop) and the image
    itself (for editors and browsers that take pixels), plus the encoded bytes under their type."""
    mime_data = QMimeData()
    mime_data.setUrls([QUrl.fromLocalFile(str(path))])
    image = QImage.fromData(data)
    if not image.isNull():
        mime_data.setImageData(image)
    mime_data.setData(mime, data)
    return mime_data


def _pixmap_from(png: bytes) -> QPixmap | None:
    pixmap = QPixmap()
    return pixmap if pixmap.loadFromData(png) else None


def _image_from(png: bytes) -> QImage | None:
    image = QImage.fromData(png)
    return None if image.isNull() else image


@dataclass
class _Shelf:
    """One size of picture kept by :class:`ChatImageCache`: made once, least recently used out."""

    side: int
    capacity: int
    task_name: str
    convert: Callable[[bytes], Any]  # PNG bytes → the Qt object kept, or None when unreadable
    items: OrderedDict[str, Any] = field(default_factory=OrderedDict)
    loading: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)


class ChatImageCache(QObject):
    """Thumbnails of kept pictures by hash, made off the UI thread on first request."""

    #: A thumbnail is ready (or failed: then ``thumbnail`` keeps answering None): hash
    loaded = Signal(str)

    def __init__(self, store: AsyncStore, tasks: TaskRegistry, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._tasks = tasks
        self._thumbnails = _Shelf(MESSAGE_THUMBNAIL_SIDE, _CACHE_CAPACITY, "chat.thumbnail", _pixmap_from)
        self._inline = _Shelf(INLINE_IMAGE_SIDE, _CACHE_CAPACITY // 4, "chat.inline-picture", _image_from)

    @property
    def tasks(self) -> TaskRegistry:
        return self._tasks

    def inline_image(self, digest: str) -> QImage | None:
        """The picture at inline size (:data:`INLINE_IMAGE_SIDE`) if made; otherwise None, and it
        is being made (``loaded`` follows)."""
        return self._lookup(self._inline, digest)

    def thumbnail(self, digest: str) -> QPixmap | None:
        """The thumbnail if made; otherwise None, and it is being made (``loaded`` follows)."""
        return self._lookup(self._thumbnails, digest)

    def _lookup(self, shelf: _Shelf, digest: str) -> Any:
        item = shelf.items.get(digest)
        if item is not None:
            shelf.items.move_to_end(digest)
            return item
        if digest not in shelf.loading and digest not in shelf.failed:
            shelf.loading.add(digest)
            self._tasks.spawn(self._load(shelf, digest), name=shelf.task_name)
        return None

    async def _load(self, shelf: _Shelf, digest: str) -> None:
        try:
            data = await self._store.read_attachment(digest)
            png = await asyncio.to_thread(make_thumbnail, data, shelf.side)
        except asyncio.CancelledError:
            shelf.loading.discard(digest)
            raise
        except Exception as exc:  # noqa: BLE001 — a missing or damaged picture shows as a placeholder
            log.warning("chat: no %d px picture for %s: %s", shelf.side, digest[:12], type(exc).__name__)
            shelf.failed.add(digest)
        else:
            item = shelf.convert(png)
            if item is None:
                shelf.failed.add(digest)
            else:
                shelf.items[digest] = item
                while len(shelf.items) > shelf.capacity:
                    shelf.items.popitem(last=False)
        shelf.loading.discard(digest)
        self.loaded.emit(digest)

    async def drag_copy(self, digest: str) -> tuple[Path, bytes, str]:
        """A temporary copy of the kept picture with its extension (for dragging out), its bytes and type."""
        data, mime = await self.picture(digest)
        path = await asyncio.to_thread(write_drag_copy, data, mime, f"picture-{digest[:8]}")
        return path, data, mime

    async def picture(self, digest: str) -> tuple[bytes, str]:
        """The kept bytes and their MIME type."""
        record = await self._store.get_attachment(digest)
        if record is None:
            raise StoreError(f"the picture {digest[:12]} is no longer kept")
        return await self._store.read_attachment(digest), record.mime


class _Thumb(QLabel):
    clicked = Signal(str)
    #: The button went down on it (a drag may follow: its copy is made now): hash
    pressed = Signal(str)
    #: The mouse moved far enough with the button down: hash
    drag_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message_image")
        self.digest = ""
        self.setFixedSize(QSize(MESSAGE_THUMBNAIL_SIDE, MESSAGE_THUMBNAIL_SIDE))
        # Top-left: a wide picture sits right under the text, not in the middle of a square.
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(self.tr("Open the picture (zoom, Copy, Save as)"))
        self.setAccessibleName(self.tr("Picture"))
        # Enter or Space opens it; Tab reaches it through the message list, not the window's chain.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._press: QPoint | None = None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.digest:
            self._press = event.position().toPoint()
            self.pressed.emit(self.digest)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            if (event.position().toPoint() - self._press).manhattanLength() >= QApplication.startDragDistance():
                self._press = None
                self.drag_requested.emit(self.digest)
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pressed, self._press = self._press, None
        if (
            event.button() == Qt.MouseButton.LeftButton
            and pressed is not None
            and self.rect().contains(event.position().toPoint())
        ):
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
        #: hash → (copy, bytes, type) for dragging out, made when the button goes down
        self._drag_copies: dict[str, tuple[Path, bytes, str]] = {}
        self._drag_waiting: tuple[str, QWidget | None] | None = None
        #: The last drag's data (what a drop would receive), for tests and diagnostics.
        self.last_drag: QMimeData | None = None
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
            thumb.pressed.connect(self._prepare_drag)
            thumb.drag_requested.connect(self._on_drag_requested)
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

    # -- dragging out ----------------------------------------------------------------------

    @Slot(str)
    def _prepare_drag(self, digest: str) -> None:
        """The button went down on a picture: make its copy now, so a drag can start at once."""
        self.prepare_drag(digest)

    def prepare_drag(self, digest: str) -> None:
        """Make the copy a drag of this picture carries (a thumbnail or a picture in the text)."""
        if self._cache is None or digest in self._drag_copies:
            return
        self._cache.tasks.spawn(self._make_copy(digest), name="chat.drag-copy")

    async def _make_copy(self, digest: str) -> None:
        assert self._cache is not None
        try:
            self._drag_copies[digest] = await self._cache.drag_copy(digest)
        except (StoreError, OSError) as exc:
            log.warning("chat: no copy to drag for %s: %s", digest[:12], type(exc).__name__)
            self._drag_waiting = None
            return
        if self._drag_waiting is not None and self._drag_waiting[0] == digest:
            source = self._drag_waiting[1]
            self._drag_waiting = None
            if QApplication.mouseButtons() & Qt.MouseButton.LeftButton:
                QTimer.singleShot(0, lambda: self.start_drag(digest, source))

    @Slot(str)
    def _on_drag_requested(self, digest: str) -> None:
        thumb = self.sender()
        self.request_drag(digest, thumb if isinstance(thumb, QWidget) else None)

    def request_drag(self, digest: str, source: QWidget | None = None) -> None:
        """Start dragging the picture out from ``source`` (at once, or as soon as its copy is made)."""
        if digest in self._drag_copies:
            self.start_drag(digest, source)
        else:
            self._drag_waiting = (digest, source)  # started as soon as the copy is written
            self.prepare_drag(digest)

    def drag_data(self, digest: str) -> QMimeData | None:
        """What dragging this picture carries (None until its copy is made)."""
        copy = self._drag_copies.get(digest)
        return drag_mime_data(*copy) if copy is not None else None

    def start_drag(self, digest: str, source: QWidget | None = None) -> None:
        mime_data = self.drag_data(digest)
        thumb = next((t for t in self._thumbs if t.digest == digest and t.isVisibleTo(self)), None)
        if mime_data is None:
            return
        self.last_drag = mime_data
        drag = QDrag(source or thumb or self)
        drag.setMimeData(mime_data)
        pixmap = thumb.pixmap() if thumb is not None else None
        if (pixmap is None or pixmap.isNull()) and self._cache is not None:
            pixmap = self._cache.thumbnail(digest)
        if pixmap is not None and not pixmap.isNull():
            drag.setPixmap(pixmap.scaled(96, 96, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        drag.exec(Qt.DropAction.CopyAction)

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


class _WebPictureTile(QFrame):
    """A picture the user sent by its address: the host, and Load picture (nothing is fetched before)."""

    load_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("web_picture_tile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.url = ""
        self.caption = QLabel(self)
        self.caption.setObjectName("web_picture_caption")
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.host_label = QLabel(self)
        self.host_label.setObjectName("web_picture_host")
        self.host_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.load_button = QPushButton(self.tr("Load picture"), self)
        self.load_button.setObjectName("web_picture_load")
        self.load_button.setAccessibleName(self.tr("Load picture"))
        self.load_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab reaches it through the message list
        self.load_button.clicked.connect(self._on_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addWidget(self.caption)
        layout.addWidget(self.host_label)
        layout.addWidget(self.load_button, 0, Qt.AlignmentFlag.AlignCenter)
        self.setFixedWidth(MESSAGE_THUMBNAIL_SIDE + 40)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_url(self, url: str, *, loading: bool) -> None:
        self.url = url
        host = QUrl(url).host() or url
        self.caption.setText(self.tr("Picture sent by its address"))
        metrics = self.host_label.fontMetrics()
        self.host_label.setText(metrics.elidedText(host, Qt.TextElideMode.ElideMiddle, MESSAGE_THUMBNAIL_SIDE + 20))
        self.setToolTip(url)
        self.set_loading(loading)

    def set_loading(self, loading: bool) -> None:
        self.load_button.setEnabled(not loading)
        self.load_button.setText(self.tr("Loading…") if loading else self.tr("Load picture"))
        self.load_button.setToolTip(
            self.tr("Download the picture from {host} and keep it with the conversation").format(
                host=QUrl(self.url).host() or self.url
            )
        )

    @Slot()
    def _on_clicked(self) -> None:
        if self.url:
            self.set_loading(True)
            self.load_clicked.emit(self.url)


class MessageWebImages(QWidget):
    """The pictures a message sent by their address and not yet loaded: a tile each with Load picture."""

    #: Load picture was clicked: the address
    load_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message_web_images")
        self._tiles: list[_WebPictureTile] = []
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 2, 0, 2)
        self._layout.setSpacing(6)
        self._layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def tiles(self) -> list[_WebPictureTile]:
        return [tile for tile in self._tiles if tile.isVisibleTo(self)]

    def set_urls(self, urls: Sequence[str], loading: set[str] | frozenset[str] = frozenset()) -> None:
        while len(self._tiles) < len(urls):
            tile = _WebPictureTile(self)
            tile.load_clicked.connect(self.load_requested)
            self._layout.insertWidget(len(self._tiles), tile)
            self._tiles.append(tile)
        for index, tile in enumerate(self._tiles):
            if index < len(urls):
                tile.set_url(urls[index], loading=urls[index] in loading)
                tile.show()
            else:
                tile.url = ""
                tile.hide()
        self.setVisible(bool(urls))


class _DragHandle(QLabel):
    """A toolbar item to drag the whole picture out of the viewer (the picture itself pans)."""

    drag_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chat_image_drag_handle")
        self.setText(self.tr("Drag out"))
        self.setToolTip(self.tr("Drag from here to a folder, the desktop or another program to copy the picture there"))
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setContentsMargins(8, 0, 8, 0)
        self._press: QPoint | None = None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            if (event.position().toPoint() - self._press).manhattanLength() >= QApplication.startDragDistance():
                self._press = None
                self.drag_requested.emit()
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._press = None
        super().mouseReleaseEvent(event)


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
        from app.ui.images.viewer import ZoomView  # graphics view: ~4 MB, only once a picture is opened

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
        toolbar.addSeparator()
        tips = {
            self.fit_action: self.tr("Fit the whole picture in the window"),
            self.actual_action: self.tr("Show the picture at its real size, one screen pixel for each of its pixels"),
            self.zoom_in_action: self.tr("Zoom in"),
            self.zoom_out_action: self.tr("Zoom out"),
            self.copy_action: self.tr("Copy the picture to the clipboard"),
            self.save_action: self.tr("Save the picture to a file"),
        }
        for action, tip in tips.items():
            key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(self.tr("{what} ({key})").format(what=tip, key=key) if key else tip)
        self.drag_handle = _DragHandle(toolbar)
        self.drag_handle.drag_requested.connect(self.start_drag)
        toolbar.addWidget(self.drag_handle)
        self._drag_copy: Path | None = None
        #: The last drag's data (what a drop would receive), for tests and diagnostics.
        self.last_drag: QMimeData | None = None
        self._tasks.spawn(self._make_drag_copy(), name="chat.viewer-drag-copy")
        self.size_label = QLabel(self.tr("{width} × {height} px").format(width=self.image.width(), height=self.image.height()), self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.addWidget(toolbar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.size_label, 0, Qt.AlignmentFlag.AlignCenter)
        self.resize(900, 700)

    async def _make_drag_copy(self) -> None:
        try:
            self._drag_copy = await asyncio.to_thread(write_drag_copy, self._data, self._mime, self._name)
        except OSError as exc:
            log.warning("chat: no copy to drag from the viewer: %s", type(exc).__name__)

    def drag_data(self) -> QMimeData | None:
        """What dragging the picture out carries (None until its copy is written)."""
        return drag_mime_data(self._drag_copy, self._data, self._mime) if self._drag_copy is not None else None

    @Slot()
    def start_drag(self) -> None:
        mime_data = self.drag_data()
        if mime_data is None:
            return
        self.last_drag = mime_data
        drag = QDrag(self.drag_handle)
        drag.setMimeData(mime_data)
        if not self.image.isNull():
            drag.setPixmap(QPixmap.fromImage(self.image.scaled(
                96, 96, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )))
        drag.exec(Qt.DropAction.CopyAction)

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
