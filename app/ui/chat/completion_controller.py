"""What the Chat tab's text completion mode does, apart from showing it: the document, the stream, saving.

A completion conversation (``ConversationKind.COMPLETION``) is one plain-text document: what the
user wrote and what the model wrote, interleaved. It is kept as the conversation's messages, in
order: one message per *segment* — a ``user`` message for a run of the user's text, an
``assistant`` message for a run of generated text (with the model, parameters, usage and finish
reason of the request that produced it). Two completions in a row stay two messages, each with its
own state, usage and choices: the editor marks each generated run with its message's id
(``completion_view.MESSAGE``), and :class:`Segment` carries it. Concatenated, their texts are the document, exactly; so
the store's search, titles (the first line of the first user segment), rename, pin, delete, export
work as for chats. The parameters (max tokens, temperature, top_p, stop, suffix, echo, n) live in
the conversation's ``settings``; so do the choices of the last request when ``n`` > 1.

Complete sends the whole document as the prompt. Before anything is sent, the document is written
and an empty ``streaming`` assistant message appended, in one transaction: the prompt is safe
whatever happens next. The text then streams into that message, written every
:data:`SAVE_INTERVAL_MS` without waiting (``AsyncStore`` keeps the order), so a ``kill -9`` loses
well under a second — and the store marks it stopped when it opens again. Stop cancels the task; the
cancellation is caught long enough to record the partial text as *stopped*. A failure keeps the
partial text and records the sentence of :func:`app.ui.errors.user_message` (shown with Retry).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.api.errors import APIError
from app.api.types import ContentDelta, Finished, Usage, UsageUpdate
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
)
from app.turns import usage_dict
from app.ui.errors import NoTokenError, user_message
from app.ui.session import Session
from app.ui.tasks import TaskRegistry

__all__ = [
    "MAX_STOP_SEQUENCES",
    "SAVE_INTERVAL_MS",
    "CompletionController",
    "CompletionParameters",
    "Segment",
    "merge_segments",
    "search_listed",
]

log = logging.getLogger(__name__)

#: How often the text of a streaming completion is written to the store (at most; only when it grew).
SAVE_INTERVAL_MS = 250
#: The API accepts at most four stop sequences.
MAX_STOP_SEQUENCES = 4
#: ``n`` is capped here: every choice streams and is kept.
MAX_CHOICES = 8
_CHOICES_KEY = "completion_choices"
#: Max tokens of a new completion (the API's own default, 16, is too short to be useful).
DEFAULT_MAX_TOKENS = 256

_EXPECTED_ERRORS: tuple[type[BaseException], ...] = (APIError, NoTokenError, CredentialError)


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of the document written by one side: ``generated`` is the model's text.

    ``message_id`` names the stored assistant message a generated run came from (None: not known,
    or the user's text). Two completions in a row are two runs, never one: each keeps its own
    message (state, usage, the choices that point at it)."""

    text: str
    generated: bool = False
    message_id: int | None = field(default=None, compare=False)

    @property
    def role(self) -> Role:
        return Role.ASSISTANT if self.generated else Role.USER


def merge_segments(segments: Sequence[Segment]) -> list[Segment]:
    """Adjacent runs of the same side joined (generated ones only from the same message, or one
    of them unknown), empty ones dropped."""
    merged: list[Segment] = []
    for segment in segments:
        if not segment.text:
            continue
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.generated == segment.generated
            and (
                not segment.generated
                or previous.message_id is None
                or segment.message_id is None
                or previous.message_id == segment.message_id
            )
        ):
            message_id = previous.message_id if previous.message_id is not None else segment.message_id
            merged[-1] = Segment(previous.text + segment.text, segment.generated, message_id)
        else:
            merged.append(segment)
    return merged


