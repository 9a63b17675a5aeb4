"""Pictures in the composer: where they come from (drop, paste, Attach), their thumbnails, and words for bad ones.

The pictures themselves are handled by :mod:`app.chat_images` (no Qt): ``make_thumbnail`` and
``prepare_image`` run through ``asyncio.to_thread`` (the page starts that work); this module holds
what the composer shows while they do — a strip of thumbnails with a remove button each, and the
detail setting (auto / low / high) that goes with the message — and turns a ``QMimeData`` (a drop,
a paste) into the files or bytes to process.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QMimeData, QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from app.chat_images import ChatImageError, ImageErrorKind, PreparedImage
from app.ui.errors import user_message

__all__ = [
    "DETAILS",
    "THUMBNAIL_SIDE",
    "AttachmentStrip",
    "ImageSource",
    "PendingImage",
    "image_error_text",
    "returned_image_error_text",
    "web_image_error_text",
    "web_picture_load_error_text",
    "image_sources",
]

#: Longest side of a composer thumbnail, in pixels.
THUMBNAIL_SIDE = 72
#: The detail values a request may name ("auto" is what the API assumes when none is given).
DETAILS = ("auto", "low", "high")

# Raw picture formats taken from a clipboard or a drop as they are (prepare_image reads them all).
_RAW_FORMATS = ("image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp", "image/tiff")


@dataclass(frozen=True)
class ImageSource:
    """A picture to process: a local file (``str`` path) or bytes (pasted or dropped data), or a
    picture dragged from a web page (``url``; ``data`` then holds the pixels the drag carried, if any)."""

    data: str | bytes
    name: str
    url: str | None = None


_WEB_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".avif", ".heic")


def _web_image_source(mime: QMimeData, pixels: bytes) -> ImageSource | None:
    """An http(s) picture address in a drag from a browser (one that carries pixels or names a picture file)."""
    for url in mime.urls():
        if url.scheme().lower() not in ("http", "https") or not url.host():
            continue
        name = Path(url.path()).name
        if pixels or name.lower().endswith(_WEB_IMAGE_SUFFIXES):
            return ImageSource(pixels, name, url=url.toString(QUrl.ComponentFormattingOption.FullyEncoded))
    return None


def image_sources(mime: QMimeData | None) -> list[ImageSource]:
    """The pictures a drop or a paste carries: local files first, else the image data itself.

    Files are not checked here (a text file dropped by mistake gets its sentence from
    ``prepare_image``); non-local URLs are ignored.
    """
    if mime is None:
        return []
    files = [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]
    files = [path for path in files if not Path(path).is_dir()]
    if files:
        return [ImageSource(path, Path(path).name) for path in files]
    pixels = _pixels(mime)
    web = _web_image_source(mime, pixels)
    if web is not None:
        return [web]
    return [ImageSource(pixels, "")] if pixels else []


def _pixels(mime: QMimeData) -> bytes:
    """The image data a drop or a paste carries (encoded as it came, or as PNG), or b""."""
    for fmt in _RAW_FORMATS:
        if mime.hasFormat(fmt):
            data = bytes(mime.data(fmt).data())
            if data:
                return data
    if mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QPixmap):
            image = image.toImage()
        if isinstance(image, QImage) and not image.isNull():
            return _png_bytes(image)
    return b""


def _png_bytes(image: QImage) -> bytes:
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(array.data())


def image_error_text(exc: BaseException, name: str = "") -> str:
    """One sentence for a picture that cannot be sent (a ``ChatImageError``), naming the file if known."""
    translate = QCoreApplication.translate
    kind = exc.kind if isinstance(exc, ChatImageError) else ImageErrorKind.CORRUPT
    if kind is ImageErrorKind.NOT_AN_IMAGE:
        text = translate("ChatImages", "“{name}” is not a picture, so it was not attached.")
    elif kind is ImageErrorKind.TOO_LARGE_FILE:
        text = translate("ChatImages", "“{name}” is larger than 50 MB, so it was not attached.")
    elif kind is ImageErrorKind.TOO_MANY_PIXELS:
        text = translate("ChatImages", "“{name}” has more than 100 megapixels, so it was not attached.")
    elif kind is ImageErrorKind.UNSUPPORTED:
        text = translate(
            "ChatImages", "“{name}” is a kind of picture Parla cannot read (such as HEIC or SVG), so it was not attached."
        )
    else:
        text = translate("ChatImages", "“{name}” is empty or damaged, so it was not attached.")
    return text.format(name=name or translate("ChatImages", "The pasted picture"))


def web_image_error_text(exc: BaseException, name: str) -> str:
    """Why a picture dragged from a web page could not be downloaded and attached (one sentence)."""
    translate = QCoreApplication.translate
    kind = exc.kind if isinstance(exc, ChatImageError) else None
    if kind is ImageErrorKind.TOO_LARGE:
        text = translate("ChatImages", "“{name}” is larger than 20 MB, so it was not attached.")
    elif kind is ImageErrorKind.TIMEOUT:
        text = translate("ChatImages", "“{name}” took too long to download, so it was not attached.")
    elif kind is not None:
        return image_error_text(exc, name)
    else:
        return translate("ChatImages", "“{name}” could not be downloaded, so it was not attached: {reason}").format(
            name=name, reason=user_message(exc)
        )
    return text.format(name=name)


def web_picture_load_error_text(exc: BaseException, host: str) -> str:
    """Why a picture sent by its address could not be loaded into the conversation (one sentence)."""
    translate = QCoreApplication.translate
    kind = exc.kind if isinstance(exc, ChatImageError) else None
    if kind is ImageErrorKind.TOO_LARGE:
        text = translate("ChatImages", "The picture from {host} is larger than 20 MB, so it was not loaded.")
    elif kind is ImageErrorKind.TIMEOUT:
        text = translate("ChatImages", "The picture from {host} took too long to download, so it was not loaded.")
    elif kind is not None:
        text = translate("ChatImages", "The file at {host} is not a picture Parla can read, so it was not loaded.")
    else:
        return translate("ChatImages", "The picture from {host} could not be loaded: {reason}").format(
            host=host, reason=user_message(exc)
        )
    return text.format(host=host)


def returned_image_error_text(exc: BaseException) -> str:
    """Why a picture a model returned could not be kept (one sentence)."""
    translate = QCoreApplication.translate
    kind = exc.kind if isinstance(exc, ChatImageError) else None
    if kind is ImageErrorKind.TOO_LARGE:
        return translate("ChatImages", "A picture in the reply is larger than 20 MB, so it was not kept.")
    if kind is ImageErrorKind.TIMEOUT:
        return translate("ChatImages", "A picture in the reply took too long to download, so it was not kept.")
    if kind is ImageErrorKind.BAD_SCHEME:
        return translate("ChatImages", "A picture in the reply has an address Parla does not download, so it was not kept.")
    if kind is not None:
        return translate("ChatImages", "A picture in the reply is not a picture Parla can read, so it was not kept.")
    return translate("ChatImages", "A picture in the reply could not be downloaded, so it was not kept: {reason}").format(
        reason=user_message(exc)
    )


@dataclass(eq=False)
class PendingImage:
    """A picture in the composer: its thumbnail once made, and what will be sent once prepared."""

    source: ImageSource
    thumbnail: bytes | None = None
    prepared: PreparedImage | None = None
    #: The prepared bytes' hash once kept in the store (what the conversation's draft names).
    hash: str | None = None
    #: A web picture sent by its address (Settings ▸ General ▸ pictures from web pages: "url").
    web_url: str | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def ready(self) -> bool:
        return self.prepared is not None or self.web_url is not None

    @property
    def payload(self) -> PreparedImage | str | None:
        """What the message sends: the prepared picture, or a web address as it is."""
        return self.prepared if self.prepared is not None else self.web_url


class _Tile(QWidget):
    """One thumbnail with a remove button."""

    remove_clicked = Signal()

    def __init__(self, pending: PendingImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachment_tile")
        self.pending = pending
        self.picture = QLabel(self)
        self.picture.setObjectName("attachment_thumbnail")
        self.picture.setFixedSize(QSize(THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setText("…")
        self.picture.setToolTip(pending.source.url or pending.source.name or self.tr("Pasted picture"))
        self.remove_button = QToolButton(self)
        self.remove_button.setObjectName("attachment_remove")
        self.remove_button.setText("×")
        self.remove_button.setToolTip(self.tr("Remove this picture"))
        self.remove_button.setAccessibleName(self.tr("Remove picture"))
        self.remove_button.setAutoRaise(True)
        self.remove_button.clicked.connect(self.remove_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.picture)

    def show_address(self) -> None:
        """No pixels to show: a web picture sent by its address."""
        self.picture.setText(self.tr("Web\npicture"))

    def set_thumbnail(self, png: bytes) -> None:
        pixmap = QPixmap()
        if pixmap.loadFromData(png):
            self.picture.setPixmap(pixmap)
            self.picture.setText("")


class AttachmentStrip(QWidget):
    """The composer's pictures: thumbnails in a row with remove buttons, and the detail setting."""

    #: A tile's remove button was clicked: (PendingImage)
    remove_requested = Signal(object)
    #: Pictures were added or removed.
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachment_strip")
        self._tiles: list[_Tile] = []
        self.detail_combo = QComboBox(self)
        self.detail_combo.setObjectName("attachment_detail")
        self.detail_combo.setAccessibleName(self.tr("Picture detail"))
        self.detail_combo.addItem(self.tr("Detail: auto"), "auto")
        self.detail_combo.addItem(self.tr("Detail: low"), "low")
        self.detail_combo.addItem(self.tr("Detail: high"), "high")
        self.detail_combo.setToolTip(
            self.tr("How closely the model looks at the pictures of this message (low is cheaper and faster)")
        )
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(6)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(self._row)
        layout.addStretch(1)
        layout.addWidget(self.detail_combo, 0, Qt.AlignmentFlag.AlignBottom)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.hide()

    def images(self) -> list[PendingImage]:
        return [tile.pending for tile in self._tiles]

    def count(self) -> int:
        return len(self._tiles)

    def detail(self) -> str:
        return str(self.detail_combo.currentData() or "auto")

    def set_detail(self, detail: str) -> None:
        index = self.detail_combo.findData(detail)
        self.detail_combo.setCurrentIndex(max(0, index))

    def tile(self, pending: PendingImage) -> _Tile | None:
        return next((tile for tile in self._tiles if tile.pending is pending), None)

    def add(self, pending: PendingImage) -> None:
        tile = _Tile(pending, self)
        tile.remove_clicked.connect(lambda: self.remove_requested.emit(pending))
        self._tiles.append(tile)
        self._row.addWidget(tile)
        # Tab: each picture's remove button just before the detail choice, not at the window's end.
        QWidget.setTabOrder(self.detail_combo.previousInFocusChain(), tile.remove_button)
        self.show()
        self.changed.emit()

    def set_thumbnail(self, pending: PendingImage, png: bytes) -> None:
        pending.thumbnail = png
        tile = self.tile(pending)
        if tile is not None:
            tile.set_thumbnail(png)

    def remove(self, pending: PendingImage) -> bool:
        tile = self.tile(pending)
        if tile is None:
            return False
        self._tiles.remove(tile)
        self._row.removeWidget(tile)
        tile.hide()
        tile.deleteLater()
        if not self._tiles:
            self.hide()
            self.set_detail("auto")
        self.changed.emit()
        return True

    @Slot()
    def clear(self) -> None:
        for pending in self.images():
            self.remove(pending)
