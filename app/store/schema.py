"""The database schema as an ordered list of migrations, tracked by ``PRAGMA user_version``.

Chat apps lose people's history on updates when a new version rewrites the file in place and
something goes wrong halfway. Here every migration runs inside one transaction together with the
version bump, so a crash leaves either the old schema or the new one; a file that already holds data
is copied aside before it is changed; and a file from a newer Parla is refused, never "downgraded".

Never edit a migration that has shipped: append a new one. Migration 1 is the first schema and
stays the starting point of every upgrade test.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.store.models import SchemaTooNewError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    version: int  # the user_version after it ran
    name: str
    apply: Callable[[sqlite3.Connection], None]


def _run_all(statements: Sequence[str]) -> Callable[[sqlite3.Connection], None]:
    # Statements one by one: executescript() would COMMIT first and break the transaction.
    def apply(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return apply


_V1 = (
    # Conversations. ``uid`` is the identity that survives export/import; ``id`` is local.
    """
    CREATE TABLE conversations (
        id                INTEGER PRIMARY KEY,
        uid               TEXT    NOT NULL UNIQUE,
        title             TEXT    NOT NULL DEFAULT '',
        title_is_custom   INTEGER NOT NULL DEFAULT 0 CHECK (title_is_custom IN (0, 1)),
        pinned            INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
        kind              TEXT    NOT NULL DEFAULT 'chat' CHECK (kind IN ('chat', 'voice', 'completion')),
        model             TEXT    NOT NULL DEFAULT '',
        profile_id        TEXT    NOT NULL DEFAULT '',
        settings          TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
        draft_text        TEXT    NOT NULL DEFAULT '',
        draft_attachments TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(draft_attachments)),
        created_at        REAL    NOT NULL,
        updated_at        REAL    NOT NULL,
        deleted_at        REAL
    )
    """,
    # The sidebar's query, answered from the index alone and without the deleted ones.
    """
    CREATE INDEX conversations_sidebar ON conversations (pinned DESC, updated_at DESC, id DESC)
        WHERE deleted_at IS NULL
    """,
    # Messages. ``text`` is the text of the parts, a plain column because the FTS index reads its
    # snippets from it (external content). ``content`` is the parts as JSON, or NULL when the
    # message is exactly its text, as most are: no second copy of every reply.
    """
    CREATE TABLE messages (
        id              INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        position        INTEGER NOT NULL,
        role            TEXT    NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
        content         TEXT             CHECK (content IS NULL OR json_valid(content)),
        text            TEXT    NOT NULL DEFAULT '',
        reasoning       TEXT    NOT NULL DEFAULT '',
        tool_calls      TEXT             CHECK (tool_calls IS NULL OR json_valid(tool_calls)),
        tool_call_id    TEXT,
        model           TEXT    NOT NULL DEFAULT '',
        parameters      TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(parameters)),
        usage           TEXT             CHECK (usage IS NULL OR json_valid(usage)),
        finish_reason   TEXT,
        state           TEXT    NOT NULL DEFAULT 'complete'
                                CHECK (state IN ('complete', 'streaming', 'stopped', 'error')),
        error           TEXT,
        created_at      REAL    NOT NULL,
        updated_at      REAL    NOT NULL,
        UNIQUE (conversation_id, position)
    )
    """,
    # Crash recovery looks for streaming rows at every start: keep that lookup tiny.
    "CREATE INDEX messages_streaming ON messages (id) WHERE state = 'streaming'",
    # Attachments by content hash; the bytes live in files, sharded by the hash's first two digits.
    """
    CREATE TABLE attachments (
        hash       TEXT    PRIMARY KEY CHECK (length(hash) = 64),
        mime       TEXT    NOT NULL,
        size       INTEGER NOT NULL CHECK (size >= 0),
        width      INTEGER,
        height     INTEGER,
        created_at REAL    NOT NULL,
        touched_at REAL    NOT NULL
    ) WITHOUT ROWID
    """,
    # The reference count is the number of links, never a counter that could drift.
    """
    CREATE TABLE message_attachments (
        message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        hash       TEXT    NOT NULL REFERENCES attachments (hash),
        PRIMARY KEY (message_id, hash)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX message_attachments_hash ON message_attachments (hash)",
    # Full-text search. trigram: Chinese has no spaces to split words on, and substrings should
    # match. External content: the text is not stored twice; snippets are read from the tables.
    """
    CREATE VIRTUAL TABLE messages_fts USING fts5 (
        text, content = 'messages', content_rowid = 'id', tokenize = 'trigram'
    )
    """,
    """
    CREATE VIRTUAL TABLE conversations_fts USING fts5 (
        title, content = 'conversations', content_rowid = 'id', tokenize = 'trigram'
    )
    """,
    # A reply is indexed once it stops streaming: re-indexing it a few times a second while it
    # grows would only churn the index. The triggers keep "indexed" == "state is not streaming".
    """
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
    WHEN new.state != 'streaming'
    BEGIN
        INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
    END
    """,
    """
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
    WHEN old.state != 'streaming'
    BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END
    """,
    """
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, state ON messages
    WHEN old.text IS NOT new.text OR (old.state = 'streaming') != (new.state = 'streaming')
    BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text)
            SELECT 'delete', old.id, old.text WHERE old.state != 'streaming';
        INSERT INTO messages_fts (rowid, text)
            SELECT new.id, new.text WHERE new.state != 'streaming';
    END
    """,
    """
    CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations
    BEGIN
        INSERT INTO conversations_fts (rowid, title) VALUES (new.id, new.title);
    END
    """,
    """
    CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations
    BEGIN
        INSERT INTO conversations_fts (conversations_fts, rowid, title) VALUES ('delete', old.id, old.title);
    END
    """,
    """
    CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations
    WHEN old.title IS NOT new.title
    BEGIN
        INSERT INTO conversations_fts (conversations_fts, rowid, title) VALUES ('delete', old.id, old.title);
        INSERT INTO conversations_fts (rowid, title) VALUES (new.id, new.title);
    END
    """,
)

