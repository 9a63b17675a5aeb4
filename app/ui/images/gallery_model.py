"""The gallery as a list model: plain ``GalleryImage`` rows, newest first, fetched a page at a time.

The model holds no store and does no I/O. Whoever owns it (the images controller) answers
:attr:`GalleryModel.more_wanted` with :meth:`append_page`, puts new results in with
:meth:`insert_new`, and removes deleted rows with :meth:`remove_ids`. Thumbnails come from a
:class:`~app.ui.images.thumbnails.ThumbnailCache`: asking for a cell's decoration queues its
thumbnail, and the cache's ``ready`` signal repaints exactly the cells that show it — so only the
cells on screen ever cost anything.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QUrl,
    Signal,
    Slot,
)

from app.store.gallery import GalleryImage
from app.ui.images.thumbnails import ThumbnailCache

__all__ = ["GalleryModel", "PAGE_SIZE"]

#: Rows fetched per page from the store.
PAGE_SIZE = 200

Index = QModelIndex | QPersistentModelIndex


class GalleryModel(QAbstractListModel):
    ImageRole = Qt.ItemDataRole.UserRole + 1
    IdRole = Qt.ItemDataRole.UserRole + 2
    PromptRole = Qt.ItemDataRole.UserRole + 3
    PathRole = Qt.ItemDataRole.UserRole + 4
    BrokenRole = Qt.ItemDataRole.UserRole + 5

    #: The view scrolled near the end and there are more rows in the store: load ``offset``…
    more_wanted = Signal(int)

    def __init__(self, thumbnails: ThumbnailCache | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[GalleryImage] = []
        self._total = 0
        self._query = ""
        self._loading = False
        self._thumbnails = thumbnails
        self.images_root = thumbnails.images_root if thumbnails is not None else None
        if thumbnails is not None:
            thumbnails.ready.connect(self._on_thumbnail_ready)

    # -- what the owner does ---------------------------------------------------------------------

    @property
    def query(self) -> str:
        return self._query

    @property
    def total(self) -> int:
        """Rows matching the query in the store (loaded or not)."""
        return self._total

    def reset(self, images: Sequence[GalleryImage], total: int, query: str = "") -> None:
        """A fresh first page (after opening, or a new search)."""
        self.beginResetModel()
        self._rows = list(images)
        self._total = max(total, len(self._rows))
        self._query = query
        self._loading = False
        self.endResetModel()

    def append_page(self, images: Sequence[GalleryImage], query: str) -> None:
        """Rows the store gave for ``more_wanted`` (dropped if the search changed meanwhile)."""
        self._loading = False
        if query != self._query:
            return
        known = {image.id for image in self._rows}
        fresh = [image for image in images if image.id not in known]
        if not fresh:
            self._total = len(self._rows)  # the store had fewer than we thought
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._rows.extend(fresh)
        self.endInsertRows()

    def insert_new(self, image: GalleryImage) -> bool:
        """A picture that just arrived (or came back with Undo), at its place by date; True if shown."""
        if self._query and not image.matches(self._query):
            return False
        if any(row.id == image.id for row in self._rows):
            return False
        position = 0
        while position < len(self._rows) and (
            (self._rows[position].created_at, self._rows[position].id) > (image.created_at, image.id)
        ):
            position += 1
        if position == len(self._rows) and len(self._rows) < self._total:
            self._total += 1  # it belongs to a page not loaded yet: it will come with that page
            return False
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.insert(position, image)
        self._total += 1
        self.endInsertRows()
        return True

    def remove_ids(self, ids: Iterable[int]) -> list[GalleryImage]:
        """Take rows out (deleted); returns the images removed, in row order."""
        wanted = set(ids)
        removed: list[GalleryImage] = []
        for row in range(len(self._rows) - 1, -1, -1):
            if self._rows[row].id in wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                removed.append(self._rows.pop(row))
                self._total = max(0, self._total - 1)
                self.endRemoveRows()
        removed.reverse()
        return removed

    def replace(self, image: GalleryImage) -> None:
        for row, existing in enumerate(self._rows):
            if existing.id == image.id:
                self._rows[row] = image
                index = self.index(row)
                self.dataChanged.emit(index, index)

    def image_at(self, row: int) -> GalleryImage | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, image_id: int) -> int:
        return next((row for row, image in enumerate(self._rows) if image.id == image_id), -1)

    def images(self) -> list[GalleryImage]:
        return list(self._rows)

    # -- Qt model --------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._rows):
            return None
        image = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.caption(image)
        if role == self.PromptRole:
            return image.prompt
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnails.pixmap(image) if self._thumbnails is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(image)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return image.prompt or self.tr("Picture {number}").format(number=image.id)
        if role == self.ImageRole:
            return image
        if role == self.IdRole:
            return image.id
        if role == self.PathRole:
            return str(image.path(self.images_root)) if self.images_root is not None else None
        if role == self.BrokenRole:
            return self._thumbnails.failed(image.hash) if self._thumbnails is not None else False
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled
        return base

    def roleNames(self) -> dict[int, bytes]:  # noqa: N802
        names = dict(super().roleNames())
        names.update({
            int(self.ImageRole): b"image",
            int(self.IdRole): b"imageId",
            int(self.PromptRole): b"prompt",
            int(self.PathRole): b"path",
            int(self.BrokenRole): b"broken",
        })
        return names

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return ["text/uri-list"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # noqa: N802
        """Dragging pictures out gives their files (to the Edit panel, a file manager, a chat)."""
        data = QMimeData()
        if self.images_root is None:
            return data
        rows = sorted({index.row() for index in indexes if index.isValid()})
        data.setUrls([QUrl.fromLocalFile(str(self._rows[row].path(self.images_root))) for row in rows])
        return data

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.CopyAction

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802
        return not parent.isValid() and not self._loading and len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:  # noqa: N802
        if self.canFetchMore(parent):
            self._loading = True
            self.more_wanted.emit(len(self._rows))

    def fetch_failed(self) -> None:
        """The page did not come (the store failed): let the view ask again later."""
        self._loading = False

    # -- internals -------------------------------------------------------------------------------

    def caption(self, image: GalleryImage) -> str:
        """The line under a thumbnail: the prompt, or where a variation came from."""
        if image.prompt:
            return image.prompt
        if image.source_name:
            return self.tr("Variation of {name}").format(name=image.source_name)
        return self.tr("Variation")

    def _tooltip(self, image: GalleryImage) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(image.created_at))
        lines = [self.caption(image)]
        lines.append(f"{image.model} · {image.width}×{image.height} · {when}" if image.model else
                     f"{image.width}×{image.height} · {when}")
        return "\n".join(lines)

    @Slot(str)
    def _on_thumbnail_ready(self, digest: str) -> None:
        for row, image in enumerate(self._rows):
            if image.hash == digest:
                index = self.index(row)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole, self.BrokenRole])
