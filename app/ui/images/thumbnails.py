"""Gallery thumbnails: made once on disk, loaded only for the cells on screen, kept in a bounded memory cache.

Why this shape: a gallery of a thousand pictures must open at once and stay small. Decoding full
pictures for the grid would take seconds and hundreds of megabytes, so each picture gets a small
file in ``<cache>/thumbnails`` (named by the picture's hash; JPEG when opaque, PNG when not) the
first time it is shown. A cell asks :meth:`ThumbnailCache.pixmap`: a hit is answered from memory; a
miss is queued and answered later through :attr:`ThumbnailCache.ready`. The queue is served newest
request first, so after a fast scroll the cells now on screen come before the ones scrolled past.
Decoding and scaling happen in worker threads (``QImage`` is safe there; ``QPixmap`` is made on the
UI thread), and the memory cache holds at most ``capacity`` pixmaps at display size.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from shiboken6 import isValid

from app.store.gallery import GalleryImage
from app.ui.tasks import TaskRegistry

__all__ = ["DISK_SIDE", "ThumbnailCache", "thumbnail_path"]

log = logging.getLogger(__name__)

#: Longest side of the thumbnail files: sharp in a 150-pixel cell at 1.5× scale.
DISK_SIDE = 256
#: Pictures decoded at the same time (one worker thread each).
PARALLEL = 3


def thumbnail_path(cache_dir: Path, digest: str) -> Path:
    return Path(cache_dir) / digest[:2] / f"{digest}-{DISK_SIDE}"


def _load(source: Path, thumb: Path, side: int) -> QImage | None:
    """Worker thread: the thumbnail as a QImage at most ``side`` pixels, making its file if needed."""
    if not thumb.is_file():
        from app.imaging import write_thumbnail  # Pillow loads on first use, not at start-up

        write_thumbnail(source, thumb, DISK_SIDE)
    image = QImage(str(thumb))
    if image.isNull():
        thumb.unlink(missing_ok=True)  # damaged: made again next time
        return None
    if max(image.width(), image.height()) > side:
        image = image.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    return image


class ThumbnailCache(QObject):
    """Thumbnails for gallery cells, by picture hash."""

    #: The thumbnail of this hash is ready (or failed for good): repaint its cells.
    ready = Signal(str)

    def __init__(
        self,
        cache_dir: Path,
        images_root: Path,
        tasks: TaskRegistry,
        *,
        side: int = 150,
        device_pixel_ratio: float = 1.0,
        capacity: int = 300,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.cache_dir = Path(cache_dir)
        self.images_root = Path(images_root)
        self._tasks = tasks
        self._side = side
        self._ratio = max(1.0, device_pixel_ratio)
        self._capacity = capacity
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._queue: OrderedDict[str, GalleryImage] = OrderedDict()
        self._failed: set[str] = set()
        self._loading: set[str] = set()  # taken from the queue, being decoded now
        self._worker: asyncio.Task[None] | None = None
        self.loads = 0  # thumbnails decoded so far (tests and the benchmark read it)

    @property
    def pixel_side(self) -> int:
        return int(round(self._side * self._ratio))

    def __len__(self) -> int:
        return len(self._pixmaps)

    def pixmap(self, image: GalleryImage) -> QPixmap | None:
        """The thumbnail if it is in memory; otherwise None, and it is loaded (``ready`` follows)."""
        digest = image.hash
        cached = self._pixmaps.get(digest)
        if cached is not None:
            self._pixmaps.move_to_end(digest)
            return cached
        if digest in self._failed or digest in self._loading:
            return None
        self._queue[digest] = image
        self._queue.move_to_end(digest)  # asked again: it is on screen now, serve it first
        self._start_worker()
        return None

    def failed(self, digest: str) -> bool:
        """True when the picture could not be read (its file is missing or damaged)."""
        return digest in self._failed

    def forget(self, digest: str, *, delete_file: bool = False) -> None:
        """Drop the memory copy (and the file, when the picture is gone for good)."""
        self._pixmaps.pop(digest, None)
        self._queue.pop(digest, None)
        self._loading.discard(digest)
        self._failed.discard(digest)
        if delete_file:
            with contextlib.suppress(OSError):
                thumbnail_path(self.cache_dir, digest).unlink(missing_ok=True)

    async def prime(self, image: GalleryImage) -> None:
        """Make the thumbnail file of a new picture now (its bytes are hot in the disk cache)."""
        thumb = thumbnail_path(self.cache_dir, image.hash)
        if thumb.is_file():
            return
        from app.imaging import write_thumbnail

        try:
            await asyncio.to_thread(write_thumbnail, image.path(self.images_root), thumb, DISK_SIDE)
        except Exception as exc:  # the grid will try again, and show the picture as broken if it must
            log.warning("thumbnail not made: %s", type(exc).__name__)

    def cancel(self) -> None:
        self._queue.clear()
        if self._worker is not None:
            self._worker.cancel()

    # -- loading ---------------------------------------------------------------------------------

    def _start_worker(self) -> None:
        if self._worker is not None and not self._worker.done():
            return
        try:
            self._worker = self._tasks.spawn(self._work(), name="images.thumbnails")
        except RuntimeError:  # no event loop (a model test without one): nothing can load
            self._worker = None

    async def _work(self) -> None:
        while self._queue:
            batch: list[GalleryImage] = []
            while self._queue and len(batch) < PARALLEL:
                digest, image = self._queue.popitem(last=True)
                self._loading.add(digest)
                batch.append(image)
            try:
                results = await asyncio.gather(
                    *(asyncio.to_thread(_load, image.path(self.images_root),
                                        thumbnail_path(self.cache_dir, image.hash), self.pixel_side)
                      for image in batch),
                    return_exceptions=True,
                )
            finally:
                self._loading.difference_update(image.hash for image in batch)
            if not isValid(self):  # the page went away while the thread worked (a paint can outlive quitting)
                return
            for image, result in zip(batch, results, strict=True):
                self._finish(image.hash, result)

    def _finish(self, digest: str, result: QImage | BaseException | None) -> None:
        if isinstance(result, BaseException) or result is None:
            if isinstance(result, BaseException):
                log.info("thumbnail not loaded: %s", type(result).__name__)
            self._failed.add(digest)
        else:
            pixmap = QPixmap.fromImage(result)
            pixmap.setDevicePixelRatio(self._ratio)
            self._pixmaps[digest] = pixmap
            self._pixmaps.move_to_end(digest)
            while len(self._pixmaps) > self._capacity:
                self._pixmaps.popitem(last=False)
            self.loads += 1
        self.ready.emit(digest)