_V2 = (
    # The Images tab's gallery: one row per picture kept, its file under <data>/images. ``file`` is
    # relative to that folder ('/'-separated), so moving the data folder keeps the gallery. Deleting
    # sets ``deleted_at`` first (Undo); the row and the file go for good when the undo time is over.
    """
    CREATE TABLE gallery_images (
        id             INTEGER PRIMARY KEY,
        file           TEXT    NOT NULL UNIQUE,
        hash           TEXT    NOT NULL CHECK (length(hash) = 64),
        mime           TEXT    NOT NULL,
        size           INTEGER NOT NULL CHECK (size >= 0),
        width          INTEGER NOT NULL CHECK (width > 0),
        height         INTEGER NOT NULL CHECK (height > 0),
        operation      TEXT    NOT NULL CHECK (operation IN ('generate', 'edit', 'variation')),
        prompt         TEXT    NOT NULL DEFAULT '',
        revised_prompt TEXT    NOT NULL DEFAULT '',
        model          TEXT    NOT NULL DEFAULT '',
        profile_id     TEXT    NOT NULL DEFAULT '',
        parameters     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(parameters)),
        source_id      INTEGER REFERENCES gallery_images (id) ON DELETE SET NULL,
        source_name    TEXT    NOT NULL DEFAULT '',
        created_at     REAL    NOT NULL,
        deleted_at     REAL
    )
    """,
    # The grid's query (newest first, without the deleted ones), answered from the index.
    """
    CREATE INDEX gallery_images_recent ON gallery_images (created_at DESC, id DESC)
        WHERE deleted_at IS NULL
    """,
    "CREATE INDEX gallery_images_source ON gallery_images (source_id) WHERE source_id IS NOT NULL",
    # Prompts sent from the Images tab, kept even when the request failed or its images were deleted.
    """
    CREATE TABLE image_prompts (
        prompt  TEXT PRIMARY KEY CHECK (length(prompt) > 0),
        used_at REAL NOT NULL
    ) WITHOUT ROWID
    """,
    "CREATE INDEX image_prompts_recent ON image_prompts (used_at DESC)",
)

_V3 = (
    # Embeddings of messages for the "by meaning" search (app/store/vectors.py). One row per message
    # and embedding model; ``vector`` is ``dim`` little-endian float32 values. ``text_hash`` is the
    # hash of the text that was embedded, so an edited message is embedded again. ``vector`` is the
    # last column: a scan by model reads the small columns without touching the blob's pages.
    """
    CREATE TABLE message_vectors (
        message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        model      TEXT    NOT NULL CHECK (length(model) > 0),
        dim        INTEGER NOT NULL CHECK (dim > 0),
        text_hash  TEXT    NOT NULL,
        created_at REAL    NOT NULL,
        vector     BLOB    NOT NULL CHECK (length(vector) = 4 * dim),
        PRIMARY KEY (message_id, model)
    )
    """,
    # Loading one model's matrix in id order, and counting it, from the index.
    "CREATE INDEX message_vectors_model ON message_vectors (model, dim, message_id)",
)