@dataclass(frozen=True, slots=True)
class CompletionParameters:
    """The request options of a completion conversation (``None``/empty: not sent)."""

    max_tokens: int | None = DEFAULT_MAX_TOKENS
    temperature: float | None = None
    top_p: float | None = None
    stop: tuple[str, ...] = ()
    suffix: str = ""
    echo: bool = False
    n: int = 1
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    KEYS = ("max_tokens", "temperature", "top_p", "stop", "suffix", "echo", "n")

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> CompletionParameters:
        """Read from a conversation's settings, tolerating anything odd (a hand-edited export)."""
        raw = dict(settings or {})

        def number(key: str, low: float, high: float) -> float | None:
            value = raw.get(key)
            if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
                return None
            return min(high, max(low, float(value)))

        max_tokens: int | None = DEFAULT_MAX_TOKENS
        if "max_tokens" in raw:
            value = raw.get("max_tokens")
            max_tokens = int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 1 else None
        stop_raw = raw.get("stop")
        stops = [stop_raw] if isinstance(stop_raw, str) else stop_raw if isinstance(stop_raw, list) else []
        stop = tuple(s for s in stops if isinstance(s, str) and s)[:MAX_STOP_SEQUENCES]
        n = raw.get("n")
        return cls(
            max_tokens=max_tokens,
            temperature=number("temperature", 0.0, 2.0),
            top_p=number("top_p", 0.0, 1.0),
            stop=stop,
            suffix=raw.get("suffix") if isinstance(raw.get("suffix"), str) else "",
            echo=raw.get("echo") is True,
            n=int(n) if isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_CHOICES else 1,
            # Other keys ride along; the last request's choices are the controller's, never a stale copy.
            extra={k: v for k, v in raw.items() if k not in cls.KEYS and k != _CHOICES_KEY},
        )

    def to_settings(self) -> dict[str, Any]:
        """As kept in the conversation's settings (other keys there are carried through)."""
        return {
            **self.extra,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "stop": list(self.stop),
            "suffix": self.suffix,
            "echo": self.echo,
            "n": self.n,
        }

    def request(self) -> dict[str, Any]:
        """The keyword arguments for ``client.completions.stream`` (unset ones left out)."""
        options: dict[str, Any] = {}
        if self.max_tokens is not None:
            options["max_tokens"] = self.max_tokens
        if self.temperature is not None:
            options["temperature"] = self.temperature
        if self.top_p is not None:
            options["top_p"] = self.top_p
        if self.stop:
            options["stop"] = list(self.stop)
        if self.suffix:
            options["suffix"] = self.suffix
        if self.echo:
            options["echo"] = True
        if self.n > 1:
            options["n"] = self.n
        return options


class _Run(QObject):
    """One request while it streams: the text of each choice, the periodic save."""

    def __init__(self, store: AsyncStore, message_id: int, prompt: str, echo: bool, n: int, parent: QObject) -> None:
        super().__init__(parent)
        self.store = store
        self.message_id = message_id
        self.n = n
        self.texts: dict[int, str] = {}
        self.usage: Usage | None = None
        self.finish_reason: str | None = None
        self.server_model: str | None = None
        self.task: asyncio.Task[None] | None = None
        self.saves = 0
        # With echo the server sends the prompt back first: it is already in the document.
        self._skip: dict[int, str] = {}
        self._echo_prompt = prompt if echo else ""
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setInterval(SAVE_INTERVAL_MS)
        self._timer.timeout.connect(self.save)
        self._timer.start()

    @property
    def text(self) -> str:
        return self.texts.get(0, "")

    def feed(self, choice: int, piece: str) -> str:
        """Add a piece of a choice; returns what is new for the document (echo removed)."""
        skip = self._skip.setdefault(choice, self._echo_prompt)
        if skip:
            common = 0
            limit = min(len(skip), len(piece))
            while common < limit and skip[common] == piece[common]:
                common += 1
            if common == limit:  # all of it matched so far
                self._skip[choice] = skip[common:]
                piece = piece[common:]
            else:  # the server sent something else: nothing more is taken for an echo
                self._skip[choice] = ""
        if not piece:
            return ""
        self.texts[choice] = self.texts.get(choice, "") + piece
        if choice == 0:
            self._dirty = True
        return piece

    def choices(self) -> list[str]:
        return [self.texts.get(i, "") for i in range(max(self.texts) + 1)] if self.texts else []

    @Slot()
    def save(self) -> None:
        """Write the text so far, without waiting (the store runs calls in order)."""
        if not self._dirty:
            return
        self._dirty = False
        self.saves += 1
        try:
            future = self.store.update_streaming(self.message_id, self.text)
        except Exception:  # the store is closed: the app is going away
            log.exception("saving a streaming completion failed")
            return
        future.add_done_callback(_log_failure)

    def stop_saving(self) -> None:
        self._timer.stop()


def _log_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("a store write of a streaming completion failed", exc_info=future.exception())


