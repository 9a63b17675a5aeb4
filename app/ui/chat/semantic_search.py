"""Search by meaning in the Chat tab: the switch's consent, the background indexing, the blended hits.

:class:`SemanticSearch` belongs to the chat page and drives the sidebar's "By meaning" switch and
indexing line. It owns no widget of its own except the confirmation it opens (``open()``, never
``exec()``), and it keeps the work where it belongs:

* Turning it on costs tokens: the first time for a model (nothing indexed with it yet), the user
  is told how many messages and characters will go to which model of which profile, and chooses
  Turn on or Cancel. The choice is ``Preferences.chat_search_by_meaning``.
* Indexing is ``app.semantic.Backfill`` (batched, resumable: the ``message_vectors`` table is its
  state) in a task of the registry, so quitting cancels it. It starts when the switch is on and
  the profile has a client, starts again on a profile switch (another client, maybe another
  model), and again a few seconds after the history changed (new or edited messages). Pause and
  Resume are the indexing line's button. Failures are said in words (``user_message``) on that
  line and never reach the chat: a rate limit or a server error is retried after the backfill's
  backoff; what retrying cannot fix (a bad token, no such model) pauses until the user resumes.
* A search embeds the query (cached per model and text) and fuses the nearest messages with the
  full-text hits (``app.semantic.blended_search``); when the query cannot be embedded the text
  hits are shown alone, with the reason on the indexing line.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLocale, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget
from shiboken6 import isValid

from app.api.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
)
from app.profiles import Capability
from app.semantic import SOURCE_TEXT, Backfill, BackfillState, blended_search, embedder
from app.store import SearchHit
from app.ui.chat.controller import LISTED_KINDS
from app.ui.errors import NoTokenError, user_message
from app.ui.session import ConnectionStatus

if TYPE_CHECKING:
    from app.ui.chat.sidebar import ConversationSidebar
    from app.ui.context import AppContext

__all__ = ["HISTORY_DELAY_MS", "SemanticSearch"]

log = logging.getLogger(__name__)

#: After the history changed, indexing starts again this much later (several changes, one pass).
HISTORY_DELAY_MS = 3000
QUERY_CACHE_SIZE = 64
SEARCH_HITS = 50
#: The vectors' copy in memory (6 KB a message at 1,536 dimensions: ~600 MB for 100,000) is let go
#: after this long without a search by meaning; the next focus of the search box reads it again.
MATRIX_IDLE_MS = 5 * 60_000
#: Errors that retrying cannot fix: indexing pauses until the user resumes.
_FATAL = (AuthenticationError, PermissionDeniedError, NotFoundError, BadRequestError, NoTokenError)


def _load_vectors_module() -> None:
    """Import ``app.store.vectors`` (numpy) now, on the UI thread.

    Importing numpy's C extension holds the GIL for ~30 ms whichever thread does it: on the
    store's thread during the indexing, that was one 30 ms stall of the UI. Done while the page is
    being built (search by meaning already on) or as the consent dialog closes, nobody sees it.
    """
    importlib.import_module("app.store.vectors")


class SemanticSearch(QObject):
    """The chat page's search by meaning: consent, indexing in the background, blended search."""

    #: the indexing line changed (tests and the page may listen)
    status_changed = Signal()

    def __init__(self, context: AppContext, sidebar: ConversationSidebar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        assert context.store is not None
        self._store = context.store
        self._preferences = context.preferences
        self._session = context.session
        self._sidebar = sidebar
        self._holder = context.tasks.holder("chat.semantic.index")
        self._ask_holder = context.tasks.holder("chat.semantic.ask")
        self._warm_holder = context.tasks.holder("chat.semantic.warm")
        self._warm_model = ""  # the model whose vectors are in memory (as far as this object knows)
        self.backfill: Backfill | None = None
        self.confirmation: QMessageBox | None = None
        self.status_text = ""
        self._error = ""  # the last failure, in words, while it is relevant
        self._search_note = ""  # why the last search could not use meaning
        self._queries: OrderedDict[tuple[str, str], Sequence[float]] = OrderedDict()
        #: (model, messages, characters) waiting for the user's go-ahead after a change of model
        self._consent: tuple[str, int, int] | None = None
        self._indexed_model = ""  # the model the last indexing ran with (agreed to)
        self._reviewing = ""  # a new model whose cost is being counted
        self._history_timer = QTimer(self)
        self._history_timer.setSingleShot(True)
        self._history_timer.setInterval(HISTORY_DELAY_MS)
        self._history_timer.timeout.connect(self._on_history_timer)
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.setInterval(MATRIX_IDLE_MS)
        self._idle_timer.timeout.connect(self._on_matrix_idle)
        # Indexing must not outlive the page (the slot holds the holders, not self).
        holders = (self._holder, self._ask_holder, self._warm_holder)
        self.destroyed.connect(lambda *_: [holder.cancel() for holder in holders])

        sidebar.meaning_toggle_requested.connect(self._on_toggle_requested)
        sidebar.meaning_action_requested.connect(self._on_action_requested)
        sidebar.search_focused.connect(self.warm)
        self._preferences.changed.connect(self._on_preference_changed)
        self._session.client_changed.connect(self._on_client_changed)
        sidebar.set_meaning(self.enabled)
        if self.enabled:
            _load_vectors_module()
            self.restart()
        else:
            self._show()

    # -- state ------------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return bool(self._preferences.chat_search_by_meaning)

    @property
    def model(self) -> str:
        return self._session.profile.model_for(Capability.EMBEDDING)

    @property
    def state(self) -> BackfillState:
        return self.backfill.state if self.backfill is not None else BackfillState.IDLE

    def _waiting_for(self, model: str) -> bool:
        """Whether ``model``'s cost is being counted, or waits for the user's go-ahead."""
        return self._reviewing == model or (self._consent is not None and self._consent[0] == model)

    def restart(self) -> None:
        """Index again from the table's state, with the active profile's client and model."""
        if self.enabled and self._waiting_for(self.model):
            self._show()  # waiting for the count, or for the user's go-ahead, for this model
            return
        self._consent = None
        self._history_timer.stop()
        self._holder.cancel()
        self.backfill = None
        self._error = ""
        if not self.enabled:
            self._show()
            return
        try:
            client = self._session.require_client()
        except NoTokenError as exc:
            if self._session.connection.status is not ConnectionStatus.CHECKING:
                self._error = user_message(exc)  # (while the token loads, client_changed follows)
            self._show()
            return
        model = self.model
        self._indexed_model = model
        self.backfill = Backfill(
            self._store,
            embedder(client, model),
            model,
            on_progress=self._on_progress,
            on_error=self._on_error,
            on_state=self._on_state,
        )
        self._holder.start(self._index(self.backfill))
        self._show()

    def warm(self) -> None:
        """Read the vectors into memory now, a slice per trip to the store, so the first search is quick.

        Called when the search box gets the focus (and when search by meaning is turned on): the
        matrix costs memory (6 KB per message at 1,536 dimensions), so it is not read before the
        user is about to search.
        """
        model = self.model
        if not self.enabled or self._warm_model == model or self._warm_holder.is_running():
            return
        self._warm_holder.start(self._warm(model))

    async def _warm(self, model: str) -> None:
        try:
            while not await self._store.run(
                lambda s: importlib.import_module("app.store.vectors").preload_matrix(s, model)
            ):
                await asyncio.sleep(0)  # let the user's own store calls in between slices
        except asyncio.CancelledError:
            raise
        except Exception:  # the search reads the matrix itself, and says what fails
            log.warning("reading the vectors in advance failed", exc_info=True)
            return
        self._warm_model = model
        self._idle_timer.start()

    @Slot()
    def _on_matrix_idle(self) -> None:
        if self._warm_model and not self._warm_holder.is_running():
            log.info("no search by meaning for %d min: the vectors' copy in memory is let go", MATRIX_IDLE_MS // 60_000)
            self._forget_matrix()

    def _forget_matrix(self) -> None:
        """Turned off (or idle): the vectors stay in the database, their copy in memory goes."""
        self._idle_timer.stop()
        self._warm_holder.cancel()
        self._warm_model = ""
        store = self._store

        async def drop() -> None:
            await store.run(lambda s: importlib.import_module("app.store.vectors").drop_matrix(s))

        self._warm_holder.start(drop())

    def history_changed(self) -> None:
        """Messages were added, edited or deleted: index what is new a little later."""
        if self.enabled:
            self._history_timer.start()

    # -- search -----------------------------------------------------------------------------

    async def search(self, query: str, text_hits: list[SearchHit]) -> tuple[list[SearchHit], frozenset[int]]:
        """The hits to show for ``query``, and the ids of the messages only meaning found.

        Off: ``text_hits`` as they are. On: fused with the nearest messages by cosine. When the
        query cannot be embedded (no network, no token…), the text hits, and the reason shown.
        """
        model = self.model
        if not self.enabled or self._waiting_for(model):
            return text_hits, frozenset()  # off, or this model's indexing not agreed to yet: nothing is sent
        self._idle_timer.start()  # the matrix is in use: keep it a while longer
        try:
            vector = await self._query_vector(model, query)
            blended = await blended_search(
                self._store, vector, text_hits, SEARCH_HITS, model=model, kinds=[str(k) for k in LISTED_KINDS]
            )
        except asyncio.CancelledError:
            raise
        except (APIError, NoTokenError) as exc:
            self._search_note = self.tr("Showing word matches only: {reason}").format(reason=user_message(exc, model=model))
            self._show()
            return text_hits, frozenset()
        if self._search_note:
            self._search_note = ""
            self._show()
        hits = [SearchHit(h.conversation_id, h.message_id, h.title, h.snippet, h.rank) for h in blended]
        meaning = frozenset(
            h.message_id for h in blended if h.message_id is not None and SOURCE_TEXT not in h.sources
        )
        return hits, meaning

    async def _query_vector(self, model: str, query: str) -> Sequence[float]:
        key = (model, query)
        cached = self._queries.get(key)
        if cached is not None:
            self._queries.move_to_end(key)
            return cached
        client = self._session.require_client()
        vectors = await embedder(client, model)([query])
        if len(vectors) != 1:
            raise ValueError(f"one text sent, {len(vectors)} vectors received")
        self._queries[key] = vectors[0]
        while len(self._queries) > QUERY_CACHE_SIZE:
            self._queries.popitem(last=False)
        return vectors[0]

    # -- indexing ---------------------------------------------------------------------------

    async def _index(self, backfill: Backfill) -> None:
        try:
            await backfill.start()
        finally:
            backfill.cancel()  # this task was cancelled (quit, profile switch, turned off)

    def _on_progress(self, _done: int, _total: int) -> None:
        if self._error and self.state is BackfillState.RUNNING:
            self._error = ""  # a batch went through: the failure is over
        self._show()

    def _on_state(self, _state: BackfillState) -> None:
        self._show()

    def _on_error(self, exc: BaseException, delay: float) -> None:
        if not isValid(self):
            return
        reason = user_message(exc, model=self.backfill.model if self.backfill is not None else None)
        if isinstance(exc, _FATAL) and self.backfill is not None:
            self.backfill.pause()
            self._error = self.tr("Indexing by meaning stopped: {reason}").format(reason=reason)
        else:
            self._error = self.tr("Indexing by meaning failed: {reason} Trying again in {seconds} s.").format(
                reason=reason, seconds=QLocale().toString(round(delay))
            )
        self._show()

    # -- the sidebar's line -----------------------------------------------------------------

    def _show(self) -> None:
        if not isValid(self) or not isValid(self._sidebar):
            return  # a callback of a cancelled backfill, after the page went away
        text, action, tip = self._status()
        self.status_text = text
        self._sidebar.set_meaning_status(text, action, tip)
        self.status_changed.emit()

    def _status(self) -> tuple[str, str, str]:
        if not self.enabled:
            return "", "", ""
        if self._consent is not None:
            model, messages, _characters = self._consent
            return (
                self.tr("Not indexed with “{model}” yet: {messages} messages to send.").format(
                    model=model, messages=QLocale().toString(messages)
                ),
                self.tr("Start…"),
                self.tr("Index the history with this profile's embedding model (asks first)"),
            )
        backfill = self.backfill
        locale = QLocale()
        pause = self.tr("Pause")
        pause_tip = self.tr("Pause indexing by meaning (what is indexed stays)")
        resume = self.tr("Resume")
        resume_tip = self.tr("Go on indexing by meaning")
        if backfill is None:
            return self._error or self._search_note, "", ""
        state = backfill.state
        if self._error:
            if state is BackfillState.PAUSED:
                return self._error, self.tr("Retry"), self.tr("Try indexing by meaning again")
            return self._error, pause, pause_tip
        done, total = locale.toString(backfill.done), locale.toString(backfill.total)
        if state is BackfillState.PAUSED:
            return self.tr("Indexing by meaning paused: {done} of {total}").format(done=done, total=total), resume, resume_tip
        if state in (BackfillState.RUNNING, BackfillState.IDLE, BackfillState.WAITING):
            if backfill.total == 0 and backfill.done == 0 and backfill.requests == 0:
                return self._search_note or self.tr("Indexing by meaning…"), pause, pause_tip
            return self.tr("Indexing by meaning: {done} of {total}").format(done=done, total=total), pause, pause_tip
        return self._search_note, "", ""

    # -- slots ------------------------------------------------------------------------------

    @Slot(bool)
    def _on_toggle_requested(self, on: bool) -> None:
        if not on:
            self._preferences.chat_search_by_meaning = False
            return
        self._ask_holder.start(self._ask_then_turn_on())

    async def _ask_for_new_model(self, model: str) -> None:
        """After a switch to a profile with another embedding model: go on only if it costs nothing new."""
        try:
            indexed, messages, characters = await self._store.run(
                lambda s: importlib.import_module("app.store.vectors").pending_size(s, model)
            )
        except asyncio.CancelledError:
            if self._reviewing == model:
                self._reviewing = ""  # another question took its place: nothing is blocked by this one
            raise
        except Exception as exc:  # noqa: BLE001 - said on the line; nothing is sent
            self._reviewing = ""
            self._error = user_message(exc)
            self._show()
            return
        self._reviewing = ""
        if indexed > 0 or messages == 0:
            self._consent = None
            self.restart()
            return
        self._consent = (model, messages, characters)
        self._show()

    def _consent_given(self) -> None:
        self._consent = None
        self.restart()

    async def _ask_then_turn_on(self) -> None:
        model = self.model
        try:
            # app.store.vectors imports numpy: on the store's thread, not at start-up nor on the UI's.
            indexed, messages, characters = await self._store.run(
                lambda s: importlib.import_module("app.store.vectors").pending_size(s, model)
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a store failure is said, the switch stays off
            self._error = user_message(exc)
            self._sidebar.set_meaning_status(self._error)
            return
        if indexed > 0 or messages == 0:
            # Not the first time for this model (or nothing to send yet): no new cost to explain.
            self._preferences.chat_search_by_meaning = True
            return
        self._confirm(model, messages, characters, self._turn_on)

    def _turn_on(self) -> None:
        self._consent = None
        _load_vectors_module()  # as the dialog closes, not in the middle of the indexing
        self._preferences.chat_search_by_meaning = True

    def _confirm(self, model: str, messages: int, characters: int, accept: Callable[[], None]) -> None:
        if self.confirmation is not None:
            self.confirmation.close()
        parent = self._sidebar.window() if isinstance(self._sidebar.window(), QWidget) else self._sidebar
        box = QMessageBox(parent)
        box.setObjectName("meaning_confirmation")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Search by meaning"))
        box.setText(self.tr("Turn on search by meaning?"))
        locale = QLocale()
        box.setInformativeText(
            self.tr(
                "Every message of your history — {messages} messages, about {characters} characters — will be "
                "sent to the embedding model “{model}” of the profile “{profile}”, and so will each new message "
                "and each search. This costs tokens: roughly {tokens} for the history.\n\n"
                "Indexing runs in the background; you can pause it at any time."
            ).format(
                messages=locale.toString(messages),
                characters=locale.toString(characters),
                model=model,
                profile=self._session.profile.name,
                tokens=locale.toString(max(1, characters // 4)),
            )
        )
        turn_on = box.addButton(self.tr("Turn on"), QMessageBox.ButtonRole.AcceptRole)
        turn_on.setObjectName("meaning_turn_on")
        turn_on.setToolTip(self.tr("Index the history with this model and search by meaning"))
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setToolTip(self.tr("Keep searching by words only"))
        box.setDefaultButton(cancel)
        box.setAccessibleName(self.tr("Turn on search by meaning"))

        def finished(_result: int) -> None:
            if box.clickedButton() is turn_on:
                accept()
            if self.confirmation is box:
                self.confirmation = None
            box.deleteLater()

        box.finished.connect(finished)
        self.confirmation = box
        box.open()

    @Slot()
    def _on_action_requested(self) -> None:
        if self._consent is not None:
            model, messages, characters = self._consent
            self._confirm(model, messages, characters, self._consent_given)
            return
        backfill = self.backfill
        if backfill is None or backfill.task is None or backfill.task.done():
            self.restart()
            return
        if backfill.state is BackfillState.PAUSED:
            self._error = ""
            backfill.resume()
        else:
            backfill.pause()
        self._show()

    @Slot(str)
    def _on_preference_changed(self, name: str) -> None:
        if name != "chat_search_by_meaning":
            return
        self._search_note = ""
        self.restart()
        self._sidebar.set_meaning(self.enabled)
        if not self.enabled:
            self._forget_matrix()
        if self.enabled and self._sidebar.search_edit.hasFocus():
            self.warm()

    @Slot()
    def _on_client_changed(self) -> None:
        self._queries.clear()
        self._warm_model = ""
        model = self.model
        if self.enabled and self._indexed_model and model != self._indexed_model and (
            self._consent is None or self._consent[0] != model
        ):
            # Another embedding model (another profile): its cost was never agreed to.
            if self._reviewing == model:
                return  # already counting
            self._holder.cancel()
            self.backfill = None
            self._consent = None
            self._reviewing = model
            self._ask_holder.start(self._ask_for_new_model(model))
            self._show()
            return
        if self.enabled:
            self.restart()

    @Slot()
    def _on_history_timer(self) -> None:
        backfill = self.backfill
        if not self.enabled:
            return
        if backfill is None or backfill.task is None or backfill.task.done():
            self.restart()
        # Running or paused: its last pass from the start picks the new messages up.

    def stop(self) -> None:
        """Stop indexing (the page is going away); what was stored stays."""
        self._history_timer.stop()
        self._holder.cancel()
        self._ask_holder.cancel()
        self._warm_holder.cancel()

    def details(self) -> dict[str, Any]:
        """For tests and logs."""
        backfill = self.backfill
        return {
            "state": self.state.value,
            "done": backfill.done if backfill is not None else 0,
            "total": backfill.total if backfill is not None else 0,
            "error": self._error,
            "note": self._search_note,
        }