_V4 = (
    # Messages deleted with Undo still possible (app/store/store.py: ``trash_message``). The row
    # leaves ``messages`` — so search, search by meaning, exports, counts and the history sent to a
    # model cannot see it — and waits here with every column it had, until ``restore_message``
    # puts it back or a purge (the Undo time is over, the app closes, or the next start) drops it.
    # ``id`` is the trash entry's own (never reused: the UI holds it as the Undo's token);
    # ``message_id`` the message's id when it was deleted.
    """
    CREATE TABLE deleted_messages (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        deleted_at      REAL    NOT NULL,
        message_id      INTEGER NOT NULL,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        position        INTEGER NOT NULL,
        role            TEXT    NOT NULL,
        content         TEXT,
        text            TEXT    NOT NULL,
        reasoning       TEXT    NOT NULL,
        tool_calls      TEXT,
        tool_call_id    TEXT,
        model           TEXT    NOT NULL,
        parameters      TEXT    NOT NULL,
        usage           TEXT,
        finish_reason   TEXT,
        state           TEXT    NOT NULL,
        error           TEXT,
        created_at      REAL    NOT NULL,
        updated_at      REAL    NOT NULL
    )
    """,
    "CREATE INDEX deleted_messages_conversation ON deleted_messages (conversation_id)",
    # The pictures of a deleted message stay kept while it can come back: these links count as
    # uses, like ``message_attachments`` and drafts.
    """
    CREATE TABLE deleted_message_attachments (
        deleted_id INTEGER NOT NULL REFERENCES deleted_messages (id) ON DELETE CASCADE,
        hash       TEXT    NOT NULL REFERENCES attachments (hash),
        PRIMARY KEY (deleted_id, hash)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX deleted_message_attachments_hash ON deleted_message_attachments (hash)",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "conversations, messages, attachments, full-text search", _run_all(_V1)),
    Migration(2, "image gallery and prompt history", _run_all(_V2)),
    Migration(3, "message embeddings for search by meaning", _run_all(_V3)),
    Migration(4, "deleted messages kept for Undo", _run_all(_V4)),
)

LATEST_VERSION = MIGRATIONS[-1].version


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _has_tables(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()[0] > 0


def backup_path(db_path: Path, from_version: int) -> Path:
    return db_path.with_name(f"{db_path.name}.v{from_version}.bak")


def migrate(
    conn: sqlite3.Connection,
    migrations: Sequence[Migration] = MIGRATIONS,
    *,
    target: int | None = None,
    backup_to: Path | None = None,
) -> int:
    """Bring the schema up to ``target`` (default: the last migration); return the version reached.

    ``conn`` must be in autocommit mode (``isolation_level=None``): transactions are explicit here.
    Foreign keys are off while migrating, as SQLite's table-rebuild recipe requires, and
    ``foreign_key_check`` must pass before each commit. ``backup_to``, when given and the file
    already holds tables, receives a copy of the database before the first migration touches it.
    """
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(migrations) + 1)):
        raise ValueError(f"migrations must be numbered 1, 2, 3… in order, got {versions}")
    latest = versions[-1] if versions else 0
    target = latest if target is None else target
    current = user_version(conn)
    if current > latest:
        raise SchemaTooNewError(
            f"the database is at schema version {current}, newer than this Parla knows ({latest})"
        )
    pending = [m for m in migrations if current < m.version <= target]
    if not pending:
        return current
    if backup_to is not None and _has_tables(conn):
        dest = sqlite3.connect(backup_to)
        try:
            conn.backup(dest)
        finally:
            dest.close()
        log.info("database copied to %s before migrating from version %d", backup_to.name, current)
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for migration in pending:
            conn.execute("BEGIN IMMEDIATE")
            try:
                migration.apply(conn)
                problems = conn.execute("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise sqlite3.IntegrityError(
                        f"migration {migration.version} broke foreign keys: {problems[:5]}"
                    )
                conn.execute(f"PRAGMA user_version = {int(migration.version)}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            log.info("database migrated to version %d (%s)", migration.version, migration.name)
            current = migration.version
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    return current
