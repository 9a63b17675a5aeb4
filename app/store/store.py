"""The conversation store: one SQLite file, one connection, one thread.

Blocking by design, and simple because of it: ``AsyncStore`` runs every call on a single worker
thread, so the UI never waits on the disk and all writes are serialized without locks. Tests and
scripts use ``Store`` directly.

Durability: WAL with ``synchronous=NORMAL`` never loses a committed transaction when the app is
killed (only an OS crash or power cut can drop the last few), and every public write is one
transaction, so ``kill -9`` at any moment leaves a consistent file. A reply still streaming when the
app died is found at the next start and marked stopped, its text kept.

Deleting with Undo: a conversation is hidden (``deleted_at``) and purged later; a message is moved,
whole, into ``deleted_messages`` (``trash_message``), so no query of ``messages`` can see it, and
``restore_message`` puts it back at its place. What Undo can still bring back is purged when the
app closes (``AsyncStore.close``) and, after a crash, at the next start (``purge_deleted``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from app.store.blobs import BlobDir, sha256_hex
from app.store.models import (
    RECOVERED_FINISH_REASON,
    Attachment,
    Conversation,
    ConversationKind,
    Draft,
    Message,
    MessageState,
    NotFoundError,
    Part,
    Role,
    SearchHit,
    StoreClosedError,
    normalize_content,
    parts_hashes,
    parts_text,
    text_part,
)
from app.store.schema import MIGRATIONS, Migration, backup_path, migrate, user_version
from app.store.search import ELLIPSIS, search_conversations, searchable_text

log = logging.getLogger(__name__)

DB_FILENAME = "parla.sqlite3"
ATTACHMENTS_DIRNAME = "attachments"
TITLE_MAX = 80
BUSY_TIMEOUT_MS = 5000

_CONVERSATION_COLUMNS = (
    "id, uid, title, title_is_custom, pinned, kind, model, profile_id, settings, draft_text, "
    "draft_attachments, created_at, updated_at, deleted_at"
)
_MESSAGE_COLUMNS = (
    "id, conversation_id, position, role, content, reasoning, tool_calls, tool_call_id, model, "
    "parameters, usage, finish_reason, state, error, created_at, updated_at, text"
)
#: The columns a deleted message keeps in ``deleted_messages`` (every one but its id) while Undo can bring it back.
_TRASH_COLUMNS = (
    "conversation_id, position, role, content, text, reasoning, tool_calls, tool_call_id, model, "
    "parameters, usage, finish_reason, state, error, created_at, updated_at"
)
_ROLES = {r.value: r for r in Role}
_STATES = {s.value: s for s in MessageState}
_KINDS = {k.value: k for k in ConversationKind}


def database_path(data_dir: Path) -> Path:
    """Where the store lives inside ``Locations.data``."""
    return Path(data_dir) / DB_FILENAME


def title_from_text(text: str, max_len: int = TITLE_MAX) -> str:
    """The automatic title: the first non-blank line, spaces collapsed, cut to ``max_len``."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= max_len else line[: max_len - 1].rstrip() + ELLIPSIS
    return ""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _loads(text: str | None) -> Any:
    if text is None:
        return None
    if text == "{}":
        return {}
    if text == "[]":
        return []
    return json.loads(text)


def _conversation(row: Sequence[Any]) -> Conversation:
    return Conversation(
        id=row[0],
        uid=row[1],
        title=row[2],
        title_is_custom=bool(row[3]),
        pinned=bool(row[4]),
        kind=_KINDS[row[5]],
        model=row[6],
        profile_id=row[7],
        settings=_loads(row[8]),
        draft_text=row[9],
        draft_attachments=_loads(row[10]),
        created_at=row[11],
        updated_at=row[12],
        deleted_at=row[13],
    )


def _message(row: Sequence[Any]) -> Message:
    return Message(
        id=row[0],
        conversation_id=row[1],
        position=row[2],
        role=_ROLES[row[3]],
        content=_loads(row[4]) if row[4] is not None else ([text_part(row[16])] if row[16] else []),
        reasoning=row[5],
        tool_calls=_loads(row[6]),
        tool_call_id=row[7],
        model=row[8],
        parameters=_loads(row[9]),
        usage=_loads(row[10]),
        finish_reason=row[11],
        state=_STATES[row[12]],
        error=row[13],
        created_at=row[14],
        updated_at=row[15],
    )


def _content_columns(parts: list[Part]) -> tuple[str | None, str]:
    """(content, text) as stored: content is NULL when the text alone says it all."""
    text = searchable_text(parts_text(parts))
    if not parts or (len(parts) == 1 and parts[0] == {"type": "text", "text": text}):
        return None, text
    return _dumps(parts), text


