"""The Images tab's non-visual half: the store, the gallery model, thumbnails, history, models, undo.

The page's widgets talk to this object; it talks to the store (through ``AsyncGallery``) and the
API (through the session's client), always in tasks it can cancel. It opens nothing at start-up:
the store is opened the first time the tab needs it (when it is first shown, or a request
finishes), so Parla starts as fast with a gallery of ten thousand pictures as with none.

The store: when main.py gives one in the context (``context.store``), the gallery uses it — one
connection, one writer for the whole app. Otherwise (tests, or an app wired without it) the
controller opens its own ``AsyncStore`` on the same database file and closes it when the app's
tasks are cancelled at exit; SQLite's WAL lets two connections share the file safely.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication

from app.api.errors import APIError
from app.store import AsyncStore, database_path
from app.store.gallery import AsyncGallery, GalleryImage, images_dir
from app.ui.context import AppContext
from app.ui.errors import user_message
from app.ui.images.families import is_image_model
from app.ui.images.gallery_model import PAGE_SIZE, GalleryModel
from app.ui.images.thumbnails import ThumbnailCache
from app.ui.tasks import TaskHolder

if TYPE_CHECKING:
    from app.api.client import Client

__all__ = ["ImagesController", "THUMBNAILS_DIRNAME", "UNDO_SECONDS"]

log = logging.getLogger(__name__)

THUMBNAILS_DIRNAME = "thumbnails"
#: How long Undo is offered after a delete.
UNDO_SECONDS = 10.0
OPEN_ATTEMPTS = 3


async def _open_store(path: Path) -> AsyncStore:
    """Open the database; a second connection racing main.py's first migration tries again."""
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return await AsyncStore.open(path)
        except sqlite3.OperationalError:
            if attempt == OPEN_ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.3 * (attempt + 1))
    raise AssertionError("unreachable")


