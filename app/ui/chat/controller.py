"""What the Chat tab does, apart from showing it: conversations, sending, streaming, saving.

The :class:`ChatController` owns the open conversation's :class:`MessageListModel` and the replies
being streamed; the page turns clicks into calls on it and shows what it reports.

Safety of what the user typed comes first. A message is written to the store — together with the
empty reply that will stream into it and the cleared draft, in one transaction — before anything
is sent; the page clears the composer only once that write returned. Whatever fails afterwards
(no token, 401, 429, a cut connection) becomes the reply's error state, shown beside it with
Retry; the user's message is already safe.

While a reply streams (:class:`LiveReply`), deltas go to two ``StreamingRenderer``\\ s (answer and
Thinking), which update their documents at most once per frame; the text so far is written to the
store every :data:`SAVE_INTERVAL_MS` without waiting for the write (``AsyncStore`` keeps the order),
so a ``kill -9`` loses well under a second; ``finish_message`` records the outcome. Stop cancels
the task: the cancellation is caught long enough to record the partial reply as *stopped*.

Replies in different conversations stream independently; one conversation streams one at a time.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.api.errors import APIError, BadRequestError, RateLimitError
from app.api.types import ContentDelta, Finished, ReasoningDelta, Usage, UsageUpdate
from app.chat_images import (
    ChatImageError,
    ReturnedImage,
    extract_returned_images,
    fetch_returned_image,
)
from app.credentials import CredentialError
from app.profiles import Capability
from app.store import (
    AsyncStore,
    Conversation,
    ConversationKind,
    Message,
    MessageState,
    Role,
    SearchHit,
    Store,
    StoreError,
    image_part,
    text_part,
)
from app.turns import REQUEST_SETTINGS, request_parameters, usage_dict
from app.ui.chat.attachments import returned_image_error_text
from app.ui.chat.conversation_model import LiveDocuments, MessageItem, MessageListModel
from app.ui.chat.message_list import DocumentCache, math_warmup
from app.ui.chat.render_document import MessageDocument
from app.ui.chat.render_stream import StreamingRenderer
from app.ui.errors import NoTokenError, user_message
from app.ui.session import Session
from app.ui.tasks import TaskRegistry

if TYPE_CHECKING:
    from app.chat_images import PreparedImage

__all__ = ["ChatController", "LiveReply", "REQUEST_SETTINGS", "SAVE_INTERVAL_MS", "web_image_part", "web_image_url"]

log = logging.getLogger(__name__)

#: Opening a conversation shows this many of its last messages first, then loads the others.
OPEN_TAIL = 40
#: How often the text of a streaming reply is written to the store (at most; only when it grew).
SAVE_INTERVAL_MS = 250
#: A 429 that names a wait no longer than this is retried once by itself, after the wait.
AUTO_RETRY_MAX_SECONDS = 60.0
#: The conversation settings that become request parameters (the settings panel's agreed shape).

_EXPECTED_ERRORS: tuple[type[BaseException], ...] = (APIError, NoTokenError, CredentialError)


class LiveReply(QObject):
    """A reply while it arrives: its documents and renderers, the text so far, the periodic save."""

    #: The documents changed (at most once per frame); the view re-measures the row.
    updated = Signal()
    #: Something other than the text changed: the first byte, the first answer after thinking.
    state_changed = Signal()

    def __init__(
        self,
        store: AsyncStore,
        conversation_id: int,
        item: MessageItem,
        model: str,
        documents: tuple[MessageDocument, MessageDocument],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.conversation_id = conversation_id
        self.item = item
        self.model = model
        content, reasoning = documents
        self.content_renderer = StreamingRenderer(content, self)
        self.reasoning_renderer = StreamingRenderer(reasoning, self)
        self.content_renderer.updated.connect(self._on_rendered)
        self.reasoning_renderer.updated.connect(self._on_rendered)
        item.live = LiveDocuments(content, reasoning)
        self.usage: Usage | None = None
        self.finish_reason: str | None = None
        self.server_model: str | None = None
        self.task: asyncio.Task[None] | None = None
        self.saves = 0
        self._dirty = False
        self._save_timer = QTimer(self)
        self._save_timer.setInterval(SAVE_INTERVAL_MS)
        self._save_timer.timeout.connect(self.save)
        self._save_timer.start()

    @property
    def content(self) -> str:
        return self.content_renderer.text()

    @property
    def reasoning(self) -> str:
        return self.reasoning_renderer.text()

    @property
    def has_output(self) -> bool:
        return bool(self.content or self.reasoning)

    def handle(self, event: object) -> None:
        """One stream event (only the first choice is shown)."""
        if getattr(event, "choice", 0) != 0:
            return
        live = self.item.live
        first = live is not None and live.first_event_at is None
        if live is not None and first:
            live.first_event_at = time.monotonic()
        if isinstance(event, ContentDelta):
            starting = not self.content
            self.content_renderer.append(event.text)
            self._dirty = True
            if starting:
                self.item.text = self.content
                self.state_changed.emit()
                return
        elif isinstance(event, ReasoningDelta):
            starting = not self.reasoning
            self.reasoning_renderer.append(event.text)
            self._dirty = True
            if starting:
                self.item.reasoning = self.reasoning
                math_warmup().request()
                self.state_changed.emit()
                return
        elif isinstance(event, UsageUpdate):
            self.usage = event.usage
        elif isinstance(event, Finished):
            self.finish_reason = event.finish_reason
        if first:
            self.state_changed.emit()

    @Slot()
    def _on_rendered(self) -> None:
        self.item.text = self.content
        self.item.reasoning = self.reasoning
        self.updated.emit()

    @Slot()
    def save(self) -> None:
        """Write the text so far, without waiting (the store runs calls in order)."""
        if not self._dirty:
            return
        self._dirty = False
        self.saves += 1
        try:
            future = self.store.update_streaming(self.item.id, self.content, reasoning=self.reasoning)
        except Exception:  # the store is closed: the app is going away
            log.exception("saving a streaming reply failed")
            return
        future.add_done_callback(_log_failure)

    def reset_for_retry(self) -> None:
        """Start over in the same message (an automatic retry after a rate limit)."""
        self.content_renderer.restart()
        self.reasoning_renderer.restart()
        self.item.text = ""
        self.item.reasoning = ""
        self.item.error = None
        self.item.state = MessageState.STREAMING
        if self.item.live is not None:
            self.item.live.started_at = time.monotonic()
            self.item.live.first_event_at = None
        self.usage = None
        self.finish_reason = None

    def finish(self) -> None:
        """No more text: render the tail for good and stop saving."""
        self._save_timer.stop()
        self.content_renderer.finish()
        self.reasoning_renderer.finish()


def _log_failure(future: asyncio.Future[Any]) -> None:
    if future.cancelled():
        return
    exc = future.exception()
    if exc is not None:
        log.error("a store write of a streaming reply failed", exc_info=exc)


class ChatController(QObject):
    """Conversations and replies for the Chat tab; see the module docstring."""

    #: Titles, order or membership of the conversation list changed: reload the sidebar.
    conversations_changed = Signal()
    #: Another conversation is open (or none: a new chat not yet written).
    current_changed = Signal()
    #: A reply started or ended somewhere.
    streaming_changed = Signal()
    #: Pictures a reply named could not be kept: (how many, a sentence about the first failure)
    returned_images_failed = Signal(int, str)

    def __init__(
        self,
        store: AsyncStore,
        session: Session,
        tasks: TaskRegistry,
        model: MessageListModel,
        cache: DocumentCache,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.session = session
        self.tasks = tasks
        self.model = model
        self.cache = cache
        self.current: Conversation | None = None
        self._lives: dict[int, LiveReply] = {}
        self._creating: asyncio.Task[Conversation] | None = None
        self._loading: asyncio.Future[None] | None = None
        self._generation = 0
        session.client_changed.connect(self._on_client_changed)

    # -- state ------------------------------------------------------------------------------

    @property
    def current_id(self) -> int | None:
        return self.current.id if self.current is not None else None

    def live(self, conversation_id: int | None = None) -> LiveReply | None:
        cid = self.current_id if conversation_id is None else conversation_id
        return self._lives.get(cid) if cid is not None else None

    def is_streaming(self, conversation_id: int | None = None) -> bool:
        return self.live(conversation_id) is not None

    def streaming_ids(self) -> list[int]:
        return list(self._lives)

    def default_model(self) -> str:
        return self.session.profile.model_for(Capability.CHAT)

    def model_for(self, conversation: Conversation | None) -> str:
        if conversation is not None and conversation.model:
            return conversation.model
        return self.default_model()

    # -- conversations ----------------------------------------------------------------------

    async def list_conversations(self) -> list[Conversation]:
        """Chats and voice conversations (the Voice tab's turns): both can be continued by typing."""
        conversations = await self.store.list_conversations()
        return [c for c in conversations if c.kind in LISTED_KINDS]

    async def open_conversation(self, conversation_id: int | None) -> Conversation | None:
        """Show this conversation (None: a new, unsaved chat). Returns it (None if it is gone).

        The last :data:`OPEN_TAIL` messages come first, so the screen fills at once; the older
        ones follow in a second store call (:meth:`wait_loaded` waits for them).
        """
        previous = self.current
        self._generation += 1
        generation = self._generation
        if conversation_id is None:
            conversation, total, messages = None, 0, []
        else:
            conversation, total, messages = await self.store.run(lambda s: _load_tail(s, conversation_id, OPEN_TAIL))
            if conversation is None or conversation.deleted:
                conversation, total, messages = None, 0, []
        if generation != self._generation:
            return self.current  # another open started meanwhile; it wins
        self._creating = None
        self.current = conversation
        cid = conversation.id if conversation is not None else None
        self.model.set_items(cid, self._items(cid, messages))
        self._loading = None
        if conversation is not None and total > len(messages):
            self._loading = asyncio.ensure_future(self._load_head(conversation.id, total - len(messages), generation))
        self.current_changed.emit()
        if previous is not None and (conversation is None or previous.id != conversation.id):
            # In the background: the caller fills the composer now, before anything else runs.
            self.tasks.spawn(self._drop_if_empty(previous.id), name="chat.drop-empty")
        return conversation

    def _items(self, conversation_id: int | None, messages: list[Message]) -> list[MessageItem]:
        """Rows for stored messages; a reply streaming right now is shown by its live item."""
        items = [MessageItem.from_message(message) for message in messages]
        live = self._lives.get(conversation_id) if conversation_id is not None else None
        if live is not None:
            items = [live.item if item.id == live.item.id else item for item in items]
        return items

    async def _load_head(self, conversation_id: int, count: int, generation: int) -> None:
        messages = await self.store.messages(conversation_id, limit=count)
        if generation == self._generation and self.model.conversation_id == conversation_id:
            self.model.prepend(self._items(conversation_id, messages))

    async def wait_loaded(self) -> None:
        """Until every message of the open conversation is in the model."""
        loading = self._loading
        if loading is not None and not loading.done():
            await asyncio.shield(loading)

    def refresh_current(self, conversations: list[Conversation]) -> None:
        """Take the open conversation's fresh row from a reloaded list (its title follows the
        first message, so it changes when one is sent, edited or deleted)."""
        if self.current is None:
            return
        fresh = next((c for c in conversations if c.id == self.current.id), None)
        if fresh is not None and fresh != self.current:
            self.current = fresh
            self.current_changed.emit()

    async def _drop_if_empty(self, conversation_id: int) -> None:
        """A conversation left with no message and no draft was never really started: remove it."""
        if conversation_id in self._lives:
            return
        purged = await self.store.run(lambda s: _purge_if_empty(s, conversation_id))
        if purged:
            self.conversations_changed.emit()

    async def ensure_conversation(self) -> Conversation:
        """The open conversation, created in the store first if it is a new chat."""
        if self.current is not None:
            return self.current
        if self._creating is None or self._creating.cancelled():
            self._creating = asyncio.ensure_future(
                self.store.create_conversation(kind=ConversationKind.CHAT, profile_id=self.session.active_id)
            )
        creating = self._creating
        conversation = await asyncio.shield(creating)
        if self.current is None and self._creating is creating:
            self.current = conversation
            self.model.conversation_id = conversation.id
            self.current_changed.emit()
            self.conversations_changed.emit()
        return conversation

    async def save_draft(
        self, conversation_id: int | None, text: str, attachments: Sequence[Mapping[str, Any]] = ()
    ) -> None:
        """Keep the composer's text and pictures (image parts of kept attachments); a new chat
        becomes a conversation once there is something to keep."""
        if conversation_id is None:
            if (not text.strip() and not attachments) or self.current is not None:
                return
            conversation = await self.ensure_conversation()
            conversation_id = conversation.id
        await self.store.save_draft(conversation_id, text, attachments)

    async def rename(self, conversation_id: int, title: str) -> None:
        conversation = await self.store.rename_conversation(conversation_id, title)
        if self.current is not None and self.current.id == conversation_id:
            self.current = conversation
            self.current_changed.emit()
        self.conversations_changed.emit()

    async def set_pinned(self, conversation_id: int, pinned: bool) -> None:
        await self.store.set_pinned(conversation_id, pinned)
        self.conversations_changed.emit()

    async def delete_conversation(self, conversation_id: int) -> None:
        """Hide it (Undo brings it back until Parla restarts); stop its reply first."""
        live = self._lives.get(conversation_id)
        if live is not None and live.task is not None:
            live.task.cancel()
            await asyncio.wait([live.task])
        await self.store.delete_conversation(conversation_id)
        self.conversations_changed.emit()

    async def restore_conversation(self, conversation_id: int) -> Conversation:
        conversation = await self.store.restore_conversation(conversation_id)
        self.conversations_changed.emit()
        return conversation

    async def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        return await self.store.run(lambda s: _search_chats(s, query, limit))

    async def update_settings(
        self, conversation_id: int | None = None, *, model: str | None = None, settings: Mapping[str, Any] | None = None
    ) -> None:
        """Store a conversation's model and settings (the settings panel's reports; None: the open one)."""
        if conversation_id is None:
            conversation_id = (await self.ensure_conversation()).id
        updated = await self.store.update_conversation(conversation_id, model=model, settings=settings)
        if self.current is not None and self.current.id == updated.id:
            self.current = updated
            self.current_changed.emit()

    # -- messages ---------------------------------------------------------------------------

    async def send(
        self, text: str, *, images: Sequence[PreparedImage | str] = (), detail: str | None = None
    ) -> bool:
        """Store the user's message and its empty reply, then stream the reply. False if busy.

        ``images`` (prepared by ``app.chat_images.prepare_image``) are kept as attachments and
        named in the message's content after the text, each with ``detail`` when one is given; a
        ``str`` is a web picture's address, sent as it is (an ``image_url`` part).
        """
        if not text.strip() and not images:
            return False
        conversation = await self.ensure_conversation()
        cid = conversation.id
        if cid in self._lives:
            return False
        await self.wait_loaded()  # the whole history goes with the question
        model = self.model_for(conversation)
        parameters = request_parameters(conversation.settings)
        pictures = list(images)
        user, reply = await self.store.run(
            lambda s: _append_exchange(s, cid, _user_content(s, text, pictures, detail), model, parameters)
        )
        user_item, reply_item = MessageItem.from_message(user), MessageItem.from_message(reply)
        if self.current_id == cid:
            self.model.append([user_item, reply_item])
        history = self._history(cid, upto=reply_item.id)
        self._start_reply(conversation, reply_item, history, model, parameters)
        self.conversations_changed.emit()
        return True

    def later_messages(self, message_id: int) -> int:
        """How many messages follow this one in the open conversation."""
        row = self.model.row_of(message_id)
        return self.model.rowCount() - row - 1 if row >= 0 else 0

    def replaced_by_regenerate(self, message_id: int) -> int:
        """How many messages besides this reply a regenerate of it would remove."""
        return self.later_messages(message_id)

    async def regenerate(self, message_id: int) -> bool:
        """Ask again for a reply (Regenerate, Retry): it and everything after it are replaced."""
        await self.wait_loaded()
        conversation = self.current
        row = self.model.row_of(message_id)
        if conversation is None or row < 0 or conversation.id in self._lives:
            return False
        items = self.model.items
        user_row = row
        while user_row >= 0 and items[user_row].role is not Role.USER:
            user_row -= 1
        if items[row].role is Role.USER:
            user_row = row
        if user_row < 0:
            return False
        user_id = items[user_row].id
        cid = conversation.id
        model = self.model_for(conversation)
        parameters = request_parameters(conversation.settings)
        reply = await self.store.run(lambda s: _replace_after(s, user_id, None, model, parameters))
        if self.current_id != cid:
            return True
        self.model.remove_from(user_row + 1)
        reply_item = MessageItem.from_message(reply)
        self.model.append([reply_item])
        self._start_reply(conversation, reply_item, self._history(cid, upto=reply_item.id), model, parameters)
        self.conversations_changed.emit()
        return True

    async def edit_and_resend(self, message_id: int, text: str) -> bool:
        """Replace a user message's text, drop what followed it, and ask for a new reply."""
        await self.wait_loaded()
        conversation = self.current
        row = self.model.row_of(message_id)
        if conversation is None or row < 0 or conversation.id in self._lives or not text.strip():
            return False
        item = self.model.item(row)
        if item.role is not Role.USER:
            return False
        cid = conversation.id
        model = self.model_for(conversation)
        parameters = request_parameters(conversation.settings)
        reply = await self.store.run(lambda s: _replace_after(s, message_id, text, model, parameters))
        if self.current_id != cid:
            return True
        item.text = text
        self.model.changed(row)
        self.model.remove_from(row + 1)
        reply_item = MessageItem.from_message(reply)
        self.model.append([reply_item])
        self._start_reply(conversation, reply_item, self._history(cid, upto=reply_item.id), model, parameters)
        self.conversations_changed.emit()
        return True

    async def delete_message(self, message_id: int) -> None:
        item = self.model.find(message_id)
        if item is None or item.streaming:
            return
        await self.store.delete_message(message_id)
        self.model.remove(message_id)
        self.conversations_changed.emit()  # the title follows the first user message

    def stop(self, conversation_id: int | None = None) -> bool:
        """Stop the reply streaming in this (the open) conversation; its text so far is kept."""
        live = self.live(conversation_id)
        if live is None or live.task is None or live.task.done():
            return False
        live.task.cancel()
        return True

    def stop_all(self) -> None:
        for live in list(self._lives.values()):
            if live.task is not None:
                live.task.cancel()

    # -- streaming --------------------------------------------------------------------------

    def _history(self, conversation_id: int, *, upto: int) -> list[dict[str, Any]]:
        """The messages to send: the system prompt, then every exchange before ``upto``."""
        messages: list[dict[str, Any]] = []
        conversation = self.current if self.current is not None and self.current.id == conversation_id else None
        system = str((conversation.settings if conversation else {}).get("system_prompt") or "").strip()
        if system:
            messages.append({"role": "system", "content": system})
        for item in self.model.items:
            if item.id == upto:
                break
            if item.role not in (Role.USER, Role.ASSISTANT, Role.SYSTEM):
                continue
            if item.role is Role.USER and (item.images or item.web_images):
                # Store parts for now; _api_messages turns them into image_url data URLs.
                parts: list[dict[str, Any]] = [text_part(item.text)] if item.text.strip() else []
                parts.extend(dict(part) for part in item.images)
                parts.extend(dict(part) for part in item.web_images)  # already image_url parts
                messages.append({"role": item.role.value, "content": parts})
                continue
            if not item.text.strip():
                continue
            messages.append({"role": item.role.value, "content": item.text})
        return messages

    async def _api_messages(self, history: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``history`` with each stored image part replaced by an ``image_url`` part (a data URL)."""
        hashes = [
            part["hash"]
            for message in history
            if isinstance(message["content"], list)
            for part in message["content"]
            if part.get("type") == "image"
        ]
        if not hashes:
            return history
        urls = await self.store.run(lambda s: _data_urls(s, hashes))
        out: list[dict[str, Any]] = []
        for message in history:
            content = message["content"]
            if not isinstance(content, list):
                out.append(message)
                continue
            parts: list[dict[str, Any]] = []
            for part in content:
                if part.get("type") == "image":
                    image_url: dict[str, Any] = {"url": urls[part["hash"]]}
                    if part.get("detail"):
                        image_url["detail"] = part["detail"]
                    parts.append({"type": "image_url", "image_url": image_url})
                else:
                    parts.append(part)
            out.append({**message, "content": parts})
        return out

    def _start_reply(
        self,
        conversation: Conversation,
        item: MessageItem,
        history: list[dict[str, Any]],
        model: str,
        parameters: dict[str, Any],
    ) -> LiveReply:
        theme = self.cache.theme
        documents = (MessageDocument(theme), MessageDocument(theme))
        live = LiveReply(self.store, conversation.id, item, model, documents, self)
        live.updated.connect(lambda: self.model.resized(item))
        live.state_changed.connect(lambda: self.model.changed_item(item, content=False))
        self._lives[conversation.id] = live
        holder = self.tasks.holder(f"chat.reply.{conversation.id}")
        live.task = holder.start(self._run_reply(live, history, model, parameters))
        self.model.changed_item(item, content=False)
        self.streaming_changed.emit()
        return live

    async def _run_reply(
        self, live: LiveReply, history: list[dict[str, Any]], model: str, parameters: dict[str, Any]
    ) -> None:
        retried = False
        returned: list[Any] = []
        has_images = any(isinstance(message["content"], list) for message in history)
        try:
            history = await self._api_messages(history)
        except asyncio.CancelledError:
            await self._finish(live, MessageState.STOPPED)
            raise
        except (StoreError, OSError) as exc:  # a kept picture is missing or unreadable
            log.warning("reading a message's pictures failed", exc_info=exc)
            await self._finish(live, MessageState.ERROR, error=user_message(exc, model=model))
            return
        while True:
            try:
                client = self.session.require_client()
                async with client.chat.stream(history, model=model, **parameters) as stream:
                    async for event in stream:
                        live.handle(event)
                    live.server_model = stream.result.model
                    returned = list(stream.result.images)
            except asyncio.CancelledError:
                await self._finish(live, MessageState.STOPPED)
                raise
            except RateLimitError as exc:
                wait = exc.retry_after
                if not retried and not live.has_output and wait is not None and 0 <= wait <= AUTO_RETRY_MAX_SECONDS:
                    # The sentence says "retrying in N s": keep that promise, once.
                    retried = True
                    self._show_error(live, user_message(exc, model=model))
                    await asyncio.sleep(max(0.0, wait))
                    live.reset_for_retry()
                    self.model.changed_item(live.item, content=False)
                    continue
                await self._finish(live, MessageState.ERROR, error=user_message(exc, model=model))
                return
            except BadRequestError as exc:
                log.info("reply refused (HTTP 400)%s", " with pictures" if has_images else "")
                error = self.tr("This model does not accept images.") if has_images else user_message(exc, model=model)
                await self._finish(live, MessageState.ERROR, error=error)
                return
            except _EXPECTED_ERRORS as exc:
                log.info("reply failed: %s", type(exc).__name__)
                await self._finish(live, MessageState.ERROR, error=user_message(exc, model=model))
                return
            except Exception as exc:
                await self._finish(live, MessageState.ERROR, error=user_message(exc, model=model))
                raise  # a bug: the task registry logs it and shows the crash dialog
            item = live.item
            await self._finish(live, MessageState.COMPLETE)
            found = extract_returned_images(item.text, returned)
            if found:
                self.tasks.spawn(self._keep_returned_images(item, found), name="chat.returned-images")
            return

    async def _keep_returned_images(self, item: MessageItem, found: list[ReturnedImage]) -> None:
        """Download the pictures a finished reply names, keep them, and link them from the message.

        Each becomes an image part (``source_url`` = where it came from, unless it came as a data
        URL) after the text, so it is shown — and survives the URL's expiry and a restart.
        """
        try:
            client = self.session.require_client()
        except _EXPECTED_ERRORS as exc:
            self.returned_images_failed.emit(len(found), user_message(exc))
            return
        parts: list[dict[str, Any]] = []
        failures: list[BaseException] = []
        for image in found:
            try:
                data, mime = await fetch_returned_image(client, image.url)
                record = await self.store.put_attachment(data, mime)
            except (ChatImageError, APIError, StoreError, OSError) as exc:
                log.warning("a returned picture could not be kept: %s", type(exc).__name__)
                failures.append(exc)
                continue
            source = None if image.url.startswith("data:") else image.url
            part = image_part(record.hash, source_url=source, alt=image.alt or None)
            if part not in parts:
                parts.append(part)
        if parts:
            content = [text_part(item.text), *parts] if item.text else parts
            try:
                message = await self.store.edit_message(item.id, content)
            except StoreError as exc:  # deleted or regenerated meanwhile
                log.info("the reply went away before its pictures were kept: %s", type(exc).__name__)
                return
            item.images = [dict(part) for part in message.images]
            item.revision += 1
            self.model.changed_item(item, content=False)
        if failures:
            self.returned_images_failed.emit(len(failures), returned_image_error_text(failures[0]))

    def _show_error(self, live: LiveReply, error: str) -> None:
        item = live.item
        item.state = MessageState.ERROR
        item.error = error
        self.model.changed_item(item, content=False)

    async def _finish(self, live: LiveReply, state: MessageState, *, error: str | None = None) -> None:
        """Record how the reply ended: in the view at once, in the store (awaited) after."""
        live.finish()
        item = live.item
        content, reasoning = live.content, live.reasoning
        usage = usage_dict(live.usage)
        finish_reason = live.finish_reason if state is MessageState.COMPLETE else (live.finish_reason or None)
        item.text = content
        item.reasoning = reasoning
        item.state = state
        item.error = error
        item.usage = usage
        item.finish_reason = finish_reason
        item.model = live.server_model or live.model
        documents = item.live
        item.live = None
        item.revision += 1
        if documents is not None:
            self.cache.adopt(item, documents.content, documents.reasoning)
        self._lives.pop(live.conversation_id, None)
        self.model.changed_item(item, content=False)
        self.streaming_changed.emit()
        try:
            await self.store.finish_message(
                item.id,
                state,
                content=content,
                reasoning=reasoning,
                model=item.model,
                finish_reason=finish_reason,
                usage=usage,
                error=error,
            )
        except Exception:
            log.exception("recording the end of a reply failed")
        finally:
            live.deleteLater()
        self.conversations_changed.emit()

    @Slot()
    def _on_client_changed(self) -> None:
        # Replies started on the old client stop (its connections are closing).
        self.stop_all()


# -- store-thread helpers (run inside AsyncStore.run: several calls, one hop) -----------------


def _load_tail(store: Store, conversation_id: int, tail: int) -> tuple[Conversation | None, int, list[Message]]:
    conversation = store.get_conversation(conversation_id)
    if conversation is None:
        return None, 0, []
    total = store.count_messages(conversation_id)
    return conversation, total, store.messages(conversation_id, offset=max(0, total - tail))


def web_image_part(url: str, detail: str | None = None) -> dict[str, Any]:
    """A web picture sent by its address: stored in the API's own ``image_url`` shape, sent as it is."""
    image_url: dict[str, Any] = {"url": url}
    if detail is not None:
        image_url["detail"] = detail
    return {"type": "image_url", "image_url": image_url}


def web_image_url(part: Mapping[str, Any]) -> str | None:
    """The address of a :func:`web_image_part` (None for any other part)."""
    if part.get("type") != "image_url" or not isinstance(part.get("image_url"), Mapping):
        return None
    url = part["image_url"].get("url")
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


def _user_content(
    store: Store, text: str, images: Sequence[PreparedImage | str], detail: str | None
) -> str | list[dict[str, Any]]:
    """The user's message as stored: the text, then each picture (kept as an attachment) by hash,
    or a web picture by its address (``str``)."""
    if not images:
        return text
    parts: list[dict[str, Any]] = [text_part(text)] if text.strip() else []
    for image in images:
        if isinstance(image, str):
            parts.append(web_image_part(image, detail))
            continue
        record = store.put_attachment(image.data, image.mime, width=image.width, height=image.height)
        parts.append(image_part(record.hash, detail=detail))
    return parts


def _data_urls(store: Store, hashes: list[str]) -> dict[str, str]:
    """``data:`` URLs of kept pictures, by hash."""
    urls: dict[str, str] = {}
    for digest in dict.fromkeys(hashes):
        record = store.get_attachment(digest)
        if record is None:
            raise StoreError(f"the picture {digest[:12]} is no longer kept")
        data = store.read_attachment(digest)
        urls[digest] = f"data:{record.mime};base64,{base64.b64encode(data).decode('ascii')}"
    return urls


def _append_exchange(
    store: Store,
    conversation_id: int,
    content: str | Sequence[Mapping[str, Any]],
    model: str,
    parameters: dict[str, Any],
) -> tuple[Message, Message]:
    with store.batch():
        user = store.append_message(conversation_id, Role.USER, content)
        reply = store.append_message(
            conversation_id, Role.ASSISTANT, "", state=MessageState.STREAMING, model=model, parameters=parameters
        )
        store.save_draft(conversation_id, "")
    return user, reply


def _replace_after(
    store: Store, message_id: int, new_text: str | None, model: str, parameters: dict[str, Any]
) -> Message:
    message = store.get_message(message_id)
    if message is None:
        raise LookupError(f"no message {message_id}")
    with store.batch():
        if new_text is not None:
            # The pictures stay with the message; only its text changes.
            media = [part for part in message.content if part.get("type") != "text"]
            store.edit_message(message_id, [text_part(new_text), *media] if media else new_text)
        store.truncate_after(message_id)
        return store.append_message(
            message.conversation_id, Role.ASSISTANT, "", state=MessageState.STREAMING, model=model, parameters=parameters
        )


def _purge_if_empty(store: Store, conversation_id: int) -> bool:
    conversation = store.get_conversation(conversation_id)
    if conversation is None or conversation.deleted or conversation.title_is_custom or conversation.draft_text.strip():
        return False
    if conversation.model or any(value not in (None, "") for value in conversation.settings.values()):
        return False  # set up in the settings panel: the user meant to keep it
    if store.count_messages(conversation_id):
        return False
    store.purge_conversation(conversation_id)
    return True


#: The kinds of conversation the Chat tab lists, searches and continues.
LISTED_KINDS = frozenset({ConversationKind.CHAT, ConversationKind.VOICE})


def _search_chats(store: Store, query: str, limit: int) -> list[SearchHit]:
    hits = store.search(query, limit)
    kinds: dict[int, bool] = {}
    kept: list[SearchHit] = []
    for hit in hits:
        if hit.conversation_id not in kinds:
            conversation = store.get_conversation(hit.conversation_id)
            kinds[hit.conversation_id] = conversation is not None and conversation.kind in LISTED_KINDS
        if kinds[hit.conversation_id]:
            kept.append(hit)
    return kept