class Store:
    """Conversations, messages, attachments and search over one SQLite database.

    Not thread-safe, on purpose: the connection belongs to the thread that opened the store
    (sqlite3 enforces it), which is ``AsyncStore``'s worker in the app.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        attachments_dir: Path | None = None,
        clock: Callable[[], float] = time.time,
        attachment_grace: float = 3600.0,
        migrations: Sequence[Migration] = MIGRATIONS,
    ) -> None:
        """Open (creating if needed) and migrate the database, then recover interrupted replies.

        ``attachment_grace``: an attachment nothing refers to is kept this many seconds after it
        was last stored, because the composer holds its hash before any draft or message does.
        ``clock`` and ``migrations`` are for tests.
        """
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._blobs = BlobDir(attachments_dir or self.path.parent / ATTACHMENTS_DIRNAME)
        self._clock = clock
        self._grace = attachment_grace
        self._depth = 0
        self._unlink_after_commit: set[str] = set()
        self._connection: sqlite3.Connection | None = sqlite3.connect(self.path, isolation_level=None)
        try:
            self._configure()
            before = user_version(self._conn)
            self.schema_version = migrate(
                self._conn, migrations, backup_to=backup_path(self.path, before)
            )
            self.recovered = self._recover_streaming()
        except BaseException:
            self._conn.close()
            raise

    # -- connection ---------------------------------------------------------------------------

    def _configure(self) -> None:
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("the database could not switch to WAL (journal_mode=%s)", mode)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise StoreClosedError("the store is closed")
        return self._connection

    @property
    def closed(self) -> bool:
        return self._connection is None

    @property
    def attachments_dir(self) -> Path:
        return self._blobs.root

    def close(self) -> None:
        """Let SQLite refresh its statistics, then close (the WAL is checkpointed on close)."""
        conn, self._connection = self._connection, None
        if conn is None:
            return
        with contextlib.suppress(sqlite3.Error):
            conn.execute("PRAGMA optimize")
        conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """One transaction around several calls: all of them land, or none (imports, tests).

        Every public write uses this too; nested uses become savepoints, so each call stays
        atomic even inside a larger batch.
        """
        conn = self._conn
        if self._depth == 0:
            conn.execute("BEGIN IMMEDIATE")
        else:
            conn.execute(f"SAVEPOINT s{self._depth}")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            # Some errors (a full disk, say) end the transaction by themselves: then there is
            # nothing left to roll back, and trying would hide the real error.
            if conn.in_transaction:
                if self._depth == 0:
                    conn.execute("ROLLBACK")
                else:
                    conn.execute(f"ROLLBACK TO s{self._depth}")
                    conn.execute(f"RELEASE s{self._depth}")
            if self._depth == 0:
                self._unlink_after_commit.clear()
            raise
        self._depth -= 1
        if self._depth:
            conn.execute(f"RELEASE s{self._depth}")
            return
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._unlink_after_commit.clear()
            raise
        self._unlink_released()

    def _now(self) -> float:
        return float(self._clock())

    # -- recovery and maintenance ---------------------------------------------------------------

    def _recover_streaming(self) -> int:
        """Replies left streaming by a crash become stopped, with their text; return how many."""
        with self.batch():
            cursor = self._conn.execute(
                "UPDATE messages SET state = 'stopped', finish_reason = coalesce(finish_reason, ?), "
                "updated_at = ? WHERE state = 'streaming'",
                (RECOVERED_FINISH_REASON, self._now()),
            )
        if cursor.rowcount:
            log.info("%d interrupted replies recovered as stopped", cursor.rowcount)
        return cursor.rowcount

    def integrity_check(self) -> list[str]:
        """``["ok"]`` when the file and both search indexes are sound, else SQLite's complaints."""
        result = [row[0] for row in self._conn.execute("PRAGMA integrity_check")]
        for table in ("messages_fts", "conversations_fts"):
            try:
                self._conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
            except sqlite3.DatabaseError as exc:
                result = [r for r in result if r != "ok"] + [f"{table}: {exc}"]
        return result

    def rebuild_search_index(self) -> None:
        """Rebuild both indexes from the tables (streaming replies stay out, as the triggers keep them)."""
        with self.batch():
            self._conn.execute("INSERT INTO messages_fts (messages_fts) VALUES ('delete-all')")
            self._conn.execute(
                "INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages WHERE state != 'streaming'"
            )
            self._conn.execute("INSERT INTO conversations_fts (conversations_fts) VALUES ('rebuild')")

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
    ) -> Conversation:
        """A new, empty conversation. A given title counts as custom unless told otherwise.

        ``uid``, ``created_at`` and ``updated_at`` exist so an import restores a conversation exactly.
        """
        now = self._now()
        created = now if created_at is None else created_at
        custom = bool(title) if title_is_custom is None else title_is_custom
        with self.batch():
            cursor = self._conn.execute(
                "INSERT INTO conversations (uid, title, title_is_custom, pinned, kind, model, "
                "profile_id, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    uid or uuid.uuid4().hex,
                    title,
                    int(custom),
                    int(pinned),
                    ConversationKind(kind).value,
                    model,
                    profile_id,
                    _dumps(dict(settings or {})),
                    created,
                    created if updated_at is None else updated_at,
                ),
            )
        return self._require_conversation(cursor.lastrowid)

    def get_conversation(self, conversation_id: int) -> Conversation | None:
        """The conversation, soft-deleted or not (``deleted_at`` tells)."""
        row = self._conn.execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        return _conversation(row) if row else None

    def get_conversation_by_uid(self, uid: str) -> Conversation | None:
        row = self._conn.execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations WHERE uid = ?", (uid,)
        ).fetchone()
        return _conversation(row) if row else None

    def _require_conversation(self, conversation_id: int | None) -> Conversation:
        conversation = self.get_conversation(conversation_id) if conversation_id is not None else None
        if conversation is None:
            raise NotFoundError(f"no conversation {conversation_id}")
        return conversation

    def list_conversations(
        self, *, kind: ConversationKind | str | None = None, limit: int | None = None
    ) -> list[Conversation]:
        """The sidebar: pinned first, then by last activity, newest first; deleted ones left out."""
        sql = f"SELECT {_CONVERSATION_COLUMNS} FROM conversations WHERE deleted_at IS NULL"
        params: list[Any] = []
        if kind is not None:
            sql += " AND kind = ?"
            params.append(ConversationKind(kind).value)
        sql += " ORDER BY pinned DESC, updated_at DESC, id DESC LIMIT ?"
        params.append(-1 if limit is None else limit)
        return [_conversation(row) for row in self._conn.execute(sql, params)]

    def list_deleted_conversations(self) -> list[Conversation]:
        """Soft-deleted conversations, most recently deleted first (what Undo can still bring back)."""
        rows = self._conn.execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations WHERE deleted_at IS NOT NULL "
            "ORDER BY deleted_at DESC, id DESC"
        )
        return [_conversation(row) for row in rows]

    def _update_conversation_row(self, conversation_id: int, sql: str, params: Sequence[Any]) -> None:
        cursor = self._conn.execute(f"UPDATE conversations SET {sql} WHERE id = ?", (*params, conversation_id))
        if cursor.rowcount == 0:
            raise NotFoundError(f"no conversation {conversation_id}")

    def rename_conversation(self, conversation_id: int, title: str) -> Conversation:
        """A title from the user, kept from then on; an empty title goes back to the automatic one."""
        title = " ".join(title.split())
        with self.batch():
            self._update_conversation_row(
                conversation_id, "title = ?, title_is_custom = ?", (title, int(bool(title)))
            )
            if not title:
                self._refresh_auto_title(conversation_id)
        return self._require_conversation(conversation_id)

    def set_pinned(self, conversation_id: int, pinned: bool) -> None:
        with self.batch():
            self._update_conversation_row(conversation_id, "pinned = ?", (int(pinned),))

    def update_conversation(
        self,
        conversation_id: int,
        *,
        model: str | None = None,
        profile_id: str | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> Conversation:
        """Change the model, profile or settings (replaced whole); None leaves a field alone.

        It does not move the conversation in the sidebar: only messages count as activity.
        """
        assignments: list[str] = []
        params: list[Any] = []
        for column, value in (("model", model), ("profile_id", profile_id)):
            if value is not None:
                assignments.append(f"{column} = ?")
                params.append(value)
        if settings is not None:
            assignments.append("settings = ?")
            params.append(_dumps(dict(settings)))
        with self.batch():
            if assignments:
                self._update_conversation_row(conversation_id, ", ".join(assignments), params)
        return self._require_conversation(conversation_id)

    def delete_conversation(self, conversation_id: int) -> None:
        """Hide the conversation, keeping everything, so Undo can bring it back."""
        with self.batch():
            self._update_conversation_row(conversation_id, "deleted_at = ?", (self._now(),))

    def restore_conversation(self, conversation_id: int) -> Conversation:
        """Undo a delete: back in the sidebar where it was."""
        with self.batch():
            self._update_conversation_row(conversation_id, "deleted_at = NULL", ())
        return self._require_conversation(conversation_id)

    def purge_conversation(self, conversation_id: int) -> None:
        """Delete for good: the conversation, its messages (deleted ones too), and images nothing else uses."""
        with self.batch():
            hashes = self._hashes_where("m.conversation_id = ?", (conversation_id,))
            hashes |= self._trash_hashes("d.conversation_id = ?", (conversation_id,))
            cursor = self._conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            if cursor.rowcount == 0:
                raise NotFoundError(f"no conversation {conversation_id}")
            self._release(hashes)

    def purge_deleted(self, before: float | None = None) -> int:
        """Purge the soft-deleted conversations and deleted messages (deleted before ``before``, if
        given); return how many conversations went.

        The app calls this at start: Undo lasts for the session that deleted (a ``kill -9`` during
        a message's Undo time leaves it deleted, and this finishes the job).
        """
        messages = self.purge_deleted_messages(before=before)
        if messages:
            log.info("%d message(s) deleted in an earlier session purged", messages)
        with self.batch():
            ids = [
                row[0]
                for row in self._conn.execute(
                    "SELECT id FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at < ?",
                    (float("inf") if before is None else before,),
                )
            ]
            for conversation_id in ids:
                self.purge_conversation(conversation_id)
        return len(ids)

    def save_draft(
        self, conversation_id: int, text: str, attachments: Sequence[Mapping[str, Any]] = ()
    ) -> None:
        """Keep what is in the composer. Never refused for a missing image: the text matters more."""
        parts = normalize_content(list(attachments))
        with self.batch():
            self._update_conversation_row(
                conversation_id, "draft_text = ?, draft_attachments = ?", (text, _dumps(parts))
            )

    def load_draft(self, conversation_id: int) -> Draft:
        row = self._conn.execute(
            "SELECT draft_text, draft_attachments FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no conversation {conversation_id}")
        return Draft(row[0], _loads(row[1]))

    def _refresh_auto_title(self, conversation_id: int) -> None:
        """Unless the user named it, the title is the first line of the first user message."""
        row = self._conn.execute(
            "SELECT title, title_is_custom FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        if row is None or row[1]:
            return
        first = self._conn.execute(
            "SELECT text FROM messages WHERE conversation_id = ? AND role = 'user' ORDER BY position LIMIT 1",
            (conversation_id,),
        ).fetchone()
        title = title_from_text(first[0]) if first else ""
        if title != row[0]:
            self._conn.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def _touch_conversation(self, conversation_id: int, when: float) -> None:
        self._conn.execute(
            "UPDATE conversations SET updated_at = max(updated_at, ?) WHERE id = ?", (when, conversation_id)
        )

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
    ) -> Message:
        """Add a message at the end; a reply about to stream is appended with ``state="streaming"``.

        Images in ``content`` must have been stored with ``put_attachment`` first.
        """
        parts = normalize_content(content)
        role = Role(role)
        now = self._now()
        created = now if created_at is None else created_at
        with self.batch():
            position = self._conn.execute(
                "SELECT coalesce(max(position), -1) + 1 FROM messages WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()[0]
            try:
                cursor = self._conn.execute(
                    "INSERT INTO messages (conversation_id, position, role, content, text, reasoning, "
                    "tool_calls, tool_call_id, model, parameters, usage, finish_reason, state, error, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        conversation_id,
                        position,
                        role.value,
                        *_content_columns(parts),
                        reasoning,
                        None if tool_calls is None else _dumps([dict(c) for c in tool_calls]),
                        tool_call_id,
                        model,
                        _dumps(dict(parameters or {})),
                        None if usage is None else _dumps(dict(usage)),
                        finish_reason,
                        MessageState(state).value,
                        error,
                        created,
                        created,
                    ),
                )
            except sqlite3.IntegrityError as exc:
                if self.get_conversation(conversation_id) is None:
                    raise NotFoundError(f"no conversation {conversation_id}") from exc
                raise
            message_id = cursor.lastrowid
            assert message_id is not None
            self._link(message_id, parts)
            self._touch_conversation(conversation_id, created)
            if role is Role.USER:
                self._refresh_auto_title(conversation_id)
        return self._require_message(message_id)

    def update_streaming(
        self,
        message_id: int,
        content: str | Sequence[Mapping[str, Any]],
        *,
        reasoning: str | None = None,
        tool_calls: Sequence[Mapping[str, Any]] | None = None,
    ) -> bool:
        """Save the whole content so far of a reply that is still streaming.

        One row rewritten, a few times a second at most: cheap, and it bounds what a crash loses.
        Returns False (and changes nothing) once the message is no longer streaming, so a late
        update can never overwrite a finished reply. None leaves reasoning / tool calls alone.
        """
        parts = normalize_content(content)
        sets = ["content = ?", "text = ?", "updated_at = ?"]
        params: list[Any] = [*_content_columns(parts), self._now()]
        if reasoning is not None:
            sets.append("reasoning = ?")
            params.append(reasoning)
        if tool_calls is not None:
            sets.append("tool_calls = ?")
            params.append(_dumps([dict(c) for c in tool_calls]))
        with self.batch():
            cursor = self._conn.execute(
                f"UPDATE messages SET {', '.join(sets)} WHERE id = ? AND state = 'streaming'",
                (*params, message_id),
            )
            if cursor.rowcount == 0:
                if self.get_message(message_id) is None:
                    raise NotFoundError(f"no message {message_id}")
                return False
            self._link(message_id, parts)
        return True

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
    ) -> Message:
        """End a reply: complete, stopped (partial text kept) or error (partial text kept too).

        ``content``, ``reasoning``, ``tool_calls`` and ``model`` default to what is stored;
        ``finish_reason``, ``usage`` and ``error`` describe this outcome and are set as given.
        """
        state = MessageState(state)
        if state is MessageState.STREAMING:
            raise ValueError("finish_message needs a final state, not 'streaming'")
        now = self._now()
        sets = ["state = ?", "finish_reason = ?", "usage = ?", "error = ?", "updated_at = ?"]
        usage_json = None if usage is None else _dumps(dict(usage))
        params: list[Any] = [state.value, finish_reason, usage_json, error, now]
        parts: list[Part] | None = None
        if content is not None:
            parts = normalize_content(content)
            sets += ["content = ?", "text = ?"]
            params += list(_content_columns(parts))
        if reasoning is not None:
            sets.append("reasoning = ?")
            params.append(reasoning)
        if tool_calls is not None:
            sets.append("tool_calls = ?")
            params.append(_dumps([dict(c) for c in tool_calls]))
        if model is not None:
            sets.append("model = ?")
            params.append(model)
        with self.batch():
            row = self._conn.execute(
                f"UPDATE messages SET {', '.join(sets)} WHERE id = ? RETURNING conversation_id",
                (*params, message_id),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no message {message_id}")
            if parts is not None:
                self._link(message_id, parts)
            self._touch_conversation(row[0], now)
        return self._require_message(message_id)

    def resume_message(self, message_id: int) -> Message:
        """Put a finished reply back to streaming, keeping what it holds (a tool loop's Continue):
        its outcome (finish reason, error) is cleared; ``finish_message`` records the next one."""
        with self.batch():
            cursor = self._conn.execute(
                "UPDATE messages SET state = 'streaming', finish_reason = NULL, error = NULL, updated_at = ? "
                "WHERE id = ?",
                (self._now(), message_id),
            )
            if cursor.rowcount == 0:
                raise NotFoundError(f"no message {message_id}")
        return self._require_message(message_id)

    def edit_message(self, message_id: int, content: str | Sequence[Mapping[str, Any]]) -> Message:
        """Replace a message's content (edit and resend); the state and everything else stay.

        Editing the first user message retitles the conversation unless the user named it.
        """
        parts = normalize_content(content)
        with self.batch():
            row = self._conn.execute(
                "UPDATE messages SET content = ?, text = ?, updated_at = ? WHERE id = ? "
                "RETURNING conversation_id, role",
                (*_content_columns(parts), self._now(), message_id),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no message {message_id}")
            self._link(message_id, parts)
            if row[1] == Role.USER.value:
                self._refresh_auto_title(row[0])
        return self._require_message(message_id)

    def trash_message(self, message_id: int) -> int:
        """Delete a message so that Undo can bring it back; return the id of its trash entry.

        The row moves whole (content, pictures, tool calls, usage, state, its position) into
        ``deleted_messages``: from now on nothing that reads ``messages`` — the conversation, search,
        exports, the history sent to a model — sees it, and its pictures stay kept. A reply still
        streaming cannot be deleted (``ValueError``): its stream owns the row.
        """
        with self.batch():
            row = self._conn.execute(
                "SELECT conversation_id, state FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no message {message_id}")
            if row[1] == MessageState.STREAMING.value:
                raise ValueError("a reply that is still streaming cannot be deleted")
            cursor = self._conn.execute(
                f"INSERT INTO deleted_messages (deleted_at, message_id, {_TRASH_COLUMNS}) "
                f"SELECT ?, id, {_TRASH_COLUMNS} FROM messages WHERE id = ?",
                (self._now(), message_id),
            )
            trash_id = cursor.lastrowid
            assert trash_id is not None
            self._conn.execute(
                "INSERT INTO deleted_message_attachments (deleted_id, hash) "
                "SELECT ?, hash FROM message_attachments WHERE message_id = ?",
                (trash_id, message_id),
            )
            self._conn.execute("DELETE FROM messages WHERE id = ?", (message_id,))
            self._refresh_auto_title(row[0])
        return trash_id

    def restore_message(self, trash_id: int) -> Message:
        """Undo ``trash_message``: the message is back at its place, as it was.

        It keeps its id unless a newer message took it meanwhile (SQLite reuses the highest id);
        if its position was taken (a message was sent after deleting the last one), the messages
        from there on move down one place, so it is back before them. ``NotFoundError`` once the
        entry was purged.
        """
        with self.batch():
            row = self._conn.execute(
                "SELECT message_id, conversation_id, position FROM deleted_messages WHERE id = ?", (trash_id,)
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no deleted message {trash_id}")
            message_id, conversation_id, position = row
            if self._conn.execute("SELECT 1 FROM messages WHERE id = ?", (message_id,)).fetchone():
                message_id = None  # taken: a new id
            taken = self._conn.execute(
                "SELECT 1 FROM messages WHERE conversation_id = ? AND position = ?", (conversation_id, position)
            ).fetchone()
            if taken:
                # Two steps, so that (conversation, position) stays unique after every row.
                self._conn.execute(
                    "UPDATE messages SET position = -position - 1 WHERE conversation_id = ? AND position >= ?",
                    (conversation_id, position),
                )
                self._conn.execute(
                    "UPDATE messages SET position = -position WHERE conversation_id = ? AND position < 0",
                    (conversation_id,),
                )
            cursor = self._conn.execute(
                f"INSERT INTO messages (id, {_TRASH_COLUMNS}) SELECT ?, {_TRASH_COLUMNS} "
                "FROM deleted_messages WHERE id = ?",
                (message_id, trash_id),
            )
            restored = cursor.lastrowid
            assert restored is not None
            self._conn.execute(
                "INSERT INTO message_attachments (message_id, hash) "
                "SELECT ?, hash FROM deleted_message_attachments WHERE deleted_id = ?",
                (restored, trash_id),
            )
            self._conn.execute("DELETE FROM deleted_messages WHERE id = ?", (trash_id,))
            self._refresh_auto_title(conversation_id)
        return self._require_message(restored)

    def purge_deleted_messages(
        self, trash_ids: Iterable[int] | None = None, *, before: float | None = None
    ) -> int:
        """Drop deleted messages for good (these entries, or all; only those deleted before
        ``before`` when given), with the pictures nothing else uses; return how many went."""
        where, params = "1", []
        if trash_ids is not None:
            ids = [int(i) for i in trash_ids]
            if not ids:
                return 0
            where = f"d.id IN ({', '.join('?' * len(ids))})"
            params = list(ids)
        if before is not None:
            where += " AND d.deleted_at < ?"
            params.append(before)
        with self.batch():
            hashes = self._trash_hashes(where, params)
            cursor = self._conn.execute(f"DELETE FROM deleted_messages AS d WHERE {where}", params)
            self._release(hashes)
        return cursor.rowcount

    def deleted_messages(self, conversation_id: int | None = None) -> list[tuple[int, int, int]]:
        """What Undo can still bring back: ``(trash id, message id, conversation id)``, oldest first."""
        sql = "SELECT id, message_id, conversation_id FROM deleted_messages"
        params: tuple[Any, ...] = ()
        if conversation_id is not None:
            sql += " WHERE conversation_id = ?"
            params = (conversation_id,)
        return [tuple(row) for row in self._conn.execute(sql + " ORDER BY id", params)]  # type: ignore[misc]

    def delete_message(self, message_id: int) -> None:
        """Delete a message at once and for good (the UI deletes with ``trash_message``, for Undo)."""
        with self.batch():
            hashes = self._hashes_where("m.id = ?", (message_id,))
            row = self._conn.execute(
                "DELETE FROM messages WHERE id = ? RETURNING conversation_id", (message_id,)
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no message {message_id}")
            self._refresh_auto_title(row[0])
            self._release(hashes)

    def truncate_after(self, message_id: int, *, inclusive: bool = False) -> int:
        """Delete every message after this one (and it too if ``inclusive``); return how many.

        Regenerate truncates after the user message; edit-and-resend edits it, then truncates.
        """
        with self.batch():
            row = self._conn.execute(
                "SELECT conversation_id, position FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no message {message_id}")
            conversation_id, position = row
            op = ">=" if inclusive else ">"
            where = f"m.conversation_id = ? AND m.position {op} ?"
            hashes = self._hashes_where(where, (conversation_id, position))
            cursor = self._conn.execute(
                f"DELETE FROM messages AS m WHERE {where}", (conversation_id, position)
            )
            # Deleted messages that were after this point cannot come back into the new branch.
            trash_where = f"d.conversation_id = ? AND d.position {op} ?"
            hashes |= self._trash_hashes(trash_where, (conversation_id, position))
            self._conn.execute(f"DELETE FROM deleted_messages AS d WHERE {trash_where}", (conversation_id, position))
            self._refresh_auto_title(conversation_id)
            self._release(hashes)
        return cursor.rowcount

    def get_message(self, message_id: int) -> Message | None:
        row = self._conn.execute(f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)).fetchone()
        return _message(row) if row else None

    def _require_message(self, message_id: int) -> Message:
        message = self.get_message(message_id)
        if message is None:
            raise NotFoundError(f"no message {message_id}")
        return message

    def messages(self, conversation_id: int, *, offset: int = 0, limit: int | None = None) -> list[Message]:
        """The conversation's messages in order (a slice of them with ``offset``/``limit``)."""
        rows = self._conn.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? "
            "ORDER BY position LIMIT ? OFFSET ?",
            (conversation_id, -1 if limit is None else limit, offset),
        )
        return [_message(row) for row in rows]

    def count_messages(self, conversation_id: int) -> int:
        return self._conn.execute(
            "SELECT count(*) FROM messages WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()[0]

    def message_row(self, message_id: int) -> int:
        """The message's index in ``messages(conversation_id)``: where to scroll for a search hit."""
        row = self._conn.execute(
            "SELECT conversation_id, position FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no message {message_id}")
        return self._conn.execute(
            "SELECT count(*) FROM messages WHERE conversation_id = ? AND position < ?", row
        ).fetchone()[0]

    # -- attachments ----------------------------------------------------------------------------

    def put_attachment(
        self, data: bytes, mime: str, *, width: int | None = None, height: int | None = None
    ) -> Attachment:
        """Keep these bytes (once, however often they are put) and return their record.

        The file is written before the row, so a row never names a missing file. Putting known
        bytes again marks them fresh, which protects them from collection for the grace period.
        """
        if not mime:
            raise ValueError("an attachment needs a MIME type")
        digest = sha256_hex(data)
        self._blobs.write(digest, data)
        self._unlink_after_commit.discard(digest)
        now = self._now()
        with self.batch():
            self._conn.execute(
                "INSERT INTO attachments (hash, mime, size, width, height, created_at, touched_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO UPDATE SET touched_at = excluded.touched_at, "
                "width = coalesce(attachments.width, excluded.width), "
                "height = coalesce(attachments.height, excluded.height)",
                (digest, mime, len(data), width, height, now, now),
            )
        attachment = self.get_attachment(digest)
        assert attachment is not None
        return attachment

    def get_attachment(self, hash: str) -> Attachment | None:
        row = self._conn.execute(
            "SELECT hash, mime, size, width, height, created_at FROM attachments WHERE hash = ?", (hash,)
        ).fetchone()
        return Attachment(*row) if row else None

    def attachment_path(self, hash: str) -> Path:
        """The file holding the bytes (for the viewer, Save as, and dragging out)."""
        return self._blobs.path(hash)

    def attachment_sizes(self, hashes: Iterable[str]) -> dict[str, tuple[int, int]]:
        """(width, height) of the pictures among ``hashes`` whose size was stored with them."""
        wanted = list(dict.fromkeys(hashes))
        sizes: dict[str, tuple[int, int]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self._conn.execute(
                f"SELECT hash, width, height FROM attachments WHERE hash IN ({', '.join('?' * len(chunk))}) "
                "AND width > 0 AND height > 0",
                chunk,
            )
            sizes.update({row[0]: (row[1], row[2]) for row in rows})
        return sizes

    def read_attachment(self, hash: str) -> bytes:
        try:
            return self._blobs.read(hash)
        except FileNotFoundError as exc:
            raise NotFoundError(f"no attachment {hash}") from exc

    def attachment_refcount(self, hash: str) -> int:
        """How many messages (deleted ones Undo can bring back included) link the attachment, plus
        how many drafts hold it."""
        links = self._conn.execute(
            "SELECT (SELECT count(*) FROM message_attachments WHERE hash = ?) "
            "+ (SELECT count(*) FROM deleted_message_attachments WHERE hash = ?)",
            (hash, hash),
        ).fetchone()[0]
        return links + self._draft_references(hash)

    def _draft_references(self, hash: str) -> int:
        return self._conn.execute(
            "SELECT count(*) FROM conversations AS c, json_each(c.draft_attachments) AS j "
            "WHERE c.draft_attachments != '[]' AND json_extract(j.value, '$.hash') = ?",
            (hash,),
        ).fetchone()[0]

    def _link(self, message_id: int, parts: Sequence[Mapping[str, Any]]) -> None:
        """Make the message's attachment links match the images in its content."""
        wanted = parts_hashes(parts)
        have = {row[0] for row in self._conn.execute(
            "SELECT hash FROM message_attachments WHERE message_id = ?", (message_id,)
        )}
        if not wanted and not have:
            return
        for digest in wanted:
            if digest in have:
                continue
            if self._conn.execute("SELECT 1 FROM attachments WHERE hash = ?", (digest,)).fetchone() is None:
                raise NotFoundError(f"no attachment {digest}: store it with put_attachment first")
            self._conn.execute(
                "INSERT INTO message_attachments (message_id, hash) VALUES (?, ?)", (message_id, digest)
            )
        dropped = have.difference(wanted)
        for digest in dropped:
            self._conn.execute(
                "DELETE FROM message_attachments WHERE message_id = ? AND hash = ?", (message_id, digest)
            )
        self._release(dropped)

    def _hashes_where(self, where: str, params: Sequence[Any]) -> set[str]:
        return {
            row[0]
            for row in self._conn.execute(
                f"SELECT DISTINCT a.hash FROM message_attachments AS a JOIN messages AS m ON m.id = a.message_id "
                f"WHERE {where}",
                params,
            )
        }

    def _trash_hashes(self, where: str, params: Sequence[Any]) -> set[str]:
        """The pictures of the deleted messages ``where`` picks (alias ``d``)."""
        return {
            row[0]
            for row in self._conn.execute(
                "SELECT DISTINCT a.hash FROM deleted_message_attachments AS a "
                f"JOIN deleted_messages AS d ON d.id = a.deleted_id WHERE {where}",
                params,
            )
        }

    def _release(self, hashes: Iterable[str]) -> set[str]:
        """Drop the attachments among ``hashes`` that nothing uses any more (and are not fresh).

        Their files go once the transaction commits; returns the hashes dropped.
        """
        cutoff = self._now() - self._grace
        released: set[str] = set()
        for digest in hashes:
            linked = self._conn.execute(
                "SELECT 1 FROM message_attachments WHERE hash = ? LIMIT 1", (digest,)
            ).fetchone()
            if linked:
                continue
            if self._conn.execute(
                "SELECT 1 FROM deleted_message_attachments WHERE hash = ? LIMIT 1", (digest,)
            ).fetchone():
                continue  # a deleted message Undo can still bring back shows it
            if self._draft_references(digest):
                continue
            cursor = self._conn.execute(
                "DELETE FROM attachments WHERE hash = ? AND touched_at <= ?", (digest, cutoff)
            )
            if cursor.rowcount:
                self._unlink_after_commit.add(digest)
                released.add(digest)
        return released

    def _unlink_released(self) -> None:
        """After a commit: delete the files whose rows went (unless the bytes came back since)."""
        pending, self._unlink_after_commit = self._unlink_after_commit, set()
        for digest in pending:
            if self._conn.execute("SELECT 1 FROM attachments WHERE hash = ?", (digest,)).fetchone() is None:
                try:
                    self._blobs.delete(digest)
                except OSError as exc:  # swept later by collect_garbage
                    log.warning("attachment file not deleted: %s", type(exc).__name__)

    def collect_garbage(self) -> int:
        """Remove attachments nothing uses, and stray files, older than the grace period.

        Catches what immediate release cannot: images attached then removed from the composer,
        and files orphaned by a crash between writing a file and its row. Returns files removed.
        """
        if self._depth:
            raise RuntimeError("collect_garbage deletes files: it cannot run inside batch()")
        cutoff = self._now() - self._grace
        with self.batch():
            unused = [
                row[0]
                for row in self._conn.execute(
                    "SELECT hash FROM attachments AS a WHERE touched_at <= ? AND NOT EXISTS "
                    "(SELECT 1 FROM message_attachments AS l WHERE l.hash = a.hash)",
                    (cutoff,),
                )
            ]
            removed = len(self._release(unused))
        known = {row[0] for row in self._conn.execute("SELECT hash FROM attachments")}
        for digest, path in self._blobs.stored(older_than=cutoff):
            if digest is None or digest not in known:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed += 1
        return removed

    # -- search ---------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Titles, then messages, containing every term of ``query``; see ``search.search_conversations``."""
        return search_conversations(self._conn, query, limit)