class ImagesController(QObject):
    """Owner of the gallery's data for one Images page."""

    #: The gallery could not be opened: the words to show.
    gallery_failed = Signal(str)
    #: The first page of the gallery (or of a search) is in the model.
    gallery_loaded = Signal()
    #: Prompts used before, most recent first.
    history_changed = Signal(list)
    #: Image model ids the server lists.
    models_changed = Signal(list)
    #: Pictures were deleted (how many): offer Undo.
    images_deleted = Signal(int)
    #: Deleted pictures came back.
    images_restored = Signal(int)

    def __init__(self, context: AppContext, parent: QObject | None = None, *, store: AsyncStore | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._given_store = store if store is not None else getattr(context, "store", None)
        self._store_error: BaseException | None = getattr(context, "store_error", None)
        self.images_root = images_dir(context.locations.data)
        self.thumbnail_dir = Path(context.locations.cache) / THUMBNAILS_DIRNAME
        app = QGuiApplication.instance()
        ratio = app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0
        self.thumbnails = ThumbnailCache(self.thumbnail_dir, self.images_root, context.tasks,
                                         device_pixel_ratio=ratio, parent=self)
        self.model = GalleryModel(self.thumbnails, self)
        self.model.more_wanted.connect(self._on_more_wanted)
        tasks = context.tasks
        self._store_keeper = tasks.holder("images.store")
        self._ready: asyncio.Future[AsyncGallery] | None = None
        self._search = tasks.holder("images.search")
        self._page = tasks.holder("images.page")
        self._models = tasks.holder("images.models")
        self._deleting = tasks.holder("images.delete")
        self._pending_undo: list[int] = []
        self.history: list[str] = []
        self.loaded = False
        context.session.client_changed.connect(self._on_client_changed)

    def holders(self) -> list[TaskHolder]:
        """Every task holder of the controller (the page cancels them when it is destroyed)."""
        return [self._store_keeper, self._search, self._page, self._models, self._deleting]

    # -- the store -------------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self._ready is not None

    def start(self) -> None:
        """Open the gallery (once) and load its first page and the prompt history."""
        if self._ready is not None:
            return
        loop = asyncio.get_running_loop()
        self._ready = loop.create_future()
        self._ready.add_done_callback(lambda f: f.cancelled() or f.exception())  # retrieved: never "unhandled"
        self._store_keeper.start(self._keep_store())
        self._search.start(self._load_first_page(""))

    async def gallery(self) -> AsyncGallery:
        """The open gallery (opening it if needed); raises what opening raised."""
        if self._ready is None:
            self.start()
        assert self._ready is not None
        return await asyncio.shield(self._ready)

    async def _keep_store(self) -> None:
        assert self._ready is not None
        owned: AsyncStore | None = None
        try:
            if self._given_store is None and self._store_error is not None:
                raise self._store_error
            store = self._given_store
            if store is None:
                owned = store = await _open_store(database_path(self._context.locations.data))
            gallery = AsyncGallery(store, self.images_root)
            # Deletions an exit interrupted (their Undo went with the window): finish them now.
            for image in await gallery.purge_deleted():
                if not await gallery.hash_in_use(image.hash):
                    self.thumbnails.forget(image.hash, delete_file=True)
            if not self._ready.done():
                self._ready.set_result(gallery)
            if owned is None:
                return
            await asyncio.Event().wait()  # keep our own store open until the app's tasks are cancelled
        except asyncio.CancelledError:
            if not self._ready.done():
                self._ready.cancel()
            raise
        except Exception as exc:
            log.error("the gallery could not be opened: %s", type(exc).__name__, exc_info=exc)
            if not self._ready.done():
                self._ready.set_exception(exc)
            self.gallery_failed.emit(self.tr("The gallery could not be opened: {reason}").format(reason=user_message(exc)))
        finally:
            if owned is not None:
                await owned.close()

    # -- pages and search ------------------------------------------------------------------------

    def search(self, query: str) -> None:
        self._page.cancel()
        self._search.start(self._load_first_page(query))

    async def _load_first_page(self, query: str) -> None:
        try:
            gallery = await self.gallery()
            images = await gallery.list(query, limit=PAGE_SIZE)
            total = await gallery.count(query) if len(images) == PAGE_SIZE else len(images)
            if not self.loaded:
                self.history = await gallery.prompt_history()
                self.history_changed.emit(list(self.history))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("gallery page not loaded: %s", type(exc).__name__)
            if self._ready is not None and self._ready.done() and not self._ready.cancelled() and self._ready.exception():
                return  # already said by gallery_failed
            self.gallery_failed.emit(user_message(exc))
            return
        self.model.reset(images, total, query)
        self.loaded = True
        self.gallery_loaded.emit()

    @Slot(int)
    def _on_more_wanted(self, offset: int) -> None:
        self._page.start(self._load_page(self.model.query, offset))

    async def _load_page(self, query: str, offset: int) -> None:
        try:
            gallery = await self.gallery()
            images = await gallery.list(query, offset=offset, limit=PAGE_SIZE)
        except asyncio.CancelledError:
            self.model.fetch_failed()
            raise
        except Exception as exc:
            log.warning("gallery page not loaded: %s", type(exc).__name__)
            self.model.fetch_failed()
            return
        self.model.append_page(images, query)

    # -- new pictures ----------------------------------------------------------------------------

    async def picture_saved(self, image: GalleryImage) -> None:
        """A result is in the store: show it, and make its thumbnail while its bytes are hot."""
        self.model.insert_new(image)
        await self.thumbnails.prime(image)

    def remember_prompt(self, prompt: str) -> None:
        """The prompt was sent (``run_job`` stored it): put it on top of the history menu."""
        prompt = prompt.strip()
        if not prompt:
            return
        self.history = [prompt] + [p for p in self.history if p != prompt]
        self.history_changed.emit(list(self.history))

    # -- deleting, with undo ---------------------------------------------------------------------

    @property
    def undo_available(self) -> bool:
        return bool(self._pending_undo)

    def delete(self, images: Sequence[GalleryImage]) -> None:
        ids = [image.id for image in images]
        if ids:
            self._deleting.start(self._delete(ids))

    async def _delete(self, ids: list[int]) -> None:
        gallery = await self.gallery()
        previous, self._pending_undo = self._pending_undo, []
        if previous:  # only the latest deletion can be undone: the one before goes for good
            await self._purge(gallery, previous)
        try:
            hidden = await gallery.delete(ids)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._context.notifier.error(exc)
            return
        removed = self.model.remove_ids(hidden)
        for image in removed:
            self.thumbnails.forget(image.hash)
        self._pending_undo = hidden
        self.images_deleted.emit(len(hidden))

    def undo_delete(self) -> None:
        ids, self._pending_undo = self._pending_undo, []
        if ids:
            self._deleting.start(self._restore(ids))

    async def _restore(self, ids: list[int]) -> None:
        gallery = await self.gallery()
        try:
            restored = await gallery.restore(ids)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._context.notifier.error(exc)
            return
        for image in restored:
            self.model.insert_new(image)
        self.images_restored.emit(len(restored))

    def finish_delete(self) -> None:
        """The Undo time is over: remove the files for good."""
        ids, self._pending_undo = self._pending_undo, []
        if ids:
            self._deleting.start(self._purge_now(ids))

    async def _purge_now(self, ids: list[int]) -> None:
        await self._purge(await self.gallery(), ids)

    async def _purge(self, gallery: AsyncGallery, ids: list[int]) -> None:
        try:
            for image in await gallery.purge(ids):
                if not await gallery.hash_in_use(image.hash):
                    self.thumbnails.forget(image.hash, delete_file=True)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the rows stay deleted; the next start purges them
            log.warning("deleted pictures not purged yet: %s", type(exc).__name__)

    # -- models ----------------------------------------------------------------------------------

    def load_models(self) -> None:
        client = self._context.session.client
        if client is not None:
            self._models.start(self._list_models(client))

    async def _list_models(self, client: Client) -> None:
        try:
            models = await client.models.list()
        except APIError as exc:  # the list is a help: free text still works
            log.info("image models not listed: %s", type(exc).__name__)
            return
        self.models_changed.emit([m.id for m in models if is_image_model(m.id)])

    @Slot()
    def _on_client_changed(self) -> None:
        self._models.cancel()
        if self.started:
            self.load_models()
