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

Function calling: when the conversation's settings say ``tools_enabled`` (the settings panel's
Tools section), the reply runs ``app.tools.run_tool_loop`` with the chosen tools (``tools``: names;
absent = every built-in) — the built-ins made per reply here (date and time, calculator, image
generation through ``client.images`` into the reply *and* the Images gallery, search of the
history with FTS blended with vectors when the profile's embedding model has some) and the MCP
tools of ``context.tools``. The answer text streams into the same :class:`LiveReply`; each call is
a record in the message's ``tool_calls`` (``app.ui.chat.tool_cards``), saved with the text.
A tool that needs it asks first (``ask_confirmation``) unless the conversation's
``tools_allowed`` names it. Chosen tools that do not exist now (their MCP server is not running)
are left out, and the reply says so in a line above its cards (``tool_cards.set_notice``); the
reply still goes out with the tools that exist. The round limit (``Preferences.chat_tool_rounds``:
that many rounds of tool calls run) ends a reply still asking for tools as an error with Continue;
the calls of that last request show as cards "not run (limit reached)". Continue drops those,
sends the recorded rounds again and lets the loop go on. The search tool never finds the reply
being written nor the user message it answers.

Deleting a message offers Undo, like deleting a conversation: :meth:`ChatController.delete_message`
takes the row out of the view at once and moves it, whole, to the store's trash
(``Store.trash_message``), where nothing that reads messages — the view, search, exports, the
history sent to a model — sees it; :meth:`~ChatController.undo_delete_message` puts it back at its
place with everything it had (``Store.restore_message``). One deletion is undoable at a time, for
:data:`MESSAGE_UNDO_SECONDS`: the next delete, the end of that time, dismissing the notice
(:meth:`~ChatController.finish_undo`) or going on from an earlier message purge it for good, as
does closing the app (``AsyncStore.close``); after a ``kill -9`` it stays deleted and the next
start purges it. A reply still streaming cannot be deleted; other messages can while it streams.

What later turns send: only each reply's final text, never its tool calls and results. That keeps
every history valid for any server (even one without tools, or with tools turned off later) and
small; the model sees its earlier answers, which already say what the tools found. Continue is the
one exception: it replays the rounds of the reply it continues, from the stored records.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime as _dt
import logging
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from app.api.errors import APIError, BadRequestError, RateLimitError
from app.api.types import (
    ContentDelta,
    Finished,
    GeneratedImage,
    ReasoningDelta,
    ToolCallDelta,
    Usage,
    UsageUpdate,
)
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
from app.tools import (
    DECLINED_MESSAGE,
    RoundFinished,
    RoundStarted,
    Tool,
    ToolCallFinished,
    ToolCallStarted,
    ToolLoopResult,
    ToolRegistry,
    calculator_tool,
    conversation_search_tool,
    datetime_tool,
    image_generation_tool,
    run_tool_loop,
)
from app.turns import REQUEST_SETTINGS, request_parameters, usage_dict
from app.ui.chat import tool_cards
from app.ui.chat.attachments import returned_image_error_text
from app.ui.chat.conversation_model import LiveDocuments, MessageItem, MessageListModel
from app.ui.chat.message_list import DocumentCache, math_warmup
from app.ui.chat.message_widget import TOOL_ROUNDS_REASON
from app.ui.chat.render_document import MessageDocument
from app.ui.chat.render_stream import StreamingRenderer
from app.ui.errors import NoTokenError, user_message
from app.ui.session import Session
from app.ui.tasks import TaskRegistry

if TYPE_CHECKING:
    from app.chat_images import PreparedImage
    from app.ui.context import AppContext

__all__ = [
    "MESSAGE_UNDO_SECONDS",
    "REQUEST_SETTINGS",
    "SAVE_INTERVAL_MS",
    "ChatController",
    "LiveReply",
    "web_image_part",
    "web_image_url",
]

log = logging.getLogger(__name__)

#: Opening a conversation shows this many of its last messages first, then loads the others.
OPEN_TAIL = 40
#: How often the text of a streaming reply is written to the store (at most; only when it grew).
SAVE_INTERVAL_MS = 250
#: A 429 that names a wait no longer than this is retried once by itself, after the wait.
AUTO_RETRY_MAX_SECONDS = 60.0
#: How long the Undo of a deleted message is offered (as long as the sidebar's for a conversation).
MESSAGE_UNDO_SECONDS = 15

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
        #: The reply's image parts (pictures a tool made), kept with the text in every save.
        self.parts: list[dict[str, Any]] = [dict(part) for part in item.images]
        #: The tool loop's per-reply state (None: a plain reply).
        self.tools: ToolRegistry | None = None
        self.settings: dict[str, Any] = {}
        self.round = 0
        self.round_offset = 0
        self.max_rounds = 0
        #: Chosen tools this reply could not offer (their server is not running), as shown.
        self.unavailable: list[str] = []
        #: Messages the search tool leaves out: this reply and the user message it answers.
        self.exclude_ids: set[int] = set()
        self._round_has_text = False
        #: This round's calls as the model writes them (by index), shown before the round ends.
        self.streaming_calls: dict[int, dict[str, Any]] = {}
        self.cards_shown_at = 0.0
        self._usage_done: list[Usage] = []
        self._usage_round: Usage | None = None
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
        return bool(self.content or self.reasoning or self.item.tool_calls)

    def content_value(self) -> str | list[dict[str, Any]]:
        """The content to store: the text, or the text and the pictures a tool made."""
        if not self.parts:
            return self.content
        return ([text_part(self.content)] if self.content else []) + [dict(part) for part in self.parts]

    def mark_dirty(self) -> None:
        self._dirty = True

    def start_round(self, number: int) -> None:
        self.round = number
        self._round_has_text = False
        if self._usage_round is not None:
            self._usage_done.append(self._usage_round)
            self._usage_round = None

    def handle_in_loop(self, event: object) -> None:
        """A stream event of a tool loop's round: a new round's text starts a new paragraph, and
        the usage adds up over the rounds."""
        if getattr(event, "choice", 0) != 0:
            return
        if isinstance(event, ContentDelta) and event.text and not self._round_has_text:
            self._round_has_text = True
            text = self.content
            if text and not text.endswith("\n\n"):
                self.handle(ContentDelta("\n\n" if not text.endswith("\n") else "\n"))
        if isinstance(event, UsageUpdate):
            self._usage_round = event.usage
            self.usage = _add_usage([*self._usage_done, event.usage])
            return
        self.handle(event)

    def set_prior_usage(self, usage: dict[str, Any] | None) -> None:
        """Usage already spent by this reply (Continue): counted in the total."""
        prior = Usage.from_json(usage) if usage else None
        if prior is not None:
            self._usage_done.append(prior)
            self.usage = _add_usage(self._usage_done)

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
        calls = self.item.tool_calls or None
        try:
            future = self.store.update_streaming(
                self.item.id, self.content_value(), reasoning=self.reasoning, tool_calls=calls
            )
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


def _add_usage(usages: Sequence[Usage]) -> Usage | None:
    """The sum of several rounds' usage (a field missing from every round stays None)."""
    if not usages:
        return None
    if len(usages) == 1:
        return usages[0]
    total: dict[str, int | None] = {}
    for key in ("prompt_tokens", "completion_tokens", "total_tokens", "reasoning_tokens"):
        values = [getattr(u, key) for u in usages if getattr(u, key) is not None]
        total[key] = sum(values) if values else None
    return Usage(**total)  # type: ignore[arg-type]


def _log_purge_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and (exc := future.exception()) is not None:
        log.error("purging a deleted message failed (the next start purges it)", exc_info=exc)


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
    #: The deleted message whose Undo was offered is gone for good now: hide the offer.
    message_undo_ended = Signal()

    def __init__(
        self,
        store: AsyncStore,
        session: Session,
        tasks: TaskRegistry,
        model: MessageListModel,
        cache: DocumentCache,
        parent: QObject | None = None,
        *,
        context: AppContext | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.session = session
        self.tasks = tasks
        self.model = model
        self.cache = cache
        #: For function calling: the round limit (preferences), MCP tools, the gallery's folder.
        self.context = context
        #: The tool confirmation open now, if any (tests answer it).
        self.confirmation: tool_cards.ToolConfirmDialog | None = None
        self.current: Conversation | None = None
        self._lives: dict[int, LiveReply] = {}
        self._creating: asyncio.Task[Conversation] | None = None
        self._loading: asyncio.Future[None] | None = None
        self._generation = 0
        #: The deleted message Undo can bring back: (trash id, conversation id)
        self._undo: tuple[int, int] | None = None
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
            conversation, total, messages, sizes = await self.store.run(
                lambda s: _load_tail(s, conversation_id, OPEN_TAIL)
            )
            self.model.image_sizes.update(sizes)
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
        messages, sizes = await self.store.run(lambda s: _with_sizes(s, s.messages(conversation_id, limit=count)))
        self.model.image_sizes.update(sizes)
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
        if self._undo is not None and self._undo[1] == conversation_id:
            self.finish_undo(self._undo[0])  # its message's Undo would bring it back into a hidden chat
            self.message_undo_ended.emit()
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
        if any(not isinstance(picture, str) for picture in pictures):
            _user, sizes = await self.store.run(lambda s: _with_sizes(s, [user]))
            self.model.image_sizes.update(sizes)
        user_item, reply_item = MessageItem.from_message(user), MessageItem.from_message(reply)
        if self.current_id == cid:
            self.model.append([user_item, reply_item])
        history = self._history(cid, upto=reply_item.id)
        live = self._start_reply(conversation, reply_item, history, model, parameters)
        live.exclude_ids.add(user.id)  # also when another conversation is shown meanwhile
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
        await self._check_undo(cid)
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
        await self._check_undo(cid)
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

    @property
    def undo_pending(self) -> int | None:
        """The trash id of the deleted message Undo can bring back now, if any."""
        return self._undo[0] if self._undo is not None else None

    async def delete_message(self, message_id: int) -> int | None:
        """Delete a message of the open conversation, with Undo; return its trash id (None: not
        deleted — unknown, or the reply streaming now). It leaves the view at once; the message
        whose Undo was offered before is purged (one Undo at a time)."""
        item = self.model.find(message_id)
        cid = self.model.conversation_id
        if item is None or item.streaming or cid is None:
            return None
        row = self.model.row_of(message_id)
        self.model.remove(message_id)
        try:
            trash_id = await self.store.trash_message(message_id)
        except Exception:
            if self.model.conversation_id == cid and self.model.find(message_id) is None:
                self.model.insert(min(row, self.model.rowCount()), [item])  # nothing was deleted
            raise
        previous, self._undo = self._undo, (trash_id, cid)
        if previous is not None:
            self._purge_trash(*previous)
        self.conversations_changed.emit()  # the title follows the first user message
        return trash_id

    async def undo_delete_message(self, trash_id: int) -> Message:
        """Bring a deleted message back at its place (``NotFoundError`` once it was purged).

        If its conversation is open, the row comes back there; the caller opens it otherwise.
        """
        if self._undo is not None and self._undo[0] == trash_id:
            self._undo = None
        message = await self.store.restore_message(trash_id)
        _restored, sizes = await self.store.run(lambda s: _with_sizes(s, [message]))
        self.model.image_sizes.update(sizes)
        cid = message.conversation_id
        if self.model.conversation_id == cid:
            await self.wait_loaded()
            row = await self.store.message_row(message.id)
            if self.model.conversation_id == cid and self.model.find(message.id) is None:
                self.model.insert(max(0, min(row, self.model.rowCount())), [MessageItem.from_message(message)])
        self.conversations_changed.emit()
        return message

    def finish_undo(self, trash_id: int) -> None:
        """The Undo time of this deleted message is over (or the offer was dismissed): purge it now."""
        conversation_id = None
        if self._undo is not None and self._undo[0] == trash_id:
            conversation_id = self._undo[1]
            self._undo = None
        self._purge_trash(trash_id, conversation_id)

    def _purge_trash(self, trash_id: int, conversation_id: int | None = None) -> None:
        try:
            future = self.store.purge_deleted_messages([trash_id])
        except Exception:  # noqa: BLE001 — the store is closed: closing it purged the trash already
            log.info("the store closed before a deleted message was purged")
            return
        future.add_done_callback(_log_purge_failure)
        if conversation_id is not None and conversation_id != self.current_id:
            # Its last message gone for good, a conversation left empty goes too (after the purge:
            # the store runs calls in order).
            self.tasks.spawn(self._drop_if_empty(conversation_id), name="chat.drop-empty")

    async def _check_undo(self, conversation_id: int) -> None:
        """After going on from an earlier message: the store drops deleted messages that were
        after it, so their Undo ends."""
        if self._undo is None or self._undo[1] != conversation_id:
            return
        trash_id = self._undo[0]
        alive = await self.store.run(lambda s: any(t == trash_id for t, _m, _c in s.deleted_messages(conversation_id)))
        if not alive and self._undo is not None and self._undo[0] == trash_id:
            self._undo = None
            self.message_undo_ended.emit()

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
        if item.text or item.reasoning:  # Continue: the reply goes on after what it holds
            live.content_renderer.restart(item.text)
            live.reasoning_renderer.restart(item.reasoning)
        live.updated.connect(lambda: self.model.resized(item))
        live.state_changed.connect(lambda: self.model.changed_item(item, content=False))
        live.settings = dict(conversation.settings)
        live.exclude_ids = {item.id}
        row = self.model.row_of(item.id)
        if row > 0 and self.model.item(row - 1).role is Role.USER:
            live.exclude_ids.add(self.model.item(row - 1).id)
        live.tools = self._tools_for(live)
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
            outcome: ToolLoopResult | None = None
            try:
                client = self.session.require_client()
                if live.tools is not None:
                    outcome = await self._run_tool_loop(live, client, history, model, parameters)
                    live.server_model = outcome.completion.model
                    returned = list(outcome.completion.images)
                else:
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
                if live.tools is not None and not has_images:
                    error = self.tr("{reason} If this model cannot use tools, turn them off in the conversation's settings.").format(
                        reason=error
                    )
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
            if outcome is not None and outcome.stop_reason == "max_rounds":
                live.finish_reason = TOOL_ROUNDS_REASON
                rounds = live.max_rounds
                error = (
                    self.tr("Stopped after one round of tool calls.")
                    if rounds == 1
                    else self.tr("Stopped after {count} rounds of tool calls.").format(count=rounds)
                )
                await self._finish(live, MessageState.ERROR, error=error)
                return
            await self._finish(live, MessageState.COMPLETE)
            found = extract_returned_images(item.text, returned)
            if found:
                self.tasks.spawn(self._keep_returned_images(item, found), name="chat.returned-images")
            return

    # -- function calling -------------------------------------------------------------------

    def max_tool_rounds(self) -> int:
        preferences = self.context.preferences if self.context is not None else None
        return int(preferences.chat_tool_rounds) if preferences is not None else 8

    def available_tools(self, live: LiveReply | None = None) -> ToolRegistry:
        """Every tool a conversation may choose: the built-ins, then the MCP servers' tools."""
        registry = ToolRegistry()
        registry.add(datetime_tool())
        registry.add(calculator_tool())
        if live is not None:
            registry.add(image_generation_tool(lambda prompt, size: self._generate_image(live, prompt, size),
                                               sizes=_image_sizes(self.session.profile.model_for(Capability.IMAGE))))
            registry.add(conversation_search_tool(
                lambda query, limit: self._search_history(
                    query, limit, exclude=live.exclude_ids, conversation_id=live.conversation_id)))
        service = self.context.tools if self.context is not None else None
        if service is not None:
            for tool in service.registry:
                if tool.name not in registry:
                    registry.add(tool)
        return registry

    def _tools_for(self, live: LiveReply) -> ToolRegistry | None:
        """The tools this reply offers (None: tools are off, or none of the chosen ones exists).

        Chosen tools missing now (an MCP server that exited, failed or is stopped) are named in a
        line on the reply: the user learns why the model did not use them."""
        settings = live.settings
        tool_cards.set_notice(live.item, "")
        if not settings.get("tools_enabled"):
            return None
        chosen = settings.get("tools")
        names = list(tool_cards.BUILTIN_TOOL_NAMES) if not isinstance(chosen, list) else [str(n) for n in chosen]
        everything = self.available_tools(live)
        chosen_tools = [
            dataclasses.replace(tool, needs_confirmation=tool_cards.needs_confirmation(tool))
            for tool in everything
            if tool.name in names
        ]
        missing = [name for name in names if name not in everything]
        service = self.context.tools if self.context is not None else None
        live.unavailable = missing
        if missing:
            tool_cards.set_notice(live.item, tool_cards.unavailable_notice(missing, service))
        return ToolRegistry(chosen_tools) if chosen_tools else None

    async def _run_tool_loop(
        self, live: LiveReply, client: Any, history: list[dict[str, Any]], model: str, parameters: dict[str, Any]
    ) -> ToolLoopResult:
        assert live.tools is not None
        live.max_rounds = self.max_tool_rounds()
        item = live.item

        def changed() -> None:
            live.mark_dirty()
            self.model.changed_item(item, content=False)

        def record_of(call_id: str) -> dict[str, Any] | None:
            return next((r for r in reversed(item.tool_calls) if r.get("id") == call_id), None)

        def on_event(event: object) -> None:
            if isinstance(event, RoundStarted):
                live.start_round(event.round + live.round_offset)
                live.streaming_calls = {}
            elif isinstance(event, ToolCallDelta):
                live.handle(event)  # the first byte arrived
                if event.choice != 0:
                    return
                record = live.streaming_calls.get(event.index)
                if record is None:
                    record = tool_cards.call_record(
                        event.id or f"call-{live.round}-{event.index}", event.name or "", "", round_no=live.round
                    )
                    live.streaming_calls[event.index] = record
                    item.tool_calls.append(record)
                    live.cards_shown_at = 0.0
                if event.id:
                    record["id"] = event.id
                if event.name:
                    record["function"]["name"] = event.name
                record["function"]["arguments"] += event.arguments
                now = time.monotonic()
                if now - live.cards_shown_at >= 0.1:  # the arguments as they are written, a few times a second
                    live.cards_shown_at = now
                    self.model.changed_item(item, content=False)
            elif isinstance(event, RoundFinished):
                # The calls as the model finished them replace the ones shown while it wrote them.
                written = [id(r) for r in live.streaming_calls.values()]
                item.tool_calls[:] = [r for r in item.tool_calls if id(r) not in written]
                live.streaming_calls = {}
                calls = event.completion.tool_calls
                # Past the limit the loop runs nothing more: those calls show as "not run".
                beyond = event.round > live.max_rounds
                for call in calls:
                    tool = live.tools.get(call.name) if live.tools is not None else None
                    mcp_name = tool.meta.get("mcp_name") if tool is not None else None
                    item.tool_calls.append(tool_cards.call_record(
                        call.id, call.name, call.arguments, round_no=live.round,
                        status=tool_cards.NOT_RUN if beyond else tool_cards.PENDING,
                        source=tool.source if tool is not None else "builtin",
                        mcp_name=mcp_name if isinstance(mcp_name, str) else None,
                    ))
                changed()
            elif isinstance(event, ToolCallStarted):
                record = record_of(event.call_id)
                if record is None:
                    record = tool_cards.call_record(event.call_id, event.name, event.arguments, round_no=live.round)
                    item.tool_calls.append(record)
                record["status"] = tool_cards.RUNNING
                changed()
            elif isinstance(event, ToolCallFinished):
                record = record_of(event.call_id)
                if record is not None:
                    record["status"] = event.status
                    record["result"] = event.result
                    record["duration"] = round(event.duration, 3)
                    changed()
            else:
                live.handle_in_loop(event)

        async def confirm(tool: Tool, arguments: dict[str, Any]) -> bool:
            return await self._confirm_tool(live, tool, arguments)

        return await run_tool_loop(
            client,
            history,
            model=model,
            registry=live.tools,
            confirm=confirm,
            max_rounds=live.max_rounds,
            on_event=on_event,
            **parameters,
        )

    async def _confirm_tool(self, live: LiveReply, tool: Tool, arguments: dict[str, Any]) -> bool:
        """Ask the user (unless this conversation allows the tool); "for this conversation" is stored."""
        allowed = live.settings.get("tools_allowed")
        if isinstance(allowed, list) and tool.name in allowed:
            return True
        parent = self.parent()
        # The loop asks in the order of the calls: the first waiting card of this tool is the one.
        record = next((r for r in live.item.tool_calls if r.get("status") == tool_cards.PENDING
                       and (r.get("function") or {}).get("name") == tool.name), None)
        if record is not None:
            record["status"] = tool_cards.ASKING
            self.model.changed_item(live.item, content=False)
        try:
            choice = await tool_cards.ask_confirmation(
                tool, arguments, parent if isinstance(parent, QWidget) else None,
                on_open=lambda dialog: setattr(self, "confirmation", dialog),
            )
        finally:
            if record is not None and record.get("status") == tool_cards.ASKING:
                record["status"] = tool_cards.PENDING
                self.model.changed_item(live.item, content=False)
        if choice == tool_cards.ALLOW_CONVERSATION:
            live.settings["tools_allowed"] = [*(allowed if isinstance(allowed, list) else []), tool.name]
            try:
                await self._allow_tool(live.conversation_id, tool.name)
            except StoreError as exc:  # the conversation went away: allowed for this reply only
                log.info("allowing a tool was not stored: %s", type(exc).__name__)
        return choice != tool_cards.DENY

    async def _allow_tool(self, conversation_id: int, name: str) -> None:
        updated = await self.store.run(lambda s: _add_allowed_tool(s, conversation_id, name))
        if self.current is not None and self.current.id == updated.id:
            self.current = updated
            self.current_changed.emit()

    async def _generate_image(self, live: LiveReply, prompt: str, size: str | None) -> str:
        """The image tool: the profile's image model makes the picture; it joins the reply and the gallery."""
        from app.imaging import image_info
        from app.store.gallery import AsyncGallery, Operation, images_dir

        client = self.session.require_client()
        image_model = self.session.profile.model_for(Capability.IMAGE)
        options: dict[str, Any] = {"size": size} if size else {}
        result = await client.images.generate(prompt, model=image_model, n=1, **options)
        if not result.images:
            raise RuntimeError("the image server answered without a picture")
        gallery = AsyncGallery(self.store, images_dir(self.context.locations.data)) if self.context is not None else None
        made = 0
        for generated in result.images:
            data = await _picture_bytes(client, generated)
            info = await asyncio.to_thread(image_info, data)
            record = await self.store.put_attachment(data, info.mime, width=info.width, height=info.height)
            self.model.image_sizes[record.hash] = (info.width, info.height)
            part = image_part(record.hash, alt=prompt[:200])
            if part not in live.parts:
                live.parts.append(part)
            live.item.images = [dict(p) for p in live.parts]
            live.item.revision += 1
            live.mark_dirty()
            self.model.changed_item(live.item, content=False)
            if gallery is not None:
                await gallery.add(
                    data, mime=info.mime, width=info.width, height=info.height, operation=Operation.GENERATE,
                    prompt=prompt, revised_prompt=generated.revised_prompt or "", model=image_model,
                    profile_id=self.session.active_id, parameters=options,
                )
            made += 1
        where = "in the chat and in their Images gallery" if gallery is not None else "in the chat"
        return f"Generated {made} image{'s' if made != 1 else ''} ({size or 'default size'}); it is shown to the user {where}."

    async def _search_history(
        self, query: str, limit: int, *, exclude: set[int] | frozenset[int] = frozenset(),
        conversation_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """The search tool: full-text hits, blended with the nearest messages by meaning when the
        profile's embedding model has vectors for the history. ``exclude``: message ids never
        returned (the reply asking, and the question it answers — it would find itself), nor the
        title of ``conversation_id`` (the one asking: its title is made from that question)."""
        from app.semantic import blended_search, embedder
        from app.store import vectors

        hits: list[Any] = await self.store.run(lambda s: _search_chats(s, query, max(limit * 2, 10)))
        embedding_model = self.session.profile.model_for(Capability.EMBEDDING)
        try:
            have_vectors = await self.store.run(lambda s: vectors.vector_count(s, embedding_model)) > 0
        except Exception as exc:  # noqa: BLE001 — no vectors table yet, say: full text only
            log.info("vectors not available: %s", type(exc).__name__)
            have_vectors = False
        if have_vectors:
            try:
                client = self.session.require_client()
                vector = (await embedder(client, embedding_model)([query]))[0]
                hits = list(await blended_search(self.store, vector, hits, limit * 2, model=embedding_model))
            except _EXPECTED_ERRORS as exc:  # the embedding failed: the words alone still find things
                log.info("search by meaning failed, full text only: %s", type(exc).__name__)
        wanted = [(hit.conversation_id, hit.message_id, hit.title, hit.snippet) for hit in hits
                  if (hit.message_id not in exclude if hit.message_id is not None
                      else hit.conversation_id != conversation_id)]
        return (await self.store.run(lambda s: _hit_details(s, wanted)))[:limit]

    async def continue_tools(self, message_id: int) -> bool:
        """Go on with a reply the round limit stopped: its recorded rounds are sent again."""
        await self.wait_loaded()
        conversation = self.current
        item = self.model.find(message_id)
        if (
            conversation is None
            or item is None
            or conversation.id in self._lives
            or item.state is not MessageState.ERROR
            or item.finish_reason != TOOL_ROUNDS_REASON
            or self.model.row_of(message_id) != self.model.rowCount() - 1
        ):
            return False
        cid = conversation.id
        model = self.model_for(conversation)
        parameters = request_parameters(conversation.settings)
        # The calls the limit left unrun are dropped: the model is asked again and decides anew.
        item.tool_calls[:] = [r for r in item.tool_calls if r.get("status") != tool_cards.NOT_RUN]
        history = self._history(cid, upto=item.id) + _replay_rounds(item.tool_calls)
        await self.store.resume_message(item.id)
        prior_usage = item.usage
        item.state = MessageState.STREAMING
        item.error = None
        item.finish_reason = None
        live = self._start_reply(conversation, item, history, model, parameters)
        live.round_offset = max((int(r.get("round") or 0) for r in item.tool_calls), default=0)
        live.set_prior_usage(prior_usage)
        return True

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
            kept = [dict(part) for part in item.images if part not in parts]  # pictures a tool made stay
            content = ([text_part(item.text)] if item.text else []) + kept + parts
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
        for record in item.tool_calls:
            if record.get("status") in (tool_cards.PENDING, tool_cards.ASKING, tool_cards.RUNNING):
                record["status"] = tool_cards.STOPPED
        content, reasoning = live.content, live.reasoning
        stored_content = live.content_value()
        item.images = [dict(part) for part in live.parts] if live.parts else item.images
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
                content=stored_content,
                reasoning=reasoning,
                tool_calls=[dict(record) for record in item.tool_calls] if item.tool_calls else None,
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


def _load_tail(
    store: Store, conversation_id: int, tail: int
) -> tuple[Conversation | None, int, list[Message], dict[str, tuple[int, int]]]:
    conversation = store.get_conversation(conversation_id)
    if conversation is None:
        return None, 0, [], {}
    total = store.count_messages(conversation_id)
    messages, sizes = _with_sizes(store, store.messages(conversation_id, offset=max(0, total - tail)))
    return conversation, total, messages, sizes


def _with_sizes(store: Store, messages: list[Message]) -> tuple[list[Message], dict[str, tuple[int, int]]]:
    """The messages, and the sizes of their pictures (the list sizes thumbnail rows with them)."""
    hashes = [str(part["hash"]) for message in messages for part in message.images]
    return messages, (store.attachment_sizes(hashes) if hashes else {})



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
    if store.count_messages(conversation_id) or store.deleted_messages(conversation_id):
        return False  # a deleted message Undo can bring back counts as content
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


def _add_allowed_tool(store: Store, conversation_id: int, name: str) -> Conversation:
    """Read-modify-write of the conversation's ``tools_allowed`` on the store's thread."""
    conversation = store.get_conversation(conversation_id)
    if conversation is None:
        raise StoreError(f"no conversation {conversation_id}")
    settings = dict(conversation.settings)
    allowed = [str(n) for n in settings.get("tools_allowed") or [] if isinstance(n, str)]
    if name not in allowed:
        allowed.append(name)
    settings["tools_allowed"] = allowed
    return store.update_conversation(conversation_id, settings=settings)


def _hit_details(
    store: Store, hits: Sequence[tuple[int, int | None, str, str]]
) -> list[dict[str, Any]]:
    """What the search tool tells the model: title, date, who wrote it, and the snippet."""
    from app.store.search import split_highlights

    out: list[dict[str, Any]] = []
    seen: set[tuple[int, int | None]] = set()
    conversations: dict[int, Conversation | None] = {}
    for conversation_id, message_id, title, snippet in hits:
        if (conversation_id, message_id) in seen:
            continue
        seen.add((conversation_id, message_id))
        if conversation_id not in conversations:
            conversations[conversation_id] = store.get_conversation(conversation_id)
        conversation = conversations[conversation_id]
        if conversation is None or conversation.deleted or conversation.kind not in LISTED_KINDS:
            continue
        message = store.get_message(message_id) if message_id is not None else None
        when = message.created_at if message is not None else conversation.updated_at
        hit: dict[str, Any] = {
            "title": title or conversation.title or "(untitled)",
            "date": _dt.datetime.fromtimestamp(when).astimezone().isoformat(timespec="minutes"),
            "snippet": "".join(text for text, _marked in split_highlights(snippet)),
            "conversation_id": conversation_id,
        }
        if message is not None:
            hit["role"] = message.role.value
        out.append(hit)
    return out


def _replay_rounds(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The API messages of recorded tool rounds: per round the assistant's calls, then one result
    per call (a call that never finished says so), so the history stays valid to send."""
    rounds: dict[int, list[Mapping[str, Any]]] = {}
    for record in records:
        if record.get("status") == tool_cards.NOT_RUN:
            continue  # the round limit stopped them: never sent, nothing to answer
        rounds.setdefault(int(record.get("round") or 0), []).append(record)
    messages: list[dict[str, Any]] = []
    for number in sorted(rounds):
        calls = rounds[number]
        messages.append({
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": str(r.get("id")), "type": "function", "function": dict(r.get("function") or {})} for r in calls
            ],
        })
        for record in calls:
            status = record.get("status")
            if status == tool_cards.DECLINED:
                content = DECLINED_MESSAGE
            elif status in (tool_cards.OK, tool_cards.ERROR):
                content = str(record.get("result") or "")
            else:
                content = "Error: the call was stopped before it finished."
            messages.append({"role": "tool", "tool_call_id": str(record.get("id")), "content": content})
    return messages


def _image_sizes(model: str) -> tuple[str, ...]:
    """The sizes the image tool offers the model for the profile's image model (none: free text)."""
    from app.store.gallery import Operation
    from app.ui.images.families import option_set

    spec = option_set(Operation.GENERATE, model).get("size")
    if spec is None or spec.editable:
        return ()
    return tuple(value for value in spec.values if value)


async def _picture_bytes(client: Any, generated: GeneratedImage) -> bytes:
    if generated.b64_json or (generated.url or "").startswith("data:"):
        return await asyncio.to_thread(generated.data)  # megabytes of base64: off the UI thread
    return await client.images.download(generated)
