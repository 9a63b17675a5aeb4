"""Schema versions, migrations from every earlier version, and the connection's settings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.store import LATEST_VERSION, MIGRATIONS, Migration, SchemaTooNewError, Store, migrate
from app.store.schema import backup_path, user_version
from tests.unit.store import Clock, clock, db_path, store  # noqa: F401

EXPECTED_TABLES = {"conversations", "messages", "attachments", "message_attachments", "messages_fts", "conversations_fts"}


def raw(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    return sqlite3.connect(path, isolation_level=None)


def tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}


def schema_sql(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return sorted(conn.execute("SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL"))


def fill_v1(conn: sqlite3.Connection) -> None:
    """Data written the way version 1 stores it, by plain SQL (as an old Parla would have)."""
    conn.execute(
        "INSERT INTO conversations (id, uid, title, title_is_custom, pinned, settings, draft_text, "
        "created_at, updated_at) VALUES (1, 'u1', 'Old chat', 1, 1, '{\"temperature\": 0.3}', 'half typed', 10, 20)"
    )
    conn.execute(
        "INSERT INTO messages (id, conversation_id, position, role, content, text, state, created_at, updated_at) "
        "VALUES (1, 1, 0, 'user', NULL, 'hello from version one', 'complete', 11, 11)"
    )
    conn.execute(
        "INSERT INTO messages (id, conversation_id, position, role, content, text, state, usage, created_at, updated_at) "
        "VALUES (2, 1, 1, 'assistant', NULL, '旧版本的回答', 'complete', '{\"total_tokens\": 9}', 12, 12)"
    )
    conn.execute(
        "INSERT INTO messages (id, conversation_id, position, role, content, text, state, created_at, updated_at) "
        "VALUES (3, 1, 2, 'assistant', NULL, 'cut off by a cra', 'streaming', 13, 13)"
    )


def test_empty_file_is_migrated_to_latest(db_path: Path) -> None:
    conn = raw(db_path)
    assert user_version(conn) == 0
    assert migrate(conn) == LATEST_VERSION
    assert user_version(conn) == LATEST_VERSION
    assert EXPECTED_TABLES <= tables(conn)
    assert migrate(conn) == LATEST_VERSION  # idempotent
    conn.close()


def test_store_opens_an_empty_file_at_latest(store: Store) -> None:
    assert store.schema_version == LATEST_VERSION
    assert store.integrity_check() == ["ok"]


@pytest.mark.parametrize("start", range(1, LATEST_VERSION + 1))
def test_data_survives_migration_from_each_version(db_path: Path, start: int) -> None:
    conn = raw(db_path)
    assert migrate(conn, target=start) == start
    fill_v1(conn)  # conversations and messages still have version 1's shape at every version
    conn.close()

    with Store(db_path) as s:
        assert s.schema_version == LATEST_VERSION
        conversation = s.get_conversation(1)
        assert conversation is not None
        assert (conversation.title, conversation.title_is_custom, conversation.pinned) == ("Old chat", True, True)
        assert conversation.settings == {"temperature": 0.3}
        assert s.load_draft(1).text == "half typed"
        texts = [m.text for m in s.messages(1)]
        assert texts == ["hello from version one", "旧版本的回答", "cut off by a cra"]
        assert s.messages(1)[1].usage == {"total_tokens": 9}
        assert s.search("version one")[0].message_id == 1
        assert s.integrity_check() == ["ok"]


def test_migrated_schema_is_the_same_as_a_fresh_one(tmp_path: Path) -> None:
    stepwise, fresh = raw(tmp_path / "a.sqlite3"), raw(tmp_path / "b.sqlite3")
    for version in range(1, LATEST_VERSION + 1):
        migrate(stepwise, target=version)
    migrate(fresh)
    assert schema_sql(stepwise) == schema_sql(fresh)


def add_column(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE conversations ADD COLUMN folder TEXT NOT NULL DEFAULT ''")


def rebuild_conversations(conn: sqlite3.Connection) -> None:
    """SQLite's 12-step table rebuild, the hard kind of migration: FKs must be off, and checked."""
    table_sql = conn.execute("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'conversations'").fetchone()[0]
    extras = [r[0] for r in conn.execute(
        "SELECT sql FROM sqlite_schema WHERE tbl_name = 'conversations' AND type IN ('index', 'trigger') AND sql IS NOT NULL"
    )]
    conn.execute(table_sql.replace("CREATE TABLE conversations", "CREATE TABLE conversations_new", 1))
    conn.execute("INSERT INTO conversations_new SELECT * FROM conversations")
    conn.execute("DROP TABLE conversations")
    conn.execute("ALTER TABLE conversations_new RENAME TO conversations")
    for sql in extras:
        conn.execute(sql)