@dataclass(slots=True)
class CompletionState:
    """What the view shows of a conversation opened from the store."""

    conversation: Conversation | None
    segments: list[Segment]
    last: Message | None  # the last generated segment's message (usage, error), if any
    choices: list[str]


class CompletionController(QObject):
    """Completion conversations for the Chat tab; see the module docstring."""

    #: A piece of the completion (choice 0) to put at the end of the document.
    text_arrived = Signal(str)
    #: A request started or ended.
    streaming_changed = Signal()
    #: The request ended: (its message id, state value, error sentence or "", finish reason or "",
    #: usage dict or None, the text of every choice when there were several, else []).
    run_finished = Signal(int, str, str, str, object, list)
    #: The open conversation's row changed (created, renamed, parameters).
    current_changed = Signal()
    #: Titles, order or membership of the conversation list changed.
    conversations_changed = Signal()

    def __init__(self, store: AsyncStore, session: Session, tasks: TaskRegistry, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.session = session
        self.tasks = tasks
        self.current: Conversation | None = None
        self.parameters = CompletionParameters()
        self.model = ""  # "" = the profile's default
        self.run: _Run | None = None
        self._creating: asyncio.Future[Conversation] | None = None
        self._holder = tasks.holder("chat.completion")
        session.client_changed.connect(self._on_client_changed)

    # -- state ------------------------------------------------------------------------------

    @property
    def current_id(self) -> int | None:
        return self.current.id if self.current is not None else None

    def is_streaming(self) -> bool:
        return self.run is not None

    def default_model(self) -> str:
        return self.session.profile.model_for(Capability.CHAT)

    def effective_model(self) -> str:
        return self.model or self.default_model()

    # -- conversations ----------------------------------------------------------------------

    async def open(self, conversation_id: int | None) -> CompletionState:
        """Load a completion conversation (None: a new one, not written until there is text)."""
        await self.stop_and_wait()
        self._creating = None
        if conversation_id is None:
            conversation, messages = None, []
        else:
            conversation, messages = await self.store.run(lambda s: _load(s, conversation_id))
            if conversation is not None and conversation.deleted:
                conversation, messages = None, []
        self.current = conversation
        self.parameters = CompletionParameters.from_settings(conversation.settings if conversation else None)
        self.model = conversation.model if conversation is not None else ""
        self.current_changed.emit()
        segments = merge_segments(
            [Segment(m.text, m.role is Role.ASSISTANT, m.id if m.role is Role.ASSISTANT else None) for m in messages]
        )
        last = next((m for m in reversed(messages) if m.role is Role.ASSISTANT), None)
        choices: list[str] = []
        stored = (conversation.settings if conversation else {}).get(_CHOICES_KEY)
        # The choices are offered again only while that completion still ends the document.
        if isinstance(stored, dict) and last is not None and messages[-1] is last and stored.get("message_id") == last.id:
            texts = stored.get("texts")
            if isinstance(texts, list) and len(texts) > 1 and all(isinstance(t, str) for t in texts):
                choices = list(texts)
        return CompletionState(conversation, segments, last, choices)

    async def ensure_conversation(self) -> Conversation:
        """The open conversation, created in the store first if it is new."""
        if self.current is not None:
            return self.current
        if self._creating is None or self._creating.cancelled():
            self._creating = asyncio.ensure_future(
                self.store.create_conversation(
                    kind=ConversationKind.COMPLETION,
                    profile_id=self.session.active_id,
                    model=self.model,
                    settings=self.parameters.to_settings(),
                )
            )
        creating = self._creating
        conversation = await asyncio.shield(creating)
        if self.current is None and self._creating is creating:
            self.current = conversation
            self.current_changed.emit()
            self.conversations_changed.emit()
        return self.current if self.current is not None else conversation

    async def save_document(self, segments: Sequence[Segment], *, conversation_id: int | None = None) -> None:
        """Write the document (the user's edits); a new completion becomes a row once it has text."""
        segments = merge_segments(segments)
        cid = conversation_id if conversation_id is not None else self.current_id
        if cid is None:
            if not any(s.text.strip() for s in segments):
                return
            cid = (await self.ensure_conversation()).id
        changed = await self.store.run(lambda s: _sync_segments(s, cid, segments))
        if changed:
            self.conversations_changed.emit()

    async def set_parameters(self, model: str, parameters: CompletionParameters) -> None:
        """Keep the model and parameters with the conversation (created if new)."""
        self.model = model
        self.parameters = parameters
        if self.current is None:
            return  # kept with the row when it is made (first text, or Complete)
        settings = {**(self.current.settings or {}), **parameters.to_settings()}
        self.current = await self.store.update_conversation(self.current.id, model=model, settings=settings)

    async def message_offset(self, message_id: int) -> tuple[int, int] | None:
        """Where a message's text sits in the open document: (start, length), None if not there."""
        cid = self.current_id
        if cid is None:
            return None
        messages = await self.store.messages(cid)
        start = 0
        for message in messages:
            if message.id == message_id:
                return start, len(message.text)
            start += len(message.text)
        return None

    async def drop_if_empty(self, conversation_id: int) -> None:
        """A completion left without text and never named was never really started: remove it."""
        purged = await self.store.run(lambda s: _purge_if_empty(s, conversation_id))
        if purged:
            self.conversations_changed.emit()

    # -- completing -------------------------------------------------------------------------

    async def complete(self, segments: Sequence[Segment]) -> bool:
        """Write the document, then stream a completion of all of it after it. False if busy/empty."""
        segments = merge_segments(segments)
        prompt = "".join(s.text for s in segments)
        if self.run is not None or not prompt.strip():
            return False
        conversation = await self.ensure_conversation()
        if self.run is not None:
            return False
        cid = conversation.id
        model = self.effective_model()
        parameters = self.parameters
        request = parameters.request()
        reply = await self.store.run(lambda s: _begin(s, cid, segments, model, request))
        run = _Run(self.store, reply.id, prompt, parameters.echo, parameters.n, self)
        self.run = run
        run.task = self._holder.start(self._stream(run, cid, prompt, model, request))
        self.streaming_changed.emit()
        self.conversations_changed.emit()
        return True

    async def _stream(self, run: _Run, cid: int, prompt: str, model: str, request: dict[str, Any]) -> None:
        try:
            client = self.session.require_client()
            async with client.completions.stream(prompt, model=model, **request) as stream:
                async for event in stream:
                    if isinstance(event, ContentDelta):
                        piece = run.feed(event.choice, event.text)
                        if piece and event.choice == 0:
                            self.text_arrived.emit(piece)
                    elif isinstance(event, UsageUpdate):
                        run.usage = event.usage
                    elif isinstance(event, Finished) and event.choice == 0:
                        run.finish_reason = event.finish_reason
                run.server_model = stream.result.model
        except asyncio.CancelledError:
            await self._finish(run, cid, MessageState.STOPPED)
            raise
        except _EXPECTED_ERRORS as exc:
            log.info("completion failed: %s", type(exc).__name__)
            await self._finish(run, cid, MessageState.ERROR, error=user_message(exc, model=model))
            return
        except Exception as exc:
            await self._finish(run, cid, MessageState.ERROR, error=user_message(exc, model=model))
            raise  # a bug: the task registry logs it and shows the crash dialog
        await self._finish(run, cid, MessageState.COMPLETE)

    async def _finish(self, run: _Run, cid: int, state: MessageState, *, error: str | None = None) -> None:
        """Record how the request ended: in the view at once, in the store (awaited) after."""
        run.stop_saving()
        usage = usage_dict(run.usage)
        choices = run.choices() if run.n > 1 or len(run.texts) > 1 else []
        if self.run is run:
            self.run = None
        self.streaming_changed.emit()
        self.run_finished.emit(run.message_id, state.value, error or "", run.finish_reason or "", usage, choices)
        try:
            await self.store.finish_message(
                run.message_id,
                state,
                content=run.text,
                model=run.server_model or None,
                finish_reason=run.finish_reason if state is MessageState.COMPLETE else (run.finish_reason or None),
                usage=usage,
                error=error,
            )
            conversation = await self.store.run(lambda s: _keep_choices(s, cid, run.message_id, choices))
            if conversation is not None and self.current is not None and self.current.id == cid:
                self.current = conversation
        except Exception:
            log.exception("recording the end of a completion failed")
        finally:
            run.deleteLater()
        self.conversations_changed.emit()

    def queue_save(self, conversation_id: int, segments: Sequence[Segment]) -> asyncio.Future[bool]:
        """Queue the document's write now, without waiting (leaving the tab, closing the window)."""
        merged = merge_segments(segments)
        return self.store.run(lambda s: _sync_segments(s, conversation_id, merged))

    def refresh_current(self, conversations: Sequence[Conversation]) -> None:
        """Take the open conversation's fresh row from a reloaded list (title, pin)."""
        if self.current is None:
            return
        fresh = next((c for c in conversations if c.id == self.current.id), None)
        if fresh is not None and fresh != self.current:
            self.current = fresh
            self.current_changed.emit()

    def stop(self) -> bool:
        """Stop the request streaming now; its text so far is kept."""
        run = self.run
        if run is None or run.task is None or run.task.done():
            return False
        run.task.cancel()
        return True

    async def stop_and_wait(self) -> None:
        run = self.run
        if run is not None and run.task is not None and not run.task.done():
            run.task.cancel()
            await asyncio.wait([run.task])

    @Slot()
    def _on_client_changed(self) -> None:
        self.stop()  # its connections are closing


# -- store-thread helpers (run inside AsyncStore.run: several calls, one hop) -----------------


def search_listed(store: Store, query: str, limit: int, kinds: frozenset[ConversationKind]) -> list[SearchHit]:
    """Search hits in conversations of these kinds only (what the Chat tab lists)."""
    known: dict[int, bool] = {}
    kept: list[SearchHit] = []
    for hit in store.search(query, limit):
        if hit.conversation_id not in known:
            conversation = store.get_conversation(hit.conversation_id)
            known[hit.conversation_id] = conversation is not None and conversation.kind in kinds
        if known[hit.conversation_id]:
            kept.append(hit)
    return kept


def _load(store: Store, conversation_id: int) -> tuple[Conversation | None, list[Message]]:
    conversation = store.get_conversation(conversation_id)
    if conversation is None:
        return None, []
    return conversation, store.messages(conversation_id)


def _sync_segments(store: Store, conversation_id: int, segments: Sequence[Segment]) -> bool:
    """Make the conversation's messages the document's segments, touching only what differs.

    A generated segment that names its message is kept in that message only: a stored message
    whose text is all gone from the document (the segment after it names a later message) is
    deleted alone, so the runs after it keep their state, usage and choices."""
    with store.batch():
        messages = store.messages(conversation_id)
        changed = False
        i = j = 0
        while i < len(messages) and j < len(segments):
            message, segment = messages[i], segments[j]
            if message.state is MessageState.STREAMING:
                break
            if message.role is segment.role and segment.message_id in (None, message.id):
                if message.text != segment.text:
                    store.edit_message(message.id, segment.text)
                    changed = True
                i += 1
                j += 1
                continue
            if segment.message_id is not None and any(m.id == segment.message_id for m in messages[i + 1 :]):
                store.delete_message(message.id)
                changed = True
                i += 1
                continue
            break
        if i < len(messages):
            store.truncate_after(messages[i].id, inclusive=True)
            changed = True
        for segment in segments[j:]:
            store.append_message(conversation_id, segment.role, segment.text)
            changed = True
        return changed


def _begin(
    store: Store, conversation_id: int, segments: Sequence[Segment], model: str, request: dict[str, Any]
) -> Message:
    with store.batch():
        _sync_segments(store, conversation_id, segments)
        return store.append_message(
            conversation_id, Role.ASSISTANT, "", state=MessageState.STREAMING, model=model, parameters=request
        )


def _keep_choices(store: Store, conversation_id: int, message_id: int, choices: list[str]) -> Conversation | None:
    conversation = store.get_conversation(conversation_id)
    if conversation is None:
        return None
    settings = dict(conversation.settings)
    if choices:
        settings[_CHOICES_KEY] = {"message_id": message_id, "texts": choices}
    elif _CHOICES_KEY in settings:
        del settings[_CHOICES_KEY]
    else:
        return conversation
    return store.update_conversation(conversation_id, settings=settings)


def _purge_if_empty(store: Store, conversation_id: int) -> bool:
    conversation = store.get_conversation(conversation_id)
    if conversation is None or conversation.deleted or conversation.title_is_custom:
        return False
    if conversation.kind is not ConversationKind.COMPLETION or store.count_messages(conversation_id):
        return False
    if conversation.model or CompletionParameters.from_settings(conversation.settings) != CompletionParameters():
        return False  # set up in the parameters panel: the user meant to keep it
    store.purge_conversation(conversation_id)
    return True
