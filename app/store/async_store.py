"""``Store`` for the asyncio UI: every call runs on one dedicated thread that owns the connection.

Why one thread and not ``asyncio.to_thread``: a sqlite3 connection belongs to the thread that made
it, and a single writer needs no locks — calls run one at a time in the order they were made, so
"append, update, update, finish" can never be reordered. The UI thread only hands work over and
awaits it, so a slow disk never freezes a frame.

A call, once made, runs to completion even if the task awaiting it is cancelled: Stop cancels the
streaming task, and the write that records the stopped reply must not be dropped with it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from app.store.models import (
    Attachment,
    Conversation,
    ConversationKind,
    Draft,
    Message,
    MessageState,
    Role,
    SearchHit,
    StoreClosedError,
)
from app.store.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")


def _log_orphan_failure(future: asyncio.Future[Any]) -> None:
    # Attached only once nobody awaits the result any more (the caller was cancelled): a failure
    # must still be seen, in the log rather than as "exception was never retrieved".
    if not future.cancelled() and (exc := future.exception()) is not None:
        log.error("a store call failed after its caller was cancelled", exc_info=exc)


class AsyncStore:
    """Async twin of ``Store``: same methods, same arguments, but each returns a future to await.

    A method queues its call the moment it is called (not when awaited), so calls run in the
    order they were made, awaited or not: a stream may fire ``update_streaming`` without waiting
    and then ``await finish_message(…)``, and the finish lands last. Make it with
    ``await AsyncStore.open(path)``; end with ``await close()``, which waits for every call already
    made, then closes the database.
    """

    def __init__(self, executor: concurrent.futures.ThreadPoolExecutor, store: Store) -> None:
        self._executor = executor
        self._store = store
        self._closing = False

    @classmethod
    async def open(cls, path: Path | str, **options: Any) -> "AsyncStore":
        """Open the store on a new worker thread (the opening itself migrates and recovers there)."""
        executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="parla-store")
        try:
            store = await asyncio.wrap_future(executor.submit(Store, path, **options))
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(executor, store)

    @property
    def recovered(self) -> int:
        """Replies found streaming at open (the app had died) and marked stopped."""
        return self._store.recovered

    @property
    def path(self) -> Path:
        return self._store.path

    @property
    def attachments_dir(self) -> Path:
        return self._store.attachments_dir

    def attachment_path(self, hash: str) -> Path:
        """Pure path arithmetic, safe on any thread."""
        return self._store.attachment_path(hash)

    def _call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> asyncio.Future[T]:
        """Queue the call now; the future resolves on the event loop when it has run."""
        if self._closing:
            raise StoreClosedError("the store is closed")
        inner = asyncio.wrap_future(self._executor.submit(functools.partial(fn, *args, **kwargs)))
        # shield: cancelling the caller must not cancel the queued call (see the module doc).
        outer = asyncio.shield(inner)
        outer.add_done_callback(lambda f: f.cancelled() and inner.add_done_callback(_log_orphan_failure))
        return outer

    def run(self, fn: Callable[[Store], T]) -> asyncio.Future[T]:
        """Run ``fn(store)`` on the store's thread: several calls in one hop, or inside ``batch()``."""
        return self._call(fn, self._store)

    async def close(self) -> None:
        """Finish every call already made, purge the messages deleted in this session (their Undo
        ends with it), then close the database and stop the thread."""
        if self._closing:
            return
        self._closing = True
        try:
            await asyncio.wrap_future(self._executor.submit(self._purge_then_close))
        finally:
            self._executor.shutdown(wait=False)

    def _purge_then_close(self) -> None:
        try:
            if not self._store.closed:
                self._store.purge_deleted_messages()
        except Exception:  # noqa: BLE001 — the next start purges them; closing matters more
            log.exception("purging deleted messages at exit failed")
        self._store.close()

    # -- conversations --------------------------------------------------------------------------

    def create_conversation(
        self,
        *,
        title: str = "",
        title_is_custom: bool | None = None,
        kind: ConversationKind | str = ConversationKind.CHAT,
        model: str = "",
        profile_id: str = "",
        settings: Mapping[str, Any] | None = None,
        pinned: bool = False,
        uid: str | None = None,
        created_at: float | None = None,
        updated_at: float | None = None,
    ) -> asyncio.Future[Conversation]:
        return self._call(
            self._store.create_conversation,
            title=title,
            title_is_custom=title_is_custom,
            kind=kind,
            model=model,
            profile_id=profile_id,
            settings=settings,
            pinned=pinned,
            uid=uid,
            created_at=created_at,
            updated_at=updated_at,
        )

    def get_conversation(self, conversation_id: int) -> asyncio.Future[Conversation | None]:
        return self._call(self._store.get_conversation, conversation_id)

    def get_conversation_by_uid(self, uid: str) -> asyncio.Future[Conversation | None]:
        return self._call(self._store.get_conversation_by_uid, uid)

    def list_conversations(
        self, *, kind: ConversationKind | str | None = None, limit: int | None = None
    ) -> asyncio.Future[list[Conversation]]:
        return self._call(self._store.list_conversations, kind=kind, limit=limit)

    def list_deleted_conversations(self) -> asyncio.Future[list[Conversation]]:
        return self._call(self._store.list_deleted_conversations)

    def rename_conversation(self, conversation_id: int, title: str) -> asyncio.Future[Conversation]:
        return self._call(self._store.rename_conversation, conversation_id, title)

    def set_pinned(self, conversation_id: int, pinned: bool) -> asyncio.Future[None]:
        return self._call(self._store.set_pinned, conversation_id, pinned)

    def update_conversation(
        self,
        conversation_id: int,
        *,
        model: str | None = None,
        profile_id: str | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> asyncio.Future[Conversation]:
        return self._call(
            self._store.update_conversation, conversation_id, model=model, profile_id=profile_id, settings=settings
        )

    def delete_conversation(self, conversation_id: int) -> asyncio.Future[None]:
        return self._call(self._store.delete_conversation, conversation_id)

    def restore_conversation(self, conversation_id: int) -> asyncio.Future[Conversation]:
        return self._call(self._store.restore_conversation, conversation_id)

    def purge_conversation(self, conversation_id: int) -> asyncio.Future[None]:
        return self._call(self._store.purge_conversation, conversation_id)

    def purge_deleted(self, before: float | None = None) -> asyncio.Future[int]:
        return self._call(self._store.purge_deleted, before)

    def save_draft(
        self, conversation_id: int, text: str, attachments: Sequence[Mapping[str, Any]] = ()
    ) -> asyncio.Future[None]:
        return self._call(self._store.save_draft, conversation_id, text, attachments)

    def load_draft(self, conversation_id: int) -> asyncio.Future[Draft]:
        return self._call(self._store.load_draft, conversation_id)

    # -- messages -------------------------------------------------------------------------------

    def append_message(
        self,
        conversation_id: int,
        role: Role | str,
        content: str | Sequence[Mapping[str, Any]] = "",
        *,
        state: MessageState | str = MessageState.COMPLETE,
        reasoning: str = "",
        tool_calls: Sequence[Mapping[str, Any]] | None = None,
        tool_call_id: str | None = None,
        model: str = "",
        parameters: Mapping[str, Any] | None = None,
        usage: Mapping[str, Any] | None = None,
        finish_reason: str | None = None,
        error: str | None = None,
        created_at: float | None = None,
    ) -> asyncio.Future[Message]:
        return self._call(
            self._store.append_message,
            conversation_id,
            role,
            content,
            state=state,
            reasoning=reasoning,
            tool_calls=tool_calls,
            tool_call_id=tool_call_id,
            model=model,
            parameters=parameters,
            usage=usage,
            finish_reason=finish_reason,
            error=error,
            created_at=created_at,
        )

    def update_streaming(
        self,
        message_id: int,
        content: str | Sequence[Mapping[str, Any]],
        *,
        reasoning: str | None = None,
        tool_calls: Sequence[Mapping[str, Any]] | None = None,
    ) -> asyncio.Future[bool]:
        return self._call(
            self._store.update_streaming, message_id, content, reasoning=reasoning, tool_calls=tool_calls
        )

    def resume_message(self, message_id: int) -> asyncio.Future[Message]:
        return self._call(self._store.resume_message, message_id)

    def finish_message(
        self,
        message_id: int,
        state: MessageState | str = MessageState.COMPLETE,
        *,
        content: str | Sequence[Mapping[str, Any]] | None = None,
        reasoning: str | None = None,
        tool_calls: Sequence[Mapping[str, Any]] | None = None,
        model: str | None = None,
        finish_reason: str | None = None,
        usage: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> asyncio.Future[Message]:
        return self._call(
            self._store.finish_message,
            message_id,
            state,
            content=content,
            reasoning=reasoning,
            tool_calls=tool_calls,
            model=model,
            finish_reason=finish_reason,
            usage=usage,
            error=error,
        )

    def edit_message(self, message_id: int, content: str | Sequence[Mapping[str, Any]]) -> asyncio.Future[Message]:
        return self._call(self._store.edit_message, message_id, content)

    def delete_message(self, message_id: int) -> asyncio.Future[None]:
        return self._call(self._store.delete_message, message_id)

    def trash_message(self, message_id: int) -> asyncio.Future[int]:
        return self._call(self._store.trash_message, message_id)

    def restore_message(self, trash_id: int) -> asyncio.Future[Message]:
        return self._call(self._store.restore_message, trash_id)

    def purge_deleted_messages(
        self, trash_ids: Sequence[int] | None = None, *, before: float | None = None
    ) -> asyncio.Future[int]:
        return self._call(self._store.purge_deleted_messages, trash_ids, before=before)

    def truncate_after(self, message_id: int, *, inclusive: bool = False) -> asyncio.Future[int]:
        return self._call(self._store.truncate_after, message_id, inclusive=inclusive)

    def get_message(self, message_id: int) -> asyncio.Future[Message | None]:
        return self._call(self._store.get_message, message_id)

    def messages(
        self, conversation_id: int, *, offset: int = 0, limit: int | None = None
    ) -> asyncio.Future[list[Message]]:
        return self._call(self._store.messages, conversation_id, offset=offset, limit=limit)

    def count_messages(self, conversation_id: int) -> asyncio.Future[int]:
        return self._call(self._store.count_messages, conversation_id)

    def message_row(self, message_id: int) -> asyncio.Future[int]:
        return self._call(self._store.message_row, message_id)

    # -- attachments, search, maintenance -------------------------------------------------------

    def put_attachment(
        self, data: bytes, mime: str, *, width: int | None = None, height: int | None = None
    ) -> asyncio.Future[Attachment]:
        return self._call(self._store.put_attachment, data, mime, width=width, height=height)

    def get_attachment(self, hash: str) -> asyncio.Future[Attachment | None]:
        return self._call(self._store.get_attachment, hash)

    def read_attachment(self, hash: str) -> asyncio.Future[bytes]:
        return self._call(self._store.read_attachment, hash)

    def attachment_refcount(self, hash: str) -> asyncio.Future[int]:
        return self._call(self._store.attachment_refcount, hash)

    def collect_garbage(self) -> asyncio.Future[int]:
        return self._call(self._store.collect_garbage)

    def search(self, query: str, limit: int = 50) -> asyncio.Future[list[SearchHit]]:
        return self._call(self._store.search, query, limit)

    def integrity_check(self) -> asyncio.Future[list[str]]:
        return self._call(self._store.integrity_check)

    def rebuild_search_index(self) -> asyncio.Future[None]:
        return self._call(self._store.rebuild_search_index)