def test_later_migrations_run_in_order_each_in_a_transaction(db_path: Path) -> None:
    conn = raw(db_path)
    migrate(conn, target=1)
    fill_v1(conn)
    conn.close()
    migrations = (*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "folders", add_column))
    with Store(db_path, migrations=migrations) as s:
        assert s.schema_version == len(MIGRATIONS) + 1
        assert s.get_conversation(1).title == "Old chat"  # type: ignore[union-attr]
    conn = raw(db_path)
    assert conn.execute("SELECT folder FROM conversations").fetchall() == [("",)]
    conn.close()


def test_a_failing_migration_leaves_the_previous_version_intact(db_path: Path) -> None:
    conn = raw(db_path)
    migrate(conn)
    fill_v1(conn)

    def broken(c: sqlite3.Connection) -> None:
        c.execute("ALTER TABLE conversations ADD COLUMN folder TEXT")
        c.execute("UPDATE conversations SET title = 'half migrated'")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        migrate(conn, (*MIGRATIONS, Migration(LATEST_VERSION + 1, "broken", broken)))
    assert user_version(conn) == LATEST_VERSION
    assert conn.execute("SELECT title FROM conversations").fetchall() == [("Old chat",)]
    columns = {r[1] for r in conn.execute("PRAGMA table_info(conversations)")}
    assert "folder" not in columns
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.close()


def test_a_migration_that_breaks_foreign_keys_is_rolled_back(db_path: Path) -> None:
    conn = raw(db_path)
    migrate(conn)
    fill_v1(conn)

    def orphaning(c: sqlite3.Connection) -> None:
        c.execute("DELETE FROM conversations")  # FKs are off while migrating: no cascade

    with pytest.raises(sqlite3.IntegrityError, match="foreign keys"):
        migrate(conn, (*MIGRATIONS, Migration(LATEST_VERSION + 1, "orphaning", orphaning)))
    assert conn.execute("SELECT count(*) FROM conversations").fetchone()[0] == 1
    conn.close()


def test_table_rebuild_migration_keeps_children(db_path: Path) -> None:
    conn = raw(db_path)
    migrate(conn)
    fill_v1(conn)
    migrate(conn, (*MIGRATIONS, Migration(LATEST_VERSION + 1, "rebuild", rebuild_conversations)))
    assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 3  # no cascade while rebuilding
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("DELETE FROM conversations")  # and the foreign key still works afterwards
    assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
    conn.close()


def test_a_copy_is_kept_before_migrating_a_file_with_data(db_path: Path) -> None:
    conn = raw(db_path)
    migrate(conn, target=1)
    fill_v1(conn)
    conn.close()
    migrations = (*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "folders", add_column))
    Store(db_path, migrations=migrations).close()
    backup = backup_path(db_path, 1)
    assert backup.exists()
    copy = sqlite3.connect(backup)
    assert user_version(copy) == 1
    assert copy.execute("SELECT title FROM conversations").fetchall() == [("Old chat",)]
    copy.close()


def test_no_backup_for_a_new_file(db_path: Path) -> None:
    Store(db_path).close()
    assert not backup_path(db_path, 0).exists()


def test_a_database_from_a_newer_parla_is_refused_untouched(db_path: Path) -> None:
    conn = raw(db_path)
    migrate(conn)
    fill_v1(conn)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError):
        Store(db_path)
    conn = raw(db_path)
    assert user_version(conn) == LATEST_VERSION + 1
    assert conn.execute("SELECT state FROM messages WHERE id = 3").fetchone() == ("streaming",)  # not "recovered"
    conn.close()


def test_migrations_must_be_numbered_in_order(db_path: Path) -> None:
    conn = raw(db_path)
    with pytest.raises(ValueError):
        migrate(conn, (Migration(2, "gap", add_column),))
    conn.close()


def test_connection_settings(store: Store, db_path: Path) -> None:
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    store.create_conversation()
    assert db_path.with_name(db_path.name + "-wal").exists()


def test_wal_is_persistent_in_the_file(db_path: Path) -> None:
    Store(db_path).close()
    conn = raw(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_a_second_connection_reads_while_the_store_writes(store: Store, db_path: Path) -> None:
    """WAL: a reader (a backup, a second window) is not blocked by an open write transaction."""
    conversation = store.create_conversation(title="visible")
    reader = raw(db_path)
    with store.batch():
        store.rename_conversation(conversation.id, "not yet committed")
        assert reader.execute("SELECT title FROM conversations").fetchall() == [("visible",)]
    assert reader.execute("SELECT title FROM conversations").fetchall() == [("not yet committed",)]
    reader.close()


def test_closed_store_refuses_calls(db_path: Path, clock: Clock) -> None:
    from app.store import StoreClosedError

    s = Store(db_path, clock=clock)
    s.close()
    s.close()  # twice is fine
    assert s.closed
    with pytest.raises(StoreClosedError):
        s.list_conversations()
