"""Deleting a message with Undo: the trash (``deleted_messages``), restore at its place, purges, restarts."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.store import AsyncStore, MessageState, NotFoundError, Role, Store, image_part, text_part
from app.store.export import export_json, export_markdown
from app.store.schema import migrate
from tests.unit.store import Clock, clock, db_path, store  # noqa: F401

GRACE = 3600.0
PNG = b"\x89PNG\r\n\x1a\n a picture only the deleted message shows"


def _conversation(store: Store) -> tuple[int, list[int]]:
    """A user question with a picture, a reply with tool calls, usage and an error state, and a last question."""
    conversation = store.create_conversation()
    picture = store.put_attachment(PNG, "image/png", width=40, height=20)
    first = store.append_message(conversation.id, Role.USER, "Where is the zebra?")
    with_picture = store.append_message(
        conversation.id, Role.USER, [text_part("Look at this zebra"), image_part(picture.hash, detail="low")]
    )
    reply = store.append_message(
        conversation.id,
        Role.ASSISTANT,
        "It is a striped horse",
        reasoning="thinking about stripes",
        tool_calls=[{"id": "call_1", "type": "function", "function": {"name": "calculator", "arguments": "{}"},
                     "round": 1, "status": "ok", "result": "4", "duration": 0.01}],
        model="gpt-test",
        parameters={"temperature": 0.2},
        usage={"prompt_tokens": 12, "completion_tokens": 5},
        finish_reason="length",
        state=MessageState.ERROR,
        error="The server stopped answering.",
    )
    last = store.append_message(conversation.id, Role.USER, "thanks")
    return conversation.id, [first.id, with_picture.id, reply.id, last.id]


def _row(store: Store, message_id: int) -> tuple:
    return store._conn.execute(
        "SELECT conversation_id, position, role, content, text, reasoning, tool_calls, tool_call_id, model, "
        "parameters, usage, finish_reason, state, error, created_at, updated_at FROM messages WHERE id = ?",
        (message_id,),
    ).fetchone()


def test_a_deleted_message_is_gone_from_every_query_and_undo_brings_it_back_whole(store: Store, clock: Clock) -> None:
    cid, ids = _conversation(store)
    reply = ids[2]
    before = _row(store, reply)
    clock.advance(5)
    trash = store.trash_message(reply)
    # Gone: the conversation, counts, rows, search, both exports.
    assert [m.id for m in store.messages(cid)] == [ids[0], ids[1], ids[3]]
    assert store.count_messages(cid) == 3
    assert store.message_row(ids[3]) == 2
    assert store.get_message(reply) is None
    assert store.search("striped") == []
    exported = export_json(store, [cid])
    assert "striped" not in str(exported) and len(exported["conversations"][0]["messages"]) == 3
    assert "striped" not in export_markdown(store, [cid])
    assert store.deleted_messages(cid) == [(trash, reply, cid)]
    # Back: the same id, the same place, every column as it was (search finds it again).
    clock.advance(5)
    restored = store.restore_message(trash)
    assert restored.id == reply
    assert _row(store, reply) == before
    assert [m.id for m in store.messages(cid)] == ids
    assert restored.state is MessageState.ERROR and restored.usage == {"prompt_tokens": 12, "completion_tokens": 5}
    assert restored.tool_calls and restored.tool_calls[0]["result"] == "4"
    assert [h.message_id for h in store.search("striped")] == [reply]
    assert store.deleted_messages() == []
    assert store.integrity_check() == ["ok"]
    with pytest.raises(NotFoundError):
        store.restore_message(trash)


def test_pictures_stay_kept_while_undo_can_bring_them_back(store: Store, clock: Clock) -> None:
    cid, ids = _conversation(store)
    digest = store.get_message(ids[1]).images[0]["hash"]  # type: ignore[union-attr]
    path = store.attachment_path(digest)
    clock.advance(GRACE + 10)  # past the grace period: only the links protect the file
    trash = store.trash_message(ids[1])
    assert store.attachment_refcount(digest) == 1
    assert store.collect_garbage() == 0 and path.exists()
    restored = store.restore_message(trash)
    assert restored.content == [text_part("Look at this zebra"), image_part(digest, detail="low")]
    assert store.attachment_refcount(digest) == 1
    # Deleted again, then purged: now the picture goes with it.
    trash = store.trash_message(ids[1])
    assert store.purge_deleted_messages([trash]) == 1
    assert store.get_attachment(digest) is None and not path.exists()
    with pytest.raises(NotFoundError):
        store.restore_message(trash)


def test_the_automatic_title_follows_the_delete_and_the_undo(store: Store) -> None:
    cid, ids = _conversation(store)
    assert store.get_conversation(cid).title == "Where is the zebra?"  # type: ignore[union-attr]
    trash = store.trash_message(ids[0])
    assert store.get_conversation(cid).title == "Look at this zebra"  # type: ignore[union-attr]
    store.restore_message(trash)
    assert store.get_conversation(cid).title == "Where is the zebra?"  # type: ignore[union-attr]


def test_undo_after_a_new_message_took_the_id_and_the_place(store: Store) -> None:
    cid, ids = _conversation(store)
    trash = store.trash_message(ids[3])  # the last message: SQLite gives its id and place to the next one
    newer = store.append_message(cid, Role.USER, "a new question")
    assert newer.id == ids[3]
    restored = store.restore_message(trash)
    assert restored.id != ids[3] and restored.text == "thanks"
    # Back where it was: after the reply, before what was sent after the delete.
    assert [m.text for m in store.messages(cid)][-2:] == ["thanks", "a new question"]
    assert store.integrity_check() == ["ok"]


def test_a_streaming_reply_cannot_be_deleted(store: Store) -> None:
    conversation = store.create_conversation()
    live = store.append_message(conversation.id, Role.ASSISTANT, "", state=MessageState.STREAMING)
    with pytest.raises(ValueError):
        store.trash_message(live.id)
    assert store.get_message(live.id) is not None
    with pytest.raises(NotFoundError):
        store.trash_message(999)


def test_regenerating_before_a_deleted_message_ends_its_undo(store: Store) -> None:
    cid, ids = _conversation(store)
    late = store.trash_message(ids[3])
    early = store.trash_message(ids[0])
    store.truncate_after(ids[1])  # the conversation goes on from the picture message
    assert [t for t, _m, _c in store.deleted_messages(cid)] == [early]  # before the point: still undoable
    with pytest.raises(NotFoundError):
        store.restore_message(late)
    assert store.restore_message(early).id == ids[0]


def test_purging_a_conversation_releases_its_deleted_messages_pictures(store: Store, clock: Clock) -> None:
    cid, ids = _conversation(store)
    digest = store.get_message(ids[1]).images[0]["hash"]  # type: ignore[union-attr]
    clock.advance(GRACE + 10)
    store.trash_message(ids[1])
    store.purge_conversation(cid)
    assert store.deleted_messages() == []
    assert store.get_attachment(digest) is None


def test_a_restart_keeps_the_deletion_and_the_next_start_purges_it(db_path: Path, clock: Clock) -> None:
    # Store is never closed here before reopening: what a kill -9 would leave (WAL, committed).
    first = Store(db_path, clock=clock)
    cid, ids = _conversation(first)
    trash = first.trash_message(ids[2])
    second = Store(db_path, clock=clock)  # another process's view of the file
    assert [m.id for m in second.messages(cid)] == [ids[0], ids[1], ids[3]]
    assert second.deleted_messages() == [(trash, ids[2], cid)]
    clock.advance(1)
    assert second.purge_deleted(before=clock()) == 0  # no conversation, but the message went
    assert second.deleted_messages() == [] and second.get_message(ids[2]) is None
    assert [m.id for m in second.messages(cid)] == [ids[0], ids[1], ids[3]]
    second.close()
    first.close()


def test_closing_the_async_store_purges_this_sessions_deletions(db_path: Path) -> None:
    async def scenario() -> int:
        astore = await AsyncStore.open(db_path)
        conversation = await astore.create_conversation()
        message = await astore.append_message(conversation.id, Role.USER, "bye")
        await astore.trash_message(message.id)
        await astore.close()
        return conversation.id

    cid = asyncio.run(scenario())
    with Store(db_path) as s:
        assert s.deleted_messages() == [] and s.messages(cid) == []


def test_kill_9_during_the_undo_time_loses_nothing_else(db_path: Path) -> None:
    """A real process killed right after deleting: the file is sound, the message is still deleted
    (never half there), and the next start purges it; the other messages are untouched."""
    script = textwrap.dedent(
        f"""
        import os, signal
        from app.store import Store, Role
        s = Store({str(db_path)!r})
        c = s.create_conversation()
        for i in range(5):
            s.append_message(c.id, Role.USER if i % 2 == 0 else Role.ASSISTANT, f"message {{i}}")
        s.trash_message(s.messages(c.id)[2].id)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[3], env={**os.environ}, timeout=60)
    assert done.returncode == -9
    with Store(db_path) as s:
        assert s.integrity_check() == ["ok"]
        (conversation,) = s.list_conversations()
        assert [m.text for m in s.messages(conversation.id)] == ["message 0", "message 1", "message 3", "message 4"]
        assert len(s.deleted_messages()) == 1
        s.purge_deleted()
        assert s.deleted_messages() == []
        assert [m.text for m in s.messages(conversation.id)] == ["message 0", "message 1", "message 3", "message 4"]


def test_version_3_files_get_the_trash_and_keep_their_messages(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert migrate(conn, target=3) == 3
    conn.execute(
        "INSERT INTO conversations (id, uid, title, created_at, updated_at) VALUES (1, 'u1', 'Old', 10, 20)"
    )
    for i, text in enumerate(["one", "two", "three"]):
        conn.execute(
            "INSERT INTO messages (id, conversation_id, position, role, text, created_at, updated_at) "
            "VALUES (?, 1, ?, 'user', ?, 11, 11)",
            (i + 1, i, text),
        )
    conn.close()
    with Store(db_path) as s:
        assert s.schema_version >= 4
        trash = s.trash_message(2)
        assert [m.text for m in s.messages(1)] == ["one", "three"]
        assert s.restore_message(trash).position == 1
        assert [m.text for m in s.messages(1)] == ["one", "two", "three"]
